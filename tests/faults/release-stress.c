/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Refused mappings while other handles are busy. One thread's mapping
 * is refused again and again, and each time the caches of every handle
 * of the process give way (README, "How the cache works"), while two
 * threads allocate and free on a shared handle, one thread on a
 * NON_REENTRANT handle of its own (whose cache no other thread may
 * touch: under TSan, a touch would be a reported race), and another
 * opens and closes handles with blocks cached (handles leaving the
 * list while it is walked). No buffer may change under its owner,
 * every failed allocation must be a refusal's ENOMEM, and at the end
 * nothing is left mapped or open. The sanitizer stage runs it under
 * TSan. A cmocka group: its setup runs the stress once (the threads
 * report by counts read after joining them), each case checks one
 * outcome.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xencall.h>

#include "buffer-sizes.h"   /* the library's: CACHE_MAX_BLOCK_PAGES */
#include "../helpers/proc.h"
#include "../helpers/testlog.h"
#include "../helpers/sim/os.h"

#define CHURNERS 3      /* the last one on a NON_REENTRANT handle */
#define REFUSALS 300
/* Over the largest cached block: never cached, so each allocation maps. */
#define REFUSED_PAGES (CACHE_MAX_BLOCK_PAGES + 1)
/* Operations each churner does before the refusals start, and the
 * churners' operations between two refusals (time to cache again). */
#define WARM_UP 200
#define BETWEEN 30

static struct testlog log_;
static xencall_handle *shared;
static int stop, warmed_up;
static unsigned long churned;   /* the churners' operations so far */

static struct {
    int changed;         /* a buffer's bytes changed under its owner */
    int unexpected;      /* a failure other than a refusal's ENOMEM */
    int refused;         /* allocations a refusal failed after all */
    unsigned long second_tries;   /* "mapped at the second try" lines */
    int fds_left;
    size_t bytes_left;
} seen;

static void count(int *what)
{
    __atomic_add_fetch(what, 1, __ATOMIC_RELAXED);
}

static void check_failure(void)
{
    count(errno == ENOMEM ? &seen.refused : &seen.unexpected);
}

/* A tagged buffer a churner holds: small or pages, checked when freed. */
struct held {
    unsigned char *p;
    size_t len, pages;
    unsigned char tag;
};

static void release(xencall_handle *h, struct held *b)
{
    size_t i;

    for (i = 0; i < b->len; i++) {
        if (b->p[i] != b->tag) {
            count(&seen.changed);
            break;
        }
    }
    if (b->pages)
        xencall_free_buffer_pages(h, b->p, b->pages);
    else
        xencall_free_buffer(h, b->p);
    b->p = NULL;
}

static void take(xencall_handle *h, struct held *b, unsigned k, unsigned n)
{
    b->pages = k & 1 ? 1 + k % 4 : 0;
    b->len = b->pages ? b->pages * 4096 : 1 + k % 9000;
    b->p = b->pages ? xencall_alloc_buffer_pages(h, b->pages)
                    : xencall_alloc_buffer(h, b->len);
    if (!b->p) {
        check_failure();
        return;
    }
    b->tag = (unsigned char)(n | 1);
    memset(b->p, b->tag, b->len);
}

static void *churner(void *arg)
{
    unsigned seed = *(unsigned *)arg, n = 0, k, j;
    int own = seed == CHURNERS;
    xencall_handle *h = own ? xencall_open(&log_.vtable,
                                           XENCALL_OPENFLAG_NON_REENTRANT)
                            : shared;
    struct held held[6] = { { NULL, 0, 0, 0 } };

    if (!h) {
        count(&seen.unexpected);
        return NULL;
    }
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        k = (seed = seed * 1103515245u + 12345u) >> 16;
        j = k % 6;
        if (held[j].p)
            release(h, &held[j]);
        else
            take(h, &held[j], k, ++n);
        __atomic_add_fetch(&churned, 1, __ATOMIC_RELAXED);
        if (n == WARM_UP)
            __atomic_add_fetch(&warmed_up, 1, __ATOMIC_RELEASE);
    }
    for (j = 0; j < 6; j++)
        if (held[j].p)
            release(h, &held[j]);
    if (own)
        xencall_close(h);
    return NULL;
}

