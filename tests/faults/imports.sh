#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Keeps the fault-injection layer from falling behind the library, in
# TAP: every function the built libxencall.so imports (its undefined
# dynamic symbols) either has a fault-injecting wrapper (the list is
# fault-walk's, which also fails when no scenario reaches one) or is
# named below as one that cannot fail, with the reason; and every
# wrapper is for a function the library still imports.
#   imports.sh [LIBRARY [FAULT_WALK]]   (defaults: the build directory's)
set -u
lib=${1:-.libs/libxencall.so.1}
walk=${2:-tests/faults/fault-walk}

# name, then why a failure of it is nothing the library could report.
# Besides the calls in the sources, what a compiler adds: gcc and clang
# with -fstack-protector (Debian's hardening, musl-gcc too) import
# __stack_chk_fail; _FORTIFY_SOURCE (glibc) may call __memcpy_chk and
# __memset_chk in place of memcpy and memset; clang (and gcc at times)
# calls memcpy or memset for a struct copy or a loop. A __X_chk for a
# call that has a wrapper needs a wrapper too: the wrapper of X never
# sees it. On aarch64, GCC's default -moutline-atomics turns each
# atomic operation into a call to a libgcc helper linked into the
# library, and libgcc's constructor init_have_lse_atomics, run once at
# load, asks __getauxval(AT_HWCAP) whether the CPU has LSE atomics.
cannot_fail='
__getauxval only libgcc'"'"'s load-time LSE check (aarch64 outline atomics) calls it; without an answer it returns 0 and the helpers take their LL/SC path, which is no error
__errno_location returns the thread'"'"'s errno address
__stack_chk_fail only ends the process (a smashed stack), never returns to report
__memcpy_chk is memcpy, or ends the process on an overflow, which is no error to report
__memset_chk is memset, or ends the process on an overflow, which is no error to report
free reports nothing
pthread_mutex_lock a default mutex, locked by a thread that does not hold it, returns 0
pthread_mutex_unlock a default mutex, unlocked by the thread that holds it, returns 0
memcpy reports nothing
memset reports nothing
strerror returns text and sets nothing
sysconf is asked only _SC_PAGESIZE, which every kernel answers (its page, fixed at boot)
stderr data, not a call
nanosleep only pauses a lock waiter, which tries again however the pause ends
xtl_log returns nothing
xtl_logger_destroy returns nothing
xentoolcore__register_active_handle returns nothing
xentoolcore__deregister_active_handle returns nothing
'

# name, then where its failure is tested instead of by the walk (a
# call made once per process, which no walk scenario reaches again).
tested_apart='
__register_atfork tests/faults/fork-watch (glibc'"'"'s pthread_atfork)
pthread_atfork tests/faults/fork-watch
'

# A static-only build (the sanitizer stage's) has no shared library;
# the shared build of the same sources checks it.
if [ $# -eq 0 ] && ./libtool --config 2>/dev/null | grep -qx 'build_libtool_libs=no'; then
    echo "1..0 # SKIP static-only build: no libxencall.so to read imports from"
    exit 0
fi
imports=$(nm -D --undefined-only "$lib" | awk '$1 == "U" { sub(/@.*/, "", $2); print $2 }' | sort -u)
# shellcheck disable=SC2086
injected=$(${TEST_EMULATOR:-} "$walk" --calls | sort -u)
if [ -z "$imports" ] || [ -z "$injected" ]; then
    echo "1..1"
    echo "not ok 1 - cannot list the imports of $lib or the calls $walk injects"
    exit 1
fi

n=0
fails=0
result() {   # result OK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = yes ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        fails=$((fails + 1))
    fi
}
for name in $imports; do
    why=$(printf '%s\n' "$cannot_fail" | awk -v n="$name" '$1 == n { $1 = ""; print substr($0, 2) }')
    apart=$(printf '%s\n' "$tested_apart" | awk -v n="$name" '$1 == n { $1 = ""; print substr($0, 2) }')
    if printf '%s\n' "$injected" | grep -qx -- "$name"; then
        result yes "$name: imported, faults injected"
    elif [ -n "$apart" ]; then
        result yes "$name: imported, faults injected in $apart"
    elif [ -n "$why" ]; then
        result yes "$name: imported, cannot fail ($why)"
    else
        result no "$name: imported and can fail, but has no wrapper in tests/helpers/inject.c"
    fi
done
for name in $injected; do
    printf '%s\n' "$imports" | grep -qx -- "$name" ||
        result no "$name: has a wrapper, but the library no longer imports it"
done
for name in $(printf '%s\n' "$cannot_fail" | awk 'NF { print $1 }'); do
    printf '%s\n' "$imports" | grep -qx -- "$name" ||
        echo "# $name: listed as unable to fail, not imported by this build"
done
echo "1..$n"
[ "$fails" -eq 0 ]
