/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Control of the fault-injection wrappers (inject.c) that stand
 * between the library and the (simulated) OS in the hardening tests.
 */
#ifndef XENCALL_TEST_FI_H
#define XENCALL_TEST_FI_H

#include <stddef.h>

/* One per function the library imports that can fail (fi-calls.h). */
enum fi_call {
#define FI_CALL(id, name) FI_##id,
#define FI_WRAP_ONLY(name)
#include "fi-calls.h"
#undef FI_CALL
#undef FI_WRAP_ONLY
    FI_NR_CALLS
};

/* Each one's name as the library imports it (nm -D). */
extern const char *const fi_call_name[FI_NR_CALLS];

/* Forget every count and armed fault. */
void fi_reset(void);

/*
 * Make the nth (1-based) call of c from now fail with err; with
 * persist, that call and every later one fail. n = 0 disarms c.
 */
void fi_arm(enum fi_call c, unsigned long n, int err, int persist);
void fi_disarm_all(void);

/* Calls of c since fi_reset(), and how many of them were failed. */
unsigned long fi_count(enum fi_call c);
unsigned long fi_failed(enum fi_call c);

/* Allocations the library holds now (malloc/calloc minus free). */
long fi_live_allocations(void);

/* Bytes the library has mapped and not unmapped. */
long fi_mapped_bytes(void);

/* Hostile limits: really mlock() too, so RLIMIT_MEMLOCK applies; and
 * refuse mappings above bytes with err (0 bytes: no limit), as a
 * buffer device short of memory would. */
void fi_set_real_mlock(int on);
void fi_set_mmap_limit(size_t bytes, int err);

/* pthread_atfork(), which the library calls until it succeeds once in
 * a process: make its next call fail with err (0: none), and count
 * its calls. Not among fi_call's: no walk scenario reaches it twice. */
void fi_fail_next_atfork(int err);
unsigned long fi_atfork_calls(void);

/* The length of the library's last mmap() call, made or refused. */
size_t fi_last_mmap_len(void);

#endif
