/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated Linux privcmd driver and hypercall buffer device, linked
 * into the test executables. The executable's own definitions of
 * open, close, ioctl, syscall, mmap, ... take precedence over libc's
 * for every object in the process, the shared libxencall included, so
 * the real backend runs unchanged. Calls not aimed at a simulated
 * device or at a buffer mapping go to the next definition (libc, or a
 * sanitizer's interceptor) found with dlsym(RTLD_NEXT).
 *
 * Device descriptors are real descriptors on /dev/null, so fcntl(),
 * dup and close-on-exec behave as the kernel's; the table below says
 * what each one stands for and which simulated open file it shares.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* Fortified inline wrappers of open() would clash with ours. */
#undef _FORTIFY_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* musl names the 64-bit offset calls by macros for the plain ones (its
 * library exports both names): undone, so that both interposers exist. */
#undef open64
#undef openat64
#undef mmap64
int open64(const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off);

#include "linux.h"
#include "interpose.h"
#include "kernel.h"
#include "os.h"
#include "locked.h"
#include "xen.h"

const char sim_os_name[] = "linux";

/* ---- the real functions ------------------------------------------------ */

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*close_fn)(int);
typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef long (*syscall_fn)(long, ...);
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
/* off64_t: wider than off_t where long is 32 bits. */
typedef void *(*mmap64_fn)(void *, size_t, int, int, int, off64_t);
typedef int (*munmap_fn)(void *, size_t);
typedef int (*madvise_fn)(void *, size_t, int);
typedef int (*mlock_fn)(const void *, size_t);
typedef int (*dup3_fn)(int, int, int);
typedef int (*dup2_fn)(int, int);
typedef long (*sysconf_fn)(int);
typedef int (*getpagesize_fn)(void);

static struct {
    open_fn open, open64;
    openat_fn openat, openat64;
    close_fn close;
    ioctl_fn ioctl;
    syscall_fn syscall;
    mmap_fn mmap;
    mmap64_fn mmap64;
    munmap_fn munmap;
    madvise_fn madvise;
    mlock_fn mlock, munlock;
    dup3_fn dup3;
    dup2_fn dup2;
    sysconf_fn sysconf;
    getpagesize_fn getpagesize;
} real;

/* Until our constructor has run, every call goes straight through. */
static int sim_ready;

/*
 * The simulated kernel's page: 4096 unless SIM_LINUX_PAGE_SIZE names a
 * larger power of two (Debian's linux-image-arm64-16k runs with 16384).
 * Set by the constructor and sim_os_reset(); sim_linux_set_page_size()
 * changes it for one case. The host's page stays 4096: a larger
 * one is simulated by the rounding and alignment rules Linux applies
 * with its PAGE_SIZE (see kernel_mmap() and the calls below it).
 */
static uintptr_t page = 4096, env_page = 4096;

/* ---- state --------------------------------------------------------------- */

static const char *const node_path[SIM_NR_NODES] = {
    [SIM_NODE_PRIVCMD] = "/dev/xen/privcmd",
    [SIM_NODE_PROC_PRIVCMD] = "/proc/xen/privcmd",
    [SIM_NODE_HYPERCALL] = "/dev/xen/hypercall",
    [SIM_NODE_NULL] = "/dev/null",
};

/*
 * Descriptors of privcmd nodes carry what Linux's privcmd driver keeps
 * per open file description in the file's private data
 * (drivers/xen/privcmd.c: struct privcmd_data, set by
 * privcmd_ioctl_restrict(), checked by every other ioctl): the domain
 * the file is restricted to.
 */
static struct sim_fds fds;

/* Buffer mappings: from the buffer device, or anonymous memory. */
static struct sim_regions regions;

