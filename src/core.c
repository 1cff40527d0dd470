/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handle: open, close, hypercalls, restriction. OS-independent;
 * everything OS-specific goes through backend.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "trace.h"

#define KNOWN_OPEN_FLAGS XENCALL_OPENFLAG_NON_REENTRANT

/*
 * In the process that opened a handle, libxentoolcore runs restrict
 * callbacks under the lock that deregistering takes, which orders a
 * callback and a close. A forked child cannot take that lock (see
 * xencall_close()), so there h->child_state does it: CHILD_CLOSED once
 * the child closed the handle, else the xencall_os_process() of a
 * process whose thread is inside restrict_handle(), else 0. A close
 * waits for a thread of its own process in there, as the callback may
 * still log through the caller's logger; not for a value a fork copied
 * from an ancestor, where no thread of this process will clear it.
 */
#define CHILD_CLOSED ULONG_MAX

/* Whoever shares our pid: xencall_os_process() tells the opener. */
int handle_inherited(const struct xencall_handle *h)
{
    return xencall_os_process() != h->owner_process;
}

/* The last of the handle that a restrict callback uses. */
static void release_os_and_log(struct xencall_handle *h)
{
    xencall_os_close(h->os);
    xtl_logger_destroy(h->own_log);
}

static int restrict_os(struct xencall_handle *h, uint16_t domid, int in_child)
{
    int result;

    /* Fail closed: even if the OS cannot restrict the descriptor, the
     * handle refuses hypercalls from now on (EPERM). */
    __atomic_store_n(&h->restricted, 1, __ATOMIC_RELEASE);
    result = xencall_os_restrict(h->os, domid, in_child);
    TRACE_RESTRICT(domid, result, result < 0 ? errno : 0);
    if (result < 0) {
        LOG_ERROR(h, errno, "cannot restrict handle to domain %u",
                  (unsigned)domid);
        return -1;
    }
    return 0;
}

