/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Liveness under real-time scheduling: a periodic SCHED_FIFO thread
 * and a busy thread of lower real-time priority share one handle and
 * one cache slot, both pinned to the same CPU. Whenever the periodic
 * thread wakes while the busy one holds a cache lock, the busy thread
 * cannot run again until the periodic one gives up the CPU; a lock
 * that only spins never does, and both stop for good. Both must reach
 * their count of operations. The deadline is a generous liveness
 * bound (a minute, for well under a second of work), not a timing
 * measurement. A cmocka group: its setup runs the threads once and
 * each case checks one thread's progress. Where real-time scheduling
 * is not permitted, the whole program is skipped (TAP's "1..0 # SKIP",
 * which automake counts as one skip: cmocka 1.1.5's skip() prints
 * "not ok", which it would count as failed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <xencall.h>

#include "buffer-sizes.h"   /* the library's: CACHE_SLOTS */
#include "../helpers/sim/os.h"

/* Threads take consecutive slot tickets at their first allocation and
 * use slot ticket % CACHE_SLOTS (README, "How the cache works"): with
 * CACHE_SLOTS - 1 other threads allocating in between, the busy thread
 * gets the periodic thread's slot. */
#define PERIODIC_OPS 2000
#define BUSY_OPS 2000
#define PERIOD_NS 20000L
#define DEADLINE_S 60

static xencall_handle *handle;
static int stop;

/* Each thread's operations, read by the cases. */
struct progress {
    unsigned long done;
    int failed;   /* an allocation failed */
};
static struct progress periodic, busy;

/* One operation: a small buffer (the slot's lock) and a page buffer
 * (the slot's lock and the handle's registry lock). */
static void one_op(struct progress *p)
{
    void *small = xencall_alloc_buffer(handle, 64);
    void *page = xencall_alloc_buffer_pages(handle, 1);

    if (!small || !page)
        __atomic_store_n(&p->failed, 1, __ATOMIC_RELAXED);
    xencall_free_buffer(handle, small);
    xencall_free_buffer_pages(handle, page, 1);
    __atomic_add_fetch(&p->done, 1, __ATOMIC_RELAXED);
}

static void *periodic_main(void *arg)
{
    struct timespec period = { 0, PERIOD_NS };
    int i;

    (void)arg;
    for (i = 0; i < PERIODIC_OPS; i++) {
        one_op(&periodic);
        nanosleep(&period, NULL);
    }
    return NULL;
}

static void *busy_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
        one_op(&busy);
    return NULL;
}

/* Takes a slot ticket and leaves. */
static void *filler_main(void *arg)
{
    (void)arg;
    xencall_free_buffer(handle, xencall_alloc_buffer(handle, 64));
    return NULL;
}

/* Starts fn with policy and priority, pinned to cpu (-1: anywhere).
 * 0, or the error pthread_create gave. */
static int start(pthread_t *t, void *(*fn)(void *), int policy, int prio,
                 int cpu)
{
    struct sched_param sp = { .sched_priority = prio };
    pthread_attr_t attr;
    cpu_set_t set, mine;
    int err, pinned = 0;

    pthread_attr_init(&attr);
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, policy);
    pthread_attr_setschedparam(&attr, &sp);
    /* A new thread inherits its creator's CPUs: pinned from its first
     * instruction without pthread_attr_setaffinity_np(), which musl
     * lacks. */
    if (cpu >= 0 && sched_getaffinity(0, sizeof(mine), &mine) == 0) {
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pinned = sched_setaffinity(0, sizeof(set), &set) == 0;
    }
    err = pthread_create(t, &attr, fn, NULL);
    if (pinned)
        sched_setaffinity(0, sizeof(mine), &mine);
    pthread_attr_destroy(&attr);
    return err;
}

static int first_allowed_cpu(void)
{
    cpu_set_t set;
    int cpu;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
            if (CPU_ISSET(cpu, &set))
                return cpu;
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static unsigned long done_by(struct progress *p)
{
    return __atomic_load_n(&p->done, __ATOMIC_RELAXED);
}

/* Both threads ran to their count and were joined; else one is stuck
 * inside the library and the process can only _exit(). */
static int joined;

static int run_threads(void **state)
{
    struct timespec t0, tick = { 0, 10000000L };
    pthread_t periodic_thread, busy_thread, filler;
    int cpu = first_allowed_cpu(), err, i;

    (void)state;
    handle = xencall_open(NULL, 0);
    if (!handle) {
        print_error("open: %s\n", strerror(errno));
        return -1;
    }
    err = start(&periodic_thread, periodic_main, SCHED_FIFO, 2, cpu);
    if (err) {
        print_error("cannot start the periodic thread: %s\n", strerror(err));
        return -1;
    }
    /* The periodic thread has its ticket once it has done an op. */
    while (!done_by(&periodic))
        nanosleep(&tick, NULL);
    for (i = 0; i < CACHE_SLOTS - 1; i++) {
        if (start(&filler, filler_main, SCHED_OTHER, 0, -1) == 0)
            pthread_join(filler, NULL);
    }
    err = start(&busy_thread, busy_main, SCHED_FIFO, 1, cpu);
    if (err) {
        print_error("cannot start the busy thread: %s\n", strerror(err));
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        nanosleep(&tick, NULL);
    while ((done_by(&periodic) < PERIODIC_OPS || done_by(&busy) < BUSY_OPS) &&
           seconds_since(&t0) < DEADLINE_S);
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    joined = done_by(&periodic) >= PERIODIC_OPS && done_by(&busy) >= BUSY_OPS;
    if (joined) {
        pthread_join(periodic_thread, NULL);
        pthread_join(busy_thread, NULL);
    }
    print_message("# periodic thread %lu ops, busy thread %lu ops, in %.2f"
                  " s\n", done_by(&periodic), done_by(&busy),
                  seconds_since(&t0));
    return 0;
}

static void periodic_thread_finishes(void **state)
{
    (void)state;
    assert_true(done_by(&periodic) >= PERIODIC_OPS);
    assert_false(periodic.failed);
}

static void busy_thread_progresses(void **state)
{
    (void)state;
    assert_true(done_by(&busy) >= BUSY_OPS);
    assert_false(busy.failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periodic_thread_finishes),
        cmocka_unit_test(busy_thread_progresses),
    };
    /* The watcher outranks both, so it always gets to check. */
    struct sched_param watcher = { .sched_priority = 3 };
    int err, rc;

    sim_os_reset();
    err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &watcher);
    if (err) {
        printf("1..0 # SKIP real-time scheduling not permitted here (%s)\n",
               strerror(err));
        return 0;
    }
    rc = cmocka_run_group_tests_name("rt-liveness", tests, run_threads, NULL);
    if (!joined) {
        fflush(stdout);
        _exit(rc ? rc : 1);
    }
    xencall_close(handle);
    return rc;
}
