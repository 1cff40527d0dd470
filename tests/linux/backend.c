/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What only the Linux backend promises: which device nodes it opens
 * and when it falls back, how it maps buffers, one ioctl per call,
 * close-on-exec descriptors, how it restricts a handle, and that no fork
 * between a mapping and its don't-fork advice shares a buffer. Runs the
 * real backend over the simulated privcmd driver (tests/helpers/sim/linux.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <xen/errno.h>
#include <xentoolcore.h>

#include "xencall.h"
#include "../helpers/check.h"
#include "../helpers/sim/linux.h"
#include "../helpers/case.h"
#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

/* Also: no locked memory left behind. */
static int teardown(void **state)
{
    assert_int_equal(sim_linux_locked_bytes(), 0);
    return case_teardown(state);
}

static void privcmd_fallback_when_missing(void **state)
{
    static const int errs[] = { ENOENT, ENXIO, ENODEV };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        xencall_handle *h;

        sim_linux_set_open_error(SIM_NODE_PRIVCMD, errs[i]);
        h = open_logged(0);
        assert_int_equal(sim_linux_fd_node(xencall_fd(h)), SIM_NODE_PROC_PRIVCMD);
        assert_int_equal(xencall1(h, SIM_OP_RESULT, 12), 12);
        xencall_close(h);
    }
    /* Neither node: the first node's error is not what matters, the
     * open fails as Xen-less systems do. */
    sim_linux_set_open_error(SIM_NODE_PRIVCMD, ENOENT);
    sim_linux_set_proc_privcmd(0);
    assert_null_with(xencall_open(&case_log.vtable, 0), ENOENT);
    assert_int_equal(case_log.last_level, XTL_ERROR);
}

static void privcmd_no_fallback_when_denied(void **state)
{
    static const int errs[] = { EACCES, EPERM, EIO };
    size_t i;

    (void)state;
    /* Were the old node tried, its error (EBUSY) would show. */
    sim_linux_set_open_error(SIM_NODE_PROC_PRIVCMD, EBUSY);
    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        testlog_clear(&case_log);
        sim_linux_set_open_error(SIM_NODE_PRIVCMD, errs[i]);
        assert_null_with(xencall_open(&case_log.vtable, 0), errs[i]);
        assert_true(case_log.errors >= 1);
        assert_int_equal(case_log.last_errno, errs[i]);
    }
}

static void privcmd_preferred(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(sim_linux_fd_node(xencall_fd(h)), SIM_NODE_PRIVCMD);
    assert_int_equal(fcntl(xencall_fd(h), F_GETFL) & O_ACCMODE, O_RDWR);
    assert_int_equal(case_log.lines, 0);
    xencall_close(h);
}

static void buffer_device_failing(void **state)
{
    static const int errs[] = { ENOENT, EACCES, EIO };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        xencall_handle *h;
        void *small, *pages;
        int device = -1, flags;

        testlog_clear(&case_log);
        sim_linux_set_open_error(SIM_NODE_HYPERCALL, errs[i]);
        h = open_logged(0);
        /* Worth a debug line naming the reason, not an error. */
        assert_int_equal(case_log.errors, 0);
        assert_int_equal(case_log.debugs, 1);
        assert_int_equal(case_log.last_level, XTL_DEBUG);
        assert_int_equal(case_log.last_errno, errs[i]);
        assert_non_null(strstr(case_log.last, "/dev/xen/hypercall"));
        assert_non_null(strstr(case_log.last, strerror(errs[i])));
        assert_int_equal(xencall_buffers_never_fault(h), 0);

        small = xencall_alloc_buffer(h, 100);
        pages = xencall_alloc_buffer_pages(h, 3);
        assert_non_null(small);
        assert_non_null(pages);
        flags = sim_linux_mapping_flags(pages, &device);
        assert_int_equal(device, 0);
        assert_true(flags & MAP_PRIVATE);
        assert_true(flags & MAP_ANONYMOUS);
        assert_true(sim_linux_locked_bytes() >= 4 * PAGE);
        /* Reachable means locked and don't-fork in the simulation. */
        assert_int_equal(xencall3(h, SIM_OP_FILL, (uintptr_t)small, 100, 1), 0);
        assert_int_equal(xencall3(h, SIM_OP_FILL, (uintptr_t)pages, 3 * PAGE, 1), 0);
        xencall_free_buffer(h, small);
        xencall_free_buffer_pages(h, pages, 3);
        xencall_close(h);
        assert_int_equal(sim_linux_locked_bytes(), 0);
        sim_linux_set_open_error(SIM_NODE_HYPERCALL, 0);
    }
}

