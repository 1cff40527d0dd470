/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated FreeBSD kernel, linked into the FreeBSD test programs so
 * the real src/freebsd backend runs unchanged: it interposes open,
 * close, ioctl, mmap, munmap, mlock and dup2, and provides minherit,
 * which Linux lacks. Calls not aimed at the simulated device or at
 * anonymous memory go to the real functions.
 *
 * What it follows, fact by fact (tests/freebsd/sim-facts.c holds it to
 * each): FreeBSD's sys/dev/xen/privcmd/privcmd.c, privcmd_ioctl() and
 * privcmd_open() (12-STABLE, and the current driver for restriction),
 * its sys/xen/error.h, xen_translate_error(), and its vm_map.c,
 * vmspace_fork() for minherit().
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
/* The ioctl() below has FreeBSD's prototype; the host's may differ
 * (musl's request is an int) and is kept out of sight. */
#define ioctl host_libc_ioctl
#include <sys/ioctl.h>
#undef ioctl
int ioctl(int fd, unsigned long req, ...);
#include <sys/mman.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>   /* the FreeBSD shim in freebsd-include/ */

#include "os.h"
#include "interpose.h"
#include "kernel.h"
#include "locked.h"
#include "xen.h"
#include "freebsd.h"

const char sim_os_name[] = "freebsd";

#define PRIVCMD_NODE "/dev/xen/privcmd"
#define NODE_PRIVCMD 0   /* the one device node: sim_fd's node */
#define MAX_IN_FLIGHT 256

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

enum fault { F_OPEN, F_CLOSE, F_IOCTL, F_MMAP, F_MUNMAP, F_MLOCK, F_MINHERIT };
static const struct sim_fault_name fault_names[] = {
    { "open", F_OPEN }, { "close", F_CLOSE }, { "ioctl", F_IOCTL }, { "mmap", F_MMAP },
    { "munmap", F_MUNMAP }, { "mlock", F_MLOCK }, { "minherit", F_MINHERIT },
};

/*
 * privcmd_open() gives each open its own data (devfs_set_cdevpriv),
 * shared by every descriptor and process that shares the open file:
 * each privcmd descriptor's sim_open_file.
 */
static struct sim_fds fds;
/* Anonymous memory, with its mlock() and minherit() state. */
static struct sim_regions regions;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cond = PTHREAD_COND_INITIALIZER;
static struct sim_faults faults = SIM_FAULTS_INIT(&lock, fault_names);
static struct {
    int xen_present, kernel_restrict, holding;
} cfg;
static unsigned long hypercall_ioctls, restrict_ioctls, entry_overlaps;
static int last_restrict_domid = -1, last_open_flags = -1;
static uint64_t last_op, last_arg0;
static int held, releases, max_in_flight;
static uintptr_t in_flight[MAX_IN_FLIGHT];
static int nr_in_flight;

static void defaults(void)
{
    cfg.xen_present = 1;
    cfg.kernel_restrict = 1;
    cfg.holding = 0;
    hypercall_ioctls = restrict_ioctls = entry_overlaps = 0;
    last_restrict_domid = -1;
    last_open_flags = -1;
    last_op = last_arg0 = 0;
    max_in_flight = 0;
    sim_faults_clear(&faults);
}

/* Under the lock: the open file behind fd, or NULL. */
static struct sim_open_file *file_of(int fd)
{
    return sim_fds_node(&fds, fd) == NODE_PRIVCMD ? fds.at[fd].file : NULL;
}

static struct sim_region *region_at(const void *p)
{
    return sim_regions_find(&regions, (uintptr_t)p);
}

/* Wired, and never shared with a child: what the hypervisor may be
 * given. INHERIT_NONE and INHERIT_ZERO both keep a child's hands off
 * the pages (vm_map.c, vmspace_fork()). */
static void update_reachable(struct sim_region *r)
{
    sim_region_set_reachable(r, r->locked && (r->inherit == INHERIT_NONE ||
                                              r->inherit == INHERIT_ZERO));
}

