/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's one lock, for the cache slots and the block registry.
 *
 * Taking it is one atomic exchange when it is free, which is nearly
 * always: it guards a few loads and stores. A waiter spins a bounded
 * while, then sleeps with growing pauses. Spinning alone can livelock:
 * a real-time thread spinning on a lock whose holder it preempted on
 * the same CPU never lets that holder run again. Sleeping needs only
 * nanosleep(), which every supported OS has (Mini-OS has no pthread
 * spinlocks nor pthread_mutex_destroy); and there is no init that can
 * fail nor anything to destroy: all-zero is unlocked.
 */
#ifndef XENCALL_LOCK_H
#define XENCALL_LOCK_H

struct xencall_lock {
    unsigned char held;
};

/* The contended path: spin, then sleep until the lock is ours. */
__attribute__((__cold__)) void xencall_lock_wait(struct xencall_lock *l);

static inline void xencall_lock_take(struct xencall_lock *l)
{
    if (__builtin_expect(__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE), 0))
        xencall_lock_wait(l);
}

static inline void xencall_lock_release(struct xencall_lock *l)
{
    __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

#endif /* XENCALL_LOCK_H */
