/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile limits: a tiny RLIMIT_MEMLOCK, RLIMIT_NOFILE exhausted, a
 * buffer device refusing large mappings, the hypercall ioctl giving
 * EINTR/EAGAIN. Each failure must be the documented one, logged where
 * the API logs, and leave the handle usable. A cmocka group; a case
 * that lowers RLIMIT_MEMLOCK does so in a child, which reports by its
 * exit status.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <cmocka.h>
#include <xencall.h>
#include <xentoolcore.h>

#include "buffer-sizes.h"   /* the library's: the small buffer's header */
#include "../helpers/case.h"
#include "../helpers/check.h"
#include "../helpers/fi.h"
#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

static struct rlimit nofile_saved;

static int limits_setup(void **state)
{
    fi_reset();
    getrlimit(RLIMIT_NOFILE, &nofile_saved);
    return case_setup(state);
}

/* Whatever a case lowered or armed is put back, even when it failed. */
static int limits_teardown(void **state)
{
    fi_disarm_all();
    fi_set_mmap_limit(0, 0);
    setrlimit(RLIMIT_NOFILE, &nofile_saved);
    sim_os_set_kernel_restrict(1);
    assert_int_equal(fi_mapped_bytes(), 0);
    return case_teardown(state);
}

static void check_usable(xencall_handle *h)
{
    void *b = xencall_alloc_buffer(h, 64);

    assert_non_null(b);
    xencall_free_buffer(h, b);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 3), 3);
}

/* ---- RLIMIT_MEMLOCK, in a child ------------------------------------- */

/* Root ignores RLIMIT_MEMLOCK (CAP_IPC_LOCK): give the capability up
 * in a child, as a daemon running without it would be. */
static int drop_ipc_lock(void)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &hdr, data, 0L, 0L, 0L, 0L) < 0)
        return -1;
    data[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
    data[CAP_IPC_LOCK / 32].permitted &= ~(1u << (CAP_IPC_LOCK % 32));
    return syscall(SYS_capset, &hdr, data, 0L, 0L, 0L, 0L) < 0 ? -1 : 0;
}

/* A child with RLIMIT_MEMLOCK at bytes and locked memory for buffers;
 * NULL if that could not be arranged. */
