#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The FreeBSD build against FreeBSD's real headers: every C source of a
# --with-backend=freebsd build compiled by clang for
# x86_64-unknown-freebsd12.0 with FreeBSD 12-STABLE's installed
# /usr/include (../shared/sources) and no host header on the path,
# warnings as errors; the privcmd and multicall layouts checked with
# static assertions (tests/freebsd/layout-check.c); the errno table
# generated as a FreeBSD build does and checked as data
# (tests/freebsd/table-check.c). There is no FreeBSD C library here,
# so nothing is linked.
. "$(dirname "$0")/lib.sh"
stage_begin freebsd-headers
top=$(pwd)
tarball=$top/../shared/sources/freebsd-12-stable-include.tar.xz
work=$(stage_work_dir freebsd-headers)

[ -f "$tarball" ] || stage_cannot_run "no FreeBSD headers: $tarball is not there"
if ! command -v clang >/dev/null || ! command -v xz >/dev/null ||
   [ ! -f /usr/include/xen/xen.h ]; then
    stage_apt_install clang xz-utils libxen-dev
fi
command -v clang >/dev/null && command -v xz >/dev/null ||
    stage_cannot_run "clang or xz-utils cannot be installed"
xen_tree=$(xen_source_tree) || stage_cannot_run "no Xen source tree for xen-sys/FreeBSD/privcmd.h"

rm -rf "$work" && mkdir -p "$work/xen-include" "$work/build"
tar -C "$work" -xJf "$tarball" || stage_cannot_run "cannot unpack $tarball"
freebsd_include=$work/freebsd-12-stable-include
# FreeBSD ships no Xen headers: Xen's public ones and libxentoollog's
# and libxentoolcore's from Debian, and the privcmd.h Xen's tools
# install on FreeBSD (not Debian's, which is Linux's), apart from
# /usr/include.
xen_include=$work/xen-include
cp -r /usr/include/xen "$xen_include/" &&
    cp /usr/include/xentoollog.h /usr/include/xentoolcore.h "$xen_include/" &&
    cp "$xen_tree/tools/include/xen-sys/FreeBSD/privcmd.h" "$xen_include/xen/sys/privcmd.h" ||
    stage_cannot_run "cannot lay out the Xen headers"

freebsd_cc=(clang --target=x86_64-unknown-freebsd12.0 -nostdinc
            -isystem "$freebsd_include" -isystem "$xen_include"
            -isystem "$(clang -print-resource-dir)/include")
# The FreeBSD build's own Makefile names its sources, flags and the
# errno table's rule; configure runs on this host, nothing is built,
# and the table comes from the <errno.h> FreeBSD's preprocessor sees.
if (cd "$work/build" && timeout 300 "$top/configure" -q --with-backend=freebsd >/dev/null &&
    timeout 60 make -s src/freebsd/xen-errno-table.h CPP="${freebsd_cc[*]} -E" >/dev/null); then
    stage_pass "FreeBSD's errno table generated from its <errno.h> and Xen's errno.h"
else
    stage_fail "configure --with-backend=freebsd or the errno table's generation failed"
    stage_end
    exit 1
fi
sources=$(build_var "$work/build" libxencall_la_SOURCES)
read -r -a cppflags <<<"$(build_var "$work/build" AM_CPPFLAGS)"
read -r -a warnings <<<"$(build_var "$work/build" WARN_CFLAGS)"
freebsd_cc+=("${warnings[@]}" -Werror)

nr_sources=0
for src in $sources; do
    case "$src" in *.c) ;; *) continue ;; esac
    nr_sources=$((nr_sources + 1))
    if (cd "$work/build" && timeout 120 "${freebsd_cc[@]}" "${cppflags[@]}" \
            -c "$top/$src" -o /dev/null); then
        stage_pass "$src compiles for FreeBSD 12 with no diagnostic"
    else
        stage_fail "$src does not compile for FreeBSD 12"
    fi
    # Every header it read is FreeBSD's, the laid-out Xen ones, the
    # compiler's own, the tree's or the generated table: none of the host.
    host=$(cd "$work/build" && timeout 120 "${freebsd_cc[@]}" "${cppflags[@]}" -M "$top/$src" |
           tr ' \\' '\n\n' | grep '^/' |
           grep -v -e "^$work/" -e "^$top/" -e "^$(clang -print-resource-dir)/")
    if [ -z "$host" ]; then
        stage_pass "$src reads no host header"
    else
        stage_fail "$src reads host headers: $(echo $host)"
    fi
done
[ "$nr_sources" -ge 4 ] || stage_fail "only $nr_sources C sources found in the FreeBSD build"

if timeout 120 "${freebsd_cc[@]}" -c "$top/tests/freebsd/layout-check.c" -o /dev/null; then
    stage_pass "privcmd and multicall layouts hold against FreeBSD's and Xen's headers"
else
    stage_fail "tests/freebsd/layout-check.c: a layout the backend relies on differs"
fi

# The table read with FreeBSD's numbers on this host: its error macros
# alone, ahead of the table, in a program that includes no <errno.h>.
echo '#include <errno.h>' | "${freebsd_cc[@]}" -E -dM - |
    grep -E '^#define E[A-Z0-9]+ ' >"$work/freebsd-errno.h"
if timeout 120 cc -Wall -Wextra -Werror -I "$work/build/src/freebsd" \
        -include "$work/freebsd-errno.h" \
        "$top/tests/freebsd/table-check.c" -o "$work/table-check" &&
   timeout 60 "$work/table-check"; then
    stage_pass "FreeBSD's errno table has FreeBSD's numbers, ERESTART alone unnamed"
else
    stage_fail "FreeBSD's errno table is wrong (tests/freebsd/table-check.c)"
fi
stage_end
