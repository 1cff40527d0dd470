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
 * Speaks TAP: one test per scenario, call and errno, then one per
 * wrapped call that fails unless some scenario injected a fault into
 * it (a wrapper the library no longer reaches, or a call no scenario
 * makes, would otherwise go unnoticed); the last comment gives how many
 * fault points were injected in all. tests/faults/imports.sh checks
 * the wrapped calls against what the library imports.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xencall.h>
#include <xentoolcore.h>
#include <xen/errno.h>

#include "../helpers/caplog.h"
#include "../helpers/fi.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"

#define PAGE 4096u

/* ---- reporting ------------------------------------------------------ */

static int run_failed;            /* this fault point went wrong */
static const char *cur_scenario;
static enum fi_call cur_call;
static unsigned long cur_n;
static int cur_err;

static void __attribute__((format(printf, 3, 4)))
fail_at(int line, int cond_ok, const char *fmt, ...)
{
    va_list ap;

    if (cond_ok)
        return;
    if (run_failed < 5) {   /* a broken scenario would flood the log */
        printf("# %s: %s #%lu (%s): line %d: ", cur_scenario,
               fi_call_name[cur_call], cur_n, strerror(cur_err), line);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    run_failed++;
}
#define CHECK(cond, ...) fail_at(__LINE__, !!(cond), __VA_ARGS__)

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

/* ---- helpers used by every scenario ------------------------------- */

static struct caplog log_;

static xencall_handle *open_clean(unsigned flags)
{
    xencall_handle *h = xencall_open(&log_.vtable, flags);

    CHECK(h, "unfaulted open failed: %s", strerror(errno));
    return h;
}

/* The handle makes hypercalls and hands out working buffers. */
static void check_usable(xencall_handle *h)
{
    unsigned char *b;
    int r;

    errno = 0;
    r = xencall1(h, SIM_OP_RESULT, 42);
    CHECK(r == 42, "hypercall after fault: %d (%s)", r, strerror(errno));
    b = xencall_alloc_buffer(h, 100);
    CHECK(b, "alloc after fault: %s", strerror(errno));
    if (b) {
        r = xencall3(h, SIM_OP_FILL, (uintptr_t)b, 100, 0x5a);
        CHECK(r == 0, "fill after fault: %d (%s)", r, strerror(errno));
        CHECK(b[99] == 0x5a, "hypervisor's write not seen");
        xencall_free_buffer(h, b);
    }
}

/* A failed call: NULL/-1, errno as injected, one error logged with it. */
static void check_reported(unsigned long errors_before, int got_errno)
{
    CHECK(got_errno == cur_err, "errno %d (%s), injected %d", got_errno,
          strerror(got_errno), cur_err);
    CHECK(log_.errors > errors_before, "failure not logged");
    CHECK(log_.last_errno == cur_err, "logged errno %d, injected %d",
          log_.last_errno, cur_err);
}

static void check_buffer(xencall_handle *h, unsigned char *b, size_t len,
                         size_t align)
{
    size_t i, nonzero = 0;
    long r;

    CHECK((uintptr_t)b % align == 0, "buffer %p not %zu-aligned", (void *)b,
          align);
    for (i = 0; i < len; i++)
        nonzero += b[i] != 0;
    CHECK(nonzero == 0, "%zu of %zu bytes not zero", nonzero, len);
    /* Through the hypervisor: every byte reachable, then dirty it so a
     * later reuse from the cache must zero it again. */
    r = xencall3(h, SIM_OP_FILL, (uintptr_t)b, len, 0xa5);
    CHECK(r == 0, "hypervisor cannot fill the buffer: %ld (%s)", r,
          strerror(errno));
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
};

static void arm(enum fi_call c, unsigned long n, int err)
{
    fi_arm(c, n, err, 0);
}

static int fired(enum fi_call c)
{
    return fi_failed(c) > 0;
}

static void run_open(const struct scenario *s, enum fi_call c,
                     unsigned long n, int err)
{
    unsigned long errors = log_.errors;
    xencall_handle *h;
    int e;

    arm(c, n, err);
    h = xencall_open(&log_.vtable, s->flags);
    e = errno;
    fi_disarm_all();
    if (!fired(c)) {
        CHECK(h, "open failed without a fault: %s", strerror(e));
    } else if (h) {
        /* Only the buffer device is optional: without it the handle
         * falls back to locked memory, which may fault. A missing
         * /dev/xen/privcmd sends it to /proc/xen/privcmd instead. */
        int fallback = c == FI_OPEN && n == 1 &&
                       (err == ENOENT || err == ENXIO || err == ENODEV);

        CHECK((c == FI_OPEN && n == 2) || fallback,
              "open succeeded despite failing %s", fi_call_name[c]);
        CHECK(fallback || xencall_buffers_never_fault(h) == 0,
              "no buffer device yet never_fault");
    } else if (c == FI_OPEN && n == 1 &&
               (err == ENOENT || err == ENXIO || err == ENODEV)) {
        /* A missing /dev/xen/privcmd sends the library to the old
         * /proc/xen node, whose error (ENOENT here) is the one given. */
        CHECK(e == ENOENT && log_.errors > errors, "fallback gave errno %d",
              e);
    } else {
        check_reported(errors, e);
    }
    if (!h)
        h = open_clean(s->flags);
    if (h) {
        check_usable(h);
        CHECK(xencall_close(h) == 0, "close");
    }
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
    fi_disarm_all();
    if (fired(c) && !h)
        CHECK(e == err || (c == FI_OPEN && n == 1 && e == ENOENT),
              "errno %d, injected %d", e, err);
    else if (fired(c))
        CHECK((c == FI_OPEN && n == 2) || (c == FI_OPEN && n == 1 &&
              (err == ENOENT || err == ENXIO || err == ENODEV)),
              "open succeeded despite failing %s", fi_call_name[c]);
    if (!h)
        h = xencall_open(NULL, s->flags);
    CHECK(h, "unfaulted open failed");
    if (h) {
        CHECK(xencall1(h, SIM_OP_RESULT, 1) == 1, "hypercall");
        xencall_close(h);
    }
}

static void alloc_common(const struct scenario *s, enum fi_call c,
                         unsigned long n, int err, int pages, int cached,
                         int crowded)
{
    xencall_handle *h = open_clean(s->flags);
    size_t len = pages ? s->size * PAGE : s->size, i;
    void *crowd[130];
    unsigned long errors;
    unsigned char *b;
    int e;

    if (!h)
        return;
    if (crowded) {
        /* 128 blocks fill the registry's first table: the next
         * allocation grows it (calloc). */
        for (i = 0; i < 128; i++)
            crowd[i] = xencall_alloc_buffer_pages(h, 1);
    }
    if (cached) {
        b = pages ? xencall_alloc_buffer_pages(h, s->size)
                  : xencall_alloc_buffer(h, s->size);
        if (b) {
            memset(b, 0xee, len);
            if (pages)
                xencall_free_buffer_pages(h, b, s->size);
            else
                xencall_free_buffer(h, b);
        }
    }
    errors = log_.errors;
    arm(c, n, err);
    errno = 0;
    b = pages ? xencall_alloc_buffer_pages(h, s->size)
              : xencall_alloc_buffer(h, s->size);
    e = errno;
    fi_disarm_all();
    if (b) {
        /* Failing to grow the registry's table only costs speed. */
        CHECK(!fired(c) || c == FI_CALLOC || c == FI_MUNMAP,
              "allocation succeeded despite failing %s", fi_call_name[c]);
        check_buffer(h, b, len, pages ? PAGE : 16);
        if (pages)
            xencall_free_buffer_pages(h, b, s->size);
        else
            xencall_free_buffer(h, b);
    } else {
        CHECK(fired(c), "allocation failed without a fault: %s", strerror(e));
        check_reported(errors, e);
    }
    /* Same size again, then the handle as a whole. */
    b = pages ? xencall_alloc_buffer_pages(h, s->size)
              : xencall_alloc_buffer(h, s->size);
    CHECK(b, "allocation after the fault failed: %s", strerror(errno));
    if (b) {
        check_buffer(h, b, len, pages ? PAGE : 16);
        if (pages)
            xencall_free_buffer_pages(h, b, s->size);
        else
            xencall_free_buffer(h, b);
    }
    check_usable(h);
    if (crowded)
        for (i = 0; i < 128; i++)
            xencall_free_buffer_pages(h, crowd[i], 1);
    xencall_close(h);
}

static void run_alloc(const struct scenario *s, enum fi_call c,
                      unsigned long n, int err)
{
    alloc_common(s, c, n, err, 0, 0, 0);
}

static void run_alloc_cached(const struct scenario *s, enum fi_call c,
                             unsigned long n, int err)
{
    alloc_common(s, c, n, err, 0, 1, 0);
}

static void run_alloc_pages(const struct scenario *s, enum fi_call c,
                            unsigned long n, int err)
{
    alloc_common(s, c, n, err, 1, 0, 0);
}

static void run_alloc_pages_cached(const struct scenario *s, enum fi_call c,
                                   unsigned long n, int err)
{
    alloc_common(s, c, n, err, 1, 1, 0);
}

static void run_alloc_crowded(const struct scenario *s, enum fi_call c,
                              unsigned long n, int err)
{
    alloc_common(s, c, n, err, 1, 0, 1);
}

/* Sizes the library refuses before any system call. */
static void run_alloc_refused(const struct scenario *s, enum fi_call c,
                              unsigned long n, int err)
{
    xencall_handle *h = open_clean(s->flags);
    unsigned long errors;
    void *b;

    if (!h)
        return;
    arm(c, n, err);
    errors = log_.errors;
    errno = 0;
    b = xencall_alloc_buffer_pages(h, 0);
    CHECK(!b && errno == EINVAL && log_.errors > errors, "0 pages: %p %d",
          b, errno);
    errors = log_.errors;
    errno = 0;
    b = xencall_alloc_buffer(h, SIZE_MAX);
    CHECK(!b && errno == ENOMEM && log_.errors > errors, "SIZE_MAX: %p %d",
          b, errno);
    errors = log_.errors;
    errno = 0;
    b = xencall_alloc_buffer_pages(h, SIZE_MAX / PAGE + 1);
    CHECK(!b && errno == ENOMEM && log_.errors > errors, "huge pages: %p %d",
          b, errno);
    fi_disarm_all();
    check_usable(h);
    xencall_close(h);
}

static void run_free(const struct scenario *s, enum fi_call c,
                     unsigned long n, int err)
{
    xencall_handle *h = open_clean(s->flags);
    void *small, *pages;

    if (!h)
        return;
    small = xencall_alloc_buffer(h, s->size * PAGE - 16);
    pages = xencall_alloc_buffer_pages(h, s->size);
    CHECK(small && pages, "setup allocation");
    arm(c, n, err);
    errno = EXDEV;
    xencall_free_buffer(h, small);
    CHECK(errno == EXDEV, "free_buffer changed errno to %d", errno);
    xencall_free_buffer_pages(h, pages, s->size);
    CHECK(errno == EXDEV, "free_buffer_pages changed errno to %d", errno);
    fi_disarm_all();
    check_usable(h);
    xencall_close(h);
}

/* A wrong page count is logged and the real size freed: the cache
 * must then hand out blocks of the right size only. */
static void run_free_wrong_count(const struct scenario *s, enum fi_call c,
                                 unsigned long n, int err)
{
    xencall_handle *h = open_clean(s->flags);
    unsigned long errors;
    unsigned char *p, *q;
    size_t wrong[] = { 1, s->size + 1, s->size * 2 + 3, SIZE_MAX };
    unsigned i;

    if (!h)
        return;
    for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        p = xencall_alloc_buffer_pages(h, s->size);
        if (!p) {
            CHECK(0, "setup allocation");
            continue;
        }
        memset(p, 0x11, s->size * PAGE);
        errors = log_.errors;
        arm(c, n, err);
        errno = EXDEV;
        xencall_free_buffer_pages(h, p, wrong[i]);
        CHECK(errno == EXDEV, "errno changed to %d", errno);
        if (wrong[i] != s->size)
            CHECK(log_.errors > errors, "wrong count %zu not logged", wrong[i]);
        errors = log_.errors;
        xencall_free_buffer_pages(h, p, s->size);   /* now a double free */
        CHECK(log_.errors > errors, "double free not logged");
        fi_disarm_all();
        /* Every size near the real and the wrong one comes back whole. */
        q = xencall_alloc_buffer_pages(h, s->size);
        CHECK(q, "realloc");
        if (q) {
            check_buffer(h, q, s->size * PAGE, PAGE);
            xencall_free_buffer_pages(h, q, s->size);
        }
        if (wrong[i] <= 1024) {
            q = xencall_alloc_buffer_pages(h, wrong[i]);
            CHECK(q, "alloc of the wrong count");
            if (q) {
                check_buffer(h, q, wrong[i] * PAGE, PAGE);
                xencall_free_buffer_pages(h, q, wrong[i]);
            }
        }
    }
    check_usable(h);
    xencall_close(h);
}

