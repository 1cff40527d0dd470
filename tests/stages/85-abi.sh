#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ABI against Debian's library of every supported release:
# abi-compliance-checker's verdict (binary and source compatibility
# 100%), and the dynamic symbol tables (objdump -T) of ours and
# Debian's libxencall.so.1: the functions src/libxencall.map lists, at
# its versions, and nothing else but its version nodes. For the machine's own
# release Debian's packages are downloaded and unpacked, so the check
# holds whatever is installed here; the other releases' come from their
# cached roots (tests/stages/roots.sh). Commands: tests/abi/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
stage_begin abi

export DEBIAN_FRONTEND=noninteractive
work=$(stage_work_dir abi)
ours=$(built_library "$XENCALL_BUILD")

if ! stage_apt_install abi-compliance-checker binutils dpkg-dev; then
    stage_fail "cannot install abi-compliance-checker"
    stage_end; exit $?
fi
if [ ! -f "$ours" ]; then
    stage_fail "no shared library in $XENCALL_BUILD/.libs"
    stage_end; exit $?
fi
# The functions and version nodes the version script promises.
rm -rf "$work" && mkdir -p "$work"
tests/abi/exports.sh src/libxencall.map > "$work/map.exports"
tests/abi/exports.sh "$ours" > "$work/ours.exports"
nfun=$(tests/abi/exports.sh --functions src/libxencall.map | wc -l)
nnodes=$(($(wc -l < "$work/map.exports") - nfun))
if [ "$nfun" -gt 0 ] && diff -u "$work/map.exports" "$work/ours.exports"; then
    stage_pass "objdump -T: the $nfun functions of src/libxencall.map at their versions and its $nnodes version nodes, nothing else"
else
    stage_fail "objdump -T: exports differ from src/libxencall.map's $nfun functions and $nnodes nodes (diff above)"
fi

# RELEASE LIB HEADER VERSION: ours against that release's Debian library.
compare_with() {
    local r=$1 deb_lib=$2 deb_h=$3 version=$4 start=$SECONDS kind
    echo "$r: ours: $ours; Debian's $version: $deb_lib, $deb_h"
    tests/abi/compare-abi.sh "$ours" include/xencall.h "$deb_lib" "$deb_h" "$version" \
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
        # LIB HEADER VERSION
        if ! debian=$(tests/abi/debian-lib.sh "$XENCALL_CACHE/debian-xen"); then
            stage_fail "$release: cannot fetch Debian's libxencall1 and libxen-dev"
            continue
        fi
        read -r deb_lib deb_h version <<<"$debian"
        compare_with "$release" "$deb_lib" "$deb_h" "$version"
    elif root=$(release_root "$release") && deb_lib=$(debian_library "$root"); then
        compare_with "$release" "$deb_lib" "$root/usr/include/xencall.h" \
            "$(package_version "$root" libxencall1)"
    else
        stage_fail "$release: cannot make its root, or it has no Debian libxencall"
    fi
done

stage_end
