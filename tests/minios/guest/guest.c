/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Mini-OS test guest: a stub domain's application that drives the
 * whole libxencall API on the real hypervisor, as a PV guest. Built
 * with the stub domain's headers, so errno names below are Mini-OS's
 * <errno.h>, as libxenctrl in a real stub domain sees them.
 *
 * Each check prints a line of tests/helpers/xentest.h's protocol on
 * the console, then a summary line lets the host notice dropped lines.
 * Mini-OS's console drops output when its ring is full and the guest
 * does not yield, so every line is followed by a short sleep.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/version.h>

#include <xencall.h>
#include <xentoolcore.h>
#include <xentoollog.h>

/* The library's own: the cache's sizes (the guest's build has no -I
 * for src/). */
#include "../../../src/buffer-sizes.h"
#include "../../helpers/xentest.h"
#include "../../helpers/test.h"

static void let_console_drain(void)
{
    usleep(50000);   /* see above */
}

/* ---- a logger that keeps what it was told ---------------------------- */

struct capture_log {
    struct xentoollog_logger vtable;
    unsigned messages;
    int last_errno;
    char last[256];
};

static void capture_vmessage(struct xentoollog_logger *logger,
                             xentoollog_level level, int errnoval,
                             const char *context, const char *format,
                             va_list al)
{
    struct capture_log *log = (struct capture_log *)logger;

    (void)level;
    (void)context;
    log->messages++;
    log->last_errno = errnoval;
    vsnprintf(log->last, sizeof(log->last), format, al);
}

static void capture_progress(struct xentoollog_logger *logger,
                             const char *context, const char *doing_what,
                             int percent, unsigned long done,
                             unsigned long total)
{
    (void)logger, (void)context, (void)doing_what;
    (void)percent, (void)done, (void)total;
}

static void capture_destroy(struct xentoollog_logger *logger)
{
    (void)logger;
}

static struct capture_log captured = {
    { capture_vmessage, capture_progress, capture_destroy }, 0, 0, ""
};

/* A log line since mark, with errnoval err, whose text has needle. */
static int logged(unsigned mark, int err, const char *needle)
{
    return captured.messages > mark && captured.last_errno == err &&
           strstr(captured.last, needle) != NULL;
}

/* ---- checks ------------------------------------------------------------ */

static void open_and_close(void)
{
    xencall_handle *h;
    unsigned mark = captured.messages;

    h = xencall_open(NULL, 0);
    xentest_check(h != NULL, "open-null-logger", "%p", (void *)h);
    xentest_check(h && xencall_fd(h) == -1 && xencall_buffers_never_fault(h) == 1,
                  "no-descriptor-buffers-never-fault", "fd %d", h ? xencall_fd(h) : -2);
    xentest_ok(xencall_close(h) == 0, "close-null-logger");
    h = xencall_open(&captured.vtable, XENCALL_OPENFLAG_NON_REENTRANT);
    xentest_ok(h && xencall1(h, __HYPERVISOR_xen_version, XENVER_version) > 0,
               "open-non-reentrant");
    xentest_ok(xencall_close(h) == 0 && xencall_close(NULL) == 0, "close-and-close-null");
    errno = 0;
    h = xencall_open(&captured.vtable, 0x100);
    xentest_check(!h && errno == EINVAL && logged(mark, EINVAL, "unknown open flags"),
                  "open-unknown-flags-einval-logged", "errno %d, log \"%s\"", errno,
                  captured.last);
}

