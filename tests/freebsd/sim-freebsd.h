/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated FreeBSD kernel for the real FreeBSD backend: privcmd's
 * ioctl ABI (result in retval, errno translated by the kernel),
 * anonymous memory, mlock and minherit. Everything in tests/sim/os.h
 * is implemented; these are the FreeBSD-only knobs and observations.
 */
#ifndef SIM_FREEBSD_H
#define SIM_FREEBSD_H

#include <stddef.h>

/*
 * With 1, the kernel reports Xen's errors in FreeBSD's numbering for
 * the few values where it differs from Linux's (ENOSYS 78, EAGAIN 35,
 * EDEADLK 11, ETIMEDOUT 60), as the real kernel would; the test
 * program itself runs on glibc, so by default (0) local numbers stay.
 */
void sim_freebsd_set_native_errno(int on);

/* How the mapping containing p was treated: locked, INHERIT_NONE.
 * Returns -1 if p is in no anonymous mapping the backend made. */
int sim_freebsd_mapping(const void *p, int *locked, int *inherit_none);

/* Requests seen on privcmd descriptors since sim_os_reset(). */
unsigned long sim_freebsd_hypercall_ioctls(void);
unsigned long sim_freebsd_restrict_ioctls(void);
int sim_freebsd_last_restrict_domid(void);

/* Flags of the last open() of the privcmd node (-1: none since reset). */
int sim_freebsd_last_open_flags(void);

/* Whether fd is (still) a privcmd descriptor. */
int sim_freebsd_is_privcmd(int fd);

#endif
