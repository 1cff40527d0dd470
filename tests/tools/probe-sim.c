/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xencall-probe, compiled unchanged, run over the simulated Linux
 * privcmd so that each failure it explains can be produced on demand.
 * Usage: probe-sim SYSTEM [PROBE-ARGUMENT]; probe.sh checks what the
 * probe prints and how it exits.
 */
#define main probe_main
int probe_main(int argc, char **argv);
#include "../../tools/xencall-probe.c"
#undef main

#include "../helpers/sim/linux.h"
#include "../helpers/sim/os.h"

int main(int argc, char **argv)
{
    const char *system = argc > 1 ? argv[1] : "";
    char *probe_argv[] = { (char *)"xencall-probe", argc > 2 ? argv[2] : NULL, NULL };

    sim_os_reset();
    if (!strcmp(system, "no-xen"))
        sim_os_set_xen_present(0);
    else if (!strcmp(system, "not-root"))
        sim_linux_set_open_error(SIM_NODE_PRIVCMD, EACCES);
    else if (!strcmp(system, "restricted-domu"))
        sim_os_fail_nth("ioctl", 1, EPERM);     /* the first hypercall */
    else if (!strcmp(system, "32-bit"))
        sim_os_fail_nth("ioctl", 1, ENOTTY);
    else if (!strcmp(system, "no-buffer-device"))
        sim_os_set_buffer_device(0);
    else if (strcmp(system, "xen")) {
        fprintf(stderr, "probe-sim: unknown system '%s'\n", system);
        return 2;
    }
    return probe_main(argc > 2 ? 2 : 1, probe_argv);
}