static void every_call(xencall_handle *h)
{
    char *extra = xencall_alloc_buffer(h, XEN_EXTRAVERSION_LEN);
    domid_t *domid = xencall_alloc_buffer(h, sizeof(*domid));
    struct mmuext_op *op = xencall_alloc_buffer(h, sizeof(*op));
    unsigned int *done = xencall_alloc_buffer(h, sizeof(*done));
    long version, pages, wide;
    int rc;

    if (!xentest_ok(extra && domid && op && done, "call-buffers"))
        return;
    version = xencall0(h, __HYPERVISOR_xen_version);
    xentest_check(version >> 16 == 4 && (version & 0xffff) == 17, "xencall0-xen-version",
                  "%ld.%ld", version >> 16, version & 0xffff);
    xentest_check(xencall1(h, __HYPERVISOR_xen_version, XENVER_version) == version,
                  "xencall1-xen-version", "%#lx", version);
    rc = xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)extra);
    xentest_check(rc == 0 && extra[0] != '\0', "xencall2-extraversion-into-buffer",
                  "rc %d, \"%s\"", rc, extra);
    rc = xencall3(h, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 0, 0);
    xentest_check(rc == 1, "xencall3-vcpu0-is-up", "rc %d", rc);
    op->cmd = MMUEXT_TLB_FLUSH_LOCAL;
    *done = 0;
    rc = xencall4(h, __HYPERVISOR_mmuext_op, (uintptr_t)op, 1, (uintptr_t)done, DOMID_SELF);
    xentest_check(rc == 0 && *done == 1, "xencall4-mmuext-tlb-flush", "rc %d, done %u",
                  rc, *done);
    rc = xencall5(h, __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    xentest_check(rc == version, "xencall5-xen-version", "rc %d", rc);
    *domid = DOMID_SELF;
    pages = xencall2L(h, __HYPERVISOR_memory_op, XENMEM_current_reservation, (uintptr_t)domid);
    /* The guest is given 32 MiB. */
    xentest_check(pages > 0 && pages <= 8192, "xencall2L-current-reservation",
                  "%ld pages", pages);
    /* A debug register holds a full 64-bit address: a result above
     * 2^32 that only xencall2L may return. DR7 stays 0, so it is inert. */
    rc = xencall2(h, __HYPERVISOR_set_debugreg, 0, 0x123456789000UL);
    wide = xencall2L(h, __HYPERVISOR_get_debugreg, 0, 0);
    xentest_check(rc == 0 && wide == 0x123456789000L, "xencall2L-above-2^32", "%#lx", wide);
    errno = 0;
    rc = xencall1(h, __HYPERVISOR_get_debugreg, 0);
    xentest_check(rc == -1 && errno == EOVERFLOW, "xencall1-wide-result-eoverflow",
                  "rc %d errno %d (EOVERFLOW %d)", rc, errno, EOVERFLOW);
    xencall2(h, __HYPERVISOR_set_debugreg, 0, 0);
    xencall_free_buffer(h, extra);
    xencall_free_buffer(h, domid);
    xencall_free_buffer(h, op);
    xencall_free_buffer(h, done);
}

/* rc must be -1 with errno want; errno is read before anything else. */
static void expect_error(int rc, int want, const char *name)
{
    int err = errno;

    xentest_check(rc == -1 && err == want, name, "rc %d errno %d, want %d", rc, err, want);
}

/* Xen's errors, as the caller's <errno.h> names them. */
static void xen_errors(xencall_handle *h)
{
    struct gnttab_query_size *q = xencall_alloc_buffer(h, 2 * sizeof(*q));
    /* An address in the hypervisor's own range is never the guest's. */
    const uint64_t xen_address = 0xffff800000001000UL;

    if (!xentest_ok(q != NULL, "errno-buffer"))
        return;
    q[0].dom = q[1].dom = DOMID_SELF;
    expect_error(xencall0(h, 63), ENOSYS, "ENOSYS-no-such-hypercall");
    expect_error(xencall2(h, __HYPERVISOR_memory_op, 0x7fff, 0), ENOSYS,
                 "ENOSYS-no-such-memory-op");
    expect_error(xencall3(h, __HYPERVISOR_grant_table_op, GNTTABOP_query_size,
                          (uintptr_t)q, 2), EINVAL, "EINVAL-query-size-of-two");
    expect_error(xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion, xen_address),
                 EFAULT, "EFAULT-hypervisor-address");
    expect_error(xencall3(h, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1000, 0), ENOENT,
                 "ENOENT-no-such-vcpu");
    expect_error(xencall2(h, __HYPERVISOR_set_debugreg, 0, xen_address), EPERM,
                 "EPERM-debug-register-on-hypervisor");
    /* The same errors through the wide call. */
    expect_error((int)xencall2L(h, __HYPERVISOR_memory_op, 0x7fff, 0), ENOSYS,
                 "ENOSYS-through-xencall2L");
    xentest_line("INFO minios/errno numbering: ENOSYS %d EINVAL %d EFAULT %d ENOENT %d"
                 " EPERM %d EOVERFLOW %d ENOMEM %d", ENOSYS, EINVAL, EFAULT, ENOENT,
                 EPERM, EOVERFLOW, ENOMEM);
    xencall_free_buffer(h, q);
}

