/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The contended path of the core's lock (lock.h). */
#include <time.h>

#include "lock.h"

/* A few microseconds of polling: far longer than any critical
 * section lasts while its holder runs. */
#define SPIN_POLLS 1000
/* Pauses double from the first to the last, then stay there. */
#define FIRST_PAUSE_NS 1000L
#define LONGEST_PAUSE_NS 1000000L

static int try_take(struct xencall_lock *l)
{
    /* Poll with plain loads, so a waiter does not keep stealing the
     * holder's cache line. */
    return !__atomic_load_n(&l->held, __ATOMIC_RELAXED) &&
           !__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE);
}

void xencall_lock_wait(struct xencall_lock *l)
{
    struct timespec pause = { 0, FIRST_PAUSE_NS };
    int polls;

    for (polls = 0; polls < SPIN_POLLS; polls++)
        if (try_take(l))
            return;
    /* The holder is not running: most likely we, or a thread of higher
     * priority, preempted it on its CPU. Give it the CPU. An
     * interrupted sleep (EINTR) only makes this pause shorter. */
    while (!try_take(l)) {
        nanosleep(&pause, NULL);
        if (pause.tv_nsec < LONGEST_PAUSE_NS)
            pause.tv_nsec *= 2;
    }
}
