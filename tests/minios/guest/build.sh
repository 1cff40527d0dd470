#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the Mini-OS test guest: a Mini-OS kernel whose application is
# guest.c, linked with this library built by the recipe of
# src/minios/README.md (its two marked blocks, run as they stand).
#   build.sh SRC OUT MINIOS_TARBALL XEN_TREE NEWLIB_TARBALL CACHE
# SRC: this source tree (configure generated); OUT: the output folder;
# XEN_TREE: Xen's source tree (Debian's xen source package); newlib is
# built once per set of inputs and kept under CACHE.
# The kernel is OUT/kernel/mini-os.gz; the log OUT/build.log; the
# errno table as the stub domain's compiler reads it OUT/errno-table.txt.
set -eu
src=$(cd "$1" && pwd) out=$2 tarball=$3 xen=$4 newlib_tarball=$5 cache=$6
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log
: >"$log"
step() { echo "== $*" >>"$log"; }
# A failing step shows the end of its log, not only "failed".
trap 'echo "minios guest build failed; end of $log:" >&2; tail -n 20 "$log" | cut -c1-400 >&2' ERR

# The README's recipe blocks, as a user would copy them.
recipe() {
    awk -v mark="<!-- minios-recipe: $1 -->" '
        $0 == mark { found = 1; next }
        found && !inside && /^```sh$/ { inside = 1; next }
        inside && /^```$/ { exit }
        inside { print }' "$src/src/minios/README.md"
}

step "Mini-OS, adapted to newlib 3.3.0"
rm -rf "$out/mini-os"
tar -xzf "$tarball" -C "$out"
MINI_OS=$out/mini-os
# Mini-OS of 2016 was written against newlib 1.16; newlib 3.3.0 has a
# <sys/select.h> of its own, declares getpagesize() as int and fstat()
# without Mini-OS's fstat64 alias. Each sed must change its file.
printf '%s\n' '/* Adapted for newlib 3: its own declarations serve. */' \
    '#include_next <sys/select.h>' >"$MINI_OS/include/posix/sys/select.h"
sed -i 's/^size_t getpagesize(void);/int getpagesize(void);/' "$MINI_OS/include/posix/unistd.h"
sed -i 's/^size_t getpagesize(void)$/int getpagesize(void)/' "$MINI_OS/lib/sys.c"
sed -i 's/^int fstat(int fd, struct stat \*buf) asm("fstat64");/int fstat(int fd, struct stat *buf);/' \
    "$MINI_OS/include/posix/sys/stat.h"
grep -q '^int getpagesize(void);' "$MINI_OS/include/posix/unistd.h"
grep -q '^int getpagesize(void)$' "$MINI_OS/lib/sys.c"
grep -q '^int fstat(int fd, struct stat \*buf);' "$MINI_OS/include/posix/sys/stat.h"
make -C "$MINI_OS" links >>"$log" 2>&1

step "the recipe's flags"
recipe flags >"$out/recipe-flags.sh"
recipe library >"$out/recipe-library.sh"
[ -s "$out/recipe-flags.sh" ] && [ -s "$out/recipe-library.sh" ]
# newlib takes only the code generation flags, so its cache key is
# known before its prefix (which the flags name) is.
STUBDOM_CFLAGS=$(NEWLIB=/not-yet XEN=$xen; . "$out/recipe-flags.sh"; echo "$STUBDOM_CFLAGS")
key=$({ sha256sum <"$newlib_tarball"; sha256sum <"$here/build-newlib.sh"
        echo "$STUBDOM_CFLAGS"; gcc --version | head -n1; } | sha256sum | cut -c1-16)
newlib=$cache/minios-newlib-$key

step "newlib ($newlib)"
mkdir -p "$cache"
(
    # Other runs may build the same newlib at once: one builds it.
    flock 9
    if [ ! -e "$newlib/.complete" ]; then
        rm -rf "$newlib" "$newlib.tmp"
        STUBDOM_CFLAGS=$STUBDOM_CFLAGS bash "$here/build-newlib.sh" "$newlib_tarball" "$newlib.tmp"
        touch "$newlib.tmp/.complete"
        mv "$newlib.tmp" "$newlib"
    fi
) 9>"$cache/minios-newlib.lock" >>"$log" 2>&1

NEWLIB=$newlib XEN=$xen SRC=$src
# shellcheck disable=SC1091
. "$out/recipe-flags.sh"

step "libxentoollog and libxentoolcore from Xen's tree"
rm -rf "$out/toollibs" && mkdir -p "$out/toollibs"
for lib in toollog toolcore; do
    objs=()
    for c in "$xen/tools/libs/$lib"/*.c; do
        o=$out/toollibs/$(basename "${c%.c}").o
        # shellcheck disable=SC2086
        gcc $STUBDOM_CPPFLAGS $STUBDOM_CFLAGS -std=gnu99 -D_FILE_OFFSET_BITS=64 \
            -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -Werror -c "$c" -o "$o" >>"$log" 2>&1
        objs+=("$o")
    done
    ar rcs "$out/toollibs/libxen$lib.a" "${objs[@]}"
done

step "libxencall, by the README's recipe"
rm -rf "$out/lib" && mkdir -p "$out/lib"
(cd "$out/lib" && . "$out/recipe-library.sh") >>"$log" 2>&1

step "the errno table in the stub domain's numbering"
# Preprocessed with the stub domain's flags, each entry "[N] = NAME"
# becomes "N M": M is the number the caller's <errno.h> gives Xen's
# error N. Stage 75 checks them all (M = N: the table is the identity).
# shellcheck disable=SC2086
{ echo '#include <errno.h>'; cat "$out/lib/src/minios/xen-errno-table.h"; } |
    gcc $STUBDOM_CPPFLAGS -E -P - 2>>"$log" |
    sed -n 's/^ *\[\([0-9]*\)\] = \([0-9]*\),$/\1 \2/p' >"$out/errno-table.txt"

step "the guest program and the kernel"
# shellcheck disable=SC2086
gcc $STUBDOM_CPPFLAGS $STUBDOM_CFLAGS -I"$src/include" -std=gnu99 -Wall -Wextra -Werror \
    -c "$here/guest.c" -o "$out/guest.o" >>"$log" 2>&1
# Mini-OS's makefiles write into OBJ_DIR's subfolders but make none.
rm -rf "$out/kernel" && mkdir -p "$out/kernel"/{lib,xenbus,console,arch/x86}
# The DEF_* flags go in the environment, so that Mini-OS's makefiles
# add their own to them; APP_LDLIBS on the command line replaces the
# libraries a full stub domain links (pci, z).
DEF_CPPFLAGS="$STUBDOM_CPPFLAGS" DEF_CFLAGS="$STUBDOM_CFLAGS" \
    DEF_LDFLAGS="-nostdlib -L$newlib/x86_64-xen-elf/lib" \
    make -C "$MINI_OS" stubdom=y CONFIG_XC=n OBJ_DIR="$out/kernel" \
    APP_OBJS="$out/guest.o" \
    APP_LDLIBS="-L$out/lib/.libs -L$out/toollibs -lxencall -lxentoolcore -lxentoollog" \
    >>"$log" 2>&1
test -s "$out/kernel/mini-os.gz"
