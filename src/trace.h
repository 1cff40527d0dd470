/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Static trace points (USDT, <sys/sdt.h>), provider "xencall". Each is
 * a single nop with an ELF note (.note.stapsdt) telling a tracer where
 * it is and where its arguments live; perf, bpftrace, SystemTap or the
 * kernel's uprobe_events attach there without rebuilding anything.
 * configure defines XENCALL_TRACE_POINTS when sys/sdt.h is there and
 * --disable-trace-points was not given.
 *
 *   hypercall_start  op, arg1..arg5
 *   hypercall_end    op, result (long), errno (0 unless result < 0)
 *   buffer_alloc     block address, pages, 1 if the cache served it;
 *                    block 0: the OS refused the mapping (a second try
 *                    follows, with its own event, if any cache gave way)
 *   buffer_free      block address, pages
 *   buffer_unmap     block address, pages: a block goes back to the OS
 *                    (its slot's budget is full, it is too big to cache,
 *                    or a refused mapping made the caches give way)
 *   restrict         domid, result, errno
 *
 * A buffer probe gives the block: a small buffer (xencall_alloc_buffer)
 * starts 16 bytes after it, a page buffer is the block itself.
 *
 * The hypercall probes need errno, which costs a call to read, so they
 * sit on a path of their own taken only while a tracer is attached.
 * Both share one semaphore (the counter a tracer increments when it
 * attaches, named in the notes): the untraced call pays one load and
 * a branch.
 */
#ifndef XENCALL_TRACE_H
#define XENCALL_TRACE_H

#ifdef XENCALL_TRACE_POINTS

/* Every probe's note names its semaphore; trace.c defines them. */
#define _SDT_HAS_SEMAPHORES 1
/* Arguments in registers or constants, never memory, where the target
 * has the registers (configure decides): allowed memory, clang spills
 * values that already sit in registers to the stack just for the
 * note, on the untraced path too. */
#define STAP_SDT_ARG_CONSTRAINT XENCALL_SDT_ARG_CONSTRAINT
#include <sys/sdt.h>

/* Hidden: one rip-relative compare, no GOT load. */
#define TRACE_SEMAPHORE(name) xencall_##name##_semaphore
#define TRACE_SEMAPHORE_DECL(name) \
    extern unsigned short TRACE_SEMAPHORE(name) __attribute__((visibility("hidden")))
TRACE_SEMAPHORE_DECL(hypercall_start);
TRACE_SEMAPHORE_DECL(hypercall_end);
TRACE_SEMAPHORE_DECL(buffer_alloc);
TRACE_SEMAPHORE_DECL(buffer_free);
TRACE_SEMAPHORE_DECL(buffer_unmap);
TRACE_SEMAPHORE_DECL(restrict);

/* A plain read: the tracer's change need not be seen at once. */
#define TRACE_HYPERCALLS_WATCHED() \
    __builtin_expect(TRACE_SEMAPHORE(hypercall_start) != 0, 0)
#define TRACE_HYPERCALL_START(call) \
    STAP_PROBE6(xencall, hypercall_start, (call)->op, (call)->arg[0], \
                (call)->arg[1], (call)->arg[2], (call)->arg[3], (call)->arg[4])
#define TRACE_HYPERCALL_END(op, result, err) \
    STAP_PROBE3(xencall, hypercall_end, op, result, err)
#define TRACE_BUFFER_ALLOC(block, nr_pages, cached) \
    STAP_PROBE3(xencall, buffer_alloc, block, nr_pages, cached)
#define TRACE_BUFFER_FREE(block, nr_pages) \
    STAP_PROBE2(xencall, buffer_free, block, nr_pages)
#define TRACE_BUFFER_UNMAP(block, nr_pages) \
    STAP_PROBE2(xencall, buffer_unmap, block, nr_pages)
#define TRACE_RESTRICT(domid, result, err) \
    STAP_PROBE3(xencall, restrict, domid, result, err)

#else /* no trace points: the arguments are used, never evaluated */

#define TRACE_UNUSED(x) ((void)sizeof(x))
#define TRACE_HYPERCALLS_WATCHED() 0
#define TRACE_HYPERCALL_START(call) TRACE_UNUSED(call)
#define TRACE_HYPERCALL_END(op, result, err) \
    (TRACE_UNUSED(op), TRACE_UNUSED(result), TRACE_UNUSED(err))
#define TRACE_BUFFER_ALLOC(block, nr_pages, cached) \
    (TRACE_UNUSED(block), TRACE_UNUSED(nr_pages), TRACE_UNUSED(cached))
#define TRACE_BUFFER_FREE(block, nr_pages) (TRACE_UNUSED(block), TRACE_UNUSED(nr_pages))
#define TRACE_BUFFER_UNMAP(block, nr_pages) (TRACE_UNUSED(block), TRACE_UNUSED(nr_pages))
#define TRACE_RESTRICT(domid, result, err) \
    (TRACE_UNUSED(domid), TRACE_UNUSED(result), TRACE_UNUSED(err))

#endif

#endif /* XENCALL_TRACE_H */
