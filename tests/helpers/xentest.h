/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The line protocol of the checks that run where cmocka does not: in
 * dom0 (tests/xen/dom0-checks.c) and in a Mini-OS stub domain
 * (tests/minios/guest/guest.c). Each check prints one console line
 *     XENTEST PASS|FAIL SUITE/NAME DETAIL
 * which stages 70 and 75 count; other "XENTEST WORD ..." lines (INFO,
 * a summary) are shown, not counted. Plain C and stdio only, so that
 * glibc and Mini-OS's newlib both build it; header-only, as neither
 * build links the test helpers' library.
 */
#ifndef XENCALL_TEST_XENTEST_H
#define XENCALL_TEST_XENTEST_H

#include <stdarg.h>
#include <stdio.h>

/* The program's checks: it sets suite (and after_line) first. Each
 * program is one translation unit, so this is its one copy. */
static struct {
    const char *suite;          /* the first part of every check's name */
    unsigned passed, failed;
    void (*after_line)(void);   /* what the console needs after a line, or NULL */
} xentest;

/* One console line: "XENTEST " and the rest, flushed at once (a guest
 * may die on the next call, and the line must be out before). */
__attribute__((format(printf, 1, 0)))
static inline void xentest_vline(const char *fmt, va_list ap)
{
    char rest[512];

    vsnprintf(rest, sizeof(rest), fmt, ap);
    printf("XENTEST %s\n", rest);
    fflush(stdout);
    if (xentest.after_line)
        xentest.after_line();
}

__attribute__((format(printf, 1, 2)))
static inline void xentest_line(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xentest_vline(fmt, ap);
    va_end(ap);
}

/* A check: its PASS or FAIL line, counted; returns ok. */
__attribute__((format(printf, 3, 4)))
static inline int xentest_check(int ok, const char *name, const char *fmt, ...)
{
    char detail[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    xentest_line("%s %s/%s %s", ok ? "PASS" : "FAIL", xentest.suite, name, detail);
    if (ok)
        xentest.passed++;
    else
        xentest.failed++;
    return ok;
}

/* A check whose line has nothing to add to its name. */
static inline int xentest_ok(int ok, const char *name)
{
    return xentest_check(ok, name, "%s", "");
}

#endif
