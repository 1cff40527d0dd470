/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault injection walk: for every scenario (open, allocation of each
 * size class, free, close, restriction, hypercall) and every system
 * call or allocation the library makes, fail its 1st, 2nd, ... call
 * in turn until the scenario no longer makes an nth one. After each
 * fault: the documented result and errno, a log line where the API
 * logs, no descriptor, mapping or allocation left behind, and the
 * handle (or a new one) still works.
 *
 * A cmocka group built at run time. Before it starts, each scenario
 * runs once without faults, counting its calls: failing the nth call
 * of a kind changes nothing before it, so a scenario that makes N
 * calls of a kind has exactly N fault points for it. One case per
 * scenario runs it without faults; one per fault point (scenario,
 * call, errno, n) fails that call; one per wrapped call fails unless
 * some scenario reaches it (a wrapper the library no longer reaches,
 * or a call no scenario makes, would otherwise go unnoticed).
 * tests/faults/imports.sh checks the wrapped calls against what the
 * library imports.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xencall.h>
#include <xentoolcore.h>

#include "buffer-sizes.h"   /* the library's: the small buffer's header */
#include "../helpers/case.h"
#include "../helpers/check.h"
#include "../helpers/fi.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* ---- arming, and finding which calls a scenario makes -------------- */

/* The nth call after arm() is the one a fault point fails. Counting a
 * scenario's calls, arm() notes the counts and disarm() the most calls
 * of each kind made in one armed stretch (a scenario may arm several
 * times). */
static int counting;
static unsigned long count_at_arm[FI_NR_CALLS];
static unsigned long most_while_armed[FI_NR_CALLS];

static void arm(enum fi_call c, unsigned long n, int err)
{
    int i;

    if (!counting) {
        fi_arm(c, n, err, 0);
        return;
    }
    for (i = 0; i < FI_NR_CALLS; i++)
        count_at_arm[i] = fi_count(i);
}

static void disarm(void)
{
    int i;

    if (counting)
        for (i = 0; i < FI_NR_CALLS; i++)
            if (fi_count(i) - count_at_arm[i] > most_while_armed[i])
                most_while_armed[i] = fi_count(i) - count_at_arm[i];
    fi_disarm_all();
}

static int fired(enum fi_call c)
{
    return fi_failed(c) > 0;
}

/* ---- checks every scenario uses ------------------------------------- */

/* The handle makes hypercalls and hands out working buffers. */
static void check_usable(xencall_handle *h)
{
    unsigned char *b;

    assert_int_equal(xencall1(h, SIM_OP_RESULT, 42), 42);
    b = xencall_alloc_buffer(h, 100);
    assert_non_null(b);
    assert_int_equal(xencall3(h, SIM_OP_FILL, (uintptr_t)b, 100, 0x5a), 0);
    assert_int_equal(b[99], 0x5a);
    xencall_free_buffer(h, b);
}

/* A failed call: errno as injected, one error logged with it. */
static void check_reported(unsigned long errors_before, int got_errno, int err)
{
    assert_int_equal(got_errno, err);
    assert_true(case_log.errors > errors_before);
    assert_int_equal(case_log.last_errno, err);
}

static void check_buffer(xencall_handle *h, unsigned char *b, size_t len,
                         size_t align)
{
    size_t i, nonzero = 0;

    assert_int_equal((uintptr_t)b % align, 0);
    for (i = 0; i < len; i++)
        nonzero += b[i] != 0;
    assert_int_equal(nonzero, 0);
    /* Through the hypervisor: every byte reachable, then dirty it so a
     * later reuse from the cache must zero it again. */
    assert_int_equal(xencall3(h, SIM_OP_FILL, (uintptr_t)b, len, 0xa5), 0);
}

/* ---- scenarios ------------------------------------------------------ */

struct scenario {
    const char *name;
    int buffer_device;
    int kernel_restrict;
    size_t size;          /* bytes or pages, as the scenario reads it */
    unsigned flags;
    void (*run)(const struct scenario *s, enum fi_call c, unsigned long n,
                int err);
    unsigned alloc;       /* run_alloc: ALLOC_* */
};

#define ALLOC_PAGES 1     /* xencall_alloc_buffer_pages(), size in pages */
#define ALLOC_CACHED 2    /* a block of the same size freed first */
#define ALLOC_CROWDED 4   /* 128 page blocks held: the registry grows */

