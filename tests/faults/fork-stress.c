/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fork() from one thread while others allocate, free and make
 * hypercalls on a shared handle and yet others open and close handles
 * of their own. Each child closes the handle it inherited (all the
 * header allows it) and must neither hang nor disturb the parent,
 * whose buffers must keep their contents. Run under TSan by the
 * hardening stage. A cmocka group: its setup runs the stress once (the
 * children report by exit status, the threads by counts read after
 * joining them), and each case checks one outcome.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <xencall.h>

#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"

#define WORKERS 3
#define OPENERS 2
#define FORKS 60

static xencall_handle *shared;
static int stop;
static int worker_errors;

static void *worker(void *arg)
{
    unsigned seed = *(unsigned *)arg, n = 0;
    unsigned char *held[6] = { NULL };
    size_t len[6] = { 0 };
    unsigned char tag[6] = { 0 };

    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        unsigned k = (seed = seed * 1103515245 + 12345) >> 16, j = k % 6;
        size_t i;

        if (held[j]) {
            for (i = 0; i < len[j]; i++)
                if (held[j][i] != tag[j])
                    __atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
            if (j & 1)
                xencall_free_buffer_pages(shared, held[j], len[j] / 4096);
            else
                xencall_free_buffer(shared, held[j]);
            held[j] = NULL;
        } else if (k & 8) {
            len[j] = j & 1 ? 4096 * (1 + k % 4) : 1 + k % 10000;
            held[j] = j & 1 ? xencall_alloc_buffer_pages(shared, len[j] / 4096)
                            : xencall_alloc_buffer(shared, len[j]);
            if (!held[j]) {
                __atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
                continue;
            }
            tag[j] = (unsigned char)(++n | 1);
            memset(held[j], tag[j], len[j]);
        } else if (xencall1(shared, SIM_OP_RESULT, k) != (int)k) {
            __atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
        }
    }
    for (seed = 0; seed < 6; seed++) {
        if (held[seed] && (seed & 1))
            xencall_free_buffer_pages(shared, held[seed], len[seed] / 4096);
        else if (held[seed])
            xencall_free_buffer(shared, held[seed]);
    }
    return NULL;
}

static void *opener(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        xencall_handle *h = xencall_open(NULL, 0);
        void *b;

        if (!h) {
            __atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
            continue;
        }
        b = xencall_alloc_buffer(h, 100);
        xencall_free_buffer(h, b);
        xencall_close(h);
    }
    return NULL;
}

/* What the stress run saw, for the cases to check. */
static struct {
    int failed;         /* children that did not exit 0 */
    int hung;           /* children ended by their alarm */
    int close_rc;       /* the parent's close of the shared handle */
    int fds_left;
    size_t bytes_left;
} seen;

/* In a child: close the inherited handle. A hang here is a lock held
 * by a thread the child does not have; the time limit ends it. */
static int close_inherited(void *arg)
{
    (void)arg;
    if (xencall_close(shared) != 0)
        return 1;
    /* exec reclaims what the parent's threads held at fork (half-opened
     * handles the child can never close), which valgrind in the child
     * would otherwise call leaks. */
    execl("/bin/true", "true", (char *)NULL);
    return 1;
}

static int stress(void **state)
{
    pthread_t w[WORKERS], o[OPENERS];
    struct timespec pause = { 0, 2 * 1000 * 1000 };
    unsigned seeds[WORKERS];
    int i, code;

    (void)state;
    for (i = 0; i < WORKERS; i++)
        seeds[i] = (unsigned)i + 1;
    shared = xencall_open(NULL, 0);
    if (!shared) {
        print_error("open: %s\n", strerror(errno));
        return -1;
    }
    if (proc_start_threads(w, WORKERS, worker, seeds, sizeof(seeds[0])) ||
        proc_start_threads(o, OPENERS, opener, NULL, 0)) {
        print_error("cannot start the threads\n");
        return -1;
    }
    for (i = 0; i < FORKS; i++) {
        nanosleep(&pause, NULL);
        code = proc_run_child(close_inherited, NULL, 10);
        if (code == PROC_KILLED_BY(SIGALRM))
            seen.hung++;
        else if (code != 0)
            seen.failed++;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    proc_join_threads(w, WORKERS);
    proc_join_threads(o, OPENERS);
    seen.close_rc = xencall_close(shared);
    seen.fds_left = sim_os_open_handles();
    seen.bytes_left = sim_os_mapped_bytes();
    return 0;
}

static void children_closed_inherited_handle(void **state)
{
    (void)state;
    assert_int_equal(seen.failed, 0);
}

/* xencall_close() in a child must not take libxentoolcore's lock,
 * which an opening or closing parent thread may hold at fork(). */
static void no_child_hung(void **state)
{
    (void)state;
    assert_int_equal(seen.hung, 0);
}

static void threads_saw_intact_buffers(void **state)
{
    (void)state;
    assert_int_equal(worker_errors, 0);
}

static void parent_closes_nothing_left(void **state)
{
    (void)state;
    assert_int_equal(seen.close_rc, 0);
    assert_int_equal(seen.fds_left, 0);
    assert_int_equal(seen.bytes_left, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(children_closed_inherited_handle),
        cmocka_unit_test(no_child_hung),
        cmocka_unit_test(threads_saw_intact_buffers),
        cmocka_unit_test(parent_closes_nothing_left),
    };

    return cmocka_run_group_tests_name("fork-stress", tests, stress, NULL);
}
