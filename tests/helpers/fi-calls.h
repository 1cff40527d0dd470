/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The list of what the fault-injection build wraps: the one place a
 * wrapped call is named. No include guard: each user defines the two
 * macros, includes this, and undefines them.
 *   fi.h      FI_CALL gives enum fi_call's FI_<ID>
 *   inject.c  FI_CALL gives fi_call_name[FI_<ID>], the name as the
 *             library imports it (nm -D)
 *   inject.h  includes fi-renames.h, generated from this file by
 *             tests/faults/local.am: "#define name fi_name" for every
 *             line, so the library's calls reach inject.c's fi_name
 * FI_CALL(ID, name): a call that can fail, counted, and failed when
 * fi_arm(FI_<ID>, ...) says. FI_WRAP_ONLY(name): renamed to a wrapper
 * that fi_arm() does not reach (free counts allocations; pthread_atfork
 * has its own control, fi.h). One entry a line, in this form: the
 * generator reads the lines.
 */
FI_CALL(OPEN, open)
FI_CALL(CLOSE, close)
FI_CALL(IOCTL, ioctl)
FI_CALL(MMAP, mmap)
FI_CALL(MUNMAP, munmap)
FI_CALL(MADVISE, madvise)
FI_CALL(MLOCK, mlock)
FI_CALL(DUP2, dup2)
FI_CALL(MALLOC, malloc)
FI_CALL(CALLOC, calloc)
FI_CALL(LOGGER, xtl_createlogger_stdiostream)   /* allocates */
FI_CALL(FCNTL, fcntl)
FI_CALL(SYSCALL, syscall)   /* the hypercall ioctl, made through syscall() */
FI_WRAP_ONLY(free)
FI_WRAP_ONLY(pthread_atfork)
