/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the input is a program of public API calls run on
 * the simulated Linux device, with hypercall results and injected
 * faults taken from the input too. After every call the documented
 * contract is checked, and after every input nothing may be left: any
 * violation aborts, which the fuzzer reports as a crash.
 *
 * The checks are cmocka's assertions, as in every test program. Outside
 * a cmocka test they end the process; CMOCKA_TEST_ABORT=1 (set before
 * the first input) makes that an abort() after printing the failed
 * condition and its line, in any thread.
 *
 * Every buffer the program holds is filled with its own tag byte and
 * checked whole when freed, so two live buffers that overlap (a cache
 * that handed out a block twice or of the wrong size) are caught.
 *
 * Restriction (xentoolcore_restrict_all) acts on the handles registered
 * at the time only, and every input closes all of its handles, so a
 * restriction never carries over into the next input.
 */
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
#include "../helpers/testlog.h"
#include "../helpers/fi.h"
#include "../helpers/proc.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

#define NR_HANDLES 3
#define NR_BUFS 12
#define MAX_FUZZ_PAGES 140      /* beyond the cache's largest block */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- input -------------------------------------------------------- */

struct input {
    const uint8_t *p;
    size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
    uint64_t v = 0;

    while (bytes--) {
        v = v << 8 | (in->left ? *in->p : 0);
        if (in->left) {
            in->p++;
            in->left--;
        }
    }
    return v;
}

/* ---- what the program holds ----------------------------------------- */

struct buf {
    unsigned char *p;
    size_t len;        /* bytes the caller may use */
    size_t nr_pages;   /* 0: from xencall_alloc_buffer */
    unsigned char tag;
};

struct handle {
    xencall_handle *h;
    struct testlog *log;   /* one per handle slot, kept across inputs */
    int restricted;    /* 1 yes, 0 no, -1 unknown (restrict failed midway) */
    int never_fault;
    int nonreentrant;
    struct buf bufs[NR_BUFS];
    void *stale_pages[4];   /* freed _pages buffers, for double frees */
};

static struct handle handles[NR_HANDLES];
static struct testlog logs[NR_HANDLES];
static int faults_armed;
static unsigned char next_tag = 1;

static void fill(struct buf *b)
{
    b->tag = next_tag++ | 1;   /* never 0: zero-fill must be visible */
    memset(b->p, b->tag, b->len);
}

/* Coverage of this loop tells the fuzzer nothing and would cost most
 * of its time: compare against a block of the tag instead. */
static void verify(const struct buf *b)
{
    static unsigned char pattern[4096];
    size_t off, n;

    memset(pattern, b->tag, sizeof(pattern));
    for (off = 0; off < b->len; off += n) {
        n = b->len - off < sizeof(pattern) ? b->len - off : sizeof(pattern);
        assert_true(memcmp(b->p + off, pattern, n) == 0);
    }
}

static int is_live_pages(const struct handle *hd, const void *p)
{
    int i;

    for (i = 0; i < NR_BUFS; i++)
        if (hd->bufs[i].p == p && hd->bufs[i].nr_pages)
            return 1;
    return 0;
}

/* ---- operations ------------------------------------------------------ */

static void op_open(struct handle *hd, struct input *in)
{
    unsigned v = (unsigned)take(in, 1);
    unsigned flags = v & 1 ? XENCALL_OPENFLAG_NON_REENTRANT : 0;
    int device = !(v & 2), bad_flags = (v & 0x1c) == 0x1c;
    unsigned long errors;

    if (hd->h)
        return;
    if (bad_flags)
        flags |= 1u << (v >> 5 | 1);
    sim_os_set_buffer_device(device);
    testlog_clear(hd->log);
    hd->h = xencall_open(&hd->log->vtable, flags);
    errors = hd->log->errors;
    if (bad_flags) {
        assert_true(!hd->h && errno == EINVAL && errors);
        return;
    }
    if (!hd->h) {
        assert_true(faults_armed && errno && errors);
        return;
    }
    memset(hd->bufs, 0, sizeof(hd->bufs));
    memset(hd->stale_pages, 0, sizeof(hd->stale_pages));
    hd->restricted = 0;
    hd->nonreentrant = !!flags;
    hd->never_fault = xencall_buffers_never_fault(hd->h);
    assert_true(hd->never_fault == 0 || hd->never_fault == 1);
    assert_true(faults_armed || hd->never_fault == device);
    assert_true(xencall_fd(hd->h) >= 0);
}

