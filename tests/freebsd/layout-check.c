/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compiled, never linked, by stage 25-freebsd-headers: for
 * x86_64-unknown-freebsd12.0 against FreeBSD's installed headers and
 * the privcmd.h Xen's tools install on FreeBSD. The layouts and request
 * numbers the FreeBSD backend relies on, as FreeBSD's amd64 kernel
 * reads them; tests/helpers/sim/freebsd-include (the simulation's stand-in headers)
 * is held to the same figures by freebsd_ioctl_abi in backend.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <xen/xen.h>
#include <xen/sys/privcmd.h>

_Static_assert(sizeof(struct ioctl_privcmd_hypercall) == 56,
               "hypercall request: 7 longs");
_Static_assert(offsetof(struct ioctl_privcmd_hypercall, op) == 0, "op first");
_Static_assert(offsetof(struct ioctl_privcmd_hypercall, arg) == 8, "then 5 arguments");
_Static_assert(offsetof(struct ioctl_privcmd_hypercall, retval) == 48, "retval last");
_Static_assert(sizeof(((struct ioctl_privcmd_hypercall *)0)->retval) == 8,
               "retval is a 64-bit long");
_Static_assert(IOCTL_PRIVCMD_HYPERCALL == 0xc0384500UL,
               "_IOWR('E', 0, 56 bytes), the request the kernel answers");
_Static_assert(IOCTL_PRIVCMD_RESTRICT == 0x80024504UL, "_IOW('E', 4, domid_t)");

_Static_assert(__HYPERVISOR_multicall == 13, "multicall's number");
_Static_assert(sizeof(multicall_entry_t) == 64, "an entry: 8 xen_ulong_t");
_Static_assert(offsetof(multicall_entry_t, op) == 0, "op first");
_Static_assert(offsetof(multicall_entry_t, result) == 8, "then the result");
_Static_assert(sizeof(((multicall_entry_t *)0)->result) == 8, "a 64-bit result");
_Static_assert(offsetof(multicall_entry_t, args) == 16, "then 6 arguments");

_Static_assert(INHERIT_NONE == 2 && INHERIT_ZERO == 3, "minherit modes");
