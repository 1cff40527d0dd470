/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Processes and threads a test runs: a function in a forked child,
 * whose exit code (or the signal that ended it) comes back as one
 * number, and N threads started and joined together. Plain C, no
 * cmocka: host test programs and dom0's checks both use it.
 */
#ifndef XENCALL_TEST_PROC_H
#define XENCALL_TEST_PROC_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

/* What proc_wait_child() gives for a child that a signal ended; a
 * child that overran its time limit ends by SIGALRM. */
#define PROC_KILLED_BY(sig) (256 + (sig))

/*
 * Forks; the child runs fn(arg) with `seconds` to live (0: no limit)
 * and exits with its low 8 bits, never returning into the test's own
 * exit handlers. Returns the child's pid, or -1 with errno.
 */
pid_t proc_start_child(int (*fn)(void *arg), void *arg, unsigned seconds);

/* Waits for the child: its exit code (0..255), PROC_KILLED_BY(signal),
 * or -1 with errno when there is no such child (for pid -1, errno is
 * still what made fork() fail). */
int proc_wait_child(pid_t pid);

/* Both: what became of fn(arg) run in a child. */
int proc_run_child(int (*fn)(void *arg), void *arg, unsigned seconds);

/*
 * Starts n threads, thread i running fn on the i-th element of args
 * (each `size` bytes; args NULL: every thread gets NULL). Returns 0, or
 * pthread_create()'s error once the threads already started have been
 * joined.
 */
int proc_start_threads(pthread_t *threads, int n, void *(*fn)(void *arg),
                       void *args, size_t size);

/* Joins n threads; 0, or the first pthread_join() error. */
int proc_join_threads(pthread_t *threads, int n);

/* Both, for up to PROC_MAX_THREADS threads. */
#define PROC_MAX_THREADS 256
int proc_run_threads(int n, void *(*fn)(void *arg), void *args, size_t size);

#endif
