/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sizes the buffer cache is built on. Apart from private.h so that
 * the white-box tests can take them from here instead of restating
 * them: change one and those tests follow it.
 */
#ifndef XENCALL_BUFFER_SIZES_H
#define XENCALL_BUFFER_SIZES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Buffer cache. Freed blocks wait in one of CACHE_SLOTS slots, each
 * with its own lock; a thread always uses the same slot, so threads
 * sharing a handle rarely meet on a lock or a cache line. A block is
 * a whole number of pages straight from the backend. The slot lock
 * (lock.h) guards a few loads and stores and is almost never
 * contended, so a mutex would cost more than the whole cached path.
 */
#define CACHE_SLOTS 4
/* Blocks larger than this go straight back to the OS when freed. */
#define CACHE_MAX_BLOCK_PAGES 128
/* Bytes of the OS's memory the freed blocks in one slot may hold (so
 * 2 MiB per handle). A block holds whole pages of the OS's kernel,
 * more than its Xen pages where the kernel's page is larger. */
#define CACHE_SLOT_BUDGET ((size_t)512 * 1024)

/*
 * Precedes every xencall_alloc_buffer() payload; keeps it 16-aligned.
 * The magic sits next to the payload, so a caller writing below its
 * buffer spoils it first and the free is refused rather than trusted.
 * A cached block's list link overwrites only owner_tag.
 */
struct small_header {
    uint64_t owner_tag;   /* the handle's buffer_owner_tag */
    uint32_t nr_pages;
    uint32_t magic;
};
#define SMALL_HEADER_BYTES sizeof(struct small_header)

#endif
