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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <xentoolcore.h>

#include "xencall.h"
#include "../helpers/sim/linux.h"
#include "../helpers/case.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"

/* What the simulated driver is asked, as libxenctrl would ask it. */
static long raw_hypercall(int fd, uint64_t value)
{
    uint64_t hc[6] = { SIM_OP_RESULT, value, 0, 0, 0, 0 };

    return syscall(SYS_ioctl, fd, SIM_IOCTL_PRIVCMD_HYPERCALL, hc);
}

static int raw_restrict(int fd, uint16_t domid)
{
    return ioctl(fd, SIM_IOCTL_PRIVCMD_RESTRICT, &domid);
}

/* Waits for a child and gives its exit code, -1 if it did not exit. */
static int child_status(pid_t pid)
{
    int status;

    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
    errno = 0;
    assert_int_equal(raw_hypercall(fd, 3), -1);
    assert_int_equal(errno, EPERM);
    /* Another open of the node is another open file. */
    assert_false(sim_linux_fd_restricted(other));
    assert_int_equal(raw_hypercall(other, 3), 3);
    /* Once set, only the same domain is accepted again. */
    assert_int_equal(raw_restrict(fd, 5), 0);
    errno = 0;
    assert_int_equal(raw_restrict(fd, 6), -1);
    assert_int_equal(errno, EINVAL);
    /* The record outlives one of the descriptors sharing it. */
    assert_int_equal(close(fd), 0);
    assert_true(sim_linux_fd_restricted(copy));
    assert_int_equal(close(copy), 0);
    assert_int_equal(close(other), 0);
    assert_int_equal(sim_os_open_handles(), 0);
}

static void sim_restriction_shared_across_fork(void **state)
{
    int fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC), go[2];
    pid_t pid;

    (void)state;
    assert_true(fd >= 0);
    pid = fork();
    if (pid == 0)
        _exit(raw_restrict(fd, 9) == 0 && sim_linux_fd_restricted(fd) ? 0 : 1);
    assert_int_equal(child_status(pid), 0);
    /* The child's ioctl restricted the parent's descriptor too. */
    assert_true(sim_linux_fd_restricted(fd));
    errno = 0;
    assert_int_equal(raw_hypercall(fd, 3), -1);
    assert_int_equal(errno, EPERM);

    /* And the other way: a running child sees what its parent did. */
    assert_int_equal(close(fd), 0);
    fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(pipe(go), 0);
    pid = fork();
    if (pid == 0) {
        char c;

        close(go[1]);
        _exit(read(go[0], &c, 1) == 1 && raw_hypercall(fd, 3) == -1 &&
              errno == EPERM ? 0 : 1);
    }
    close(go[0]);
    assert_int_equal(raw_restrict(fd, 9), 0);
    assert_int_equal(write(go[1], "", 1), 1);
    close(go[1]);
    assert_int_equal(child_status(pid), 0);
    assert_int_equal(close(fd), 0);
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
    if (pthread_create(&hd->thread, NULL, held_thread, hd))
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
    pthread_join(hd->thread, NULL);
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
    errors = tlog.errors;
    held = start_held(&hd, close_job, closing, xencall_fd(closing),
                      SIM_NODE_PRIVCMD, 0);
    rc = xentoolcore_restrict_all(4);
    assert_int_equal(finish_held(&hd), 0);
    assert_int_equal(held, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(tlog.errors, errors);

    errno = 0;
    assert_int_equal(xencall1(lived, SIM_OP_RESULT, 2), -1);
    assert_int_equal(errno, EPERM);
    assert_true(sim_linux_fd_restricted(xencall_fd(lived)));
    xencall_close(lived);
    assert_int_equal(sim_os_open_handles(), 0);
}

static void close_held_while_restricting(void **state)
{
    (void)state;
    restrict_during_close(&tlog.vtable);
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
 * callback is held (at its open of /dev/null). Exit codes say what
 * failed.
 */
static int child_restricts_during_close(xencall_handle *inherited)
{
    xencall_handle *own = xencall_open(NULL, 0);
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

static int child_closes_during_restrict(xencall_handle *inherited)
{
    struct hold hd;
    int held;

    /* Held where the callback points the descriptor at /dev/null. */
    held = start_held(&hd, restrict_job, NULL, -1, SIM_NODE_NULL, 1);
    /* Returns at once: the callback releases what it still uses. */
    if (xencall_close(inherited) != 0)
        return 21;
    if (finish_held(&hd) != 0)
        return 22;
    if (held != 0)
        return 20;
    if (sim_os_open_handles() != 0)
        return 23;
    return xentoolcore_restrict_all(4) == 0 ? 0 : 24;
}

static void child_close_and_restrict_meet(void **state)
{
    xencall_handle *h = open_logged(0);
    pid_t pid;

    (void)state;
    pid = fork();
    if (pid == 0)
        _exit(child_restricts_during_close(h));
    assert_int_equal(child_status(pid), 0);
    pid = fork();
    if (pid == 0)
        _exit(child_closes_during_restrict(h));
    assert_int_equal(child_status(pid), 0);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 6), 6);
    xencall_close(h);
}

/* ---- a forked child restricts ------------------------------------------- */

/* In the child: restricted there, by its own descriptor only. */
static int child_restricts(xencall_handle *inherited)
{
    int fd = xencall_fd(inherited);

    if (xentoolcore_restrict_all(8) != 0)
        return 10;
    if (xencall1(inherited, SIM_OP_RESULT, 1) != -1 || errno != EPERM)
        return 11;
    /* Nothing reaches privcmd through the child's descriptor now. */
    if (sim_linux_fd_node(fd) != SIM_NODE_NULL || raw_hypercall(fd, 1) != -1)
        return 12;
    return xencall_close(inherited) == 0 && sim_os_open_handles() == 0 ? 0 : 13;
}

static void child_restriction_leaves_parent(void **state)
{
    xencall_handle *h = open_logged(0);
    int fd = xencall_fd(h);
    pid_t pid;

    (void)state;
    pid = fork();
    if (pid == 0)
        _exit(child_restricts(h));
    assert_int_equal(child_status(pid), 0);
    assert_false(sim_linux_fd_restricted(fd));
    assert_int_equal(sim_linux_fd_node(fd), SIM_NODE_PRIVCMD);
    assert_int_equal(raw_hypercall(fd, 31), 31);
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
    int fds[4], n = 0, fd, from_device = 0;
    void *p;

    (void)state;
    assert_int_equal(xentoolcore_restrict_all(2), 0);
    for (fd = 0; fd < 4096 && n < 4; fd++)
        if (sim_linux_fd_node(fd) == SIM_NODE_HYPERCALL)
            fds[n++] = fd;
    assert_int_equal(n, 1);
    assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
    p = xencall_alloc_buffer_pages(h, 3);
    assert_non_null(p);
    assert_true(sim_linux_mapping_flags(p, &from_device) >= 0);
    assert_true(from_device);
    xencall_free_buffer_pages(h, p, 3);
    xencall_close(h);
}

#define T(f) cmocka_unit_test_setup_teardown(f, case_setup, case_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(sim_restriction_follows_open_file),
        T(sim_restriction_shared_across_fork),
        T(close_held_while_restricting),
        T(close_held_while_restricting_null_logger),
        T(child_close_and_restrict_meet),
        T(child_restriction_leaves_parent),
        T(buffer_device_kept_after_restriction),
    };
    int rc;

    testlog_init(&tlog);
    rc = cmocka_run_group_tests_name("linux-restrict", tests, NULL, NULL);
    testlog_fini(&tlog);
    return rc;
}
