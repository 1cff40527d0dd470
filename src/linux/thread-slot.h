/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Linux threads keep their cache-slot ticket in thread-local storage.
 * Initial-exec only on glibc, whose loader reserves static TLS for
 * dlopen()ed libraries; musl's refuses to load them (see
 * ../posix/thread-slot.h). <limits.h> defines __GLIBC__ there.
 */
#include <limits.h>
#ifdef __GLIBC__
#define THREAD_SLOT_INITIAL_EXEC 1
#else
#define THREAD_SLOT_INITIAL_EXEC 0
#endif
#include "../posix/thread-slot.h"
