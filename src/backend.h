/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The contract between the OS-independent core (the .c files directly in
 * src/) and one OS backend (src/<os>/; the two privcmd backends, Linux
 * and FreeBSD, share src/privcmd/, which is not the core). Exactly one
 * backend is linked into a build; it defines struct xencall_os and
 * every function below, and may override the header at the end. The
 * core knows of its OS nothing else.
 *
 * Memory handed out by xencall_os_map_pages() is the only memory the
 * core gives to callers as hypercall buffers, so the backend alone
 * decides what makes memory safe for the hypervisor on its OS.
 */
#ifndef XENCALL_BACKEND_H
#define XENCALL_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct xentoollog_logger;
struct xencall_os;

/* Xen's page: the unit of xencall_alloc_buffer_pages() on every OS. */
#define XENCALL_PAGE_SIZE ((size_t)4096)

/*
 * The OS kernel's page in bytes, which a mapping from
 * xencall_os_map_pages() holds whole pages of: XENCALL_PAGE_SIZE, or a
 * multiple of it (Linux on arm64 may run with 16 or 64 KiB pages).
 * xencall_os_open() refuses any other.
 */
size_t xencall_os_page_size(void);

/* One hypercall: its number and five arguments, unused ones zero. */
struct xencall_call {
    uint64_t op;
    uint64_t arg[5];
};

/*
 * Open the OS's way to the hypervisor. On failure returns NULL with
 * errno set, having logged at XTL_ERROR through log. The backend keeps
 * log for its own later reports; it never destroys it.
 */
struct xencall_os *xencall_os_open(struct xentoollog_logger *log);

/*
 * Release what xencall_os_open() made, also in a forked child that
 * inherited the handle: the child has its own copies of the backend's
 * descriptors and state, and the core, not the backend, forgets the
 * buffers the child does not have. Must not change errno's meaning for
 * the caller (the core saves it).
 */
void xencall_os_close(struct xencall_os *os);

/*
 * Make one hypercall. Returns the hypervisor's full result (>= 0), or
 * -1 with errno in this OS's numbering. Never logs.
 */
long xencall_os_hypercall(struct xencall_os *os,
                          const struct xencall_call *call);

/*
 * Map nr_pages * XENCALL_PAGE_SIZE bytes (the OS rounds up to its own
 * pages), aligned to the OS's page and zero-filled,
 * that the hypervisor can reach and that a fork() does not share with
 * or copy into the child, not even a fork by another thread while this
 * call runs. nr_pages > 0 and the byte size fits size_t
 * (the core checks). NULL with errno and a log line on failure.
 */
void *xencall_os_map_pages(struct xencall_os *os, size_t nr_pages);

/* Give back a mapping from xencall_os_map_pages(). Preserves errno. */
void xencall_os_unmap_pages(void *p, size_t nr_pages);

/*
 * Stop this handle's OS object from being used for arbitrary
 * hypercalls (xentoolcore_restrict_all()). in_forked_child is nonzero
 * in a child process that inherited the handle: its descriptor shares
 * the parent's open file, and a restriction kept there (Linux's and
 * FreeBSD's privcmd keep it per open file) would restrict the parent
 * too, so the backend must act on the child's descriptor alone. 0 on
 * success; -1 with errno if it could not be done (the core then
 * reports the failure).
 */
int xencall_os_restrict(struct xencall_os *os, uint16_t domid,
                        int in_forked_child);

/*
 * Which process this is, for the core to tell the process that opened
 * a handle from a forked child (or a child's child) that inherited it.
 * A fork() gives the child a value that no ancestor of it ever has,
 * whatever their pids: a child in a new pid namespace, or one given a
 * dead opener's pid, has the opener's pid. Never ULONG_MAX, and
 * nonzero in any process that inherited a handle. Valid once
 * xencall_os_open() has succeeded in this process or an ancestor.
 */
unsigned long xencall_os_process(void);

/* 1 if hypercalls never fault on this backend's buffers, else 0. */
int xencall_os_buffers_never_fault(const struct xencall_os *os);

/* The descriptor behind the handle, or -1 where the OS has none. */
int xencall_os_fd(const struct xencall_os *os);

/*
 * Besides these functions, one header: "thread-slot.h", where the
 * calling thread keeps its cache-slot ticket. The buffer cache
 * (buffer.c) reads it on every allocation, so it is inline code, not a
 * call. It defines
 *
 *   static inline unsigned thread_slot_ticket_load(void);
 *       this thread's ticket: 0 until it stores one, then what it stored
 *   static inline void thread_slot_ticket_store(unsigned ticket);
 *
 * The default, src/generic/thread-slot.h, keeps it in a thread-local
 * variable. A backend overrides it by name: the include path puts the
 * backend's folder before src/generic/ (Makefile.am's AM_CPPFLAGS), as
 * musl's arch/<arch>/ comes before arch/generic/. Only Mini-OS, which
 * has no thread-local storage, does (src/minios/thread-slot.h).
 */

#endif /* XENCALL_BACKEND_H */
