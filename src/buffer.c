/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hypercall buffers: a per-handle cache of freed blocks, split into
 * slots that each thread picks once, plus a registry of every block
 * the handle has mapped.
 *
 * A block is nr_pages of backend memory. xencall_alloc_buffer() puts
 * a small header at the start of its block and hands out the bytes
 * after it; xencall_alloc_buffer_pages() hands out the whole block.
 * Only the bytes a caller asked for are zeroed on reuse: memory fresh
 * from the backend is zero already.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "thread-slot.h"   /* where a thread's ticket lives: backend.h */
#include "trace.h"

#define MAGIC_LIVE  0x78634c56u   /* handed out */
#define MAGIC_FREED 0x78634672u   /* back with the library */
/* In a block xencall_free_buffer_pages() cached: see cached_record(). */
#define MAGIC_FREED_PAGES 0x78635066u
/* From this size on, xencall_alloc_buffer clears from the block start. */
#define ALIGNED_CLEAR_MIN 1024

_Static_assert(SMALL_HEADER_BYTES == 16, "payload must stay 16-byte aligned");
_Static_assert(MAX_BUFFER_PAGES <= UINT32_MAX, "nr_pages must fit the header");
_Static_assert(MAX_BUFFER_PAGES <= (SIZE_MAX - (XENCALL_PAGE_SIZE - 1)) /
               XENCALL_PAGE_SIZE, "rounding a size up to pages must not wrap");
_Static_assert(sizeof(struct cached_block) <= offsetof(struct small_header, nr_pages),
               "a cached block's link must leave the magic alone");

/* Tags are never reused, so a buffer outlives no handle's tag. */
static uint64_t last_owner_tag;

/* NON_REENTRANT handles take no lock: one thread at a time uses them. */
static void lock(struct xencall_handle *h, struct xencall_lock *l)
{
    if (!h->no_locks)
        xencall_lock_take(l);
}

static void unlock(struct xencall_handle *h, struct xencall_lock *l)
{
    if (!h->no_locks)
        xencall_lock_release(l);
}

/* ---- registry ---------------------------------------------------- */

/* A block's share of the OS's memory: its Xen pages in whole OS pages. */
static size_t os_bytes(const struct xencall_handle *h, size_t nr_pages)
{
    size_t page = h->os_page_size;

    return (nr_pages * XENCALL_PAGE_SIZE + page - 1) / page * page;
}

static size_t bucket_of(const struct block_registry *r, uintptr_t addr)
{
    uint64_t key = addr / XENCALL_PAGE_SIZE;

    /* Fibonacci hashing spreads consecutive page numbers. */
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (r->nr_buckets - 1);
}

static struct block_record **registry_find(struct block_registry *r,
                                           uintptr_t addr)
{
    struct block_record **pos = &r->buckets[bucket_of(r, addr)];

    while (*pos && (*pos)->addr != addr)
        pos = &(*pos)->next;
    return pos;
}

/* Doubles the table when it gets crowded; failure only costs speed. */
static void registry_grow(struct block_registry *r)
{
    size_t old_n = r->nr_buckets, i;
    struct block_record **old = r->buckets, **fresh;

    fresh = calloc(old_n * 2, sizeof(*fresh));
    if (!fresh)
        return;
    r->buckets = fresh;
    r->nr_buckets = old_n * 2;
    for (i = 0; i < old_n; i++) {
        while (old[i]) {
            struct block_record *rec = old[i];
            size_t b = bucket_of(r, rec->addr);

            old[i] = rec->next;
            rec->next = fresh[b];
            fresh[b] = rec;
        }
    }
    free(old);
}

static int registry_add(struct xencall_handle *h, void *p, size_t nr_pages)
{
    struct block_registry *r = &h->registry;
    struct block_record *rec = malloc(sizeof(*rec));
    size_t b;

    if (!rec)
        return -1;
    rec->addr = (uintptr_t)p;
    rec->nr_pages = nr_pages;
    rec->caller_owns_pages = 0;
    lock(h, &r->lock);
    if (r->nr_records >= r->nr_buckets * 2)
        registry_grow(r);
    b = bucket_of(r, rec->addr);
    rec->next = r->buckets[b];
    r->buckets[b] = rec;
    r->nr_records++;
    r->maps++;
    r->bytes_mapped += os_bytes(h, nr_pages);
    if (r->bytes_mapped > r->peak_bytes_mapped)
        r->peak_bytes_mapped = r->bytes_mapped;
    unlock(h, &r->lock);
    return 0;
}

