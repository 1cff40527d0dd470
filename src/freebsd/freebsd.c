/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * FreeBSD backend: hypercalls through /dev/xen/privcmd; buffers are
 * locked anonymous memory that a child never inherits.
 *
 * FreeBSD's privcmd keeps a hypercall's result in an int and turns
 * Xen's errors into its own through a table with gaps: a wide result
 * comes back cut to 32 bits, one with bit 31 set as an error, and some
 * Xen errors (ENOTDIR, ENOTEMPTY, ...) as success with 0. So each call
 * goes as a one-entry multicall: the multicall itself returns 0, and
 * the entry's result field carries the call's full result or its
 * untranslated Xen error, which this backend translates with a table
 * generated at build time from the <errno.h> it is compiled with
 * (FreeBSD's) and Xen's errno.h. See README.md here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>   /* before the Xen headers, which need it */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xentoollog.h>
#include <xen/xen.h>
/* FreeBSD's privcmd ABI (its sys/xen/privcmd.h), which Xen's tools
 * install as xen/sys/ next to the public headers above. */
#include <xen/sys/privcmd.h>

#include "backend.h"
#include "../privcmd/privcmd.h"
#include "../xen-errno/xen-result.h"

#define PRIVCMD_NODE "/dev/xen/privcmd"

/* What the calls below rely on: the kernel reads and writes the
 * request as these fields, and an entry's result is as wide as the
 * long the backend returns. */
_Static_assert(sizeof(((struct ioctl_privcmd_hypercall *)0)->retval) == sizeof(long),
               "retval is a long");
_Static_assert(sizeof(((multicall_entry_t *)0)->result) >= sizeof(long),
               "a multicall entry carries a full-width result");

/*
 * The multicall entries: one page per handle, locked, and
 * INHERIT_ZERO, so a fork never makes it copy-on-write and a child
 * finds its own copy zero-filled and not wired; `wired` being 0 then
 * tells the child to lock it before use. Each call takes an entry of
 * its own (a bit in `busy`), so threads may share the handle.
 */
#define BUSY_BITS (8 * sizeof(unsigned long))
#define ENTRIES_FIT ((XENCALL_PAGE_SIZE - 64) / sizeof(multicall_entry_t))
#define NR_ENTRIES (ENTRIES_FIT < BUSY_BITS ? ENTRIES_FIT : BUSY_BITS)
#define ALL_ENTRIES (NR_ENTRIES == BUSY_BITS ? ~0UL : (1UL << NR_ENTRIES) - 1)

struct entry_page {
    unsigned long busy;
    int wired;
    multicall_entry_t entry[NR_ENTRIES] __attribute__((aligned(64)));
};
_Static_assert(sizeof(struct entry_page) <= XENCALL_PAGE_SIZE,
               "the entries fit in one page");

struct xencall_os {
    int privcmd_fd;
    struct entry_page *entries;
    struct xentoollog_logger *log;
};

static int inherit_none(void *p, size_t len)
{
    return minherit(p, len, INHERIT_NONE);
}

static int inherit_zero(void *p, size_t len)
{
    return minherit(p, len, INHERIT_ZERO);
}

struct xencall_os *xencall_os_open(struct xentoollog_logger *log)
{
    struct xencall_os *os;
    int err;

    if (privcmd_check_page_size(log) < 0 || privcmd_watch_forks(log) < 0)
        return NULL;
    os = privcmd_alloc_state(log, sizeof(*os));
    if (!os)
        return NULL;
    os->log = log;
    os->entries = privcmd_map_locked(log, XENCALL_PAGE_SIZE, inherit_zero,
                                   "set INHERIT_ZERO on");
    if (!os->entries) {
        err = errno;
        free(os);
        errno = err;
        return NULL;
    }
    os->entries->wired = 1;
    os->privcmd_fd = open(PRIVCMD_NODE, O_RDWR | O_CLOEXEC);
    if (os->privcmd_fd < 0) {
        privcmd_unmap(os->entries, XENCALL_PAGE_SIZE);
        return privcmd_open_failed(log, PRIVCMD_NODE, os);
    }
    return os;
}

void xencall_os_close(struct xencall_os *os)
{
    /* In a forked child too: it owns its descriptor and its zero-filled
     * entry page. */
    close(os->privcmd_fd);
    privcmd_unmap(os->entries, XENCALL_PAGE_SIZE);
    free(os);
}

/* In a forked child, the first call locks the child's copy. */
static int entries_ready(struct entry_page *page)
{
    if (__atomic_load_n(&page->wired, __ATOMIC_ACQUIRE))
        return 0;
    if (mlock(page, XENCALL_PAGE_SIZE) < 0)
        return -1;
    __atomic_store_n(&page->wired, 1, __ATOMIC_RELEASE);
    return 0;
}

/*
 * A free entry, marked busy in *bit. With every entry in use (more
 * calls at once than entries), wait for one: each is freed when its
 * hypercall ends. Sleeping, not yielding, lets a real-time caller wait
 * for holders of a lower priority; the pause grows to at most 1 ms.
 */
static multicall_entry_t *claim_entry(struct entry_page *page, unsigned long *bit)
{
    unsigned long busy = __atomic_load_n(&page->busy, __ATOMIC_RELAXED), free_ones;
    struct timespec pause = { 0, 1000 };

    for (;;) {
        free_ones = ~busy & ALL_ENTRIES;
        if (!free_ones) {
            nanosleep(&pause, NULL);
            if (pause.tv_nsec < 1000000)
                pause.tv_nsec *= 2;
            busy = __atomic_load_n(&page->busy, __ATOMIC_RELAXED);
            continue;
        }
        *bit = free_ones & -free_ones;
        if (__atomic_compare_exchange_n(&page->busy, &busy, busy | *bit, 1,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return &page->entry[__builtin_ctzl(*bit)];
    }
}

long xencall_os_hypercall(struct xencall_os *os,
                          const struct xencall_call *call)
{
    struct ioctl_privcmd_hypercall hc = { .op = __HYPERVISOR_multicall, .arg = { 0, 1 } };
    multicall_entry_t *entry;
    unsigned long bit;
    long result;
    int rc;

    /*
     * Xen refuses a multicall inside a multicall, so a caller's own
     * goes as it is: its result is 0 or an error the kernel's table
     * knows (EFAULT, EINVAL), and its entries carry the rest.
     */
    if (call->op == __HYPERVISOR_multicall) {
        hc.arg[0] = call->arg[0];
        hc.arg[1] = call->arg[1];
        if (ioctl(os->privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
            return -1;
        return hc.retval;
    }
    if (entries_ready(os->entries) < 0)
        return -1;
    entry = claim_entry(os->entries, &bit);
    entry->op = call->op;
    entry->args[0] = call->arg[0];
    entry->args[1] = call->arg[1];
    entry->args[2] = call->arg[2];
    entry->args[3] = call->arg[3];
    entry->args[4] = call->arg[4];
    entry->args[5] = 0;
    hc.arg[0] = (uintptr_t)entry;
    rc = ioctl(os->privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &hc);
    result = (long)entry->result;
    __atomic_fetch_and(&os->entries->busy, ~bit, __ATOMIC_RELEASE);
    /* The multicall itself failed (restricted, say): the entry holds
     * nothing, errno is the kernel's. */
    if (rc < 0)
        return -1;
    return xen_result(result);
}

void *xencall_os_map_pages(struct xencall_os *os, size_t nr_pages)
{
    return privcmd_map_locked(os->log, nr_pages * XENCALL_PAGE_SIZE,
                            inherit_none, "set INHERIT_NONE on");
}

void xencall_os_unmap_pages(void *p, size_t nr_pages)
{
    privcmd_unmap(p, nr_pages * XENCALL_PAGE_SIZE);
}

size_t xencall_os_page_size(void)
{
    return privcmd_page_size();
}

int xencall_os_restrict(struct xencall_os *os, uint16_t domid,
                        int in_forked_child)
{
    if (privcmd_restrict_fd(os->privcmd_fd, IOCTL_PRIVCMD_RESTRICT, domid,
                          in_forked_child) == 0)
        return 0;
    /* The driver refuses a second, different domain with -EINVAL, and
     * the system call hands that negative number on as errno. */
    if (errno < 0)
        errno = -errno;
    return -1;
}

unsigned long xencall_os_process(void)
{
    return privcmd_process();
}

int xencall_os_buffers_never_fault(const struct xencall_os *os)
{
    (void)os;
    return 1;   /* wired pages of a non-migrating mapping */
}

int xencall_os_fd(const struct xencall_os *os)
{
    return os->privcmd_fd;
}
