/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Restriction on Linux: the simulated privcmd's model of it (kept per
 * open file description, shared through dup() and fork(), as the
 * kernel's driver does), a close that a test holds at its worst point
 * while another thread runs xentoolcore_restrict_all(), a forked child
 * restricting the handle it inherited, and what stays usable after
 * restriction. Runs the real backend over tests/helpers/sim/linux.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>
#include <xentoolcore.h>

#include "xencall.h"
#include "../helpers/check.h"
#include "../helpers/sim/linux.h"
#include "../helpers/case.h"
#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

static int raw_restrict(int fd, uint16_t domid)
{
    return ioctl(fd, SIM_IOCTL_PRIVCMD_RESTRICT, &domid);
}

/* ---- the simulation's model ---------------------------------------------- */

static void sim_restriction_follows_open_file(void **state)
{
    int fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    int other = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    int copy = open("/dev/null", O_RDONLY);

    (void)state;
    assert_true(fd >= 0 && other >= 0 && copy >= 0);
    assert_int_equal(dup2(fd, copy), copy);
    assert_int_equal(raw_restrict(copy, 5), 0);
    /* The open file is restricted, whichever descriptor asked. */
    assert_true(sim_linux_fd_restricted(fd));
    assert_true(sim_linux_fd_restricted(copy));
    assert_fails_with(sim_linux_raw_hypercall(fd, 3), EPERM);
    /* Another open of the node is another open file. */
    assert_false(sim_linux_fd_restricted(other));
    assert_int_equal(sim_linux_raw_hypercall(other, 3), 3);
    /* Once set, only the same domain is accepted again. */
    assert_int_equal(raw_restrict(fd, 5), 0);
    assert_fails_with(raw_restrict(fd, 6), EINVAL);
    /* The record outlives one of the descriptors sharing it. */
    assert_int_equal(close(fd), 0);
    assert_true(sim_linux_fd_restricted(copy));
    assert_int_equal(close(copy), 0);
    assert_int_equal(close(other), 0);
    assert_int_equal(sim_os_open_handles(), 0);
}

static int child_restricts_fd(void *arg)
{
    int fd = *(int *)arg;

    return raw_restrict(fd, 9) == 0 && sim_linux_fd_restricted(fd) ? 0 : 1;
}

/* The privcmd descriptor, and a pipe whose byte says "now call". */
struct fd_and_go {
    int fd, go[2];
};

static int child_calls_when_told(void *arg)
{
    struct fd_and_go *fg = arg;
    char c;

    close(fg->go[1]);
    return read(fg->go[0], &c, 1) == 1 && sim_linux_raw_hypercall(fg->fd, 3) == -1 &&
           errno == EPERM ? 0 : 1;
}

static void sim_restriction_shared_across_fork(void **state)
{
    int fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    struct fd_and_go fg;
    pid_t pid;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(proc_run_child(child_restricts_fd, &fd, CHILD_SECONDS), 0);
    /* The child's ioctl restricted the parent's descriptor too. */
    assert_true(sim_linux_fd_restricted(fd));
    assert_fails_with(sim_linux_raw_hypercall(fd, 3), EPERM);

    /* And the other way: a running child sees what its parent did. */
    assert_int_equal(close(fd), 0);
    fg.fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    assert_true(fg.fd >= 0);
    assert_int_equal(pipe(fg.go), 0);
    pid = proc_start_child(child_calls_when_told, &fg, CHILD_SECONDS);
    close(fg.go[0]);
    assert_int_equal(raw_restrict(fg.fd, 9), 0);
    assert_int_equal(write(fg.go[1], "", 1), 1);
    close(fg.go[1]);
    assert_int_equal(proc_wait_child(pid), 0);
    assert_int_equal(close(fg.fd), 0);
}

/* ---- a close held at its worst point -------------------------------------- */

/*
 * A thread running job(h), held inside the simulated kernel at a chosen
 * point (the first open or close, as opened says, of a descriptor of
 * node, or of fd when fd >= 0) until the test lets it go on.
 */
struct hold {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int fd, node, opened;
    int held, released, done;
    xencall_handle *h;
    int (*job)(xencall_handle *h);
    int result;
    pthread_t thread;
};

static void hold_here(int fd, int node, int opened, void *arg)
{
    struct hold *hd = arg;

    pthread_mutex_lock(&hd->lock);
    if (!hd->held && opened == hd->opened &&
        (hd->fd >= 0 ? fd == hd->fd : node == hd->node)) {
        hd->held = 1;
        pthread_cond_broadcast(&hd->cond);
        while (!hd->released)
            pthread_cond_wait(&hd->cond, &hd->lock);
    }
    pthread_mutex_unlock(&hd->lock);
}

static void *held_thread(void *arg)
{
    struct hold *hd = arg;
    int result = hd->job(hd->h);

    pthread_mutex_lock(&hd->lock);
    hd->result = result;
    hd->done = 1;
    pthread_cond_broadcast(&hd->cond);
    pthread_mutex_unlock(&hd->lock);
    return NULL;
}