/* by_budget: counted among the unmaps a full cache slot forced. */
static void registry_remove(struct xencall_handle *h, void *p, int by_budget)
{
    struct block_registry *r = &h->registry;
    struct block_record **pos, *rec;

    lock(h, &r->lock);
    pos = registry_find(r, (uintptr_t)p);
    rec = *pos;
    if (rec) {
        *pos = rec->next;
        r->nr_records--;
        r->bytes_mapped -= os_bytes(h, rec->nr_pages);
        r->budget_unmaps += !!by_budget;
    }
    unlock(h, &r->lock);
    free(rec);
}

/* ---- blocks from and to the backend ------------------------------ */

static void *map_block(struct xencall_handle *h, size_t nr_pages)
{
    void *p = xencall_os_map_pages(h->os, nr_pages);
    int err;

    if (!p)
        return NULL;   /* the backend has logged why */
    if (registry_add(h, p, nr_pages) < 0) {
        err = errno;
        xencall_os_unmap_pages(p, nr_pages);
        LOG_ERROR(h, err, "cannot record a %zu-page buffer", nr_pages);
        errno = err;
        return NULL;
    }
    return p;
}

/* Kept out of put_block(): inlined, it crowds the cached path's registers. */
static __attribute__((noinline)) void
unmap_block(struct xencall_handle *h, void *p, size_t nr_pages, int by_budget)
{
    TRACE_BUFFER_UNMAP(p, nr_pages);
    registry_remove(h, p, by_budget);
    xencall_os_unmap_pages(p, nr_pages);
}

/* ---- the cache ----------------------------------------------------- */

/*
 * Locked memory is counted per process (RLIMIT_MEMLOCK), so a block
 * one handle caches may be what another handle's mapping lacks. Every
 * open handle is on this list, under a lock of its own, which only
 * open, close and a refused mapping take: never the cached path.
 * Lock order: this lock first, then one slot or registry lock of one
 * handle at a time; nobody takes this lock holding one of those.
 */
static struct xencall_lock open_handles_lock;
static struct xencall_handle *open_handles;

static void open_handles_add(struct xencall_handle *h)
{
    xencall_lock_take(&open_handles_lock);
    h->cache_prev = NULL;
    h->cache_next = open_handles;
    if (open_handles)
        open_handles->cache_prev = h;
    open_handles = h;
    xencall_lock_release(&open_handles_lock);
}

static void open_handles_remove(struct xencall_handle *h)
{
    xencall_lock_take(&open_handles_lock);
    if (h->cache_prev)
        h->cache_prev->cache_next = h->cache_next;
    else
        open_handles = h->cache_next;
    if (h->cache_next)
        h->cache_next->cache_prev = h->cache_prev;
    xencall_lock_release(&open_handles_lock);
}

/* A block taken out of a cache and its registry, on its way back to
 * the OS: written over its first bytes, which nobody reads any more. */
struct leaving_block {
    struct leaving_block *next;
    size_t nr_pages;
};

/* Move every block cached in h's slots, out of them and out of h's
 * registry, onto *leaving. */
static void take_cache(struct xencall_handle *h, struct leaving_block **leaving)
{
    struct cached_block *lists[CACHE_MAX_BLOCK_PAGES + 1], *b;
    struct leaving_block *l;
    size_t i, nr_pages;

    for (i = 0; i < CACHE_SLOTS; i++) {
        struct cache_slot *slot = &h->slots[i];

        lock(h, &slot->lock);
        memcpy(lists, slot->free_blocks, sizeof(lists));
        memset(slot->free_blocks, 0, sizeof(slot->free_blocks));
        slot->bytes_held = 0;
        unlock(h, &slot->lock);
        for (nr_pages = 1; nr_pages <= CACHE_MAX_BLOCK_PAGES; nr_pages++) {
            while ((b = lists[nr_pages])) {
                lists[nr_pages] = b->next;
                registry_remove(h, b, 0);
                l = (struct leaving_block *)b;
                l->nr_pages = nr_pages;
                l->next = *leaving;
                *leaving = l;
            }
        }
    }
}

/*
 * Every cache of the process gives way: h's own, then, under the
 * list's lock (which keeps them from closing meanwhile), those of the
 * other handles this process opened. Not those of handles opened
 * NON_REENTRANT: they take no lock, so no other thread may touch their
 * slots; a refused mapping of their own releases them. Nor those of
 * handles a forked child inherited: their blocks are the parent's and
 * their locks may be held by threads the child does not have. The
 * blocks are unmapped after the list's lock is dropped. 1 if any was.
 */