enum fault_call { F_OPEN, F_CLOSE, F_IOCTL, F_MMAP, F_MUNMAP, F_MADVISE, F_MLOCK, F_DUP };
static const struct sim_fault_name fault_names[] = {
    { "open", F_OPEN }, { "close", F_CLOSE }, { "ioctl", F_IOCTL },
    { "mmap", F_MMAP }, { "munmap", F_MUNMAP }, { "madvise", F_MADVISE },
    /* One counter for each pair. */
    { "mlock", F_MLOCK }, { "munlock", F_MLOCK }, { "dup3", F_DUP }, { "dup2", F_DUP },
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_faults faults = SIM_FAULTS_INIT(&lock, fault_names);
static unsigned long hypercall_ioctls, restrict_ioctls;
static sim_linux_fd_hook fd_hook;
static void *fd_hook_arg;
static sim_linux_madvise_hook madvise_hook;
static void *madvise_hook_arg;

static struct {
    int xen_present, proc_privcmd, buffer_device, kernel_restrict;
    int open_error[SIM_NR_NODES];
} cfg;

static void defaults(void)
{
    memset(&cfg, 0, sizeof(cfg));
    cfg.xen_present = 1;
    cfg.proc_privcmd = 1;
    cfg.buffer_device = 1;
    cfg.kernel_restrict = 1;
    page = env_page;
    sim_faults_clear(&faults);
    hypercall_ioctls = restrict_ioctls = 0;
    fd_hook = NULL;
    fd_hook_arg = NULL;
    madvise_hook = NULL;
    madvise_hook_arg = NULL;
}

static int node_of(int fd)
{
    return sim_fds_node(&fds, fd);
}

static int is_privcmd(int node)
{
    return node == SIM_NODE_PRIVCMD || node == SIM_NODE_PROC_PRIVCMD;
}

/* ---- buffer mappings ------------------------------------------------------ */

/* What the hypervisor may touch follows the kernel's rules: device
 * pages always; anonymous pages only pinned and kept out of forks. */
static void update_reachable(struct sim_region *r)
{
    sim_region_set_reachable(r, r->from_device || (r->locked && r->dontfork));
}

static void add_region(uintptr_t start, uintptr_t end, int flags, int device)
{
    struct sim_region *r = sim_regions_add(&regions, start, end);

    r->mmap_flags = flags;
    r->from_device = !!device;
    sim_region_set_locked(&regions, r, flags & MAP_LOCKED);
    update_reachable(r);
}

enum range_op { OP_UNMAP, OP_LOCK, OP_UNLOCK, OP_DONTFORK, OP_DOFORK };

static void apply_range(uintptr_t start, uintptr_t end, enum range_op op)
{
    size_t i;

    sim_regions_split_at(&regions, start);
    sim_regions_split_at(&regions, end);
    for (i = 0; i < regions.nr;) {
        struct sim_region *r = &regions.at[i];

        if (r->start < start || r->end > end) {
            i++;
            continue;
        }
        switch (op) {
        case OP_UNMAP:
            sim_regions_drop(&regions, r);
            continue;
        case OP_LOCK:
        case OP_UNLOCK:
            sim_region_set_locked(&regions, r, op == OP_LOCK);
            break;
        case OP_DONTFORK:
        case OP_DOFORK:
            r->dontfork = op == OP_DONTFORK;
            break;
        }
        update_reachable(r);
        i++;
    }
}

INTERPOSER static uintptr_t page_end(const void *p, size_t len)
{
    uintptr_t e = (uintptr_t)p + len;

    return (e + page - 1) & ~(page - 1);
}

/* Linux's offset_in_page(), for the simulated page. */
static int misaligned(uintptr_t addr)
{
    return (addr & (page - 1)) != 0;
}

/* ---- fork: the child loses its don't-fork mappings, as on Linux ---------- */

static void in_forked_child(void)
{
    size_t i;

    for (i = 0; i < regions.nr;) {
        if (regions.at[i].dontfork)
            sim_regions_drop(&regions, &regions.at[i]);
        else
            i++;
    }
}

/* SIM_LINUX_PAGE_SIZE, checked: a typo must not quietly test 4096. */
static void read_page_size(void)
{
    const char *v = getenv("SIM_LINUX_PAGE_SIZE");
    char *end;
    unsigned long n;

    if (!v || !*v)
        return;
    n = strtoul(v, &end, 0);
    if (*end || n < 4096 || (n & (n - 1)) || n > (1UL << 20)) {
        static const char msg[] = "SIM_LINUX_PAGE_SIZE: want a power of two"
                                  " from 4096 to 1 MiB\n";

        (void)!write(2, msg, sizeof(msg) - 1);
        abort();
    }
    env_page = n;
}

__attribute__((constructor)) static void sim_linux_init(void)
{
    read_page_size();
    sim_fds_init(&fds, REAL(munmap));
    defaults();
    REAL(open);
    REAL(close);
    REAL(ioctl);
    REAL(syscall);
    REAL(mmap);
    REAL(munmap);
    REAL(madvise);
    REAL(dup3);
    REAL(dup2);
    REAL(sysconf);
    REAL(getpagesize);
    sim_kernel_atfork(&lock, in_forked_child);
    sim_ready = 1;
}

/* ---- open / close / dup ------------------------------------------------- */

INTERPOSER static int find_node(const char *path)
{
    int n;

    if (!path)
        return -1;
    for (n = 0; n < SIM_NR_NODES; n++)
        if (!strcmp(path, node_path[n]))
            return n;
    return -1;
}

static int node_exists(int node)
{
    switch (node) {
    case SIM_NODE_PRIVCMD:
        return cfg.xen_present;
    case SIM_NODE_PROC_PRIVCMD:
        return cfg.xen_present && cfg.proc_privcmd;
    case SIM_NODE_HYPERCALL:
        return cfg.xen_present && cfg.buffer_device;
    default:
        return 1;
    }
}

static int open_node(int node, int flags)
{
    struct sim_open_file *file = NULL;
    sim_linux_fd_hook hook;
    void *hook_arg;
    int fd, err;

    pthread_mutex_lock(&lock);
    if (sim_faults_hit(&faults, F_OPEN)) {
        fd = -1;
    } else if (!node_exists(node)) {
        errno = ENOENT;
        fd = -1;
    } else if (cfg.open_error[node]) {
        errno = cfg.open_error[node];
        fd = -1;
    } else if (is_privcmd(node) && !(file = sim_open_file_new(REAL(mmap)))) {
        fd = -1;
    } else {
        fd = REAL(open)("/dev/null", flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK));
        if (fd >= SIM_MAX_FDS) {
            REAL(close)(fd);
            errno = EMFILE;
            fd = -1;
        }
        if (fd >= 0)
            sim_fds_set(&fds, fd, node, file);
        else if (file)
            REAL(munmap)(file, SIM_OPEN_FILE_SIZE);
    }
    err = errno;
    hook = fd >= 0 ? fd_hook : NULL;
    hook_arg = fd_hook_arg;
    pthread_mutex_unlock(&lock);
    if (hook)
        hook(fd, node, 1, hook_arg);
    errno = err;
    return fd;
}

