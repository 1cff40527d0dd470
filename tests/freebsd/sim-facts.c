/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated FreeBSD kernel (tests/helpers/sim/freebsd.c) held to FreeBSD's own
 * sources, one test per fact, each naming the file and function it
 * follows. Requests go straight to the simulated device, as a program
 * without this library would make them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <xen/errno.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>   /* the FreeBSD shim in include/ */

#include "../helpers/check.h"
#include "../helpers/proc.h"
#include "../helpers/sim/freebsd.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

#define DUP_FD 900
/* Wider than an int where xen_ulong_t is (amd64). */
#define WIDE ((xen_ulong_t)(sizeof(xen_ulong_t) > 4 ? ((uint64_t)1 << 40) + 7 : 0x80000007u))

static int open_privcmd(void)
{
    int fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);

    assert_true(fd >= 0);
    return fd;
}

/* One hypercall request; *retval is what the kernel left there. */
static int hypercall(int fd, uint64_t op, uint64_t arg0, uint64_t arg1, long *retval)
{
    struct ioctl_privcmd_hypercall hc = { .op = op, .arg = { arg0, arg1 }, .retval = 99 };
    int rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &hc);

    *retval = hc.retval;
    return rc;
}

/* What a raw Xen result comes back as: the ioctl's answer and errno. */
static void expect(int fd, uint64_t raw, int rc, long retval, int err)
{
    long got;

    errno = 0;
    assert_int_equal(hypercall(fd, SIM_OP_RESULT, raw, 0, &got), rc);
    assert_int_equal(got, retval);
    if (rc < 0)
        assert_int_equal(errno, err);
}

static int restrict_fd(int fd, uint16_t domid)
{
    return ioctl(fd, IOCTL_PRIVCMD_RESTRICT, &domid);
}

/* Linked without the library (see local.am), so without case.h: a
 * fresh simulated kernel per case, and nothing left open after it. */
static int fresh(void **state)
{
    (void)state;
    sim_os_reset();
    return 0;
}

static int nothing_left_open(void **state)
{
    (void)state;
    return sim_os_open_handles() == 0 && sim_os_mapped_bytes() == 0 ? 0 : -1;
}

/* sys/dev/xen/privcmd/privcmd.c, privcmd_ioctl(): `int error =
 * privcmd_hypercall(...)` (an int in amd64/include/xen/hypercall.h), so
 * only the low 32 bits of a result reach retval. */
static void int_result_keeps_low_32_bits(void **state)
{
    int fd = open_privcmd();

    (void)state;
    expect(fd, 1234, 0, 1234, 0);
    expect(fd, INT_MAX, 0, INT_MAX, 0);
    expect(fd, (uint64_t)1 << 32, 0, 0, 0);
    expect(fd, ((uint64_t)1 << 40) + 7, 0, 7, 0);
    close(fd);
}

/* privcmd.c, privcmd_ioctl(): a result whose low 32 bits are negative
 * as an int takes the error path: 0x80000000 is past error.h's table
 * (EINVAL), 0xffffffff is -1, Xen's EPERM. */
static void bit_31_result_is_an_error(void **state)
{
    int fd = open_privcmd();

    (void)state;
    expect(fd, 0x80000000u, -1, 0, EINVAL);
    expect(fd, 0xffffffffu, -1, 0, EPERM);
    expect(fd, ((uint64_t)3 << 32) | 0x80000005u, -1, 0, EINVAL);
    close(fd);
}

/* sys/xen/error.h, xen_errors[] and xen_translate_error(): Xen errors
 * missing from the table translate to 0, and privcmd_ioctl() then
 * returns success with retval 0. */
static void error_table_gaps_succeed_with_0(void **state)
{
    static const int gaps[] = { XEN_ENOTDIR, XEN_EISDIR, XEN_EROFS, XEN_ENOTEMPTY,
                                XEN_EMSGSIZE };
    int fd = open_privcmd();
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++)
        expect(fd, (uint64_t)-(int64_t)gaps[i], 0, 0, 0);
    close(fd);
}

/* error.h, xen_translate_error(): past the table's last entry
 * (ETIMEDOUT, 110) every error is EINVAL. */