static xencall_handle *memlock_limited(rlim_t bytes)
{
    struct rlimit rl = { bytes, bytes };

    if (drop_ipc_lock() < 0 || setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
        return NULL;
    fi_set_real_mlock(1);
    sim_os_set_buffer_device(0);
    return xencall_open(&case_log.vtable, 0);
}

/* Children exit 0, or 10 + a mask of the checks that failed (below
 * 10: they could not set themselves up). With 64 KiB locked at most,
 * 2 pages fit and 64 (256 KiB) do not: bits 0-3 are the refusal, the
 * others what follows it. */
#define MEMLOCK_REFUSAL 0x0f
#define MEMLOCK_AFTER_REFUSAL 0x70

static int memlock_tiny_child(void *arg)
{
    xencall_handle *h = memlock_limited(64 * 1024);
    unsigned long errors;
    void *small, *big, *b;
    int e, bad = 0;

    (void)arg;
    if (!h)
        return 2;
    small = xencall_alloc_buffer_pages(h, 2);
    bad |= !small;
    errors = case_log.errors;
    errno = 0;
    big = xencall_alloc_buffer_pages(h, 64);
    e = errno;
    bad |= (big != NULL) << 1;
    bad |= !(e == ENOMEM || e == EPERM || e == EAGAIN) << 2;
    bad |= !(case_log.errors > errors &&
             strstr(case_log.last, "RLIMIT_MEMLOCK")) << 3;
    b = xencall_alloc_buffer(h, 64);
    bad |= !(b && xencall1(h, SIM_OP_RESULT, 3) == 3) << 4;
    xencall_free_buffer(h, b);
    xencall_free_buffer_pages(h, small, 2);
    /* What the failure left is given back: the small one fits again. */
    small = xencall_alloc_buffer_pages(h, 2);
    bad |= !small << 5;
    xencall_free_buffer_pages(h, small, 2);
    xencall_close(h);
    bad |= (sim_os_mapped_bytes() != 0) << 6;
    return bad ? 10 + bad : 0;
}

/*
 * Cached blocks stay locked: with the limit at 1 MiB, a freed 128-page
 * block (kept by the cache) and a fresh 150-page one do not both fit.
 * The cache must give its block back rather than fail the request.
 */
static int memlock_cache_child(void *arg)
{
    xencall_handle *h = memlock_limited(1024 * 1024);
    void *p, *b;
    int bad = 0;

    (void)arg;
    if (!h)
        return 2;
    p = xencall_alloc_buffer_pages(h, 128);
    bad |= !p;
    xencall_free_buffer_pages(h, p, 128);
    /* Cached, so still locked. */
    bad |= (fi_mapped_bytes() != (long)(128 * PAGE)) << 1;
    p = xencall_alloc_buffer_pages(h, 150);
    bad |= !p << 2;
    bad |= (fi_mapped_bytes() != (p ? (long)(150 * PAGE) : 0)) << 3;
    xencall_free_buffer_pages(h, p, 150);
    b = xencall_alloc_buffer(h, 64);
    bad |= !(b && xencall1(h, SIM_OP_RESULT, 3) == 3) << 4;
    xencall_free_buffer(h, b);
    xencall_close(h);
    bad |= (fi_mapped_bytes() != 0) << 5;
    return bad ? 10 + bad : 0;
}

/*
 * Locked memory is counted per process: handle a frees 128 one-page
 * buffers (its cache keeps them, still locked), then handle b asks
 * for 200 pages under a 1 MiB (256-page) limit. It fits once a's cache
 * is gone, so a's cache must give way to b (as QEMU's two handles, one
 * from libxenctrl and one from libxendevicemodel, would need).
 */
static int memlock_two_handles_child(void *arg)
{
    xencall_handle *a = memlock_limited(1024 * 1024), *b;
    void *p[128], *big;
    int i, bad = 0;

    (void)arg;
    if (!a)
        return 2;
    b = xencall_open(&case_log.vtable, 0);
    if (!b)
        return 3;
    for (i = 0; i < 128; i++)
        bad |= !(p[i] = xencall_alloc_buffer_pages(a, 1));
    for (i = 0; i < 128; i++)
        xencall_free_buffer_pages(a, p[i], 1);
    bad |= (fi_mapped_bytes() != (long)(128 * PAGE)) << 1;
    big = xencall_alloc_buffer_pages(b, 200);
    bad |= !big << 2;
    bad |= (fi_mapped_bytes() != (long)((big ? 200 : 128) * PAGE)) << 3;
    xencall_free_buffer_pages(b, big, 200);
    /* a works on, its cache gone. */
    p[0] = xencall_alloc_buffer_pages(a, 1);
    bad |= !p[0] << 4;
    xencall_free_buffer_pages(a, p[0], 1);
    xencall_close(b);
    xencall_close(a);
    bad |= (fi_mapped_bytes() != 0) << 5;
    return bad ? 10 + bad : 0;
}

/* Runs child in a process of its own, a minute at most; none of the
 * checks in mask may have failed there. */
static void check_child(int (*child)(void *arg), int mask)
{
    int code = proc_run_child(child, NULL, 60), failed;

    assert_true(code == 0 || (code >= 10 && code <= 255));
    failed = code ? (code - 10) & mask : 0;
    if (failed)
        print_error("child's checks failed: mask %#x\n", failed);
    assert_int_equal(failed, 0);
}

static void memlock_refused(void **state)
{
    (void)state;
    check_child(memlock_tiny_child, MEMLOCK_REFUSAL);
}

static void memlock_after_refusal(void **state)
{
    (void)state;
    check_child(memlock_tiny_child, MEMLOCK_AFTER_REFUSAL);
}

static void memlock_cache_gives_back(void **state)
{
    (void)state;
    check_child(memlock_cache_child, ~0);
}

static void memlock_other_cache_gives_back(void **state)
{
    (void)state;
    check_child(memlock_two_handles_child, ~0);
}

/* A child that cannot set its RLIMIT_MEMLOCK to bytes (a user without
 * CAP_SYS_RESOURCE under a lower hard limit, as in a build daemon's
 * chroot) cannot run a case: why not, or NULL when it can. */
static int memlock_settable_child(void *arg)
{
    rlim_t bytes = *(rlim_t *)arg;
    struct rlimit rl = { bytes, bytes };

    if (drop_ipc_lock() < 0)
        return 1;
    return setrlimit(RLIMIT_MEMLOCK, &rl) < 0 ? 2 : 0;
}

static const char *memlock_unsettable(rlim_t bytes)
{
    static char why[160];
    struct rlimit rl;
    int code = proc_run_child(memlock_settable_child, &bytes, 60);

    if (code == 0)
        return NULL;
    if (code == 1)
        return "cannot give up CAP_IPC_LOCK (capset refused)";
    getrlimit(RLIMIT_MEMLOCK, &rl);
    snprintf(why, sizeof(why), "RLIMIT_MEMLOCK cannot be set to %lu KiB here"
             " (hard limit %lu KiB; raising it needs CAP_SYS_RESOURCE)",
             (unsigned long)(bytes / 1024), (unsigned long)(rl.rlim_max / 1024));
    return why;
}

static void memlock_skipped(void **state)
{
    (void)state;
}

/* A case the machine cannot run keeps its place, named with TAP's SKIP
 * directive and the reason (automake counts it skipped), and does
 * nothing: cmocka 1.1.5's skip() would print "not ok". */
static void skip_if_unsettable(struct CMUnitTest *t, rlim_t bytes, char *name, size_t len)
{
    const char *why = memlock_unsettable(bytes);

    if (!why)
        return;
    snprintf(name, len, "%s # SKIP %s", t->name, why);
    t->name = name;
    t->test_func = memlock_skipped;
}

/* ---- RLIMIT_NOFILE --------------------------------------------------- */

/* Lowers RLIMIT_NOFILE to leave left descriptors free (the teardown
 * restores it). */
static void leave_descriptors(int left)
{
    struct rlimit rl = nofile_saved;
    int lowest_free = dup(0);   /* tells how many are in use */

    assert_true(lowest_free >= 0);
    close(lowest_free);
    rl.rlim_cur = (rlim_t)(lowest_free + left);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void nofile_open_fails(void **state)
{
    unsigned long errors = case_log.errors;

    (void)state;
    leave_descriptors(0);
    assert_null_with(xencall_open(&case_log.vtable, 0), EMFILE);
    assert_true(case_log.errors > errors);
    assert_int_equal(case_log.last_errno, EMFILE);
}

/* One descriptor: privcmd opens, the buffer device cannot; the handle
 * falls back to locked memory. */
static void nofile_one_left_falls_back(void **state)
{
    xencall_handle *h;

    (void)state;
    leave_descriptors(1);
    h = open_logged(0);
    assert_int_equal(xencall_buffers_never_fault(h), 0);
    check_usable(h);
    xencall_close(h);
}

/* A handle opened with one descriptor left, which restriction without
 * the kernel's ioctl then needs for /dev/null: it fails EMFILE. */
static xencall_handle *open_then_fail_restriction(void)
{
    xencall_handle *h;
    unsigned long errors;

    leave_descriptors(1);
    h = open_logged(0);
    sim_os_set_kernel_restrict(0);
    errors = case_log.errors;
    assert_fails_with(xentoolcore_restrict_all(3), EMFILE);
    assert_true(case_log.errors > errors);
    return h;
}

static void nofile_restriction_fails(void **state)
{
    (void)state;
    xencall_close(open_then_fail_restriction());
}

/* The library fails closed: a handle whose restriction failed refuses
 * hypercalls all the same. */
static void nofile_failed_restriction_refuses(void **state)
{
    xencall_handle *h = open_then_fail_restriction();

    (void)state;
    assert_fails_with(xencall1(h, SIM_OP_RESULT, 1), EPERM);
    xencall_close(h);
}

static void nofile_raised_again(void **state)
{
    xencall_handle *h;

    (void)state;
    leave_descriptors(0);
    assert_null(xencall_open(&case_log.vtable, 0));
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &nofile_saved), 0);
    h = open_logged(0);
    check_usable(h);
    xencall_close(h);
}

