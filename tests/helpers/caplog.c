/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "caplog.h"

/* The format was checked where xtl_log() was called; the attribute
 * says so, which clang's -Wformat-nonliteral needs at vsnprintf(). */
static void __attribute__((format(printf, 5, 0)))
caplog_vmessage(xentoollog_logger *logger, xentoollog_level level,
                int errnoval, const char *context,
                const char *format, va_list al)
{
    struct caplog *log = (struct caplog *)logger;

    log->lines++;
    if (level >= XTL_ERROR)
        log->errors++;
    log->last_level = level;
    log->last_errno = errnoval;
    vsnprintf(log->last, sizeof(log->last), format, al);
    if (log->echo)
        fprintf(stderr, "log: %s: %s (errno %d)\n", context ? context : "-",
                log->last, errnoval);
}

static void caplog_progress(xentoollog_logger *logger, const char *context,
                            const char *doing_what, int percent,
                            unsigned long done, unsigned long total)
{
    (void)logger; (void)context; (void)doing_what;
    (void)percent; (void)done; (void)total;
}

/* The test owns the struct; the library never destroys a caller's logger. */
static void caplog_destroy(xentoollog_logger *logger)
{
    (void)logger;
}

void caplog_init(struct caplog *log)
{
    memset(log, 0, sizeof(*log));
    log->vtable.vmessage = caplog_vmessage;
    log->vtable.progress = caplog_progress;
    log->vtable.destroy = caplog_destroy;
}

void caplog_clear(struct caplog *log)
{
    int echo = log->echo;

    caplog_init(log);
    log->echo = echo;
}
