/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xencall.h - make hypercalls to the Xen hypervisor from user space.
 *
 * This is the whole public interface of libxencall.so.1. It is
 * source- and binary-compatible with the Xen project's library of the
 * same name: a program built against either runs on the other.
 *
 * The library only carries hypercalls; what a hypercall means and
 * whether this process and domain may make it is up to Xen.
 */
#ifndef XENCALL_H
#define XENCALL_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declared here so callers without <xentoollog.h> can pass NULL. */
struct xentoollog_logger;

/* One open connection to the hypervisor; opaque to callers. */
typedef struct xencall_handle xencall_handle;

/*
 * Flag for xencall_open(): the caller promises that only one thread
 * at a time uses the handle, so the library may leave out locking.
 */
#define XENCALL_OPENFLAG_NON_REENTRANT (1U<<0)

/*
 * Open a handle. logger receives error reports; with NULL the library
 * logs to stderr at progress level and owns that logger. open_flags
 * is 0 or XENCALL_OPENFLAG_NON_REENTRANT; other bits give EINVAL.
 *
 * Returns NULL with errno set (and a log line) on failure: ENOENT
 * when this system is not running on Xen, EACCES without privilege.
 *
 * Fork: a child must not make hypercalls through a handle it
 * inherited, nor touch its buffers; the only thing it may do with it
 * is xencall_close(), which then releases what the child holds of it
 * and leaves the parent's state alone. exec() releases everything.
 */
xencall_handle *xencall_open(struct xentoollog_logger *logger,
                             unsigned open_flags);

/*
 * Close a handle and everything it holds, including buffers still
 * cached. Buffers the caller did not free are released too: do not
 * use them afterwards. NULL is accepted and gives 0.
 */
int xencall_close(xencall_handle *xcall);

/*
 * Make a hypercall with 0 to 5 arguments (unused ones are passed as
 * 0). Returns the hypercall's non-negative result, or -1 with errno:
 * either the hypervisor's error, in this system's errno numbering,
 * or an error of the OS or this library (EPERM once restricted by
 * xentoolcore_restrict_all(), EOVERFLOW for a result that does not
 * fit an int: use xencall2L for those). These functions never log.
 */
int xencall0(xencall_handle *xcall, unsigned int op);
int xencall1(xencall_handle *xcall, unsigned int op,
             uint64_t arg1);
int xencall2(xencall_handle *xcall, unsigned int op,
             uint64_t arg1, uint64_t arg2);
int xencall3(xencall_handle *xcall, unsigned int op,
             uint64_t arg1, uint64_t arg2, uint64_t arg3);
int xencall4(xencall_handle *xcall, unsigned int op,
             uint64_t arg1, uint64_t arg2, uint64_t arg3,
             uint64_t arg4);
int xencall5(xencall_handle *xcall, unsigned int op,
             uint64_t arg1, uint64_t arg2, uint64_t arg3,
             uint64_t arg4, uint64_t arg5);

/*
 * Like xencall2, but returns the hypercall's result as a full long,
 * for results of 2^31 and above (memory_op). Errors as above.
 */
long xencall2L(xencall_handle *xcall, unsigned int op,
               uint64_t arg1, uint64_t arg2);

/*
 * Memory that may be passed to the hypervisor as a hypercall argument.
 * Buffers come back zero-filled. xencall_alloc_buffer() memory is at
 * least 16-byte aligned; a size of 0 gives a valid, unique buffer that
 * must be freed like any other. xencall_alloc_buffer_pages() memory is
 * aligned to Xen's 4096-byte page; 0 pages gives EINVAL. Failures
 * return NULL with errno (ENOMEM when too large) and a log line.
 *
 * Free with the matching function; the _pages one needs the same page
 * count. Freeing NULL does nothing, and freeing never changes errno.
 * The handle may be shared between threads unless it was opened
 * NON_REENTRANT.
 */
void *xencall_alloc_buffer_pages(xencall_handle *xcall, size_t nr_pages);
void xencall_free_buffer_pages(xencall_handle *xcall, void *p,
                               size_t nr_pages);

void *xencall_alloc_buffer(xencall_handle *xcall, size_t size);
void xencall_free_buffer(xencall_handle *xcall, void *p);

/*
 * 1 when the hypervisor can never fault on this handle's buffers, 0
 * when a hypercall may rarely fail with EFAULT on one (and the caller
 * should retry). libxenctrl uses it to decide on retrying.
 */
int xencall_buffers_never_fault(xencall_handle *xcall);

/*
 * The OS file descriptor behind the handle, for callers that issue
 * OS-specific requests of their own; -1 where there is none (Mini-OS).
 * It belongs to the handle: do not close it.
 */
int xencall_fd(xencall_handle *xcall);

#ifdef __cplusplus
}
#endif

#endif /* XENCALL_H */