/* ---- a buffer device refusing large mappings ------------------------ */

static void refused_alloc_buffer(void **state)
{
    const int *err = *state;
    xencall_handle *h = open_logged(0);
    unsigned long errors;
    void *small;

    fi_set_mmap_limit(16 * PAGE, *err);
    small = xencall_alloc_buffer(h, 5000);
    assert_non_null(small);
    errors = case_log.errors;
    assert_null_with(xencall_alloc_buffer(h, 200000), *err);
    assert_true(case_log.errors > errors);
    check_usable(h);
    xencall_free_buffer(h, small);
    xencall_close(h);
}

static void refused_alloc_buffer_pages(void **state)
{
    const int *err = *state;
    xencall_handle *h = open_logged(0);

    fi_set_mmap_limit(16 * PAGE, *err);
    assert_null_with(xencall_alloc_buffer_pages(h, 17), *err);
    xencall_close(h);
}

static void refusal_lifted(void **state)
{
    const int *err = *state;
    xencall_handle *h = open_logged(0);
    void *big;

    fi_set_mmap_limit(16 * PAGE, *err);
    assert_null(xencall_alloc_buffer_pages(h, 17));
    fi_set_mmap_limit(0, 0);
    big = xencall_alloc_buffer_pages(h, 17);
    assert_non_null(big);
    xencall_free_buffer_pages(h, big, 17);
    xencall_close(h);
}