/* ---- privcmd_ioctl() ------------------------------------------------------ */

/*
 * sys/xen/error.h, xen_errors[]: Xen's error numbers the kernel knows,
 * by name. Those left out (ENOTDIR, EISDIR, EROFS, ENOTEMPTY,
 * EMSGSIZE, and the internal EINTR, ERESTART) translate to 0; the
 * table ends after ETIMEDOUT.
 */
static const int freebsd_xen_errors[XEN_ETIMEDOUT + 1] = {
    [XEN_EPERM] = EPERM, [XEN_ENOENT] = ENOENT, [XEN_ESRCH] = ESRCH,
    [XEN_EIO] = EIO, [XEN_ENXIO] = ENXIO, [XEN_E2BIG] = E2BIG,
    [XEN_ENOEXEC] = ENOEXEC, [XEN_EBADF] = EBADF, [XEN_ECHILD] = ECHILD,
    [XEN_EAGAIN] = EAGAIN, [XEN_ENOMEM] = ENOMEM, [XEN_EACCES] = EACCES,
    [XEN_EFAULT] = EFAULT, [XEN_EBUSY] = EBUSY, [XEN_EEXIST] = EEXIST,
    [XEN_EXDEV] = EXDEV, [XEN_ENODEV] = ENODEV, [XEN_EINVAL] = EINVAL,
    [XEN_ENFILE] = ENFILE, [XEN_EMFILE] = EMFILE, [XEN_ENOSPC] = ENOSPC,
    [XEN_EMLINK] = EMLINK, [XEN_EDOM] = EDOM, [XEN_ERANGE] = ERANGE,
    [XEN_EDEADLK] = EDEADLK, [XEN_ENAMETOOLONG] = ENAMETOOLONG,
    [XEN_ENOLCK] = ENOLCK, [XEN_ENOSYS] = ENOSYS,
    [XEN_ENODATA] = ENOENT, [XEN_ETIME] = ETIMEDOUT,
    [XEN_EBADMSG] = EBADMSG, [XEN_EOVERFLOW] = EOVERFLOW,
    [XEN_EILSEQ] = EILSEQ, [XEN_ENOTSOCK] = ENOTSOCK,
    [XEN_EOPNOTSUPP] = EOPNOTSUPP, [XEN_EADDRINUSE] = EADDRINUSE,
    [XEN_EADDRNOTAVAIL] = EADDRNOTAVAIL, [XEN_ENOBUFS] = ENOBUFS,
    [XEN_EISCONN] = EISCONN, [XEN_ENOTCONN] = ENOTCONN,
    [XEN_ETIMEDOUT] = ETIMEDOUT,
};

/* xen_translate_error(): past the table's end, EINVAL. */
static int translate_error(int error)
{
    unsigned long xen_errno = (unsigned long)-(long)error;

    if (xen_errno >= sizeof(freebsd_xen_errors) / sizeof(freebsd_xen_errors[0]))
        return EINVAL;
    return freebsd_xen_errors[xen_errno];
}

/*
 * privcmd_ioctl(), IOCTL_PRIVCMD_HYPERCALL: privcmd_hypercall() returns
 * an int (amd64/include/xen/hypercall.h), so only the result's low 32
 * bits survive. A negative one is translated; a translation of 0 (a
 * gap in the table) makes the ioctl succeed with retval 0.
 */
static int hypercall_result(long result, struct ioctl_privcmd_hypercall *hc)
{
    int error = (int)result;

    if (error >= 0) {
        hc->retval = error;
        return 0;
    }
    hc->retval = 0;
    error = translate_error(error);
    if (!error)
        return 0;
    errno = error;
    return -1;
}

