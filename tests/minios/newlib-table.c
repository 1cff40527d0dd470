/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The table a stub domain's build generates (Xen's errno.h against
 * newlib's sys/errno.h), checked as data. Kept apart from backend.c:
 * both generated headers define the same names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "newlib-table.h"
#include "xen-errno-newlib.h"   /* generated: Xen -> newlib */

void minios_newlib_table(void **state)
{
    int v, unnamed = 0, named = 0;

    (void)state;
    /* Figures from newlib's sys/errno.h, as a stub domain sees them:
     * equal to Xen's up to 34, different above. */
    assert_int_equal(xen_errno_to_local[1], 1);      /* EPERM */
    assert_int_equal(xen_errno_to_local[11], 11);    /* EAGAIN */
    assert_int_equal(xen_errno_to_local[34], 34);    /* ERANGE */
    assert_int_equal(xen_errno_to_local[35], 45);    /* EDEADLK */
    assert_int_equal(xen_errno_to_local[38], 88);    /* ENOSYS */
    assert_int_equal(xen_errno_to_local[88], 108);   /* ENOTSOCK, not ENOSYS */
    assert_int_equal(xen_errno_to_local[95], 95);    /* EOPNOTSUPP */
    assert_int_equal(xen_errno_to_local[110], 116);  /* ETIMEDOUT */
    for (v = 1; v < XEN_ERRNO_TABLE_SIZE; v++) {
        if (!xen_errno_name[v])
            continue;
        named++;
        if (!xen_errno_to_local[v])
            unnamed++;
        /* Two Xen errors must never read as one newlib error. */
        for (int w = 1; w < v; w++)
            if (xen_errno_to_local[v] && xen_errno_to_local[v] == xen_errno_to_local[w])
                fail_msg("Xen %s and %s both map to %d", xen_errno_name[v],
                         xen_errno_name[w], xen_errno_to_local[v]);
    }
    assert_true(named >= 45);
    /* Only ERESTART has no newlib name (the backend reports EIO). */
    assert_int_equal(unnamed, 1);
    assert_string_equal(xen_errno_name[85], "ERESTART");
    assert_int_equal(xen_errno_to_local[85], 0);
}