/* ---- the hypercall ioctl interrupted -------------------------------- */

/* The kernel never returns EINTR/EAGAIN from the hypercall ioctl by
 * itself (Xen continues long hypercalls); if it did, the library
 * passes the error on and never repeats a hypercall, which may have
 * had effects already. */
static void interrupt_one_hypercall(xencall_handle *h, int err)
{
    unsigned long calls = sim_xen_calls(), lines = case_log.lines;

    fi_arm(FI_SYSCALL, 1, err, 0);
    assert_fails_with(xencall1(h, SIM_OP_RESULT, 8), err);
    fi_disarm_all();
    assert_int_equal(sim_xen_calls(), calls);   /* not retried */
    assert_int_equal(case_log.lines, lines);        /* not logged */
}

static void interrupted_passed_through(void **state)
{
    const int *err = *state;
    xencall_handle *h = open_logged(0);

    interrupt_one_hypercall(h, *err);
    xencall_close(h);
}

static void interrupted_then_usable(void **state)
{
    const int *err = *state;
    xencall_handle *h = open_logged(0);

    interrupt_one_hypercall(h, *err);
    check_usable(h);
    xencall_close(h);
}

/* ---- size limits right for this build's size_t ---------------------- */

/*
 * "header": the one before a small buffer (src/buffer-sizes.h).
 * No request is cut down to a smaller mapping, the largest ones are
 * refused with ENOMEM and a log line, and ordinary sizes work (with a
 * 32-bit size_t the 16 GiB limit once came out as 0 pages and refused
 * every _pages buffer). The simulated device refuses mappings above
 * 1 MiB, so nothing huge is really mapped.
 */
struct size_case {
    const char *name;
    size_t size;
};

static struct size_case byte_sizes[] = {
    { "alloc_buffer(SIZE_MAX): ENOMEM, logged, no smaller mapping", SIZE_MAX },
    { "alloc_buffer(SIZE_MAX - header + 1): ENOMEM, logged, no smaller mapping",
      SIZE_MAX - SMALL_HEADER_BYTES + 1 },
    { "alloc_buffer(SIZE_MAX - header): ENOMEM, logged, no smaller mapping",
      SIZE_MAX - SMALL_HEADER_BYTES },
    { "alloc_buffer(SIZE_MAX - 4096 - header): ENOMEM, logged, no smaller mapping",
      SIZE_MAX - PAGE - SMALL_HEADER_BYTES },
    { "alloc_buffer(SIZE_MAX / 2 + 1): ENOMEM, logged, no smaller mapping",
      SIZE_MAX / 2 + 1 },
    { "alloc_buffer(16 GiB - header): ENOMEM, logged, no smaller mapping",
      (size_t)(((uint64_t)1 << 34) - SMALL_HEADER_BYTES) },
};