static int release_caches(struct xencall_handle *h)
{
    struct leaving_block *leaving = NULL, *next;
    struct xencall_handle *other;
    int released;

    take_cache(h, &leaving);
    xencall_lock_take(&open_handles_lock);
    for (other = open_handles; other; other = other->cache_next)
        if (other != h && !other->no_locks && !handle_inherited(other))
            take_cache(other, &leaving);
    xencall_lock_release(&open_handles_lock);
    released = leaving != NULL;
    for (; leaving; leaving = next) {
        next = leaving->next;
        TRACE_BUFFER_UNMAP(leaving, leaving->nr_pages);
        xencall_os_unmap_pages(leaving, leaving->nr_pages);
    }
    return released;
}

/*
 * The cache must never make an allocation fail that would succeed
 * without it: cached blocks, this handle's or another's, may hold what
 * the OS is short of (locked memory counts against RLIMIT_MEMLOCK per
 * process), so on failure they go back and the mapping is tried once
 * more. Each try has its buffer_alloc event, the refused one with
 * block 0. Out of line, trace points and all: the cached path in
 * get_block() keeps its registers.
 */
static __attribute__((noinline)) void *
map_fresh_block(struct xencall_handle *h, size_t nr_pages)
{
    void *p = map_block(h, nr_pages);
    int err;

    if (!p) {
        TRACE_BUFFER_ALLOC(p, nr_pages, 0);
        err = errno;
        if (!release_caches(h)) {
            errno = err;
            return NULL;
        }
        p = map_block(h, nr_pages);
        if (p)
            xtl_log(h->log, XTL_INFO, -1, "xencall", "mapped %zu pages at the"
                    " second try, after the buffer caches gave their blocks"
                    " back", nr_pages);
    }
    TRACE_BUFFER_ALLOC(p, nr_pages, 0);
    return p;
}

/* A thread's slot follows from its ticket; where a thread keeps its
 * ticket is its OS's business (thread-slot.h: backend.h). */
static unsigned next_slot_ticket;

static struct cache_slot *my_slot(struct xencall_handle *h)
{
    unsigned ticket;

    if (h->no_locks)
        return &h->slots[0];
    ticket = thread_slot_ticket_load();
    if (!ticket) {
        /* Threads take consecutive tickets, so any two threads started
         * together land in different slots. 0 means "none yet". */
        do
            ticket = __atomic_add_fetch(&next_slot_ticket, 1, __ATOMIC_RELAXED);
        while (!ticket);
        thread_slot_ticket_store(ticket);
    }
    return &h->slots[ticket % CACHE_SLOTS];
}

/*
 * A block of nr_pages; *zeroed tells whether it is all zero already.
 * Always inlined, like put_block(): compilers count a trace point as
 * code and stop inlining it, and a call costs half the cached path.
 */
static inline __attribute__((always_inline)) void *
get_block(struct xencall_handle *h, size_t nr_pages, int *zeroed)
{
    struct cache_slot *slot;
    struct cached_block *b = NULL;

    if (nr_pages <= CACHE_MAX_BLOCK_PAGES) {
        slot = my_slot(h);
        lock(h, &slot->lock);
        b = slot->free_blocks[nr_pages];
        if (b) {
            slot->free_blocks[nr_pages] = b->next;
            slot->bytes_held -= h->block_bytes[nr_pages];
            slot->hits++;
        }
        unlock(h, &slot->lock);
    }
    if (b) {
        *zeroed = 0;
        TRACE_BUFFER_ALLOC(b, nr_pages, 1);
        return b;
    }
    *zeroed = 1;
    return map_fresh_block(h, nr_pages);
}

/*
 * Where a block freed by xencall_free_buffer_pages(), which looked its
 * registry record up, keeps it while cached: just past a small header
 * whose magic says so. alloc_buffer_pages() then marks the block live
 * without searching the registry under its lock.
 */
static struct block_record **cached_record(void *block)
{
    return (struct block_record **)((char *)block + SMALL_HEADER_BYTES);
}

/*
 * Keep a freed block if the slot's budget allows, else unmap it.
 * Always inlined: a call costs as much as the cached path itself, and
 * clang stops inlining it once it holds a trace point.
 */