/* A missing /dev/xen/privcmd sends the library to /proc/xen/privcmd. */
static int privcmd_fallback(enum fi_call c, unsigned long n, int err)
{
    return c == FI_OPEN && n == 1 &&
           (err == ENOENT || err == ENXIO || err == ENODEV);
}

static void run_open(const struct scenario *s, enum fi_call c,
                     unsigned long n, int err)
{
    unsigned long errors = case_log.errors;
    xencall_handle *h;
    int e;

    arm(c, n, err);
    h = xencall_open(&case_log.vtable, s->flags);
    e = errno;
    disarm();
    if (!fired(c)) {
        assert_non_null(h);
    } else if (h) {
        /* Only the buffer device is optional: without it the handle
         * falls back to locked memory, which may fault. */
        int fallback = privcmd_fallback(c, n, err);

        assert_true((c == FI_OPEN && n == 2) || fallback);
        assert_true(fallback || xencall_buffers_never_fault(h) == 0);
    } else if (privcmd_fallback(c, n, err)) {
        /* The old /proc/xen node's error (ENOENT here) is the one given. */
        assert_int_equal(e, ENOENT);
        assert_true(case_log.errors > errors);
    } else {
        check_reported(errors, e, err);
    }
    if (!h)
        h = open_logged(s->flags);
    check_usable(h);
    assert_int_equal(xencall_close(h), 0);
}

/* xencall_open(NULL, ...) makes its own stderr logger: nothing to
 * capture, so only the result and errno are checked. */
static void run_open_nolog(const struct scenario *s, enum fi_call c,
                           unsigned long n, int err)
{
    xencall_handle *h;
    int e;

    arm(c, n, err);
    h = xencall_open(NULL, s->flags);
    e = errno;
    disarm();
    if (fired(c) && !h)
        assert_true(e == err || (c == FI_OPEN && n == 1 && e == ENOENT));
    else if (fired(c))
        assert_true((c == FI_OPEN && n == 2) || privcmd_fallback(c, n, err));
    if (!h)
        h = xencall_open(NULL, s->flags);
    assert_non_null(h);
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 1), 1);
    xencall_close(h);
}

static void *alloc_either(xencall_handle *h, size_t size, int pages)
{
    return pages ? xencall_alloc_buffer_pages(h, size)
                 : xencall_alloc_buffer(h, size);
}

static void free_either(xencall_handle *h, void *b, size_t size, int pages)
{
    if (pages)
        xencall_free_buffer_pages(h, b, size);
    else
        xencall_free_buffer(h, b);
}

static void run_alloc(const struct scenario *s, enum fi_call c,
                      unsigned long n, int err)
{
    int pages = s->alloc & ALLOC_PAGES, cached = s->alloc & ALLOC_CACHED,
        crowded = s->alloc & ALLOC_CROWDED;
    xencall_handle *h = open_logged(s->flags);
    size_t len = pages ? s->size * PAGE : s->size, i;
    void *crowd[128];
    unsigned long errors;
    unsigned char *b;
    int e;

    if (crowded) {
        /* 128 blocks fill the registry's first table: the next
         * allocation grows it (calloc). */
        for (i = 0; i < 128; i++)
            crowd[i] = xencall_alloc_buffer_pages(h, 1);
    }
    if (cached) {
        b = alloc_either(h, s->size, pages);
        if (b) {
            memset(b, 0xee, len);
            free_either(h, b, s->size, pages);
        }
    }
    errors = case_log.errors;
    arm(c, n, err);
    errno = 0;
    b = alloc_either(h, s->size, pages);
    e = errno;
    disarm();
    if (b) {
        /* Failing to grow the registry's table only costs speed. */
        assert_true(!fired(c) || c == FI_CALLOC || c == FI_MUNMAP);
        check_buffer(h, b, len, pages ? PAGE : BUFFER_ALIGN);
        free_either(h, b, s->size, pages);
    } else {
        assert_true(fired(c));
        check_reported(errors, e, err);
    }
    /* Same size again, then the handle as a whole. */
    b = alloc_either(h, s->size, pages);
    assert_non_null(b);
    check_buffer(h, b, len, pages ? PAGE : BUFFER_ALIGN);
    free_either(h, b, s->size, pages);
    check_usable(h);
    if (crowded)
        for (i = 0; i < 128; i++)
            xencall_free_buffer_pages(h, crowd[i], 1);
    xencall_close(h);
}

