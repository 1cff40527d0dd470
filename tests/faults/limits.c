/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile limits: a tiny RLIMIT_MEMLOCK, RLIMIT_NOFILE exhausted, a
 * buffer device refusing large mappings, the hypercall ioctl giving
 * EINTR/EAGAIN. Each failure must be the documented one, logged where
 * the API logs, and leave the handle usable. Speaks TAP.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include <xencall.h>
#include <xentoolcore.h>

#include "../helpers/caplog.h"
#include "../helpers/fi.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"

static int tests, failures;
static struct caplog log_;

static void ok(int cond, const char *what)
{
    tests++;
    if (!cond)
        failures++;
    printf("%s %d - %s\n", cond ? "ok" : "not ok", tests, what);
}

static int usable(xencall_handle *h)
{
    void *b = xencall_alloc_buffer(h, 64);
    int r = xencall1(h, SIM_OP_RESULT, 3);

    xencall_free_buffer(h, b);
    return b && r == 3;
}

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

static int memlock_child(void)
{
    struct rlimit rl = { 64 * 1024, 64 * 1024 };
    xencall_handle *h;
    unsigned long errors;
    void *small, *big;
    int e, bad = 0;

    if (drop_ipc_lock() < 0 || setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
        return 2;
    fi_set_real_mlock(1);
    sim_os_set_buffer_device(0);   /* locked memory it is */
    h = xencall_open(&log_.vtable, 0);
    if (!h)
        return 3;
    small = xencall_alloc_buffer_pages(h, 2);
    bad |= !small;
    errors = log_.errors;
    errno = 0;
    big = xencall_alloc_buffer_pages(h, 64);   /* 256 KiB > 64 KiB */
    e = errno;
    bad |= (big != NULL) << 1;
    bad |= !(e == ENOMEM || e == EPERM || e == EAGAIN) << 2;
    bad |= !(log_.errors > errors && strstr(log_.last, "RLIMIT_MEMLOCK")) << 3;
    bad |= !usable(h) << 4;
    xencall_free_buffer_pages(h, small, 2);
    /* What the failure left is given back: the same size fits now
     * the limit is raised, and so does the small one again. */
    small = xencall_alloc_buffer_pages(h, 2);
    bad |= !small << 5;
    xencall_free_buffer_pages(h, small, 2);
    xencall_close(h);
    bad |= (sim_os_mapped_bytes() != 0) << 6;
    return bad ? 10 + bad : 0;
}

static void test_memlock(void)
{
    pid_t pid = fork();
    int status;

    if (pid == 0)
        _exit(memlock_child());
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) >= 10)
        printf("# memlock child: checks failed, mask %#x\n",
               WEXITSTATUS(status) - 10);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "RLIMIT_MEMLOCK tiny: locked buffer refused, logged, handle usable");
}

/*
 * Cached blocks stay locked: with the limit at 1 MiB, a freed 128-page
 * block (kept by the cache) and a fresh 150-page one do not both fit.
 * The cache must give its block back rather than fail the request.
 */
static int memlock_cache_child(void)
{
    struct rlimit rl = { 1024 * 1024, 1024 * 1024 };
    xencall_handle *h;
    void *p;
    int bad = 0;

    if (drop_ipc_lock() < 0 || setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
        return 2;
    fi_set_real_mlock(1);
    sim_os_set_buffer_device(0);
    h = xencall_open(&log_.vtable, 0);
    if (!h)
        return 3;
    p = xencall_alloc_buffer_pages(h, 128);
    bad |= !p;
    xencall_free_buffer_pages(h, p, 128);
    bad |= (fi_mapped_bytes() != 128 * 4096) << 1;   /* cached, locked */
    errno = 0;
    p = xencall_alloc_buffer_pages(h, 150);
    if (!p)
        printf("# 150 pages after 128 cached: %s\n", strerror(errno));
    bad |= !p << 2;
    bad |= (fi_mapped_bytes() != (p ? 150 * 4096 : 0)) << 3;
    xencall_free_buffer_pages(h, p, 150);
    bad |= !usable(h) << 4;
    xencall_close(h);
    bad |= (fi_mapped_bytes() != 0) << 5;
    return bad ? 10 + bad : 0;
}

static void test_memlock_cache(void)
{
    pid_t pid = fork();
    int status;

    if (pid == 0)
        _exit(memlock_cache_child());
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) >= 10)
        printf("# memlock cache child: checks failed, mask %#x\n",
               WEXITSTATUS(status) - 10);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "RLIMIT_MEMLOCK 1 MiB: 128 pages freed into the cache, then 150 pages"
       " succeed (the cache gives its locked block back)");
}

