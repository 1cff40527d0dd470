/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The contract of the public API, checked over any simulated OS: it
 * only uses tests/helpers/sim/os.h and tests/helpers/sim/xen.h, so every backend's
 * test build links this same suite with its own simulated kernel.
 * One cmocka group per program (TAP counts each case), named after
 * the OS.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/version.h>
#include <xen/xen.h>   /* multicall_entry_t, hypercall numbers */
#include <xentoolcore.h>

#include "buffer-sizes.h"   /* the library's: the cache's sizes */
#include "xencall.h"
#include "../helpers/check.h"
#include "../helpers/case.h"
#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

/* Seconds a forked child may take: far above what any needs. */

/* ---- helpers ----------------------------------------------------------- */

/* Bytes of [p, p+len) that are not zero, as the hypervisor sees them;
 * the buffer is left filled with fill. -1 if it could not reach it. */
static long hv_fill(xencall_handle *h, void *p, size_t len, int fill)
{
    return xencall3(h, SIM_OP_FILL, (uintptr_t)p, len, (uint64_t)fill);
}

static int all_bytes(const void *p, size_t len, unsigned char v)
{
    const unsigned char *b = p;
    size_t i;

    for (i = 0; i < len; i++)
        if (b[i] != v)
            return 0;
    return 1;
}

/* ---- open / close ------------------------------------------------------- */

static void open_null_logger(void **state)
{
    xencall_handle *h = xencall_open(NULL, 0);

    (void)state;
    assert_non_null(h);
    assert_true(sim_os_open_handles() > 0 || xencall_fd(h) == -1);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 3), 3);
    assert_int_equal(xencall_close(h), 0);
}

static void open_uses_callers_logger(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    /* A failing allocation must be reported through our logger. */
    assert_null(xencall_alloc_buffer(h, SIZE_MAX));
    assert_true(testlog_lines(&case_log) >= 1);
    assert_int_equal(case_log.last_level, XTL_ERROR);
    assert_int_equal(xencall_close(h), 0);
    assert_int_equal(case_log.destroyed, 0);
    /* Still ours and usable after close. */
    xtl_log(&case_log.vtable, XTL_INFO, -1, "test", "after close");
    assert_string_equal(case_log.last, "after close");
}

static void open_bad_flags(void **state)
{
    static const unsigned bad[] = { 1U << 1, 1U << 31, ~0U, 2U | 1U };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        testlog_clear(&case_log);
        assert_null_with(xencall_open(&case_log.vtable, bad[i]), EINVAL);
        assert_true(case_log.errors >= 1);
        assert_int_equal(case_log.last_level, XTL_ERROR);
    }
    /* And with the library's own logger, nothing leaks. */
    assert_null_with(xencall_open(NULL, 4), EINVAL);
}

/* Mini-OS overrides this one too: it has no fork(). */
__attribute__((weak)) int sim_os_has_fork(void)
{
    return 1;
}

/* Most simulated OSes can run without Xen; Mini-OS overrides this. */
__attribute__((weak)) int sim_os_xen_can_be_absent(void)
{
    return 1;
}

static void open_without_xen(void **state)
{
    (void)state;
    if (!sim_os_xen_can_be_absent()) {
        /* Always on Xen: opening must simply work, without a word. */
        sim_os_set_xen_present(0);
        assert_int_equal(xencall_close(open_logged(0)), 0);
        assert_int_equal(case_log.errors, 0);
        return;
    }
    sim_os_set_xen_present(0);
    assert_null_with(xencall_open(&case_log.vtable, 0), ENOENT);
    assert_true(case_log.errors >= 1);
    assert_int_equal(case_log.last_level, XTL_ERROR);
    assert_int_equal(case_log.last_errno, ENOENT);
    assert_int_equal(sim_os_open_handles(), 0);
    assert_int_equal(sim_os_mapped_bytes(), 0);

    assert_null_with(xencall_open(NULL, XENCALL_OPENFLAG_NON_REENTRANT), ENOENT);

    /* Xen back: opening works again. */
    sim_os_set_xen_present(1);
    assert_int_equal(xencall_close(open_logged(0)), 0);
}

static void close_null(void **state)
{
    (void)state;
    errno = EDOM;
    assert_int_equal(xencall_close(NULL), 0);
}

/* ---- hypercalls --------------------------------------------------------- */

static const uint64_t A[5] = {
    41, 0x8000000000000001ull, 0xfedcba9876543210ull, 0xffffffffffffffffull,
    0x0123456789abcdefull,
};

/* Where the OS's interface is narrower, Xen sees the low bits. */
__attribute__((weak)) unsigned sim_os_hypercall_arg_bits(void)
{
    return 64;
}

static void check_last_call(unsigned long before, unsigned nargs)
{
    struct sim_xen_call c = sim_xen_last_call();
    unsigned i, bits = sim_os_hypercall_arg_bits();
    uint64_t mask = bits < 64 ? ((uint64_t)1 << bits) - 1 : UINT64_MAX;

    assert_int_equal(sim_xen_calls(), before + 1);
    assert_int_equal(c.op, SIM_OP_RESULT);
    for (i = 0; i < 5; i++) {
        if (i < nargs)
            assert_int_equal(c.arg[i], A[i] & mask);
        else
            assert_int_equal(c.arg[i], 0);
    }
}

/* Fill every argument slot so that zeros after a call mean something. */
static void dirty_last_call(xencall_handle *h)
{
    assert_int_equal(xencall5(h, SIM_OP_RESULT, 9, 9, 9, 9, 9), 9);
}

static void hypercall_arguments(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned long n;

    (void)state;
    dirty_last_call(h);
    n = sim_xen_calls();
    assert_int_equal(xencall0(h, SIM_OP_RESULT), 0);
    check_last_call(n, 0);

    dirty_last_call(h);
    n = sim_xen_calls();
    assert_int_equal(xencall1(h, SIM_OP_RESULT, A[0]), 41);
    check_last_call(n, 1);

    dirty_last_call(h);
    n = sim_xen_calls();
    assert_int_equal(xencall2(h, SIM_OP_RESULT, A[0], A[1]), 41);
    check_last_call(n, 2);

    dirty_last_call(h);
    n = sim_xen_calls();
    assert_int_equal(xencall3(h, SIM_OP_RESULT, A[0], A[1], A[2]), 41);
    check_last_call(n, 3);

    dirty_last_call(h);
    n = sim_xen_calls();
    assert_int_equal(xencall4(h, SIM_OP_RESULT, A[0], A[1], A[2], A[3]), 41);
    check_last_call(n, 4);

    dirty_last_call(h);
    n = sim_xen_calls();
    assert_int_equal(xencall5(h, SIM_OP_RESULT, A[0], A[1], A[2], A[3], A[4]), 41);
    check_last_call(n, 5);

    dirty_last_call(h);
    n = sim_xen_calls();
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, A[0], A[1]), 41);
    check_last_call(n, 2);
    xencall_close(h);
}

