/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated FreeBSD kernel, linked into the FreeBSD test programs so
 * the real src/freebsd backend runs unchanged: it interposes open,
 * close, ioctl, mmap, munmap, mlock and dup2, and provides minherit,
 * which Linux lacks. Calls not aimed at the simulated device or at the
 * backend's buffer memory go to the real functions.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>   /* the FreeBSD shim in tests/freebsd/include */

#include "../sim/os.h"
#include "../sim/interpose.h"
#include "../sim/locked.h"
#include "../sim/xen.h"
#include "sim-freebsd.h"

const char sim_os_name[] = "freebsd";

#define PRIVCMD_NODE "/dev/xen/privcmd"
#define MAX_FDS 1024
#define MAX_REGIONS 4096
#define FREEBSD_ENOSYS 78   /* the differing numbers the test needs */
#define FREEBSD_EAGAIN 35
#define FREEBSD_EDEADLK 11
#define FREEBSD_ETIMEDOUT 60

static struct {
    int (*open)(const char *, int, ...);
    int (*close)(int);
    int (*ioctl)(int, unsigned long, ...);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    int (*munmap)(void *, size_t);
    int (*mlock)(const void *, size_t);
    int (*dup2)(int, int);
} real;

/* Until our constructor has run, every call goes straight through. */
static int sim_ready;
#define READY() __atomic_load_n(&sim_ready, __ATOMIC_ACQUIRE)

enum fd_kind { NOT_OURS, PRIVCMD, PRIVCMD_RESTRICTED };
enum fault { F_OPEN, F_CLOSE, F_IOCTL, F_MMAP, F_MUNMAP, F_MLOCK, F_MINHERIT, F_NR };
static const char *const fault_name[F_NR] = {
    "open", "close", "ioctl", "mmap", "munmap", "mlock", "minherit",
};

struct region {
    uintptr_t start;
    size_t len;
    int locked;
    int inherit_none;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char fd_kind[MAX_FDS];
static int nr_fds;
static struct region regions[MAX_REGIONS];
static size_t nr_regions, mapped_bytes;
static struct {
    int xen_present, kernel_restrict, native_errno;
} cfg;
static unsigned long hypercall_ioctls, restrict_ioctls;
static int last_restrict_domid = -1, last_open_flags = -1;
static struct {
    unsigned long countdown;
    int err;
} faults[F_NR];

static void defaults(void)
{
    cfg.xen_present = 1;
    cfg.kernel_restrict = 1;
    cfg.native_errno = 0;
    hypercall_ioctls = restrict_ioctls = 0;
    last_restrict_domid = -1;
    last_open_flags = -1;
    memset(faults, 0, sizeof(faults));
}

/* Under the lock: whether this call is the one chosen to fail. */
static int injected(enum fault f)
{
    if (!faults[f].countdown || --faults[f].countdown)
        return 0;
    errno = faults[f].err;
    return 1;
}

static int kind_of(int fd)
{
    return fd >= 0 && fd < MAX_FDS ? fd_kind[fd] : NOT_OURS;
}

static struct region *region_at(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    size_t i;

    for (i = 0; i < nr_regions; i++)
        if (a >= regions[i].start && a < regions[i].start + regions[i].len)
            return &regions[i];
    return NULL;
}

/* Wired and never inherited: what the hypervisor may be given. */
static void update_reachable(const struct region *r)
{
    if (r->locked && r->inherit_none)
        sim_xen_mem_add((void *)r->start, r->len);
}

static void drop_region(struct region *r)
{
    sim_xen_mem_remove((void *)r->start, r->len);
    mapped_bytes -= r->len;
    *r = regions[--nr_regions];
}

/* The FreeBSD kernel translates Xen's error numbers into its own. */
static int kernel_errno(long xen_err)
{
    if (cfg.native_errno) {
        switch (xen_err) {
        case XEN_ENOSYS: return FREEBSD_ENOSYS;
        case XEN_EAGAIN: return FREEBSD_EAGAIN;
        case XEN_EDEADLK: return FREEBSD_EDEADLK;
        case XEN_ETIMEDOUT: return FREEBSD_ETIMEDOUT;
        }
    }
    return (int)xen_err;   /* glibc's numbers are Xen's */
}

/* ---- the interposed calls ------------------------------------------------ */

static int open_privcmd(int flags)
{
    int fd;

    pthread_mutex_lock(&lock);
    last_open_flags = flags;
    if (injected(F_OPEN)) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    if (!cfg.xen_present) {
        pthread_mutex_unlock(&lock);
        errno = ENOENT;
        return -1;
    }
    fd = REAL(open)("/dev/null", O_RDWR | (flags & O_CLOEXEC));
    if (fd >= 0 && fd < MAX_FDS) {
        fd_kind[fd] = PRIVCMD;
        nr_fds++;
    }
    pthread_mutex_unlock(&lock);
    return fd;
}

INTERPOSER static int is_privcmd_path(const char *path)
{
    return READY() && !strcmp(path, PRIVCMD_NODE);
}

INTERPOSER int open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode = 0;