/*
 * The caller's own multicall, as libxenctrl makes them: two harmless
 * calls around one with a bad argument. Xen refuses a multicall made
 * inside another, so the library must hand this one over as it is;
 * then the call returns 0 and every entry holds its own result, the
 * bad one failing alone (Xen's error numbers are the stub domain's:
 * the stage checks that table is the identity). A list Xen cannot read
 * fails the multicall itself.
 */
static void callers_multicall(xencall_handle *h)
{
    multicall_entry_t *calls = xencall_alloc_buffer(h, 3 * sizeof(*calls));
    const long untouched = 0x5a5a;   /* no call leaves this result */
    const uint64_t xen_address = 0xffff800000001000UL;
    long version = xencall1(h, __HYPERVISOR_xen_version, XENVER_version);
    int i, rc, err;

    if (!xentest_ok(calls != NULL, "multicall-buffer"))
        return;
    memset(calls, 0, 3 * sizeof(*calls));
    calls[0].op = calls[2].op = __HYPERVISOR_xen_version;
    calls[0].args[0] = calls[2].args[0] = XENVER_version;
    calls[1].op = __HYPERVISOR_vcpu_op;
    calls[1].args[0] = VCPUOP_is_up;
    calls[1].args[1] = 1000;   /* no such vCPU */
    for (i = 0; i < 3; i++)
        calls[i].result = untouched;
    errno = 0;
    rc = xencall2(h, __HYPERVISOR_multicall, (uintptr_t)calls, 3);
    err = errno;
    xentest_check(rc == 0 && (long)calls[0].result == version &&
                  (long)calls[1].result == -ENOENT && (long)calls[2].result == version,
                  "callers-multicall-each-entry-its-result",
                  "rc %d errno %d; results %#lx %ld %#lx, want 0; %#lx %d %#lx", rc, err,
                  (unsigned long)calls[0].result, (long)calls[1].result,
                  (unsigned long)calls[2].result, (unsigned long)version, -ENOENT,
                  (unsigned long)version);
    expect_error(xencall2(h, __HYPERVISOR_multicall, xen_address, 1), EFAULT,
                 "callers-multicall-list-out-of-reach-EFAULT");
    xencall_free_buffer(h, calls);
}

static int all_zero(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/*
 * Every size class: sizes that fill one page with the header, spill
 * into a second, several pages, the largest cached block (128 pages)
 * and beyond. Each buffer must be aligned, zero, usable by the
 * hypervisor, and, once freed, come back (cached sizes) zeroed again.
 */
static void buffer_sizes(xencall_handle *h)
{
    static const size_t sizes[] = {
        1, 64, 4080, 4081, 3 * PAGE, 8 * PAGE - SMALL_HEADER_BYTES, 64 * PAGE,
        CACHE_MAX_BLOCK_PAGES * PAGE - SMALL_HEADER_BYTES,
        CACHE_MAX_BLOCK_PAGES * PAGE, 200 * PAGE,
    };
    static const size_t page_counts[] = { 1, 3, 8, 64, 128, 129, 300 };
    char name[64];
    size_t i;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        unsigned char *p = xencall_alloc_buffer(h, n), *again;
        int ok = p && (uintptr_t)p % BUFFER_ALIGN == 0 && all_zero(p, n);

        if (p) {
            /* The hypervisor writes the end of it (16 bytes). */
            ok = ok && (n < XEN_EXTRAVERSION_LEN ||
                        xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                                 (uintptr_t)(p + n - XEN_EXTRAVERSION_LEN)) == 0);
            memset(p, 0xa5, n);
            xencall_free_buffer(h, p);
        }
        again = xencall_alloc_buffer(h, n);
        snprintf(name, sizeof(name), "alloc-buffer-%zu-bytes", n);
        xentest_check(ok && again && all_zero(again, n) &&
                      (n > CACHE_MAX_BLOCK_PAGES * PAGE - SMALL_HEADER_BYTES ||
                       again == p),
                      name, "%p then %p", (void *)p, (void *)again);
        xencall_free_buffer(h, again);
    }
    for (i = 0; i < sizeof(page_counts) / sizeof(page_counts[0]); i++) {
        size_t n = page_counts[i];
        unsigned char *p = xencall_alloc_buffer_pages(h, n), *again;
        int ok = p && (uintptr_t)p % PAGE == 0 && all_zero(p, n * PAGE);

        if (p) {
            ok = ok && xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                                (uintptr_t)p + n * PAGE - XEN_EXTRAVERSION_LEN) == 0;
            memset(p, 0x5a, n * PAGE);
            xencall_free_buffer_pages(h, p, n);
        }
        again = xencall_alloc_buffer_pages(h, n);
        snprintf(name, sizeof(name), "alloc-buffer-pages-%zu", n);
        xentest_check(ok && again && all_zero(again, n * PAGE) && (n > 128 || again == p),
                      name, "%p then %p", (void *)p, (void *)again);
        xencall_free_buffer_pages(h, again, n);
    }
}