INTERPOSER static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

/* open() and open64(): the simulated node, or the real call they name. */
INTERPOSER static int open_or_pass(open_fn real_open, const char *path,
                                   int flags, va_list ap)
{
    int node = find_node(path);

    if (node >= 0 && sim_ready)
        return open_node(node, flags);
    return real_open(path, flags, mode_arg(flags, ap));
}

INTERPOSER int open(const char *path, int flags, ...)
{
    va_list ap;
    int fd;

    va_start(ap, flags);
    fd = open_or_pass(REAL(open), path, flags, ap);
    va_end(ap);
    return fd;
}

INTERPOSER int open64(const char *path, int flags, ...)
{
    va_list ap;
    int fd;

    va_start(ap, flags);
    fd = open_or_pass(REAL(open64), path, flags, ap);
    va_end(ap);
    return fd;
}

int __open_2(const char *path, int flags);
INTERPOSER int __open_2(const char *path, int flags)
{
    int node = find_node(path);

    return node >= 0 && sim_ready ? open_node(node, flags)
                                  : REAL(open)(path, flags);
}

int __open64_2(const char *path, int flags);
INTERPOSER int __open64_2(const char *path, int flags)
{
    int node = find_node(path);

    return node >= 0 && sim_ready ? open_node(node, flags)
                                  : REAL(open64)(path, flags);
}

