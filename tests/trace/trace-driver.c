/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fixed sequence of library calls on the simulated Linux privcmd, for
 * trace-points.sh to trace through the kernel's uprobes: one of each
 * event, with arguments and results the script knows in advance.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>
#include <xencall.h>
#include <xentoolcore.h>

#include "../helpers/sim/linux.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"

static void expect(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "trace-driver: %s\n", what);
        exit(1);
    }
}

int main(void)
{
    xencall_handle *h;
    void *p;

    sim_os_reset();
    h = xencall_open(NULL, 0);
    expect(h != NULL, "cannot open a handle on the simulated privcmd");
    expect(xencall1(h, SIM_OP_RESULT, 42) == 42, "xencall1 result");
    errno = 0;
    expect(xencall5(h, SIM_OP_RESULT, (uint64_t)-XEN_EINVAL, 2, 3, 4, 5) == -1 &&
           errno == EINVAL, "xencall5 error");
    /* A refused mapping with nothing cached: one event, no second try. */
    expect(sim_os_fail_nth("mmap", 1, ENOMEM) == 0, "arming a refused mapping");
    expect(xencall_alloc_buffer(h, 64) == NULL, "refused 64-byte buffer");
    /* A 64-byte buffer mapped, freed into the cache, served from it. */
    p = xencall_alloc_buffer(h, 64);
    xencall_free_buffer(h, p);
    p = xencall_alloc_buffer(h, 64);
    expect(p != NULL, "cached 64-byte buffer");
    xencall_free_buffer(h, p);
    /* The OS refuses a mapping: an event for the failure, the cached
     * block given back, and an event for the second try. */
    expect(sim_os_fail_nth("mmap", 1, ENOMEM) == 0, "arming a refused mapping");
    p = xencall_alloc_buffer_pages(h, 2);
    expect(p != NULL, "2-page buffer at the second try");
    xencall_free_buffer_pages(h, p, 2);
    /* Too big for the cache: back to the OS when freed. */
    p = xencall_alloc_buffer_pages(h, 200);
    expect(p != NULL, "200-page buffer");
    xencall_free_buffer_pages(h, p, 200);
    expect(xentoolcore_restrict_all(7) == 0, "restriction");
    xencall_close(h);
    printf("trace-driver: done\n");
    return 0;
}
