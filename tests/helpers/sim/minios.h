/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated Mini-OS: HYPERVISOR_multicall() forwards to the
 * simulated hypervisor, and the backend's heap calls (memalign, free;
 * renamed to these by the test build's flags) are counted, so the
 * contract suite can see buffer memory come and go.
 */
#ifndef SIM_MINIOS_H
#define SIM_MINIOS_H

#include <stddef.h>

void *sim_minios_memalign(size_t align, size_t size);
void sim_minios_free(void *p);

/* Make the next multicall itself fail with -xen_errno (0: clear). */
void sim_minios_fail_multicall(int xen_errno);

#endif
