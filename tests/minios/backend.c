/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What only the Mini-OS backend promises, run over the simulated
 * Mini-OS (sim-minios.c): one-entry multicalls, full-width results,
 * no descriptor, and Xen's error numbers translated to the C library's
 * by the table generated at build time. In this Linux-hosted build the
 * backend's table is generated against glibc; the table a stub domain
 * gets, generated against newlib's header, is checked here as data.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <xentoolcore.h>

#include "xencall.h"
#include "sim-minios.h"
#include "../contract/case.h"
#include "../sim/os.h"
#include "../sim/xen.h"
#include "xen-errno-table.h"   /* generated: the backend's own table */
#ifdef HAVE_NEWLIB_TABLE
#include "newlib-table.h"
#endif

static void minios_has_no_descriptor(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(xencall_fd(h), -1);
    assert_int_equal(xencall_buffers_never_fault(h), 1);
    xencall_close(h);
}

static void minios_one_entry_multicall_per_call(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(xencall5(h, SIM_OP_RESULT, 9, 1, 2, 3, 4), 9);
    assert_int_equal(sim_minios_multicalls(), 1);
    assert_int_equal(sim_minios_last_nr_calls(), 1);
    xencall_close(h);
}

static void minios_full_width_results(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)LONG_MAX - 3, 0),
                     LONG_MAX - 3);
    assert_int_equal(xencall2L(h, 12 /* memory_op */, 4, 0), -1);
    assert_int_equal(errno, EFAULT);   /* no domid to read at address 0 */
    /* Below Xen's error range a negative value is a result, not an error. */
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)-5000, 0), -5000);
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
    assert_int_equal(xencall1(h, SIM_OP_RESULT, (uint64_t)-100), -1);
    assert_int_equal(errno, EIO);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, (uint64_t)-4000), -1);
    assert_int_equal(errno, EIO);
    /* A failing multicall is translated too. */
    sim_minios_fail_multicall(38);
    assert_int_equal(xencall0(h, 17), -1);
    assert_int_equal(errno, ENOSYS);
    xencall_close(h);
}

static void minios_restriction_refuses_calls(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned long before;

    (void)state;
    assert_int_equal(xentoolcore_restrict_all(5), 0);
    before = sim_minios_multicalls();
    assert_int_equal(xencall0(h, 17), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(sim_minios_multicalls(), before);
    xencall_close(h);
}

static void minios_heap_failure_is_logged(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    sim_os_fail_nth("memalign", 1, ENOMEM);
    assert_null(xencall_alloc_buffer_pages(h, 3));
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(tlog.last_level, XTL_ERROR);
    assert_int_equal(tlog.last_errno, ENOMEM);
    xencall_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(minios_has_no_descriptor, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(minios_one_entry_multicall_per_call, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(minios_full_width_results, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(minios_translates_every_xen_errno, case_setup, case_teardown),
#ifdef HAVE_NEWLIB_TABLE
        cmocka_unit_test(minios_newlib_table),
#endif
        cmocka_unit_test_setup_teardown(minios_restriction_refuses_calls, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(minios_heap_failure_is_logged, case_setup, case_teardown),
    };
    int rc;

#ifndef HAVE_NEWLIB_TABLE
    /* cmocka's skip() reads as a failure to automake's TAP driver. */
    printf("# newlib's errno.h is missing (libnewlib-dev): newlib table check not built\n");
#endif
    testlog_init(&tlog);
    rc = cmocka_run_group_tests_name("minios-backend", tests, NULL, NULL);
    testlog_fini(&tlog);
    return rc;
}