static void hypercall_op_number(void **state)
{
    xencall_handle *h = open_logged(0);
    struct sim_xen_call c;

    (void)state;
    /* An unknown hypercall: the op reaches Xen unchanged, ENOSYS back. */
    assert_fails_with(xencall1(h, 0x7fffffffu, 5), ENOSYS);
    c = sim_xen_last_call();
    assert_int_equal(c.op, 0x7fffffffu);
    assert_int_equal(c.arg[0], 5);
    assert_fails_with(xencall0(h, 0xffffffffu), ENOSYS);
    assert_int_equal(sim_xen_last_call().op, 0xffffffffu);
    xencall_close(h);
}

/* Xen's error numbers and this OS's names for them. */
static const struct {
    int xen, local;
} errs[] = {
    { XEN_EPERM, EPERM }, { XEN_ENOENT, ENOENT }, { XEN_ESRCH, ESRCH },
    { XEN_EIO, EIO }, { XEN_E2BIG, E2BIG }, { XEN_EBADF, EBADF },
    { XEN_EAGAIN, EAGAIN }, { XEN_ENOMEM, ENOMEM }, { XEN_EACCES, EACCES },
    { XEN_EFAULT, EFAULT }, { XEN_EBUSY, EBUSY }, { XEN_EEXIST, EEXIST },
    { XEN_EXDEV, EXDEV }, { XEN_ENODEV, ENODEV }, { XEN_EINVAL, EINVAL },
    { XEN_ENOSPC, ENOSPC }, { XEN_ERANGE, ERANGE }, { XEN_EDEADLK, EDEADLK },
    { XEN_ENOSYS, ENOSYS }, { XEN_ENOTEMPTY, ENOTEMPTY },
    { XEN_EOPNOTSUPP, EOPNOTSUPP }, { XEN_ETIMEDOUT, ETIMEDOUT },
    { XEN_EISCONN, EISCONN }, { XEN_EOVERFLOW, EOVERFLOW },
};

static void hypercall_errors(void **state)
{
    xencall_handle *h = open_logged(0);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        uint64_t r = (uint64_t)(int64_t)-errs[i].xen;

        assert_fails_with(xencall1(h, SIM_OP_RESULT, r), errs[i].local);
        assert_fails_with(xencall5(h, SIM_OP_RESULT, r, 1, 2, 3, 4), errs[i].local);
        assert_fails_with(xencall2L(h, SIM_OP_RESULT, r, 0), errs[i].local);
    }
    xencall_close(h);
}

static void hypercall_overflow(void **state)
{
    static const uint64_t wide[] = {
        (uint64_t)INT_MAX + 1,
#if LONG_MAX > INT_MAX   /* a 32-bit long holds no more than that */
        (uint64_t)1 << 32, ((uint64_t)1 << 32) + 7, (uint64_t)LONG_MAX,
#endif
    };
    xencall_handle *h = open_logged(0);
    size_t i;

    (void)state;
    assert_int_equal(xencall1(h, SIM_OP_RESULT, INT_MAX), INT_MAX);
    for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
        assert_fails_with(xencall1(h, SIM_OP_RESULT, wide[i]), EOVERFLOW);
        assert_fails_with(xencall2(h, SIM_OP_RESULT, wide[i], 0), EOVERFLOW);
        assert_fails_with(xencall3(h, SIM_OP_RESULT, wide[i], 0, 0), EOVERFLOW);
        assert_fails_with(xencall4(h, SIM_OP_RESULT, wide[i], 0, 0, 0), EOVERFLOW);
        assert_fails_with(xencall5(h, SIM_OP_RESULT, wide[i], 0, 0, 0, 0), EOVERFLOW);
        /* The wide call delivers it whole. */
        assert_int_equal(xencall2L(h, SIM_OP_RESULT, wide[i], 0), (long)wide[i]);
    }
    xencall_close(h);
}

static void hypercall_wide_result(void **state)
{
    xencall_handle *h = open_logged(0);
    uint16_t *domid = xencall_alloc_buffer(h, sizeof(*domid));

    (void)state;
    assert_non_null(domid);
    *domid = DOMID_SELF;
#if LONG_MAX > INT_MAX   /* where long is 32 bits no result is wider */
    assert_int_equal(xencall2L(h, __HYPERVISOR_memory_op,
                               XENMEM_maximum_reservation, (uintptr_t)domid),
                     ((long)1 << 33) + 5);
    assert_fails_with(xencall2(h, __HYPERVISOR_memory_op,
                               XENMEM_maximum_reservation, (uintptr_t)domid),
                      EOVERFLOW);
#endif

    sim_xen_max_reservation = 123456;
    assert_int_equal(xencall2(h, __HYPERVISOR_memory_op,
                              XENMEM_maximum_reservation, (uintptr_t)domid),
                     123456);
    assert_int_equal(xencall2L(h, __HYPERVISOR_memory_op,
                               XENMEM_maximum_reservation, (uintptr_t)domid),
                     123456);
#if LONG_MAX > INT_MAX
    sim_xen_max_reservation = (long)1 << 40;
    assert_int_equal(xencall2L(h, __HYPERVISOR_memory_op,
                               XENMEM_maximum_reservation, (uintptr_t)domid),
                     (long)1 << 40);

    assert_int_equal(xencall2L(h, SIM_OP_RESULT, ((uint64_t)1 << 33) + 5, 0),
                     ((long)1 << 33) + 5);
#endif
    assert_int_equal(xencall2L(h, SIM_OP_RESULT, 0, 0), 0);
    xencall_free_buffer(h, domid);
    xencall_close(h);
}

static void hypercalls_never_log(void **state)
{
    xencall_handle *h = open_logged(0);
    void *buf = xencall_alloc_buffer(h, 64);
    int dummy;

    (void)state;
    assert_non_null(buf);
    testlog_clear(&case_log);
    xencall0(h, SIM_OP_RESULT);
    xencall1(h, SIM_OP_RESULT, (uint64_t)-XEN_EINVAL);
    xencall2(h, SIM_OP_RESULT, (uint64_t)1 << 40, 0);
    xencall3(h, 0x7777, 1, 2, 3);
    xencall4(h, __HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)&dummy, 0, 0);
    xencall5(h, SIM_OP_RESULT, (uint64_t)-XEN_EFAULT, 0, 0, 0, 0);
    xencall2L(h, SIM_OP_RESULT, (uint64_t)-XEN_ENOMEM, 0);
    xencall2L(h, __HYPERVISOR_memory_op, XENMEM_maximum_reservation, 0);
    xencall3(h, SIM_OP_FILL, (uintptr_t)buf, 64, 1);
    assert_int_equal(testlog_lines(&case_log), 0);
    xencall_free_buffer(h, buf);
    xencall_close(h);
}