static int close_job(xencall_handle *h)
{
    return xencall_close(h);
}

static int restrict_job(xencall_handle *h)
{
    (void)h;
    return xentoolcore_restrict_all(4);
}

/* Starts job(h) in a thread; returns once it is held, or -1 if the job
 * never reached the point (then finish_held() must still be called). */
static int start_held(struct hold *hd, int (*job)(xencall_handle *h),
                      xencall_handle *h, int fd, int node, int opened)
{
    memset(hd, 0, sizeof(*hd));
    pthread_mutex_init(&hd->lock, NULL);
    pthread_cond_init(&hd->cond, NULL);
    hd->job = job;
    hd->h = h;
    hd->fd = fd;
    hd->node = node;
    hd->opened = opened;
    sim_linux_set_fd_hook(hold_here, hd);
    if (proc_start_threads(&hd->thread, 1, held_thread, hd, 0))
        abort();   /* nothing to test without the thread */
    pthread_mutex_lock(&hd->lock);
    while (!hd->held && !hd->done)
        pthread_cond_wait(&hd->cond, &hd->lock);
    pthread_mutex_unlock(&hd->lock);
    return hd->held ? 0 : -1;
}

/* Lets the held thread go on; returns what its job returned. */
static int finish_held(struct hold *hd)
{
    pthread_mutex_lock(&hd->lock);
    hd->released = 1;
    pthread_cond_broadcast(&hd->cond);
    pthread_mutex_unlock(&hd->lock);
    proc_join_threads(&hd->thread, 1);
    sim_linux_set_fd_hook(NULL, NULL);
    pthread_cond_destroy(&hd->cond);
    pthread_mutex_destroy(&hd->lock);
    return hd->result;
}

/*
 * A long-lived handle, then one whose close is held right after its
 * privcmd descriptor is gone (registered after the long-lived one, so
 * libxentoolcore, which stops at the first failing callback, reaches
 * it first). restrict_all() must succeed and restrict the long-lived
 * one. With closing_logger NULL, the closing handle's own logger is
 * the one a half-closed callback would use.
 */
static void restrict_during_close(struct xentoollog_logger *closing_logger)
{
    xencall_handle *lived = open_logged(0), *closing;
    unsigned long errors;
    struct hold hd;
    int held, rc;

    closing = xencall_open(closing_logger, 0);
    assert_non_null(closing);
    assert_int_equal(xencall1(lived, SIM_OP_RESULT, 2), 2);
    errors = case_log.errors;
    held = start_held(&hd, close_job, closing, xencall_fd(closing),
                      SIM_NODE_PRIVCMD, 0);
    rc = xentoolcore_restrict_all(4);
    assert_int_equal(finish_held(&hd), 0);
    assert_int_equal(held, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(case_log.errors, errors);

    assert_fails_with(xencall1(lived, SIM_OP_RESULT, 2), EPERM);
    assert_true(sim_linux_fd_restricted(xencall_fd(lived)));
    xencall_close(lived);
    assert_int_equal(sim_os_open_handles(), 0);
}

static void close_held_while_restricting(void **state)
{
    (void)state;
    restrict_during_close(&case_log.vtable);
}

static void close_held_while_restricting_null_logger(void **state)
{
    (void)state;
    restrict_during_close(NULL);
}

/*
 * The same in a forked child, where close cannot take libxentoolcore's
 * lock, both ways round: restrict_all() while the close of the
 * inherited handle is held, and close while the handle's restrict
 * callback is held (below). Exit codes say what failed.
 */
static int child_restricts_during_close(void *arg)
{
    xencall_handle *inherited = arg, *own = xencall_open(NULL, 0);
    struct hold hd;
    int held, rc;

    if (!own)
        return 10;
    held = start_held(&hd, close_job, inherited, xencall_fd(inherited),
                      SIM_NODE_PRIVCMD, 0);
    rc = xentoolcore_restrict_all(4);
    if (finish_held(&hd) != 0 || held != 0)
        return 11;
    if (rc != 0)
        return 12;
    if (xencall1(own, SIM_OP_RESULT, 2) != -1 || errno != EPERM)
        return 13;
    /* Once closed, later restrictions pass over it too. */
    if (xentoolcore_restrict_all(4) != 0)
        return 14;
    xencall_close(own);
    return sim_os_open_handles() == 0 ? 0 : 15;
}

/*
 * The caller's logger, which xencall_close(3) lets the caller destroy
 * once close has returned: a use after that is counted.
 */
struct watched_logger {
    struct xentoollog_logger vtable;
    int closed;                  /* set once close has returned */
    int used_after_close, lines;
};

static void watched_vmessage(struct xentoollog_logger *logger,
                             xentoollog_level level, int errnoval,
                             const char *context, const char *format,
                             va_list al)
{
    struct watched_logger *w = (struct watched_logger *)logger;

    (void)level, (void)errnoval, (void)context, (void)format, (void)al;
    __atomic_add_fetch(&w->lines, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&w->closed, __ATOMIC_ACQUIRE))
        __atomic_add_fetch(&w->used_after_close, 1, __ATOMIC_RELAXED);
}

