/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "case.h"
#include "sim/os.h"

struct testlog tlog;

int case_setup(void **state)
{
    (void)state;
    sim_os_reset();
    testlog_clear(&tlog);
    return 0;
}

/* Every case must leave nothing open, nothing mapped, the logger alive. */
int case_teardown(void **state)
{
    (void)state;
    assert_int_equal(sim_os_open_handles(), 0);
    assert_int_equal(sim_os_mapped_bytes(), 0);
    assert_int_equal(tlog.destroyed, 0);
    sim_os_reset();
    return 0;
}

xencall_handle *open_logged(unsigned flags)
{
    xencall_handle *h = xencall_open(&tlog.vtable, flags);

    assert_non_null(h);
    return h;
}
