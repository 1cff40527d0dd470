/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What only the FreeBSD backend promises, run over the simulated
 * FreeBSD kernel (tests/helpers/sim/freebsd.c, itself held to FreeBSD's sources by
 * sim-facts.c): full results and untranslated errors through one-entry
 * multicalls despite the kernel's int result and error table, entries
 * of its own per call and per process, the kernel's own errors passed
 * through, MAP_FAILED handling, every buffer locked and INHERIT_NONE,
 * restriction and its fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <xentoolcore.h>
#include <xen/errno.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>   /* the FreeBSD shim in include/ */

#include "xencall.h"
#include "../helpers/check.h"
#include "../helpers/sim/freebsd.h"
#include "../helpers/case.h"
#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

/* A result wider than an int where a long is (amd64): what FreeBSD's
 * hypercall request cannot carry. A plain one on a 32-bit build. */
#define WIDE_RESULT ((long)(sizeof(long) > 4 ? ((uint64_t)1 << 40) + 7 : 0x7ffffff7u))

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

/* The kernel keeps only an int: the full result must come from the
 * multicall entry (the ioctl carries op 13, the entry the call). Each
 * value the kernel would cut or turn into an error, where a long holds
 * it as a result (not in Xen's -1..-4095 error range). */
static void freebsd_full_result_through_multicall(void **state)
{
    static const uint64_t wide[] = { (uint64_t)1 << 32, ((uint64_t)1 << 40) + 7,
                                     0x80000000u, 0xfffff000u, 0xffffffffu,
                                     0x7fffffffffffffffull };
    xencall_handle *h = open_logged(0);
    unsigned long before = sim_freebsd_hypercall_ioctls(), calls = 0;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
        long result = (long)wide[i];

        if (wide[i] > ULONG_MAX || (result < 0 && result > -4096))
            continue;
        assert_int_equal(xencall2L(h, SIM_OP_RESULT, wide[i], 0), result);
        assert_int_equal(sim_freebsd_last_ioctl_op(), __HYPERVISOR_multicall);
        assert_int_equal(sim_xen_last_call().op, SIM_OP_RESULT);
        assert_fails_with(xencall1(h, SIM_OP_RESULT, wide[i]), EOVERFLOW);
        calls += 2;
    }
    assert_true(calls >= 4);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 1234), 1234);
    assert_int_equal(sim_freebsd_hypercall_ioctls() - before, calls + 1);
    xencall_close(h);
}

/* Errors the kernel would turn into success (its table's gaps) or
 * into EINVAL (past its end) keep their own names; errors without a
 * local name (in this build; on FreeBSD ERESTART too) become EIO. */
static void freebsd_no_xen_error_is_success(void **state)
{
    static const struct {
        int xen, local;
    } errs[] = {
        { XEN_ENOTDIR, ENOTDIR }, { XEN_EISDIR, EISDIR }, { XEN_EROFS, EROFS },
        { XEN_ENOTEMPTY, ENOTEMPTY }, { XEN_EMSGSIZE, EMSGSIZE },
        { XEN_ECONNREFUSED, ECONNREFUSED }, { XEN_EAGAIN, EAGAIN },
        { 4000, EIO }, { 1, EPERM },
    };
    xencall_handle *h = open_logged(0);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        uint64_t raw = (uint64_t)-(int64_t)errs[i].xen;

        assert_fails_with(xencall2L(h, SIM_OP_RESULT, raw, 0), errs[i].local);
        assert_fails_with(xencall5(h, SIM_OP_RESULT, raw, 1, 2, 3, 4), errs[i].local);
    }
    xencall_close(h);
}

/* When the request itself fails, errno is the kernel's, and nothing is
 * read from the entry (which still holds the last call's result). */
static void freebsd_kernel_errno_passes_untouched(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 5), 5);
    sim_os_fail_nth("ioctl", 1, EIO);
    assert_fails_with(xencall1(h, SIM_OP_RESULT, 6), EIO);
    sim_os_fail_nth("ioctl", 1, EFAULT);
    assert_fails_with(xencall2L(h, SIM_OP_RESULT, 6, 0), EFAULT);
    xencall_close(h);
}

/* Xen refuses a multicall inside a multicall: the caller's own goes
 * to the kernel as it is, and its entries carry the results. */
static void freebsd_callers_multicall_goes_direct(void **state)
{
    xencall_handle *h = open_logged(0);
    multicall_entry_t *calls = xencall_alloc_buffer(h, 2 * sizeof(*calls));

    (void)state;
    assert_non_null(calls);
    calls[0].op = SIM_OP_RESULT;
    calls[0].args[0] = (unsigned long)WIDE_RESULT;
    calls[1].op = SIM_OP_RESULT;
    calls[1].args[0] = (xen_ulong_t)-XEN_ENOTEMPTY;
    assert_int_equal(xencall2(h, __HYPERVISOR_multicall, (uintptr_t)calls, 2), 0);
    assert_int_equal(sim_freebsd_last_ioctl_op(), __HYPERVISOR_multicall);
    assert_int_equal(sim_freebsd_last_ioctl_arg0(), (uintptr_t)calls);
    assert_int_equal(calls[0].result, (unsigned long)WIDE_RESULT);
    assert_int_equal((long)calls[1].result, -XEN_ENOTEMPTY);
    /* Its own failure comes back as the kernel reports it. */
    assert_fails_with(xencall2(h, __HYPERVISOR_multicall, 4096, 1), EFAULT);
    xencall_free_buffer(h, calls);
    xencall_close(h);
}