static void run_close(const struct scenario *s, enum fi_call c,
                      unsigned long n, int err)
{
    xencall_handle *h = open_clean(s->flags);
    void *keep[4], *drop[4];
    int r;

    if (!h)
        return;
    /* Live and cached buffers of both kinds and an uncacheable one. */
    keep[0] = xencall_alloc_buffer(h, 10);
    keep[1] = xencall_alloc_buffer_pages(h, 3);
    keep[2] = xencall_alloc_buffer_pages(h, 200);
    keep[3] = xencall_alloc_buffer(h, 9000);
    drop[0] = xencall_alloc_buffer(h, 10);
    drop[1] = xencall_alloc_buffer_pages(h, 3);
    drop[2] = xencall_alloc_buffer_pages(h, 1);
    drop[3] = xencall_alloc_buffer(h, 20000);
    CHECK(keep[0] && keep[1] && keep[2] && keep[3] && drop[0] && drop[1] &&
          drop[2] && drop[3], "setup allocation");
    xencall_free_buffer(h, drop[0]);
    xencall_free_buffer_pages(h, drop[1], 3);
    xencall_free_buffer_pages(h, drop[2], 1);
    xencall_free_buffer(h, drop[3]);
    arm(c, n, err);
    r = xencall_close(h);
    fi_disarm_all();
    CHECK(r == 0, "close returned %d", r);
    /* The process can still open and use handles. */
    h = open_clean(s->flags);
    if (h) {
        check_usable(h);
        xencall_close(h);
    }
}