static inline __attribute__((always_inline)) void
put_block(struct xencall_handle *h, void *p, size_t nr_pages)
{
    struct cache_slot *slot;
    struct cached_block *b = p;
    size_t bytes;
    int kept = 0;

    TRACE_BUFFER_FREE(p, nr_pages);
    if (nr_pages <= CACHE_MAX_BLOCK_PAGES) {
        bytes = h->block_bytes[nr_pages];
        slot = my_slot(h);
        lock(h, &slot->lock);
        if (slot->bytes_held + bytes <= CACHE_SLOT_BUDGET) {
            b->next = slot->free_blocks[nr_pages];
            slot->free_blocks[nr_pages] = b;
            slot->bytes_held += bytes;
            kept = 1;
        }
        unlock(h, &slot->lock);
    }
    if (!kept)
        unmap_block(h, p, nr_pages, nr_pages <= CACHE_MAX_BLOCK_PAGES);
}

/* ---- setup and teardown -------------------------------------------- */

int buffers_init(struct xencall_handle *h)
{
    struct block_registry *r = &h->registry;
    size_t n;

    /* An unusable page size is the backend's open to refuse, after. */
    h->os_page_size = xencall_os_page_size();
    if (h->os_page_size < XENCALL_PAGE_SIZE)
        h->os_page_size = XENCALL_PAGE_SIZE;
    for (n = 0; n <= CACHE_MAX_BLOCK_PAGES; n++)
        h->block_bytes[n] = os_bytes(h, n);

    h->buffer_owner_tag = __atomic_add_fetch(&last_owner_tag, 1, __ATOMIC_RELAXED);
    r->nr_buckets = 64;
    r->buckets = calloc(r->nr_buckets, sizeof(*r->buckets));
    if (!r->buckets)
        return -1;
    open_handles_add(h);
    return 0;
}

/* Under the locks: another handle's refused mapping may be emptying
 * this cache until close takes the handle off the list. */
void buffers_log_statistics(struct xencall_handle *h)
{
    struct block_registry *r = &h->registry;
    uint64_t hits = 0, maps, budget_unmaps;
    size_t cached = 0, nr_records, bytes_mapped, peak, i;

    for (i = 0; i < CACHE_SLOTS; i++) {
        lock(h, &h->slots[i].lock);
        hits += h->slots[i].hits;
        cached += h->slots[i].bytes_held;
        unlock(h, &h->slots[i].lock);
    }
    lock(h, &r->lock);
    maps = r->maps;
    budget_unmaps = r->budget_unmaps;
    nr_records = r->nr_records;
    bytes_mapped = r->bytes_mapped;
    peak = r->peak_bytes_mapped;
    unlock(h, &r->lock);
    xtl_log(h->log, XTL_DEBUG, -1, "xencall",
            "buffer cache: %" PRIu64 " hits, %" PRIu64 " misses, %zu blocks"
            " (%zu bytes) held at close, %zu bytes of them cached, peak %zu"
            " bytes held, %" PRIu64 " unmaps forced by the budget",
            hits, maps, nr_records, bytes_mapped, cached, peak, budget_unmaps);
}

void buffers_destroy(struct xencall_handle *h, int in_forked_child)
{
    struct block_registry *r = &h->registry;
    size_t i;

    /*
     * Every block, cached or still with the caller, is in the registry.
     * A forked child has none of them mapped (they are don't-fork) and
     * its copies of the locks may be held by threads it does not have,
     * so there it only frees its copy of the bookkeeping. The handle
     * stays on the child's copy of the list of open handles, which is
     * why the child keeps its memory; a refused mapping in the child
     * passes over it.
     */
    if (!in_forked_child)
        open_handles_remove(h);
    for (i = 0; i < r->nr_buckets; i++) {
        while (r->buckets[i]) {
            struct block_record *rec = r->buckets[i];

            r->buckets[i] = rec->next;
            if (!in_forked_child)
                xencall_os_unmap_pages((void *)rec->addr, rec->nr_pages);
            free(rec);
        }
    }
    free(r->buckets);
}

/* ---- the public calls ------------------------------------------------ */