/* openat() and openat64(): our nodes are absolute paths, so dirfd
 * never matters for them. */
INTERPOSER static int openat_or_pass(openat_fn real_openat, int dirfd,
                                     const char *path, int flags, va_list ap)
{
    int node = find_node(path);

    if (node >= 0 && sim_ready)
        return open_node(node, flags);
    return real_openat(dirfd, path, flags, mode_arg(flags, ap));
}

INTERPOSER int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    int fd;

    va_start(ap, flags);
    fd = openat_or_pass(REAL(openat), dirfd, path, flags, ap);
    va_end(ap);
    return fd;
}

INTERPOSER int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    int fd;

    va_start(ap, flags);
    fd = openat_or_pass(REAL(openat64), dirfd, path, flags, ap);
    va_end(ap);
    return fd;
}

/* Like Linux, a failing close() has still released the descriptor. */
INTERPOSER int close(int fd)
{
    sim_linux_fd_hook hook;
    void *hook_arg;
    int rc, err, fail, node;

    if (!sim_ready)
        return REAL(close)(fd);
    pthread_mutex_lock(&lock);
    if (node_of(fd) < 0) {
        pthread_mutex_unlock(&lock);
        return REAL(close)(fd);
    }
    fail = sim_faults_hit(&faults, F_CLOSE);
    err = errno;
    node = node_of(fd);
    sim_fds_set(&fds, fd, -1, NULL);
    rc = REAL(close)(fd);
    if (fail) {
        rc = -1;
        errno = err;
    }
    err = errno;
    hook = fd_hook;
    hook_arg = fd_hook_arg;
    pthread_mutex_unlock(&lock);
    if (hook)
        hook(fd, node, 0, hook_arg);
    errno = err;
    return rc;
}

static int do_dup(int oldfd, int newfd, int flags, int is_dup2)
{
    int rc, err, old_node;

    pthread_mutex_lock(&lock);
    old_node = node_of(oldfd);
    if (old_node < 0 && node_of(newfd) < 0) {
        pthread_mutex_unlock(&lock);
        return is_dup2 ? REAL(dup2)(oldfd, newfd) : REAL(dup3)(oldfd, newfd, flags);
    }
    if (sim_faults_hit(&faults, F_DUP)) {
        rc = -1;
    } else {
        rc = is_dup2 ? REAL(dup2)(oldfd, newfd) : REAL(dup3)(oldfd, newfd, flags);
        /* newfd now shares oldfd's open file, whatever it was before. */
        if (rc >= 0 && rc < SIM_MAX_FDS && oldfd != newfd)
            sim_fds_set(&fds, rc, old_node, old_node >= 0 ? fds.at[oldfd].file : NULL);
    }
    err = errno;
    pthread_mutex_unlock(&lock);
    errno = err;
    return rc;
}

INTERPOSER int dup3(int oldfd, int newfd, int flags)
{
    if (!sim_ready)
        return REAL(dup3)(oldfd, newfd, flags);
    return do_dup(oldfd, newfd, flags, 0);
}

INTERPOSER int dup2(int oldfd, int newfd)
{
    if (!sim_ready)
        return REAL(dup2)(oldfd, newfd);
    return do_dup(oldfd, newfd, 0, 1);
}

/* ---- ioctl ----------------------------------------------------------------- */

/* The guest's view of struct privcmd_hypercall (no result field). */
struct sim_privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};

/*
 * The driver's ioctl: *handled is 0 when fd is not ours. Returns what
 * the kernel's sys_ioctl returns, a full long; errors as -1 + errno.
 */
