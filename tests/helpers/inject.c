/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wrappers inject.h renames the library's system calls and
 * allocations to (the list: fi-calls.h). Each asks injected() whether this call is the one
 * armed by fi_arm() and then fails the way the real call fails
 * (-1/errno, MAP_FAILED, NULL); every other call goes on to the real
 * function, which in a test program is the simulator's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include <xentoollog.h>

#include "fi.h"

const char *const fi_call_name[FI_NR_CALLS] = {
#define FI_CALL(id, name) [FI_##id] = #name,
#define FI_WRAP_ONLY(name)
#include "fi-calls.h"
#undef FI_CALL
#undef FI_WRAP_ONLY
};

struct fi_state {
    unsigned long count;
    unsigned long fail_at;   /* 0: not armed */
    unsigned long failed;
    int err;
    int persist;
};

/* Calls may come from several threads (fork and fuzz tests): every
 * field is touched atomically, and arming is done while quiet. */
static struct fi_state state[FI_NR_CALLS];
static long live_allocations;
static long mapped_bytes;
static int real_mlock;            /* also lock for real (RLIMIT_MEMLOCK) */
static size_t mmap_limit;         /* larger mappings refused, 0: none */
static int mmap_limit_err;
static size_t last_mmap_len;

void fi_set_real_mlock(int on)
{
    real_mlock = on;
}

void fi_set_mmap_limit(size_t bytes, int err)
{
    mmap_limit = bytes;
    mmap_limit_err = err;
}

size_t fi_last_mmap_len(void)
{
    return __atomic_load_n(&last_mmap_len, __ATOMIC_SEQ_CST);
}

void fi_reset(void)
{
    int i;

    for (i = 0; i < FI_NR_CALLS; i++) {
        __atomic_store_n(&state[i].count, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&state[i].failed, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&state[i].fail_at, 0, __ATOMIC_SEQ_CST);
    }
}

void fi_arm(enum fi_call c, unsigned long n, int err, int persist)
{
    state[c].err = err;
    state[c].persist = persist;
    __atomic_store_n(&state[c].fail_at,
                     n ? __atomic_load_n(&state[c].count, __ATOMIC_SEQ_CST) + n
                       : 0, __ATOMIC_SEQ_CST);
}

void fi_disarm_all(void)
{
    int i;

    for (i = 0; i < FI_NR_CALLS; i++)
        __atomic_store_n(&state[i].fail_at, 0, __ATOMIC_SEQ_CST);
}

unsigned long fi_count(enum fi_call c)
{
    return __atomic_load_n(&state[c].count, __ATOMIC_SEQ_CST);
}

unsigned long fi_failed(enum fi_call c)
{
    return __atomic_load_n(&state[c].failed, __ATOMIC_SEQ_CST);
}

long fi_mapped_bytes(void)
{
    return __atomic_load_n(&mapped_bytes, __ATOMIC_SEQ_CST);
}

long fi_live_allocations(void)
{
    return __atomic_load_n(&live_allocations, __ATOMIC_SEQ_CST);
}

/* Counts a call of c and fails it if it is the armed one: returns the
 * error number, already in errno, or 0 to go ahead with the real call. */
static int injected(enum fi_call c)
{
    struct fi_state *s = &state[c];
    unsigned long n = __atomic_add_fetch(&s->count, 1, __ATOMIC_SEQ_CST);
    unsigned long at = __atomic_load_n(&s->fail_at, __ATOMIC_SEQ_CST);

    if (!at || n < at || (n > at && !s->persist))
        return 0;
    __atomic_add_fetch(&s->failed, 1, __ATOMIC_SEQ_CST);
    errno = s->err;
    return s->err;
}

/* syscall() and fcntl() read their arguments by the form of the call;
 * their wrappers read only those of the one form the library makes
 * (reading arguments that were not passed is undefined) and refuse
 * any other. */
static int unwrapped_form(void)
{
    errno = ENOSYS;
    return -1;
}

/* Declared by the library's view of the headers under the fi_ names. */
int fi_open(const char *path, int flags, ...);
int fi_close(int fd);
int fi_ioctl(int fd, unsigned long req, ...);
long fi_syscall(long nr, ...);
void *fi_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int fi_munmap(void *addr, size_t len);
int fi_madvise(void *addr, size_t len, int advice);
int fi_mlock(const void *addr, size_t len);
int fi_dup2(int oldfd, int newfd);
int fi_fcntl(int fd, int cmd, ...);
void *fi_malloc(size_t size);
void *fi_calloc(size_t n, size_t size);
void fi_free(void *p);
xentoollog_logger_stdiostream *fi_xtl_createlogger_stdiostream(
    FILE *f, xentoollog_level min_level, unsigned flags);

int fi_pthread_atfork(void (*prepare)(void), void (*parent)(void),
                      void (*child)(void));

