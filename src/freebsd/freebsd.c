/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * FreeBSD backend: hypercalls through /dev/xen/privcmd, whose ioctl
 * returns the result in the request's retval field and has already
 * translated Xen's error numbers into FreeBSD's; buffers are locked
 * anonymous memory that a child never inherits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>   /* before the Xen headers, which need it */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xentoollog.h>
#include <xen/xen.h>
/* FreeBSD's privcmd ABI (its sys/xen/privcmd.h), which Xen's tools
 * install as xen/sys/ next to the public headers above. */
#include <xen/sys/privcmd.h>

#include "backend.h"
#include "posix.h"

#define PRIVCMD_NODE "/dev/xen/privcmd"

struct xencall_os {
    int privcmd_fd;
    struct xentoollog_logger *log;
};

struct xencall_os *xencall_os_open(struct xentoollog_logger *log)
{
    struct xencall_os *os = posix_alloc_state(log, sizeof(*os));

    if (!os)
        return NULL;
    os->log = log;
    os->privcmd_fd = open(PRIVCMD_NODE, O_RDWR | O_CLOEXEC);
    if (os->privcmd_fd < 0)
        return posix_open_failed(log, PRIVCMD_NODE, os);
    return os;
}

void xencall_os_close(struct xencall_os *os, int in_forked_child)
{
    (void)in_forked_child;   /* the child owns its copy of the fd */
    close(os->privcmd_fd);
    free(os);
}

long xencall_os_hypercall(struct xencall_os *os,
                          const struct xencall_call *call)
{
    struct ioctl_privcmd_hypercall hc = {
        .op = call->op,
        .arg = { call->arg[0], call->arg[1], call->arg[2],
                 call->arg[3], call->arg[4] },
    };

    /* errno is the kernel's, already in FreeBSD's numbering. */
    if (ioctl(os->privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
        return -1;
    return hc.retval;
}

static int inherit_none(void *p, size_t len)
{
    return minherit(p, len, INHERIT_NONE);
}

void *xencall_os_map_pages(struct xencall_os *os, size_t nr_pages)
{
    return posix_map_locked(os->log, nr_pages * XENCALL_PAGE_SIZE,
                            inherit_none, "set INHERIT_NONE on");
}

void xencall_os_unmap_pages(struct xencall_os *os, void *p, size_t nr_pages)
{
    (void)os;
    posix_unmap(p, nr_pages * XENCALL_PAGE_SIZE);
}

int xencall_os_restrict(struct xencall_os *os, uint16_t domid,
                        int in_forked_child)
{
    return posix_restrict_fd(os->privcmd_fd, IOCTL_PRIVCMD_RESTRICT, domid,
                             in_forked_child);
}

int xencall_os_buffers_never_fault(const struct xencall_os *os)
{
    (void)os;
    return 1;   /* wired pages of a non-migrating mapping */
}

int xencall_os_fd(const struct xencall_os *os)
{
    return os->privcmd_fd;
}