static void test_nofile(void)
{
    struct rlimit saved, rl;
    unsigned long errors = log_.errors;
    xencall_handle *h, *h2;
    int probe, e, r;

    getrlimit(RLIMIT_NOFILE, &saved);
    /* The lowest free descriptor tells how many are in use. */
    probe = dup(0);
    close(probe);
    rl = saved;
    rl.rlim_cur = probe;   /* no descriptor left */
    setrlimit(RLIMIT_NOFILE, &rl);
    errno = 0;
    h = xencall_open(&log_.vtable, 0);
    e = errno;
    ok(!h && e == EMFILE && log_.errors > errors && log_.last_errno == EMFILE,
       "RLIMIT_NOFILE exhausted: open fails EMFILE, logged");

    /* One descriptor: privcmd opens, the buffer device cannot; the
     * handle falls back to locked memory. */
    rl.rlim_cur = probe + 1;
    setrlimit(RLIMIT_NOFILE, &rl);
    h = xencall_open(&log_.vtable, 0);
    ok(h && xencall_buffers_never_fault(h) == 0 && usable(h),
       "RLIMIT_NOFILE one left: open falls back to locked memory");

    /* Restriction without the kernel's ioctl needs a /dev/null fd. */
    sim_os_set_kernel_restrict(0);
    errors = log_.errors;
    errno = 0;
    r = h ? xentoolcore_restrict_all(3) : 0;
    e = errno;
    ok(r == -1 && e == EMFILE && log_.errors > errors,
       "RLIMIT_NOFILE exhausted: restriction fails EMFILE, logged");
    /* The library fails closed: a handle whose restriction failed
     * refuses hypercalls all the same. */
    r = h ? xencall1(h, SIM_OP_RESULT, 1) : -1;
    ok(r == -1 && errno == EPERM, "failed restriction leaves hypercalls refused");
    setrlimit(RLIMIT_NOFILE, &saved);
    sim_os_set_kernel_restrict(1);
    xencall_close(h);
    h2 = xencall_open(&log_.vtable, 0);
    ok(h2 && usable(h2), "limit raised: new handles work");
    xencall_close(h2);
}

static void test_refused_mappings(int err)
{
    xencall_handle *h = xencall_open(&log_.vtable, 0);
    unsigned long errors;
    void *small, *big;
    char what[128];
    int e;

    if (!h) {
        ok(0, "open");
        return;
    }
    fi_set_mmap_limit(16 * 4096, err);
    small = xencall_alloc_buffer(h, 5000);
    errors = log_.errors;
    errno = 0;
    big = xencall_alloc_buffer(h, 200000);
    e = errno;
    snprintf(what, sizeof(what), "buffer device refuses large mappings (%s):"
             " NULL, errno kept, logged, handle usable", strerror(err));
    ok(small && !big && e == err && log_.errors > errors && usable(h), what);
    big = xencall_alloc_buffer_pages(h, 17);
    ok(!big && errno == err, "same for alloc_buffer_pages");
    fi_set_mmap_limit(0, 0);
    big = xencall_alloc_buffer_pages(h, 17);
    ok(big != NULL, "limit lifted: large buffer works");
    xencall_free_buffer_pages(h, big, 17);
    xencall_free_buffer(h, small);
    xencall_close(h);
}

/* The kernel never returns EINTR/EAGAIN from the hypercall ioctl by
 * itself (Xen continues long hypercalls); if it did, the library
 * passes the error on and never repeats a hypercall, which may have
 * had effects already. */
