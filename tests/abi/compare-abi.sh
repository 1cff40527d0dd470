#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi-compliance-checker, header-based mode (Debian's library has no
# debug information): Debian's libxencall1 + libxen-dev's xencall.h
# against ours.
#   tests/abi/compare-abi.sh OUR_LIB OUR_HEADER DEBIAN_LIB DEBIAN_HEADER WORKDIR
# Prints the verdict lines ("Binary compatibility: 100%" ...); exits
# 0 only when both binary and source compatibility are 100%. The HTML
# report is WORKDIR/compat_report.html.
set -eu
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
mkdir -p "$5"
our_lib=$(abs "$1") our_h=$(abs "$2") deb_lib=$(abs "$3") deb_h=$(abs "$4")
work=$(cd "$5" && pwd)
cat > "$work/debian.xml" <<XML
<version>${DEBIAN_VERSION:-4.17}</version>
<headers>$deb_h</headers>
<libs>$deb_lib</libs>
XML
cat > "$work/ours.xml" <<XML
<version>${OUR_VERSION:-1.3.0}</version>
<headers>$our_h</headers>
<libs>$our_lib</libs>
XML
rc=0
(cd "$work" && timeout 1200 abi-compliance-checker -lang C -lib xencall \
    -old debian.xml -new ours.xml -report-path compat_report.html) \
    > "$work/acc.log" 2>&1 || rc=$?
grep -E '^(Binary|Source) compatibility:|^Total ' "$work/acc.log" || cat "$work/acc.log"
[ "$rc" -eq 0 ] &&
    grep -q '^Binary compatibility: 100%$' "$work/acc.log" &&
    grep -q '^Source compatibility: 100%$' "$work/acc.log"