static void xen_version_queries(void **state)
{
    xencall_handle *h = open_logged(0);
    char *extra = xencall_alloc_buffer(h, 16);
    char *caps = xencall_alloc_buffer(h, 1024);
    char stack_buf[16];

    (void)state;
    assert_non_null(extra);
    assert_non_null(caps);
    assert_int_equal(xencall2(h, __HYPERVISOR_xen_version, XENVER_version, 0),
                     SIM_XEN_VERSION);
    assert_int_equal(xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                              (uintptr_t)extra), 0);
    assert_string_equal(extra, SIM_XEN_EXTRAVERSION);
    assert_int_equal(xencall2(h, __HYPERVISOR_xen_version, XENVER_capabilities,
                              (uintptr_t)caps), 0);
    assert_string_equal(caps, SIM_XEN_CAPABILITIES);
    assert_int_equal(xencall2(h, __HYPERVISOR_xen_version, XENVER_pagesize, 0), 4096);
    /* Memory that is not a hypercall buffer is out of Xen's reach. */
    assert_fails_with(xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                               (uintptr_t)stack_buf), EFAULT);
    xencall_free_buffer(h, caps);
    xencall_free_buffer(h, extra);
    xencall_close(h);
}

/* One multicall entry, as the caller fills it before each use (a
 * debug Xen overwrites all but the result). */
static void set_entry(multicall_entry_t *e, uint64_t op, uint64_t arg0)
{
    memset(e, 0, sizeof(*e));
    e->op = op;
    e->args[0] = arg0;
    e->result = 0x5a5a;   /* no call leaves this */
}

/*
 * A caller's own multicall reaches Xen as the caller made it (Xen
 * refuses one made inside another, xen/common/multicall.c): the call
 * returns the multicall's own result, 0, and each entry holds its
 * call's, the failing one failing only itself; every entry ran once.
 * The multicall's own failure (a list Xen cannot read) is the call's
 * errno.
 */
static void callers_multicall(void **state)
{
    xencall_handle *h = open_logged(0);
    multicall_entry_t *calls = xencall_alloc_buffer(h, 3 * sizeof(*calls));
    multicall_entry_t *not_buffer = calloc(1, sizeof(*not_buffer));
    long rc, results[3], ran, own_rc, own_result;
    int err, own_errno;

    (void)state;
    assert_non_null(calls);
    assert_non_null(not_buffer);
    set_entry(&calls[0], __HYPERVISOR_xen_version, XENVER_version);
    set_entry(&calls[1], __HYPERVISOR_xen_version, 0x7fff);   /* no such sub-op */
    set_entry(&calls[2], __HYPERVISOR_xen_version, XENVER_pagesize);
    ran = (long)sim_xen_calls();
    errno = 0;
    rc = xencall2(h, __HYPERVISOR_multicall, (uintptr_t)calls, 3);
    err = errno;
    ran = (long)sim_xen_calls() - ran;
    results[0] = (long)calls[0].result;
    results[1] = (long)calls[1].result;
    results[2] = (long)calls[2].result;
    /* The heap, not a hypercall buffer, is out of Xen's reach. */
    set_entry(not_buffer, __HYPERVISOR_xen_version, XENVER_version);
    errno = 0;
    own_rc = xencall2(h, __HYPERVISOR_multicall, (uintptr_t)not_buffer, 1);
    own_errno = errno;
    own_result = (long)not_buffer->result;
    /* Freed before checking: a failed check leaves nothing behind. */
    free(not_buffer);
    xencall_free_buffer(h, calls);
    xencall_close(h);

    if (rc != 0)
        fail_msg("multicall returned %ld, errno %d; entries' results %#lx %#lx %#lx; "
                 "%ld calls ran", rc, err, (unsigned long)results[0],
                 (unsigned long)results[1], (unsigned long)results[2], ran);
    assert_int_equal(results[0], SIM_XEN_VERSION);
    assert_int_equal(results[1], -XEN_ENOSYS);
    assert_int_equal(results[2], 4096);
    assert_int_equal(ran, 3);
    assert_int_equal(own_rc, -1);
    assert_int_equal(own_errno, EFAULT);
    assert_int_equal(own_result, 0x5a5a);
}

/* ---- buffers ------------------------------------------------------------ */

static const size_t small_sizes[] = {
    0, 1, 15, 16, 17, 64, 4032, 4080, 4096, 3 * PAGE, 8 * PAGE, 64 * PAGE,
    100000,
};
/* Around the largest cached block, and beyond. */
static const size_t page_counts[] = {
    1, 2, 3, 8, 64, CACHE_MAX_BLOCK_PAGES, CACHE_MAX_BLOCK_PAGES + 1, 200,
};

/* The suite's buffers, numbered: each of small_sizes from
 * xencall_alloc_buffer(), then each of page_counts from
 * xencall_alloc_buffer_pages(). */
#define NBUFFERS (NELEM(small_sizes) + NELEM(page_counts))

static size_t buffer_pages(size_t i)   /* 0: a small buffer */
{
    return i < NELEM(small_sizes) ? 0 : page_counts[i - NELEM(small_sizes)];
}

static size_t buffer_len(size_t i)
{
    return i < NELEM(small_sizes) ? small_sizes[i] : buffer_pages(i) * PAGE;
}

static void *buffer_alloc(xencall_handle *h, size_t i)
{
    return buffer_pages(i) ? xencall_alloc_buffer_pages(h, buffer_pages(i))
                           : xencall_alloc_buffer(h, buffer_len(i));
}

static void buffer_free(xencall_handle *h, void *p, size_t i)
{
    if (buffer_pages(i))
        xencall_free_buffer_pages(h, p, buffer_pages(i));
    else
        xencall_free_buffer(h, p);
}

/* Zero as handed out, all of it reachable by the hypervisor. */
static void check_fresh(xencall_handle *h, void *p, size_t len)
{
    assert_true(all_bytes(p, len, 0));
    assert_int_equal(hv_fill(h, p, len, 0xa5), 0);
    assert_true(all_bytes(p, len, 0xa5));
}

/* Buffers first to last-1, each aligned to align, fresh, and freed
 * without a word logged. */
static void alloc_each(size_t first, size_t last, uintptr_t align)
{
    xencall_handle *h = open_logged(0);
    size_t i;

    for (i = first; i < last; i++) {
        void *p = buffer_alloc(h, i);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % align, 0);
        check_fresh(h, p, buffer_len(i));
        buffer_free(h, p, i);
    }
    assert_int_equal(case_log.lines, 0);
    xencall_close(h);
}

static void alloc_buffer_sizes(void **state)
{
    (void)state;
    alloc_each(0, NELEM(small_sizes), BUFFER_ALIGN);
}

static void alloc_buffer_pages_counts(void **state)
{
    (void)state;
    alloc_each(NELEM(small_sizes), NBUFFERS, PAGE);
}

/* A freed and dirtied buffer must come back zero-filled. */
static void zeroed_on_reuse(void **state)
{
    xencall_handle *h = open_logged(0);
    size_t i, round;

    (void)state;
    for (round = 0; round < 3; round++) {
        for (i = 0; i < NBUFFERS; i++) {
            unsigned char *p = buffer_alloc(h, i);

            assert_non_null(p);
            check_fresh(h, p, buffer_len(i));
            memset(p, 0xff, buffer_len(i));
            buffer_free(h, p, i);
        }
    }
    /* Across the two kinds: a page block comes back as a small buffer
     * and the other way round. */
    for (i = 0; i < 4; i++) {
        unsigned char *p = xencall_alloc_buffer_pages(h, 1), *q;

        assert_non_null(p);
        check_fresh(h, p, PAGE);
        xencall_free_buffer_pages(h, p, 1);
        q = xencall_alloc_buffer(h, 4000);
        assert_non_null(q);
        check_fresh(h, q, 4000);
        xencall_free_buffer(h, q);
    }
    xencall_close(h);
}

