/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the POSIX kernels' backends (src/linux, src/freebsd) keep the
 * calling thread's cache-slot ticket (see thread-slot.h in a backend's
 * folder for the contract): a thread-local variable.
 *
 * Its TLS model is the backend's choice (THREAD_SLOT_INITIAL_EXEC):
 * initial-exec is one load from the thread pointer, and a C library
 * whose loader keeps static TLS room for dlopen()ed libraries (glibc's
 * surplus, FreeBSD's rtld reserve) takes it even then. musl refuses to
 * dlopen() such a library, so elsewhere the variable keeps the PIC
 * default, which configure makes TLS descriptors where the compiler has
 * them (-mtls-dialect=gnu2: an indirect call of a few instructions
 * rather than a __tls_get_addr call).
 */
#ifndef XENCALL_POSIX_THREAD_SLOT_H
#define XENCALL_POSIX_THREAD_SLOT_H

#if THREAD_SLOT_INITIAL_EXEC
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

#endif /* XENCALL_POSIX_THREAD_SLOT_H */