static void buffer_device_mappings_shared(void **state)
{
    xencall_handle *h = open_logged(0);
    void *small = xencall_alloc_buffer(h, 10);
    void *pages = xencall_alloc_buffer_pages(h, 5);
    int device = -1;

    (void)state;
    assert_non_null(small);
    assert_non_null(pages);
    assert_int_equal(xencall_buffers_never_fault(h), 1);
    assert_true(sim_linux_mapping_flags(small, &device) & MAP_SHARED);
    assert_int_equal(device, 1);
    device = -1;
    assert_true(sim_linux_mapping_flags(pages, &device) & MAP_SHARED);
    assert_int_equal(device, 1);
    assert_int_equal(sim_linux_locked_bytes(), 0);   /* nothing to lock */
    xencall_free_buffer(h, small);
    xencall_free_buffer_pages(h, pages, 5);
    xencall_close(h);
}

static void one_ioctl_per_call(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned long n = sim_linux_hypercall_ioctls(), calls = sim_xen_calls();

    (void)state;
    xencall0(h, SIM_OP_RESULT);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 1);
    xencall1(h, SIM_OP_RESULT, 1);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 2);
    xencall2(h, SIM_OP_RESULT, 1, 2);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 3);
    xencall3(h, SIM_OP_RESULT, 1, 2, 3);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 4);
    xencall4(h, SIM_OP_RESULT, 1, 2, 3, 4);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 5);
    xencall5(h, SIM_OP_RESULT, 1, 2, 3, 4, 5);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 6);
    xencall2L(h, SIM_OP_RESULT, 1, 2);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 7);
    /* Failures are not retried, nor are wide results. */
    xencall1(h, SIM_OP_RESULT, (uint64_t)-XEN_EAGAIN);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 8);
    xencall1(h, SIM_OP_RESULT, (uint64_t)1 << 40);
    assert_int_equal(sim_linux_hypercall_ioctls(), n + 9);
    assert_int_equal(sim_xen_calls(), calls + 9);
    xencall_close(h);
}

static void check_all_cloexec(int expect)
{
    int fds[16], n, i;

    n = sim_linux_fds_on(SIM_ANY_NODE, fds, 16);
    assert_int_equal(n, expect);
    for (i = 0; i < n; i++)
        assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
}

static void descriptors_close_on_exec(void **state)
{
    xencall_handle *h = open_logged(0), *h2;

    (void)state;
    check_all_cloexec(2);   /* privcmd and the buffer device */
    xencall_close(h);

    sim_linux_set_open_error(SIM_NODE_PRIVCMD, ENOENT);
    sim_linux_set_open_error(SIM_NODE_HYPERCALL, ENOENT);
    h = open_logged(0);
    check_all_cloexec(1);
    xencall_close(h);

    /* After restriction by descriptor replacement too. */
    sim_os_reset();
    sim_os_set_kernel_restrict(0);
    h = open_logged(0);
    h2 = open_logged(0);
    assert_int_equal(xentoolcore_restrict_all(3), 0);
    check_all_cloexec(4);
    xencall_close(h2);
    xencall_close(h);
}