static struct size_case page_counts[] = {
    { "alloc_buffer_pages(SIZE_MAX): ENOMEM, logged, exact mapping",
      SIZE_MAX },
    { "alloc_buffer_pages(SIZE_MAX / 4096 + 1): ENOMEM, logged, exact mapping",
      SIZE_MAX / 4096 + 1 },
    { "alloc_buffer_pages(SIZE_MAX / 4096): ENOMEM, logged, exact mapping",
      SIZE_MAX / 4096 },
    { "alloc_buffer_pages(16 GiB): ENOMEM, logged, exact mapping",
      (size_t)(((uint64_t)1 << 34) / 4096) },
    { "alloc_buffer_pages(16 GiB + 1 page): ENOMEM, logged, exact mapping",
      (size_t)(((uint64_t)1 << 34) / 4096 + 1) },
};

/* A handle on a device that maps at most 1 MiB. */
static xencall_handle *open_1mib_device(void)
{
    xencall_handle *h = open_logged(0);

    fi_set_mmap_limit(1 << 20, ENOMEM);
    return h;
}

static void pages_within_limit(void **state)
{
    const size_t *pages = *state;
    xencall_handle *h = open_1mib_device();
    void *p = xencall_alloc_buffer_pages(h, *pages);

    assert_non_null(p);
    xencall_free_buffer_pages(h, p, *pages);
    xencall_close(h);
}

/* size bytes (pages: size pages) are refused with ENOMEM and a log
 * line; any mapping tried was no smaller than that. */
static void check_huge_refused(size_t size, int pages)
{
    xencall_handle *h = open_1mib_device();
    unsigned long errors = case_log.errors, maps = fi_count(FI_MMAP);

    assert_null_with(pages ? xencall_alloc_buffer_pages(h, size)
                           : xencall_alloc_buffer(h, size), ENOMEM);
    assert_true(case_log.errors > errors);
    if (fi_count(FI_MMAP) != maps) {
        size_t len = fi_last_mmap_len();

        if (pages) {
            /* A count whose bytes size_t cannot hold never reaches mmap. */
            assert_true(size <= SIZE_MAX / PAGE);
            assert_int_equal(len, size * PAGE);
        } else {
            assert_true(len >= SMALL_HEADER_BYTES && len - SMALL_HEADER_BYTES >= size);
        }
    }
    check_usable(h);
    xencall_close(h);
}

static void huge_buffer_refused(void **state)
{
    const struct size_case *c = *state;

    check_huge_refused(c->size, 0);
}

static void huge_page_count_refused(void **state)
{
    const struct size_case *c = *state;

    check_huge_refused(c->size, 1);
}

/* Every refusal above on one handle, which must still work after. */
static void usable_after_all_refusals(void **state)
{
    xencall_handle *h = open_1mib_device();
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(byte_sizes); i++)
        assert_null(xencall_alloc_buffer(h, byte_sizes[i].size));
    for (i = 0; i < NELEM(page_counts); i++)
        assert_null(xencall_alloc_buffer_pages(h, page_counts[i].size));
    fi_set_mmap_limit(0, 0);
    check_usable(h);
    xencall_close(h);
}

/* A case named by its text, with its data, between the limits' setup
 * and teardown (which put the limits back). */
#define LIMIT_CASE(name, f, state) { name, f, limits_setup, limits_teardown, state }

