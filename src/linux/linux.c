/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Linux backend: hypercalls through the privcmd driver, buffers from
 * the hypercall buffer device (/dev/xen/hypercall) or, without it,
 * from locked anonymous memory.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>   /* before the Xen headers, which need it */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xentoollog.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>

#include "backend.h"
#include "../privcmd/privcmd.h"

#ifndef IOCTL_PRIVCMD_RESTRICT
#define IOCTL_PRIVCMD_RESTRICT _IOC(_IOC_NONE, 'P', 6, sizeof(domid_t))
#endif

#define PRIVCMD_NODE     "/dev/xen/privcmd"
#define PRIVCMD_OLD_NODE "/proc/xen/privcmd"   /* xenfs, older systems */
#define BUFFER_NODE      "/dev/xen/hypercall"

struct xencall_os {
    int privcmd_fd;
    int buffer_fd;      /* -1: no buffer device, use locked memory */
    struct xentoollog_logger *log;
};

static int open_privcmd(void)
{
    int fd = open(PRIVCMD_NODE, O_RDWR | O_CLOEXEC);

    /* Only a missing node sends us to the old one; EACCES does not. */
    if (fd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV))
        fd = open(PRIVCMD_OLD_NODE, O_RDWR | O_CLOEXEC);
    return fd;
}

struct xencall_os *xencall_os_open(struct xentoollog_logger *log)
{
    struct xencall_os *os;

    if (privcmd_check_page_size(log) < 0 || privcmd_watch_forks(log) < 0)
        return NULL;
    os = privcmd_alloc_state(log, sizeof(*os));
    if (!os)
        return NULL;
    os->log = log;
    os->privcmd_fd = open_privcmd();
    if (os->privcmd_fd < 0)
        return privcmd_open_failed(log, PRIVCMD_NODE, os);
    /* The buffer device is an improvement, never a requirement. */
    os->buffer_fd = open(BUFFER_NODE, O_RDWR | O_CLOEXEC);
    if (os->buffer_fd < 0)
        xtl_log(log, XTL_DEBUG, errno, "xencall",
                "no %s (%s): using locked memory for buffers",
                BUFFER_NODE, strerror(errno));
    return os;
}

void xencall_os_close(struct xencall_os *os)
{
    if (os->buffer_fd >= 0)
        close(os->buffer_fd);
    close(os->privcmd_fd);
    free(os);
}

/* The core's call record is privcmd's request, field for field, so it
 * goes to the kernel as it is, with no copy on the hot path. */
_Static_assert(sizeof(struct xencall_call) == sizeof(privcmd_hypercall_t),
               "call record size");
_Static_assert(offsetof(struct xencall_call, op) ==
               offsetof(privcmd_hypercall_t, op), "op offset");
_Static_assert(offsetof(struct xencall_call, arg) ==
               offsetof(privcmd_hypercall_t, arg), "arg offset");

long xencall_os_hypercall(struct xencall_os *os,
                          const struct xencall_call *call)
{
    /* Not ioctl(): glibc's returns int and would cut a wide result. */
    return syscall(SYS_ioctl, os->privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, call);
}

static int mark_dontfork(void *p, size_t len)
{
    return madvise(p, len, MADV_DONTFORK);
}

/* The device does not mark its pages don't-copy; a child must not
 * share the parent's buffers, so no fork may come between the mapping
 * and the advice. Nothing in between may log (malloc's locks). */
static void *map_from_buffer_device(struct xencall_os *os, size_t len)
{
    void *p;
    int rc = -1, err;

    privcmd_hold_forks();
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, os->buffer_fd, 0);
    if (p != MAP_FAILED)
        rc = mark_dontfork(p, len);
    err = errno;
    privcmd_allow_forks();
    if (p == MAP_FAILED) {
        xtl_log(os->log, XTL_ERROR, err, "xencall",
                "cannot map %zu bytes from %s", len, BUFFER_NODE);
        errno = err;
        return NULL;
    }
    if (rc < 0) {
        xtl_log(os->log, XTL_ERROR, err, "xencall",
                "cannot mark %zu-byte buffer don't-fork", len);
        privcmd_unmap(p, len);
        errno = err;
        return NULL;
    }
    return p;
}

void *xencall_os_map_pages(struct xencall_os *os, size_t nr_pages)
{
    size_t len = nr_pages * XENCALL_PAGE_SIZE;

    return os->buffer_fd >= 0 ? map_from_buffer_device(os, len)
                              : privcmd_map_locked(os->log, len, mark_dontfork,
                                               "mark don't-fork");
}

void xencall_os_unmap_pages(void *p, size_t nr_pages)
{
    privcmd_unmap(p, nr_pages * XENCALL_PAGE_SIZE);
}

size_t xencall_os_page_size(void)
{
    return privcmd_page_size();
}

int xencall_os_restrict(struct xencall_os *os, uint16_t domid,
                        int in_forked_child)
{
    return privcmd_restrict_fd(os->privcmd_fd, IOCTL_PRIVCMD_RESTRICT, domid,
                             in_forked_child);
}

unsigned long xencall_os_process(void)
{
    return privcmd_process();
}

int xencall_os_buffers_never_fault(const struct xencall_os *os)
{
    return os->buffer_fd >= 0;
}

int xencall_os_fd(const struct xencall_os *os)
{
    return os->privcmd_fd;
}