/* Under the lock: a multicall entry enters or leaves the hypervisor. */
static void entry_enters(uintptr_t entry)
{
    int i;

    for (i = 0; i < nr_in_flight; i++)
        if (in_flight[i] == entry)
            entry_overlaps++;
    if (nr_in_flight < MAX_IN_FLIGHT)
        in_flight[nr_in_flight++] = entry;
    if (nr_in_flight > max_in_flight)
        max_in_flight = nr_in_flight;
}

static void entry_leaves(uintptr_t entry)
{
    int i;

    for (i = 0; i < nr_in_flight; i++) {
        if (in_flight[i] == entry) {
            in_flight[i] = in_flight[--nr_in_flight];
            return;
        }
    }
}

/* Under the lock; returns unlocked. */
static int hypercall_ioctl(struct sim_open_file *f, struct ioctl_privcmd_hypercall *hc)
{
    uint64_t args[5];
    long result;
    int i, multicall = hc->op == __HYPERVISOR_multicall;

    hypercall_ioctls++;
    /* The current driver forbids hypercalls once restricted. */
    if (sim_open_file_restricted(f)) {
        pthread_mutex_unlock(&lock);
        errno = EPERM;
        return -1;
    }
    last_op = hc->op;
    last_arg0 = hc->arg[0];
    if (multicall)
        entry_enters((uintptr_t)hc->arg[0]);
    if (cfg.holding) {
        held++;
        pthread_cond_broadcast(&held_cond);
        while (cfg.holding && !releases)
            pthread_cond_wait(&held_cond, &lock);
        if (releases)
            releases--;
        held--;
        pthread_cond_broadcast(&held_cond);
    }
    pthread_mutex_unlock(&lock);

    for (i = 0; i < 5; i++)
        args[i] = hc->arg[i];
    result = sim_xen_hypercall(hc->op, args);
    if (multicall) {
        pthread_mutex_lock(&lock);
        entry_leaves((uintptr_t)hc->arg[0]);
        pthread_mutex_unlock(&lock);
    }
    return hypercall_result(result, hc);
}

/*
 * The current driver's IOCTL_PRIVCMD_RESTRICT: the domain is kept in
 * the open file's data; restricting it again to the same domain is
 * fine, to another one the handler returns -EINVAL, which the system
 * call hands to the caller as it is (errno -22). 12-STABLE has no such
 * request (ENOSYS, see sim_os_set_kernel_restrict()).
 */
static int restrict_ioctl(struct sim_open_file *f, uint16_t domid)
{
    restrict_ioctls++;
    if (!cfg.kernel_restrict) {
        errno = ENOSYS;
        return -1;
    }
    last_restrict_domid = domid;
    if (sim_open_file_restrict(f, domid) < 0) {
        errno = -EINVAL;
        return -1;
    }
    return 0;
}

