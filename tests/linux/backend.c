/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void placeholder(void **state)
{
    (void)state;
    assert_int_equal(1 + 1, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(placeholder) };

    return cmocka_run_group_tests_name("linux-backend", tests, NULL, NULL);
}
