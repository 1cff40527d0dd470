/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A xentoollog logger that remembers what it was told, for tests that
 * check what the library logs (and that it never destroys a logger it
 * was given). Thread-safe.
 */
#ifndef XENCALL_TEST_TESTLOG_H
#define XENCALL_TEST_TESTLOG_H

#include <pthread.h>
#include <xentoollog.h>

struct testlog {
    xentoollog_logger vtable;   /* first: the library sees only this */
    pthread_mutex_t lock;
    unsigned long lines;        /* every line, any level */
    unsigned long errors;       /* lines at XTL_ERROR or above */
    unsigned long debugs;       /* lines at XTL_DEBUG */
    unsigned long destroyed;    /* calls of the destroy hook */
    int last_level;
    int last_errno;
    char last_context[32];
    char last[512];
};

void testlog_init(struct testlog *log);
/* Forget the lines seen so far (not the destroy count). */
void testlog_clear(struct testlog *log);
void testlog_fini(struct testlog *log);
/* Lines so far, read under the lock. */
unsigned long testlog_lines(struct testlog *log);

#endif
