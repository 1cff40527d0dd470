#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stage: uses the main build
# A real Xen under QEMU, once per supported Debian release: that
# release's Xen, kernel, xl, daemons and libraries boot a dom0 whose
# initramfs holds this tree built for it; tests/xen/dom0-init.sh runs
# the checks there (our library on the real privcmd and buffer device,
# then on locked memory; Debian's xl on our library; the toolstack
# workflows and Xen's test programs with Debian's libxencall and with
# ours) and each "XENTEST PASS|FAIL" line it prints is one check here.
# The machine's own release comes from the machine (and this stage's
# build), the others from their cached roots (tests/stages/roots.sh),
# in which the tree is built. Which QEMU boots which release: tests/xen/run.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
stage_begin real-xen
host=$(host_release)
# shellcheck disable=SC2086
stage_apt_install $XENCALL_BOOT_PACKAGES 2>/dev/null ||
    stage_cannot_run "cannot install the Xen/QEMU packages ($XENCALL_BOOT_PACKAGES): no real-Xen checks"
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

for release in $XENCALL_RELEASES; do
    start=$SECONDS
    if [ "$release" = "$host" ]; then
        if make_dom0_programs "$XENCALL_BUILD" >/dev/null; then
            stage_boot_xen "$release: " "" "$XENCALL_BUILD" test "$work/$release-serial.log" 900 /
        else
            stage_fail "$release: building the dom0 programs"
        fi
    elif build=$(build_in_root "$release"); then
        echo "$release: root ready and tree built in it ($((SECONDS - start)) s)"
        stage_boot_xen "$release: " "" "$build" test "$work/$release-serial.log" 900 "$work/$release/root"
        release_overlay_end "$work/$release"
    else
        stage_fail "$release: making its root or building the tree in it (log: $work/$release/build.log)"
    fi
    echo "$release: $((SECONDS - start)) s"
done
stage_end
