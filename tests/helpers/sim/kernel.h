/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the simulated kernels (linux.c, freebsd.c, minios.c) keep alike:
 * failures armed by sim_os_fail_nth(), the table of buffer memory they
 * map and register with the simulated hypervisor, the descriptors they
 * hand out and the open files behind them, and their fork handlers.
 * Each kernel keeps its own instance under its own lock; what an OS
 * decides (which memory Xen may reach, what fork does to it, which
 * errno a refusal gives) stays in that kernel's file.
 *
 * kernel.c holds the functions, compiled into each program with its
 * one kernel (SIM_KERNEL_SOURCES in local.am, part of every
 * SIM_<OS>_SOURCES). The three asked on every simulated call stay
 * inline here: the benchmark's instruction counts include the
 * simulated kernel's.
 */
#ifndef SIM_KERNEL_H
#define SIM_KERNEL_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xen.h"

/* ---- failures armed by sim_os_fail_nth() ---------------------------------- */

#define SIM_FAULT_KINDS 16

/* A name sim_os_fail_nth() accepts, and the counter it arms: names
 * that share a counter (dup2 and dup3) share a kind. */
struct sim_fault_name {
    const char *name;
    unsigned kind;
};

struct sim_faults {
    pthread_mutex_t *lock;                 /* the kernel's */
    const struct sim_fault_name *names;
    size_t nr_names;
    struct {
        unsigned long countdown;           /* 0: disarmed */
        int err;
    } armed[SIM_FAULT_KINDS];
};

/* A kernel's table, nothing armed: its lock and its names. */
#define SIM_FAULTS_INIT(lock, names) \
    { (lock), (names), sizeof(names) / sizeof((names)[0]), { { 0, 0 } } }

/* sim_os_fail_nth(): 0, or -1 for a name this kernel does not know. */
int sim_faults_arm(struct sim_faults *f, const char *name,
                   unsigned long n, int err);

/* Under the lock: 1, with errno set, if this call of kind is the one
 * armed to fail. */
static inline int sim_faults_hit(struct sim_faults *f, unsigned kind)
{
    if (!f->armed[kind].countdown || --f->armed[kind].countdown)
        return 0;
    errno = f->armed[kind].err;
    return 1;
}

/* Under the lock: nothing armed. */
void sim_faults_clear(struct sim_faults *f);

/* ---- buffer memory and what the hypervisor may reach ---------------------- */

/* A mapping (or heap block) the kernel made for the library. */
struct sim_region {
    uintptr_t start, end;
    int mmap_flags;       /* Linux: as given to mmap() */
    int inherit;          /* FreeBSD: the minherit() mode */
    unsigned locked:1, reachable:1;
    unsigned from_device:1, dontfork:1;   /* Linux */
};

struct sim_regions {
    struct sim_region *at;
    size_t nr, cap;
    size_t mapped_bytes, locked_bytes;
};

/* Under the lock: a new region, zeroed but for its bounds. The pointer
 * holds until the next region is added. */
struct sim_region *sim_regions_add(struct sim_regions *t,
                                   uintptr_t start, uintptr_t end);

/* Under the lock: the region holding addr, or NULL. */
struct sim_region *sim_regions_find(struct sim_regions *t, uintptr_t addr);

int sim_regions_overlap(const struct sim_regions *t,
                        uintptr_t start, uintptr_t end);

/* Registered with the hypervisor while want holds, as the kernel
 * makes the memory hypercall-safe. */
void sim_region_set_reachable(struct sim_region *r, int want);

void sim_region_set_locked(struct sim_regions *t, struct sim_region *r,
                           int locked);

/* Under the lock: r is gone (the last region takes its place). */
void sim_regions_drop(struct sim_regions *t, struct sim_region *r);

/* Under the lock: the region holding addr in its middle becomes two,
 * so that a call on part of a mapping acts on whole regions. */
void sim_regions_split_at(struct sim_regions *t, uintptr_t addr);

/* ---- descriptors and the open files behind them ----------------------------- */

#define SIM_MAX_FDS 4096
#define SIM_DOMID_INVALID 0x7ff4   /* Xen's DOMID_INVALID */

/*
 * What a kernel's device keeps per open file description: the domain
 * it is restricted to. Every descriptor sharing the open file sees it,
 * through dup() in this process or fork() in another, so each record
 * is a shared mapping of its own, which a fork() keeps shared; parent
 * and child reach it atomically, having no lock in common.
 */
struct sim_open_file {
    uint16_t restricted_to;   /* SIM_DOMID_INVALID: not restricted */
};
#define SIM_OPEN_FILE_SIZE 4096

struct sim_fd {
    int node;                     /* the kernel's device number; -1: not ours */
    struct sim_open_file *file;   /* NULL for a device without restriction */
};

struct sim_fds {
    struct sim_fd at[SIM_MAX_FDS];
    int open;   /* descriptors with node >= 0 */
    /* munmap() as the kernel reaches the real one (it interposes it). */
    int (*unmap)(void *, size_t);
};

/* Before any use: no descriptor is ours. */
void sim_fds_init(struct sim_fds *t, int (*unmap)(void *, size_t));

static inline int sim_fds_node(const struct sim_fds *t, int fd)
{
    return fd >= 0 && fd < SIM_MAX_FDS ? t->at[fd].node : -1;
}

/* Under the lock: fd now stands for node (-1: no longer ours), sharing
 * file; the file fd held is forgotten once no descriptor has it. */
void sim_fds_set(struct sim_fds *t, int fd, int node,
                 struct sim_open_file *file);

/* A new open file, not restricted, mapped with map (the real mmap);
 * NULL with errno if it cannot be. */
struct sim_open_file *sim_open_file_new(
    void *(*map)(void *, size_t, int, int, int, off_t));

static inline int sim_open_file_restricted(const struct sim_open_file *file)
{
    return file && __atomic_load_n(&file->restricted_to, __ATOMIC_ACQUIRE) !=
                   SIM_DOMID_INVALID;
}

/* Restricts file to domid, once: 0, or -1 if it is restricted to
 * another domain already (each kernel says so with its own errno). */
int sim_open_file_restrict(struct sim_open_file *file, uint16_t domid);

/* ---- fork ------------------------------------------------------------------- */

/*
 * The kernel's lock is held across fork(), so the child sees its state
 * whole; in_child(), run in the child with the lock held, does what the
 * OS does to memory there. One kernel per program: one registration.
 */
void sim_kernel_atfork(pthread_mutex_t *lock, void (*in_child)(void));

#endif
