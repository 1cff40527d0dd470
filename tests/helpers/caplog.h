/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A xentoollog logger that keeps what the library logs, so a test can
 * check that a failure was reported, at which level and with which
 * errno.
 */
#ifndef XENCALL_TEST_CAPLOG_H
#define XENCALL_TEST_CAPLOG_H

#include <xentoollog.h>

struct caplog {
    xentoollog_logger vtable;   /* first: the library sees only this */
    unsigned long lines;        /* every line, any level */
    unsigned long errors;       /* lines at XTL_ERROR or above */
    int last_level;
    int last_errno;
    char last[256];
    int echo;                   /* also print lines to stderr */
};

void caplog_init(struct caplog *log);
void caplog_clear(struct caplog *log);

#endif
