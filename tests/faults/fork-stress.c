/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fork() from one thread while others allocate, free and make
 * hypercalls on a shared handle and yet others open and close handles
 * of their own. Each child closes the handle it inherited (all the
 * header allows it) and must neither hang nor disturb the parent,
 * whose buffers must keep their contents. Run under TSan by the
 * hardening stage. Speaks TAP.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xencall.h>

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
    unsigned seed = (unsigned)(uintptr_t)arg, n = 0;
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

int main(void)
{
    pthread_t w[WORKERS], o[OPENERS];
    int i, hung = 0, failed = 0, status;
    struct timespec pause = { 0, 2 * 1000 * 1000 };

    setvbuf(stdout, NULL, _IOLBF, 0);
    shared = xencall_open(NULL, 0);
    if (!shared) {
        printf("not ok 1 - open: %s\n1..1\n", strerror(errno));
        return 1;
    }
    for (i = 0; i < WORKERS; i++)
        pthread_create(&w[i], NULL, worker, (void *)(uintptr_t)(i + 1));
    for (i = 0; i < OPENERS; i++)
        pthread_create(&o[i], NULL, opener, NULL);

    for (i = 0; i < FORKS; i++) {
        pid_t pid;

        nanosleep(&pause, NULL);
        pid = fork();
        if (pid == 0) {
            /* A hang here is a lock held by a thread the child does
             * not have: SIGALRM ends it and the parent counts it. */
            alarm(10);
            if (xencall_close(shared) != 0)
                _exit(1);
            /* exec reclaims what the parent's threads held at fork
             * (half-opened handles the child can never close), which
             * valgrind in the child would otherwise call leaks. */
            execl("/bin/true", "true", (char *)NULL);
            _exit(1);
        }
        if (pid < 0) {
            failed++;
            continue;
        }
        if (waitpid(pid, &status, 0) < 0)
            failed++;
        else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            hung++;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (i = 0; i < WORKERS; i++)
        pthread_join(w[i], NULL);
    for (i = 0; i < OPENERS; i++)
        pthread_join(o[i], NULL);

    printf("%s 1 - %d children closed their inherited handle (%d failed)\n",
           failed ? "not ok" : "ok", FORKS, failed);
    /* xencall_close() in a child must not take libxentoolcore's lock,
     * which an opening or closing parent thread may hold at fork(). */
    printf("%s 2 - no child hung (%d did)\n", hung ? "not ok" : "ok", hung);
    printf("%s 3 - parent's threads saw intact buffers and results "
           "(%d errors)\n", worker_errors ? "not ok" : "ok", worker_errors);
    i = xencall_close(shared);
    printf("%s 4 - parent closes; nothing left (%d fds, %zu bytes)\n",
           i == 0 && sim_os_open_handles() == 0 && sim_os_mapped_bytes() == 0
           ? "ok" : "not ok", sim_os_open_handles(), sim_os_mapped_bytes());
    printf("1..4\n");
    return failed || hung || worker_errors ? 1 : 0;
}