static long device_ioctl(int fd, unsigned long req, void *argp, int *handled)
{
    struct sim_privcmd_hypercall hc;
    uint16_t domid;
    int node, refused;
    long r;

    pthread_mutex_lock(&lock);
    node = node_of(fd);
    *handled = node >= 0;
    if (node < 0) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    if (sim_faults_hit(&faults, F_IOCTL))
        goto fail_locked;
    if (!is_privcmd(node)) {
        errno = ENOTTY;
        goto fail_locked;
    }
    if (req == SIM_IOCTL_PRIVCMD_RESTRICT) {
        restrict_ioctls++;
        if (!cfg.kernel_restrict) {
            errno = ENOTTY;
            goto fail_locked;
        }
        if (!argp) {
            errno = EFAULT;
            goto fail_locked;
        }
        /* Set once; asking again for another domain is EINVAL. */
        memcpy(&domid, argp, sizeof(domid));
        if (sim_open_file_restrict(fds.at[fd].file, domid) < 0) {
            errno = EINVAL;
            goto fail_locked;
        }
        pthread_mutex_unlock(&lock);
        return 0;
    }
    if (req != SIM_IOCTL_PRIVCMD_HYPERCALL) {
        errno = ENOTTY;
        goto fail_locked;
    }
    hypercall_ioctls++;
    refused = sim_open_file_restricted(fds.at[fd].file);
    pthread_mutex_unlock(&lock);

    if (refused) {
        errno = EPERM;
        return -1;
    }
    if (!argp) {
        errno = EFAULT;
        return -1;
    }
    memcpy(&hc, argp, sizeof(hc));
    /* The hypervisor runs without our lock, so threads overlap. */
    r = sim_xen_hypercall(hc.op, hc.arg);
    if (r >= -4095 && r <= -1) {
        errno = (int)-r;   /* Xen's numbers are Linux's */
        return -1;
    }
    return r;

fail_locked:
    r = errno;
    pthread_mutex_unlock(&lock);
    errno = (int)r;
    return -1;
}

/* The device has two doors, ioctl() and syscall(SYS_ioctl): Debian's
 * library enters by the first, this one by the second. libc declares
 * both variadic; variadic definitions here would cost the doors
 * differently (register spills, va_arg walks) and a benchmark would
 * charge the simulator's difference to the library. On the ABIs this
 * simulator runs on (x86-64 and i386 System V) a variadic caller puts
 * integer arguments exactly where a fixed-parameter callee reads them,
 * so each door takes fixed parameters under libc's symbol name and
 * both do the same work. */
INTERPOSER int sim_ioctl_door(int fd, unsigned long req, void *argp)
    __asm__("ioctl");
INTERPOSER long sim_syscall_door(long nr, long a0, long a1, long a2, long a3,
                                 long a4, long a5) __asm__("syscall");

INTERPOSER int sim_ioctl_door(int fd, unsigned long req, void *argp)
{
    int handled;
    long r;

    if (!sim_ready)
        return REAL(ioctl)(fd, req, argp);
    r = device_ioctl(fd, req, argp, &handled);
    if (!handled)
        return REAL(ioctl)(fd, req, argp);
    /* glibc's ioctl() returns int: a wide result is cut, as here. */
    return (int)r;
}

/* Any other system call: kept out of line, so that its six arguments
 * are not saved across the device's ioctl on the door's way in. */
static __attribute__((noinline)) long real_syscall(long nr, long a0, long a1,
                                                   long a2, long a3, long a4,
                                                   long a5)
{
    return REAL(syscall)(nr, a0, a1, a2, a3, a4, a5);
}

INTERPOSER long sim_syscall_door(long nr, long a0, long a1, long a2, long a3,
                                 long a4, long a5)
{
    int handled;
    long r;

    if (nr != SYS_ioctl || !sim_ready)
        return real_syscall(nr, a0, a1, a2, a3, a4, a5);
    r = device_ioctl((int)a0, (unsigned long)a1, (void *)a2, &handled);
    return handled ? r : real_syscall(nr, a0, a1, a2, 0, 0, 0);
}

