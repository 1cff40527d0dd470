/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Built and run by stage 25-freebsd-headers on this machine: the errno
 * table a FreeBSD build generates (Xen's errno.h against FreeBSD's
 * <errno.h> and src/freebsd/errno-aliases.h), checked as data. The
 * stage puts FreeBSD's error macros ahead of it (-include), so any
 * name in the table reads as FreeBSD's number; nothing here includes
 * the host's <errno.h>. Exit status 0 when every check holds; each
 * failure is printed.
 */
#include <stdio.h>

#include "xen-errno-table.h"   /* generated for FreeBSD */

/* Xen's number, FreeBSD 12's (sys/errno.h), and what the pair shows. */
static const struct {
    int xen, freebsd;
    const char *what;
} expected[] = {
    { 1, 1, "EPERM" },
    { 11, 35, "EAGAIN" },
    { 20, 20, "ENOTDIR" },
    { 35, 11, "EDEADLK" },
    { 38, 78, "ENOSYS" },
    { 39, 66, "ENOTEMPTY" },
    { 88, 38, "ENOTSOCK, not FreeBSD's ENOSYS" },
    { 90, 40, "EMSGSIZE" },
    { 110, 60, "ETIMEDOUT" },
    { 111, 61, "ECONNREFUSED, past the kernel's table" },
    /* Named as FreeBSD's kernel names them (sys/xen/error.h). */
    { 61, 2, "ENODATA as ENOENT" },
    { 62, 60, "ETIME as ETIMEDOUT" },
};

int main(void)
{
    int v, unnamed = 0, failures = 0;
    size_t i;

    for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        v = expected[i].xen;
        if (xen_errno_to_local[v] != expected[i].freebsd) {
            printf("Xen %d (%s): %d, not FreeBSD's %d\n", v, expected[i].what,
                   xen_errno_to_local[v], expected[i].freebsd);
            failures++;
        }
    }
    for (v = 1; v < XEN_ERRNO_TABLE_SIZE; v++)
        if (xen_errno_name[v] && !xen_errno_to_local[v])
            unnamed++;
    /* Only the Xen-internal ERESTART has no FreeBSD name. */
    if (unnamed != 1 || xen_errno_to_local[85] || !xen_errno_name[85]) {
        printf("%d Xen errors without a FreeBSD number; expected ERESTART alone\n",
               unnamed);
        failures++;
    }
    return failures != 0;
}
