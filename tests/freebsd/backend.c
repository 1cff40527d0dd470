/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What only the FreeBSD backend promises, run over the simulated
 * FreeBSD kernel (sim-freebsd.c): the ioctl ABI with retval, the
 * kernel's errno passed through untouched, MAP_FAILED handling, every
 * buffer locked and INHERIT_NONE, restriction and its fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <xentoolcore.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>   /* the FreeBSD shim in include/ */

#include "xencall.h"
#include "sim-freebsd.h"
#include "../contract/case.h"
#include "../sim/os.h"
#include "../sim/xen.h"

#define PAGE 4096UL

/*
 * FreeBSD's ioctl encoding (sys/ioccom.h): direction in the top bits
 * (IOC_IN 0x80000000, IOC_OUT 0x40000000), 13 bits of size, group,
 * number. Recomputed here so a wrong struct layout or typed-in number
 * in the shim header shows.
 */
#define FREEBSD_IOC(dir, group, num, len) \
    ((unsigned long)(dir) | (((unsigned long)(len) & 0x1fff) << 16) | \
     ((unsigned long)(group) << 8) | (unsigned long)(num))

static void freebsd_ioctl_abi(void **state)
{
    (void)state;
    /* { unsigned long op; unsigned long arg[5]; long retval; } */
    assert_int_equal(sizeof(struct ioctl_privcmd_hypercall), 7 * sizeof(long));
    assert_int_equal(offsetof(struct ioctl_privcmd_hypercall, retval), 6 * sizeof(long));
    assert_true(IOCTL_PRIVCMD_HYPERCALL ==
                FREEBSD_IOC(0xc0000000UL, 'E', 0, sizeof(struct ioctl_privcmd_hypercall)));
    if (sizeof(long) == 8)   /* the amd64 figure FreeBSD's kernel answers to */
        assert_true(IOCTL_PRIVCMD_HYPERCALL == 0xc0384500UL);
    assert_true(IOCTL_PRIVCMD_RESTRICT ==
                FREEBSD_IOC(0x80000000UL, 'E', 4, sizeof(domid_t)));
    assert_true(IOCTL_PRIVCMD_RESTRICT == 0x80024504UL);
}

static void freebsd_opens_privcmd_rdwr_cloexec(void **state)
{
    xencall_handle *h = open_logged(0);
    int flags = sim_freebsd_last_open_flags();

    (void)state;
    assert_int_equal(flags & O_ACCMODE, O_RDWR);
    assert_true(flags & O_CLOEXEC);
    assert_true(fcntl(xencall_fd(h), F_GETFD) & FD_CLOEXEC);
    xencall_close(h);
}

static void freebsd_result_comes_from_retval(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned long before = sim_freebsd_hypercall_ioctls();

    (void)state;
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 1234), 1234);
    /* A result wider than int, where long can hold one. */
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (uint64_t)LONG_MAX, 0),
                     LONG_MAX);
    assert_int_equal(sim_freebsd_hypercall_ioctls() - before, 2);
    xencall_close(h);
}

static void freebsd_kernel_errno_passes_untouched(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    sim_freebsd_set_native_errno(1);
    assert_int_equal(xencall0(h, 63), -1);
    assert_int_equal(errno, 78);   /* FreeBSD's ENOSYS, not Linux's 38 */
    assert_int_equal(xencall1(h, SIM_OP_RESULT, (uint64_t)-11), -1);
    assert_int_equal(errno, 35);   /* FreeBSD's EAGAIN */
    assert_int_equal(xencall1(h, SIM_OP_RESULT, (uint64_t)-110), -1);
    assert_int_equal(errno, 60);   /* FreeBSD's ETIMEDOUT */
    sim_freebsd_set_native_errno(0);
    xencall_close(h);
}

