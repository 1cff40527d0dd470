/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the contract tests (tests/core/contract.c) may ask of a simulated OS.
 * Each simulated OS (linux.c, freebsd.c, minios.c) implements all
 * of it, so one contract suite runs over every backend.
 */
#ifndef SIM_OS_H
#define SIM_OS_H

#include <stddef.h>

/* Short name of the simulated OS, carried in test names ("linux"...). */
extern const char sim_os_name[];

/* Back to a fresh system: Xen present, all devices there, no faults. */
void sim_os_reset(void);

/*
 * Whether the OS offers a buffer device whose memory never faults
 * (Linux /dev/xen/hypercall). Returns -1 where the OS has no such
 * choice (the call is then a no-op), else 0.
 */
int sim_os_set_buffer_device(int present);

/* Whether Xen is there at all (absent: open fails as the OS does). */
void sim_os_set_xen_present(int present);

/* 0 where the OS always runs on Xen (Mini-OS), so "Xen absent" cannot
 * be simulated. Optional: the contract suite defaults it to 1. */
int sim_os_xen_can_be_absent(void);

/* 0 where the OS has no fork() (Mini-OS: one address space, no
 * processes), so the contract's fork cases do not apply. Optional: the
 * contract suite defaults it to 1. */
int sim_os_has_fork(void);

/* Bits of a hypercall argument that reach Xen: fewer than 64 where the
 * OS's interface carries them in an unsigned long (FreeBSD's privcmd,
 * Xen's multicall entries) and long is 32 bits. Optional: the contract
 * suite defaults it to 64. */
unsigned sim_os_hypercall_arg_bits(void);

/* Descriptors the simulated kernel has handed out and not seen closed. */
int sim_os_open_handles(void);

/* Bytes of hypercall-buffer memory currently mapped, with what a
 * backend maps for itself (FreeBSD: a page of multicall entries). */
size_t sim_os_mapped_bytes(void);

/* Whether the OS's kernel-level restriction exists (Linux/FreeBSD:
 * IOCTL_PRIVCMD_RESTRICT); -1 where meaningless. */
int sim_os_set_kernel_restrict(int supported);

/*
 * Fault injection: make the nth (1-based) future call of the named
 * system call fail with err ("open", "close", "ioctl", "mmap",
 * "munmap", "madvise", "mlock", "minherit", "malloc", ...). n = 0
 * clears. Returns -1 if this OS's simulation has no such call.
 */
int sim_os_fail_nth(const char *syscall_name, unsigned long n, int err);

#endif
