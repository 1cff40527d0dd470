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

/* FreeBSD's _IOWR/_IOW (sys/ioccom.h) encode direction and size
 * unlike Linux's macros of the same names, so they are spelled out:
 * IOC_INOUT 0xc0000000 / IOC_IN 0x80000000, 13 bits of size, group,
 * number. domid_t comes from <xen/xen.h>, included before, as on
 * FreeBSD. On amd64 the hypercall request is 0xc0384500. */
#define SIM_FREEBSD_IOC(dir, group, num, len) \
    ((unsigned long)(dir) | (((unsigned long)(len) & 0x1fff) << 16) | \
     ((unsigned long)(group) << 8) | (unsigned long)(num))
#define IOCTL_PRIVCMD_HYPERCALL \
    SIM_FREEBSD_IOC(0xc0000000UL, 'E', 0, sizeof(struct ioctl_privcmd_hypercall))
#define IOCTL_PRIVCMD_RESTRICT \
    SIM_FREEBSD_IOC(0x80000000UL, 'E', 4, sizeof(domid_t))

#endif