static void run_restrict(const struct scenario *s, enum fi_call c,
                         unsigned long n, int err)
{
    xencall_handle *h = open_clean(s->flags);
    unsigned long errors;
    int r, e, hr, he;

    if (!h)
        return;
    errors = log_.errors;
    arm(c, n, err);
    errno = 0;
    r = xentoolcore_restrict_all(7);
    e = errno;
    fi_disarm_all();
    errno = 0;
    hr = xencall1(h, SIM_OP_RESULT, 5);
    he = errno;
    if (!fired(c)) {
        CHECK(r == 0, "restrict failed without a fault: %s", strerror(e));
    }
    if (r == 0) {
        CHECK(hr == -1 && he == EPERM, "restricted handle: hypercall gave %d"
              " (%s)", hr, strerror(he));
    } else {
        CHECK(r == -1 && e == err, "restrict gave %d, errno %d; injected %d",
              r, e, err);
        CHECK(log_.errors > errors, "restrict failure not logged");
        /* Restriction fails closed: the handle refuses hypercalls. */
        CHECK(hr == -1 && he == EPERM, "failed restriction left the handle "
              "usable: hypercall gave %d (%s)", hr, strerror(he));
    }
    /* Restriction buffers still come and go. */
    {
        void *b = xencall_alloc_buffer(h, 64);

        CHECK(b, "alloc on restricted handle: %s", strerror(errno));
        xencall_free_buffer(h, b);
    }
    CHECK(xencall_close(h) == 0, "close restricted");
    /* Restriction is per handle: a new one is not restricted. */
    h = open_clean(s->flags);
    if (h) {
        check_usable(h);
        xencall_close(h);
    }
}