static void alloc_too_large(void **state)
{
    static const size_t bytes[] = {
        SIZE_MAX, SIZE_MAX - SMALL_HEADER_BYTES + 1, SIZE_MAX - PAGE,
#if SIZE_MAX > UINT32_MAX   /* above 16 GiB, where size_t can say it */
        ((size_t)1 << 44) + 100,
#endif
    };
    static const size_t pages[] = {
        SIZE_MAX, SIZE_MAX / PAGE + 1,
#if SIZE_MAX > UINT32_MAX
        ((size_t)1 << 52) + 1,
#endif
    };
    xencall_handle *h = open_logged(0);
    size_t i, mapped = sim_os_mapped_bytes();

    (void)state;
    for (i = 0; i < NELEM(bytes); i++) {
        testlog_clear(&case_log);
        errno = 0;
        assert_null(xencall_alloc_buffer(h, bytes[i]));
        assert_true(errno == ENOMEM || errno == EINVAL);
        assert_true(case_log.errors >= 1);
    }
    for (i = 0; i < NELEM(pages); i++) {
        testlog_clear(&case_log);
        errno = 0;
        assert_null(xencall_alloc_buffer_pages(h, pages[i]));
        assert_true(errno == ENOMEM || errno == EINVAL);
        assert_true(case_log.errors >= 1);
    }
    assert_int_equal(sim_os_mapped_bytes(), mapped);
    xencall_close(h);
}

static void alloc_zero_pages(void **state)
{
    xencall_handle *h = open_logged(0);
    void *p;

    (void)state;
    assert_null_with(xencall_alloc_buffer_pages(h, 0), EINVAL);
    assert_true(case_log.errors >= 1);
    /* Still refused when the cache has blocks to hand out. */
    p = xencall_alloc_buffer_pages(h, 1);
    assert_non_null(p);
    xencall_free_buffer_pages(h, p, 1);
    p = xencall_alloc_buffer(h, 0);
    assert_non_null(p);
    xencall_free_buffer(h, p);
    testlog_clear(&case_log);
    assert_null_with(xencall_alloc_buffer_pages(h, 0), EINVAL);
    assert_true(case_log.errors >= 1);
    xencall_close(h);
}

static void free_null(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    errno = EDOM;
    xencall_free_buffer(h, NULL);
    xencall_free_buffer_pages(h, NULL, 0);
    xencall_free_buffer_pages(h, NULL, 5);
    assert_int_equal(errno, EDOM);
    assert_int_equal(case_log.lines, 0);
    xencall_close(h);
}

static void free_preserves_errno(void **state)
{
    xencall_handle *h = open_logged(0);
    size_t i;

    (void)state;
    /* Small and large, so that both caching and unmapping are seen. */
    for (i = 0; i < NBUFFERS; i++) {
        void *p = buffer_alloc(h, i);

        assert_non_null(p);
        errno = EDOM;
        buffer_free(h, p, i);
        assert_int_equal(errno, EDOM);
    }
    /* After a failed hypercall, as callers do it. */
    {
        void *p = xencall_alloc_buffer(h, 100);

        assert_int_equal(xencall1(h, SIM_OP_RESULT, (uint64_t)-XEN_EBUSY), -1);
        xencall_free_buffer(h, p);
        assert_int_equal(errno, EBUSY);
    }
    xencall_close(h);
}

static void free_pages_wrong_count(void **state)
{
    static const size_t wrong[][2] = { { 3, 5 }, { 5, 3 }, { 2, 1 }, { 1, 200 } };
    xencall_handle *h = open_logged(0);
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(wrong); i++) {
        size_t real = wrong[i][0], given = wrong[i][1];
        unsigned char *p = xencall_alloc_buffer_pages(h, real), *a, *b;

        assert_non_null(p);
        memset(p, 0x5a, real * PAGE);
        testlog_clear(&case_log);
        xencall_free_buffer_pages(h, p, given);
        assert_true(case_log.errors >= 1);
        /* The cache must still hand out blocks of the right sizes. */
        a = xencall_alloc_buffer_pages(h, real);
        b = xencall_alloc_buffer_pages(h, given);
        assert_non_null(a);
        assert_non_null(b);
        check_fresh(h, a, real * PAGE);
        check_fresh(h, b, given * PAGE);
        xencall_free_buffer_pages(h, a, real);
        xencall_free_buffer_pages(h, b, given);
    }
    xencall_close(h);
}

/* Frees the small-buffer path must refuse: each is logged, and the
 * cache hands out only sound, writable, distinct blocks afterwards. */
static void free_bad_small_buffers(void **state)
{
    xencall_handle *h = open_logged(0), *other = open_logged(0);
    unsigned char *p, *a, *b;

    (void)state;
    /* Twice: the second free must not put the block in the cache again. */
    p = xencall_alloc_buffer(h, 100);
    assert_non_null(p);
    xencall_free_buffer(h, p);
    testlog_clear(&case_log);
    xencall_free_buffer(h, p);
    assert_true(case_log.errors >= 1);
    a = xencall_alloc_buffer(h, 100);
    b = xencall_alloc_buffer(h, 100);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    check_fresh(h, a, 100);
    check_fresh(h, b, 100);

    /* Written below its start: the header can no longer be trusted. */
    a[-1] = 0xff;
    testlog_clear(&case_log);
    xencall_free_buffer(h, a);
    assert_true(case_log.errors >= 1);
    p = xencall_alloc_buffer(h, 100);
    assert_non_null(p);
    assert_ptr_not_equal(p, a);
    check_fresh(h, p, 100);
    xencall_free_buffer(h, p);

    /* Through another handle: refused, and the buffer stays its owner's. */
    testlog_clear(&case_log);
    xencall_free_buffer(other, b);
    assert_true(case_log.errors >= 1);
    assert_int_equal(hv_fill(h, b, 100, 0x11), 100);
    xencall_free_buffer(h, b);
    xencall_close(h);
    /* Had other cached b, this would hand out memory h's close unmapped. */
    p = xencall_alloc_buffer(other, 100);
    assert_non_null(p);
    check_fresh(other, p, 100);
    xencall_free_buffer(other, p);
    xencall_close(other);
}

/* What the README says a second free is detected in: whenever the
 * block is back with the library, whichever call had it in between;
 * and a page buffer's, whenever the block is not a live page buffer. */
