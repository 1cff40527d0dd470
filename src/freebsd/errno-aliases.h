/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Not compiled: gen-errno-table.sh reads it after the <errno.h> the
 * build sees (FreeBSD's). The Xen errors FreeBSD has no name for become what
 * FreeBSD's own kernel makes of them (sys/xen/error.h), so a program
 * sees the same errno as through the kernel's translation. A C library
 * that numbers them itself keeps its own numbers.
 */
#define ENODATA ENOENT
#define ETIME ETIMEDOUT