/*
 * Registered once per process, so no fault-walk scenario could reach
 * it again after the first open: apart from the walk's calls, armed
 * by fi_fail_next_atfork() (tests/faults/fork-watch.c).
 */
static int atfork_err;
static unsigned long atfork_calls;

void fi_fail_next_atfork(int err)
{
    __atomic_store_n(&atfork_err, err, __ATOMIC_SEQ_CST);
}

unsigned long fi_atfork_calls(void)
{
    return __atomic_load_n(&atfork_calls, __ATOMIC_SEQ_CST);
}

int fi_pthread_atfork(void (*prepare)(void), void (*parent)(void),
                      void (*child)(void))
{
    int err = __atomic_exchange_n(&atfork_err, 0, __ATOMIC_SEQ_CST);

    __atomic_add_fetch(&atfork_calls, 1, __ATOMIC_SEQ_CST);
    return err ? err : pthread_atfork(prepare, parent, child);
}

int fi_open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    va_list ap;

    if (flags & (O_CREAT | O_TMPFILE)) {
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (injected(FI_OPEN))
        return -1;
    return open(path, flags, mode);
}

int fi_close(int fd)
{
    int err = injected(FI_CLOSE);

    if (err) {
        /* Linux releases the descriptor even when close() reports an
         * error, so a failed close must not leave the fd open. */
        close(fd);
        errno = err;
        return -1;
    }
    return close(fd);
}

int fi_ioctl(int fd, unsigned long req, ...)
{
    void *arg;
    va_list ap;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (injected(FI_IOCTL))
        return -1;
    return ioctl(fd, req, arg);
}

long fi_syscall(long nr, ...)
{
    long fd, req, arg;
    va_list ap;

    if (nr != SYS_ioctl)
        return unwrapped_form();
    va_start(ap, nr);
    fd = va_arg(ap, long);
    req = va_arg(ap, long);
    arg = va_arg(ap, long);
    va_end(ap);
    if (injected(FI_SYSCALL))
        return -1;
    /* Six arguments, as a syscall() that reads them all expects. */
    return syscall(nr, fd, req, arg, 0L, 0L, 0L);
}

void *fi_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p;

    __atomic_store_n(&last_mmap_len, len, __ATOMIC_SEQ_CST);
    if (injected(FI_MMAP))
        return MAP_FAILED;
    if (mmap_limit && len > mmap_limit) {
        errno = mmap_limit_err;
        return MAP_FAILED;
    }
    p = mmap(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED)
        __atomic_add_fetch(&mapped_bytes, (long)len, __ATOMIC_SEQ_CST);
    return p;
}

int fi_munmap(void *addr, size_t len)
{
    int r;

    if (injected(FI_MUNMAP))
        return -1;
    r = munmap(addr, len);
    if (r == 0)
        __atomic_sub_fetch(&mapped_bytes, (long)len, __ATOMIC_SEQ_CST);
    return r;
}

int fi_madvise(void *addr, size_t len, int advice)
{
    if (injected(FI_MADVISE))
        return -1;
    return madvise(addr, len, advice);
}

int fi_mlock(const void *addr, size_t len)
{
    if (injected(FI_MLOCK))
        return -1;
    /* A simulator may only record locking; the kernel's limit needs
     * the real system call. munmap() drops the real lock again. */
    if (real_mlock && syscall(SYS_mlock, addr, len, 0L, 0L, 0L, 0L) < 0)
        return -1;
    return mlock(addr, len);
}

int fi_dup2(int oldfd, int newfd)
{
    if (injected(FI_DUP2))
        return -1;
    return dup2(oldfd, newfd);
}

int fi_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    int arg;

    if (cmd != F_SETFD)   /* the only one the library makes: an int */
        return unwrapped_form();
    va_start(ap, cmd);
    arg = va_arg(ap, int);
    va_end(ap);
    if (injected(FI_FCNTL))
        return -1;
    return fcntl(fd, cmd, arg);
}

/* An allocation the library now holds, if it was made. */
static void *held(void *p)
{
    if (p)
        __atomic_add_fetch(&live_allocations, 1, __ATOMIC_SEQ_CST);
    return p;
}

void *fi_malloc(size_t size)
{
    if (injected(FI_MALLOC))
        return NULL;
    return held(malloc(size));
}

void *fi_calloc(size_t n, size_t size)
{
    if (injected(FI_CALLOC))
        return NULL;
    return held(calloc(n, size));
}

void fi_free(void *p)
{
    if (p)
        __atomic_sub_fetch(&live_allocations, 1, __ATOMIC_SEQ_CST);
    free(p);
}

xentoollog_logger_stdiostream *fi_xtl_createlogger_stdiostream(
    FILE *f, xentoollog_level min_level, unsigned flags)
{
    if (injected(FI_LOGGER))
        return NULL;
    return xtl_createlogger_stdiostream(f, min_level, flags);
}
