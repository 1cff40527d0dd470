/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the real Mini-OS guest (tests/minios/guest, stage 75) cannot
 * show, run over the simulated Mini-OS (tests/helpers/sim/minios.c): every Xen error
 * number and the fallback for values Xen does not define, a failing
 * multicall, results in the negative range that are not errors, and a
 * heap that runs out. Built, like a stub domain's library, without TLS,
 * posix_memalign or pthread_mutex_destroy (see local.am), with the
 * errno table generated from this build's <errno.h> (glibc's numbers,
 * which equal Xen's and Mini-OS's).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xencall.h"
#include "../helpers/check.h"
#include "../helpers/sim/minios.h"
#include "../helpers/case.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "xen-errno-table.h"   /* generated: the backend's own table */

static void minios_negative_results_outside_error_range(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    /* Below Xen's error range a negative value is a result, not an error. */
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)-5000, 0), -5000);
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)-4096, 0), -4096);
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)-4095, 0), -1);
    assert_int_equal(errno, EIO);   /* -4095 is an error Xen does not name */
    xencall_close(h);
}

static void minios_translates_every_xen_errno(void **state)
{
    xencall_handle *h = open_logged(0);
    int v, checked = 0;

    (void)state;
    /* In this build the local library is glibc, whose numbers equal
     * Xen's: the table generated against it must be the identity, and
     * every named Xen error must come back as itself. */
    for (v = 1; v < XEN_ERRNO_TABLE_SIZE; v++) {
        if (!xen_errno_name[v])
            continue;
        if (xen_errno_to_local[v] != v)
            fail_msg("glibc table maps Xen %s (%d) to %d", xen_errno_name[v], v,
                     xen_errno_to_local[v]);
        assert_int_equal(xencall1(h, SIM_OP_RESULT, (uint64_t)-(int64_t)v), -1);
        if (errno != v)
            fail_msg("Xen %s (%d) came back as errno %d", xen_errno_name[v], v, errno);
        checked++;
    }
    assert_true(checked >= 45);
    /* Values Xen does not define fall back to EIO. */
    assert_fails_with(xencall1(h, SIM_OP_RESULT, (uint64_t)-100), EIO);
    assert_fails_with(xencall1(h, SIM_OP_RESULT, (uint64_t)-4000), EIO);
    /* A failing multicall is translated too, the caller's own as well. */
    sim_minios_fail_multicall(38);
    assert_fails_with(xencall0(h, 17), ENOSYS);
    sim_minios_fail_multicall(11);
    assert_fails_with(xencall2(h, 13, 0, 0), EAGAIN);
    xencall_close(h);
}

static void minios_heap_failure_is_logged(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    sim_os_fail_nth("memalign", 1, ENOMEM);
    assert_null_with(xencall_alloc_buffer_pages(h, 3), ENOMEM);
    assert_int_equal(case_log.last_level, XTL_ERROR);
    assert_int_equal(case_log.last_errno, ENOMEM);
    xencall_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(minios_negative_results_outside_error_range),
        CASE(minios_translates_every_xen_errno),
        CASE(minios_heap_failure_is_logged),
    };

    return case_run_group("minios-backend", tests);
}
