/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What call-cost.sh runs under callgrind: n hypercalls through the
 * FreeBSD backend on the simulated kernel, with xencall1 or (given
 * "2L") xencall2L. Exit status 0 when every call gave its result.
 */
#include <stdlib.h>
#include <string.h>

#include "xencall.h"
#include "../helpers/sim/xen.h"

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0, wide = argc > 2 && !strcmp(argv[2], "2L"), i;
    xencall_handle *h = xencall_open(NULL, 0);
    long sum = 0;

    if (!h || n <= 0)
        return 2;
    for (i = 0; i < n; i++)
        sum += wide ? xencall2L(h, SIM_OP_RESULT, 1, 2) : xencall1(h, SIM_OP_RESULT, 1);
    xencall_close(h);
    return sum != n;
}