/* The entry the call went through: locked, and zero-filled in a child. */
static void freebsd_entries_locked_and_inherit_zero(void **state)
{
    xencall_handle *h = open_logged(0);
    int locked, inherit;

    (void)state;
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 3), 3);
    assert_int_equal(sim_freebsd_mapping((void *)(uintptr_t)sim_freebsd_last_ioctl_arg0(),
                                         &locked, &inherit), 0);
    assert_true(locked);
    assert_int_equal(inherit, INHERIT_ZERO);
    xencall_close(h);
}

/* Runs in a child: the inherited handle's entries are the child's own
 * zero-filled copy, which it must lock before Xen may use it. */
static int child_calls(void *arg)
{
    xencall_handle *h = arg;
    int locked, inherit;

    sim_os_fail_nth("mlock", 1, EAGAIN);
    errno = 0;
    if (xencall2L(h, SIM_OP_RESULT, 9, 0) != -1 || errno != EAGAIN)
        return 1;
    if (xencall2L(h, SIM_OP_RESULT, (unsigned long)WIDE_RESULT, 0) != WIDE_RESULT)
        return 2;
    if (sim_freebsd_mapping((void *)(uintptr_t)sim_freebsd_last_ioctl_arg0(),
                            &locked, &inherit) < 0 || !locked)
        return 3;
    if (xencall1(h, SIM_OP_RESULT, 11) != 11)
        return 4;
    xencall_close(h);
    return 0;
}

static void freebsd_child_calls_on_inherited_handle(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 1), 1);
    assert_int_equal(proc_run_child(child_calls, h, CHILD_SECONDS), 0);
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, (unsigned long)WIDE_RESULT - 1, 0),
                     WIDE_RESULT - 1);
    xencall_close(h);
}

/* ---- threads: an entry of its own for every call in flight ---------------- */

struct caller {
    xencall_handle *h;
    long want, got;
};

static int calls_done;