static void second_free_detected(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned char *p, *q, *a, *b;

    (void)state;
    /* Handed out again and freed again before the stale free. */
    p = xencall_alloc_buffer(h, 100);
    assert_non_null(p);
    xencall_free_buffer(h, p);
    q = xencall_alloc_buffer(h, 100);
    assert_non_null(q);
    xencall_free_buffer(h, q);
    testlog_clear(&case_log);
    xencall_free_buffer(h, p);
    assert_int_equal(case_log.errors, 1);
    a = xencall_alloc_buffer(h, 100);
    b = xencall_alloc_buffer(h, 100);
    assert_ptr_not_equal(a, b);
    xencall_free_buffer(h, a);
    xencall_free_buffer(h, b);

    /* A page buffer freed twice, and again once its block serves a
     * small buffer: refused, and the small buffer keeps its block. */
    p = xencall_alloc_buffer_pages(h, 1);
    assert_non_null(p);
    xencall_free_buffer_pages(h, p, 1);
    testlog_clear(&case_log);
    xencall_free_buffer_pages(h, p, 1);
    assert_int_equal(case_log.errors, 1);
    q = xencall_alloc_buffer(h, 100);
    assert_non_null(q);
    xencall_free_buffer_pages(h, p, 1);
    assert_int_equal(case_log.errors, 2);
    a = xencall_alloc_buffer_pages(h, 1);
    assert_non_null(a);
    assert_true(a + PAGE <= q || a > q);
    assert_int_equal(hv_fill(h, q, 100, 0x77), 0);
    check_fresh(h, a, PAGE);
    assert_true(all_bytes(q, 100, 0x77));
    xencall_free_buffer_pages(h, a, 1);
    xencall_free_buffer(h, q);
    xencall_close(h);
}

/*
 * What the README and xencall_alloc_buffer(3) say a free cannot
 * detect: a pointer freed already, once the same call has handed its
 * block out again, is the new buffer's pointer. The stale free, not
 * logged, releases the new buffer, and the next allocation hands it
 * out again while its owner still holds it, as with free(3).
 */
static void stale_free_after_reuse(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned char *a, *b, *c;

    (void)state;
    a = xencall_alloc_buffer(h, 64);
    assert_non_null(a);
    xencall_free_buffer(h, a);
    b = xencall_alloc_buffer(h, 64);
    assert_ptr_equal(a, b);   /* the cache hands the same block back */
    testlog_clear(&case_log);
    xencall_free_buffer(h, a);
    assert_int_equal(case_log.lines, 0);
    c = xencall_alloc_buffer(h, 64);
    assert_ptr_equal(c, b);
    xencall_free_buffer(h, c);

    /* The same with page buffers. */
    a = xencall_alloc_buffer_pages(h, 2);
    assert_non_null(a);
    xencall_free_buffer_pages(h, a, 2);
    b = xencall_alloc_buffer_pages(h, 2);
    assert_ptr_equal(a, b);
    xencall_free_buffer_pages(h, a, 2);
    assert_int_equal(case_log.lines, 0);
    c = xencall_alloc_buffer_pages(h, 2);
    assert_ptr_equal(c, b);
    xencall_free_buffer_pages(h, c, 2);
    xencall_close(h);
}

/* Small payloads start at one offset within a page; a pointer at any
 * other offset is refused without reading memory, even where the
 * bytes below it are not mapped. */
static void free_refuses_off_offset_pointers(void **state)
{
    static unsigned char area[2 * PAGE] __attribute__((aligned(PAGE)));
    /* Every offset in a page but the small buffer's, after its header. */
    static const size_t offsets[] = {
        0, 1, 2, 3, 8, SMALL_HEADER_BYTES - 1, SMALL_HEADER_BYTES + 1,
        2 * SMALL_HEADER_BYTES, 100, PAGE - 1,
    };
    xencall_handle *h = open_logged(0);
    unsigned char *p = xencall_alloc_buffer(h, 64);
    size_t i;

    (void)state;
    assert_non_null(p);
    /* Nothing of the area may be read: any access would fault. */
    assert_int_equal(mprotect(area, sizeof(area), PROT_NONE), 0);
    for (i = 0; i < NELEM(offsets); i++) {
        testlog_clear(&case_log);
        xencall_free_buffer(h, area + PAGE + offsets[i]);
        assert_int_equal(case_log.errors, 1);
        assert_int_equal(case_log.last_errno, EINVAL);
        /* Within a live buffer's block too: only its own pointer frees it. */
        xencall_free_buffer(h, p - (uintptr_t)p % PAGE + offsets[i]);
        assert_int_equal(case_log.errors, 2);
    }
    assert_int_equal(mprotect(area, sizeof(area), PROT_READ | PROT_WRITE), 0);
    assert_int_equal(hv_fill(h, p, 64, 0x3c), 0);
    testlog_clear(&case_log);
    xencall_free_buffer(h, p);
    assert_int_equal(case_log.lines, 0);
    xencall_close(h);
}

static void never_fault(void **state)
{
    xencall_handle *h;
    void *p;
    int rc;

    (void)state;
    rc = sim_os_set_buffer_device(1);
    h = open_logged(0);
    if (rc == 0)
        assert_int_equal(xencall_buffers_never_fault(h), 1);
    else
        assert_true(xencall_buffers_never_fault(h) == 0 ||
                    xencall_buffers_never_fault(h) == 1);
    xencall_close(h);

    if (sim_os_set_buffer_device(0) != 0)
        return;
    h = open_logged(0);
    assert_int_equal(xencall_buffers_never_fault(h), 0);
    /* Buffers from the fallback are reachable and zero all the same. */
    p = xencall_alloc_buffer(h, 5000);
    assert_non_null(p);
    check_fresh(h, p, 5000);
    xencall_free_buffer(h, p);
    p = xencall_alloc_buffer_pages(h, 3);
    assert_non_null(p);
    check_fresh(h, p, 3 * PAGE);
    xencall_free_buffer_pages(h, p, 3);
    xencall_close(h);
}

static void fd_query(void **state)
{
    xencall_handle *h = open_logged(0);
    int fd = xencall_fd(h);

    (void)state;
    if (sim_os_open_handles() > 0)
        assert_true(fd >= 0);
    else
        assert_int_equal(fd, -1);
    assert_int_equal(xencall_fd(h), fd);
    xencall_close(h);
}

static void close_releases_everything(void **state)
{
    xencall_handle *h;
    void *keep[8];
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        int flags = i ? XENCALL_OPENFLAG_NON_REENTRANT : 0;
        size_t j;

        h = open_logged((unsigned)flags);
        /* Some freed (cached), some still with the caller. */
        for (j = 0; j < NELEM(small_sizes); j++)
            xencall_free_buffer(h, xencall_alloc_buffer(h, small_sizes[j]));
        for (j = 0; j < 4; j++)
            xencall_free_buffer_pages(h, xencall_alloc_buffer_pages(h, j + 1), j + 1);
        for (j = 0; j < 4; j++)
            keep[j] = xencall_alloc_buffer(h, 1000 * j);
        for (j = 4; j < 8; j++)
            keep[j] = xencall_alloc_buffer_pages(h, j);
        for (j = 0; j < 8; j++)
            assert_non_null(keep[j]);
        assert_true(sim_os_mapped_bytes() > 0);
        assert_int_equal(xencall_close(h), 0);
        assert_int_equal(sim_os_mapped_bytes(), 0);
        assert_int_equal(sim_os_open_handles(), 0);
    }
}

/* Small deterministic generator, so failures reproduce. */
static unsigned next_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* What the cache may hold (src/buffer-sizes.h), and a page more. */
#define CACHE_BOUND (CACHE_SLOTS * CACHE_SLOT_BUDGET + PAGE)

