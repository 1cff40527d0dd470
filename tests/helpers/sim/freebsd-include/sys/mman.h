/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test build only: Linux's <sys/mman.h> plus FreeBSD's minherit(),
 * which tests/helpers/sim/freebsd.c provides. */
#ifndef SIM_FREEBSD_SYS_MMAN_H
#define SIM_FREEBSD_SYS_MMAN_H
#include_next <sys/mman.h>

#define INHERIT_SHARE 0
#define INHERIT_COPY  1
#define INHERIT_NONE  2
#define INHERIT_ZERO  3
int minherit(void *addr, size_t len, int inherit);

#endif