void *xencall_alloc_buffer(xencall_handle *h, size_t size)
{
    struct small_header *hdr;
    size_t nr_pages;
    int zeroed;

    if (size > MAX_BUFFER_PAGES * XENCALL_PAGE_SIZE - SMALL_HEADER_BYTES) {
        LOG_ERROR(h, ENOMEM, "buffer of %zu bytes is too large", size);
        errno = ENOMEM;
        return NULL;
    }
    nr_pages = (size + SMALL_HEADER_BYTES + XENCALL_PAGE_SIZE - 1) /
               XENCALL_PAGE_SIZE;
    hdr = get_block(h, nr_pages, &zeroed);
    if (!hdr)
        return NULL;
    /* Large clears go by string stores, which run fastest from an
     * aligned address (a third faster for 4 KiB on AMD EPYC): those
     * start at the block, header included. Small ones cost less as
     * they are. */
    if (!zeroed) {
        if (size >= ALIGNED_CLEAR_MIN)
            memset(hdr, 0, SMALL_HEADER_BYTES + size);
        else
            memset(hdr + 1, 0, size);
    }
    hdr->owner_tag = h->buffer_owner_tag;
    hdr->nr_pages = (uint32_t)nr_pages;
    hdr->magic = MAGIC_LIVE;
    return hdr + 1;
}

void xencall_free_buffer(xencall_handle *h, void *p)
{
    struct small_header *hdr;
    int saved_errno = errno;

    if (!p)
        return;
    hdr = (struct small_header *)p - 1;
    /* Every payload starts right after its header at the start of a
     * block, so at that offset within a page. Any other pointer is
     * refused before anything is read: the bytes below it may lie on
     * a page that is not mapped. */
    if ((uintptr_t)p % XENCALL_PAGE_SIZE != SMALL_HEADER_BYTES) {
        LOG_ERROR(h, EINVAL, "free of %p: not from xencall_alloc_buffer", p);
    } else if (hdr->magic != MAGIC_LIVE) {
        LOG_ERROR(h, EINVAL, "free of %p: %s", p,
                  hdr->magic == MAGIC_FREED ? "already freed"
                                            : "not from xencall_alloc_buffer,"
                                              " or written below its start");
    } else if (hdr->owner_tag != h->buffer_owner_tag) {
        /* Caching it here would hand out memory another handle's
         * close unmaps. */
        LOG_ERROR(h, EINVAL, "free of %p: allocated through another handle", p);
    } else {
        hdr->magic = MAGIC_FREED;
        put_block(h, hdr, hdr->nr_pages);
    }
    errno = saved_errno;
}

void *xencall_alloc_buffer_pages(xencall_handle *h, size_t nr_pages)
{
    struct block_record *rec;
    void *p;
    int zeroed;

    if (nr_pages == 0 || nr_pages > MAX_BUFFER_PAGES) {
        int err = nr_pages ? ENOMEM : EINVAL;

        LOG_ERROR(h, err, "cannot allocate a buffer of %zu pages", nr_pages);
        errno = err;
        return NULL;
    }
    p = get_block(h, nr_pages, &zeroed);
    if (!p)
        return NULL;
    rec = NULL;
    if (!zeroed && ((struct small_header *)p)->magic == MAGIC_FREED_PAGES)
        rec = *cached_record(p);
    if (!rec) {
        lock(h, &h->registry.lock);
        rec = *registry_find(&h->registry, (uintptr_t)p);
        unlock(h, &h->registry.lock);
    }
    /* Atomic: free_buffer_pages() claims it under the registry lock,
     * which this path may not hold. */
    __atomic_store_n(&rec->caller_owns_pages, 1, __ATOMIC_RELAXED);
    if (!zeroed)
        memset(p, 0, nr_pages * XENCALL_PAGE_SIZE);
    return p;
}

void xencall_free_buffer_pages(xencall_handle *h, void *p, size_t nr_pages)
{
    struct block_record *rec;
    size_t real_pages = 0;
    int saved_errno = errno;

    if (!p)
        return;
    /* The caller's page count is checked, not trusted: a wrong one
     * must not put a block of the wrong size into the cache. */
    lock(h, &h->registry.lock);
    rec = *registry_find(&h->registry, (uintptr_t)p);
    if (rec && __atomic_exchange_n(&rec->caller_owns_pages, 0, __ATOMIC_RELAXED))
        real_pages = rec->nr_pages;
    unlock(h, &h->registry.lock);

    if (!real_pages) {
        LOG_ERROR(h, EINVAL, "free of %p: not a live buffer from "
                  "xencall_alloc_buffer_pages", p);
    } else {
        if (real_pages != nr_pages)
            LOG_ERROR(h, EINVAL, "free of %p: %zu pages given, %zu allocated;"
                      " freeing %zu", p, nr_pages, real_pages, real_pages);
        ((struct small_header *)p)->magic = MAGIC_FREED_PAGES;
        *cached_record(p) = rec;
        put_block(h, p, real_pages);
    }
    errno = saved_errno;
}