static int restrict_handle(struct toolcore_active_handle *ah, uint16_t domid)
{
    struct xencall_handle *h = (struct xencall_handle *)
        ((char *)ah - offsetof(struct xencall_handle, toolcore));
    unsigned long self = xencall_os_process(), state;
    int rc;

    if (self == h->owner_process)
        return restrict_os(h, domid, 0);
    state = __atomic_load_n(&h->child_state, __ATOMIC_ACQUIRE);
    do {
        if (state == CHILD_CLOSED)
            return 0;   /* gone in this process: nothing to restrict */
    } while (!__atomic_compare_exchange_n(&h->child_state, &state, self, 0,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    rc = restrict_os(h, domid, 1);
    /* A close waiting for us may now release the handle. */
    __atomic_store_n(&h->child_state, 0, __ATOMIC_RELEASE);
    return rc;
}

xencall_handle *xencall_open(struct xentoollog_logger *logger,
                             unsigned open_flags)
{
    struct xentoollog_logger *own_log = NULL;
    struct xencall_handle *h;
    void *mem;
    int err;

    if (!logger) {
        own_log = (struct xentoollog_logger *)
            xtl_createlogger_stdiostream(stderr, XTL_PROGRESS, 0);
        if (!own_log)
            return NULL;   /* errno from the logger's allocation */
        logger = own_log;
    }
    if (open_flags & ~KNOWN_OPEN_FLAGS) {
        err = EINVAL;
        xtl_log(logger, XTL_ERROR, err, "xencall",
                "unknown open flags %#x", open_flags & ~KNOWN_OPEN_FLAGS);
        goto fail_log;
    }
    /* malloc() only aligns to 16 bytes: without aligning by hand the
     * cache slots, written by different threads, could share cache
     * lines with each other and with the fields every call reads.
     * (posix_memalign is not in every C library: newlib lacks it.) */
    mem = malloc(sizeof(*h) + __alignof__(*h) - 1);
    if (!mem) {
        err = ENOMEM;
        xtl_log(logger, XTL_ERROR, err, "xencall", "cannot allocate handle");
        goto fail_log;
    }
    h = memset((void *)(((uintptr_t)mem + __alignof__(*h) - 1) &
                        ~(uintptr_t)(__alignof__(*h) - 1)), 0, sizeof(*h));
    h->allocation = mem;
    h->log = logger;
    h->own_log = own_log;
    h->no_locks = !!(open_flags & XENCALL_OPENFLAG_NON_REENTRANT);
    /* Before buffers_init() makes the handle visible to other threads'
     * cache releases, which read it (handle_inherited()). A fork
     * between this and the backend's open leaves the child a handle
     * no thread of it will finish opening. */
    h->owner_process = xencall_os_process();

    if (buffers_init(h) < 0) {
        err = errno;
        LOG_ERROR(h, err, "cannot set up the buffer cache");
        goto fail_handle;
    }
    h->os = xencall_os_open(logger);
    if (!h->os) {
        err = errno;   /* the backend has logged why */
        goto fail_buffers;
    }
    h->toolcore.restrict_callback = restrict_handle;
    xentoolcore__register_active_handle(&h->toolcore);
    return h;

fail_buffers:
    buffers_destroy(h, 0);
fail_handle:
    free(h->allocation);
fail_log:
    xtl_logger_destroy(own_log);
    errno = err;
    return NULL;
}

/* Until no thread of this process is inside restrict_handle(), mark
 * the handle closed. Sleeping, not spinning: the callback's thread may
 * have a lower priority than ours. */
static void mark_closed_in_child(struct xencall_handle *h)
{
    unsigned long self = xencall_os_process(), state;
    struct timespec pause = { 0, 100000L };

    state = __atomic_load_n(&h->child_state, __ATOMIC_ACQUIRE);
    do {
        while (state == self) {
            nanosleep(&pause, NULL);
            state = __atomic_load_n(&h->child_state, __ATOMIC_ACQUIRE);
        }
    } while (!__atomic_compare_exchange_n(&h->child_state, &state,
                                          CHILD_CLOSED, 0, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
}

/*
 * In a forked child, libxentoolcore's lock may have been held by a
 * parent thread that the child does not have, so deregistering could
 * hang forever. The handle's memory stays registered (a few KiB,
 * reclaimed by exec or exit) so the child's copy of the registry never
 * points at freed memory; its callback returns 0 from now on.
 */
static void close_in_child(struct xencall_handle *h)
{
    mark_closed_in_child(h);
    buffers_destroy(h, 1);
    release_os_and_log(h);
}

int xencall_close(xencall_handle *h)
{
    if (!h)
        return 0;
    if (handle_inherited(h)) {
        close_in_child(h);
        return 0;
    }
    /* First, so that no restrict callback runs on h once this returns:
     * restrict_all() sees the handle whole or not at all. */
    xentoolcore__deregister_active_handle(&h->toolcore);
    buffers_log_statistics(h);   /* not in a child: its counts are its parent's */
    buffers_destroy(h, 0);
    release_os_and_log(h);
    free(h->allocation);
    return 0;
}

static long checked_hypercall(xencall_handle *h, const struct xencall_call *call)
{
    if (__atomic_load_n(&h->restricted, __ATOMIC_ACQUIRE)) {
        errno = EPERM;
        return -1;
    }
    return xencall_os_hypercall(h->os, call);
}

/* Out of line: only taken while a tracer watches (see trace.h). */
static __attribute__((noinline, cold)) long
traced_hypercall(xencall_handle *h, const struct xencall_call *call)
{
    long result;

    TRACE_HYPERCALL_START(call);
    result = checked_hypercall(h, call);
    TRACE_HYPERCALL_END(call->op, result, result < 0 ? errno : 0);
    return result;
}

/* Forced inline: with the traced path beside it GCC would call it,
 * adding instructions to every untraced hypercall. */
static inline __attribute__((always_inline)) long
hypercall(xencall_handle *h, unsigned int op, uint64_t a1, uint64_t a2,
          uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct xencall_call call = { op, { a1, a2, a3, a4, a5 } };

    if (TRACE_HYPERCALLS_WATCHED())
        return traced_hypercall(h, &call);
    return checked_hypercall(h, &call);
}

/* The int-returning calls refuse to truncate a wide result. */
static int narrow(long result)
{
    if ((unsigned long)result <= INT_MAX)
        return (int)result;
    if (result != -1)
        errno = EOVERFLOW;
    return -1;
}

int xencall0(xencall_handle *h, unsigned int op)
{
    return narrow(hypercall(h, op, 0, 0, 0, 0, 0));
}

int xencall1(xencall_handle *h, unsigned int op, uint64_t arg1)
{
    return narrow(hypercall(h, op, arg1, 0, 0, 0, 0));
}

int xencall2(xencall_handle *h, unsigned int op, uint64_t arg1, uint64_t arg2)
{
    return narrow(hypercall(h, op, arg1, arg2, 0, 0, 0));
}

int xencall3(xencall_handle *h, unsigned int op, uint64_t arg1, uint64_t arg2,
             uint64_t arg3)
{
    return narrow(hypercall(h, op, arg1, arg2, arg3, 0, 0));
}

int xencall4(xencall_handle *h, unsigned int op, uint64_t arg1, uint64_t arg2,
             uint64_t arg3, uint64_t arg4)
{
    return narrow(hypercall(h, op, arg1, arg2, arg3, arg4, 0));
}

int xencall5(xencall_handle *h, unsigned int op, uint64_t arg1, uint64_t arg2,
             uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
    return narrow(hypercall(h, op, arg1, arg2, arg3, arg4, arg5));
}

long xencall2L(xencall_handle *h, unsigned int op, uint64_t arg1,
               uint64_t arg2)
{
    return hypercall(h, op, arg1, arg2, 0, 0, 0);
}

int xencall_buffers_never_fault(xencall_handle *h)
{
    return xencall_os_buffers_never_fault(h->os);
}

int xencall_fd(xencall_handle *h)
{
    return xencall_os_fd(h->os);
}