/* Handles come and go with blocks in their caches. */
static void *opener(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        xencall_handle *h = xencall_open(&log_.vtable, 0);
        void *a, *b;

        if (!h) {
            count(&seen.unexpected);
            continue;
        }
        a = xencall_alloc_buffer(h, 3000);
        b = xencall_alloc_buffer_pages(h, 3);
        if (!a || !b)
            check_failure();
        xencall_free_buffer(h, a);
        xencall_free_buffer_pages(h, b, 3);
        xencall_close(h);
    }
    return NULL;
}

static void *refuser(void *arg)
{
    xencall_handle *h = xencall_open(&log_.vtable, 0);
    unsigned char *p;
    int i;

    (void)arg;
    while (__atomic_load_n(&warmed_up, __ATOMIC_ACQUIRE) < CHURNERS)
        sched_yield();
    for (i = 0; h && i < REFUSALS; i++) {
        unsigned long from = __atomic_load_n(&churned, __ATOMIC_RELAXED);

        while (__atomic_load_n(&churned, __ATOMIC_RELAXED) - from < BETWEEN)
            sched_yield();
        sim_os_fail_nth("mmap", 1, ENOMEM);
        p = xencall_alloc_buffer_pages(h, REFUSED_PAGES);
        if (!p) {
            check_failure();
            continue;
        }
        memset(p, 0x6b, REFUSED_PAGES * 4096);
        xencall_free_buffer_pages(h, p, REFUSED_PAGES);
    }
    if (!h)
        count(&seen.unexpected);
    sim_os_fail_nth("mmap", 0, 0);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    xencall_close(h);
    return NULL;
}

static int stress(void **state)
{
    pthread_t c[CHURNERS], o, r;
    unsigned seeds[CHURNERS];
    int i;

    (void)state;
    testlog_init(&log_);
    sim_os_reset();
    for (i = 0; i < CHURNERS; i++)
        seeds[i] = (unsigned)i + 1;
    shared = xencall_open(&log_.vtable, 0);
    if (!shared) {
        print_error("open: %s\n", strerror(errno));
        return -1;
    }
    if (proc_start_threads(c, CHURNERS, churner, seeds, sizeof(seeds[0])) ||
        proc_start_threads(&o, 1, opener, NULL, 0) ||
        proc_start_threads(&r, 1, refuser, NULL, 0)) {
        print_error("cannot start the threads\n");
        return -1;
    }
    proc_join_threads(&r, 1);
    proc_join_threads(&o, 1);
    proc_join_threads(c, CHURNERS);
    xencall_close(shared);
    /* Nothing else logs below XTL_ERROR but close's statistics. */
    seen.second_tries = log_.lines - log_.errors - log_.debugs;
    seen.fds_left = sim_os_open_handles();
    seen.bytes_left = sim_os_mapped_bytes();
    return 0;
}

static int stress_end(void **state)
{
    (void)state;
    testlog_fini(&log_);
    return 0;
}

static void buffers_kept_their_bytes(void **state)
{
    (void)state;
    assert_int_equal(seen.changed, 0);
}

static void failures_only_refusals(void **state)
{
    (void)state;
    assert_int_equal(seen.unexpected, 0);
}

/* Whichever thread met a refusal, other handles' caches nearly always
 * had blocks to give back, and its second try worked. */
static void refused_mappings_tried_again(void **state)
{
    (void)state;
    print_message("# %lu of %d refused mappings worked at the second try;"
                  " %d allocations failed\n", seen.second_tries, REFUSALS,
                  seen.refused);
    assert_true(seen.second_tries > REFUSALS / 2);
}

static void nothing_left(void **state)
{
    (void)state;
    assert_int_equal(seen.fds_left, 0);
    assert_int_equal(seen.bytes_left, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffers_kept_their_bytes),
        cmocka_unit_test(failures_only_refusals),
        cmocka_unit_test(refused_mappings_tried_again),
        cmocka_unit_test(nothing_left),
    };

    return cmocka_run_group_tests_name("release-stress", tests, stress, stress_end);
}