/* A size the library refuses before any system call, with errno want. */
static void check_refused(xencall_handle *h, size_t size, int pages, int want)
{
    unsigned long errors = case_log.errors;

    assert_null_with(alloc_either(h, size, pages), want);
    assert_true(case_log.errors > errors);
}

static void run_alloc_refused(const struct scenario *s, enum fi_call c,
                              unsigned long n, int err)
{
    xencall_handle *h = open_logged(s->flags);

    arm(c, n, err);
    check_refused(h, 0, 1, EINVAL);
    check_refused(h, SIZE_MAX, 0, ENOMEM);
    check_refused(h, SIZE_MAX / PAGE + 1, 1, ENOMEM);
    disarm();
    check_usable(h);
    xencall_close(h);
}

static void run_free(const struct scenario *s, enum fi_call c,
                     unsigned long n, int err)
{
    xencall_handle *h = open_logged(s->flags);
    void *small, *pages;

    small = xencall_alloc_buffer(h, s->size * PAGE - SMALL_HEADER_BYTES);
    pages = xencall_alloc_buffer_pages(h, s->size);
    assert_true(small && pages);
    arm(c, n, err);
    errno = EXDEV;
    xencall_free_buffer(h, small);
    assert_int_equal(errno, EXDEV);
    xencall_free_buffer_pages(h, pages, s->size);
    assert_int_equal(errno, EXDEV);
    disarm();
    check_usable(h);
    xencall_close(h);
}

/* A wrong page count is logged and the real size freed: the cache
 * must then hand out blocks of the right size only. */
static void run_free_wrong_count(const struct scenario *s, enum fi_call c,
                                 unsigned long n, int err)
{
    xencall_handle *h = open_logged(s->flags);
    unsigned long errors;
    unsigned char *p, *q;
    size_t wrong[] = { 1, s->size + 1, s->size * 2 + 3, SIZE_MAX };
    unsigned i;

    for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        p = xencall_alloc_buffer_pages(h, s->size);
        assert_non_null(p);
        memset(p, 0x11, s->size * PAGE);
        errors = case_log.errors;
        arm(c, n, err);
        errno = EXDEV;
        xencall_free_buffer_pages(h, p, wrong[i]);
        assert_int_equal(errno, EXDEV);
        if (wrong[i] != s->size)
            assert_true(case_log.errors > errors);
        errors = case_log.errors;
        xencall_free_buffer_pages(h, p, s->size);   /* now a double free */
        assert_true(case_log.errors > errors);
        disarm();
        /* Every size near the real and the wrong one comes back whole. */
        q = xencall_alloc_buffer_pages(h, s->size);
        assert_non_null(q);
        check_buffer(h, q, s->size * PAGE, PAGE);
        xencall_free_buffer_pages(h, q, s->size);
        if (wrong[i] <= 1024) {
            q = xencall_alloc_buffer_pages(h, wrong[i]);
            assert_non_null(q);
            check_buffer(h, q, wrong[i] * PAGE, PAGE);
            xencall_free_buffer_pages(h, q, wrong[i]);
        }
    }
    check_usable(h);
    xencall_close(h);
}

static void run_close(const struct scenario *s, enum fi_call c,
                      unsigned long n, int err)
{
    xencall_handle *h = open_logged(s->flags);
    void *keep[4], *drop[4];
    int r;

    /* Live and cached buffers of both kinds and an uncacheable one. */
    keep[0] = xencall_alloc_buffer(h, 10);
    keep[1] = xencall_alloc_buffer_pages(h, 3);
    keep[2] = xencall_alloc_buffer_pages(h, 200);
    keep[3] = xencall_alloc_buffer(h, 9000);
    drop[0] = xencall_alloc_buffer(h, 10);
    drop[1] = xencall_alloc_buffer_pages(h, 3);
    drop[2] = xencall_alloc_buffer_pages(h, 1);
    drop[3] = xencall_alloc_buffer(h, 20000);
    assert_true(keep[0] && keep[1] && keep[2] && keep[3] && drop[0] &&
                drop[1] && drop[2] && drop[3]);
    xencall_free_buffer(h, drop[0]);
    xencall_free_buffer_pages(h, drop[1], 3);
    xencall_free_buffer_pages(h, drop[2], 1);
    xencall_free_buffer(h, drop[3]);
    arm(c, n, err);
    r = xencall_close(h);
    disarm();
    assert_int_equal(r, 0);
    /* The process can still open and use handles. */
    h = open_logged(s->flags);
    check_usable(h);
    xencall_close(h);
}