/* 200 rounds of the small-buffer path, as libxenctrl drives it. */
static void buffer_rounds(xencall_handle *h)
{
    unsigned round, bad = 0;

    for (round = 0; round < 200; round++) {
        unsigned char *a = xencall_alloc_buffer(h, 64 + round);
        unsigned char *b = xencall_alloc_buffer_pages(h, 1 + round % 3);

        if (!a || !b || !all_zero(a, 64 + round) || !all_zero(b, PAGE))
            bad++;
        if (a)
            memset(a, 0xff, 64 + round);
        if (b)
            memset(b, 0xff, PAGE);
        xencall_free_buffer(h, a);
        xencall_free_buffer_pages(h, b, 1 + round % 3);
    }
    xentest_check(bad == 0, "alloc-free-200-rounds", "%u bad rounds", bad);
}

static void free_keeps_errno(xencall_handle *h)
{
    void *small = xencall_alloc_buffer(h, 100);
    void *pages = xencall_alloc_buffer_pages(h, 2);
    int after_small, after_pages, after_bad;

    errno = EDOM;
    xencall_free_buffer(h, small);
    after_small = errno;
    xencall_free_buffer_pages(h, pages, 2);
    after_pages = errno;
    xencall_free_buffer(h, small);   /* refused: already freed */
    after_bad = errno;
    xentest_check(small && pages && after_small == EDOM && after_pages == EDOM &&
                  after_bad == EDOM, "free-keeps-errno", "%d %d %d", after_small,
                  after_pages, after_bad);
}

static void bad_input(xencall_handle *h, xencall_handle *other)
{
    unsigned char *p, *q, *again, *foreign;
    unsigned mark;

    mark = captured.messages;
    errno = 0;
    p = xencall_alloc_buffer(h, (size_t)-1);
    xentest_check(!p && errno == ENOMEM && logged(mark, ENOMEM, "too large"),
                  "alloc-overflowing-size", "errno %d, log \"%s\"", errno, captured.last);
    mark = captured.messages;
    errno = 0;
    p = xencall_alloc_buffer_pages(h, (size_t)-1 / PAGE + 1);
    xentest_check(!p && errno == ENOMEM && logged(mark, ENOMEM, "cannot allocate a buffer"),
                  "alloc-pages-overflowing-count", "errno %d, log \"%s\"", errno,
                  captured.last);
    mark = captured.messages;
    errno = 0;
    p = xencall_alloc_buffer_pages(h, 0);
    xentest_check(!p && errno == EINVAL && logged(mark, EINVAL, "of 0 pages"),
                  "alloc-zero-pages", "errno %d, log \"%s\"", errno, captured.last);

    p = xencall_alloc_buffer(h, 32);
    xencall_free_buffer(h, p);
    mark = captured.messages;
    xencall_free_buffer(h, p);
    xentest_check(logged(mark, EINVAL, "already freed"), "double-free-refused-logged",
                  "log \"%s\"", captured.last);
    /* Had the second free been taken, both would get the same block. */
    q = xencall_alloc_buffer(h, 32);
    again = xencall_alloc_buffer(h, 32);
    xentest_check(q == p && again && again != p, "double-free-left-cache-sound",
                  "%p then %p and %p", (void *)p, (void *)q, (void *)again);
    xencall_free_buffer(h, q);
    xencall_free_buffer(h, again);

    foreign = calloc(1, 64);
    mark = captured.messages;
    xencall_free_buffer(h, foreign + SMALL_HEADER_BYTES);
    xentest_check(logged(mark, EINVAL, "not from xencall_alloc_buffer"),
                  "foreign-pointer-refused-logged", "log \"%s\"", captured.last);
    free(foreign);

    p = xencall_alloc_buffer(other, 32);
    mark = captured.messages;
    xencall_free_buffer(h, p);
    xentest_check(logged(mark, EINVAL, "another handle"),
                  "other-handles-buffer-refused-logged", "log \"%s\"", captured.last);
    xencall_free_buffer(other, p);

    p = xencall_alloc_buffer_pages(h, 3);
    mark = captured.messages;
    xencall_free_buffer_pages(h, p, 2);
    xentest_check(logged(mark, EINVAL, "2 pages given, 3 allocated"),
                  "wrong-page-count-logged", "log \"%s\"", captured.last);
    mark = captured.messages;
    xencall_free_buffer_pages(h, p, 3);
    xentest_check(logged(mark, EINVAL, "not a live buffer"),
                  "pages-double-free-refused-logged", "log \"%s\"", captured.last);
}