/* What a block of nr Xen pages holds of the OS's memory: whole pages
 * of the OS's kernel, which may be larger (Linux on arm64: 16 KiB). */
static size_t os_bytes(size_t nr)
{
    size_t os_page = (size_t)sysconf(_SC_PAGESIZE);

    return (nr * PAGE + os_page - 1) / os_page * os_page;
}

static void churn(xencall_handle *h, unsigned seed, int iterations)
{
    enum { LIVE = 16 };
    void *live[LIVE] = { 0 };
    size_t npages[LIVE] = { 0 };
    int i, k;

    for (i = 0; i < iterations; i++) {
        unsigned r = next_rand(&seed);

        k = (int)(r % LIVE);
        if (live[k]) {
            if (npages[k])
                xencall_free_buffer_pages(h, live[k], npages[k]);
            else
                xencall_free_buffer(h, live[k]);
            live[k] = NULL;
        }
        if ((r >> 4) & 1) {
            npages[k] = 1 + next_rand(&seed) % 140;
            live[k] = xencall_alloc_buffer_pages(h, npages[k]);
        } else {
            npages[k] = 0;
            live[k] = xencall_alloc_buffer(h, next_rand(&seed) % (40 * PAGE));
        }
        assert_non_null(live[k]);
    }
    for (k = 0; k < LIVE; k++) {
        if (npages[k])
            xencall_free_buffer_pages(h, live[k], npages[k]);
        else
            xencall_free_buffer(h, live[k]);
    }
}

static void cache_is_bounded(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    churn(h, 1, 3000);
    assert_true(sim_os_mapped_bytes() <= CACHE_BOUND);
    churn(h, 2, 3000);
    assert_true(sim_os_mapped_bytes() <= CACHE_BOUND);
    xencall_close(h);
}

/*
 * The bound is on the OS's memory, and a block holds whole pages of
 * the OS's kernel: where those are larger than Xen's (Linux on arm64:
 * 16 KiB), a one-page buffer holds a whole 16 KiB. A thread per slot
 * of the cache (src/buffer-sizes.h), each freeing more one-page
 * buffers than a slot may keep.
 */
#define SMALL_FREED ((int)(CACHE_SLOT_BUDGET / PAGE) + 32)

struct small_freer {
    xencall_handle *h;
    int failures;
};

static void *free_many_small(void *arg)
{
    struct small_freer *f = arg;
    void *p[SMALL_FREED];
    int i;

    for (i = 0; i < SMALL_FREED; i++)
        f->failures += !(p[i] = xencall_alloc_buffer(f->h, 64));
    for (i = 0; i < SMALL_FREED; i++)
        xencall_free_buffer(f->h, p[i]);
    return NULL;
}

static void cache_bound_counts_os_pages(void **state)
{
    xencall_handle *h = open_logged(0);
    size_t own = sim_os_mapped_bytes();   /* the backend's own (FreeBSD) */
    struct small_freer f[CACHE_SLOTS];
    int i;

    (void)state;
    for (i = 0; i < CACHE_SLOTS; i++) {
        f[i].h = h;
        f[i].failures = 0;
    }
    assert_int_equal(proc_run_threads(CACHE_SLOTS, free_many_small, f, sizeof(f[0])), 0);
    for (i = 0; i < CACHE_SLOTS; i++)
        assert_int_equal(f[i].failures, 0);
    assert_in_range(sim_os_mapped_bytes() - own, 0, CACHE_BOUND);
    xencall_close(h);
}

/* The cache must never make an allocation fail that would succeed
 * without it: when the OS refuses a mapping, what the cache holds goes
 * back to the OS and the mapping is tried once more. */
static void cache_given_back_when_mapping_fails(void **state)
{
    xencall_handle *h = open_logged(0);
    size_t own = sim_os_mapped_bytes();   /* the backend's own (FreeBSD) */
    void *p;

    (void)state;
    xencall_free_buffer_pages(h, xencall_alloc_buffer_pages(h, 3), 3);
    xencall_free_buffer(h, xencall_alloc_buffer(h, 5000));
    assert_int_equal(sim_os_mapped_bytes(), own + os_bytes(3) + os_bytes(2));
    assert_int_equal(sim_os_fail_nth("mmap", 1, ENOMEM), 0);
    p = xencall_alloc_buffer_pages(h, 7);   /* none cached: a mapping */
    assert_non_null(p);
    assert_int_equal(sim_os_mapped_bytes(), own + os_bytes(7));
    check_fresh(h, p, 7 * PAGE);
    /* With nothing cached to give back, a refusal is final. */
    testlog_clear(&case_log);
    assert_int_equal(sim_os_fail_nth("mmap", 1, ENOMEM), 0);
    assert_null_with(xencall_alloc_buffer_pages(h, 2), ENOMEM);
    assert_true(case_log.errors >= 1);
    xencall_free_buffer_pages(h, p, 7);
    xencall_close(h);
}

/*
 * Locked memory is counted per process, not per handle: when the OS
 * refuses a mapping, what every other handle of the process has cached
 * gives way too before the second try. Except a NON_REENTRANT handle's
 * cache, which takes no lock and so no other thread may touch: only
 * its own allocations make it give way.
 */
static void other_caches_give_way(unsigned flags_a, unsigned flags_b)
{
    xencall_handle *a = open_logged(flags_a), *b = open_logged(flags_b);
    size_t own = sim_os_mapped_bytes();   /* the backend's own (FreeBSD) */
    void *p;

    xencall_free_buffer_pages(a, xencall_alloc_buffer_pages(a, 3), 3);
    xencall_free_buffer(a, xencall_alloc_buffer(a, 5000));
    assert_int_equal(sim_os_mapped_bytes(), own + os_bytes(3) + os_bytes(2));
    assert_int_equal(sim_os_fail_nth("mmap", 1, ENOMEM), 0);
    if (flags_a & XENCALL_OPENFLAG_NON_REENTRANT) {
        assert_null_with(xencall_alloc_buffer_pages(b, 7), ENOMEM);
        assert_int_equal(sim_os_mapped_bytes(), own + os_bytes(3) + os_bytes(2));
    } else {
        p = xencall_alloc_buffer_pages(b, 7);   /* b has nothing cached */
        assert_non_null(p);
        assert_int_equal(sim_os_mapped_bytes(), own + os_bytes(7));
        check_fresh(b, p, 7 * PAGE);
        xencall_free_buffer_pages(b, p, 7);
    }
    /* a works on as before, whatever its cache did. */
    p = xencall_alloc_buffer_pages(a, 3);
    assert_non_null(p);
    check_fresh(a, p, 3 * PAGE);
    xencall_free_buffer_pages(a, p, 3);
    xencall_close(b);
    xencall_close(a);
}

static void other_handles_caches_give_way(void **state)
{
    (void)state;
    other_caches_give_way(0, 0);
}

static void other_caches_give_way_to_non_reentrant(void **state)
{
    (void)state;
    other_caches_give_way(0, XENCALL_OPENFLAG_NON_REENTRANT);
}

