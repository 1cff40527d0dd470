/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated Mini-OS (see minios.h). */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mini-os/os.h>

#include "os.h"
#include "kernel.h"
#include "locked.h"
#include "xen.h"
#include "minios.h"

const char sim_os_name[] = "minios";

/* The heap is the one call that can fail; "mmap" is what the contract
 * suite calls buffer memory on every OS. */
enum fault { F_MEMALIGN };
static const struct sim_fault_name fault_names[] = {
    { "memalign", F_MEMALIGN }, { "mmap", F_MEMALIGN },
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_faults faults = SIM_FAULTS_INIT(&lock, fault_names);
/* The heap blocks the backend holds. */
static struct sim_regions blocks;
static int multicall_error;

/* Mini-OS memory is the guest's own: all of it is hypercall-safe. */
void *sim_minios_memalign(size_t align, size_t size)
{
    void *p = NULL;

    pthread_mutex_lock(&lock);
    if (!sim_faults_hit(&faults, F_MEMALIGN))
        p = memalign(align, size);
    if (p)
        sim_region_set_reachable(sim_regions_add(&blocks, (uintptr_t)p,
                                                 (uintptr_t)p + size), 1);
    pthread_mutex_unlock(&lock);
    return p;
}

void sim_minios_free(void *p)
{
    struct sim_region *r;

    pthread_mutex_lock(&lock);
    r = sim_regions_find(&blocks, (uintptr_t)p);
    if (r)
        sim_regions_drop(&blocks, r);
    pthread_mutex_unlock(&lock);
    free(p);
}

/* This thread's stack, found once per thread. */
static __thread uintptr_t stack_lo, stack_hi;

static int on_own_stack(const void *p, uint64_t len)
{
    pthread_attr_t attr;
    void *base;
    size_t size;

    if (!stack_hi && pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &base, &size) == 0) {
            stack_lo = (uintptr_t)base;
            stack_hi = stack_lo + size;
        }
        pthread_attr_destroy(&attr);
    }
    return stack_hi && (uintptr_t)p >= stack_lo && (uintptr_t)p < stack_hi &&
           len <= stack_hi - (uintptr_t)p;
}

/*
 * Mini-OS's HYPERVISOR_multicall is the multicall hypercall itself
 * (_hypercall2 in include/x86/x86_64/hypercall-x86_64.h): the list
 * goes to Xen as it is, with Xen's own rules (a multicall inside one
 * is refused). All of a Mini-OS guest's memory is Xen's to reach, its
 * stack too, where the backend keeps its one entry; the simulated Xen
 * reaches only registered memory, so a list on the caller's stack is
 * registered for the call. Other memory stays as registered: a list
 * anywhere else must be a buffer, as on every simulated OS.
 */
int HYPERVISOR_multicall(void *call_list, int nr_calls)
{
    uint64_t args[5] = { (uintptr_t)call_list, (uint32_t)nr_calls, 0, 0, 0 };
    uint64_t len = (uint64_t)(uint32_t)nr_calls * sizeof(multicall_entry_t);
    int err, lent;
    long rc;

    pthread_mutex_lock(&lock);
    err = multicall_error;
    multicall_error = 0;
    pthread_mutex_unlock(&lock);
    if (err)
        return -err;
    lent = on_own_stack(call_list, len) && !sim_xen_mem_reachable(call_list, (size_t)len);
    if (lent)
        sim_xen_mem_add(call_list, (size_t)len);
    rc = sim_xen_hypercall(__HYPERVISOR_multicall, args);
    if (lent)
        sim_xen_mem_remove(call_list, (size_t)len);
    return (int)rc;
}

void sim_minios_fail_multicall(int xen_errno)
{
    SIM_LOCKED_WRITE(&lock, multicall_error, xen_errno);
}

/* ---- os.h -------------------------------------------------------------- */

void sim_os_reset(void)
{
    pthread_mutex_lock(&lock);
    multicall_error = 0;
    sim_faults_clear(&faults);
    pthread_mutex_unlock(&lock);
    sim_xen_reset();
}

int sim_os_set_buffer_device(int present)
{
    (void)present;
    return -1;
}

void sim_os_set_xen_present(int present)
{
    (void)present;
}

int sim_os_xen_can_be_absent(void)
{
    return 0;   /* a Mini-OS domain always runs on Xen */
}

/* Mini-OS runs one program in one address space: nothing forks there,
 * and its backend tells every caller it is the opener. */
int sim_os_has_fork(void)
{
    return 0;
}

unsigned sim_os_hypercall_arg_bits(void)
{
    return sizeof(((multicall_entry_t *)0)->args[0]) * CHAR_BIT;
}

int sim_os_open_handles(void)
{
    return 0;   /* no descriptors on Mini-OS */
}

size_t sim_os_mapped_bytes(void)
{
    return SIM_LOCKED_READ(&lock, blocks.mapped_bytes);
}

int sim_os_set_kernel_restrict(int supported)
{
    (void)supported;
    return -1;
}

int sim_os_fail_nth(const char *name, unsigned long n, int err)
{
    return sim_faults_arm(&faults, name, n, err);
}
