/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs in dom0 under a real Xen (tests/xen/run.sh boots it under QEMU)
 * and checks this library against the real privcmd driver and, when
 * present, the real buffer device. Each check prints one line of
 * tests/helpers/xentest.h's protocol, which stage 70 counts.
 *
 *   dom0-checks MODE EXPECTED_MAX_PAGES
 *     MODE: bufdev (with /dev/xen/hypercall) or locked (without)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/sysctl.h>
#include <xen/version.h>
#include <xentoolcore.h>

#include "xencall.h"
#include "../helpers/proc.h"
#include "../helpers/xentest.h"
#include "../helpers/test.h"

/* Seconds a forked child may take: far above what any needs. */

/* A one-line file of /sys, without its newline; "" if unreadable. */
static const char *sys_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");

    buf[0] = 0;
    if (f) {
        if (fgets(buf, (int)len, f))
            buf[strcspn(buf, "\n")] = 0;
        fclose(f);
    }
    return buf;
}

static long sys_number(const char *path)
{
    char buf[64];

    return strtol(sys_line(path, buf, sizeof(buf)), NULL, 10);
}

static void check_versions(xencall_handle *h)
{
    long expect = (sys_number("/sys/hypervisor/version/major") << 16) |
                  sys_number("/sys/hypervisor/version/minor");
    int got[6];

    got[0] = xencall0(h, __HYPERVISOR_xen_version);   /* XENVER_version is 0 */
    got[1] = xencall1(h, __HYPERVISOR_xen_version, XENVER_version);
    got[2] = xencall2(h, __HYPERVISOR_xen_version, XENVER_version, 0);
    got[3] = xencall3(h, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    got[4] = xencall4(h, __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
    got[5] = xencall5(h, __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    for (int i = 0; i < 6; i++) {
        char name[32];

        snprintf(name, sizeof(name), "xencall%d-version", i);
        xentest_check(got[i] == expect && expect > 0, name, "got %#x, sysfs %#lx",
                      got[i], expect);
    }
}

/* Xen's page is 4 KiB on every architecture it runs on, whatever page
 * size dom0's kernel uses (a multiple of it). */
static void check_pagesize(xencall_handle *h)
{
    long xen_page = xencall2(h, __HYPERVISOR_xen_version, XENVER_pagesize, 0);
    long kernel_page = sysconf(_SC_PAGESIZE);

    xentest_check(xen_page == 4096 && kernel_page > 0 && kernel_page % xen_page == 0,
                  "pagesize", "Xen %ld, dom0's kernel %ld", xen_page, kernel_page);
}

static void check_strings(xencall_handle *h)
{
    char want[1024];
    char *extra = xencall_alloc_buffer(h, sizeof(xen_extraversion_t));
    char *caps = xencall_alloc_buffer(h, sizeof(xen_capabilities_info_t));
    struct utsname self;
    char own[sizeof(self.machine) + 16];
    int rc;

    rc = xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                  (uintptr_t)extra);
    sys_line("/sys/hypervisor/version/extra", want, sizeof(want));
    xentest_check(rc == 0 && !strcmp(extra, want), "extraversion",
                  "\"%s\" vs sysfs \"%s\"", extra, want);
    rc = xencall2(h, __HYPERVISOR_xen_version, XENVER_capabilities,
                  (uintptr_t)caps);
    sys_line("/sys/hypervisor/properties/capabilities", want, sizeof(want));
    /* Xen runs domains of dom0's own machine type ("xen-3.0-x86_64",
     * "xen-3.0-aarch64"), as the running kernel names it. */
    uname(&self);
    snprintf(own, sizeof(own), "xen-3.0-%s", self.machine);
    xentest_check(rc == 0 && !strcmp(caps, want) && strstr(caps, own),
                  "capabilities", "\"%s\", wanted %s in it", caps, own);
    xencall_free_buffer(h, extra);
    xencall_free_buffer(h, caps);
}

static void check_errors(xencall_handle *h)
{
    int rc;

    errno = 0;
    rc = xencall0(h, 63);
    xentest_check(rc == -1 && errno == ENOSYS, "unknown-hypercall-enosys",
                  "rc %d errno %d", rc, errno);
    errno = 0;
    rc = xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion, 0x1000);
    xentest_check(rc == -1 && errno == EFAULT, "bad-pointer-efault",
                  "rc %d errno %d", rc, errno);
}

static void check_memory_op(xencall_handle *h, long expect)
{
    domid_t *dom = xencall_alloc_buffer(h, sizeof(*dom));
    long pages;

    *dom = DOMID_SELF;
    pages = xencall2L(h, __HYPERVISOR_memory_op, XENMEM_maximum_reservation,
                      (uintptr_t)dom);
    xentest_check(pages == expect, "xencall2L-maximum-reservation",
                  "%ld pages, boot gave %ld", pages, expect);
    xencall_free_buffer(h, dom);
}

/* The hypervisor writes its capabilities string at several places in
 * the buffer, each page included; every copy must read back whole. */
static int hypervisor_fills(xencall_handle *h, char *buf, size_t len,
                            const char *caps)
{
    size_t step = len > 4096 ? 4096 - 300 : 700, off;
    int ok = 1;

    for (off = 0; off + sizeof(xen_capabilities_info_t) <= len; off += step) {
        memset(buf + off, 'x', sizeof(xen_capabilities_info_t));
        if (xencall2(h, __HYPERVISOR_xen_version, XENVER_capabilities,
                     (uintptr_t)(buf + off)) != 0 || strcmp(buf + off, caps))
            ok = 0;
    }
    return ok;
}

static void check_buffers(xencall_handle *h, int expect_never_fault)
{
    static const size_t pages[] = { 1, 2, 3, 8, 64 };
    char caps[1024] = "";
    char name[64];

    sys_line("/sys/hypervisor/properties/capabilities", caps, sizeof(caps));
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        size_t len = pages[i] * 4096;
        char *a = xencall_alloc_buffer(h, len);
        char *p = xencall_alloc_buffer_pages(h, pages[i]);
        int zero = a && p;

        for (size_t j = 0; zero && j < len; j++)
            zero = !a[j] && !p[j];
        snprintf(name, sizeof(name), "buffers-%zu-pages", pages[i]);
        xentest_ok(zero && hypervisor_fills(h, a, len, caps) &&
                   hypervisor_fills(h, p, len, caps), name);
        xencall_free_buffer(h, a);
        xencall_free_buffer_pages(h, p, pages[i]);
    }
    xentest_check(xencall_buffers_never_fault(h) == expect_never_fault,
                  "never-fault", "%d", xencall_buffers_never_fault(h));
}

