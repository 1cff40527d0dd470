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
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buffer-sizes.h"   /* the library's: the cache's sizes */
#include "xencall.h"
#include "../helpers/case.h"
#include "../helpers/sim/os.h"
#include "../helpers/test.h"

/* The figures close logs, in its words. */
struct figures {
    unsigned hits, misses, blocks;
    size_t held, cached, peak;
    unsigned budget_unmaps;
};

/* The last line logged, which must be close's statistics. */
static void expect_statistics(struct figures f)
{
    char line[256];

    snprintf(line, sizeof(line), "buffer cache: %u hits, %u misses, %u blocks"
             " (%zu bytes) held at close, %zu bytes of them cached, peak %zu"
             " bytes held, %u unmaps forced by the budget", f.hits, f.misses,
             f.blocks, f.held, f.cached, f.peak, f.budget_unmaps);
    assert_int_equal(case_log.last_level, XTL_DEBUG);
    assert_string_equal(case_log.last_context, "xencall");
    assert_string_equal(case_log.last, line);
}

/* The pages that fill one cache slot's budget (src/buffer-sizes.h), and
 * a block too big to be cached at all. */
#define SLOT_PAGES (CACHE_SLOT_BUDGET / PAGE)
#define UNCACHED_PAGES (CACHE_MAX_BLOCK_PAGES + 72)
_Static_assert(SLOT_PAGES <= CACHE_MAX_BLOCK_PAGES,
               "every_figure fills a slot with one cacheable block");

static void every_figure(void **state)
{
    xencall_handle *h = open_logged(0);
    void *small, *kept_small, *big, *half[2];

    (void)state;
    small = xencall_alloc_buffer(h, 64);         /* miss: 1 page mapped */
    xencall_free_buffer(h, small);               /* cached */
    small = xencall_alloc_buffer(h, 64);         /* hit */
    kept_small = xencall_alloc_buffer(h, 100);   /* miss; never freed */
    big = xencall_alloc_buffer_pages(h, UNCACHED_PAGES);   /* miss */
    xencall_free_buffer_pages(h, big, UNCACHED_PAGES);   /* unmapped, not by the budget */
    half[0] = xencall_alloc_buffer_pages(h, SLOT_PAGES);   /* miss */
    half[1] = xencall_alloc_buffer_pages(h, SLOT_PAGES);   /* miss */
    xencall_free_buffer_pages(h, half[0], SLOT_PAGES);   /* fills the slot's budget */
    xencall_free_buffer_pages(h, half[1], SLOT_PAGES);   /* over the budget: unmapped */
    xencall_free_buffer(h, small);               /* over the budget: unmapped */
    assert_non_null(kept_small);
    xencall_close(h);
    expect_statistics((struct figures){
        .hits = 1, .misses = 5, .blocks = 2,
        .held = (1 + SLOT_PAGES) * PAGE,          /* kept_small and half[0] */
        .cached = SLOT_PAGES * PAGE,
        /* Two small ones and the big one, or the two halves. */
        .peak = (2 + (UNCACHED_PAGES > 2 * SLOT_PAGES ? UNCACHED_PAGES
                                                      : 2 * SLOT_PAGES)) * PAGE,
        .budget_unmaps = 2 });
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
    expect_statistics((struct figures){
        .misses = 2, .blocks = 1, .held = 2 * PAGE, .cached = 2 * PAGE,
        .peak = 2 * PAGE });
}

static void untouched_handle(void **state)
{
    (void)state;
    xencall_close(open_logged(0));
    expect_statistics((struct figures){ .hits = 0 });
}

/* The only line close adds is the debug one. */
static void close_logs_one_debug_line(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    xencall_free_buffer(h, xencall_alloc_buffer(h, 10));
    testlog_clear(&case_log);
    xencall_close(h);
    assert_int_equal(case_log.lines, 1);
    assert_int_equal(case_log.debugs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(every_figure),
        CASE(cache_given_back_is_not_budget),
        CASE(untouched_handle),
        CASE(close_logs_one_debug_line),
    };

    return case_run_group("trace-statistics", tests);
}
