/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Force-included (-include) into the library's own sources when they
 * are built for the fault-injection tests and the fuzzer: every system
 * call and allocation the library makes goes through a counting
 * wrapper in inject.c instead (fi_call_name lists them; the imports
 * test and the fault walk fail when the library calls anything that
 * can fail and is not wrapped here). Only the library's references are
 * renamed, so the simulator, the logger and the test itself are never
 * made to fail by accident.
 */
#ifndef XENCALL_TEST_INJECT_H
#define XENCALL_TEST_INJECT_H

/* Fortified inline wrappers would hide the calls from the renaming. */
#undef _FORTIFY_SOURCE

#define open fi_open
#define close fi_close
#define ioctl fi_ioctl
#define syscall fi_syscall
#define mmap fi_mmap
#define munmap fi_munmap
#define madvise fi_madvise
#define mlock fi_mlock
#define dup2 fi_dup2
#define fcntl fi_fcntl
#define malloc fi_malloc
#define calloc fi_calloc
#define free fi_free
#define xtl_createlogger_stdiostream fi_xtl_createlogger_stdiostream
#define pthread_atfork fi_pthread_atfork

#endif