/*
 * The cache keeps at most one slot's budget (512 KiB: Mini-OS threads
 * share one slot). Of three freed 256 KiB blocks it keeps the first
 * two: had it kept the third, last freed, that would come back first.
 */
static void cache_bound(void)
{
    xencall_handle *h = xencall_open(&captured.vtable, 0);   /* an empty cache */
    void *b[3], *c[2];
    int i;

    if (!xentest_ok(h != NULL, "cache-bound-open"))
        return;
    for (i = 0; i < 3; i++)
        b[i] = xencall_alloc_buffer_pages(h, 64);
    for (i = 0; i < 3; i++)
        xencall_free_buffer_pages(h, b[i], 64);
    c[0] = xencall_alloc_buffer_pages(h, 64);
    c[1] = xencall_alloc_buffer_pages(h, 64);
    xentest_check(b[0] && b[1] && b[2] && c[0] == b[1] && c[1] == b[0],
                  "cache-keeps-512KiB-of-768KiB-freed", "freed %p %p %p, got back %p %p",
                  b[0], b[1], b[2], c[0], c[1]);
    xencall_free_buffer_pages(h, c[0], 64);
    xencall_free_buffer_pages(h, c[1], 64);
    xencall_close(h);
}

/*
 * Close gives back every block, cached or still with the caller: 64
 * handles that each end with 1 MiB of buffers need twice the guest's
 * 32 MiB unless each close returns its megabyte.
 */
static void close_returns_memory(void)
{
    unsigned round, failed_rounds = 0;

    for (round = 0; round < 64; round++) {
        xencall_handle *h = xencall_open(&captured.vtable, 0);
        void *held[2], *freed[2];
        int i;

        for (i = 0; i < 2; i++) {
            held[i] = h ? xencall_alloc_buffer_pages(h, 64) : NULL;
            freed[i] = h ? xencall_alloc_buffer_pages(h, 64) : NULL;
        }
        if (!h || !held[0] || !held[1] || !freed[0] || !freed[1])
            failed_rounds++;
        for (i = 0; i < 2; i++)
            xencall_free_buffer_pages(h, freed[i], 64);
        xencall_close(h);
    }
    xentest_check(failed_rounds == 0, "close-returns-all-memory",
                  "%u of 64 rounds could not allocate", failed_rounds);
}

static void restriction(xencall_handle *h)
{
    int rc;

    rc = xentoolcore_restrict_all(DOMID_SELF);
    xentest_check(rc == 0, "xentoolcore-restrict-all", "rc %d", rc);
    errno = 0;
    expect_error(xencall1(h, __HYPERVISOR_xen_version, XENVER_version), EPERM,
                 "EPERM-after-restrict");
    errno = 0;
    expect_error((int)xencall2L(h, __HYPERVISOR_xen_version, XENVER_version, 0), EPERM,
                 "EPERM-after-restrict-xencall2L");
}

int main(void)
{
    xencall_handle *h, *other;

    setvbuf(stdout, NULL, _IOLBF, 0);
    xentest.suite = "minios";
    xentest.after_line = let_console_drain;
    xentest_line("INFO minios guest up");
    open_and_close();
    close_returns_memory();
    cache_bound();
    h = xencall_open(&captured.vtable, 0);
    other = xencall_open(&captured.vtable, 0);
    if (xentest_ok(h && other, "open-caller-logger")) {
        every_call(h);
        xen_errors(h);
        callers_multicall(h);
        buffer_sizes(h);
        buffer_rounds(h);
        free_keeps_errno(h);
        bad_input(h, other);
        xencall_close(other);
        restriction(h);
        xencall_close(h);
    }
    xentest_line("MINIOS-SUMMARY passed=%u failed=%u", xentest.passed, xentest.failed);
    return xentest.failed != 0;
}