static void op_close(struct handle *hd)
{
    int i;

    if (!hd->h)
        return;
    /* Check what the caller still holds, then let close release it. */
    for (i = 0; i < NR_BUFS; i++)
        if (hd->bufs[i].p)
            verify(&hd->bufs[i]);
    assert_true(xencall_close(hd->h) == 0);
    hd->h = NULL;
}

static struct buf *free_slot(struct handle *hd, struct input *in)
{
    struct buf *b = &hd->bufs[take(in, 1) % NR_BUFS];

    return b->p ? NULL : b;
}

/* What an allocation within the limits gave b: a failure only by an
 * injected fault, with errno and a log line; else len bytes (nr_pages
 * pages, 0: from xencall_alloc_buffer) aligned to align, zero-filled,
 * which are then tagged. */
static void check_allocated(struct handle *hd, struct buf *b,
                            unsigned long errors, size_t len,
                            size_t nr_pages, size_t align)
{
    if (!b->p) {
        assert_true(errno != 0);
        assert_true(hd->log->errors > errors);
        assert_true(faults_armed);
        return;
    }
    assert_true((uintptr_t)b->p % align == 0);
    b->len = len;
    b->nr_pages = nr_pages;
    b->tag = 0;
    verify(b);
    fill(b);
}

static void op_alloc(struct handle *hd, struct input *in)
{
    struct buf *b = free_slot(hd, in);
    unsigned v = (unsigned)take(in, 3);
    unsigned long errors = hd->log->errors;
    size_t len;

    if (!hd->h || !b)
        return;
    /* Mostly small, sometimes up to the cache's limit and past it,
     * rarely absurd. */
    switch (v >> 22) {
    case 0: len = v & 0x3fff; break;
    case 1: len = (v & 0x3fffff) % (MAX_FUZZ_PAGES * PAGE); break;
    case 2: len = (size_t)(v & 0x7f) * PAGE + ((v >> 8) & 0x1f) - SMALL_HEADER_BYTES; break;
    default: len = SIZE_MAX - (v & 0xffff); break;
    }
    if (len > MAX_FUZZ_PAGES * PAGE && len <= (size_t)1 << 40)
        return;   /* legal but would only exhaust the fuzzer's memory */
    errno = 0;
    b->p = xencall_alloc_buffer(hd->h, len);
    if (len > (size_t)1 << 40) {
        assert_true(!b->p && errno == ENOMEM && hd->log->errors > errors);
        return;
    }
    check_allocated(hd, b, errors, len, 0, BUFFER_ALIGN);
}

static void op_alloc_pages(struct handle *hd, struct input *in)
{
    struct buf *b = free_slot(hd, in);
    unsigned v = (unsigned)take(in, 2);
    unsigned long errors = hd->log->errors;
    size_t n;

    if (!hd->h || !b)
        return;
    switch (v >> 14) {
    case 0: n = v & 3; break;
    case 1: n = (v & 0x3fff) % (MAX_FUZZ_PAGES + 1); break;
    case 2: n = v & 0x7; break;
    default: n = SIZE_MAX - (v & 0xff); break;
    }
    errno = 0;
    b->p = xencall_alloc_buffer_pages(hd->h, n);
    if (n == 0 || n > MAX_FUZZ_PAGES) {
        assert_true(!b->p && hd->log->errors > errors);
        assert_true(errno == (n ? ENOMEM : EINVAL));
        return;
    }
    check_allocated(hd, b, errors, n * PAGE, n, PAGE);
}