static struct watched_logger watched = {
    .vtable = { .vmessage = watched_vmessage },
};

static int close_done;

/* Closes the handle, then does what the caller may then do: destroy
 * (here: retire) the handle's logger. */
static void *closer(void *arg)
{
    xencall_close(arg);
    __atomic_store_n(&watched.closed, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&close_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/*
 * A thread's restrict callback, failing to restrict (dup2 onto the
 * descriptor fails), is held at its open of /dev/null while another
 * thread closes the handle. Nothing may log through the handle's
 * logger once close has returned: close waits for the callback (given
 * half a second before the callback is let go, it must not return).
 */
static int child_closes_during_restrict(void *arg)
{
    xencall_handle *h = arg;
    pthread_t closing;
    struct hold hd;
    int held, i, rc;

    if (sim_os_fail_nth("dup2", 1, EBUSY) < 0)
        return 25;
    held = start_held(&hd, restrict_job, NULL, -1, SIM_NODE_NULL, 1);
    if (proc_start_threads(&closing, 1, closer, h, 0))
        return 26;
    for (i = 0; i < 500 && !__atomic_load_n(&close_done, __ATOMIC_ACQUIRE); i++)
        usleep(1000);
    /* Let the callback go, and the close after it, before the hold
     * (which the close's own descriptors still pass) is undone. */
    pthread_mutex_lock(&hd.lock);
    hd.released = 1;
    pthread_cond_broadcast(&hd.cond);
    pthread_mutex_unlock(&hd.lock);
    proc_join_threads(&closing, 1);
    rc = finish_held(&hd);
    if (held != 0)
        return 20;
    if (rc != -1)
        return 22;   /* the callback's failure is restrict_all()'s */
    if (watched.used_after_close)
        return 21;
    if (!watched.lines)
        return 27;   /* the failure was logged, before close returned */
    if (sim_os_open_handles() != 0)
        return 23;
    return xentoolcore_restrict_all(4) == 0 ? 0 : 24;
}

static void child_close_and_restrict_meet(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(proc_run_child(child_restricts_during_close, h, CHILD_SECONDS), 0);
    xencall_close(h);
    h = xencall_open(&watched.vtable, 0);
    assert_non_null(h);
    assert_int_equal(proc_run_child(child_closes_during_restrict, h, CHILD_SECONDS), 0);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 6), 6);
    xencall_close(h);
}

/* ---- a forked child restricts ------------------------------------------- */

/* In the child: restricted there, by its own descriptor only. */
static int child_restricts(void *arg)
{
    xencall_handle *inherited = arg;
    int fd = xencall_fd(inherited);

    if (xentoolcore_restrict_all(8) != 0)
        return 10;
    if (xencall1(inherited, SIM_OP_RESULT, 1) != -1 || errno != EPERM)
        return 11;
    /* Nothing reaches privcmd through the child's descriptor now. */
    if (sim_linux_fd_node(fd) != SIM_NODE_NULL || sim_linux_raw_hypercall(fd, 1) != -1)
        return 12;
    return xencall_close(inherited) == 0 && sim_os_open_handles() == 0 ? 0 : 13;
}

static void child_restriction_leaves_parent(void **state)
{
    xencall_handle *h = open_logged(0);
    int fd = xencall_fd(h);

    (void)state;
    assert_int_equal(proc_run_child(child_restricts, h, CHILD_SECONDS), 0);
    assert_false(sim_linux_fd_restricted(fd));
    assert_int_equal(sim_linux_fd_node(fd), SIM_NODE_PRIVCMD);
    assert_int_equal(sim_linux_raw_hypercall(fd, 31), 31);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 32), 32);
    /* The parent's own restriction still uses the kernel's. */
    assert_int_equal(xentoolcore_restrict_all(8), 0);
    assert_true(sim_linux_fd_restricted(fd));
    xencall_close(h);
}

/* ---- after restriction ---------------------------------------------------- */

/* The buffer device stays open and in use: buffers are not what
 * restriction protects, and hypercall arguments still need them. */
static void buffer_device_kept_after_restriction(void **state)
{
    xencall_handle *h = open_logged(0);
    int fds[4], from_device = 0;
    void *p;

    (void)state;
    assert_int_equal(xentoolcore_restrict_all(2), 0);
    assert_int_equal(sim_linux_fds_on(SIM_NODE_HYPERCALL, fds, 4), 1);
    assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
    p = xencall_alloc_buffer_pages(h, 3);
    assert_non_null(p);
    assert_true(sim_linux_mapping_flags(p, &from_device) >= 0);
    assert_true(from_device);
    xencall_free_buffer_pages(h, p, 3);
    xencall_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(sim_restriction_follows_open_file),
        CASE(sim_restriction_shared_across_fork),
        CASE(close_held_while_restricting),
        CASE(close_held_while_restricting_null_logger),
        CASE(child_close_and_restrict_meet),
        CASE(child_restriction_leaves_parent),
        CASE(buffer_device_kept_after_restriction),
    };

    return case_run_group("linux-restrict", tests);
}
