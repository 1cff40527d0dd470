/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "testlog.h"

/* The format was checked where xtl_log() was called; the attribute
 * says so, which clang's -Wformat-nonliteral needs at vsnprintf(). */
static void __attribute__((format(printf, 5, 0)))
testlog_vmessage(xentoollog_logger *logger, xentoollog_level level,
                 int errnoval, const char *context,
                 const char *format, va_list al)
{
    struct testlog *log = (struct testlog *)logger;

    pthread_mutex_lock(&log->lock);
    log->lines++;
    if (level >= XTL_ERROR)
        log->errors++;
    if (level == XTL_DEBUG)
        log->debugs++;
    log->last_level = (int)level;
    log->last_errno = errnoval;
    snprintf(log->last_context, sizeof(log->last_context), "%s",
             context ? context : "");
    vsnprintf(log->last, sizeof(log->last), format, al);
    pthread_mutex_unlock(&log->lock);
}

static void testlog_progress(xentoollog_logger *logger, const char *context,
                             const char *doing_what, int percent,
                             unsigned long done, unsigned long total)
{
    /* The library never reports progress; count it as a line if it does. */
    struct testlog *log = (struct testlog *)logger;

    (void)context; (void)doing_what; (void)percent; (void)done; (void)total;
    pthread_mutex_lock(&log->lock);
    log->lines++;
    pthread_mutex_unlock(&log->lock);
}

static void testlog_destroy(xentoollog_logger *logger)
{
    struct testlog *log = (struct testlog *)logger;

    pthread_mutex_lock(&log->lock);
    log->destroyed++;
    pthread_mutex_unlock(&log->lock);
}

void testlog_init(struct testlog *log)
{
    memset(log, 0, sizeof(*log));
    log->vtable.vmessage = testlog_vmessage;
    log->vtable.progress = testlog_progress;
    log->vtable.destroy = testlog_destroy;
    pthread_mutex_init(&log->lock, NULL);
}

void testlog_clear(struct testlog *log)
{
    pthread_mutex_lock(&log->lock);
    log->lines = log->errors = log->debugs = 0;
    log->last_level = 0;
    log->last_errno = 0;
    log->last_context[0] = log->last[0] = '\0';
    pthread_mutex_unlock(&log->lock);
}

void testlog_fini(struct testlog *log)
{
    pthread_mutex_destroy(&log->lock);
}

unsigned long testlog_lines(struct testlog *log)
{
    unsigned long n;

    pthread_mutex_lock(&log->lock);
    n = log->lines;
    pthread_mutex_unlock(&log->lock);
    return n;
}
