/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated Linux kernel side of libxencall: the privcmd driver
 * (/dev/xen/privcmd, /proc/xen/privcmd), the hypercall buffer device
 * (/dev/xen/hypercall) and the memory calls behind locked buffers.
 * linux.c interposes open/close/ioctl/syscall/mmap/... in the
 * test executable, so the real backend (src/linux/linux.c) runs
 * unchanged against it. Everything in os.h is implemented
 * too; these are the Linux-only knobs and observations.
 *
 * sim_os_open_handles() counts descriptors open on any of the nodes
 * below, /dev/null included (the backend uses it when restricting).
 * sim_os_mapped_bytes() counts buffer-device mappings and every
 * anonymous mmap() made through the interposer (glibc's malloc and
 * the sanitizers map memory internally, not through it).
 * sim_os_fail_nth() knows "open", "close", "ioctl" (ioctl() and
 * syscall(SYS_ioctl) alike), "mmap", "munmap", "madvise", "mlock"
 * (mlock and munlock), "dup3" (also "dup2"); it counts only calls
 * aimed at a simulated node or at a recorded buffer mapping (any
 * anonymous mmap() counts). A failing close() still releases the
 * descriptor, as on Linux.
 */
#ifndef SIM_LINUX_H
#define SIM_LINUX_H

#include <stddef.h>
#include <stdint.h>

/* The device nodes the simulation answers for. */
enum sim_linux_node {
    SIM_NODE_PRIVCMD,        /* /dev/xen/privcmd */
    SIM_NODE_PROC_PRIVCMD,   /* /proc/xen/privcmd (xenfs) */
    SIM_NODE_HYPERCALL,      /* /dev/xen/hypercall, the buffer device */
    SIM_NODE_NULL,           /* /dev/null */
    SIM_NR_NODES
};

#define SIM_IOCTL_PRIVCMD_HYPERCALL 0x305000UL
#define SIM_IOCTL_PRIVCMD_RESTRICT  0x25006UL

/* Any node, for sim_linux_fds_on(). */
#define SIM_ANY_NODE (-1)

/* Make every open of node fail with err (0: open normally again). */
void sim_linux_set_open_error(enum sim_linux_node node, int err);

/* Whether xenfs is mounted on /proc/xen (default: yes). */
void sim_linux_set_proc_privcmd(int present);

/* Which node fd was opened on (after dup2/dup3: the source's), or -1
 * when fd is not a simulated device. */
int sim_linux_fd_node(int fd);

/* The descriptors open on node (SIM_ANY_NODE: on any), lowest first,
 * at most max of them stored in out; returns how many were stored. */
int sim_linux_fds_on(int node, int *out, int max);

/* A privcmd hypercall made on fd by hand, as libxenctrl makes its own
 * on xencall_fd(): SIM_OP_RESULT asking Xen to return value. Returns
 * what the ioctl returns (-1 and errno on failure). */
long sim_linux_raw_hypercall(int fd, uint64_t value);

/*
 * Whether the open file behind fd is restricted. As in Linux's privcmd
 * driver, IOCTL_PRIVCMD_RESTRICT restricts the open file description,
 * so every descriptor sharing it, after dup() or in a parent or child
 * after fork(), is restricted with it; restricting it again to another
 * domain fails with EINVAL.
 */
int sim_linux_fd_restricted(int fd);

/*
 * Call hook(fd, node, opened, arg) after a simulated node's descriptor
 * is opened (opened 1) or closed (0, the descriptor already gone),
 * without the simulation's lock, so a test can hold a thread at that
 * point while others run (NULL: none; sim_os_reset() clears it).
 */
typedef void (*sim_linux_fd_hook)(int fd, int node, int opened, void *arg);
void sim_linux_set_fd_hook(sim_linux_fd_hook hook, void *arg);

/*
 * Call hook(p, len, advice, arg) as a madvise() of a buffer mapping
 * begins, before it takes effect, without the simulation's lock: a
 * test can fork, or hold the thread, between a mapping and its advice
 * (NULL: none; sim_os_reset() clears it).
 */
typedef void (*sim_linux_madvise_hook)(void *p, size_t len, int advice, void *arg);
void sim_linux_set_madvise_hook(sim_linux_madvise_hook hook, void *arg);

/* IOCTL_PRIVCMD_HYPERCALL / _RESTRICT requests seen on privcmd fds
 * since sim_os_reset(), whatever their outcome. */
unsigned long sim_linux_hypercall_ioctls(void);
unsigned long sim_linux_restrict_ioctls(void);

/* Bytes currently mlock()ed within hypercall-buffer mappings. */
size_t sim_linux_locked_bytes(void);

/*
 * The mmap() flags of the buffer mapping containing p, and whether it
 * came from the buffer device; -1 if p is in no such mapping.
 */
int sim_linux_mapping_flags(const void *p, int *from_device);

/*
 * The simulated kernel's page size: 4096, or SIM_LINUX_PAGE_SIZE from
 * the environment (a power of two from 4096 on, 16384 for Debian's
 * arm64-16k kernel). mmap(), munmap(), madvise(), mlock() and the
 * buffer device follow Linux's rules for that page, and sysconf(
 * _SC_PAGESIZE) and getpagesize() answer it.
 */
size_t sim_linux_page_size(void);

/* The page size from now until sim_os_reset(), with nothing mapped: a
 * power of two from 1024 (a page smaller than Xen's, which no Linux
 * has, for the library's refusal) to 1 MiB; -1 for any other. */
int sim_linux_set_page_size(size_t size);

#endif