static void freebsd_every_buffer_locked_and_not_inherited(void **state)
{
    static const size_t sizes[] = { 0, 64, 4080, 4096, 3 * PAGE, 64 * PAGE,
                                    200 * PAGE };
    xencall_handle *h = open_logged(0);
    void *p[sizeof(sizes) / sizeof(sizes[0])], *pages;
    int locked, inherit_none;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        p[i] = xencall_alloc_buffer(h, sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal(sim_freebsd_mapping(p[i], &locked, &inherit_none), 0);
        assert_true(locked);
        assert_true(inherit_none);
    }
    pages = xencall_alloc_buffer_pages(h, 5);
    assert_int_equal(sim_freebsd_mapping(pages, &locked, &inherit_none), 0);
    assert_true(locked && inherit_none);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        xencall_free_buffer(h, p[i]);
    xencall_free_buffer_pages(h, pages, 5);
    xencall_close(h);
}

static void freebsd_map_failed_is_an_error(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    testlog_clear(&tlog);
    sim_os_fail_nth("mmap", 1, ENOMEM);
    errno = 0;
    assert_null(xencall_alloc_buffer_pages(h, 2));
    assert_int_equal(errno, ENOMEM);
    assert_true(tlog.errors > 0);
    assert_int_equal(tlog.last_errno, ENOMEM);
    assert_non_null(xencall_alloc_buffer(h, 64));   /* still usable */
    xencall_close(h);
}

static void freebsd_minherit_or_mlock_failure_unmaps(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    sim_os_fail_nth("minherit", 1, EINVAL);
    assert_null(xencall_alloc_buffer_pages(h, 1));
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sim_os_mapped_bytes(), 0);
    assert_true(strstr(tlog.last, "INHERIT_NONE") != NULL);

    sim_os_fail_nth("mlock", 1, EAGAIN);
    assert_null(xencall_alloc_buffer_pages(h, 1));
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(sim_os_mapped_bytes(), 0);
    xencall_close(h);
}

static void freebsd_child_does_not_inherit_buffers(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned char *p = xencall_alloc_buffer(h, 100);
    int status, locked, inherit_none;
    pid_t pid;

    (void)state;
    p[0] = 0x5a;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The simulated kernel unmapped INHERIT_NONE memory here. */
        int gone = sim_freebsd_mapping(p, &locked, &inherit_none) < 0;

        xencall_close(h);
        _exit(gone ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(p[0], 0x5a);
    assert_int_equal(xencall3(h, SIM_OP_FILL, (uintptr_t)p, 100, 1), 1);
    xencall_free_buffer(h, p);
    xencall_close(h);
}

static void freebsd_restrict_uses_the_ioctl(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(xentoolcore_restrict_all(7), 0);
    assert_int_equal(sim_freebsd_restrict_ioctls(), 1);
    assert_int_equal(sim_freebsd_last_restrict_domid(), 7);
    assert_true(sim_freebsd_is_privcmd(xencall_fd(h)));
    assert_int_equal(xencall0(h, 17), -1);
    assert_int_equal(errno, EPERM);
    xencall_close(h);
}

static void freebsd_restrict_falls_back_without_the_ioctl(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    sim_os_set_kernel_restrict(0);
    assert_int_equal(xentoolcore_restrict_all(7), 0);
    /* The descriptor no longer reaches privcmd at all. */
    assert_false(sim_freebsd_is_privcmd(xencall_fd(h)));
    assert_int_equal(xencall0(h, 17), -1);
    assert_int_equal(errno, EPERM);
    assert_non_null(xencall_alloc_buffer(h, 64));
    xencall_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(freebsd_ioctl_abi),
        cmocka_unit_test_setup_teardown(freebsd_opens_privcmd_rdwr_cloexec, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_result_comes_from_retval, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_kernel_errno_passes_untouched, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_every_buffer_locked_and_not_inherited, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_map_failed_is_an_error, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_minherit_or_mlock_failure_unmaps, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_child_does_not_inherit_buffers, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_restrict_uses_the_ioctl, case_setup, case_teardown),
        cmocka_unit_test_setup_teardown(freebsd_restrict_falls_back_without_the_ioctl, case_setup, case_teardown),
    };
    int rc;

    testlog_init(&tlog);
    rc = cmocka_run_group_tests_name("freebsd-backend", tests, NULL, NULL);
    testlog_fini(&tlog);
    return rc;
}