static void each_handle_own_fd(void **state)
{
    xencall_handle *a = open_logged(0), *b = open_logged(0);

    (void)state;
    assert_int_not_equal(xencall_fd(a), xencall_fd(b));
    assert_int_equal(sim_linux_fd_node(xencall_fd(a)), SIM_NODE_PRIVCMD);
    assert_int_equal(sim_linux_fd_node(xencall_fd(b)), SIM_NODE_PRIVCMD);
    assert_int_equal(sim_os_open_handles(), 4);
    xencall_close(a);
    assert_int_equal(sim_os_open_handles(), 2);
    assert_int_equal(xencall1(b, SIM_OP_RESULT, 4), 4);
    xencall_close(b);
}

static void restrict_uses_kernel_ioctl(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned long r = sim_linux_restrict_ioctls();
    int fd = xencall_fd(h);

    (void)state;
    assert_int_equal(sim_linux_raw_hypercall(fd, 21), 21);
    assert_int_equal(xentoolcore_restrict_all(7), 0);
    assert_int_equal(sim_linux_restrict_ioctls(), r + 1);
    assert_true(sim_linux_fd_restricted(fd));
    assert_int_equal(xencall_fd(h), fd);
    /* The kernel itself now refuses the caller's own ioctls. */
    assert_fails_with(sim_linux_raw_hypercall(fd, 21), EPERM);
    assert_fails_with(xencall1(h, SIM_OP_RESULT, 1), EPERM);
    xencall_close(h);
}

static void restrict_fallback_disables_fd(void **state)
{
    xencall_handle *h;
    unsigned long n;
    int fd;

    (void)state;
    sim_os_set_kernel_restrict(0);
    h = open_logged(0);
    fd = xencall_fd(h);
    assert_int_equal(xentoolcore_restrict_all(7), 0);
    /* Still a descriptor, but no longer privcmd: ioctls on it fail
     * without reaching Xen. */
    assert_int_equal(xencall_fd(h), fd);
    assert_true(fcntl(fd, F_GETFD) >= 0);
    assert_int_equal(sim_linux_fd_node(fd), SIM_NODE_NULL);
    n = sim_linux_hypercall_ioctls();
    assert_fails_with(sim_linux_raw_hypercall(fd, 21), ENOTTY);
    assert_int_equal(sim_linux_hypercall_ioctls(), n);
    assert_fails_with(xencall1(h, SIM_OP_RESULT, 1), EPERM);
    xencall_close(h);
}

static void wide_result_not_truncated(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
#if LONG_MAX > INT_MAX
    /* glibc's ioctl() would give the low 32 bits: 5. */
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, ((uint64_t)1 << 33) + 5, 0),
                     ((long)1 << 33) + 5);
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)1 << 32, 0),
                     (long)1 << 32);
#endif
    /* LONG_MAX too: its low 32 bits would read as -1, an error. */
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)LONG_MAX, 0),
                     LONG_MAX);
    xencall_close(h);
}

static void mapping_failures(void **state)
{
    static const struct {
        const char *call;
        int device, err;
    } cases[] = {
        { "mmap", 1, ENOMEM }, { "madvise", 1, EINVAL },
        { "mmap", 0, ENOMEM }, { "madvise", 0, EINVAL }, { "mlock", 0, EAGAIN },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xencall_handle *h;
        void *p;

        sim_os_reset();
        sim_os_set_buffer_device(cases[i].device);
        h = open_logged(0);
        testlog_clear(&case_log);
        assert_int_equal(sim_os_fail_nth(cases[i].call, 1, cases[i].err), 0);
        assert_null_with(xencall_alloc_buffer(h, 100), cases[i].err);
        assert_true(case_log.errors >= 1);
        assert_int_equal(sim_os_mapped_bytes(), 0);
        assert_int_equal(sim_linux_locked_bytes(), 0);
        /* Only that one call failed. */
        p = xencall_alloc_buffer_pages(h, 2);
        assert_non_null(p);
        xencall_free_buffer_pages(h, p, 2);
        xencall_close(h);
    }
}

