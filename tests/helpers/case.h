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

/* The capturing logger the cases' handles log to (open_logged()). */
extern struct testlog case_log;

/* cmocka setup/teardown for one case. */
int case_setup(void **state);
int case_teardown(void **state);

/* A case with both: the entry of a group's list. */
#define CASE(f) cmocka_unit_test_setup_teardown(f, case_setup, case_teardown)

/* cmocka group setup/teardown: the logger lives as long as the group. */
int case_group_setup(void **state);
int case_group_teardown(void **state);

/* Runs a program's one group of cases; main() returns what it gives. */
#define case_run_group(name, tests) \
    cmocka_run_group_tests_name(name, tests, case_group_setup, case_group_teardown)

/* A handle logging to case_log; the case fails if it cannot be opened. */
xencall_handle *open_logged(unsigned flags);

#endif
