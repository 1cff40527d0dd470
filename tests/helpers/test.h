/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tests' vocabulary: the names every test program uses for the
 * same thing, defined once. Plain C with no cmocka, so that what runs
 * on a real Xen (tests/xen/, tests/minios/guest/) uses it too.
 *
 * What the library decides for itself (its cache's slots and budget,
 * the header before a small buffer) is not restated here: a white-box
 * test includes the library's own header for it (src/buffer-sizes.h),
 * so that it follows the library when the value changes. Hypercall
 * and sub-op numbers come from Xen's public headers (<xen/xen.h>,
 * <xen/version.h>, <xen/memory.h>) under Xen's names.
 *
 * Case lists: CASE(f) (case.h) for a case over a simulated OS through
 * the library; FACT(f) for a fact test's case over a bare simulated
 * kernel; a program whose cases need more than these names its own
 * macro after what it adds (LIMIT_CASE, BACKEND_CASE), never T().
 *
 * Failing a call on purpose: see tests/helpers/README.md, "Which
 * fault mechanism".
 */
#ifndef XENCALL_TEST_H
#define XENCALL_TEST_H

/* Xen's page: what xencall_alloc_buffer_pages() counts (xencall.h),
 * whatever the page of the OS's kernel. */
#define PAGE 4096UL

/* xencall_alloc_buffer()'s promise (xencall.h): at least this aligned. */
#define BUFFER_ALIGN 16

/* Seconds a forked child may take (proc.h kills it after): far above
 * what any needs. */
#define CHILD_SECONDS 60

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
