/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test build only: FreeBSD's privcmd interface as its header declares
 * it (facts from FreeBSD's sys/xen/privcmd.h), for compiling the real
 * FreeBSD backend on Linux. Found before the system's (Linux) header.
 */
#ifndef SIM_FREEBSD_XEN_SYS_PRIVCMD_H
#define SIM_FREEBSD_XEN_SYS_PRIVCMD_H

struct ioctl_privcmd_hypercall {
    unsigned long op;
    unsigned long arg[5];
    long retval;
};

/* FreeBSD's _IOWR/_IOW encode direction bits unlike Linux's macros, so
 * the amd64 values are written out: _IOWR('E', 0, 56 bytes) and
 * _IOW('E', 4, domid_t). */
#define IOCTL_PRIVCMD_HYPERCALL 0xc0384500UL
#define IOCTL_PRIVCMD_RESTRICT  0x80024504UL

#endif