    if (is_privcmd_path(path))
        return open_privcmd(flags);
    /* The mode argument is there only when a file may be created. */
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return REAL(open)(path, flags, mode);
}

int __open_2(const char *path, int flags);
INTERPOSER int __open_2(const char *path, int flags)
{
    if (is_privcmd_path(path))
        return open_privcmd(flags);
    return REAL(open)(path, flags);
}

INTERPOSER int close(int fd)
{
    int failed = 0;

    if (!READY())
        return REAL(close)(fd);
    pthread_mutex_lock(&lock);
    if (kind_of(fd) != NOT_OURS) {
        /* Like FreeBSD, a failing close still releases the fd. */
        failed = injected(F_CLOSE);
        fd_kind[fd] = NOT_OURS;
        nr_fds--;
    }
    pthread_mutex_unlock(&lock);
    if (failed) {
        int err = errno;

        REAL(close)(fd);
        errno = err;
        return -1;
    }
    return REAL(close)(fd);
}

INTERPOSER int dup2(int oldfd, int newfd)
{
    int rc;

    if (!READY())
        return REAL(dup2)(oldfd, newfd);
    pthread_mutex_lock(&lock);
    rc = REAL(dup2)(oldfd, newfd);
    if (rc >= 0 && oldfd != newfd && newfd >= 0 && newfd < MAX_FDS) {
        if (kind_of(newfd) != NOT_OURS)
            nr_fds--;
        fd_kind[newfd] = kind_of(oldfd);
        if (kind_of(newfd) != NOT_OURS)
            nr_fds++;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int privcmd_ioctl(int fd, unsigned long req, void *arg)
{
    struct ioctl_privcmd_hypercall *hc = arg;
    uint64_t args[5];
    long result;
    int i;

    pthread_mutex_lock(&lock);
    if (injected(F_IOCTL)) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    if (req == IOCTL_PRIVCMD_RESTRICT) {
        restrict_ioctls++;
        if (!cfg.kernel_restrict) {
            pthread_mutex_unlock(&lock);
            errno = ENOSYS;   /* FreeBSD's answer to an unknown ioctl */
            return -1;
        }
        last_restrict_domid = *(const uint16_t *)arg;
        fd_kind[fd] = PRIVCMD_RESTRICTED;
        pthread_mutex_unlock(&lock);
        return 0;
    }
    if (req != IOCTL_PRIVCMD_HYPERCALL) {
        pthread_mutex_unlock(&lock);
        errno = ENOSYS;
        return -1;
    }
    hypercall_ioctls++;
    if (fd_kind[fd] == PRIVCMD_RESTRICTED) {
        pthread_mutex_unlock(&lock);
        errno = EPERM;
        return -1;
    }
    pthread_mutex_unlock(&lock);

    for (i = 0; i < 5; i++)
        args[i] = hc->arg[i];
    result = sim_xen_hypercall(hc->op, args);
    if (result < 0 && result > -4096) {
        hc->retval = 0;
        pthread_mutex_lock(&lock);
        errno = kernel_errno(-result);
        pthread_mutex_unlock(&lock);
        return -1;
    }
    hc->retval = result;
    return 0;
}

INTERPOSER int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    void *arg;
    int ours;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (!READY())
        return REAL(ioctl)(fd, req, arg);
    SIM_LOCKED_WRITE(&lock, ours, kind_of(fd) != NOT_OURS);
    if (ours)
        return privcmd_ioctl(fd, req, arg);
    return REAL(ioctl)(fd, req, arg);
}

INTERPOSER void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p;

    if (!READY() || !(flags & MAP_ANONYMOUS) || fd != -1)
        return REAL(mmap)(addr, len, prot, flags, fd, off);
    pthread_mutex_lock(&lock);
    if (injected(F_MMAP) || nr_regions == MAX_REGIONS) {
        if (nr_regions == MAX_REGIONS)
            errno = ENOMEM;
        pthread_mutex_unlock(&lock);
        return MAP_FAILED;   /* FreeBSD fails with MAP_FAILED, never NULL */
    }
    p = REAL(mmap)(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED) {
        regions[nr_regions++] = (struct region){ (uintptr_t)p, len, 0, 0 };
        mapped_bytes += len;
    }
    pthread_mutex_unlock(&lock);
    return p;
}