static void run_hypercall(const struct scenario *s, enum fi_call c,
                          unsigned long n, int err)
{
    xencall_handle *h = open_clean(s->flags);
    unsigned long lines;
    long r;
    int e;

    if (!h)
        return;
    lines = log_.lines;
    arm(c, n, err);
    errno = 0;
    /* LONG_MAX: wider than int where long is. */
    r = s->size ? xencall2L(h, SIM_OP_RESULT, (uint64_t)LONG_MAX, 0)
                : xencall1(h, SIM_OP_RESULT, 77);
    e = errno;
    fi_disarm_all();
    if (fired(c))
        CHECK(r == -1 && e == err, "hypercall gave %ld errno %d, injected %d",
              r, e, err);
    else
        CHECK(r == (s->size ? LONG_MAX : 77), "hypercall gave %ld", r);
    CHECK(log_.lines == lines, "a hypercall logged");
    check_usable(h);
    xencall_close(h);
}

/* ---- the walk -------------------------------------------------------- */

static const struct scenario scenarios[] = {
    { "open", 1, 1, 0, 0, run_open },
    { "open-nonreentrant", 1, 1, 0, XENCALL_OPENFLAG_NON_REENTRANT, run_open },
    { "open-locked-memory", 0, 1, 0, 0, run_open },
    { "open-own-logger", 1, 1, 0, 0, run_open_nolog },
    { "alloc-0", 1, 1, 0, 0, run_alloc },
    { "alloc-1page", 1, 1, PAGE - 16, 0, run_alloc },
    { "alloc-2pages", 1, 1, PAGE - 15, 0, run_alloc },
    { "alloc-128pages", 1, 1, 128 * PAGE - 16, 0, run_alloc },
    { "alloc-129pages", 1, 1, 128 * PAGE, 0, run_alloc },
    { "alloc-locked-1page", 0, 1, 100, 0, run_alloc },
    { "alloc-locked-129pages", 0, 1, 128 * PAGE, 0, run_alloc },
    { "alloc-cached", 1, 1, 5000, 0, run_alloc_cached },
    { "alloc-nonreentrant", 1, 1, 3000, XENCALL_OPENFLAG_NON_REENTRANT,
      run_alloc },
    { "alloc-pages-1", 1, 1, 1, 0, run_alloc_pages },
    { "alloc-pages-128", 1, 1, 128, 0, run_alloc_pages },
    { "alloc-pages-129", 1, 1, 129, 0, run_alloc_pages },
    { "alloc-pages-locked-2", 0, 1, 2, 0, run_alloc_pages },
    { "alloc-pages-locked-300", 0, 1, 300, 0, run_alloc_pages },
    { "alloc-pages-cached", 1, 1, 4, 0, run_alloc_pages_cached },
    { "alloc-registry-grows", 1, 1, 1, 0, run_alloc_crowded },
    { "alloc-refused", 1, 1, 0, 0, run_alloc_refused },
    { "free-1page", 1, 1, 1, 0, run_free },
    { "free-129pages", 1, 1, 129, 0, run_free },
    { "free-locked-200pages", 0, 1, 200, 0, run_free },
    { "free-wrong-count-2", 1, 1, 2, 0, run_free_wrong_count },
    { "free-wrong-count-129", 1, 1, 129, 0, run_free_wrong_count },
    { "close", 1, 1, 0, 0, run_close },
    { "close-locked-memory", 0, 1, 0, 0, run_close },
    { "close-nonreentrant", 1, 1, 0, XENCALL_OPENFLAG_NON_REENTRANT,
      run_close },
    { "restrict-kernel", 1, 1, 0, 0, run_restrict },
    { "restrict-dup-null", 1, 0, 0, 0, run_restrict },
    { "hypercall", 1, 1, 0, 0, run_hypercall },
    { "hypercall-wide", 1, 1, 1, 0, run_hypercall },
};

