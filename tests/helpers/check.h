/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The check the suites make most after cmocka's own: a call that must
 * fail and say why in errno. Include after <cmocka.h>; cmocka reports
 * a failure at the line that uses the check.
 */
#ifndef XENCALL_TEST_CHECK_H
#define XENCALL_TEST_CHECK_H

#include <errno.h>

/* call must return -1 with errno err; errno is cleared first, so that
 * a value left by an earlier call cannot pass. */
#define assert_fails_with(call, err) do { \
    errno = 0; \
    assert_int_equal((call), -1); \
    assert_int_equal(errno, (err)); \
} while (0)

/* call must return NULL with errno err. */
#define assert_null_with(call, err) do { \
    errno = 0; \
    assert_null(call); \
    assert_int_equal(errno, (err)); \
} while (0)

#endif
