/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For backends that receive Xen's raw result (a multicall entry's),
 * not one a kernel has already turned into errno: Mini-OS and FreeBSD.
 * Xen's error numbers become the C library's through the table the
 * backend's build generates (gen-errno-table.sh beside this file; the
 * rule is local.am's), found as "xen-errno-table.h" on the backend's
 * include path.
 */
#ifndef XENCALL_XEN_RESULT_H
#define XENCALL_XEN_RESULT_H

#include <errno.h>

#include "xen-errno-table.h"

/* What a Xen error the C library has no name for becomes. */
#define UNNAMED_XEN_ERROR EIO

/* Xen's error number xen_errno (positive) in the C library's numbering. */
static inline int xen_errno_local(unsigned long xen_errno)
{
    if (xen_errno < XEN_ERRNO_TABLE_SIZE && xen_errno_to_local[xen_errno])
        return xen_errno_to_local[xen_errno];
    return UNNAMED_XEN_ERROR;
}

/* A raw result as xencall_os_hypercall() returns it: Xen reports
 * errors as -errno (-1 to -4095); anything else is the result. */
static inline long xen_result(long raw)
{
    if (raw >= 0 || raw <= -4096)
        return raw;
    errno = xen_errno_local((unsigned long)-raw);
    return -1;
}

#endif
