/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated FreeBSD kernel for the real FreeBSD backend, following
 * FreeBSD's own privcmd driver (sys/dev/xen/privcmd/privcmd.c) and its
 * error table (sys/xen/error.h): an int result, Xen's errors
 * translated with the table's gaps and end, ENOSYS for unknown
 * requests, restriction per open file; anonymous memory with mlock
 * and minherit. Error numbers are glibc's (the test program runs on
 * glibc), chosen by name as FreeBSD's table chooses them. Everything
 * in os.h is implemented; these are the FreeBSD-only knobs
 * and observations.
 */
#ifndef SIM_FREEBSD_H
#define SIM_FREEBSD_H

#include <stddef.h>
#include <stdint.h>

/* How the mapping containing p is treated: whether it is locked, and
 * its minherit() mode (INHERIT_*; INHERIT_COPY unless changed).
 * Returns -1 if p is in no anonymous mapping. */
int sim_freebsd_mapping(const void *p, int *locked, int *inherit);

/* Requests seen on privcmd descriptors since sim_os_reset(). */
unsigned long sim_freebsd_hypercall_ioctls(void);
unsigned long sim_freebsd_restrict_ioctls(void);
int sim_freebsd_last_restrict_domid(void);
/* The op and first argument of the last hypercall request. */
uint64_t sim_freebsd_last_ioctl_op(void);
uint64_t sim_freebsd_last_ioctl_arg0(void);

/* Flags of the last open() of the privcmd node (-1: none since reset). */
int sim_freebsd_last_open_flags(void);

/* Whether fd is (still) a privcmd descriptor. */
int sim_freebsd_is_privcmd(int fd);

/*
 * Holding hypercall requests inside the kernel, so that a test knows
 * which calls are in flight at once. While holding, each request waits
 * before reaching Xen until released; sim_freebsd_held() counts the
 * waiting ones, sim_freebsd_release(n) lets n of them go, and
 * sim_freebsd_hold(0) lets all go and stops holding.
 */
void sim_freebsd_hold(int on);
int sim_freebsd_held(void);
void sim_freebsd_release(int n);

/* Multicall requests in flight at once: the most seen, and how often
 * two of them pointed at the same entry (since sim_os_reset()). */
int sim_freebsd_max_in_flight(void);
unsigned long sim_freebsd_entry_overlaps(void);

#endif
