#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ABI against Debian's library: abi-compliance-checker's verdict
# (binary and source compatibility 100%), and the dynamic symbol
# tables (objdump -T) of ours and Debian's libxencall.so.1: the same
# 15 functions at the same versions, and nothing else but the four
# version nodes. Debian's packages are downloaded and unpacked, so the
# check holds whatever is installed here. Commands: tests/abi/.
set -u
. tests/stages/lib.sh
stage_begin abi

export DEBIAN_FRONTEND=noninteractive
cache=${XENCALL_CACHE:-/var/cache/xencall-tests}
work=$(cd "$XENCALL_BUILD/.." && pwd)/abi
ours=$(ls "$XENCALL_BUILD"/.libs/libxencall.so.1.*.* 2>/dev/null | head -n1)

if ! timeout 900 apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
        abi-compliance-checker binutils dpkg-dev >/dev/null; then
    stage_fail "cannot install abi-compliance-checker"
    stage_end; exit $?
fi
if [ -z "$ours" ]; then
    stage_fail "no libxencall.so.1.x.y in $XENCALL_BUILD/.libs"
    stage_end; exit $?
fi
if ! set -- $(tests/abi/debian-lib.sh "$cache/debian-xen"); then
    stage_fail "cannot fetch Debian's libxencall1 and libxen-dev"
    stage_end; exit $?
fi
deb_lib=$1 deb_h=$2
echo "ours: $ours; Debian's: $deb_lib, $deb_h"

# ---- abi-compliance-checker -------------------------------------------------
rm -rf "$work" && mkdir -p "$work"
start=$SECONDS
tests/abi/compare-abi.sh "$ours" include/xencall.h "$deb_lib" "$deb_h" \
    "$work/acc" > "$work/verdict.txt" 2>&1
cat "$work/verdict.txt"
echo "(abi-compliance-checker took $((SECONDS - start)) s; report: $work/acc/compat_report.html)"
for kind in Binary Source; do
    if grep -q "^$kind compatibility: 100%$" "$work/verdict.txt"; then
        stage_pass "abi-compliance-checker: $kind compatibility 100% with Debian's libxencall1"
    else
        stage_fail "abi-compliance-checker: $kind compatibility below 100% (see $work/acc)"
    fi
done

# ---- objdump -T ------------------------------------------------------------
tests/abi/exports.sh "$ours" > "$work/ours.exports"
tests/abi/exports.sh "$deb_lib" > "$work/debian.exports"
# What the version script promises: each function at its node, and
# each node itself.
awk '/^VERS_[0-9.]+ *\{/ { node = $1; print node, node; global = 0; next }
     /global:/ { global = 1; next } /local:/ { global = 0; next }
     global && /^ *[A-Za-z_][A-Za-z0-9_]*;/ { sub(/;.*/, ""); print $1, node }' \
    src/libxencall.map | LC_ALL=C sort > "$work/map.exports"

if diff -u "$work/debian.exports" "$work/ours.exports"; then
    stage_pass "objdump -T: ours exports exactly what Debian's does ($(wc -l < "$work/ours.exports") symbols)"
else
    stage_fail "objdump -T: exports differ from Debian's (diff above)"
fi
nfun=$(grep -vc '^VERS_' "$work/ours.exports")
if diff -u "$work/map.exports" "$work/ours.exports" && [ "$nfun" -eq 15 ]; then
    stage_pass "objdump -T: 15 functions at their versions and the 4 version nodes, nothing else"
else
    stage_fail "objdump -T: $nfun functions; exports differ from src/libxencall.map"
fi

stage_end
