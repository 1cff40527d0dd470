/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Force-included (-include) into the library's own sources when they
 * are built for the simulated Mini-OS, as inject.h is for fault
 * injection: renaming reaches the library's calls and nothing else in
 * the test process, which keeps glibc's heap for itself.
 */
#ifndef XENCALL_TEST_SIM_MINIOS_RENAMES_H
#define XENCALL_TEST_SIM_MINIOS_RENAMES_H

/* Mini-OS's heap: the simulated one, which a test can exhaust. */
#define memalign sim_minios_memalign
#define free sim_minios_free

/* What Mini-OS lacks, the library must not use: a use fails the build
 * (no such symbol, or a syntax error for thread-local storage). */
#define posix_memalign mini_os_has_no_posix_memalign
#define pthread_mutex_destroy mini_os_has_no_pthread_mutex_destroy
#define __thread mini_os_has_no_thread_local_storage

#endif