static int child_closes_and_opens(void *arg)
{
    xencall_handle *inherited = arg, *own;
    int ok = xencall_close(inherited) == 0;

    own = xencall_open(NULL, 0);
    ok = ok && own && xencall1(own, __HYPERVISOR_xen_version, 0) > 0;
    xencall_close(own);
    return ok ? 0 : 1;
}

static void check_fork(xencall_handle *h)
{
    char *buf = xencall_alloc_buffer(h, 1024), caps[1024];
    int status;

    sys_line("/sys/hypervisor/properties/capabilities", caps, sizeof(caps));
    status = proc_run_child(child_closes_and_opens, h, CHILD_SECONDS);
    xentest_check(status == 0, "fork-child-closes-and-opens", "status %d", status);
    xentest_ok(xencall2(h, __HYPERVISOR_xen_version, XENVER_capabilities,
                        (uintptr_t)buf) == 0 && !strcmp(buf, caps),
               "fork-parent-buffer-and-handle-work");
    xencall_free_buffer(h, buf);
}

struct worker {
    xencall_handle *h;
    const char *caps;
    int errors;
};

static void *worker(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < 200; i++) {
        size_t len = 1024 + (size_t)(i % 5) * 4096;
        char *buf = xencall_alloc_buffer(w->h, len);

        if (!buf || xencall2(w->h, __HYPERVISOR_xen_version, XENVER_capabilities,
                             (uintptr_t)buf) != 0 || strcmp(buf, w->caps))
            w->errors++;
        xencall_free_buffer(w->h, buf);
    }
    return NULL;
}

