#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real Xen under QEMU, once per supported Debian release: that
# release's Xen, kernel, xl, daemons and libraries boot a dom0 whose
# initramfs holds this tree built for it; tests/xen/dom0-init.sh runs
# the checks there (our library on the real privcmd and buffer device,
# then on locked memory; Debian's xl on our library; the toolstack
# workflows and Xen's test programs with Debian's libxencall and with
# ours) and each "XENTEST PASS|FAIL" line it prints is one check here.
# The machine's own release comes from the machine (and this stage's
# build), the others from their cached roots (tests/stages/roots.sh),
# in which the tree is built. QEMU is always the machine's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
stage_begin real-xen
host=$(host_release)
packages="qemu-system-x86 xen-system-amd64 linux-image-amd64 busybox-static cpio kmod libxencall1
 debootstrap"
# shellcheck disable=SC2086
stage_apt_install $packages 2>/dev/null ||
    stage_cannot_run "cannot install the Xen/QEMU packages ($packages): no real-Xen checks"
dom0_programs="tests/xen/dom0-checks tests/xen/xen-latency tests/xen/restricted-fd"
work=$(cd "$XENCALL_BUILD/.." && pwd)/real-xen
mkdir -p "$work"
trap 'for r in $XENCALL_RELEASES; do release_overlay_end "$work/$r"; done' EXIT

# RELEASE: a root of it in $work/RELEASE/root with this tree built in
# /tmp/build there; prints that build's path in the root.
build_in_root() {
    local release=$1 pristine ov=$work/$1
    pristine=$(release_root "$release") || return 1
    release_overlay "$pristine" "$ov" || return 1
    mkdir -p "$ov/root/tmp/src"
    git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$ov/root/tmp/src"
    # "all" first, alone: see demo.sh.
    timeout 1200 chroot "$ov/root" sh -c "cd /tmp/src && autoreconf -fi && mkdir -p /tmp/build &&
        cd /tmp/build && /tmp/src/configure -q --enable-werror &&
        make -s -j$(nproc) all && make -s -j$(nproc) $dom0_programs" >"$ov/build.log" 2>&1 ||
        { tail -n 20 "$ov/build.log" >&2; return 1; }
    echo /tmp/build
}

# RELEASE ROOT BUILD: boot it and count what dom0 reported.
boot_release() {
    local release=$1 root=$2 build=$3 log=$work/$1-serial.log start=$SECONDS line
    if bash tests/xen/run.sh "$build" test "$log" 900 "$root"; then
        stage_pass "$release: Xen and dom0 booted and dom0 ended QEMU itself ($((SECONDS - start)) s)"
    else
        stage_fail "$release: the boot did not end cleanly ($((SECONDS - start)) s); serial log tail:"
        tail -n 40 "$log"
    fi
    grep -a '^XENTEST INFO' "$log" | tr -d '\r' | sed "s/^XENTEST INFO /  $release: /"
    while IFS= read -r line; do
        case "$line" in
            "XENTEST PASS "*) stage_pass "$release: ${line#XENTEST PASS }" ;;
            "XENTEST FAIL "*) stage_fail "$release: ${line#XENTEST FAIL }" ;;
        esac
    done < <(grep -a -E '^XENTEST (PASS|FAIL) ' "$log" | tr -d '\r')
    # A run cut short must not pass on the checks it reached.
    if grep -aq '^XENTEST DONE' "$log"; then
        stage_pass "$release: dom0 ran every check to the end"
    else
        stage_fail "$release: dom0 did not reach the end of its checks; serial log tail:"
        tail -n 40 "$log"
    fi
}

for release in $XENCALL_RELEASES; do
    start=$SECONDS
    if [ "$release" = "$host" ]; then
        # "all" first, alone: see demo.sh.
        if { make -C "$XENCALL_BUILD" -s -j"$(nproc)" all >/dev/null &&
             make -C "$XENCALL_BUILD" -s -j"$(nproc)" $dom0_programs >/dev/null; }; then
            boot_release "$release" / "$XENCALL_BUILD"
        else
            stage_fail "$release: building the dom0 programs"
        fi
    elif build=$(build_in_root "$release"); then
        echo "$release: root ready and tree built in it ($((SECONDS - start)) s)"
        boot_release "$release" "$work/$release/root" "$build"
        release_overlay_end "$work/$release"
    else
        stage_fail "$release: making its root or building the tree in it (log: $work/$release/build.log)"
    fi
    echo "$release: $((SECONDS - start)) s"
done
stage_end
