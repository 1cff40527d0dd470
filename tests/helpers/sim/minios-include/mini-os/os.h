/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test build only: what the Mini-OS backend takes from Mini-OS's
 * <mini-os/os.h>: Xen's public types and the multicall hypercall,
 * here answered by the simulated hypervisor (tests/helpers/sim/minios.c).
 */
#ifndef SIM_MINIOS_OS_H
#define SIM_MINIOS_OS_H

#include <stdint.h>
#include <xen/xen.h>

int HYPERVISOR_multicall(void *call_list, int nr_calls);

#endif
