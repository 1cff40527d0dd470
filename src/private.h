/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by the OS-independent core: the handle and the
 * buffer cache. Nothing here depends on the OS; see backend.h for the
 * line between the core and a backend.
 */
#ifndef XENCALL_PRIVATE_H
#define XENCALL_PRIVATE_H

#include <stdint.h>
#include <sys/types.h>

#include <xentoollog.h>

#include "xencall.h"
#include "backend.h"
#include "buffer-sizes.h"
#include "lock.h"

/*
 * libxentoolcore's registration record. Its header is not shipped, so
 * the layout is restated here; xentoolcore_restrict_all() calls
 * restrict_callback for every registered handle.
 */
struct toolcore_active_handle {
    int (*restrict_callback)(struct toolcore_active_handle *ah,
                             uint16_t domid);
    struct {
        struct toolcore_active_handle *le_next;
        struct toolcore_active_handle **le_prev;
    } entry;
};
void xentoolcore__register_active_handle(struct toolcore_active_handle *ah);
void xentoolcore__deregister_active_handle(struct toolcore_active_handle *ah);

/*
 * No single buffer above 16 GiB: nothing legitimate needs that much
 * locked memory, and refusing early avoids exhausting the machine. A
 * 32-bit size_t cannot count 16 GiB in bytes: there the limit is the
 * most whole pages whose byte count fits, so that
 * nr_pages * XENCALL_PAGE_SIZE never wraps.
 */
#define BUFFER_LIMIT_PAGES ((size_t)(((uint64_t)1 << 34) / XENCALL_PAGE_SIZE))
#define SIZE_LIMIT_PAGES (SIZE_MAX / XENCALL_PAGE_SIZE)
#define MAX_BUFFER_PAGES (BUFFER_LIMIT_PAGES < SIZE_LIMIT_PAGES ? \
                          BUFFER_LIMIT_PAGES : SIZE_LIMIT_PAGES)

struct cached_block {
    struct cached_block *next;
};

struct cache_slot {
    struct xencall_lock lock;
    size_t bytes_held;
    struct cached_block *free_blocks[CACHE_MAX_BLOCK_PAGES + 1];
    /* Blocks served from this slot, logged at close. Apart from
     * bytes_held, or GCC updates both with vector instructions. */
    uint64_t hits;
} __attribute__((aligned(64)));

/*
 * Every block the handle has mapped, cached or in the caller's hands,
 * so close() can release them all and free_buffer_pages() can check
 * the pointer and page count it is given. Only touched when mapping,
 * unmapping, or on the _pages calls, never on the small-buffer path.
 */
struct block_record {
    uintptr_t addr;
    size_t nr_pages;
    int caller_owns_pages;   /* live as an alloc_buffer_pages() buffer;
                              * atomic: alloc sets it without the lock */
    struct block_record *next;
};

struct block_registry {
    struct xencall_lock lock;
    struct block_record **buckets;
    size_t nr_buckets;       /* a power of two */
    size_t nr_records;
    /* Statistics, logged at close: every map is a cache miss. */
    uint64_t maps, budget_unmaps;
    size_t bytes_mapped, peak_bytes_mapped;
};

struct xencall_handle {
    struct xentoollog_logger *log;
    struct xentoollog_logger *own_log;   /* made by open, destroyed by close */
    void *allocation;                    /* malloc()'s block, h aligned inside */
    struct xencall_os *os;
    int no_locks;                        /* opened NON_REENTRANT: take none */
    int restricted;                      /* set once, read atomically */
    unsigned long owner_process;         /* xencall_os_process() of the opener */
    unsigned long child_state;           /* close vs restrict in a child: core.c */
    uint64_t buffer_owner_tag;           /* stamped on its small buffers */
    struct toolcore_active_handle toolcore;
    /* Links in the process's list of open handles (buffer.c), which a
     * refused mapping walks so that every cache gives way. */
    struct xencall_handle *cache_prev, *cache_next;
    struct block_registry registry;
    struct cache_slot slots[CACHE_SLOTS];
    /* What a cached block of n Xen pages holds of the OS's memory: n
     * Xen pages rounded up to the OS's pages. A lookup, so that the
     * cached path costs no more than multiplying by the page. */
    size_t block_bytes[CACHE_MAX_BLOCK_PAGES + 1];
    size_t os_page_size;
};

/* 1 in a process other than the one that opened h (a forked child):
 * core.c decides. Read by a refused mapping, which must leave alone the
 * caches of handles the process inherited. */
int handle_inherited(const struct xencall_handle *h);

int buffers_init(struct xencall_handle *h);
/* Release every block; in a forked child only the bookkeeping. */
void buffers_destroy(struct xencall_handle *h, int in_forked_child);
/* What the cache did for the handle, logged at debug level by close. */
void buffers_log_statistics(struct xencall_handle *h);

#define LOG_ERROR(h, err, ...) \
    xtl_log((h)->log, XTL_ERROR, (err), "xencall", __VA_ARGS__)

#endif /* XENCALL_PRIVATE_H */