INTERPOSER int munmap(void *p, size_t len)
{
    struct region *r;
    int rc;

    if (!READY())
        return REAL(munmap)(p, len);
    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (!r) {
        pthread_mutex_unlock(&lock);
        return REAL(munmap)(p, len);
    }
    if (injected(F_MUNMAP)) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    rc = REAL(munmap)(p, len);
    if (rc == 0)
        drop_region(r);
    pthread_mutex_unlock(&lock);
    return rc;
}

INTERPOSER int mlock(const void *p, size_t len)
{
    struct region *r;
    int rc;

    if (!READY())
        return REAL(mlock)(p, len);
    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (!r) {
        pthread_mutex_unlock(&lock);
        return REAL(mlock)(p, len);
    }
    if (injected(F_MLOCK)) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    rc = REAL(mlock)(p, len);
    if (rc == 0) {
        r->locked = 1;
        update_reachable(r);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int minherit(void *p, size_t len, int inherit)
{
    struct region *r;

    (void)len;
    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (!r || injected(F_MINHERIT)) {
        if (!r)
            errno = EINVAL;
        pthread_mutex_unlock(&lock);
        return -1;
    }
    r->inherit_none = inherit == INHERIT_NONE;
    update_reachable(r);
    pthread_mutex_unlock(&lock);
    return 0;
}

/* ---- fork: INHERIT_NONE mappings are absent from the child ---------------- */

static void before_fork(void)
{
    pthread_mutex_lock(&lock);
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&lock);
}

static void after_fork_child(void)
{
    size_t i = 0;

    while (i < nr_regions) {
        if (regions[i].inherit_none) {
            REAL(munmap)((void *)regions[i].start, regions[i].len);
            drop_region(&regions[i]);
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void sim_freebsd_init(void)
{
    REAL(open);
    REAL(close);
    REAL(ioctl);
    REAL(mmap);
    REAL(munmap);
    REAL(mlock);
    REAL(dup2);
    defaults();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    __atomic_store_n(&sim_ready, 1, __ATOMIC_RELEASE);
}

/* ---- tests/sim/os.h ------------------------------------------------------- */

void sim_os_reset(void)
{
    pthread_mutex_lock(&lock);
    defaults();
    pthread_mutex_unlock(&lock);
    sim_xen_reset();
}

int sim_os_set_buffer_device(int present)
{
    (void)present;
    return -1;   /* FreeBSD has no buffer device */
}

void sim_os_set_xen_present(int present)
{
    SIM_LOCKED_WRITE(&lock, cfg.xen_present, !!present);
}

unsigned sim_os_hypercall_arg_bits(void)
{
    return sizeof(((struct ioctl_privcmd_hypercall *)0)->arg[0]) * CHAR_BIT;
}

int sim_os_open_handles(void)
{
    return SIM_LOCKED_READ(&lock, nr_fds);
}

size_t sim_os_mapped_bytes(void)
{
    return SIM_LOCKED_READ(&lock, mapped_bytes);
}

int sim_os_set_kernel_restrict(int supported)
{
    SIM_LOCKED_WRITE(&lock, cfg.kernel_restrict, !!supported);
    return 0;
}

int sim_os_fail_nth(const char *name, unsigned long n, int err)
{
    int f;

    for (f = 0; f < F_NR; f++) {
        if (name && !strcmp(name, fault_name[f])) {
            pthread_mutex_lock(&lock);
            faults[f].countdown = n;
            faults[f].err = err;
            pthread_mutex_unlock(&lock);
            return 0;
        }
    }
    return -1;
}

/* ---- sim-freebsd.h -------------------------------------------------------- */

void sim_freebsd_set_native_errno(int on)
{
    SIM_LOCKED_WRITE(&lock, cfg.native_errno, !!on);
}

int sim_freebsd_mapping(const void *p, int *locked, int *inherit_none)
{
    struct region *r;
    int rc = -1;

    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (r) {
        *locked = r->locked;
        *inherit_none = r->inherit_none;
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

unsigned long sim_freebsd_hypercall_ioctls(void)
{
    return __atomic_load_n(&hypercall_ioctls, __ATOMIC_RELAXED);
}

unsigned long sim_freebsd_restrict_ioctls(void)
{
    return __atomic_load_n(&restrict_ioctls, __ATOMIC_RELAXED);
}

int sim_freebsd_last_open_flags(void)
{
    return __atomic_load_n(&last_open_flags, __ATOMIC_RELAXED);
}

int sim_freebsd_last_restrict_domid(void)
{
    return __atomic_load_n(&last_restrict_domid, __ATOMIC_RELAXED);
}

int sim_freebsd_is_privcmd(int fd)
{
    int k;

    SIM_LOCKED_WRITE(&lock, k, kind_of(fd));
    return k != NOT_OURS;
}