static void open_failures(void **state)
{
    xencall_handle *h;

    (void)state;
    /* The first open (privcmd) fails: nothing is left open. */
    assert_int_equal(sim_os_fail_nth("open", 1, EMFILE), 0);
    assert_null_with(xencall_open(&case_log.vtable, 0), EMFILE);
    assert_int_equal(sim_os_open_handles(), 0);
    /* The second (buffer device) fails: locked memory is used. */
    assert_int_equal(sim_os_fail_nth("open", 2, EMFILE), 0);
    h = open_logged(0);
    assert_int_equal(xencall_buffers_never_fault(h), 0);
    xencall_close(h);
    /* A failing ioctl is the call's error. */
    h = open_logged(0);
    assert_int_equal(sim_os_fail_nth("ioctl", 1, EIO), 0);
    assert_fails_with(xencall1(h, SIM_OP_RESULT, 1), EIO);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 1), 1);
    xencall_close(h);
    assert_int_equal(sim_os_fail_nth("minherit", 1, EIO), -1);
}

/*
 * The library's buffers are aligned to the kernel's page, which must
 * therefore be a multiple of Xen's 4 KiB. No Linux has a smaller page;
 * were there one, open refuses, saying why, rather than hand out
 * buffers Xen's pages do not line up with. (Larger pages: the whole
 * simulated suite runs again with 16 KiB ones, tests/pagesize.)
 */
static void kernel_page_smaller_than_xen_refused(void **state)
{
    (void)state;
    assert_int_equal(sim_linux_set_page_size(2048), 0);
    assert_int_equal(sysconf(_SC_PAGESIZE), 2048);
    assert_null_with(xencall_open(&case_log.vtable, 0), ENOTSUP);
    assert_int_equal(case_log.last_level, XTL_ERROR);
    assert_int_equal(case_log.last_errno, ENOTSUP);
    assert_int_equal(sim_os_open_handles(), 0);
}

/* ---- a fork between a buffer's mapping and its don't-fork advice -------- */

struct window {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int at_window, forked;
    xencall_handle *h;
    unsigned char *p;
};

/* In the allocating thread, just before the advice: wait for the other
 * thread's fork, half a second at most (a library that holds fork()
 * off until the advice is given makes the fork wait for us). */
static void wait_for_fork(void *p, size_t len, int advice, void *arg)
{
    struct window *w = arg;
    struct timespec until;

    (void)len;
    if (advice != MADV_DONTFORK)
        return;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 500 * 1000 * 1000;
    until.tv_sec += until.tv_nsec / 1000000000;
    until.tv_nsec %= 1000000000;
    pthread_mutex_lock(&w->lock);
    w->p = p;
    w->at_window = 1;
    pthread_cond_broadcast(&w->cond);
    while (!w->forked &&
           pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&w->lock);
}

static void *allocate(void *arg)
{
    struct window *w = arg;

    return xencall_alloc_buffer_pages(w->h, 2);
}

/* In the child: the parent's new buffer must not be there at all. */
static int child_writes_if_mapped(void *arg)
{
    struct window *w = arg;

    if (msync(w->p, PAGE, MS_ASYNC) < 0)
        return 0;
    w->p[0] = 0x77;   /* shared: the parent's hypercall argument */
    return 1;
}

/* GCC 12's ThreadSanitizer does not lock its allocator around fork():
 * a child forked while another thread is in malloc() (here: the
 * library recording the new block, right after the advice) may find
 * it corrupt and hang. LLVM 15's runtime, in GCC 13, locks it. */
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#define FORK_MEETS_MALLOC_UNSAFELY 1
#else
#define FORK_MEETS_MALLOC_UNSAFELY 0
#endif

