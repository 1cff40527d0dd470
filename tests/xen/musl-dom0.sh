#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run in dom0 by tests/xen/dom0-init.sh instead of its own checks (stage
# 17-musl puts this folder into the dom0 image as /extra): the dom0
# programs built against musl (DOM0_TEST_PROGS, tests/musl/load.c) on
# musl's own loader, with the musl builds of this library,
# libxentoollog and libxentoolcore from lib/ here. Prints the XENTEST
# lines the stage counts as "musl: ..." checks.
here=$(dirname "$0")
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
pages=$(arg xentest_pages)
check() { name=$1; shift; if "$@"; then echo "XENTEST PASS $name"; else echo "XENTEST FAIL $name"; fi; }
# The programs name musl's loader as their interpreter at this path.
loader=$(cat "$here/loader-path")
mkdir -p "$(dirname "$loader")"
ln -sf "$here/lib/$(basename "$loader")" "$loader"
export LD_LIBRARY_PATH=$here/lib
lib=$here/lib/$(cat "$here/soname")

echo "XENTEST INFO $("$loader" 2>&1 | tr '\n' ' ')"
# musl's loader as ldd: the programs' libraries are this folder's
# musl builds, and no glibc among them.
"$loader" --list "$here/bin/dom0-checks" >/tmp/musl-ldd 2>&1
sed 's/^/XENTEST INFO ldd: /' /tmp/musl-ldd
check loader/libraries-are-musl sh -c "grep -q '$lib' /tmp/musl-ldd &&
    grep -q '$here/lib/libxentoolcore.so.1' /tmp/musl-ldd && ! grep -q 'libc.so.6' /tmp/musl-ldd"
for how in dlopen linked; do
    if [ "$how" = dlopen ]; then out=$("$here/bin/load-dlopen" "$lib" 2>/dev/null)
    else out=$("$here/bin/load-linked" 2>/dev/null); fi
    status=$?
    echo "XENTEST INFO load-$how: $out"
    check "load/$how-alloc" sh -c "[ $status -eq 0 ] && echo '$out' | grep -q 'two buffers allocated'"
done
"$here/bin/dom0-checks" bufdev "$pages"
out=$("$here/bin/xen-latency" "$lib" | tr '\n' ' ')
echo "XENTEST INFO latency of xen_version on musl (xen-latency fields): $out"
check latency/measured [ -n "$out" ]
rm -f /dev/xen/hypercall
"$here/bin/dom0-checks" locked "$pages"