static void op_free(struct handle *hd, struct input *in)
{
    struct buf *b = &hd->bufs[take(in, 1) % NR_BUFS];
    unsigned v = (unsigned)take(in, 1);
    unsigned long errors = hd->log->errors;
    size_t count;
    int i;

    if (!hd->h)
        return;
    errno = EXDEV;
    if (!b->p) {
        /* Freeing NULL does nothing; a stale _pages pointer is caught
         * by the registry unless that address is live again. */
        void *stale = hd->stale_pages[v % 4];

        xencall_free_buffer(hd->h, NULL);
        xencall_free_buffer_pages(hd->h, NULL, v);
        assert_true(hd->log->errors == errors);
        if (stale && !is_live_pages(hd, stale)) {
            xencall_free_buffer_pages(hd->h, stale, v);
            assert_true(hd->log->errors > errors);
        }
        assert_true(errno == EXDEV);
        return;
    }
    verify(b);
    if (v & 0x80) {
        /* The wrong free function, or another handle's: logged, and
         * the buffer stays. */
        struct handle *other = &handles[(hd - handles + 1 + (v & 1)) % NR_HANDLES];

        _Static_assert(NR_HANDLES >= 3, "other must not be hd");
        if (v & 0x20 && other->h) {
            unsigned long other_errors = other->log->errors;

            if (b->nr_pages)
                xencall_free_buffer_pages(other->h, b->p, b->nr_pages);
            else
                xencall_free_buffer(other->h, b->p);
            assert_true(other->log->errors > other_errors);
        } else {
            if (b->nr_pages)
                xencall_free_buffer(hd->h, b->p);
            else
                xencall_free_buffer_pages(hd->h, b->p, v & 3);
            assert_true(hd->log->errors > errors);
        }
        assert_true(errno == EXDEV);
        verify(b);
        return;
    }
    if (!b->nr_pages) {
        xencall_free_buffer(hd->h, b->p);
        assert_true(hd->log->errors == errors);
    } else {
        /* Sometimes a wrong page count: logged, the real size freed. */
        count = v & 0x40 ? b->nr_pages + (v & 0x3f) - 32 : b->nr_pages;
        if (v & 0x40 && (v & 0x3f) == 0)
            count = SIZE_MAX;
        xencall_free_buffer_pages(hd->h, b->p, count);
        assert_true((count != b->nr_pages) == (hd->log->errors > errors));
        for (i = 3; i > 0; i--)
            hd->stale_pages[i] = hd->stale_pages[i - 1];
        hd->stale_pages[0] = b->p;
    }
    assert_true(errno == EXDEV);
    b->p = NULL;
}

/* Hypercall results straight from the input, through every entry. */
static void op_hypercall(struct handle *hd, struct input *in)
{
    unsigned v = (unsigned)take(in, 1);
    int64_t raw = (int64_t)take(in, 8);
    unsigned long lines = hd->log->lines;
    long r;
    int e;

    if (!hd->h)
        return;
    switch (v & 3) {
    case 0: raw = -(raw & 0xfff); break;          /* an error, or -4095 */
    case 1: raw &= 0x7fffffff; break;
    case 2: raw = (int64_t)((uint64_t)raw >> (v >> 2)); break;
    default: break;
    }
    errno = 0;
    switch ((v >> 2) % 7) {
    case 0: r = xencall0(hd->h, SIM_OP_RESULT); raw = 0; break;
    case 1: r = xencall1(hd->h, SIM_OP_RESULT, (uint64_t)raw); break;
    case 2: r = xencall2(hd->h, SIM_OP_RESULT, (uint64_t)raw, 1); break;
    case 3: r = xencall3(hd->h, SIM_OP_RESULT, (uint64_t)raw, 1, 2); break;
    case 4: r = xencall4(hd->h, SIM_OP_RESULT, (uint64_t)raw, 1, 2, 3); break;
    case 5: r = xencall5(hd->h, SIM_OP_RESULT, (uint64_t)raw, 1, 2, 3, 4);
        break;
    default: r = xencall2L(hd->h, SIM_OP_RESULT, (uint64_t)raw, 9); break;
    }
    e = errno;
    assert_true(hd->log->lines == lines);   /* hypercalls never log */
    /* A result or -1, nothing else. Known exception, reported: a raw
     * result below -4095 is not an errno to the kernel and comes back
     * from xencall2L unchanged (Xen never returns one). */
    assert_true(r >= -1 || ((v >> 2) % 7 == 6 && r == raw && raw < -4095));
    if (r < -1)
        return;
    if (hd->restricted == 1) {
        assert_true(r == -1 && e == EPERM);
        return;
    }
    if (r == -1) {
        assert_true(e != 0);
        if (hd->restricted || faults_armed)
            return;
        if (raw >= -4095 && raw <= -1)
            assert_true(e == -raw);   /* Xen's errno is Linux's */
        else
            assert_true(e == EOVERFLOW || raw < -4095);
        return;
    }
    assert_true(r == raw);
    if ((v >> 2) % 7 != 6)
        assert_true(r <= INT_MAX);
}

/* The hypervisor reads and writes a whole live buffer. */
static void op_fill(struct handle *hd, struct input *in)
{
    struct buf *b = &hd->bufs[take(in, 1) % NR_BUFS];
    long r;

    if (!hd->h || !b->p || hd->restricted)
        return;
    r = xencall3(hd->h, SIM_OP_FILL, (uintptr_t)b->p, b->len, b->tag);
    if (r == -1 && faults_armed)
        return;
    assert_true(r == (long)b->len);   /* every byte was the nonzero tag */
    verify(b);
}

static void op_restrict(struct input *in)
{
    uint16_t domid = (uint16_t)take(in, 2);
    int r, i;

    r = xentoolcore_restrict_all(domid);
    assert_true(r == 0 || faults_armed);
    for (i = 0; i < NR_HANDLES; i++)
        if (handles[i].h && !handles[i].restricted)
            handles[i].restricted = r == 0 ? 1 : -1;
}