static void fork_before_dontfork(void **state)
{
    struct window w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                        0, 0, open_logged(0), NULL };
    pthread_t t;
    void *buf = NULL;
    pid_t pid;
    int i, rc;

    (void)state;
    sim_linux_set_madvise_hook(wait_for_fork, &w);
    assert_int_equal(pthread_create(&t, NULL, allocate, &w), 0);
    pthread_mutex_lock(&w.lock);
    for (i = 0; i < 100 && !w.at_window; i++) {
        pthread_mutex_unlock(&w.lock);
        usleep(10000);
        pthread_mutex_lock(&w.lock);
    }
    pthread_mutex_unlock(&w.lock);
    pid = proc_start_child(child_writes_if_mapped, &w, 60);
    pthread_mutex_lock(&w.lock);
    w.forked = 1;
    pthread_cond_broadcast(&w.cond);
    pthread_mutex_unlock(&w.lock);
    rc = proc_wait_child(pid);
    pthread_join(t, &buf);
    sim_linux_set_madvise_hook(NULL, NULL);
    assert_true(w.at_window);
    assert_non_null(buf);
    assert_ptr_equal(buf, w.p);
    assert_int_equal(rc, 0);
    assert_int_equal(w.p[0], 0);
    xencall_free_buffer_pages(w.h, buf, 2);
    xencall_close(w.h);
}

/* The child of a page advised MADV_DONTFORK: 0 when the page is gone. */
static int child_sees_page(void *page)
{
    return msync(page, PAGE, MS_ASYNC) == 0;
}

/* Why fork_before_dontfork cannot run here, or NULL. It needs what
 * Linux does with MADV_DONTFORK, tried on a page of our own: QEMU's
 * user-mode emulator (stage 15's emulated i386 run) accepts the advice
 * and ignores it, so there every child has every page. */
static const char *dontfork_unusable(void)
{
    void *page;
    int child;

    if (FORK_MEETS_MALLOC_UNSAFELY)
        return "this build's ThreadSanitizer cannot fork while another "
               "thread allocates (GCC < 13)";
    page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return NULL;   /* let the case itself fail on the machine */
    child = madvise(page, PAGE, MADV_DONTFORK) == 0 ?
            proc_run_child(child_sees_page, page, CHILD_SECONDS) : 0;
    munmap(page, PAGE);
    return child == 1 ? "a forked child still has a page advised MADV_DONTFORK "
                        "here (QEMU's user-mode emulator ignores the advice)"
                      : NULL;
}

static void not_run(void **state)
{
    (void)state;
}

/* CASE(), and no memory left locked after it. */
#define BACKEND_CASE(f) cmocka_unit_test_setup_teardown(f, case_setup, teardown)

int main(void)
{
    static char skip_name[256];
    const char *why = dontfork_unusable();
    size_t i;
    struct CMUnitTest tests[] = {
        BACKEND_CASE(privcmd_preferred),
        BACKEND_CASE(privcmd_fallback_when_missing),
        BACKEND_CASE(privcmd_no_fallback_when_denied),
        BACKEND_CASE(buffer_device_failing),
        BACKEND_CASE(buffer_device_mappings_shared),
        BACKEND_CASE(one_ioctl_per_call),
        BACKEND_CASE(descriptors_close_on_exec),
        BACKEND_CASE(each_handle_own_fd),
        BACKEND_CASE(restrict_uses_kernel_ioctl),
        BACKEND_CASE(restrict_fallback_disables_fd),
        BACKEND_CASE(wide_result_not_truncated),
        BACKEND_CASE(mapping_failures),
        BACKEND_CASE(open_failures),
        BACKEND_CASE(kernel_page_smaller_than_xen_refused),
        BACKEND_CASE(fork_before_dontfork),
    };

    /* A case the machine cannot run keeps its place with TAP's SKIP
     * directive and the reason: cmocka 1.1.5's skip() prints "not ok". */
    for (i = 0; why && i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (tests[i].test_func != fork_before_dontfork)
            continue;
        snprintf(skip_name, sizeof(skip_name), "%s # SKIP %s", tests[i].name, why);
        tests[i].name = skip_name;
        tests[i].test_func = not_run;
    }
    return case_run_group("linux-backend", tests);
}
