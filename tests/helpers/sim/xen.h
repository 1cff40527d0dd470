/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated Xen hypervisor: the hypercall semantics that every
 * simulated OS (tests/linux, tests/freebsd, tests/minios) forwards to.
 * Results follow Xen's convention: >= 0 on success, -XEN_Exxx on error
 * (Xen's own errno numbers, from <xen/errno.h>); each simulated kernel
 * converts that into its OS's ABI the way the real kernel does.
 */
#ifndef SIM_XEN_H
#define SIM_XEN_H

#include <stddef.h>
#include <stdint.h>

/* What the simulated Xen reports (the figures Debian's 4.17 gives). */
#define SIM_XEN_VERSION      0x40011L   /* XENVER_version: 4.17 */
#define SIM_XEN_EXTRAVERSION ".7"
#define SIM_XEN_CAPABILITIES "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"

/*
 * Test-only hypercall numbers, far above Xen's (< 64), so they can
 * never be mistaken for real ones.
 */
enum {
    /* Returns arg1 as the raw result: any value, or a -XEN_Exxx error. */
    SIM_OP_RESULT = 0x1000,
    /* arg1 = buffer, arg2 = length, arg3 = byte: returns how many of
     * the buffer's bytes were nonzero, then fills it with the byte
     * (the hypervisor reading and writing caller memory). */
    SIM_OP_FILL = 0x1001,
};

/* The last hypercall the simulated Xen saw, and how many it has seen. */
struct sim_xen_call {
    uint64_t op;
    uint64_t arg[5];
};

/*
 * Execute one hypercall as Xen would. Implemented: xen_version
 * (version, extraversion, capabilities, pagesize; buffers checked
 * reachable, else -XEN_EFAULT), memory_op XENMEM_maximum_reservation
 * (arg2 must point at a reachable domid_t, as Xen reads it, else
 * -XEN_EFAULT; returns sim_xen_max_reservation), multicall (entries
 * in reachable memory, each counted as a call; a multicall made while
 * the calling thread is in one, as an entry of it, is refused with
 * -XEN_EINVAL in that entry, as Xen's reentry check does), the SIM_OP_*
 * above; anything else gives -XEN_ENOSYS.
 */
long sim_xen_hypercall(uint64_t op, const uint64_t arg[5]);

/* Count of hypercalls executed since sim_xen_reset(), and the last one. */
unsigned long sim_xen_calls(void);
struct sim_xen_call sim_xen_last_call(void);

/* Settable result of XENMEM_maximum_reservation (default: 2^33 + 5,
 * wider than an int on purpose). */
extern long sim_xen_max_reservation;

/*
 * Guest memory the hypervisor may touch. Each simulated OS registers
 * the memory its kernel would make hypercall-safe (buffer-device
 * mappings, locked don't-fork memory) and removes it when unmapped.
 */
void sim_xen_mem_add(const void *p, size_t len);
void sim_xen_mem_remove(const void *p, size_t len);
int sim_xen_mem_reachable(const void *p, size_t len);

/* Forget the calls seen and restore sim_xen_max_reservation. The
 * reachable memory stays: it mirrors the OS's live mappings. */
void sim_xen_reset(void);

#endif