/* ---- memory ----------------------------------------------------------------- */

/*
 * The host's mmap() as a kernel with the simulated page would answer
 * (mm/mmap.c do_mmap(): the length rounded up to whole pages, a fixed
 * address and the offset page-aligned, else EINVAL): for a larger page
 * the host maps a page more than asked and trims it to a page boundary.
 */
static void *kernel_mmap(void *addr, size_t len, int prot, int flags, int fd,
                         off_t off)
{
    size_t whole = (len + page - 1) & ~(size_t)(page - 1), extra;
    uintptr_t p, start;

    if (page <= 4096)   /* a smaller page: aligned to the host's is aligned */
        return REAL(mmap)(addr, len, prot, flags, fd, off);
    if (!len || whole < len || misaligned((uintptr_t)off) ||
        ((flags & MAP_FIXED) && misaligned((uintptr_t)addr))) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    if (flags & MAP_FIXED)
        return REAL(mmap)(addr, whole, prot, flags, fd, off);
    extra = page - 4096;
    p = (uintptr_t)REAL(mmap)(NULL, whole + extra, prot, flags, fd, off);
    if ((void *)p == MAP_FAILED)
        return MAP_FAILED;
    start = (p + page - 1) & ~(page - 1);
    if (start > p)
        REAL(munmap)((void *)p, start - p);
    if (start + whole < p + whole + extra)
        REAL(munmap)((void *)(start + whole), p + extra - start);
    return (void *)start;
}

static void *do_mmap(void *addr, size_t len, int prot, int flags, int fd,
                     off64_t off, int is64)
{
    void *p;
    int node, err;

    pthread_mutex_lock(&lock);
    node = node_of(fd);
    if (node < 0 && !(flags & MAP_ANONYMOUS)) {
        pthread_mutex_unlock(&lock);
        return is64 ? REAL(mmap64)(addr, len, prot, flags, fd, off)
                    : REAL(mmap)(addr, len, prot, flags, fd, (off_t)off);
    }
    if (sim_faults_hit(&faults, F_MMAP)) {
        p = MAP_FAILED;
    } else if (node == SIM_NODE_HYPERCALL) {
        /* The driver refuses private mappings; its pages come zeroed. */
        if (!(flags & MAP_SHARED) || !len) {
            errno = EINVAL;
            p = MAP_FAILED;
        } else {
            /* drivers/xen/privcmd-buf.c gives vma_pages() whole
             * pages, which kernel_mmap() rounds to. */
            p = kernel_mmap(addr, len, prot,
                            MAP_SHARED | MAP_ANONYMOUS | (flags & MAP_FIXED), -1, 0);
            if (p != MAP_FAILED)
                add_region((uintptr_t)p, page_end(p, len), flags, 1);
        }
    } else if (node >= 0) {
        errno = ENODEV;   /* privcmd's own mmap is not simulated */
        p = MAP_FAILED;
    } else {
        p = kernel_mmap(addr, len, prot, flags, fd, off);
        if (p != MAP_FAILED)
            add_region((uintptr_t)p, page_end(p, len), flags, 0);
    }
    err = errno;
    pthread_mutex_unlock(&lock);
    errno = err;
    return p;
}

INTERPOSER void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (!sim_ready)
        return REAL(mmap)(addr, len, prot, flags, fd, off);
    return do_mmap(addr, len, prot, flags, fd, off, 0);
}

INTERPOSER void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
                         off64_t off)
{
    if (!sim_ready)
        return REAL(mmap64)(addr, len, prot, flags, fd, off);
    return do_mmap(addr, len, prot, flags, fd, off, 1);
}

