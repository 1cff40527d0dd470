#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build newlib for Mini-OS (x86_64-xen-elf) with the host's gcc:
#   build-newlib.sh NEWLIB_TARBALL PREFIX
# STUBDOM_CFLAGS (from the recipe in src/minios/README.md) are the code
# generation flags every piece of the stub domain shares. newlib sees
# only its own and the compiler's headers, never Mini-OS's.
set -eu
tarball=$1 prefix=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/newlib-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

tar -xJf "$tarball" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
# Mini-OS keeps each thread's errno and stdio state in the thread's own
# struct _reent and supplies __getreent() to find it: newlib must ask
# for it (dynamic reent) and let Mini-OS's definition win over its own.
sed -i 's|^#define __SYS_CONFIG_H__$|&\n#define __DYNAMIC_REENT__|' \
    "$src/newlib/libc/include/sys/config.h"
sed -i 's|^__getreent (void)$|__attribute__((__weak__)) __getreent (void)|' \
    "$src/newlib/libc/reent/getreent.c"
grep -q '^#define __DYNAMIC_REENT__$' "$src/newlib/libc/include/sys/config.h"
grep -q '__weak__)) __getreent' "$src/newlib/libc/reent/getreent.c"

mkdir "$work/build"
cd "$work/build"
tools=()
for t in ar as ld nm ranlib objdump readelf strip; do
    upper=$(echo "$t" | tr a-z A-Z)
    tools+=("${upper}_FOR_TARGET=$t")
done
# shellcheck disable=SC2086
"$src/configure" --target=x86_64-xen-elf --prefix="$prefix" \
    --enable-newlib-io-long-long --enable-newlib-io-c99-formats --disable-multilib \
    CC_FOR_TARGET="gcc -nostdinc -isystem $(gcc -print-file-name=include) $STUBDOM_CFLAGS \
-D_I386MACH_ALLOW_HW_INTERRUPTS -Wno-implicit-function-declaration" \
    "${tools[@]}" >"$work/configure.log" 2>&1 ||
    { tail -n 30 "$work/configure.log"; exit 1; }
make -j"$(nproc)" all-target-newlib >"$work/make.log" 2>&1 &&
    make install-target-newlib >>"$work/make.log" 2>&1 ||
    { tail -n 40 "$work/make.log"; exit 1; }