static void non_reentrant_cache_gives_way_to_itself_only(void **state)
{
    xencall_handle *nr;
    void *p;

    (void)state;
    other_caches_give_way(XENCALL_OPENFLAG_NON_REENTRANT, 0);
    /* Its own refused mapping does release it. */
    nr = open_logged(XENCALL_OPENFLAG_NON_REENTRANT);
    xencall_free_buffer_pages(nr, xencall_alloc_buffer_pages(nr, 3), 3);
    assert_int_equal(sim_os_fail_nth("mmap", 1, ENOMEM), 0);
    p = xencall_alloc_buffer_pages(nr, 2);
    assert_non_null(p);
    xencall_free_buffer_pages(nr, p, 2);
    xencall_close(nr);
}

/* ---- fork ---------------------------------------------------------------- */

/* Runs in the child: only plain checks, an exit code says what failed. */
static int child_after_fork(void *arg)
{
    xencall_handle *inherited = arg, *own;
    void *p;

    if (xencall_close(inherited) != 0)
        return 10;
    if (sim_os_open_handles() != 0)
        return 11;
    own = xencall_open(NULL, 0);
    if (!own)
        return 12;
    if (xencall1(own, SIM_OP_RESULT, 77) != 77)
        return 13;
    p = xencall_alloc_buffer(own, 300);
    if (!p || !all_bytes(p, 300, 0))
        return 14;
    if (xencall3(own, SIM_OP_FILL, (uintptr_t)p, 300, 0x11) != 0 ||
        !all_bytes(p, 300, 0x11))
        return 15;
    xencall_free_buffer(own, p);
    if (xencall_close(own) != 0)
        return 16;
    if (sim_os_open_handles() != 0)
        return 17;
    return 0;
}

static void fork_child_closes(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned char *small = xencall_alloc_buffer(h, 200);
    unsigned char *pages = xencall_alloc_buffer_pages(h, 2);
    unsigned char *cached = xencall_alloc_buffer(h, 5000);

    (void)state;
    assert_non_null(small);
    assert_non_null(pages);
    assert_non_null(cached);
    xencall_free_buffer(h, cached);   /* so a cached block exists too */
    memset(small, 0x3c, 200);
    memset(pages, 0x4d, 2 * PAGE);

    assert_int_equal(proc_run_child(child_after_fork, h, CHILD_SECONDS), 0);

    /* The parent's handle and buffers are untouched by the child. */
    assert_true(all_bytes(small, 200, 0x3c));
    assert_true(all_bytes(pages, 2 * PAGE, 0x4d));
    assert_int_equal(hv_fill(h, small, 200, 0), 200);
    assert_int_equal(hv_fill(h, pages, 2 * PAGE, 0), (long)(2 * PAGE));
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 5), 5);
    cached = xencall_alloc_buffer(h, 5000);
    assert_non_null(cached);
    check_fresh(h, cached, 5000);
    xencall_free_buffer(h, cached);
    xencall_free_buffer(h, small);
    xencall_free_buffer_pages(h, pages, 2);
    small = xencall_alloc_buffer(h, 200);
    assert_non_null(small);
    check_fresh(h, small, 200);
    xencall_free_buffer(h, small);
    xencall_close(h);
}

static int child_exits_at_once(void *arg)
{
    (void)arg;
    return 0;
}

/* A child that never closes leaves the parent alone as well. */
static void fork_child_exits(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned char *p = xencall_alloc_buffer(h, 64);

    (void)state;
    assert_non_null(p);
    memset(p, 7, 64);
    assert_int_equal(proc_run_child(child_exits_at_once, NULL, CHILD_SECONDS), 0);
    assert_true(all_bytes(p, 64, 7));
    assert_int_equal(hv_fill(h, p, 64, 0), 64);
    xencall_free_buffer(h, p);
    xencall_close(h);
}

/*
 * In a forked child, a refused mapping makes the caches of the handles
 * the child opened give way, never one it inherited: that one's blocks
 * are the parent's (the child has none of them; the addresses may hold
 * the child's own memory by now) and its locks may be held by threads
 * the child does not have.
 */
static int child_mapping_refused(void *arg)
{
    xencall_handle *inherited = arg, *x = xencall_open(NULL, 0),
                   *y = xencall_open(NULL, 0);
    unsigned char *q, *r;
    size_t mapped;

    if (!x || !y)
        return 10;
    /* Likely where the inherited handle's cached block was: that
     * address range is free in the child. */
    q = xencall_alloc_buffer_pages(x, 4);
    if (!q)
        return 11;
    memset(q, 0x5e, 4 * PAGE);
    xencall_free_buffer_pages(y, xencall_alloc_buffer_pages(y, 2), 2);
    mapped = sim_os_mapped_bytes();
    if (sim_os_fail_nth("mmap", 1, ENOMEM) != 0)
        return 12;
    r = xencall_alloc_buffer_pages(x, 3);
    if (!r)
        return 13;   /* y's cache did not give way */
    if (sim_os_mapped_bytes() != mapped - os_bytes(2) + os_bytes(3))
        return 14;
    if (!all_bytes(q, 4 * PAGE, 0x5e) || hv_fill(x, q, 4 * PAGE, 0) != (long)(4 * PAGE))
        return 15;
    xencall_free_buffer_pages(x, r, 3);
    xencall_free_buffer_pages(x, q, 4);
    if (xencall_close(y) || xencall_close(x) || xencall_close(inherited))
        return 16;
    return 0;
}

static void fork_child_mapping_refused(void **state)
{
    xencall_handle *h = open_logged(0);
    unsigned char *p;

    (void)state;
    xencall_free_buffer_pages(h, xencall_alloc_buffer_pages(h, 4), 4);
    assert_int_equal(proc_run_child(child_mapping_refused, h, CHILD_SECONDS), 0);
    /* The parent's cached block is whole. */
    p = xencall_alloc_buffer_pages(h, 4);
    assert_non_null(p);
    check_fresh(h, p, 4 * PAGE);
    xencall_free_buffer_pages(h, p, 4);
    xencall_close(h);
}

/* ---- threads ------------------------------------------------------------- */

#define NTHREADS 8

#define NROUNDS 300

struct worker {
    xencall_handle *h;     /* shared, or NULL: open one of its own */
    unsigned id;
    int failures;
    int rounds;            /* done: NROUNDS once the worker ran */
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    xencall_handle *h = w->h;
    unsigned seed = w->id * 7919u + 1;
    unsigned char fill = (unsigned char)(0x10 + w->id);
    int i;

    if (!h) {
        h = xencall_open(&case_log.vtable, XENCALL_OPENFLAG_NON_REENTRANT);
        if (!h) {
            w->failures++;
            return NULL;
        }
    }
    for (i = 0; i < NROUNDS; i++) {
        unsigned r = next_rand(&seed);
        size_t npages = 0, len;
        unsigned char *p;

        if (r & 1) {
            npages = 1 + r % 5;
            len = npages * PAGE;
            p = xencall_alloc_buffer_pages(h, npages);
        } else {
            len = r % (3 * PAGE);
            p = xencall_alloc_buffer(h, len);
        }
        if (!p) {
            w->failures++;
            continue;
        }
        /* Zero on arrival, the hypervisor sees it, and our data stays
         * ours while other threads work. */
        if (!all_bytes(p, len, 0) ||
            xencall3(h, SIM_OP_FILL, (uintptr_t)p, len, fill) != 0 ||
            !all_bytes(p, len, fill) ||
            xencall1(h, SIM_OP_RESULT, w->id * 1000u + (unsigned)i) !=
                (int)(w->id * 1000u + (unsigned)i))
            w->failures++;
        if (xencall3(h, SIM_OP_FILL, (uintptr_t)p, len, fill) != (int)len)
            w->failures++;
        if (npages)
            xencall_free_buffer_pages(h, p, npages);
        else
            xencall_free_buffer(h, p);
        w->rounds++;
    }
    if (!w->h)
        xencall_close(h);
    return NULL;
}