INTERPOSER int munmap(void *p, size_t len)
{
    uintptr_t start = (uintptr_t)p, end = page_end(p, len);
    int rc, err;

    if (!sim_ready)
        return REAL(munmap)(p, len);
    pthread_mutex_lock(&lock);
    if (!sim_regions_overlap(&regions, start, end)) {
        pthread_mutex_unlock(&lock);
        return REAL(munmap)(p, len);
    }
    if (sim_faults_hit(&faults, F_MUNMAP)) {
        rc = -1;
    } else if (misaligned(start)) {
        /* mm/mmap.c do_vmi_munmap(): the start must be page-aligned;
         * the length rounds up to whole pages. */
        errno = EINVAL;
        rc = -1;
    } else {
        rc = REAL(munmap)(p, end - start);
        if (rc == 0)
            apply_range(start, end, OP_UNMAP);
    }
    err = errno;
    pthread_mutex_unlock(&lock);
    errno = err;
    return rc;
}

INTERPOSER int madvise(void *p, size_t len, int advice)
{
    uintptr_t start = (uintptr_t)p, end = page_end(p, len);
    int rc, err;

    if (!sim_ready)
        return REAL(madvise)(p, len, advice);
    pthread_mutex_lock(&lock);
    if (!sim_regions_overlap(&regions, start, end)) {
        pthread_mutex_unlock(&lock);
        return REAL(madvise)(p, len, advice);
    }
    if (madvise_hook) {
        sim_linux_madvise_hook hook = madvise_hook;
        void *arg = madvise_hook_arg;

        /* Outside the lock: the hook may fork, or wait for a fork. */
        pthread_mutex_unlock(&lock);
        hook(p, len, advice, arg);
        pthread_mutex_lock(&lock);
    }
    if (sim_faults_hit(&faults, F_MADVISE)) {
        rc = -1;
    } else if (misaligned(start)) {
        /* mm/madvise.c: the start must be page-aligned, the length
         * rounds up to whole pages. */
        errno = EINVAL;
        rc = -1;
    } else {
        /* Really done: fork() must drop these pages in the child. */
        rc = REAL(madvise)(p, end - start, advice);
        if (rc == 0 && advice == MADV_DONTFORK)
            apply_range(start, end, OP_DONTFORK);
        else if (rc == 0 && advice == MADV_DOFORK)
            apply_range(start, end, OP_DOFORK);
    }
    err = errno;
    pthread_mutex_unlock(&lock);
    errno = err;
    return rc;
}

/*
 * Locking is only recorded, never done: the test machine's
 * RLIMIT_MEMLOCK is no part of what is being tested. The address comes
 * as a number: glibc 2.41 declares mlock()'s pointer access(none),
 * which our replacements inherit, and gcc 14 would read passing it on
 * as a pointer as reading memory that may be uninitialized.
 */
static int lock_op(uintptr_t start, size_t len, enum range_op op)
{
    uintptr_t end = page_end((const void *)start, len);
    int rc = 0, err;

    pthread_mutex_lock(&lock);
    if (!sim_regions_overlap(&regions, start, end)) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    if (sim_faults_hit(&faults, F_MLOCK))
        rc = -1;
    else
        apply_range(start & ~(page - 1), end, op);   /* mm/mlock.c */
    err = errno;
    pthread_mutex_unlock(&lock);
    errno = err;
    return rc;
}

INTERPOSER int mlock(const void *p, size_t len)
{
    if (!sim_ready)
        return REAL(mlock)(p, len);
    return lock_op((uintptr_t)p, len, OP_LOCK);
}

INTERPOSER int munlock(const void *p, size_t len)
{
    if (!sim_ready)
        return REAL(munlock)(p, len);
    return lock_op((uintptr_t)p, len, OP_UNLOCK);
}

/* The page size a program asks the simulated kernel for. */
INTERPOSER long sysconf(int name)
{
    if (sim_ready && name == _SC_PAGESIZE)
        return (long)page;
    return REAL(sysconf)(name);
}

INTERPOSER int getpagesize(void)
{
    return sim_ready ? (int)page : REAL(getpagesize)();
}

/* ---- os.h ----------------------------------------------------------------- */

void sim_os_reset(void)
{
    pthread_mutex_lock(&lock);
    defaults();
    pthread_mutex_unlock(&lock);
    sim_xen_reset();
}