static void run_restrict(const struct scenario *s, enum fi_call c,
                         unsigned long n, int err)
{
    xencall_handle *h = open_logged(s->flags);
    unsigned long errors = case_log.errors;
    int r, e, hr, he;
    void *b;

    arm(c, n, err);
    errno = 0;
    r = xentoolcore_restrict_all(7);
    e = errno;
    disarm();
    errno = 0;
    hr = xencall1(h, SIM_OP_RESULT, 5);
    he = errno;
    if (!fired(c))
        assert_int_equal(r, 0);
    if (r != 0) {
        assert_int_equal(r, -1);
        assert_int_equal(e, err);
        assert_true(case_log.errors > errors);
    }
    /* Restricted, or restriction failed closed: hypercalls refused. */
    assert_int_equal(hr, -1);
    assert_int_equal(he, EPERM);
    /* Restriction buffers still come and go. */
    b = xencall_alloc_buffer(h, 64);
    assert_non_null(b);
    xencall_free_buffer(h, b);
    assert_int_equal(xencall_close(h), 0);
    /* Restriction is per handle: a new one is not restricted. */
    h = open_logged(s->flags);
    check_usable(h);
    xencall_close(h);
}

static void run_hypercall(const struct scenario *s, enum fi_call c,
                          unsigned long n, int err)
{
    xencall_handle *h = open_logged(s->flags);
    unsigned long lines = case_log.lines;
    long r;
    int e;

    arm(c, n, err);
    errno = 0;
    /* LONG_MAX: wider than int where long is. */
    r = s->size ? xencall2L(h, SIM_OP_RESULT, (uint64_t)LONG_MAX, 0)
                : xencall1(h, SIM_OP_RESULT, 77);
    e = errno;
    disarm();
    if (fired(c)) {
        assert_int_equal(r, -1);
        assert_int_equal(e, err);
    } else {
        assert_int_equal(r, s->size ? LONG_MAX : 77);
    }
    assert_int_equal(case_log.lines, lines);   /* hypercalls never log */
    check_usable(h);
    xencall_close(h);
}

