/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xentoolcore_restrict_all() in a loop while other threads open and
 * close handles (half of them with a NULL logger, so the library's own
 * logger is destroyed by close). A closing handle must be either
 * restricted or gone for restrict_all(), which therefore never fails,
 * never crashes, and restricts a long-lived handle opened first (the
 * one libxentoolcore reaches last). The sanitizer stage runs it under
 * TSan too. A cmocka group: its setup runs the stress once, the
 * threads reporting by counts read after joining them, and each case
 * checks one outcome.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <xencall.h>
#include <xentoolcore.h>

#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"

#define OPENERS 2
#define CYCLES 3000   /* open/close per opener */

static int openers_done;
static int open_failures;

static void *opener(void *arg)
{
    unsigned i;

    (void)arg;
    for (i = 0; i < CYCLES; i++) {
        xencall_handle *h = xencall_open(NULL, 0);

        if (!h) {
            __atomic_add_fetch(&open_failures, 1, __ATOMIC_RELAXED);
            continue;
        }
        /* Either answer is right: restricted or not yet. */
        xencall1(h, SIM_OP_RESULT, i);
        xencall_close(h);
    }
    __atomic_add_fetch(&openers_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* What the stress run saw, for the cases to check. */
static struct {
    unsigned long calls, failed;   /* of xentoolcore_restrict_all() */
    int first_errno;
    int lived_rc, lived_errno;     /* the long-lived handle's hypercall */
    int fds_left;
    size_t bytes_left;
} seen;

static int stress(void **state)
{
    xencall_handle *lived = xencall_open(NULL, 0);
    pthread_t t[OPENERS];

    (void)state;
    if (!lived) {
        print_error("open: %s\n", strerror(errno));
        return -1;
    }
    if (proc_start_threads(t, OPENERS, opener, NULL, 0)) {
        print_error("cannot start the threads\n");
        return -1;
    }
    do {
        seen.calls++;
        if (xentoolcore_restrict_all(1) != 0 && !seen.failed++)
            seen.first_errno = errno;
    } while (__atomic_load_n(&openers_done, __ATOMIC_ACQUIRE) < OPENERS);
    proc_join_threads(t, OPENERS);
    errno = 0;
    seen.lived_rc = xencall1(lived, SIM_OP_RESULT, 5);
    seen.lived_errno = errno;
    xencall_close(lived);
    seen.fds_left = sim_os_open_handles();
    seen.bytes_left = sim_os_mapped_bytes();
    return 0;
}

static void restrict_all_never_fails(void **state)
{
    (void)state;
    if (seen.failed)
        print_error("%lu of %lu calls failed, the first with errno %d\n",
                    seen.failed, seen.calls, seen.first_errno);
    assert_int_equal(seen.failed, 0);
}

static void long_lived_handle_restricted(void **state)
{
    (void)state;
    assert_int_equal(seen.lived_rc, -1);
    assert_int_equal(seen.lived_errno, EPERM);
}

static void every_open_succeeded(void **state)
{
    (void)state;
    assert_int_equal(open_failures, 0);
}

static void nothing_left_open(void **state)
{
    (void)state;
    assert_int_equal(seen.fds_left, 0);
    assert_int_equal(seen.bytes_left, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(restrict_all_never_fails),
        cmocka_unit_test(long_lived_handle_restricted),
        cmocka_unit_test(every_open_succeeded),
        cmocka_unit_test(nothing_left_open),
    };

    return cmocka_run_group_tests_name("restrict-stress", tests, stress, NULL);
}
