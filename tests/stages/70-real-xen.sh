#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stage: uses the main build
# A real Xen under QEMU, once per architecture (amd64, arm64) and
# supported Debian release: that release's Xen, kernel, xl, daemons and
# libraries boot a dom0 whose initramfs holds this tree built for it;
# tests/xen/dom0-init.sh runs the checks there (our library on the real
# privcmd and buffer device, then on locked memory; Debian's xl on our
# library; the toolstack workflows and Xen's test programs with
# Debian's libxencall and with ours) and each "XENTEST PASS|FAIL|SKIP"
# line it prints is one check here; the demo's output (demo.sh shows
# the same section) is checked too.
# For the machine's architecture, the machine's own release comes from
# the machine (and this stage's build), the others from their cached
# roots (tests/stages/roots.sh), in which the tree is built. For
# another architecture (arm64 on amd64) everything comes from that
# release's sysroot (tests/stages/sysroot.sh), against which the tree
# is cross-built. Which QEMU boots which: tests/xen/run.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
. "$(dirname "$0")/sysroot.sh"
stage_begin real-xen
stage_start=$SECONDS
host=$(host_release) host_arch=$(dpkg --print-architecture)
# The machine's own architecture, and arm64 from a sysroot (the one
# other architecture with a recipe, tests/stages/sysroot.sh).
arches=$host_arch
[ "$host_arch" = arm64 ] || arches="$arches arm64"
packages=''
for arch in $arches; do packages="$packages $(xen_boot_packages "$arch")"; done
# shellcheck disable=SC2086
stage_apt_install $packages 2>/dev/null ||
    stage_cannot_run "cannot install the Xen/QEMU packages ($packages): no real-Xen checks"
[ "$host_arch" = amd64 ] ||
    stage_skip "amd64 Xen: booted on amd64 machines only (no amd64 sysroot recipe for this $host_arch one)"
work=$(stage_work_dir real-xen)
release_overlays_end_at_exit "$work"

# RELEASE: a root of it in $work/RELEASE/root with this tree built in
# /tmp/build there; prints that build's path in the root.
build_in_root() {
    local release=$1 pristine ov=$work/$1
    pristine=$(release_root "$release") || return 1
    release_overlay "$pristine" "$ov" || return 1
    copy_tree "$ov/root/tmp/src"
    { timeout 1200 chroot "$ov/root" sh -c "cd /tmp/src && autoreconf -fi && mkdir -p /tmp/build &&
          cd /tmp/build && /tmp/src/configure -q --enable-werror" &&
      make_dom0_programs /tmp/build "$ov/root"; } >"$ov/build.log" 2>&1 ||
        { tail -n 20 "$ov/build.log" >&2; return 1; }
    echo /tmp/build
}

# The cross builds take minutes of CPU: made in the background while
# the machine's own architecture boots (QEMU uses one core), each
# leaving its sysroot's path in DIR/sysroot when done.
cross_builds() {
    local arch release
    for arch in $arches; do
        [ "$arch" != "$host_arch" ] || continue
        for release in $XENCALL_RELEASES; do
            cross_xen_build "$arch" "$release" "$work/$arch-$release" \
                >"$work/$arch-$release.sysroot" 2>"$work/$arch-$release.err"
        done
    done
}
rm -f "$work"/*.sysroot
cross_builds &
cross_pid=$!

# ARCH RELEASE: "BUILD ROOT" for run.sh, the build made first.
prepare() {
    local arch=$1 release=$2 build
    if [ "$arch" != "$host_arch" ]; then
        [ -s "$work/$arch-$release.sysroot" ] || { cat "$work/$arch-$release.err" >&2; return 1; }
        echo "$work/$arch-$release $(cat "$work/$arch-$release.sysroot")"
    elif [ "$release" = "$host" ]; then
        make_dom0_programs "$XENCALL_BUILD" >/dev/null && echo "$XENCALL_BUILD /"
    else
        build=$(build_in_root "$release") && echo "$build $work/$release/root"
    fi
}

# What demo.sh shows, from the boot's LOG: Xen's version as xl info
# gives it, xl's loader taking our library, dom0 listed, the probe.
check_demo() {
    local label=$1 log=$2 out
    out=$(demo_output "$log")
    if echo "$out" | grep -Eq '^xen_major +: [0-9]+' &&
        echo "$out" | grep -q 'calling init: /opt/xencall/lib/libxencall' &&
        echo "$out" | grep -Eq '^Domain-0 +0 ' && echo "$out" | grep -q '^==== end of the demo'; then
        stage_pass "${label}the demo's output ($(echo "$out" | wc -l) lines: xl info, our library loaded, xl list, xencall-probe)"
    else
        stage_fail "${label}the demo's output:"
        echo "$out" | tail -n 20
    fi
}

times=''
for arch in $arches; do
    for release in $XENCALL_RELEASES; do
        label="$arch $release: " start=$SECONDS log=$work/$arch-$release-serial.log
        if [ "$arch" != "$host_arch" ] && [ -n "$cross_pid" ]; then
            wait "$cross_pid"
            cross_pid=''
        fi
        if ! ready=$(prepare "$arch" "$release"); then
            stage_fail "${label}making its root or building the tree for it (see above)"
            continue
        fi
        # shellcheck disable=SC2086
        set -- $ready
        echo "${label}build ready ($((SECONDS - start)) s)"
        boot_start=$SECONDS
        stage_boot_xen "$label" "" "$1" test "$log" 900 "$2" "$arch"
        times="$times ${label}boot $((SECONDS - boot_start)) s;"
        check_demo "$label" "$log"
        [ "$2" = / ] || [ "$arch" != "$host_arch" ] || release_overlay_end "$work/$release"
    done
done
[ -z "$cross_pid" ] || wait "$cross_pid"

# A kernel page larger than Xen's: Debian 13 ships an arm64 kernel with
# 16 KiB pages (linux-image-arm64-16k). The newest release's arm64 Xen
# boots it as dom0, with that release's build and every check above
# (run.sh's -cpu max has the 16 KiB granule; cortex-a57 has not).
newest=${XENCALL_RELEASES##* }
label="arm64 $newest 16k: " log=$work/arm64-$newest-16k-serial.log
if [ "$host_arch" = arm64 ]; then
    stage_skip "${label}booted where arm64 is cross-built only (this machine is arm64: its own kernel's page is what it is)"
elif [ ! -s "$work/arm64-$newest.sysroot" ]; then
    stage_fail "${label}no arm64 $newest build to boot (see above)"
elif ! root16=$(arm64_sysroot "$newest" linux-image-arm64-16k); then
    stage_fail "${label}fetching Debian's arm64 16 KiB-page kernel"
else
    boot_start=$SECONDS
    stage_boot_xen "$label" "" "$work/arm64-$newest" test "$log" 900 "$root16" arm64
    times="$times ${label}boot $((SECONDS - boot_start)) s;"
    if grep -aq '^XENTEST INFO kernel page 16384 bytes' "$log"; then
        stage_pass "${label}dom0's kernel page is 16384 bytes"
    else
        stage_fail "${label}dom0 did not report a 16384-byte kernel page"
    fi
fi
echo "boot times:$times stage $((SECONDS - stage_start)) s"
stage_end
