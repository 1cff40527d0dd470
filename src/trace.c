/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The trace points' semaphores: counters a tracer raises while it is
 * attached, found through the probes' notes. Hidden, so they stay out
 * of the ABI.
 */
#include "trace.h"

#ifdef XENCALL_TRACE_POINTS
#define SEMAPHORE_ATTRS __attribute__((section(".probes")))

unsigned short TRACE_SEMAPHORE(hypercall_start) SEMAPHORE_ATTRS;
/* One counter for both hypercall probes: see trace.h. */
extern unsigned short TRACE_SEMAPHORE(hypercall_end) SEMAPHORE_ATTRS
    __attribute__((alias("xencall_hypercall_start_semaphore")));
unsigned short TRACE_SEMAPHORE(buffer_alloc) SEMAPHORE_ATTRS;
unsigned short TRACE_SEMAPHORE(buffer_free) SEMAPHORE_ATTRS;
unsigned short TRACE_SEMAPHORE(buffer_unmap) SEMAPHORE_ATTRS;
unsigned short TRACE_SEMAPHORE(restrict) SEMAPHORE_ATTRS;
#endif
