/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mini-OS backend (stub domains): the library runs inside the guest
 * kernel, so it makes hypercalls itself, as one-entry multicalls whose
 * result field carries the full-width value (a caller's own multicall
 * goes as it is, below). Buffers are plain
 * page-aligned memory: Mini-OS never pages. Xen's error numbers are
 * turned into newlib's with a table generated at build time.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mini-os/os.h>   /* HYPERVISOR_multicall, multicall_entry_t */
#include <xentoollog.h>

#include "backend.h"
#include "../xen-errno/xen-result.h"

struct xencall_os {
    struct xentoollog_logger *log;
};

struct xencall_os *xencall_os_open(struct xentoollog_logger *log)
{
    struct xencall_os *os = malloc(sizeof(*os));

    if (!os) {
        xtl_log(log, XTL_ERROR, ENOMEM, "xencall", "cannot allocate backend state");
        errno = ENOMEM;
        return NULL;
    }
    os->log = log;
    return os;
}

void xencall_os_close(struct xencall_os *os)
{
    free(os);
}

/* A multicall's own result: 0, or Xen's error as errno. */
static long multicall_result(int rc)
{
    if (rc < 0) {
        errno = xen_errno_local((unsigned long)-(long)rc);
        return -1;
    }
    return rc;
}

long xencall_os_hypercall(struct xencall_os *os,
                          const struct xencall_call *call)
{
    multicall_entry_t entry = {
        .op = call->op,
        .args = { call->arg[0], call->arg[1], call->arg[2],
                  call->arg[3], call->arg[4] },
    };
    int rc;

    (void)os;
    /*
     * Xen refuses a multicall made inside a multicall (-EINVAL in the
     * wrapping entry, xen/common/multicall.c), so a caller's own goes
     * as it is: the call returns the multicall's own result, and the
     * caller's entries carry theirs. Xen reads the count as 32 bits.
     */
    if (call->op == __HYPERVISOR_multicall)
        return multicall_result(HYPERVISOR_multicall((void *)(uintptr_t)call->arg[0],
                                                     (int)(uint32_t)call->arg[1]));
    rc = HYPERVISOR_multicall(&entry, 1);
    if (rc < 0)
        return multicall_result(rc);
    return xen_result((long)entry.result);
}

void *xencall_os_map_pages(struct xencall_os *os, size_t nr_pages)
{
    size_t len = nr_pages * XENCALL_PAGE_SIZE;
    void *p = memalign(XENCALL_PAGE_SIZE, len);

    if (!p) {
        xtl_log(os->log, XTL_ERROR, ENOMEM, "xencall",
                "cannot allocate %zu bytes of buffer memory", len);
        errno = ENOMEM;
        return NULL;
    }
    memset(p, 0, len);
    return p;
}

void xencall_os_unmap_pages(void *p, size_t nr_pages)
{
    int saved_errno = errno;

    (void)nr_pages;
    free(p);
    errno = saved_errno;
}

/* Mini-OS maps memory in Xen's pages: its page is Xen's. */
size_t xencall_os_page_size(void)
{
    return XENCALL_PAGE_SIZE;
}

int xencall_os_restrict(struct xencall_os *os, uint16_t domid,
                        int in_forked_child)
{
    /* No device to restrict: the core's refusal of hypercalls is all. */
    (void)os;
    (void)domid;
    (void)in_forked_child;   /* Mini-OS has no fork */
    return 0;
}

unsigned long xencall_os_process(void)
{
    return 0;   /* Mini-OS has no fork: one process, the opener */
}

int xencall_os_buffers_never_fault(const struct xencall_os *os)
{
    (void)os;
    return 1;
}

int xencall_os_fd(const struct xencall_os *os)
{
    (void)os;
    return -1;
}
