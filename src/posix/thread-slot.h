/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the POSIX kernels' backends (src/linux, src/freebsd) keep the
 * calling thread's cache-slot ticket (see thread-slot.h in a backend's
 * folder for the contract): a thread-local variable.
 */
#ifndef XENCALL_POSIX_THREAD_SLOT_H
#define XENCALL_POSIX_THREAD_SLOT_H

/* initial-exec: a plain load instead of a __tls_get_addr call on
 * every allocation; four bytes fit glibc's reserve for dlopen(). */
static __thread unsigned thread_slot_ticket
    __attribute__((__tls_model__("initial-exec")));

static inline unsigned thread_slot_ticket_load(void)
{
    return thread_slot_ticket;
}

static inline void thread_slot_ticket_store(unsigned ticket)
{
    thread_slot_ticket = ticket;
}

#endif /* XENCALL_POSIX_THREAD_SLOT_H */
