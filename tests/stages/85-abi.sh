#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ABI against Debian's library of every supported release:
# abi-compliance-checker's verdict (binary and source compatibility
# 100%), and the dynamic symbol tables (objdump -T) of ours and
# Debian's libxencall.so.1: the same 15 functions at the same versions,
# and nothing else but the four version nodes. For the machine's own
# release Debian's packages are downloaded and unpacked, so the check
# holds whatever is installed here; the other releases' come from their
# cached roots (tests/stages/roots.sh). Commands: tests/abi/.
set -u
. tests/stages/lib.sh
. tests/stages/roots.sh
stage_begin abi

export DEBIAN_FRONTEND=noninteractive
cache=${XENCALL_CACHE:-/var/cache/xencall-tests}
work=$(cd "$XENCALL_BUILD/.." && pwd)/abi
ours=$(ls "$XENCALL_BUILD"/.libs/libxencall.so.1.*.* 2>/dev/null | head -n1)

if ! stage_apt_install abi-compliance-checker binutils dpkg-dev debootstrap; then
    stage_fail "cannot install abi-compliance-checker"
    stage_end; exit $?
fi
if [ -z "$ours" ]; then
    stage_fail "no libxencall.so.1.x.y in $XENCALL_BUILD/.libs"
    stage_end; exit $?
fi
# The 15 functions and 4 version nodes the version script promises.
rm -rf "$work" && mkdir -p "$work"
awk '/^VERS_[0-9.]+ *\{/ { node = $1; print node, node; global = 0; next }
     /global:/ { global = 1; next } /local:/ { global = 0; next }
     global && /^ *[A-Za-z_][A-Za-z0-9_]*;/ { sub(/;.*/, ""); print $1, node }' \
    src/libxencall.map | LC_ALL=C sort > "$work/map.exports"
tests/abi/exports.sh "$ours" > "$work/ours.exports"
nfun=$(grep -vc '^VERS_' "$work/ours.exports")
if diff -u "$work/map.exports" "$work/ours.exports" && [ "$nfun" -eq 15 ]; then
    stage_pass "objdump -T: 15 functions at their versions and the 4 version nodes, nothing else"
else
    stage_fail "objdump -T: $nfun functions; exports differ from src/libxencall.map"
fi

# RELEASE LIB HEADER VERSION: ours against that release's Debian library.
compare_with() {
    local r=$1 deb_lib=$2 deb_h=$3 version=$4 start=$SECONDS kind
    echo "$r: ours: $ours; Debian's $version: $deb_lib, $deb_h"
    DEBIAN_VERSION=$version tests/abi/compare-abi.sh "$ours" include/xencall.h "$deb_lib" "$deb_h" \
        "$work/$r/acc" > "$work/$r/verdict.txt" 2>&1
    sed "s/^/$r: /" "$work/$r/verdict.txt"
    echo "$r: abi-compliance-checker took $((SECONDS - start)) s; report: $work/$r/acc/compat_report.html"
    for kind in Binary Source; do
        if grep -q "^$kind compatibility: 100%$" "$work/$r/verdict.txt"; then
            stage_pass "$r: abi-compliance-checker: $kind compatibility 100% with Debian's libxencall1 $version"
        else
            stage_fail "$r: abi-compliance-checker: $kind compatibility below 100% (see $work/$r/acc)"
        fi
    done
    tests/abi/exports.sh "$deb_lib" > "$work/$r/debian.exports"
    if diff -u "$work/$r/debian.exports" "$work/ours.exports"; then
        stage_pass "$r: objdump -T: ours exports exactly what Debian's does ($(wc -l < "$work/ours.exports") symbols)"
    else
        stage_fail "$r: objdump -T: exports differ from Debian's (diff above)"
    fi
}

# The machine's release: its mirror's current libxencall1, whatever is
# installed here. The others: what their cached roots have installed.
for release in $XENCALL_RELEASES; do
    mkdir -p "$work/$release"
    if [ "$release" = "$(host_release)" ]; then
        if ! set -- $(tests/abi/debian-lib.sh "$cache/debian-xen"); then
            stage_fail "$release: cannot fetch Debian's libxencall1 and libxen-dev"
            continue
        fi
        version=$(apt-cache policy libxencall1 | sed -n 's/^ *Candidate: //p')
        compare_with "$release" "$1" "$2" "$version"
    elif root=$(release_root "$release"); then
        compare_with "$release" "$(ls "$root"/usr/lib/*/libxencall.so.1.* | head -n1)" \
            "$root/usr/include/xencall.h" "$(chroot "$root" dpkg-query -W -f='${Version}' libxencall1)"
    else
        stage_fail "$release: cannot make its root"
    fi
done

stage_end
