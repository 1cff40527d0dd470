#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ABI against Debian's library of every supported release, for each
# architecture the project checks (the machine's own, and arm64):
# abi-compliance-checker's verdict (binary and source compatibility
# 100%, with that architecture's compiler), and the dynamic symbol
# tables (objdump -T) of ours and Debian's libxencall.so.1: the
# functions src/libxencall.map lists, at its versions, and nothing
# else but its version nodes. Ours: the machine's own build, or for
# another architecture a cross build against Debian's packages of the
# machine's release for it (sysroot.sh), as the main build is against
# the machine's own. Debian's: for the machine's architecture and
# release downloaded and unpacked, so the check holds whatever is
# installed here; the other releases' from their cached roots
# (roots.sh); another architecture's from its sysroot of each release.
# Commands: tests/abi/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
. "$(dirname "$0")/sysroot.sh"
stage_begin abi

export DEBIAN_FRONTEND=noninteractive
work=$(stage_work_dir abi) || exit 1
native=$(dpkg --print-architecture)

if ! stage_apt_install abi-compliance-checker binutils dpkg-dev; then
    stage_fail "cannot install abi-compliance-checker"
    stage_end; exit $?
fi
rm -rf "$work" && mkdir -p "$work"
# The functions and version nodes the version script promises.
tests/abi/exports.sh src/libxencall.map > "$work/map.exports"
nfun=$(tests/abi/exports.sh --functions src/libxencall.map | wc -l)
nnodes=$(($(wc -l < "$work/map.exports") - nfun))

# ARCH: prints the compiler abi-compliance-checker reads headers with
# for ARCH (nothing: the machine's gcc), after installing it.
arch_compiler() {
    local triplet
    [ "$1" != "$native" ] || return 0
    # abi-compliance-checker parses headers as C++: the cross g++ too.
    triplet=$(dpkg-architecture -a "$1" -qDEB_HOST_GNU_TYPE 2>/dev/null) &&
        stage_apt_install "gcc-$triplet" "g++-$triplet" && echo "$triplet-gcc"
}

# ARCH: prints our library for ARCH: the main build's, or a cross
# build's against Debian's ARCH packages of the machine's release.
our_library() {
    local arch=$1 dir sysroot args
    if [ "$arch" = "$native" ]; then
        built_library "$XENCALL_BUILD"
        return
    fi
    dir=$(stage_work_dir "abi-$arch") || return 1
    sysroot=$(arm64_sysroot "$(host_release)") &&
        mapfile -t args < <(cross_configure_args "$arch" "$sysroot") || return 1
    find "$dir" -mindepth 1 -delete
    stage_configure_build "$dir" "$arch: cross build" "${args[@]}" >&2 || return 1
    built_library "$dir"
}

# ARCH RELEASE: prints "LIB HEADER VERSION" of Debian's libxencall1 of
# RELEASE for ARCH (see the top).
debian_of() {
    local arch=$1 r=$2 root
    if [ "$arch" = "$native" ] && [ "$r" = "$(host_release)" ]; then
        tests/abi/debian-lib.sh "$XENCALL_CACHE/debian-xen"
        return
    fi
    if [ "$arch" = "$native" ]; then
        root=$(release_root "$r") || return 1
    else
        root=$(arm64_sysroot "$r") || return 1
    fi
    echo "$(debian_library "$root") $root/usr/include/xencall.h $(package_version "$root" libxencall1)"
}

# LABEL OURS CC LIB HEADER VERSION: ours against a Debian library.
compare_with() {
    local label=$1 ours=$2 cc=$3 deb_lib=$4 deb_h=$5 version=$6 start=$SECONDS kind out
    out=$work/${label// /-}
    mkdir -p "$out"
    echo "$label: ours: $ours; Debian's $version: $deb_lib, $deb_h"
    tests/abi/compare-abi.sh "$ours" include/xencall.h "$deb_lib" "$deb_h" "$version" \
        "$out/acc" ${cc:+"$cc"} > "$out/verdict.txt" 2>&1
    sed "s/^/$label: /" "$out/verdict.txt"
    echo "$label: abi-compliance-checker${cc:+ with $cc} took $((SECONDS - start)) s; report: $out/acc/compat_report.html"
    for kind in Binary Source; do
        if grep -q "^$kind compatibility: 100%$" "$out/verdict.txt"; then
            stage_pass "$label: abi-compliance-checker: $kind compatibility 100% with Debian's libxencall1 $version"
        else
            stage_fail "$label: abi-compliance-checker: $kind compatibility below 100% (see $out/acc)"
        fi
    done
    tests/abi/exports.sh "$deb_lib" > "$out/debian.exports"
    tests/abi/exports.sh "$ours" > "$out/ours.exports"
    if diff -u "$out/debian.exports" "$out/ours.exports"; then
        stage_pass "$label: objdump -T: ours exports exactly what Debian's does ($(wc -l < "$out/ours.exports") symbols)"
    else
        stage_fail "$label: objdump -T: exports differ from Debian's (diff above)"
    fi
}

for arch in $(xencall_architectures); do
    if ! cc=$(arch_compiler "$arch"); then
        stage_fail "$arch: cannot install the cross compiler"; continue
    fi
    if ! ours=$(our_library "$arch") || [ ! -f "$ours" ]; then
        stage_fail "$arch: no shared library of ours"; continue
    fi
    tests/abi/exports.sh "$ours" > "$work/$arch.exports"
    if [ "$nfun" -gt 0 ] && diff -u "$work/map.exports" "$work/$arch.exports"; then
        stage_pass "$arch: objdump -T: the $nfun functions of src/libxencall.map at their versions and its $nnodes version nodes, nothing else"
    else
        stage_fail "$arch: objdump -T: exports differ from src/libxencall.map's $nfun functions and $nnodes nodes (diff above)"
    fi
    for release in $XENCALL_RELEASES; do
        # LIB HEADER VERSION
        if debian=$(debian_of "$arch" "$release"); then
            read -r deb_lib deb_h version <<<"$debian"
            compare_with "$arch $release" "$ours" "$cc" "$deb_lib" "$deb_h" "$version"
        else
            stage_fail "$arch $release: cannot get Debian's libxencall1 and libxen-dev"
        fi
    done
done

stage_end
