/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Force-included (-include) into the library's own sources when they
 * are built for the fault-injection tests and the fuzzer: every system
 * call and allocation the library makes goes through a counting
 * wrapper in inject.c instead (fi-calls.h lists them; the imports
 * test and the fault walk fail when the library calls anything that
 * can fail and is not wrapped). Only the library's references are
 * renamed, so the simulator, the logger and the test itself are never
 * made to fail by accident.
 */
#ifndef XENCALL_TEST_INJECT_H
#define XENCALL_TEST_INJECT_H

/* Fortified inline wrappers would hide the calls from the renaming. */
#undef _FORTIFY_SOURCE

/* "#define name fi_name" for each call of fi-calls.h, generated from
 * it by tests/faults/local.am. */
#include "fi-renames.h"

#endif
