/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xencall-probe: what libxencall sees on this system. Opens a handle,
 * tells which device nodes it uses, asks the hypervisor who it is,
 * times a hypercall and shows what the buffer cache did. On failure it
 * names the likely cause.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/version.h>

#include <xentoollog.h>

#include "xencall.h"
#include "timing.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: xencall-probe [--help]\n"
        "Opens libxencall and prints the privcmd node and buffer device it\n"
        "uses, whether buffers can fault, the hypervisor's version,\n"
        "extraversion, capabilities and page size, the cost of a\n"
        "hypercall, and the buffer cache's statistics for its handle.\n"
        "Exits 1 with the likely cause when something fails.\n");
}

/*
 * The library's log, as its default logger would print it, except for
 * the cache statistics that close logs at debug level: those are kept
 * for the report. The ABI has no call for them; the log line is how
 * the Xen project's library reports them too.
 */
#define STATISTICS_PREFIX "buffer cache: "

struct probe_logger {
    xentoollog_logger vtable;   /* first: the library sees only this */
    xentoollog_logger *stderr_log;
    char statistics[512];
};

__attribute__((format(printf, 5, 0)))
static void probe_log_message(xentoollog_logger *logger, xentoollog_level level,
                              int errnoval, const char *context,
                              const char *format, va_list al)
{
    struct probe_logger *log = (struct probe_logger *)logger;
    char line[sizeof(log->statistics)];
    va_list copy;

    va_copy(copy, al);
    vsnprintf(line, sizeof(line), format, copy);
    va_end(copy);
    if (level == XTL_DEBUG && !strncmp(line, STATISTICS_PREFIX, strlen(STATISTICS_PREFIX)))
        snprintf(log->statistics, sizeof(log->statistics), "%s",
                 line + strlen(STATISTICS_PREFIX));
    else
        xtl_logv(log->stderr_log, level, errnoval, context, format, al);
}

static void probe_log_progress(xentoollog_logger *logger, const char *context,
                               const char *doing_what, int percent,
                               unsigned long done, unsigned long total)
{
    struct probe_logger *log = (struct probe_logger *)logger;

    xtl_progress(log->stderr_log, context, doing_what, done, total);
    (void)percent;
}

static void probe_log_destroy(xentoollog_logger *logger)
{
    (void)logger;   /* main() owns it */
}

static struct probe_logger probe_log = {
    .vtable = { probe_log_message, probe_log_progress, probe_log_destroy },
};

/* The usual reasons, in words an administrator can act on. */
static const char *likely_cause(int err, int at_open)
{
    switch (err) {
    case ENOENT:
        return "no Xen: there is no privcmd device. This system is not running "
               "on Xen, or the xen_privcmd module is not loaded";
    case EACCES:
        return "not allowed to open the privcmd device: run as root";
    case EPERM:
        return at_open ? "not allowed to open the privcmd device: run as root"
                       : "privcmd refuses hypercalls: in a domU, Linux (since 2025) "
                         "restricts privcmd to a device model's target unless the "
                         "module parameter privcmd.unrestricted=1 is set";
    case ENOTTY:
        return "the device does not know the hypercall request: a 32-bit program "
               "on a 64-bit kernel (use a 64-bit build), or not a privcmd device";
    default:
        return strerror(err);
    }
}

/* Reports the failure, then closes h (NULL before the open succeeded);
 * xencall_close() frees any buffers still allocated. */
static int fail(xencall_handle *h, const char *what, int err, int at_open)
{
    fprintf(stderr, "xencall-probe: %s failed: %s (errno %d)\n", what,
            likely_cause(err, at_open), err);
    xencall_close(h);
    return 1;
}

static void node_of_fd(int fd, char *out, size_t len)
{
    char link[64];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = fd >= 0 ? readlink(link, out, len - 1) : -1;
    out[n > 0 ? n : 0] = 0;
    if (n <= 0)
        snprintf(out, len, fd < 0 ? "(none)" : "(fd %d)", fd);
}

/* Whether a live buffer is mapped from the buffer device. */
static int buffer_from_device(void)
{
    char line[512];
    int found = 0;
    FILE *maps = fopen("/proc/self/maps", "r");

    while (maps && fgets(line, sizeof(line), maps))
        found |= strstr(line, "/dev/xen/hypercall") != NULL;
    if (maps)
        fclose(maps);
    return found;
}

int main(int argc, char **argv)
{
    enum { ROUNDS = 9, CALLS = 200 };
    double ns[ROUNDS], t;
    char node[256], *extra, *caps;
    xencall_handle *h;
    int version, pagesize, r, i;

    if (argc > 1) {
        usage(strcmp(argv[1], "--help") ? stderr : stdout);
        return strcmp(argv[1], "--help") ? 2 : 0;
    }
    probe_log.stderr_log = (xentoollog_logger *)
        xtl_createlogger_stdiostream(stderr, XTL_PROGRESS, 0);
    if (!probe_log.stderr_log)
        return fail(NULL, "creating a logger", errno, 1);
    h = xencall_open(&probe_log.vtable, 0);
    if (!h)
        return fail(NULL, "opening libxencall", errno, 1);
    node_of_fd(xencall_fd(h), node, sizeof(node));
    printf("privcmd node:        %s\n", node);

    extra = xencall_alloc_buffer(h, sizeof(xen_extraversion_t));
    caps = xencall_alloc_buffer(h, sizeof(xen_capabilities_info_t));
    if (!extra || !caps)
        return fail(h, "allocating hypercall buffers", errno, 0);
    printf("buffer device:       %s\n",
           buffer_from_device() ? "/dev/xen/hypercall" : "none (locked memory)");
    printf("buffers never fault: %s\n", xencall_buffers_never_fault(h) ? "yes" : "no");

    version = xencall1(h, __HYPERVISOR_xen_version, XENVER_version);
    if (version < 0)
        return fail(h, "the xen_version hypercall", errno, 0);
    if (xencall2(h, __HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)extra) < 0 ||
        xencall2(h, __HYPERVISOR_xen_version, XENVER_capabilities, (uintptr_t)caps) < 0)
        return fail(h, "reading the hypervisor's strings", errno, 0);
    pagesize = xencall2(h, __HYPERVISOR_xen_version, XENVER_pagesize, 0);
    printf("hypervisor:          Xen %d.%d%s\n", version >> 16, version & 0xffff, extra);
    printf("capabilities:        %s\n", caps);
    printf("page size:           %d\n", pagesize);

    for (r = 0; r < ROUNDS; r++) {
        t = now_ns();
        for (i = 0; i < CALLS; i++)
            if (xencall1(h, __HYPERVISOR_xen_version, XENVER_version) < 0)
                return fail(h, "timing the xen_version hypercall", errno, 0);
        ns[r] = (now_ns() - t) / CALLS;
    }
    printf("hypercall cost:      %.0f ns (median of %d x %d xen_version calls)\n",
           median_of(ns, ROUNDS), ROUNDS, CALLS);
    xencall_free_buffer(h, extra);
    xencall_free_buffer(h, caps);
    xencall_close(h);
    printf("buffer cache:        %s\n",
           probe_log.statistics[0] ? probe_log.statistics : "(not reported by the library)");
    xtl_logger_destroy(probe_log.stderr_log);
    return 0;
}