static const int fault_errors[] = { ENOMEM, EINVAL, EIO, EINTR, EAGAIN,
                                    EPERM, EMFILE, EFAULT };

static void op_fault(struct input *in)
{
    unsigned v = (unsigned)take(in, 2);

    /* A failed munmap leaves its mapping for good (the walk checks
     * that case); here it would only pile up over millions of runs. */
    if (v % FI_NR_CALLS == FI_MUNMAP)
        return;
    fi_arm((enum fi_call)(v % FI_NR_CALLS), (v >> 8 & 7) + 1,
           fault_errors[(v >> 11) % 8], (v >> 14) == 3);
    faults_armed = 1;
}

/* Threads sharing one handle: allocate, free, call, concurrently. */
struct worker {
    xencall_handle *h;
    unsigned seed;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    unsigned i, s = w->seed;
    void *held[4] = { NULL };
    size_t pages[4] = { 0 };   /* 0: from xencall_alloc_buffer */

    for (i = 0; i < 24; i++) {
        unsigned k = (s = s * 1103515245 + 12345) >> 16, j = k % 4;

        if (held[j]) {
            if (pages[j])
                xencall_free_buffer_pages(w->h, held[j], pages[j]);
            else
                xencall_free_buffer(w->h, held[j]);
            held[j] = NULL;
        } else if (k & 8) {
            pages[j] = k & 16 ? 0 : 1 + (k >> 5) % 3;
            held[j] = pages[j] ? xencall_alloc_buffer_pages(w->h, pages[j])
                               : xencall_alloc_buffer(w->h, k % 9000);
            assert_non_null(held[j]);
            memset(held[j], 0x77, pages[j] ? pages[j] * PAGE : k % 9000);
        } else {
            assert_true(xencall1(w->h, SIM_OP_RESULT, k) == (int)k);
        }
    }
    for (i = 0; i < 4; i++) {
        if (held[i] && pages[i])
            xencall_free_buffer_pages(w->h, held[i], pages[i]);
        else if (held[i])
            xencall_free_buffer(w->h, held[i]);
    }
    return NULL;
}

static void op_threads(struct handle *hd, struct input *in)
{
    struct worker w[3];
    int i;

    /* A NON_REENTRANT handle promised single-threaded use; an armed
     * fault would hit whichever thread comes first. */
    if (!hd->h || hd->nonreentrant || hd->restricted || faults_armed)
        return;
    for (i = 0; i < 3; i++) {
        w[i].h = hd->h;
        w[i].seed = (unsigned)take(in, 2);
    }
    proc_run_threads(3, worker_main, w, sizeof(w[0]));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int i;

    (void)argc;
    (void)argv;
    setenv("CMOCKA_TEST_ABORT", "1", 1);
    for (i = 0; i < NR_HANDLES; i++)
        testlog_init(&logs[i]);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    long mapped0, allocs0;
    int i, ops = 0;

    sim_os_reset();
    sim_xen_reset();
    fi_reset();
    faults_armed = 0;
    mapped0 = fi_mapped_bytes();
    allocs0 = fi_live_allocations();
    memset(handles, 0, sizeof(handles));
    for (i = 0; i < NR_HANDLES; i++)
        handles[i].log = &logs[i];

    while (in.left && ops++ < 64) {
        unsigned op = (unsigned)take(&in, 1);
        struct handle *hd = &handles[(op >> 4) % NR_HANDLES];

        switch (op & 15) {
        case 0: case 1: op_open(hd, &in); break;
        case 2: op_close(hd); break;
        case 3: case 4: op_alloc(hd, &in); break;
        case 5: op_alloc_pages(hd, &in); break;
        case 6: case 7: op_free(hd, &in); break;
        case 8: case 9: op_hypercall(hd, &in); break;
        case 10: op_fill(hd, &in); break;
        case 11: op_restrict(&in); break;
        case 12: op_fault(&in); break;
        case 13: op_threads(hd, &in); break;
        default:
            if (hd->h)
                assert_true(xencall_buffers_never_fault(hd->h) ==
                            hd->never_fault);
            break;
        }
    }
    fi_disarm_all();
    for (i = 0; i < NR_HANDLES; i++)
        op_close(&handles[i]);
    /* Nothing left behind, whatever happened. */
    assert_true(sim_os_open_handles() == 0);
    assert_true(fi_mapped_bytes() == mapped0);
    assert_true(fi_live_allocations() == allocs0);
    return 0;
}