static const struct scenario scenarios[] = {
    { "open", 1, 1, 0, 0, run_open, 0 },
    { "open-nonreentrant", 1, 1, 0, XENCALL_OPENFLAG_NON_REENTRANT,
      run_open, 0 },
    { "open-locked-memory", 0, 1, 0, 0, run_open, 0 },
    { "open-own-logger", 1, 1, 0, 0, run_open_nolog, 0 },
    { "alloc-0", 1, 1, 0, 0, run_alloc, 0 },
    { "alloc-1page", 1, 1, PAGE - SMALL_HEADER_BYTES, 0, run_alloc, 0 },
    { "alloc-2pages", 1, 1, PAGE - SMALL_HEADER_BYTES + 1, 0, run_alloc, 0 },
    { "alloc-128pages", 1, 1, 128 * PAGE - SMALL_HEADER_BYTES, 0, run_alloc, 0 },
    { "alloc-129pages", 1, 1, 128 * PAGE, 0, run_alloc, 0 },
    { "alloc-locked-1page", 0, 1, 100, 0, run_alloc, 0 },
    { "alloc-locked-129pages", 0, 1, 128 * PAGE, 0, run_alloc, 0 },
    { "alloc-cached", 1, 1, 5000, 0, run_alloc, ALLOC_CACHED },
    { "alloc-nonreentrant", 1, 1, 3000, XENCALL_OPENFLAG_NON_REENTRANT,
      run_alloc, 0 },
    { "alloc-pages-1", 1, 1, 1, 0, run_alloc, ALLOC_PAGES },
    { "alloc-pages-128", 1, 1, 128, 0, run_alloc, ALLOC_PAGES },
    { "alloc-pages-129", 1, 1, 129, 0, run_alloc, ALLOC_PAGES },
    { "alloc-pages-locked-2", 0, 1, 2, 0, run_alloc, ALLOC_PAGES },
    { "alloc-pages-locked-300", 0, 1, 300, 0, run_alloc, ALLOC_PAGES },
    { "alloc-pages-cached", 1, 1, 4, 0, run_alloc,
      ALLOC_PAGES | ALLOC_CACHED },
    { "alloc-registry-grows", 1, 1, 1, 0, run_alloc,
      ALLOC_PAGES | ALLOC_CROWDED },
    { "alloc-refused", 1, 1, 0, 0, run_alloc_refused, 0 },
    { "free-1page", 1, 1, 1, 0, run_free, 0 },
    { "free-129pages", 1, 1, 129, 0, run_free, 0 },
    { "free-locked-200pages", 0, 1, 200, 0, run_free, 0 },
    { "free-wrong-count-2", 1, 1, 2, 0, run_free_wrong_count, 0 },
    { "free-wrong-count-129", 1, 1, 129, 0, run_free_wrong_count, 0 },
    { "close", 1, 1, 0, 0, run_close, 0 },
    { "close-locked-memory", 0, 1, 0, 0, run_close, 0 },
    { "close-nonreentrant", 1, 1, 0, XENCALL_OPENFLAG_NON_REENTRANT,
      run_close, 0 },
    { "restrict-kernel", 1, 1, 0, 0, run_restrict, 0 },
    { "restrict-dup-null", 1, 0, 0, 0, run_restrict, 0 },
    { "hypercall", 1, 1, 0, 0, run_hypercall, 0 },
    { "hypercall-wide", 1, 1, 1, 0, run_hypercall, 0 },
};
#define NR_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* The errors each call can really give (and a few hostile ones). */
#define MAX_ERRORS 4
static const int call_errors[FI_NR_CALLS][MAX_ERRORS] = {
    [FI_OPEN] = { EACCES, EMFILE, ENXIO },
    [FI_CLOSE] = { EIO, EINTR },
    [FI_IOCTL] = { EIO, EINTR, EAGAIN, EFAULT },
    [FI_SYSCALL] = { EIO, EINTR, EAGAIN, EFAULT },
    [FI_MMAP] = { ENOMEM, EINVAL, EAGAIN },
    [FI_MUNMAP] = { EINVAL, ENOMEM },
    [FI_MADVISE] = { EINVAL, ENOMEM },
    [FI_MLOCK] = { ENOMEM, EPERM, EAGAIN },
    [FI_DUP2] = { EBADF, EBUSY, EINTR },
    [FI_FCNTL] = { EBADF, EINVAL },
    [FI_MALLOC] = { ENOMEM },
    [FI_CALLOC] = { ENOMEM },
    [FI_LOGGER] = { ENOMEM },
};

/* ---- the fault points ------------------------------------------------ */

struct fault_point {
    const struct scenario *scenario;
    enum fi_call call;
    int err;
    unsigned long n;      /* the call of that kind to fail; 0: none */
    char name[112];
};

/* A fresh system for one run of a scenario. */
static void prepare(const struct scenario *s)
{
    sim_os_reset();
    sim_os_set_buffer_device(s->buffer_device);
    sim_os_set_kernel_restrict(s->kernel_restrict);
    fi_reset();
    testlog_clear(&case_log);
}

/* What a run must not leave behind. */
struct residue {
    size_t sim_mapped;
    long lib_mapped;
    long allocations;
    int fds;
};

static struct residue residue_now(void)
{
    struct residue r = { sim_os_mapped_bytes(), fi_mapped_bytes(),
                         fi_live_allocations(), count_fds() };

    return r;
}

static void fault_point_case(void **state)
{
    const struct fault_point *p = *state;
    const struct scenario *s = p->scenario;
    struct residue before, after;

    prepare(s);
    before = residue_now();
    s->run(s, p->call, p->n, p->err);
    after = residue_now();
    /* The call is made, as the run without faults counted. */
    assert_int_equal(fired(p->call), p->n > 0);
    /* A failed munmap leaves its mapping: nothing a library can do
     * about that. */
    if (!(p->call == FI_MUNMAP && fired(p->call))) {
        assert_int_equal(after.sim_mapped, before.sim_mapped);
        assert_int_equal(after.lib_mapped, before.lib_mapped);
    }
    assert_int_equal(sim_os_open_handles(), 0);
    assert_int_equal(after.fds, before.fds);
    assert_int_equal(after.allocations, before.allocations);
}

/* A case that failed midway leaves its fault armed. */
static int disarm_after(void **state)
{
    (void)state;
    fi_disarm_all();
    return 0;
}

