/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default thread-slot.h (src/backend.h has the contract): the
 * calling thread's cache-slot ticket in a thread-local variable. A
 * backend whose OS has no thread-local storage overrides this file
 * with one of the same name in its folder (src/minios/ does).
 *
 * Initial-exec is one load from the thread pointer, and a C library
 * whose loader keeps static TLS room for dlopen()ed libraries takes it
 * even then: glibc's surplus, and FreeBSD's rtld reserve (its
 * backend's flags define THREAD_SLOT_INITIAL_EXEC). musl refuses to
 * dlopen() such a library, so elsewhere the variable keeps the PIC
 * default, which configure makes TLS descriptors where the compiler has
 * them (-mtls-dialect=gnu2: an indirect call of a few instructions
 * rather than a __tls_get_addr call).
 */
#ifndef XENCALL_THREAD_SLOT_H
#define XENCALL_THREAD_SLOT_H

#include <limits.h>   /* defines __GLIBC__ on glibc */

#if defined(__GLIBC__) || defined(THREAD_SLOT_INITIAL_EXEC)
static __thread unsigned thread_slot_ticket
    __attribute__((__tls_model__("initial-exec")));
#else
static __thread unsigned thread_slot_ticket;
#endif

static inline unsigned thread_slot_ticket_load(void)
{
    return thread_slot_ticket;
}

static inline void thread_slot_ticket_store(unsigned ticket)
{
    thread_slot_ticket = ticket;
}

#endif /* XENCALL_THREAD_SLOT_H */
