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

#include "linux.h"
#include "interpose.h"
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
} real;

/* Until our constructor has run, every call goes straight through. */
static int sim_ready;

/* ---- state --------------------------------------------------------------- */

static const char *const node_path[SIM_NR_NODES] = {
    [SIM_NODE_PRIVCMD] = "/dev/xen/privcmd",
    [SIM_NODE_PROC_PRIVCMD] = "/proc/xen/privcmd",
    [SIM_NODE_HYPERCALL] = "/dev/xen/hypercall",
    [SIM_NODE_NULL] = "/dev/null",
};

#define MAX_FDS 4096

/*
 * What Linux's privcmd driver keeps per open file description, in the
 * file's private data (drivers/xen/privcmd.c: struct privcmd_data,
 * set by privcmd_ioctl_restrict(), checked by every other ioctl): the
 * domain the file is restricted to. Every descriptor sharing the open
 * file sees it, through dup() in this process or fork() in another,
 * so each record is a shared mapping of its own, which a fork() keeps
 * shared; parent and child reach it atomically, having no lock in
 * common.
 */
struct open_file {
    uint16_t restricted_to;   /* SIM_DOMID_INVALID: not restricted */
};
#define SIM_DOMID_INVALID 0x7ff4   /* Xen's DOMID_INVALID */
#define OPEN_FILE_SIZE 4096

struct fd_entry {
    signed char node;        /* enum sim_linux_node, or -1: not ours */
    struct open_file *file;  /* privcmd nodes only */
};

/* A buffer mapping: from the buffer device, or anonymous memory. */
struct region {
    uintptr_t start, end;
    int flags;               /* as given to mmap() */
    unsigned from_device:1, locked:1, dontfork:1, reachable:1;
};