int main(void)
{
    static int einval = EINVAL, enomem = ENOMEM, eintr = EINTR,
               eagain = EAGAIN;
    static size_t one_page = 1, one_mib = 256;
    const struct CMUnitTest fixed[] = {
        LIMIT_CASE("RLIMIT_MEMLOCK tiny: locked buffer refused, logged",
          memlock_refused, NULL),
        LIMIT_CASE("RLIMIT_MEMLOCK tiny: after the refusal the handle is usable and"
          " its memory given back", memlock_after_refusal, NULL),
        LIMIT_CASE("RLIMIT_MEMLOCK 1 MiB: 128 pages freed into the cache, then 150"
          " pages succeed (the cache gives its locked block back)",
          memlock_cache_gives_back, NULL),
        LIMIT_CASE("RLIMIT_MEMLOCK 1 MiB, two handles: 128 one-page buffers freed"
          " into one's cache, then 200 pages through the other succeed"
          " (every cache of the process gives way)",
          memlock_other_cache_gives_back, NULL),
        LIMIT_CASE("RLIMIT_NOFILE exhausted: open fails EMFILE, logged",
          nofile_open_fails, NULL),
        LIMIT_CASE("RLIMIT_NOFILE one left: open falls back to locked memory",
          nofile_one_left_falls_back, NULL),
        LIMIT_CASE("RLIMIT_NOFILE exhausted: restriction fails EMFILE, logged",
          nofile_restriction_fails, NULL),
        LIMIT_CASE("failed restriction leaves hypercalls refused",
          nofile_failed_restriction_refuses, NULL),
        LIMIT_CASE("RLIMIT_NOFILE raised again: new handles work",
          nofile_raised_again, NULL),
        LIMIT_CASE("buffer device refuses large mappings (EINVAL): NULL, errno"
          " kept, logged, handle usable", refused_alloc_buffer, &einval),
        LIMIT_CASE("same for alloc_buffer_pages (EINVAL)",
          refused_alloc_buffer_pages, &einval),
        LIMIT_CASE("refusal lifted (EINVAL): large buffer works", refusal_lifted,
          &einval),
        LIMIT_CASE("buffer device refuses large mappings (ENOMEM): NULL, errno"
          " kept, logged, handle usable", refused_alloc_buffer, &enomem),
        LIMIT_CASE("same for alloc_buffer_pages (ENOMEM)",
          refused_alloc_buffer_pages, &enomem),
        LIMIT_CASE("refusal lifted (ENOMEM): large buffer works", refusal_lifted,
          &enomem),
        LIMIT_CASE("hypercall ioctl gives EINTR: passed through, not retried, not"
          " logged", interrupted_passed_through, &eintr),
        LIMIT_CASE("handle usable after EINTR", interrupted_then_usable, &eintr),
        LIMIT_CASE("hypercall ioctl gives EAGAIN: passed through, not retried, not"
          " logged", interrupted_passed_through, &eagain),
        LIMIT_CASE("handle usable after EAGAIN", interrupted_then_usable, &eagain),
        LIMIT_CASE("alloc_buffer_pages(1) works", pages_within_limit, &one_page),
        LIMIT_CASE("alloc_buffer_pages(256), 1 MiB, works", pages_within_limit,
          &one_mib),
    };
    const struct CMUnitTest last =
        LIMIT_CASE("handle usable after all the refusals", usable_after_all_refusals,
          NULL);
    struct CMUnitTest tests[NELEM(fixed) + NELEM(byte_sizes) +
                            NELEM(page_counts) + 1];
    static char skip_names[4][320];
    size_t i, k, n = 0;
    rlim_t bytes;
    int rc;

    for (i = 0; i < NELEM(fixed); i++)
        tests[n++] = fixed[i];
    for (i = 0; i < NELEM(byte_sizes); i++)
        tests[n++] = (struct CMUnitTest)LIMIT_CASE(byte_sizes[i].name,
                                                   huge_buffer_refused,
                                                   &byte_sizes[i]);
    for (i = 0; i < NELEM(page_counts); i++)
        tests[n++] = (struct CMUnitTest)LIMIT_CASE(page_counts[i].name,
                                                   huge_page_count_refused,
                                                   &page_counts[i]);
    tests[n++] = last;
    /* The memlock cases' children set the limit to 64 KiB or 1 MiB. */
    for (i = 0, k = 0; i < n; i++) {
        if (tests[i].test_func == memlock_cache_gives_back ||
            tests[i].test_func == memlock_other_cache_gives_back)
            bytes = 1024 * 1024;
        else if (tests[i].test_func == memlock_refused ||
                 tests[i].test_func == memlock_after_refusal)
            bytes = 64 * 1024;
        else
            continue;
        if (k == NELEM(skip_names))
            abort();   /* a new memlock case needs a name slot */
        skip_if_unsettable(&tests[i], bytes, skip_names[k], sizeof(skip_names[k]));
        k++;
    }
    testlog_init(&case_log);
    rc = cmocka_run_group_tests_name("limits", tests, NULL, NULL);
    testlog_fini(&case_log);
    return rc;
}