static void error_table_end_is_einval(void **state)
{
    int fd = open_privcmd();

    (void)state;
    expect(fd, (uint64_t)-(int64_t)XEN_ETIMEDOUT, -1, 0, ETIMEDOUT);
    expect(fd, (uint64_t)-(int64_t)XEN_ECONNREFUSED, -1, 0, EINVAL);
    expect(fd, (uint64_t)-112, -1, 0, EINVAL);
    expect(fd, (uint64_t)-4095, -1, 0, EINVAL);
    close(fd);
}

/* error.h, xen_errors[]: the other errors by name, ENODATA and ETIME
 * under FreeBSD's ENOENT and ETIMEDOUT. */
static void error_table_translates_by_name(void **state)
{
    int fd = open_privcmd();

    (void)state;
    expect(fd, (uint64_t)-(int64_t)XEN_EPERM, -1, 0, EPERM);
    expect(fd, (uint64_t)-(int64_t)XEN_EAGAIN, -1, 0, EAGAIN);
    expect(fd, (uint64_t)-(int64_t)XEN_EDEADLK, -1, 0, EDEADLK);
    expect(fd, (uint64_t)-(int64_t)XEN_ENOSYS, -1, 0, ENOSYS);
    expect(fd, (uint64_t)-(int64_t)XEN_ENODATA, -1, 0, ENOENT);
    expect(fd, (uint64_t)-(int64_t)XEN_ETIME, -1, 0, ETIMEDOUT);
    expect(fd, (uint64_t)-(int64_t)XEN_ENOTCONN, -1, 0, ENOTCONN);
    close(fd);
}

/* privcmd.c, privcmd_ioctl(): the default case answers ENOSYS; and
 * 12-STABLE's driver has no IOCTL_PRIVCMD_RESTRICT at all. */
static void unknown_request_is_enosys(void **state)
{
    int fd = open_privcmd();
    uint16_t domid = 7;

    (void)state;
    assert_fails_with(ioctl(fd, IOCTL_PRIVCMD_HYPERCALL + 1, &domid), ENOSYS);
    sim_os_set_kernel_restrict(0);
    assert_fails_with(restrict_fd(fd, 7), ENOSYS);
    expect(fd, 5, 0, 5, 0);   /* and nothing was restricted */
    close(fd);
}

/* Current privcmd.c, privcmd_open() (devfs_set_cdevpriv) and
 * IOCTL_PRIVCMD_RESTRICT: the domain belongs to the open file, so a
 * duplicated descriptor is restricted with it, another open is not;
 * a restricted file's hypercall request fails with EPERM. */
static void restriction_per_open_file(void **state)
{
    int fd = open_privcmd(), other = open_privcmd();

    (void)state;
    assert_int_equal(dup2(fd, DUP_FD), DUP_FD);
    assert_int_equal(restrict_fd(fd, 7), 0);
    expect(DUP_FD, 5, -1, 99, EPERM);
    expect(fd, 5, -1, 99, EPERM);
    expect(other, 5, 0, 5, 0);
    close(DUP_FD);
    close(fd);
    close(other);
}

/* The same open file after fork(): a child's restriction is its
 * parent's too. */
static int child_restricts_fd(void *arg)
{
    return restrict_fd(*(int *)arg, 7) == 0 ? 0 : 1;
}

static void restriction_shared_across_fork(void **state)
{
    int fd = open_privcmd();

    (void)state;
    assert_int_equal(proc_run_child(child_restricts_fd, &fd, CHILD_SECONDS), 0);
    expect(fd, 5, -1, 99, EPERM);
    close(fd);
}

/* Current privcmd.c, IOCTL_PRIVCMD_RESTRICT: the same domain again is
 * fine; another one gets `error = -EINVAL`, which the system call
 * passes on unchanged, so errno is -22. */
static void second_restrict_is_negative(void **state)
{
    int fd = open_privcmd();

    (void)state;
    assert_int_equal(restrict_fd(fd, 7), 0);
    assert_int_equal(restrict_fd(fd, 7), 0);
    assert_fails_with(restrict_fd(fd, 8), -EINVAL);
    expect(fd, 5, -1, 99, EPERM);
    close(fd);
}

static unsigned char *locked_page(int inherit)
{
    unsigned char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    assert_true(p != MAP_FAILED);
    assert_int_equal(minherit(p, PAGE, inherit), 0);
    assert_int_equal(mlock(p, PAGE), 0);
    memset(p, 0x5a, PAGE);
    return p;
}

