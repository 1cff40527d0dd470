/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FreeBSD threads keep their cache-slot ticket in thread-local storage. */
#include "../posix/thread-slot.h"
