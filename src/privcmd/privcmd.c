/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the two backends that reach Xen through a privcmd device
 * (src/linux, src/freebsd) share: their state's allocation, locked
 * anonymous memory, restriction of the privcmd descriptor, what a
 * fork() changes. Not the core: only a backend calls it, and the
 * Mini-OS backend, which has no privcmd, does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xentoollog.h>

#include "backend.h"
#include "privcmd.h"

/*
 * Forks, watched from the first open on (a fork before it has no
 * handle to tell apart). A child's generation is one above its
 * parent's, so along a line of descent no two processes share one,
 * whatever their pids. map_lock, held across a mapping and its
 * don't-fork advice, keeps a fork out of that window. Unloading is
 * safe: glibc and FreeBSD's libthr drop the handlers of an object
 * dlclose() unloads, and musl unloads nothing.
 */
static unsigned long generation;
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static int watching;

static void fork_prepare(void)
{
    pthread_mutex_lock(&map_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&map_lock);
}

static void fork_child(void)
{
    __atomic_store_n(&generation, __atomic_load_n(&generation, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELAXED);
    pthread_mutex_unlock(&map_lock);
}

/* Not pthread_once(): a failed registration (ENOMEM) is tried again by
 * the next open instead of failing every open for good. */
int privcmd_watch_forks(struct xentoollog_logger *log)
{
    int err = 0;

    if (__atomic_load_n(&watching, __ATOMIC_ACQUIRE))
        return 0;
    pthread_mutex_lock(&watch_lock);
    if (!watching) {
        err = pthread_atfork(fork_prepare, fork_parent, fork_child);
        __atomic_store_n(&watching, !err, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&watch_lock);
    if (!err)
        return 0;
    xtl_log(log, XTL_ERROR, err, "xencall", "cannot register fork handlers");
    errno = err;
    return -1;
}

unsigned long privcmd_process(void)
{
    return __atomic_load_n(&generation, __ATOMIC_RELAXED);
}

void privcmd_hold_forks(void)
{
    pthread_mutex_lock(&map_lock);
}

void privcmd_allow_forks(void)
{
    pthread_mutex_unlock(&map_lock);
}

void *privcmd_alloc_state(struct xentoollog_logger *log, size_t size)
{
    void *state = malloc(size);
    int err;

    if (!state) {
        err = errno;
        xtl_log(log, XTL_ERROR, err, "xencall", "cannot allocate backend state");
        errno = err;
    }
    return state;
}

void *privcmd_open_failed(struct xentoollog_logger *log, const char *node,
                        void *state)
{
    int err = errno;

    xtl_log(log, XTL_ERROR, err, "xencall", "cannot open %s%s", node,
            err == ENOENT ? " (is this system running on Xen?)" : "");
    free(state);
    errno = err;
    return NULL;
}

void *privcmd_map_locked(struct xentoollog_logger *log, size_t len,
                       int (*guard)(void *p, size_t len),
                       const char *guard_name)
{
    const char *step;
    size_t off;
    int err;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        xtl_log(log, XTL_ERROR, errno, "xencall",
                "cannot map %zu bytes of anonymous memory", len);
        return NULL;
    }
    /*
     * Guard before any page exists: a fork in between then leaves the
     * child an empty mapping instead of making our pages copy-on-write,
     * which the hypervisor could not follow.
     */
    step = guard_name;
    if (guard(p, len) < 0)
        goto fail;
    step = "lock (see RLIMIT_MEMLOCK)";
    if (mlock(p, len) < 0)
        goto fail;
    for (off = 0; off < len; off += XENCALL_PAGE_SIZE)
        ((volatile char *)p)[off] = 0;
    return p;

fail:
    err = errno;
    xtl_log(log, XTL_ERROR, err, "xencall", "cannot %s %zu-byte buffer",
            step, len);
    munmap(p, len);
    errno = err;
    return NULL;
}

size_t privcmd_page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);

    return page > 0 ? (size_t)page : 0;
}

int privcmd_check_page_size(struct xentoollog_logger *log)
{
    size_t page = privcmd_page_size();

    if (page && page % XENCALL_PAGE_SIZE == 0)
        return 0;
    xtl_log(log, XTL_ERROR, ENOTSUP, "xencall", "the kernel's page of %zu bytes"
            " is not a multiple of Xen's %zu: buffers could not be aligned to"
            " Xen's pages", page, XENCALL_PAGE_SIZE);
    errno = ENOTSUP;
    return -1;
}

void privcmd_unmap(void *p, size_t len)
{
    int saved_errno = errno;

    munmap(p, len);
    errno = saved_errno;
}

/* Point fd at /dev/null, so nothing reaches the device through it. */
static int disable_fd(int fd)
{
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC), rc, err;

    if (null_fd < 0)
        return -1;
    /* dup2() clears close-on-exec; a brief window can only leak a
     * descriptor of /dev/null, never of the device. */
    rc = dup2(null_fd, fd);
    if (rc >= 0)
        rc = fcntl(fd, F_SETFD, FD_CLOEXEC);
    err = errno;
    close(null_fd);
    errno = err;
    return rc < 0 ? -1 : 0;
}

int privcmd_restrict_fd(int fd, unsigned long restrict_request, uint16_t domid,
                      int in_forked_child)
{
    uint16_t target = domid;   /* the kernel reads a domid_t */

    /* The inherited descriptor shares the parent's open file, and with
     * it any restriction the kernel keeps there. */
    if (in_forked_child)
        return disable_fd(fd);
    if (ioctl(fd, restrict_request, &target) == 0)
        return 0;
    /* Kernels without the request answer ENOTTY (Linux) or ENOSYS
     * (older FreeBSD); some answer EINVAL. */
    if (errno != ENOTTY && errno != ENOSYS && errno != EINVAL)
        return -1;
    return disable_fd(fd);
}
