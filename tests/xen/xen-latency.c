/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cost of one xen_version hypercall on a real Xen: through the raw
 * privcmd ioctl and through a libxencall given by path (dlopen()ed, so
 * ours and Debian's are measured by the same code, one per process).
 * Prints "raw NS" and "lib NS": medians of several rounds, in ns; then
 * the cost of alloc+free of a 64-byte and a 3-page buffer ("alloc64 NS",
 * "alloc3p NS"), where mapping memory is real kernel work.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/sys/privcmd.h>

#include "timing.h"   /* tools/ */

#define ROUNDS 9
#define CALLS 300

static void *(*alloc_fn)(void *, size_t);
static void (*free_fn)(void *, void *);

static double alloc_free_ns(void *h, size_t size)
{
    double t, rounds[ROUNDS];
    int r, i;

    for (r = 0; r < ROUNDS; r++) {
        t = now_ns();
        for (i = 0; i < CALLS; i++) {
            void *p = alloc_fn(h, size);

            if (!p)
                exit(1);
            free_fn(h, p);
        }
        rounds[r] = (now_ns() - t) / CALLS;
    }
    return median_of(rounds, ROUNDS);
}

int main(int argc, char **argv)
{
    void *(*open_fn)(void *, unsigned);
    int (*call1)(void *, unsigned, uint64_t);
    privcmd_hypercall_t hc = { .op = __HYPERVISOR_xen_version };
    double raw[ROUNDS], lib[ROUNDS], rawsys[ROUNDS], t;
    void *dl, *h;
    int fd, r, i;

    if (argc != 2 || !(dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL))) {
        fprintf(stderr, "usage: %s LIBXENCALL (%s)\n", argv[0], dlerror());
        return 2;
    }
    *(void **)&open_fn = dlsym(dl, "xencall_open");
    *(void **)&call1 = dlsym(dl, "xencall1");
    *(void **)&alloc_fn = dlsym(dl, "xencall_alloc_buffer");
    *(void **)&free_fn = dlsym(dl, "xencall_free_buffer");
    fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    h = open_fn ? open_fn(NULL, 0) : NULL;
    if (fd < 0 || !h || !call1 || !alloc_fn || !free_fn)
        return 1;
    for (r = 0; r < ROUNDS; r++) {
        t = now_ns();
        for (i = 0; i < CALLS; i++)
            if (ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
                return 1;
        raw[r] = (now_ns() - t) / CALLS;
        t = now_ns();
        for (i = 0; i < CALLS; i++)
            if (call1(h, __HYPERVISOR_xen_version, 0) < 0)
                return 1;
        lib[r] = (now_ns() - t) / CALLS;
        /* The same request through syscall(), which this library uses
         * so that results wider than an int survive. */
        t = now_ns();
        for (i = 0; i < CALLS; i++)
            if (syscall(SYS_ioctl, fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
                return 1;
        rawsys[r] = (now_ns() - t) / CALLS;
    }
    printf("raw %.0f\nlib %.0f\n", median_of(raw, ROUNDS), median_of(lib, ROUNDS));
    printf("alloc64 %.0f\nalloc3p %.0f\n", alloc_free_ns(h, 64),
           alloc_free_ns(h, 3 * 4096));
    printf("rawsyscall %.0f\n", median_of(rawsys, ROUNDS));
    return 0;
}
