/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Overrides src/generic/thread-slot.h (contract: src/backend.h).
 * Mini-OS has no thread-local storage (a real __thread read faults),
 * and needs none here: its threads are cooperative on one vCPU, so two
 * of them never run inside the cache at once. Every thread uses the
 * same slot (ticket 1), which also keeps a stub domain's cache to one
 * slot's budget.
 */
#ifndef XENCALL_MINIOS_THREAD_SLOT_H
#define XENCALL_MINIOS_THREAD_SLOT_H

static inline unsigned thread_slot_ticket_load(void)
{
    return 1;
}

static inline void thread_slot_ticket_store(unsigned ticket)
{
    (void)ticket;
}

#endif /* XENCALL_MINIOS_THREAD_SLOT_H */
