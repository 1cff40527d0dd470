/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the simulated kernels share (kernel.h says what each is for).
 * Compiled into each test program beside its one simulated kernel.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel.h"
#include "xen.h"

int sim_faults_arm(struct sim_faults *f, const char *name,
                   unsigned long n, int err)
{
    size_t i;

    for (i = 0; name && i < f->nr_names; i++) {
        if (!strcmp(name, f->names[i].name)) {
            pthread_mutex_lock(f->lock);
            f->armed[f->names[i].kind].countdown = n;
            f->armed[f->names[i].kind].err = err;
            pthread_mutex_unlock(f->lock);
            return 0;
        }
    }
    return -1;
}

void sim_faults_clear(struct sim_faults *f)
{
    memset(f->armed, 0, sizeof(f->armed));
}

/* Under the lock: one more slot at the end (the table may move). */
static struct sim_region *sim_regions_slot(struct sim_regions *t)
{
    if (t->nr == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct sim_region *at = realloc(t->at, cap * sizeof(*at));

        if (!at)
            abort();   /* a harness out of memory cannot go on */
        t->at = at;
        t->cap = cap;
    }
    return &t->at[t->nr++];
}

struct sim_region *sim_regions_add(struct sim_regions *t,
                                   uintptr_t start, uintptr_t end)
{
    struct sim_region *r = sim_regions_slot(t);

    memset(r, 0, sizeof(*r));
    r->start = start;
    r->end = end;
    t->mapped_bytes += end - start;
    return r;
}

struct sim_region *sim_regions_find(struct sim_regions *t, uintptr_t addr)
{
    size_t i;

    for (i = 0; i < t->nr; i++)
        if (t->at[i].start <= addr && addr < t->at[i].end)
            return &t->at[i];
    return NULL;
}

int sim_regions_overlap(const struct sim_regions *t,
                        uintptr_t start, uintptr_t end)
{
    size_t i;

    for (i = 0; i < t->nr; i++)
        if (t->at[i].start < end && start < t->at[i].end)
            return 1;
    return 0;
}

void sim_region_set_reachable(struct sim_region *r, int want)
{
    if (want && !r->reachable)
        sim_xen_mem_add((void *)r->start, r->end - r->start);
    else if (!want && r->reachable)
        sim_xen_mem_remove((void *)r->start, r->end - r->start);
    r->reachable = !!want;
}

void sim_region_set_locked(struct sim_regions *t, struct sim_region *r,
                           int locked)
{
    if (locked && !r->locked)
        t->locked_bytes += r->end - r->start;
    else if (!locked && r->locked)
        t->locked_bytes -= r->end - r->start;
    r->locked = !!locked;
}

void sim_regions_drop(struct sim_regions *t, struct sim_region *r)
{
    sim_region_set_reachable(r, 0);
    sim_region_set_locked(t, r, 0);
    t->mapped_bytes -= r->end - r->start;
    *r = t->at[--t->nr];
}

void sim_regions_split_at(struct sim_regions *t, uintptr_t addr)
{
    size_t i;

    for (i = 0; i < t->nr; i++) {
        if (t->at[i].start < addr && addr < t->at[i].end) {
            struct sim_region *upper = sim_regions_slot(t);   /* may move the table */

            *upper = t->at[i];
            upper->start = addr;
            t->at[i].end = addr;
            return;
        }
    }
}

void sim_fds_init(struct sim_fds *t, int (*unmap)(void *, size_t))
{
    int fd;

    for (fd = 0; fd < SIM_MAX_FDS; fd++)
        t->at[fd].node = -1;
    t->unmap = unmap;
}

void sim_fds_set(struct sim_fds *t, int fd, int node,
                 struct sim_open_file *file)
{
    struct sim_open_file *old = t->at[fd].file;
    int other;

    if (t->at[fd].node < 0 && node >= 0)
        t->open++;
    else if (t->at[fd].node >= 0 && node < 0)
        t->open--;
    t->at[fd].node = node;
    t->at[fd].file = file;
    if (!old || old == file)
        return;
    for (other = 0; other < SIM_MAX_FDS; other++)
        if (t->at[other].file == old)
            return;
    t->unmap(old, SIM_OPEN_FILE_SIZE);
}

struct sim_open_file *sim_open_file_new(
    void *(*map)(void *, size_t, int, int, int, off_t))
{
    struct sim_open_file *file = map(NULL, SIM_OPEN_FILE_SIZE, PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (file == MAP_FAILED)
        return NULL;
    file->restricted_to = SIM_DOMID_INVALID;
    return file;
}

int sim_open_file_restrict(struct sim_open_file *file, uint16_t domid)
{
    uint16_t held = SIM_DOMID_INVALID;

    if (__atomic_compare_exchange_n(&file->restricted_to, &held, domid, 0,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return 0;
    return held == domid ? 0 : -1;
}

static pthread_mutex_t *sim_fork_lock;
static void (*sim_fork_in_child)(void);

static void sim_fork_prepare(void)
{
    pthread_mutex_lock(sim_fork_lock);
}

static void sim_fork_parent(void)
{
    pthread_mutex_unlock(sim_fork_lock);
}

static void sim_fork_child(void)
{
    sim_fork_in_child();
    pthread_mutex_unlock(sim_fork_lock);
}

void sim_kernel_atfork(pthread_mutex_t *lock, void (*in_child)(void))
{
    sim_fork_lock = lock;
    sim_fork_in_child = in_child;
    pthread_atfork(sim_fork_prepare, sim_fork_parent, sim_fork_child);
}
