/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A pid is not the opener's identity. A process that is pid 1 of a pid
 * namespace opens a handle, then forks a child into a new pid
 * namespace of its own, where the child is pid 1 too: to the library
 * the child must still be a forked child, when it restricts (it must
 * leave the opener's open file alone) and when it closes (it must not
 * unmap the opener's buffer addresses, where the child may have memory
 * of its own). The same as a descendant given the dead opener's pid,
 * made deterministic. Runs the real backend over tests/helpers/sim/
 * linux.c; needs unshare(CLONE_NEWPID), else the program is skipped
 * (TAP's "1..0 # SKIP", see tests/helpers/README.md).
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <xentoolcore.h>

#include "xencall.h"
#include "../helpers/case.h"
#include "../helpers/proc.h"
#include "../helpers/sim/linux.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

#define PAGES 2

/* fn(arg) run as pid 1 of a new pid namespace: its exit code, 100 +
 * the signal that ended it, or 90/91 when unshare or fork failed. */
static int as_pid1(int (*fn)(void *arg), void *arg)
{
    int status;
    pid_t pid;

    if (unshare(CLONE_NEWPID) < 0)
        return 90;
    pid = fork();
    if (pid < 0)
        return 91;
    if (pid == 0)
        _exit(getpid() == 1 ? fn(arg) : 92);
    if (waitpid(pid, &status, 0) != pid)
        return 93;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* ---- restriction ---------------------------------------------------------- */

static int child_restricts(void *arg)
{
    (void)arg;
    return xentoolcore_restrict_all(5) == 0 ? 0 : 1;
}

/* Pid 1 opens, its pid-1 child restricts, the opener must still work. */
static int opener_restriction(void *arg)
{
    xencall_handle *h = xencall_open(NULL, 0);
    int rc;

    (void)arg;
    if (!h)
        return 10;
    rc = as_pid1(child_restricts, NULL);
    if (rc != 0)
        return 20 + rc % 10;
    if (sim_linux_fd_restricted(xencall_fd(h)))
        return 11;   /* the child restricted the opener's open file */
    if (xencall1(h, SIM_OP_RESULT, 7) != 7)
        return 12;
    return xencall_close(h) == 0 ? 0 : 13;
}

static int outer(void *arg)
{
    return as_pid1((int (*)(void *))arg, NULL);
}

static void pid1_child_restriction_leaves_opener(void **state)
{
    (void)state;
    assert_int_equal(proc_run_child(outer, (void *)opener_restriction,
                                    CHILD_SECONDS), 0);
}

/* ---- close ---------------------------------------------------------------- */

static xencall_handle *inherited;
static unsigned char *block;

/* The child maps memory of its own where the opener's buffer was (not
 * inherited: don't-fork), then closes the inherited handle. */
static int child_closes(void *arg)
{
    size_t len = PAGES * 4096;
    void *mine;

    (void)arg;
    mine = mmap(block, len, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (mine != block)
        return 1;
    memset(mine, 0x5a, len);
    if (xencall_close(inherited) != 0)
        return 2;
    if (msync(mine, len, MS_ASYNC) < 0)
        return 3;   /* close unmapped the child's own memory */
    return block[len - 1] == 0x5a ? 0 : 4;
}

static int opener_close(void *arg)
{
    int rc;

    (void)arg;
    inherited = xencall_open(NULL, 0);
    if (!inherited)
        return 10;
    block = xencall_alloc_buffer_pages(inherited, PAGES);
    if (!block)
        return 11;
    rc = as_pid1(child_closes, NULL);
    if (rc != 0)
        return 20 + rc % 10;
    /* The opener's buffer is untouched by the child's close. */
    block[0] = 1;
    if (xencall1(inherited, SIM_OP_RESULT, 8) != 8)
        return 12;
    xencall_free_buffer_pages(inherited, block, PAGES);
    return xencall_close(inherited) == 0 ? 0 : 13;
}

static void pid1_child_close_leaves_its_memory(void **state)
{
    (void)state;
    assert_int_equal(proc_run_child(outer, (void *)opener_close, CHILD_SECONDS), 0);
}

/* ---- whether pid namespaces can be made here ------------------------------ */

static int is_pid1(void *arg)
{
    (void)arg;
    return 0;
}

static int pid_namespaces_work(void *arg)
{
    (void)arg;
    return as_pid1(is_pid1, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(pid1_child_restriction_leaves_opener),
        CASE(pid1_child_close_leaves_its_memory),
    };
    int rc = proc_run_child(pid_namespaces_work, NULL, CHILD_SECONDS);

    if (rc != 0) {
        printf("1..0 # SKIP cannot be pid 1 of a new pid namespace here "
               "(unshare(CLONE_NEWPID) refused or failed, code %d)\n", rc);
        return 0;
    }
    return case_run_group("linux-identity", tests);
}