enum fault_call {
    F_OPEN, F_CLOSE, F_IOCTL, F_MMAP, F_MUNMAP, F_MADVISE, F_MLOCK, F_DUP,
    F_NR
};
static const char *const fault_name[F_NR] = {
    "open", "close", "ioctl", "mmap", "munmap", "madvise", "mlock", "dup3",
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fd_entry fds[MAX_FDS];
static int nr_fds;
static struct region *regions;
static size_t nr_regions, cap_regions;
static size_t mapped_bytes, locked_bytes;
static unsigned long hypercall_ioctls, restrict_ioctls;
static sim_linux_fd_hook fd_hook;
static void *fd_hook_arg;

static struct {
    int xen_present, proc_privcmd, buffer_device, kernel_restrict;
    int open_error[SIM_NR_NODES];
} cfg;

static struct {
    unsigned long countdown;   /* 0: disarmed */
    int err;
} faults[F_NR];

static void defaults(void)
{
    memset(&cfg, 0, sizeof(cfg));
    cfg.xen_present = 1;
    cfg.proc_privcmd = 1;
    cfg.buffer_device = 1;
    cfg.kernel_restrict = 1;
    memset(faults, 0, sizeof(faults));
    hypercall_ioctls = restrict_ioctls = 0;
    fd_hook = NULL;
    fd_hook_arg = NULL;
}

/* With the lock held: 1 and errno set if this call is the armed one. */
static int injected(enum fault_call c)
{
    if (!faults[c].countdown || --faults[c].countdown)
        return 0;
    errno = faults[c].err;
    return 1;
}

static int node_of(int fd)
{
    return fd >= 0 && fd < MAX_FDS ? fds[fd].node : -1;
}

static int is_privcmd(int node)
{
    return node == SIM_NODE_PRIVCMD || node == SIM_NODE_PROC_PRIVCMD;
}

/* With the lock held: forget file once no descriptor of ours has it. */
static void put_open_file(struct open_file *file)
{
    int fd;

    for (fd = 0; fd < MAX_FDS; fd++)
        if (fds[fd].file == file)
            return;
    REAL(munmap)(file, OPEN_FILE_SIZE);
}

/* With the lock held: fd now stands for node, sharing file. */
static void set_fd(int fd, int node, struct open_file *file)
{
    struct open_file *old = fds[fd].file;

    if (fds[fd].node < 0 && node >= 0)
        nr_fds++;
    else if (fds[fd].node >= 0 && node < 0)
        nr_fds--;
    fds[fd].node = (signed char)node;
    fds[fd].file = file;
    if (old && old != file)
        put_open_file(old);
}

static struct open_file *new_open_file(void)
{
    struct open_file *file = REAL(mmap)(NULL, OPEN_FILE_SIZE,
                                        PROT_READ | PROT_WRITE,
                                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (file == MAP_FAILED)
        return NULL;
    file->restricted_to = SIM_DOMID_INVALID;
    return file;
}

static uint16_t restricted_to(int fd)
{
    struct open_file *file = fds[fd].file;

    return file ? __atomic_load_n(&file->restricted_to, __ATOMIC_ACQUIRE)
                : SIM_DOMID_INVALID;
}

/* ---- buffer mappings ------------------------------------------------------ */

static int overlaps(uintptr_t start, uintptr_t end)
{
    size_t i;

    for (i = 0; i < nr_regions; i++)
        if (regions[i].start < end && start < regions[i].end)
            return 1;
    return 0;
}

static struct region *new_region(void)
{
    if (nr_regions == cap_regions) {
        size_t cap = cap_regions ? cap_regions * 2 : 64;
        struct region *r = realloc(regions, cap * sizeof(*r));

        if (!r)
            abort();   /* a harness out of memory cannot go on */
        regions = r;
        cap_regions = cap;
    }
    return &regions[nr_regions++];
}

static void add_region(uintptr_t start, uintptr_t end, int flags, int device)
{
    struct region *r = new_region();

    memset(r, 0, sizeof(*r));
    r->start = start;
    r->end = end;
    r->flags = flags;
    r->from_device = !!device;
    r->locked = !!(flags & MAP_LOCKED);
    mapped_bytes += end - start;
    if (r->locked)
        locked_bytes += end - start;
}

/* What the hypervisor may touch follows the kernel's rules: device
 * pages always; anonymous pages only pinned and kept out of forks. */
static void update_reachable(struct region *r)
{
    int want = r->from_device || (r->locked && r->dontfork);

    if (want && !r->reachable)
        sim_xen_mem_add((void *)r->start, r->end - r->start);
    else if (!want && r->reachable)
        sim_xen_mem_remove((void *)r->start, r->end - r->start);
    r->reachable = (unsigned)want;
}

/* Split the region holding addr in its middle, so that operations on
 * part of a mapping act on whole regions. */
static void split_at(uintptr_t addr)
{
    size_t i;

    for (i = 0; i < nr_regions; i++) {
        if (regions[i].start < addr && addr < regions[i].end) {
            struct region *upper = new_region();   /* may move regions */

            *upper = regions[i];
            upper->start = addr;
            regions[i].end = addr;
            return;
        }
    }
}

static void drop_region(size_t i)
{
    struct region *r = &regions[i];

    if (r->reachable)
        sim_xen_mem_remove((void *)r->start, r->end - r->start);
    mapped_bytes -= r->end - r->start;
    if (r->locked)
        locked_bytes -= r->end - r->start;
    regions[i] = regions[--nr_regions];
}

enum range_op { OP_UNMAP, OP_LOCK, OP_UNLOCK, OP_DONTFORK, OP_DOFORK };

static void apply_range(uintptr_t start, uintptr_t end, enum range_op op)
{
    size_t i;

    split_at(start);
    split_at(end);
    for (i = 0; i < nr_regions;) {
        struct region *r = &regions[i];

        if (r->start < start || r->end > end) {
            i++;
            continue;
        }
        switch (op) {
        case OP_UNMAP:
            drop_region(i);
            continue;
        case OP_LOCK:
            if (!r->locked)
                locked_bytes += r->end - r->start;
            r->locked = 1;
            break;
        case OP_UNLOCK:
            if (r->locked)
                locked_bytes -= r->end - r->start;
            r->locked = 0;
            break;
        case OP_DONTFORK:
            r->dontfork = 1;
            break;
        case OP_DOFORK:
            r->dontfork = 0;
            break;
        }
        update_reachable(r);
        i++;
    }
}

INTERPOSER static uintptr_t page_end(const void *p, size_t len)
{
    uintptr_t e = (uintptr_t)p + len;

    return (e + 4095) & ~(uintptr_t)4095;
}

/* ---- fork: the child loses its don't-fork mappings, as on Linux ---------- */

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
    size_t i;

    for (i = 0; i < nr_regions;) {
        if (regions[i].dontfork)
            drop_region(i);
        else
            i++;
    }
    pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void sim_linux_init(void)
{
    int i;

    for (i = 0; i < MAX_FDS; i++)
        fds[i].node = -1;
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
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
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
    struct open_file *file = NULL;
    sim_linux_fd_hook hook;
    void *hook_arg;
    int fd, err;

    pthread_mutex_lock(&lock);
    if (injected(F_OPEN)) {
        fd = -1;
    } else if (!node_exists(node)) {
        errno = ENOENT;
        fd = -1;
    } else if (cfg.open_error[node]) {
        errno = cfg.open_error[node];
        fd = -1;
    } else if (is_privcmd(node) && !(file = new_open_file())) {
        fd = -1;
    } else {
        fd = REAL(open)("/dev/null", flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK));
        if (fd >= MAX_FDS) {
            REAL(close)(fd);
            errno = EMFILE;
            fd = -1;
        }
        if (fd >= 0)
            set_fd(fd, node, file);
        else if (file)
            REAL(munmap)(file, OPEN_FILE_SIZE);
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

/* Our nodes are absolute paths, so dirfd never matters for them. */
INTERPOSER int openat(int dirfd, const char *path, int flags, ...)
{
    int node = find_node(path);
    va_list ap;
    mode_t mode;

    if (node >= 0 && sim_ready)
        return open_node(node, flags);
    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    return REAL(openat)(dirfd, path, flags, mode);
}

INTERPOSER int openat64(int dirfd, const char *path, int flags, ...)
{
    int node = find_node(path);
    va_list ap;
    mode_t mode;

    if (node >= 0 && sim_ready)
        return open_node(node, flags);
    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    return REAL(openat64)(dirfd, path, flags, mode);
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
    fail = injected(F_CLOSE);
    err = errno;
    node = fds[fd].node;
    set_fd(fd, -1, NULL);
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
    if (injected(F_DUP)) {
        rc = -1;
    } else {
        rc = is_dup2 ? REAL(dup2)(oldfd, newfd) : REAL(dup3)(oldfd, newfd, flags);
        /* newfd now shares oldfd's open file, whatever it was before. */
        if (rc >= 0 && rc < MAX_FDS && oldfd != newfd)
            set_fd(rc, old_node, old_node >= 0 ? fds[oldfd].file : NULL);
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
    uint16_t want, held;
    int node, restricted;
    long r;

    pthread_mutex_lock(&lock);
    node = node_of(fd);
    *handled = node >= 0;
    if (node < 0) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    if (injected(F_IOCTL))
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
        memcpy(&want, argp, sizeof(want));
        held = SIM_DOMID_INVALID;
        if (!__atomic_compare_exchange_n(&fds[fd].file->restricted_to, &held,
                                         want, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE) && held != want) {
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
    restricted = restricted_to(fd) != SIM_DOMID_INVALID;
    pthread_mutex_unlock(&lock);

    if (restricted) {
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
    if (injected(F_MMAP)) {
        p = MAP_FAILED;
    } else if (node == SIM_NODE_HYPERCALL) {
        /* The driver refuses private mappings; its pages come zeroed. */
        if (!(flags & MAP_SHARED) || !len) {
            errno = EINVAL;
            p = MAP_FAILED;
        } else {
            p = REAL(mmap)(addr, len, prot,
                           MAP_SHARED | MAP_ANONYMOUS | (flags & MAP_FIXED), -1, 0);
            if (p != MAP_FAILED) {
                add_region((uintptr_t)p, page_end(p, len), flags, 1);
                update_reachable(&regions[nr_regions - 1]);
            }
        }
    } else if (node >= 0) {
        errno = ENODEV;   /* privcmd's own mmap is not simulated */
        p = MAP_FAILED;
    } else {
        p = REAL(mmap)(addr, len, prot, flags, fd, off);
        if (p != MAP_FAILED) {
            add_region((uintptr_t)p, page_end(p, len), flags, 0);
            update_reachable(&regions[nr_regions - 1]);
        }
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
    if (!overlaps(start, end)) {
        pthread_mutex_unlock(&lock);
        return REAL(munmap)(p, len);
    }
    if (injected(F_MUNMAP)) {
        rc = -1;
    } else {
        rc = REAL(munmap)(p, len);
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
    if (!overlaps(start, end)) {
        pthread_mutex_unlock(&lock);
        return REAL(madvise)(p, len, advice);
    }
    if (injected(F_MADVISE)) {
        rc = -1;
    } else {
        /* Really done: fork() must drop these pages in the child. */
        rc = REAL(madvise)(p, len, advice);
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
    if (!overlaps(start, end)) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    if (injected(F_MLOCK))
        rc = -1;
    else
        apply_range(start & ~(uintptr_t)4095, end, op);
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
    int c;

    /* One counter for each pair. */
    if (name && !strcmp(name, "dup2"))
        name = "dup3";
    if (name && !strcmp(name, "munlock"))
        name = "mlock";
    for (c = 0; c < F_NR; c++) {
        if (name && !strcmp(name, fault_name[c])) {
            pthread_mutex_lock(&lock);
            faults[c].countdown = n;
            faults[c].err = err;
            pthread_mutex_unlock(&lock);
            return 0;
        }
    }
    return -1;
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
                                  restricted_to(fd) != SIM_DOMID_INVALID);
}

void sim_linux_set_fd_hook(sim_linux_fd_hook hook, void *arg)
{
    pthread_mutex_lock(&lock);
    fd_hook = hook;
    fd_hook_arg = arg;
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
    return SIM_LOCKED_READ(&lock, locked_bytes);
}

int sim_linux_mapping_flags(const void *p, int *from_device)
{
    uintptr_t a = (uintptr_t)p;
    int flags = -1;
    size_t i;

    pthread_mutex_lock(&lock);
    for (i = 0; i < nr_regions; i++) {
        if (regions[i].start <= a && a < regions[i].end) {
            flags = regions[i].flags;
            if (from_device)
                *from_device = regions[i].from_device;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return flags;
}