/* How many scenarios make each call: none fails its case. */
static unsigned scenarios_reaching[FI_NR_CALLS];

static void call_reached(void **state)
{
    const unsigned *reaching = *state;

    assert_int_not_equal(*reaching, 0);
}

/* Most calls of each kind each scenario makes in one armed stretch,
 * from a run without faults. Checks failing here, outside any case,
 * abort with cmocka's message: the library fails with no fault at all. */
static unsigned long calls_made[NR_SCENARIOS][FI_NR_CALLS];

static void count_calls(void)
{
    int abort_set_here = !getenv("CMOCKA_TEST_ABORT");
    size_t si;
    int c;

    if (abort_set_here)
        setenv("CMOCKA_TEST_ABORT", "1", 1);
    counting = 1;
    for (si = 0; si < NR_SCENARIOS; si++) {
        memset(most_while_armed, 0, sizeof(most_while_armed));
        prepare(&scenarios[si]);
        scenarios[si].run(&scenarios[si], FI_OPEN, 0, 0);
        for (c = 0; c < FI_NR_CALLS; c++) {
            calls_made[si][c] = most_while_armed[c];
            scenarios_reaching[c] += most_while_armed[c] > 0;
        }
    }
    counting = 0;
    if (abort_set_here)
        unsetenv("CMOCKA_TEST_ABORT");
}

/* Lists the fault points (out may be NULL: just counts them), each
 * scenario's run without faults first. */
static size_t list_fault_points(struct fault_point *out)
{
    size_t si, k = 0;
    unsigned long n;
    int c, ei;

    for (si = 0; si < NR_SCENARIOS; si++) {
        if (out) {
            out[k] = (struct fault_point){ &scenarios[si], FI_OPEN, 0, 0, "" };
            snprintf(out[k].name, sizeof(out[k].name), "%s: without faults",
                     scenarios[si].name);
        }
        k++;
        for (c = 0; c < FI_NR_CALLS; c++)
            for (ei = 0; ei < MAX_ERRORS && call_errors[c][ei]; ei++)
                for (n = 1; n <= calls_made[si][c]; n++, k++) {
                    if (!out)
                        continue;
                    out[k] = (struct fault_point){ &scenarios[si], c,
                                                   call_errors[c][ei], n, "" };
                    snprintf(out[k].name, sizeof(out[k].name),
                             "%s: %s call %lu fails with %s",
                             scenarios[si].name, fi_call_name[c], n,
                             strerror(call_errors[c][ei]));
                }
    }
    return k;
}

int main(int argc, char **argv)
{
    static char call_names[FI_NR_CALLS][64];
    struct fault_point *points;
    struct CMUnitTest *tests;
    size_t i, nr_points;
    int c, rc;

    if (argc > 1 && strcmp(argv[1], "--calls") == 0) {
        /* For imports.sh: the calls the wrappers inject faults into. */
        for (c = 0; c < FI_NR_CALLS; c++)
            puts(fi_call_name[c]);
        return 0;
    }
    testlog_init(&case_log);
    case_log.echo = getenv("FAULT_WALK_VERBOSE") != NULL;
    count_calls();
    nr_points = list_fault_points(NULL);
    points = calloc(nr_points, sizeof(*points));
    tests = calloc(nr_points + FI_NR_CALLS, sizeof(*tests));
    if (!points || !tests)
        return 1;
    list_fault_points(points);
    for (i = 0; i < nr_points; i++)
        tests[i] = (struct CMUnitTest){ points[i].name, fault_point_case,
                                        NULL, disarm_after, &points[i] };
    for (c = 0; c < FI_NR_CALLS; c++) {
        snprintf(call_names[c], sizeof(call_names[c]),
                 "%s: faults injected by some scenario", fi_call_name[c]);
        tests[nr_points + c] = (struct CMUnitTest){
            call_names[c], call_reached, NULL, NULL, &scenarios_reaching[c] };
    }
    print_message("# fault points covered: %zu, and %zu scenarios without"
                  " faults\n", nr_points - NR_SCENARIOS, NR_SCENARIOS);
    rc = _cmocka_run_group_tests("fault-walk", tests, nr_points + FI_NR_CALLS,
                                 NULL, NULL);
    free(tests);
    free(points);
    testlog_fini(&case_log);
    return rc;
}
