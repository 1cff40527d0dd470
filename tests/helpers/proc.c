/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

pid_t proc_start_child(int (*fn)(void *arg), void *arg, unsigned seconds)
{
    pid_t pid = fork();

    if (pid == 0) {
        /* A child stuck in the library must not hang the test: its
         * default SIGALRM ends it, and the parent sees which signal. */
        alarm(seconds);
        _exit(fn(arg) & 0xff);
    }
    return pid;
}

int proc_wait_child(pid_t pid)
{
    int status;

    if (pid < 0)
        return -1;   /* errno: why fork() failed */
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(status))
        return PROC_KILLED_BY(WTERMSIG(status));
    return WEXITSTATUS(status);
}

int proc_run_child(int (*fn)(void *arg), void *arg, unsigned seconds)
{
    return proc_wait_child(proc_start_child(fn, arg, seconds));
}

int proc_start_threads(pthread_t *threads, int n, void *(*fn)(void *arg),
                       void *args, size_t size)
{
    int i, err;

    for (i = 0; i < n; i++) {
        err = pthread_create(&threads[i], NULL, fn,
                             args ? (char *)args + (size_t)i * size : NULL);
        if (err) {
            proc_join_threads(threads, i);
            return err;
        }
    }
    return 0;
}

int proc_join_threads(pthread_t *threads, int n)
{
    int i, err, first = 0;

    for (i = 0; i < n; i++) {
        err = pthread_join(threads[i], NULL);
        if (err && !first)
            first = err;
    }
    return first;
}

int proc_run_threads(int n, void *(*fn)(void *arg), void *args, size_t size)
{
    pthread_t threads[PROC_MAX_THREADS];
    int err;

    if (n < 0 || n > PROC_MAX_THREADS)
        return EINVAL;
    err = proc_start_threads(threads, n, fn, args, size);
    return err ? err : proc_join_threads(threads, n);
}
