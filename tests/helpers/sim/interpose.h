/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For simulated kernels that interpose libc calls (linux.c,
 * freebsd.c). A sanitizer's runtime and other libraries'
 * constructors call open() and mmap() through the same symbols before
 * the simulator's constructor has run, so the real functions are
 * resolved on first use, and the interposers are not instrumented (a
 * TSan-instrumented entry crashes before TSan is ready; what they touch
 * is under the simulator's lock, which TSan still sees).
 *
 * The including file declares `static struct { ... } real;` with one
 * function pointer per interposed name.
 */
#ifndef SIM_INTERPOSE_H
#define SIM_INTERPOSE_H

#include <dlfcn.h>
#include <stdlib.h>

/* clang keeps TSan's function entry hook under no_sanitize("thread");
 * its runtime calls sysconf() before it can take one. */
#if defined(__has_attribute) && __has_attribute(disable_sanitizer_instrumentation)
#define INTERPOSER __attribute__((no_sanitize("address", "thread"), disable_sanitizer_instrumentation))
#else
#define INTERPOSER __attribute__((no_sanitize("address", "thread")))
#endif

INTERPOSER static inline void *sim_next_fn(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

    if (!f) {
        f = dlsym(RTLD_NEXT, name);
        if (!f)
            abort();   /* no libc underneath: nothing sensible to do */
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    }
    return f;
}

/* The next definition of `name` after ours, typed as real.name. */
#define REAL(name) ((__typeof__(real.name))sim_next_fn((void **)&real.name, #name))

#endif
