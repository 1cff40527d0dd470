/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run in every dom0 of stage 70, whose kernel page may be larger than
 * Xen's 4 KiB page (Debian 13's linux-image-arm64-16k): prints the kernel's page, what the kernel maps for a
 * one-Xen-page buffer, and checks this library's buffers there, one
 * XENTEST line each (tests/helpers/xentest.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/version.h>

#include "buffer-sizes.h"   /* the library's: the small buffer's header */
#include "xencall.h"
#include "../helpers/xentest.h"

/* The size of the mapping of /proc/self/maps that holds p, or 0. */
static unsigned long mapping_size(const void *p)
{
    unsigned long lo, hi, at = (unsigned long)(uintptr_t)p, size = 0;
    char line[512];
    FILE *f = fopen("/proc/self/maps", "r");

    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= at && at < hi)
            size = hi - lo;
    if (f)
        fclose(f);
    return size;
}

/* A buffer of len bytes filled by Xen (its capabilities string, at
 * the end of the buffer so the last Xen page is written). */
static int hypervisor_writes(xencall_handle *h, char *buf, size_t len)
{
    char *caps = buf + len - sizeof(xen_capabilities_info_t);

    memset(caps, 'x', sizeof(xen_capabilities_info_t));
    return xencall2(h, __HYPERVISOR_xen_version, XENVER_capabilities,
                    (uintptr_t)caps) == 0 && !strncmp(caps, "xen-", 4);
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    xencall_handle *h = xencall_open(NULL, 0);
    char *small, *pages;

    xentest.suite = "pagesize";
    printf("XENTEST INFO kernel page %ld bytes\n", page);
    xentest_check(h != NULL, "open", "errno %d", h ? 0 : errno);
    if (!h)
        return 1;
    xentest_check(xencall2(h, __HYPERVISOR_xen_version, XENVER_pagesize, 0) == 4096,
                  "xen-page-4096", "Xen's page as Xen reports it");
    small = xencall_alloc_buffer(h, 64);
    pages = xencall_alloc_buffer_pages(h, 3);
    xentest_check(small && (uintptr_t)small % (uintptr_t)page == SMALL_HEADER_BYTES,
                  "small-buffer-offset", "%p, mapping %lu bytes", (void *)small,
                  mapping_size(small));
    xentest_check(pages && (uintptr_t)pages % (uintptr_t)page == 0,
                  "pages-aligned", "%p, mapping %lu bytes", (void *)pages,
                  mapping_size(pages));
    xentest_check(small && hypervisor_writes(h, small - SMALL_HEADER_BYTES, 4096),
                  "hypercall-small-buffer", "xen_version into a 1-page buffer");
    xentest_check(pages && hypervisor_writes(h, pages, 3 * 4096),
                  "hypercall-3-pages", "xen_version into the third Xen page");
    xencall_free_buffer(h, small);
    xencall_free_buffer_pages(h, pages, 3);
    printf("XENTEST INFO buffers never fault: %d\n", xencall_buffers_never_fault(h));
    xentest_ok(xencall_close(h) == 0, "close");
    return xentest.failed ? 1 : 0;
}
