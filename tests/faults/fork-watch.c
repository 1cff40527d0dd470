/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library tells a forked child from the opener by fork handlers it
 * registers at the first open in a process (pthread_atfork(), which
 * can fail: ENOMEM). That happens once per process, so the fault walk
 * cannot reach it; this program's first open can. A failed
 * registration fails the open (logged, errno kept), the next open
 * tries again, and once registered the handlers tell a child apart.
 * The cases run in order, in one process that opened nothing before.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <xencall.h>
#include <xentoolcore.h>

#include "../helpers/case.h"
#include "../helpers/check.h"
#include "../helpers/fi.h"
#include "../helpers/proc.h"
#include "../helpers/sim/linux.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"

static void first_open_fails_without_fork_handlers(void **state)
{
    unsigned long calls = fi_atfork_calls();

    (void)state;
    fi_fail_next_atfork(ENOMEM);
    assert_null_with(xencall_open(&case_log.vtable, 0), ENOMEM);
    assert_int_equal(fi_atfork_calls(), calls + 1);
    assert_int_equal(case_log.errors, 1);
    assert_int_equal(sim_os_open_handles(), 0);
}

static int child_restricts(void *arg)
{
    if (xentoolcore_restrict_all(3) != 0)
        return 1;
    return xencall_close(arg) == 0 ? 0 : 2;
}

static void next_open_registers_them(void **state)
{
    unsigned long calls = fi_atfork_calls();
    xencall_handle *h = open_logged(0), *other;

    (void)state;
    assert_int_equal(fi_atfork_calls(), calls + 1);
    other = open_logged(0);   /* registered once: no second call */
    assert_int_equal(fi_atfork_calls(), calls + 1);
    /* A child is told apart: its restriction leaves the opener alone. */
    assert_int_equal(proc_run_child(child_restricts, h, 60), 0);
    assert_false(sim_linux_fd_restricted(xencall_fd(h)));
    assert_int_equal(xencall1(h, SIM_OP_RESULT, 4), 4);
    xencall_close(other);
    xencall_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(first_open_fails_without_fork_handlers),
        CASE(next_open_registers_them),
    };

    return case_run_group("fork-watch", tests);
}
