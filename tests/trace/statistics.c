/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The buffer cache's statistics, logged at debug level when a handle
 * closes: a known sequence of allocations and frees on the simulated
 * Linux privcmd, and the exact line it must produce.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xencall.h"
#include "../helpers/case.h"
#include "../helpers/sim/os.h"

#define PAGE 4096UL

/* The last line logged, which must be close's statistics. */
static void expect_statistics(const char *line)
{
    assert_int_equal(tlog.last_level, XTL_DEBUG);
    assert_string_equal(tlog.last_context, "xencall");
    assert_string_equal(tlog.last, line);
}

static void every_figure(void **state)
{
    xencall_handle *h = open_logged(0);
    void *small, *kept_small, *big, *half[2];

    (void)state;
    small = xencall_alloc_buffer(h, 64);         /* miss: 1 page mapped */
    xencall_free_buffer(h, small);               /* cached */
    small = xencall_alloc_buffer(h, 64);         /* hit */
    kept_small = xencall_alloc_buffer(h, 100);   /* miss; never freed */
    big = xencall_alloc_buffer_pages(h, 200);    /* miss: too big to cache */
    xencall_free_buffer_pages(h, big, 200);      /* unmapped, not by the budget */
    half[0] = xencall_alloc_buffer_pages(h, 128);   /* miss */
    half[1] = xencall_alloc_buffer_pages(h, 128);   /* miss; peak: 2 + 256 pages */
    xencall_free_buffer_pages(h, half[0], 128);  /* fills the slot's 512 KiB */
    xencall_free_buffer_pages(h, half[1], 128);  /* over the budget: unmapped */
    xencall_free_buffer(h, small);               /* over the budget: unmapped */
    assert_non_null(kept_small);
    xencall_close(h);
    expect_statistics("buffer cache: 1 hits, 5 misses, 2 blocks (528384 bytes)"
                      " held at close, 524288 bytes of them cached, peak 1056768"
                      " bytes held, 2 unmaps forced by the budget");
}

/* A cache given back because the OS refused a mapping is no budget's doing. */
static void cache_given_back_is_not_budget(void **state)
{
    xencall_handle *h = open_logged(0);
    void *p;

    (void)state;
    xencall_free_buffer(h, xencall_alloc_buffer(h, 64));   /* miss, cached */
    assert_int_equal(sim_os_fail_nth("mmap", 1, ENOMEM), 0);
    p = xencall_alloc_buffer_pages(h, 2);    /* refused, cache unmapped, miss */
    assert_non_null(p);
    xencall_free_buffer_pages(h, p, 2);
    xencall_close(h);
    expect_statistics("buffer cache: 0 hits, 2 misses, 1 blocks (8192 bytes)"
                      " held at close, 8192 bytes of them cached, peak 8192"
                      " bytes held, 0 unmaps forced by the budget");
}

static void untouched_handle(void **state)
{
    (void)state;
    xencall_close(open_logged(0));
    expect_statistics("buffer cache: 0 hits, 0 misses, 0 blocks (0 bytes)"
                      " held at close, 0 bytes of them cached, peak 0 bytes"
                      " held, 0 unmaps forced by the budget");
}

/* The only line close adds is the debug one. */
static void close_logs_one_debug_line(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    xencall_free_buffer(h, xencall_alloc_buffer(h, 10));
    testlog_clear(&tlog);
    xencall_close(h);
    assert_int_equal(tlog.lines, 1);
    assert_int_equal(tlog.debugs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_figure, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(cache_given_back_is_not_budget, case_setup,
                                        case_teardown),
        cmocka_unit_test_setup_teardown(untouched_handle, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(close_logs_one_debug_line, case_setup,
                                        case_teardown),
    };
    int rc;

    testlog_init(&tlog);
    rc = cmocka_run_group_tests_name("statistics", tests, NULL, NULL);
    testlog_fini(&tlog);
    return rc;
}