static void run_workers(xencall_handle *shared)
{
    struct worker w[NTHREADS];
    int i;

    for (i = 0; i < NTHREADS; i++) {
        w[i].h = shared;
        w[i].id = (unsigned)i + 1;
        w[i].failures = 0;
        w[i].rounds = 0;
    }
    assert_int_equal(proc_run_threads(NTHREADS, worker_main, w, sizeof(w[0])), 0);
    for (i = 0; i < NTHREADS; i++) {
        assert_int_equal(w[i].failures, 0);
        assert_int_equal(w[i].rounds, NROUNDS);
    }
}

static void threads_share_handle(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    run_workers(h);
    assert_int_equal(case_log.lines, 0);
    assert_true(sim_os_mapped_bytes() <= CACHE_BOUND);
    xencall_close(h);
}

static void threads_own_handles(void **state)
{
    (void)state;
    run_workers(NULL);
    /* Nothing but each close's cache statistics, at debug level. */
    assert_int_equal(case_log.lines, case_log.debugs);
}

/* ---- restriction ---------------------------------------------------------- */

static void check_restricted(xencall_handle *h)
{
    unsigned long n = sim_xen_calls();
    void *p;

    assert_fails_with(xencall0(h, SIM_OP_RESULT), EPERM);
    assert_fails_with(xencall5(h, SIM_OP_RESULT, 1, 2, 3, 4, 5), EPERM);
    assert_fails_with(xencall2L(h, SIM_OP_RESULT, 1, 2), EPERM);
    assert_int_equal(sim_xen_calls(), n);   /* none reached Xen */

    /* Buffers still work. */
    p = xencall_alloc_buffer(h, 3000);
    assert_non_null(p);
    assert_true(all_bytes(p, 3000, 0));
    xencall_free_buffer(h, p);
    p = xencall_alloc_buffer_pages(h, 2);
    assert_non_null(p);
    assert_true(all_bytes(p, 2 * PAGE, 0));
    xencall_free_buffer_pages(h, p, 2);
}

static void restrict_common(void)
{
    xencall_handle *h = open_logged(0), *nr = open_logged(XENCALL_OPENFLAG_NON_REENTRANT);
    void *cached = xencall_alloc_buffer(h, 100);

    assert_non_null(cached);
    xencall_free_buffer(h, cached);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 8), 8);
    assert_int_equal(xentoolcore_restrict_all(1), 0);
    check_restricted(h);
    check_restricted(nr);
    assert_int_equal(xencall_close(nr), 0);
    assert_int_equal(xencall_close(h), 0);
    assert_int_equal(sim_os_open_handles(), 0);

    /* Handles opened afterwards are not restricted. */
    h = open_logged(0);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 9), 9);
    xencall_close(h);
}

static void restrict_with_kernel_support(void **state)
{
    (void)state;
    sim_os_set_kernel_restrict(1);
    restrict_common();
}

static void restrict_without_kernel_support(void **state)
{
    (void)state;
    sim_os_set_kernel_restrict(0);
    restrict_common();
}

/* A forked child that restricts (as a daemon deprivileges a worker)
 * changes nothing for its parent's handle. */
static int child_restricts(void *arg)
{
    xencall_handle *inherited = arg;

    if (xentoolcore_restrict_all(3) != 0)
        return 10;
    if (xencall1(inherited, SIM_OP_RESULT, 1) != -1 || errno != EPERM)
        return 11;
    return xencall_close(inherited) == 0 ? 0 : 12;
}

static void restrict_in_child_leaves_parent(void **state)
{
    xencall_handle *h = open_logged(0);

    (void)state;
    assert_int_equal(proc_run_child(child_restricts, h, CHILD_SECONDS), 0);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 12), 12);
    assert_int_equal(case_log.errors, 0);
    xencall_close(h);
}

/* ---- main ----------------------------------------------------------------- */

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(open_null_logger),
        CASE(open_uses_callers_logger),
        CASE(open_bad_flags),
        CASE(open_without_xen),
        CASE(close_null),
        CASE(hypercall_arguments),
        CASE(hypercall_op_number),
        CASE(hypercall_errors),
        CASE(hypercall_overflow),
        CASE(hypercall_wide_result),
        CASE(hypercalls_never_log),
        CASE(xen_version_queries),
        CASE(callers_multicall),
        CASE(alloc_buffer_sizes),
        CASE(alloc_buffer_pages_counts),
        CASE(zeroed_on_reuse),
        CASE(alloc_too_large),
        CASE(alloc_zero_pages),
        CASE(free_null),
        CASE(free_preserves_errno),
        CASE(free_pages_wrong_count),
        CASE(free_bad_small_buffers),
        CASE(free_refuses_off_offset_pointers),
        CASE(second_free_detected),
        CASE(stale_free_after_reuse),
        CASE(never_fault),
        CASE(fd_query),
        CASE(close_releases_everything),
        CASE(cache_is_bounded),
        CASE(cache_bound_counts_os_pages),
        CASE(cache_given_back_when_mapping_fails),
        CASE(other_handles_caches_give_way),
        CASE(other_caches_give_way_to_non_reentrant),
        CASE(non_reentrant_cache_gives_way_to_itself_only),
        CASE(threads_share_handle),
        CASE(threads_own_handles),
        CASE(restrict_with_kernel_support),
        CASE(restrict_without_kernel_support),
    };
    /* Only where the OS has fork(). */
    const struct CMUnitTest fork_tests[] = {
        CASE(fork_child_closes),
        CASE(fork_child_exits),
        CASE(fork_child_mapping_refused),
        CASE(restrict_in_child_leaves_parent),
    };
    const size_t nr_tests = sizeof(tests) / sizeof(tests[0]);
    const size_t nr_fork_tests = sizeof(fork_tests) / sizeof(fork_tests[0]);
    struct CMUnitTest all[sizeof(tests) / sizeof(tests[0]) +
                          sizeof(fork_tests) / sizeof(fork_tests[0])];
    size_t nr_all = nr_tests;

    memcpy(all, tests, sizeof(tests));
    if (sim_os_has_fork()) {
        memcpy(all + nr_tests, fork_tests, sizeof(fork_tests));
        nr_all += nr_fork_tests;
    } else {
        printf("# %s has no fork(): its %zu fork cases do not apply\n",
               sim_os_name, nr_fork_tests);
    }
    return _cmocka_run_group_tests(sim_os_name, all, nr_all,
                                   case_group_setup, case_group_teardown);
}
