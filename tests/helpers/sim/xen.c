/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated hypervisor (see xen.h). Pure and OS-independent: each
 * simulated kernel decides which guest memory is reachable and turns
 * the -XEN_Exxx results into its own ABI.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/version.h>
#include <xen/xen.h>   /* multicall_entry_t, hypercall numbers */

#include "locked.h"
#include "xen.h"

#define EXTRAVERSION_LEN 16
#define CAPABILITIES_LEN 1024

/* Wider than int where long is; a 32-bit long has nothing wider. */
#if LONG_MAX > INT_MAX
#define DEFAULT_MAX_RESERVATION ((1L << 33) + 5)
#else
#define DEFAULT_MAX_RESERVATION 0x12345L
#endif

long sim_xen_max_reservation = DEFAULT_MAX_RESERVATION;

static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long nr_calls;
static struct sim_xen_call last_call;

/*
 * Reachable guest memory: sorted, disjoint, non-adjacent half-open
 * intervals. Few entries at a time (one per live mapping), so a flat
 * array is plenty.
 */
struct interval {
    uintptr_t start, end;
};
static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct interval *mem;
static size_t mem_n, mem_cap;

static int mem_reserve(size_t need)
{
    struct interval *grown;
    size_t cap;

    if (need <= mem_cap)
        return 0;
    cap = mem_cap ? mem_cap * 2 : 16;
    while (cap < need)
        cap *= 2;
    grown = realloc(mem, cap * sizeof(*mem));
    if (!grown)
        return -1;
    mem = grown;
    mem_cap = cap;
    return 0;
}

void sim_xen_mem_add(const void *p, size_t len)
{
    uintptr_t start = (uintptr_t)p, end = start + len;
    size_t i, j;

    if (!len)
        return;
    pthread_mutex_lock(&mem_lock);
    /* Absorb every interval that overlaps or touches [start, end). */
    for (i = 0; i < mem_n && mem[i].end < start; i++)
        ;
    for (j = i; j < mem_n && mem[j].start <= end; j++) {
        if (mem[j].start < start)
            start = mem[j].start;
        if (mem[j].end > end)
            end = mem[j].end;
    }
    if (j == i) {
        if (mem_reserve(mem_n + 1) < 0)
            abort();   /* a test harness out of memory cannot go on */
        memmove(&mem[i + 1], &mem[i], (mem_n - i) * sizeof(*mem));
        mem_n++;
    } else if (j > i + 1) {
        memmove(&mem[i + 1], &mem[j], (mem_n - j) * sizeof(*mem));
        mem_n -= j - i - 1;
    }
    mem[i].start = start;
    mem[i].end = end;
    pthread_mutex_unlock(&mem_lock);
}

void sim_xen_mem_remove(const void *p, size_t len)
{
    uintptr_t start = (uintptr_t)p, end = start + len;
    size_t i;

    if (!len)
        return;
    pthread_mutex_lock(&mem_lock);
    for (i = 0; i < mem_n;) {
        struct interval *iv = &mem[i];

        if (iv->end <= start || iv->start >= end) {
            i++;
        } else if (iv->start < start && iv->end > end) {
            /* A hole in the middle splits the interval in two. */
            if (mem_reserve(mem_n + 1) < 0)
                abort();
            memmove(&mem[i + 1], &mem[i], (mem_n - i) * sizeof(*mem));
            mem_n++;
            mem[i].end = start;
            mem[i + 1].start = end;
            break;
        } else if (iv->start < start) {
            iv->end = start;
            i++;
        } else if (iv->end > end) {
            iv->start = end;
            i++;
        } else {
            memmove(&mem[i], &mem[i + 1], (mem_n - i - 1) * sizeof(*mem));
            mem_n--;
        }
    }
    pthread_mutex_unlock(&mem_lock);
}

int sim_xen_mem_reachable(const void *p, size_t len)
{
    uintptr_t start = (uintptr_t)p, end = start + len;
    size_t i;
    int ok = 0;

    if (!len)
        return 1;   /* Xen touches nothing */
    if (end < start)
        return 0;
    pthread_mutex_lock(&mem_lock);
    /* Intervals never touch, so one must hold the whole range. */
    for (i = 0; i < mem_n; i++) {
        if (mem[i].start <= start && end <= mem[i].end) {
            ok = 1;
            break;
        }
    }
    pthread_mutex_unlock(&mem_lock);
    return ok;
}

/*
 * A fork() while another thread holds one of our locks would leave the
 * child's copy locked for good: hold them across fork. Registered
 * before any default-priority constructor, so a simulated OS's own
 * handlers (registered later) take their lock first and ours after,
 * the order they are always taken in.
 */
static void xen_before_fork(void)
{
    pthread_mutex_lock(&calls_lock);
    pthread_mutex_lock(&mem_lock);
}

static void xen_after_fork(void)
{
    pthread_mutex_unlock(&mem_lock);
    pthread_mutex_unlock(&calls_lock);
}

__attribute__((constructor(101))) static void sim_xen_init(void)
{
    pthread_atfork(xen_before_fork, xen_after_fork, xen_after_fork);
}