static int privcmd_ioctl(int fd, unsigned long req, void *arg)
{
    struct sim_open_file *f;
    int rc;

    pthread_mutex_lock(&lock);
    f = file_of(fd);
    if (!f || sim_faults_hit(&faults, F_IOCTL)) {
        if (!f)
            errno = EBADF;
        pthread_mutex_unlock(&lock);
        return -1;
    }
    if (req == IOCTL_PRIVCMD_HYPERCALL)
        return hypercall_ioctl(f, arg);
    if (req == IOCTL_PRIVCMD_RESTRICT)
        rc = restrict_ioctl(f, *(const uint16_t *)arg);
    else {
        errno = ENOSYS;   /* privcmd_ioctl()'s default case */
        rc = -1;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* ---- the interposed calls ------------------------------------------------ */

static int open_privcmd(int flags)
{
    struct sim_open_file *file;
    int fd;

    pthread_mutex_lock(&lock);
    last_open_flags = flags;
    if (sim_faults_hit(&faults, F_OPEN)) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    if (!cfg.xen_present) {
        pthread_mutex_unlock(&lock);
        errno = ENOENT;
        return -1;
    }
    file = sim_open_file_new(REAL(mmap));
    if (!file) {
        pthread_mutex_unlock(&lock);
        errno = ENFILE;
        return -1;
    }
    fd = REAL(open)("/dev/null", O_RDWR | (flags & O_CLOEXEC));
    if (fd >= SIM_MAX_FDS) {
        REAL(close)(fd);
        errno = EMFILE;
        fd = -1;
    }
    if (fd >= 0)
        sim_fds_set(&fds, fd, NODE_PRIVCMD, file);
    else
        REAL(munmap)(file, SIM_OPEN_FILE_SIZE);
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
    if (file_of(fd)) {
        /* Like FreeBSD, a failing close still releases the fd. */
        failed = sim_faults_hit(&faults, F_CLOSE);
        sim_fds_set(&fds, fd, -1, NULL);
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
    /* newfd now shares oldfd's open file, whatever it was before. */
    if (rc >= 0 && oldfd != newfd && newfd < SIM_MAX_FDS)
        sim_fds_set(&fds, newfd, sim_fds_node(&fds, oldfd), file_of(oldfd));
    pthread_mutex_unlock(&lock);
    return rc;
}

INTERPOSER int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    void *arg;
    int ours;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    /* FreeBSD's request numbers fit 32 bits; a caller that saw an int
     * request (musl's prototype) leaves the upper half undefined. */
    req &= 0xffffffffUL;
    if (!READY())
        return REAL(ioctl)(fd, req, arg);
    SIM_LOCKED_WRITE(&lock, ours, file_of(fd) != NULL);
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
    if (sim_faults_hit(&faults, F_MMAP)) {
        pthread_mutex_unlock(&lock);
        return MAP_FAILED;   /* FreeBSD fails with MAP_FAILED, never NULL */
    }
    p = REAL(mmap)(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED)
        sim_regions_add(&regions, (uintptr_t)p, (uintptr_t)p + len)->inherit = INHERIT_COPY;
    pthread_mutex_unlock(&lock);
    return p;
}

INTERPOSER int munmap(void *p, size_t len)
{
    struct sim_region *r;
    int rc;

    if (!READY())
        return REAL(munmap)(p, len);
    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (!r) {
        pthread_mutex_unlock(&lock);
        return REAL(munmap)(p, len);
    }
    if (sim_faults_hit(&faults, F_MUNMAP)) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    rc = REAL(munmap)(p, len);
    if (rc == 0)
        sim_regions_drop(&regions, r);
    pthread_mutex_unlock(&lock);
    return rc;
}

INTERPOSER int mlock(const void *p, size_t len)
{
    struct sim_region *r;
    int rc;

    if (!READY())
        return REAL(mlock)(p, len);
    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (!r) {
        pthread_mutex_unlock(&lock);
        return REAL(mlock)(p, len);
    }
    if (sim_faults_hit(&faults, F_MLOCK)) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    rc = REAL(mlock)(p, len);
    if (rc == 0) {
        sim_region_set_locked(&regions, r, 1);
        update_reachable(r);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int minherit(void *p, size_t len, int inherit)
{
    struct sim_region *r;

    (void)len;
    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (!r || sim_faults_hit(&faults, F_MINHERIT)) {
        if (!r)
            errno = EINVAL;
        pthread_mutex_unlock(&lock);
        return -1;
    }
    r->inherit = inherit;
    update_reachable(r);
    pthread_mutex_unlock(&lock);
    return 0;
}

/* ---- fork (vm_map.c, vmspace_fork()) -------------------------------------- */

/*
 * The child shares the parent's open files. An INHERIT_NONE mapping is
 * absent from it; an INHERIT_ZERO one is there, zero-filled and not
 * wired. Memory locks are not inherited.
 */
static void in_forked_child(void)
{
    size_t i = 0;

    nr_in_flight = 0;
    held = releases = 0;
    pthread_cond_init(&held_cond, NULL);
    while (i < regions.nr) {
        struct sim_region *r = &regions.at[i];

        if (r->inherit == INHERIT_NONE) {
            REAL(munmap)((void *)r->start, r->end - r->start);
            sim_regions_drop(&regions, r);
            continue;
        }
        if (r->inherit == INHERIT_ZERO)
            memset((void *)r->start, 0, r->end - r->start);
        sim_region_set_locked(&regions, r, 0);
        update_reachable(r);
        i++;
    }
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
    sim_fds_init(&fds, REAL(munmap));
    defaults();
    sim_kernel_atfork(&lock, in_forked_child);
    __atomic_store_n(&sim_ready, 1, __ATOMIC_RELEASE);
}

/* ---- os.h -------------------------------------------------------------- */

void sim_os_reset(void)
{
    pthread_mutex_lock(&lock);
    defaults();
    pthread_cond_broadcast(&held_cond);   /* nothing stays held */
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

/* Both the request and a multicall entry carry unsigned longs. */
unsigned sim_os_hypercall_arg_bits(void)
{
    return sizeof(((multicall_entry_t *)0)->args[0]) * CHAR_BIT;
}

int sim_os_open_handles(void)
{
    return SIM_LOCKED_READ(&lock, fds.open);
}

size_t sim_os_mapped_bytes(void)
{
    return SIM_LOCKED_READ(&lock, regions.mapped_bytes);
}

/* 1: the current driver (restriction per open file); 0: 12-STABLE's,
 * which answers the request with ENOSYS. */
int sim_os_set_kernel_restrict(int supported)
{
    SIM_LOCKED_WRITE(&lock, cfg.kernel_restrict, !!supported);
    return 0;
}

int sim_os_fail_nth(const char *name, unsigned long n, int err)
{
    return sim_faults_arm(&faults, name, n, err);
}

/* ---- freebsd.h ------------------------------------------------------------ */

int sim_freebsd_mapping(const void *p, int *locked, int *inherit)
{
    struct sim_region *r;
    int rc = -1;

    pthread_mutex_lock(&lock);
    r = region_at(p);
    if (r) {
        *locked = r->locked;
        *inherit = r->inherit;
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

unsigned long sim_freebsd_hypercall_ioctls(void)
{
    return SIM_LOCKED_READ(&lock, hypercall_ioctls);
}

unsigned long sim_freebsd_restrict_ioctls(void)
{
    return SIM_LOCKED_READ(&lock, restrict_ioctls);
}

int sim_freebsd_last_restrict_domid(void)
{
    return SIM_LOCKED_READ(&lock, last_restrict_domid);
}

uint64_t sim_freebsd_last_ioctl_op(void)
{
    return SIM_LOCKED_READ(&lock, last_op);
}

uint64_t sim_freebsd_last_ioctl_arg0(void)
{
    return SIM_LOCKED_READ(&lock, last_arg0);
}

int sim_freebsd_last_open_flags(void)
{
    return SIM_LOCKED_READ(&lock, last_open_flags);
}

int sim_freebsd_is_privcmd(int fd)
{
    int ours;

    SIM_LOCKED_WRITE(&lock, ours, file_of(fd) != NULL);
    return ours;
}

void sim_freebsd_hold(int on)
{
    pthread_mutex_lock(&lock);
    cfg.holding = on;
    if (!on)
        releases = 0;
    pthread_cond_broadcast(&held_cond);
    pthread_mutex_unlock(&lock);
}

int sim_freebsd_held(void)
{
    return SIM_LOCKED_READ(&lock, held);
}

void sim_freebsd_release(int n)
{
    pthread_mutex_lock(&lock);
    releases += n;
    pthread_cond_broadcast(&held_cond);
    pthread_mutex_unlock(&lock);
}

int sim_freebsd_max_in_flight(void)
{
    return SIM_LOCKED_READ(&lock, max_in_flight);
}

unsigned long sim_freebsd_entry_overlaps(void)
{
    return SIM_LOCKED_READ(&lock, entry_overlaps);
}