static void test_interrupted(int err)
{
    xencall_handle *h = xencall_open(&log_.vtable, 0);
    unsigned long calls, lines = log_.lines;
    char what[128];
    int r, e;

    if (!h) {
        ok(0, "open");
        return;
    }
    calls = sim_xen_calls();
    fi_arm(FI_SYSCALL, 1, err, 0);
    errno = 0;
    r = xencall1(h, SIM_OP_RESULT, 8);
    e = errno;
    fi_disarm_all();
    snprintf(what, sizeof(what), "hypercall ioctl gives %s: passed through,"
             " not retried, not logged", strerror(err));
    ok(r == -1 && e == err && sim_xen_calls() == calls && log_.lines == lines,
       what);
    ok(usable(h), "handle usable after it");
    xencall_close(h);
}

/*
 * Size limits right for this build's size_t: no request is cut down to
 * a smaller mapping, the largest ones are refused with ENOMEM and a
 * log line, and ordinary sizes work (with a 32-bit size_t the 16 GiB
 * limit once came out as 0 pages and refused every _pages buffer).
 * The simulated device refuses mappings above 1 MiB, so nothing huge
 * is really mapped.
 */
static void test_size_limits(void)
{
    static const size_t bytes[] = {
        SIZE_MAX, SIZE_MAX - 15, SIZE_MAX - 16, SIZE_MAX - 4096 - 16,
        SIZE_MAX / 2 + 1, (size_t)(((uint64_t)1 << 34) - 16),
    };
    static const size_t pages[] = {
        SIZE_MAX, SIZE_MAX / 4096 + 1, SIZE_MAX / 4096,
        (size_t)(((uint64_t)1 << 34) / 4096),        /* 16 GiB */
        (size_t)(((uint64_t)1 << 34) / 4096 + 1),    /* above */
    };
    xencall_handle *h = xencall_open(&log_.vtable, 0);
    unsigned long errors, maps;
    char what[160];
    size_t i, len;
    void *p;
    int e;

    if (!h) {
        ok(0, "open");
        return;
    }
    fi_set_mmap_limit(1 << 20, ENOMEM);
    p = xencall_alloc_buffer_pages(h, 1);
    ok(p != NULL, "alloc_buffer_pages(1) works");
    xencall_free_buffer_pages(h, p, 1);
    p = xencall_alloc_buffer_pages(h, 256);
    ok(p != NULL, "alloc_buffer_pages(256), 1 MiB, works");
    xencall_free_buffer_pages(h, p, 256);
    for (i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
        errors = log_.errors;
        maps = fi_count(FI_MMAP);
        errno = 0;
        p = xencall_alloc_buffer(h, bytes[i]);
        e = errno;
        len = fi_last_mmap_len();
        snprintf(what, sizeof(what), "alloc_buffer(%zu): ENOMEM, logged, no"
                 " mapping smaller than asked for (mapped %zu)", bytes[i],
                 fi_count(FI_MMAP) == maps ? (size_t)0 : len);
        ok(!p && e == ENOMEM && log_.errors > errors &&
           (fi_count(FI_MMAP) == maps || (len >= 16 && len - 16 >= bytes[i])),
           what);
    }
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        errors = log_.errors;
        maps = fi_count(FI_MMAP);
        errno = 0;
        p = xencall_alloc_buffer_pages(h, pages[i]);
        e = errno;
        len = fi_last_mmap_len();
        /* A count whose bytes size_t cannot hold never reaches mmap. */
        snprintf(what, sizeof(what), "alloc_buffer_pages(%zu): ENOMEM, logged,"
                 " any mapping exactly that many pages", pages[i]);
        ok(!p && e == ENOMEM && log_.errors > errors &&
           (fi_count(FI_MMAP) == maps ||
            (pages[i] <= SIZE_MAX / 4096 && len == pages[i] * 4096)),
           what);
    }
    fi_set_mmap_limit(0, 0);
    ok(usable(h), "handle usable after the refusals");
    xencall_close(h);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    caplog_init(&log_);
    sim_os_reset();
    test_memlock();
    test_memlock_cache();
    test_nofile();
    test_refused_mappings(EINVAL);
    test_refused_mappings(ENOMEM);
    test_interrupted(EINTR);
    test_interrupted(EAGAIN);
    test_size_limits();
    ok(sim_os_open_handles() == 0 && fi_mapped_bytes() == 0,
       "nothing left open or mapped");
    printf("1..%d\n", tests);
    return failures ? 1 : 0;
}