/* The errors each call can really give (and a few hostile ones). */
static const int call_errors[FI_NR_CALLS][4] = {
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

int main(int argc, char **argv)
{
    unsigned long points = 0, tests = 0, failures = 0;
    unsigned long call_points[FI_NR_CALLS] = { 0 };
    size_t si;
    int c, ei, fds0, bad;

    if (argc > 1 && strcmp(argv[1], "--calls") == 0) {
        /* For imports.sh: the calls the wrappers inject faults into. */
        for (c = 0; c < FI_NR_CALLS; c++)
            puts(fi_call_name[c]);
        return 0;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    caplog_init(&log_);
    log_.echo = getenv("FAULT_WALK_VERBOSE") != NULL;
    fds0 = count_fds();
    for (si = 0; si < sizeof(scenarios) / sizeof(scenarios[0]); si++) {
        const struct scenario *s = &scenarios[si];

        for (c = 0; c < FI_NR_CALLS; c++) {
            for (ei = 0; ei < 4 && call_errors[c][ei]; ei++) {
                unsigned long n, here = 0;

                bad = 0;
                for (n = 1; n < 10000; n++) {
                    size_t mapped;
                    long lib_mapped, lib_mapped0, allocs0;
                    size_t sim_mapped0;
                    int sim_fds, fds;
                    long allocs;

                    sim_os_reset();
                    sim_os_set_buffer_device(s->buffer_device);
                    sim_os_set_kernel_restrict(s->kernel_restrict);
                    fi_reset();
                    lib_mapped0 = fi_mapped_bytes();
                    sim_mapped0 = sim_os_mapped_bytes();
                    allocs0 = fi_live_allocations();
                    caplog_clear(&log_);
                    run_failed = 0;
                    cur_scenario = s->name;
                    cur_call = c;
                    cur_n = n;
                    cur_err = call_errors[c][ei];
                    s->run(s, c, n, cur_err);
                    mapped = sim_os_mapped_bytes() - sim_mapped0;
                    lib_mapped = fi_mapped_bytes() - lib_mapped0;
                    sim_fds = sim_os_open_handles();
                    fds = count_fds();
                    allocs = fi_live_allocations() - allocs0;
                    /* A failed munmap leaves its mapping: nothing a
                     * library can do about that. */
                    CHECK(mapped == 0 || (c == FI_MUNMAP && fired(c)),
                          "%zu bytes still mapped", mapped);
                    CHECK(lib_mapped == 0 || (c == FI_MUNMAP && fired(c)),
                          "the library still maps %ld bytes", lib_mapped);
                    CHECK(sim_fds == 0, "%d simulated fds still open", sim_fds);
                    CHECK(fds == fds0, "%d fds open, %d before", fds, fds0);
                    CHECK(allocs == 0, "%ld allocations leaked", allocs);
                    if (run_failed)
                        bad++;
                    if (!fired(c))
                        break;   /* no nth call: this walk is done */
                    here++;
                }
                if (n == 1 && !here)
                    continue;   /* the scenario never makes this call */
                tests++;
                points += here;
                call_points[c] += here;
                if (bad)
                    failures++;
                printf("%s %lu - %s: %s %s: %lu fault points%s\n",
                       bad ? "not ok" : "ok", tests, s->name,
                       fi_call_name[c], strerror(call_errors[c][ei]), here,
                       bad ? " (some failed, see above)" : "");
            }
        }
    }
    for (c = 0; c < FI_NR_CALLS; c++) {
        tests++;
        if (!call_points[c])
            failures++;
        printf("%s %lu - %s: injected at %lu fault points%s\n",
               call_points[c] ? "ok" : "not ok", tests, fi_call_name[c],
               call_points[c], call_points[c] ? "" : " (no scenario reaches it)");
    }
    printf("# fault points covered: %lu in %lu walks, %lu failed\n", points,
           tests, failures);
    printf("1..%lu\n", tests);
    return failures ? 1 : 0;
}