/* The two pages, as the child sees them. */
struct none_and_zero {
    unsigned char *none, *zero;
};

static int child_sees_none_and_zero(void *arg)
{
    struct none_and_zero *pages = arg;
    int locked, inherit;

    if (sim_freebsd_mapping(pages->none, &locked, &inherit) == 0)
        return 1;
    if (sim_freebsd_mapping(pages->zero, &locked, &inherit) < 0 || locked ||
        inherit != INHERIT_ZERO || pages->zero[0] || pages->zero[PAGE - 1])
        return 2;
    return sim_xen_mem_reachable(pages->zero, PAGE) ? 3 : 0;
}

/* sys/vm/vm_map.c, vmspace_fork(): an INHERIT_NONE mapping is left out
 * of the child; an INHERIT_ZERO one is there zero-filled and, like
 * every mapping of a child, not wired. The parent keeps its pages. */
static void minherit_none_and_zero_in_child(void **state)
{
    unsigned char *none = locked_page(INHERIT_NONE), *zero = locked_page(INHERIT_ZERO);
    struct none_and_zero pages = { none, zero };
    int locked, inherit;

    (void)state;
    assert_int_equal(proc_run_child(child_sees_none_and_zero, &pages, CHILD_SECONDS), 0);
    assert_int_equal(none[0], 0x5a);
    assert_int_equal(zero[0], 0x5a);
    assert_int_equal(sim_freebsd_mapping(zero, &locked, &inherit), 0);
    assert_true(locked);
    assert_true(sim_xen_mem_reachable(zero, PAGE));
    munmap(none, PAGE);
    munmap(zero, PAGE);
}

/* Xen's common/multicall.c, do_multicall(), through privcmd_ioctl():
 * the multicall returns 0, the entry's result keeps the call's full
 * result or raw Xen error; a multicall inside one is refused in its
 * entry (-EINVAL), and an entry Xen cannot reach fails the multicall
 * (EFAULT, through error.h). */
static void multicall_carries_full_result(void **state)
{
    multicall_entry_t *entry = (multicall_entry_t *)locked_page(INHERIT_NONE);
    unsigned char *unlocked = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = open_privcmd();
    long retval;

    (void)state;
    memset(entry, 0, sizeof(*entry));
    entry->op = SIM_OP_RESULT;
    entry->args[0] = WIDE;
    assert_int_equal(hypercall(fd, 13, (uintptr_t)entry, 1, &retval), 0);
    assert_int_equal(retval, 0);
    assert_int_equal(entry->result, WIDE);

    entry->op = SIM_OP_RESULT;
    entry->args[0] = (xen_ulong_t)-XEN_ENOTEMPTY;
    assert_int_equal(hypercall(fd, 13, (uintptr_t)entry, 1, &retval), 0);
    assert_int_equal((long)entry->result, -XEN_ENOTEMPTY);

    entry->op = 13;
    assert_int_equal(hypercall(fd, 13, (uintptr_t)entry, 1, &retval), 0);
    assert_int_equal((long)entry->result, -XEN_EINVAL);

    assert_true(unlocked != MAP_FAILED);
    assert_fails_with(hypercall(fd, 13, (uintptr_t)unlocked, 1, &retval), EFAULT);
    munmap(unlocked, PAGE);
    munmap(entry, PAGE);
    close(fd);
}

int main(void)
{
/* A fact's case: a fresh simulated kernel, nothing left open after. */
#define FACT(f) cmocka_unit_test_setup_teardown(f, fresh, nothing_left_open)
    const struct CMUnitTest tests[] = {
        FACT(int_result_keeps_low_32_bits),
        FACT(bit_31_result_is_an_error),
        FACT(error_table_gaps_succeed_with_0),
        FACT(error_table_end_is_einval),
        FACT(error_table_translates_by_name),
        FACT(unknown_request_is_enosys),
        FACT(restriction_per_open_file),
        FACT(restriction_shared_across_fork),
        FACT(second_restrict_is_negative),
        FACT(minherit_none_and_zero_in_child),
        FACT(multicall_carries_full_result),
    };
#undef FACT

    return cmocka_run_group_tests_name("freebsd-sim-facts", tests, NULL, NULL);
}
