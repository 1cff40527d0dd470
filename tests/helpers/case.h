/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every test program over a simulated OS shares: one capturing
 * logger, a fresh simulated system before each case, and the check
 * after it that nothing was left open or mapped.
 */
#ifndef XENCALL_TEST_CASE_H
#define XENCALL_TEST_CASE_H

#include "xencall.h"
#include "testlog.h"

extern struct testlog tlog;

/* cmocka setup/teardown for one case. */
int case_setup(void **state);
int case_teardown(void **state);

/* A handle logging to tlog; the case fails if it cannot be opened. */
xencall_handle *open_logged(unsigned flags);

#endif