/* copy_to_guest: a fixed-size field, zero-padded like Xen's. */
static long copy_string_out(uint64_t guest, size_t field, const char *s)
{
    char *dst = (char *)(uintptr_t)guest;
    size_t n = strlen(s);

    if (!sim_xen_mem_reachable(dst, field))
        return -XEN_EFAULT;
    memset(dst, 0, field);
    memcpy(dst, s, n < field ? n : field - 1);
    return 0;
}

static long xen_version(const uint64_t arg[5])
{
    switch (arg[0]) {
    case XENVER_version:
        return SIM_XEN_VERSION;
    case XENVER_extraversion:
        return copy_string_out(arg[1], EXTRAVERSION_LEN, SIM_XEN_EXTRAVERSION);
    case XENVER_capabilities:
        return copy_string_out(arg[1], CAPABILITIES_LEN, SIM_XEN_CAPABILITIES);
    case XENVER_pagesize:
        return 4096;
    default:
        return -XEN_ENOSYS;
    }
}

static long memory_op(const uint64_t arg[5])
{
    if (arg[0] != XENMEM_maximum_reservation)
        return -XEN_ENOSYS;
    /* Xen reads the domid_t that arg2 points at. */
    if (!sim_xen_mem_reachable((const void *)(uintptr_t)arg[1], sizeof(uint16_t)))
        return -XEN_EFAULT;
    return sim_xen_max_reservation;
}

static long fill(const uint64_t arg[5])
{
    unsigned char *p = (unsigned char *)(uintptr_t)arg[0];
    size_t len = (size_t)arg[1], i;
    long nonzero = 0;

    if (!sim_xen_mem_reachable(p, len))
        return -XEN_EFAULT;
    for (i = 0; i < len; i++)
        nonzero += p[i] != 0;
    memset(p, (int)(arg[2] & 0xff), len);
    return nonzero;
}

/* One hypercall other than multicall, counted and remembered. */
static long run_call(uint64_t op, const uint64_t arg[5])
{
    pthread_mutex_lock(&calls_lock);
    nr_calls++;
    last_call.op = op;
    memcpy(last_call.arg, arg, sizeof(last_call.arg));
    pthread_mutex_unlock(&calls_lock);

    switch (op) {
    case __HYPERVISOR_xen_version:
        return xen_version(arg);
    case __HYPERVISOR_memory_op:
        return memory_op(arg);
    case SIM_OP_RESULT:
        return (long)arg[0];
    case SIM_OP_FILL:
        return fill(arg);
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * Xen keeps "this vCPU is in a multicall" in its mc_state
 * (_MCSF_in_multicall, xen/common/multicall.c); here a calling thread
 * stands for a vCPU.
 */
static __thread int in_multicall;

/*
 * Xen's xen/common/multicall.c, do_multicall(): the in-multicall flag is
 * tested and set first, so a multicall made as an entry of another
 * (Xen dispatches it like any entry) is refused with -EINVAL in that
 * entry's result, and the entries of the inner list never run. Each
 * entry is read from guest memory, run, and only its result field is
 * meaningful after (a debug Xen overwrites the rest). The multicall
 * itself returns 0, or -EFAULT when an entry cannot be read or
 * written. It counts as the calls it carries.
 */
static long multicall(const uint64_t arg[5])
{
    multicall_entry_t *entry = (multicall_entry_t *)(uintptr_t)arg[0];
    uint64_t sub_args[5];
    uint32_t i, a, nr = (uint32_t)arg[1];
    long result, rc = 0;

    if (in_multicall)
        return -XEN_EINVAL;
    in_multicall = 1;
    for (i = 0; i < nr; i++, entry++) {
        if (!sim_xen_mem_reachable(entry, sizeof(*entry))) {
            rc = -XEN_EFAULT;
            break;
        }
        for (a = 0; a < 5; a++)
            sub_args[a] = entry->args[a];
        result = sim_xen_hypercall(entry->op, sub_args);
        memset(entry, 0xaa, sizeof(*entry));
        entry->result = (xen_ulong_t)result;
    }
    in_multicall = 0;
    return rc;
}

long sim_xen_hypercall(uint64_t op, const uint64_t arg[5])
{
    if (op == __HYPERVISOR_multicall)
        return multicall(arg);
    return run_call(op, arg);
}

unsigned long sim_xen_calls(void)
{
    return SIM_LOCKED_READ(&calls_lock, nr_calls);
}

struct sim_xen_call sim_xen_last_call(void)
{
    return SIM_LOCKED_READ(&calls_lock, last_call);
}

/* The reachable-memory set is left alone: it mirrors the simulated
 * OS's live mappings, which a reset does not unmap. */
void sim_xen_reset(void)
{
    pthread_mutex_lock(&calls_lock);
    nr_calls = 0;
    memset(&last_call, 0, sizeof(last_call));
    pthread_mutex_unlock(&calls_lock);
    sim_xen_max_reservation = DEFAULT_MAX_RESERVATION;
}
