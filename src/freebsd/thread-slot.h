/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * FreeBSD threads keep their cache-slot ticket in thread-local storage,
 * initial-exec: FreeBSD's rtld keeps static TLS in reserve for
 * dlopen()ed libraries (see ../posix/thread-slot.h).
 */
#define THREAD_SLOT_INITIAL_EXEC 1
#include "../posix/thread-slot.h"
