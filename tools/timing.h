/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Timing helpers for xencall-probe, the real-Xen latency program
 * (tests/xen/xen-latency.c) and the benchmark (bench/): a monotonic
 * clock in nanoseconds, and the median of a few rounds, which one slow
 * round (an interrupt, another process) cannot move. It stays beside
 * the one of them that is installed; the other two name tools/ in
 * their CPPFLAGS (bench/local.am, tests/xen/local.am) and include it
 * as "timing.h".
 */
#ifndef XENCALL_TIMING_H
#define XENCALL_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sorts rounds[] in place. */
static inline double median_of(double *rounds, size_t n)
{
    qsort(rounds, n, sizeof(rounds[0]), compare_doubles);
    return rounds[n / 2];
}

#endif