int sim_os_set_buffer_device(int present)
{
    SIM_LOCKED_WRITE(&lock, cfg.buffer_device, !!present);
    return 0;
}

void sim_os_set_xen_present(int present)
{
    SIM_LOCKED_WRITE(&lock, cfg.xen_present, !!present);
}

int sim_os_open_handles(void)
{
    return SIM_LOCKED_READ(&lock, fds.open);
}

size_t sim_os_mapped_bytes(void)
{
    return SIM_LOCKED_READ(&lock, regions.mapped_bytes);
}

int sim_os_set_kernel_restrict(int supported)
{
    SIM_LOCKED_WRITE(&lock, cfg.kernel_restrict, !!supported);
    return 0;
}

int sim_os_fail_nth(const char *name, unsigned long n, int err)
{
    return sim_faults_arm(&faults, name, n, err);
}

/* ---- linux.h ----------------------------------------------------------------- */

void sim_linux_set_open_error(enum sim_linux_node node, int err)
{
    if ((int)node < 0 || node >= SIM_NR_NODES)
        return;
    SIM_LOCKED_WRITE(&lock, cfg.open_error[node], err);
}

void sim_linux_set_proc_privcmd(int present)
{
    SIM_LOCKED_WRITE(&lock, cfg.proc_privcmd, !!present);
}

int sim_linux_fd_node(int fd)
{
    return SIM_LOCKED_READ(&lock, node_of(fd));
}

int sim_linux_fd_restricted(int fd)
{
    return SIM_LOCKED_READ(&lock, node_of(fd) >= 0 &&
                                  sim_open_file_restricted(fds.at[fd].file));
}

int sim_linux_fds_on(int node, int *out, int max)
{
    int fd, found = 0;

    pthread_mutex_lock(&lock);
    for (fd = 0; fd < SIM_MAX_FDS && found < max; fd++)
        if (node_of(fd) >= 0 && (node == SIM_ANY_NODE || node_of(fd) == node))
            out[found++] = fd;
    pthread_mutex_unlock(&lock);
    return found;
}

long sim_linux_raw_hypercall(int fd, uint64_t value)
{
    uint64_t hc[6] = { SIM_OP_RESULT, value, 0, 0, 0, 0 };

    return syscall(SYS_ioctl, fd, SIM_IOCTL_PRIVCMD_HYPERCALL, hc);
}

void sim_linux_set_fd_hook(sim_linux_fd_hook hook, void *arg)
{
    pthread_mutex_lock(&lock);
    fd_hook = hook;
    fd_hook_arg = arg;
    pthread_mutex_unlock(&lock);
}

void sim_linux_set_madvise_hook(sim_linux_madvise_hook hook, void *arg)
{
    pthread_mutex_lock(&lock);
    madvise_hook = hook;
    madvise_hook_arg = arg;
    pthread_mutex_unlock(&lock);
}

unsigned long sim_linux_hypercall_ioctls(void)
{
    return SIM_LOCKED_READ(&lock, hypercall_ioctls);
}

unsigned long sim_linux_restrict_ioctls(void)
{
    return SIM_LOCKED_READ(&lock, restrict_ioctls);
}

size_t sim_linux_locked_bytes(void)
{
    return SIM_LOCKED_READ(&lock, regions.locked_bytes);
}

int sim_linux_mapping_flags(const void *p, int *from_device)
{
    struct sim_region *r;
    int flags = -1;

    pthread_mutex_lock(&lock);
    r = sim_regions_find(&regions, (uintptr_t)p);
    if (r) {
        flags = r->mmap_flags;
        if (from_device)
            *from_device = r->from_device;
    }
    pthread_mutex_unlock(&lock);
    return flags;
}

size_t sim_linux_page_size(void)
{
    return page;
}

int sim_linux_set_page_size(size_t size)
{
    if (size < 1024 || size > (1UL << 20) || (size & (size - 1)))
        return -1;
    SIM_LOCKED_WRITE(&lock, page, size);
    return 0;
}
