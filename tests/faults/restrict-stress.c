/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xentoolcore_restrict_all() in a loop while other threads open and
 * close handles (half of them with a NULL logger, so the library's own
 * logger is destroyed by close). A closing handle must be either
 * restricted or gone for restrict_all(), which therefore never fails,
 * never crashes, and restricts a long-lived handle opened first (the
 * one libxentoolcore reaches last). The sanitizer stage runs it under
 * TSan too. Speaks TAP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xencall.h>
#include <xentoolcore.h>

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

int main(void)
{
    pthread_t t[OPENERS];
    unsigned long calls = 0, failed = 0;
    xencall_handle *lived;
    int i, first_errno = 0, rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    lived = xencall_open(NULL, 0);
    if (!lived) {
        printf("not ok 1 - open: %s\n1..1\n", strerror(errno));
        return 1;
    }
    for (i = 0; i < OPENERS; i++)
        pthread_create(&t[i], NULL, opener, NULL);
    do {
        calls++;
        if (xentoolcore_restrict_all(1) != 0) {
            if (!failed++)
                first_errno = errno;
        }
    } while (__atomic_load_n(&openers_done, __ATOMIC_ACQUIRE) < OPENERS);
    for (i = 0; i < OPENERS; i++)
        pthread_join(t[i], NULL);

    printf("%s 1 - restrict_all beside %d x %d opens and closes: "
           "%lu of %lu calls failed (first errno %d)\n",
           failed ? "not ok" : "ok", OPENERS, CYCLES, failed, calls,
           first_errno);
    errno = 0;
    rc = xencall1(lived, SIM_OP_RESULT, 5);
    printf("%s 2 - the long-lived handle is restricted (%d, errno %d)\n",
           rc == -1 && errno == EPERM ? "ok" : "not ok", rc, errno);
    printf("%s 3 - every open succeeded (%d failed)\n",
           open_failures ? "not ok" : "ok", open_failures);
    xencall_close(lived);
    printf("%s 4 - nothing left open (%d fds, %zu bytes)\n",
           sim_os_open_handles() == 0 && sim_os_mapped_bytes() == 0
           ? "ok" : "not ok", sim_os_open_handles(), sim_os_mapped_bytes());
    printf("1..4\n");
    return failed || rc != -1 || open_failures || sim_os_open_handles() ? 1 : 0;
}
