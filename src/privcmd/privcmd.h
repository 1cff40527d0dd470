/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pieces shared by the backends that reach Xen through a privcmd
 * device (src/linux, src/freebsd); the Mini-OS backend does not use
 * them. Named privcmd_ (not posix_, a prefix POSIX reserves) for the
 * backends they serve.
 */
#ifndef XENCALL_PRIVCMD_H
#define XENCALL_PRIVCMD_H

#include <stddef.h>
#include <stdint.h>

struct xentoollog_logger;

/*
 * Anonymous memory made safe for the hypervisor: mapped, guarded
 * against fork by the OS's own call (guard, named guard_name in log
 * lines) before any page exists, locked, then touched page by page.
 * NULL with errno and an XTL_ERROR log line on failure.
 */
void *privcmd_map_locked(struct xentoollog_logger *log, size_t len,
                       int (*guard)(void *p, size_t len),
                       const char *guard_name);

/* malloc() for a backend's state; logs a failure, errno kept. */
void *privcmd_alloc_state(struct xentoollog_logger *log, size_t size);

/* For an open() of node that failed: logs why (with a hint when Xen
 * looks absent), frees the half-made state, and returns NULL with
 * errno as open() left it. */
void *privcmd_open_failed(struct xentoollog_logger *log, const char *node,
                        void *state);

/*
 * Start watching forks in this process (once; later calls only say
 * how that went): from then on privcmd_process() is the generation of
 * the process, 0 in the first and one more in each forked child, and
 * privcmd_hold_forks() makes a fork() of any thread wait until
 * privcmd_allow_forks(). -1 with errno, logged, if it cannot be done.
 */
int privcmd_watch_forks(struct xentoollog_logger *log);
unsigned long privcmd_process(void);
void privcmd_hold_forks(void);
void privcmd_allow_forks(void);

/* sysconf(_SC_PAGESIZE): the kernel's page. */
size_t privcmd_page_size(void);

/*
 * 0 if the kernel's page is a multiple of Xen's, so that its mappings
 * are aligned to Xen's pages; else -1 with errno ENOTSUP and an
 * XTL_ERROR log line.
 */
int privcmd_check_page_size(struct xentoollog_logger *log);

/* munmap() that leaves errno alone. */
void privcmd_unmap(void *p, size_t len);

/*
 * Restrict the privcmd fd to domid with the kernel's restrict ioctl;
 * a kernel without it, or a forked child whose fd shares its parent's
 * open file, gets fd pointed at /dev/null instead, so nothing reaches
 * the device through it any more. 0, or -1 with errno.
 */
int privcmd_restrict_fd(int fd, unsigned long restrict_request, uint16_t domid,
                      int in_forked_child);

#endif
