/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Restriction on Linux: the simulated privcmd's model of it (kept per
 * open file description, shared through dup() and fork(), as the
 * kernel's driver does), a close that a test holds at its worst point
 * while another thread runs xentoolcore_restrict_all(), a forked child
 * restricting the handle it inherited, and what stays usable after
 * restriction. Runs the real backend over sim-privcmd.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <xentoolcore.h>

#include "xencall.h"
#include "sim-privcmd.h"
#include "../contract/case.h"
#include "../sim/os.h"
#include "../sim/xen.h"

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
 * The hook holds the close of one privcmd descriptor right after the
 * descriptor is gone, until the test lets it go on.
 */
struct held_close {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int fd;               /* the descriptor whose close is held */
    int held, released;
    xencall_handle *h;    /* closed by the closing thread */
};

static void hold_close(int fd, void *arg)
{
    struct held_close *hc = arg;

    pthread_mutex_lock(&hc->lock);
    if (fd == hc->fd && !hc->held) {
        hc->held = 1;
        pthread_cond_broadcast(&hc->cond);
        while (!hc->released)
            pthread_cond_wait(&hc->cond, &hc->lock);
    }
    pthread_mutex_unlock(&hc->lock);
}

static void *closing_thread(void *arg)
{
    struct held_close *hc = arg;

    xencall_close(hc->h);
    return NULL;
}

static void held_close_init(struct held_close *hc, xencall_handle *h)
{
    memset(hc, 0, sizeof(*hc));
    pthread_mutex_init(&hc->lock, NULL);
    pthread_cond_init(&hc->cond, NULL);
    hc->h = h;
    hc->fd = xencall_fd(h);
    sim_linux_set_privcmd_close_hook(hold_close, hc);
}

/* Starts closing hc->h in a thread and returns once the close is held. */
static void start_held_close(struct held_close *hc, pthread_t *t)
{
    assert_int_equal(pthread_create(t, NULL, closing_thread, hc), 0);
    pthread_mutex_lock(&hc->lock);
    while (!hc->held)
        pthread_cond_wait(&hc->cond, &hc->lock);
    pthread_mutex_unlock(&hc->lock);
}

static void finish_held_close(struct held_close *hc, pthread_t t)
{
    pthread_mutex_lock(&hc->lock);
    hc->released = 1;
    pthread_cond_broadcast(&hc->cond);
    pthread_mutex_unlock(&hc->lock);
    assert_int_equal(pthread_join(t, NULL), 0);
    sim_linux_set_privcmd_close_hook(NULL, NULL);
    pthread_cond_destroy(&hc->cond);
    pthread_mutex_destroy(&hc->lock);
}

/*
 * A long-lived handle, then one being closed (registered after it, so
 * libxentoolcore, which stops at the first failing callback, reaches
 * the closing one first). restrict_all() must succeed and restrict the
 * long-lived one. With closing_logger NULL, the closing handle's own
 * logger is the one a half-closed callback would use.
 */
static void restrict_during_close(struct xentoollog_logger *closing_logger)
{
    xencall_handle *lived = open_logged(0), *closing;
    struct held_close hc;
    unsigned long errors;
    pthread_t t;
    int rc;

    closing = xencall_open(closing_logger, 0);
    assert_non_null(closing);
    assert_int_equal(xencall1(lived, SIM_OP_RESULT, 2), 2);
    held_close_init(&hc, closing);
    errors = tlog.errors;
    start_held_close(&hc, &t);
    rc = xentoolcore_restrict_all(4);
    finish_held_close(&hc, t);
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

/* The same in a forked child, where close cannot take libxentoolcore's
 * lock: a handle closed there is gone for restrict_all(). */
static int child_restricts_during_close(xencall_handle *inherited)
{
    xencall_handle *own = xencall_open(NULL, 0);
    struct held_close hc;
    pthread_t t;
    int rc;

    if (!own)
        return 10;
    held_close_init(&hc, inherited);
    if (pthread_create(&t, NULL, closing_thread, &hc))
        return 11;
    pthread_mutex_lock(&hc.lock);
    while (!hc.held)
        pthread_cond_wait(&hc.cond, &hc.lock);
    pthread_mutex_unlock(&hc.lock);
    rc = xentoolcore_restrict_all(4);
    pthread_mutex_lock(&hc.lock);
    hc.released = 1;
    pthread_cond_broadcast(&hc.cond);
    pthread_mutex_unlock(&hc.lock);
    pthread_join(t, NULL);
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

static void child_close_held_while_restricting(void **state)
{
    xencall_handle *h = open_logged(0);
    pid_t pid;

    (void)state;
    pid = fork();
    if (pid == 0)
        _exit(child_restricts_during_close(h));
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
        T(child_close_held_while_restricting),
        T(child_restriction_leaves_parent),
        T(buffer_device_kept_after_restriction),
    };
    int rc;

    testlog_init(&tlog);
    rc = cmocka_run_group_tests_name("linux-restrict", tests, NULL, NULL);
    testlog_fini(&tlog);
    return rc;
}