static void check_threads(xencall_handle *h)
{
    struct worker w[4];
    char caps[1024];
    int errors = 0, rc;

    sys_line("/sys/hypervisor/properties/capabilities", caps, sizeof(caps));
    for (int i = 0; i < 4; i++)
        w[i] = (struct worker){ h, caps, 0 };
    rc = proc_run_threads(4, worker, w, sizeof(w[0]));
    for (int i = 0; i < 4; i++)
        errors += w[i].errors;
    xentest_check(rc == 0 && errors == 0, "threads-share-handle",
                  "%d errors in 800 calls, threads: %d", errors, rc);
}

static int physinfo(xencall_handle *h)
{
    struct xen_sysctl *sysctl = xencall_alloc_buffer(h, sizeof(*sysctl));
    int rc;

    sysctl->cmd = XEN_SYSCTL_physinfo;
    sysctl->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    rc = xencall1(h, __HYPERVISOR_sysctl, (uintptr_t)sysctl);
    if (rc == 0 && sysctl->u.physinfo.nr_cpus < 1)
        rc = -2;
    xencall_free_buffer(h, sysctl);
    return rc;
}

/*
 * privcmd keeps its restriction per open file, which a child shares
 * with its parent: a child restricting its inherited handle must
 * leave the parent's hypercalls working.
 */
static int child_restricts(void *arg)
{
    xencall_handle *inherited = arg;
    /* No buffers here: the parent's are not mapped in the child. */
    int ok = xentoolcore_restrict_all(1) == 0 &&
             xencall1(inherited, __HYPERVISOR_xen_version, 0) == -1 && errno == EPERM;

    return ok && xencall_close(inherited) == 0 ? 0 : 1;
}

static void check_fork_restriction(xencall_handle *h)
{
    int status = proc_run_child(child_restricts, h, CHILD_SECONDS);

    xentest_check(status == 0, "fork-child-restricts", "status %d", status);
    xentest_ok(physinfo(h) == 0, "fork-parent-unrestricted");
}

/* Last: restriction cannot be undone in this process. */
static void check_restriction(xencall_handle *h)
{
    int before = physinfo(h), after;

    int rc = xentoolcore_restrict_all(1);

    xentest_check(rc == 0, "restrict-all", "errno %d", rc ? errno : 0);
    errno = 0;
    after = physinfo(h);
    xentest_check(before == 0 && after == -1 && errno == EPERM,
                  "restricted-sysctl-eperm", "before %d, after %d errno %d",
                  before, after, errno);
}

int main(int argc, char **argv)
{
    xencall_handle *h;
    char target[256] = "";
    ssize_t n;
    char link[64];

    if (argc != 3) {
        fprintf(stderr, "usage: %s bufdev|locked EXPECTED_MAX_PAGES\n", argv[0]);
        return 2;
    }
    xentest.suite = argv[1];   /* checks are named under the mode */
    h = xencall_open(NULL, 0);
    xentest_check(h != NULL, "open", "errno %d", h ? 0 : errno);
    if (!h)
        return 1;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", xencall_fd(h));
    n = readlink(link, target, sizeof(target) - 1);
    target[n > 0 ? n : 0] = 0;
    xentest_check(!strcmp(target, "/dev/xen/privcmd"), "privcmd-node", "%s", target);

    check_versions(h);
    check_pagesize(h);
    check_strings(h);
    check_errors(h);
    check_memory_op(h, strtol(argv[2], NULL, 10));
    check_buffers(h, !strcmp(xentest.suite, "bufdev"));
    check_fork(h);
    check_threads(h);
    check_fork_restriction(h);
    check_restriction(h);
    xentest_ok(xencall_close(h) == 0, "close");
    return xentest.failed ? 1 : 0;
}
