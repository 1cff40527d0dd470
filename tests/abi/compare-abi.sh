#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi-compliance-checker, header-based mode (Debian's library has no
# debug information): Debian's libxencall1 + libxen-dev's xencall.h
# against ours.
#   tests/abi/compare-abi.sh OUR_LIB OUR_HEADER DEBIAN_LIB DEBIAN_HEADER DEBIAN_VERSION WORKDIR [CC]
# DEBIAN_VERSION is the version of Debian's package, as dpkg gives it
# (tests/abi/debian-lib.sh prints it); ours is read from OUR_LIB's file
# name (libxencall.so.1.3.0: 1.3.0). Prints the verdict lines ("Binary
# compatibility: 100%" ...); exits 0 only when both binary and source
# compatibility are 100%. The HTML report is WORKDIR/compat_report.html.
# CC, for libraries of another architecture, is the gcc that targets it
# (aarch64-linux-gnu-gcc; its g++ too: the headers are parsed as C++).
# Each header is read alone, from a copy in a folder of its own given
# as the only include path, with the compiler's own C library headers:
# left to guess, the checker adds folders found beside it (a root's
# usr/include/xen, whose features.h hides the C library's; a root's
# usr/include, another release's C library headers).
set -eu
[ $# -eq 6 ] || [ $# -eq 7 ] || { sed -n 's/^#   //p' "$0" >&2; exit 2; }
abs() { readlink -f "$1"; }
mkdir -p "$6"
our_lib=$(abs "$1") our_h=$(abs "$2") deb_lib=$(abs "$3") deb_h=$(abs "$4") deb_version=$5
work=$(cd "$6" && pwd)
our_version=${our_lib##*.so.}
cc=${7:-}
mkdir -p "$work/debian-include" "$work/ours-include"
cp "$deb_h" "$work/debian-include/" && cp "$our_h" "$work/ours-include/"
cat > "$work/debian.xml" <<XML
<version>$deb_version</version>
<headers>$work/debian-include</headers>
<include_paths>$work/debian-include</include_paths>
<libs>$deb_lib</libs>
XML
cat > "$work/ours.xml" <<XML
<version>$our_version</version>
<headers>$work/ours-include</headers>
<include_paths>$work/ours-include</include_paths>
<libs>$our_lib</libs>
XML
rc=0
(cd "$work" && timeout 1200 abi-compliance-checker -lang C -lib xencall \
    -old debian.xml -new ours.xml ${cc:+-gcc-path "$cc"} -report-path compat_report.html) \
    > "$work/acc.log" 2>&1 || rc=$?
grep -E '^(Binary|Source) compatibility:|^Total ' "$work/acc.log" || cat "$work/acc.log"
[ "$rc" -eq 0 ] &&
    grep -q '^Binary compatibility: 100%$' "$work/acc.log" &&
    grep -q '^Source compatibility: 100%$' "$work/acc.log"
