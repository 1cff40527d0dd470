/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mini-os/os.h>

#include "os.h"
#include "locked.h"
#include "xen.h"
#include "minios.h"

const char sim_os_name[] = "minios";

#define MAX_BLOCKS 4096

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    void *p;
    size_t size;
} blocks[MAX_BLOCKS];
static size_t nr_blocks, heap_bytes;
static unsigned long memalign_countdown;
static int multicall_error;

/* Mini-OS memory is the guest's own: all of it is hypercall-safe. */
void *sim_minios_memalign(size_t align, size_t size)
{
    void *p;

    pthread_mutex_lock(&lock);
    if ((memalign_countdown && !--memalign_countdown) || nr_blocks == MAX_BLOCKS) {
        pthread_mutex_unlock(&lock);
        return NULL;
    }
    p = memalign(align, size);
    if (p) {
        blocks[nr_blocks].p = p;
        blocks[nr_blocks++].size = size;
        heap_bytes += size;
        sim_xen_mem_add(p, size);
    }
    pthread_mutex_unlock(&lock);
    return p;
}

void sim_minios_free(void *p)
{
    size_t i;

    pthread_mutex_lock(&lock);
    for (i = 0; i < nr_blocks; i++) {
        if (blocks[i].p == p) {
            sim_xen_mem_remove(p, blocks[i].size);
            heap_bytes -= blocks[i].size;
            blocks[i] = blocks[--nr_blocks];
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    free(p);
}

int HYPERVISOR_multicall(void *call_list, int nr_calls)
{
    multicall_entry_t *entry = call_list;
    uint64_t args[5];
    int i, j, err;

    pthread_mutex_lock(&lock);
    err = multicall_error;
    multicall_error = 0;
    pthread_mutex_unlock(&lock);
    if (err)
        return -err;
    for (i = 0; i < nr_calls; i++) {
        for (j = 0; j < 5; j++)
            args[j] = entry[i].args[j];
        entry[i].result = (xen_ulong_t)sim_xen_hypercall(entry[i].op, args);
    }
    return 0;
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
    memalign_countdown = 0;
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
    return SIM_LOCKED_READ(&lock, heap_bytes);
}

int sim_os_set_kernel_restrict(int supported)
{
    (void)supported;
    return -1;
}

int sim_os_fail_nth(const char *name, unsigned long n, int err)
{
    (void)err;   /* Mini-OS's allocator can only say ENOMEM */
    if (!name || (strcmp(name, "memalign") && strcmp(name, "mmap")))
        return -1;
    SIM_LOCKED_WRITE(&lock, memalign_countdown, n);
    return 0;
}
