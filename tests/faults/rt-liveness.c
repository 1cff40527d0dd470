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
 * measurement. Speaks TAP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xencall.h>

#include "../helpers/sim/os.h"

/* Threads take consecutive slot tickets at their first allocation and
 * use slot ticket % CACHE_SLOTS (README, "How the cache works"): with
 * this many other threads allocating in between, the busy thread gets
 * the periodic thread's slot. */
#define CACHE_SLOTS 4
#define PERIODIC_OPS 2000
#define BUSY_OPS 2000
#define PERIOD_NS 20000L
#define DEADLINE_S 60

static xencall_handle *handle;
static int stop;
static unsigned long periodic_done, busy_done;
static int op_failed;

/* One operation: a small buffer (the slot's lock) and a page buffer
 * (the slot's lock and the handle's registry lock). */
static void one_op(unsigned long *done)
{
    void *small = xencall_alloc_buffer(handle, 64);
    void *page = xencall_alloc_buffer_pages(handle, 1);

    if (!small || !page)
        __atomic_store_n(&op_failed, 1, __ATOMIC_RELAXED);
    xencall_free_buffer(handle, small);
    xencall_free_buffer_pages(handle, page, 1);
    __atomic_add_fetch(done, 1, __ATOMIC_RELAXED);
}

static void *periodic_main(void *arg)
{
    struct timespec period = { 0, PERIOD_NS };
    int i;

    (void)arg;
    for (i = 0; i < PERIODIC_OPS; i++) {
        one_op(&periodic_done);
        nanosleep(&period, NULL);
    }
    return NULL;
}

static void *busy_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
        one_op(&busy_done);
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
    cpu_set_t set;
    int err;

    pthread_attr_init(&attr);
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, policy);
    pthread_attr_setschedparam(&attr, &sp);
    if (cpu >= 0) {
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
    }
    err = pthread_create(t, &attr, fn, NULL);
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

int main(void)
{
    struct sched_param watcher = { .sched_priority = 3 };
    struct timespec t0, tick = { 0, 10000000L };
    pthread_t periodic, busy, filler;
    unsigned long periodic_ops, busy_ops;
    int cpu = first_allowed_cpu(), err, i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("1..2\n");
    sim_os_reset();
    handle = xencall_open(NULL, 0);
    if (!handle) {
        printf("not ok 1 - open\nnot ok 2 - open\n");
        return 1;
    }
    /* The watcher outranks both, so it always gets to check. */
    err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &watcher);
    if (!err)
        err = start(&periodic, periodic_main, SCHED_FIFO, 2, cpu);
    if (err) {
        printf("ok 1 # SKIP real-time scheduling not permitted here (%s)\n"
               "ok 2 # SKIP real-time scheduling not permitted here\n",
               strerror(err));
        xencall_close(handle);
        return 0;
    }
    /* The periodic thread has its ticket once it has done an op. */
    while (!__atomic_load_n(&periodic_done, __ATOMIC_RELAXED))
        nanosleep(&tick, NULL);
    for (i = 0; i < CACHE_SLOTS - 1; i++) {
        if (start(&filler, filler_main, SCHED_OTHER, 0, -1) == 0)
            pthread_join(filler, NULL);
    }
    err = start(&busy, busy_main, SCHED_FIFO, 1, cpu);
    if (err) {
        printf("# cannot start the busy thread: %s\n", strerror(err));
        _exit(1);
    }

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        nanosleep(&tick, NULL);
        periodic_ops = __atomic_load_n(&periodic_done, __ATOMIC_RELAXED);
        busy_ops = __atomic_load_n(&busy_done, __ATOMIC_RELAXED);
    } while ((periodic_ops < PERIODIC_OPS || busy_ops < BUSY_OPS) &&
             seconds_since(&t0) < DEADLINE_S);
    if (periodic_ops < PERIODIC_OPS || busy_ops < BUSY_OPS) {
        /* A thread is stuck inside the library: no clean way out. */
        printf("# after %d s: periodic thread %lu of %d ops, busy thread %lu of %d\n",
               DEADLINE_S, periodic_ops, PERIODIC_OPS, busy_ops, BUSY_OPS);
        printf("%s 1 - SCHED_FIFO periodic thread finishes its operations\n",
               periodic_ops >= PERIODIC_OPS ? "ok" : "not ok");
        printf("%s 2 - lower-priority busy thread on its CPU progresses\n",
               busy_ops >= BUSY_OPS ? "ok" : "not ok");
        _exit(1);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    pthread_join(periodic, NULL);
    pthread_join(busy, NULL);
    printf("# periodic thread %lu ops, busy thread %lu ops, in %.2f s\n",
           periodic_done, busy_done, seconds_since(&t0));
    printf("%s 1 - SCHED_FIFO periodic thread finishes its operations\n",
           op_failed ? "not ok" : "ok");
    printf("%s 2 - lower-priority busy thread on its CPU progresses\n",
           op_failed ? "not ok" : "ok");
    xencall_close(handle);
    return op_failed;
}