static void *caller_main(void *arg)
{
    struct caller *c = arg;

    c->got = xencall2L(c->h, SIM_OP_RESULT, (uint64_t)c->want, 0);
    __atomic_add_fetch(&calls_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Waits (no time limit of its own: the harness has one) for a state
 * the calls in flight reach by themselves. */
static void wait_until_held(int held, int done)
{
    while (sim_freebsd_held() != held ||
           __atomic_load_n(&calls_done, __ATOMIC_ACQUIRE) != done)
        usleep(1000);
}

static void run_callers(pthread_t *threads, xencall_handle *h, struct caller *c, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        c[i].h = h;
        c[i].want = WIDE_RESULT - i;
        c[i].got = 0;
    }
    assert_int_equal(proc_start_threads(threads, n, caller_main, c, sizeof(c[0])), 0);
}

static void join_callers(pthread_t *threads, struct caller *c, int n)
{
    int i;

    assert_int_equal(proc_join_threads(threads, n), 0);
    for (i = 0; i < n; i++)
        assert_int_equal(c[i].got, c[i].want);
}

/* Eight calls held inside the kernel at once, on one handle. */
static void freebsd_threads_use_entries_of_their_own(void **state)
{
    xencall_handle *h = open_logged(0);
    struct caller c[8];
    pthread_t threads[8];

    (void)state;
    __atomic_store_n(&calls_done, 0, __ATOMIC_RELEASE);
    sim_freebsd_hold(1);
    run_callers(threads, h, c, 8);
    wait_until_held(8, 0);
    sim_freebsd_hold(0);
    join_callers(threads, c, 8);
    assert_int_equal(sim_freebsd_entry_overlaps(), 0);
    assert_int_equal(sim_freebsd_max_in_flight(), 8);
    xencall_close(h);
}

/* More calls than a handle has entries (63 on amd64): the extra one
 * waits for an entry, then goes. */
static void freebsd_more_calls_than_entries(void **state)
{
    enum { ENTRIES = (4096 - 64) / sizeof(multicall_entry_t) < 8 * sizeof(long)
                     ? (4096 - 64) / sizeof(multicall_entry_t) : 8 * sizeof(long) };
    xencall_handle *h = open_logged(0);
    struct caller c[ENTRIES + 1];
    pthread_t threads[ENTRIES + 1];

    (void)state;
    __atomic_store_n(&calls_done, 0, __ATOMIC_RELEASE);
    sim_freebsd_hold(1);
    run_callers(threads, h, c, ENTRIES + 1);
    wait_until_held(ENTRIES, 0);
    sim_freebsd_release(1);
    wait_until_held(ENTRIES, 1);   /* the waiting one took the freed entry */
    sim_freebsd_hold(0);
    join_callers(threads, c, ENTRIES + 1);
    assert_int_equal(sim_freebsd_entry_overlaps(), 0);
    assert_int_equal(sim_freebsd_max_in_flight(), ENTRIES);
    xencall_close(h);
}

static void freebsd_every_buffer_locked_and_not_inherited(void **state)
{
    static const size_t sizes[] = { 0, 64, 4080, 4096, 3 * PAGE, 64 * PAGE,
                                    200 * PAGE };
    xencall_handle *h = open_logged(0);
    void *p[sizeof(sizes) / sizeof(sizes[0])], *pages;
    int locked, inherit;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        p[i] = xencall_alloc_buffer(h, sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal(sim_freebsd_mapping(p[i], &locked, &inherit), 0);
        assert_true(locked);
        assert_int_equal(inherit, INHERIT_NONE);
    }
    pages = xencall_alloc_buffer_pages(h, 5);
    assert_int_equal(sim_freebsd_mapping(pages, &locked, &inherit), 0);
    assert_true(locked && inherit == INHERIT_NONE);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        xencall_free_buffer(h, p[i]);
    xencall_free_buffer_pages(h, pages, 5);
    xencall_close(h);
}

static void freebsd_map_failed_is_an_error(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    testlog_clear(&case_log);
    sim_os_fail_nth("mmap", 1, ENOMEM);
    assert_null_with(xencall_alloc_buffer_pages(h, 2), ENOMEM);
    assert_true(case_log.errors > 0);
    assert_int_equal(case_log.last_errno, ENOMEM);
    assert_non_null(xencall_alloc_buffer(h, 64));   /* still usable */
    xencall_close(h);
}

static void freebsd_minherit_or_mlock_failure_unmaps(void **state)
{
    xencall_handle *h = open_logged(0);
    size_t entries = sim_os_mapped_bytes();   /* the handle's own page */

    (void)state;
    sim_os_fail_nth("minherit", 1, EINVAL);
    assert_null_with(xencall_alloc_buffer_pages(h, 1), EINVAL);
    assert_int_equal(sim_os_mapped_bytes(), entries);
    assert_true(strstr(case_log.last, "INHERIT_NONE") != NULL);

    sim_os_fail_nth("mlock", 1, EAGAIN);
    assert_null_with(xencall_alloc_buffer_pages(h, 1), EAGAIN);
    assert_int_equal(sim_os_mapped_bytes(), entries);
    xencall_close(h);
}

struct handle_and_buffer {
    xencall_handle *h;
    void *p;
};

/* In the child: the simulated kernel unmapped INHERIT_NONE memory. */
static int child_lacks_buffer(void *arg)
{
    struct handle_and_buffer *hb = arg;
    int gone, locked, inherit;

    gone = sim_freebsd_mapping(hb->p, &locked, &inherit) < 0;
    xencall_close(hb->h);
    return gone ? 0 : 1;
}

static void freebsd_child_does_not_inherit_buffers(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned char *p = xencall_alloc_buffer(h, 100);
    struct handle_and_buffer hb = { h, p };

    (void)state;
    p[0] = 0x5a;
    assert_int_equal(proc_run_child(child_lacks_buffer, &hb, CHILD_SECONDS), 0);
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
    assert_fails_with(xencall0(h, 17), EPERM);
    xencall_close(h);
}

/* The driver's -EINVAL for a second domain reaches errno negated; the
 * library reports EINVAL, and the handle stays refused. */
static void freebsd_second_restrict_reports_einval(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(xentoolcore_restrict_all(7), 0);
    testlog_clear(&case_log);
    assert_fails_with(xentoolcore_restrict_all(8), EINVAL);
    assert_true(case_log.errors > 0);
    assert_int_equal(case_log.last_errno, EINVAL);
    assert_fails_with(xencall0(h, 17), EPERM);
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
    assert_fails_with(xencall0(h, 17), EPERM);
    assert_non_null(xencall_alloc_buffer(h, 64));
    xencall_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(freebsd_ioctl_abi),
        CASE(freebsd_opens_privcmd_rdwr_cloexec),
        CASE(freebsd_full_result_through_multicall),
        CASE(freebsd_no_xen_error_is_success),
        CASE(freebsd_kernel_errno_passes_untouched),
        CASE(freebsd_callers_multicall_goes_direct),
        CASE(freebsd_entries_locked_and_inherit_zero),
        CASE(freebsd_child_calls_on_inherited_handle),
        CASE(freebsd_threads_use_entries_of_their_own),
        CASE(freebsd_more_calls_than_entries),
        CASE(freebsd_every_buffer_locked_and_not_inherited),
        CASE(freebsd_map_failed_is_an_error),
        CASE(freebsd_minherit_or_mlock_failure_unmaps),
        CASE(freebsd_child_does_not_inherit_buffers),
        CASE(freebsd_restrict_uses_the_ioctl),
        CASE(freebsd_second_restrict_reports_einval),
        CASE(freebsd_restrict_falls_back_without_the_ioctl),
    };

    return case_run_group("freebsd-backend", tests);
}
