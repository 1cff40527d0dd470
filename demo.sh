#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's first command, for a fresh Debian 12 or 13 machine
# (amd64 or arm64), as root: installs what is needed, builds this
# library, boots the machine's own Debian Xen (whatever version its
# release ships) under QEMU and shows Debian's xl and our
# xencall-probe running on it.
#   XENCALL_ARCH=arm64 ./demo.sh   (on amd64) takes the arm64 way there:
# Debian's arm64 Xen, kernel and xl of the machine's release (fetched
# into a sysroot, the machine's apt left alone) under
# qemu-system-aarch64, with the library cross-built against them.
set -eu
top=$(cd "$(dirname "$0")" && pwd)
. "$top/tests/stages/lib.sh"
arch=$(xen_arch)
native=yes
[ "$arch" = "$(dpkg --print-architecture)" ] || native=no
build=$top/_build/demo
[ "$native" = yes ] || build=$top/_build/demo-$arch

echo "== installing packages (build tools, Xen, QEMU, a kernel) for $arch Xen"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
boot_packages=$(xen_boot_packages "$arch") ||
    { echo "no way to boot $arch Xen on this $(dpkg --print-architecture) machine"; exit 1; }
# What tests/xen/run.sh boots with (the release's Xen metapackage: its
# hypervisor and tools, of whatever Xen version it has; or for another
# architecture QEMU and the cross tools) and what the build needs
# without its tests (debian/control's Build-Depends, profile nocheck).
# shellcheck disable=SC2046,SC2086
stage_apt_install $boot_packages $(tree_build_packages nocheck)

echo "== building in $build"
(cd "$top" && autoreconf -fi >/dev/null 2>&1)
root=/
if [ "$native" = yes ]; then
    mkdir -p "$build"
    (cd "$build" && "$top/configure" -q)
    make_dom0_programs "$build" >/dev/null
else
    . "$top/tests/stages/roots.sh"
    . "$top/tests/stages/sysroot.sh"
    echo "   (cross-built against Debian's $arch packages of $(host_release), fetched once)"
    root=$(cd "$top" && cross_xen_build "$arch" "$(host_release)" "$build")
fi

start=$SECONDS
echo "== booting $arch Xen and dom0 under QEMU (software emulation)"
log=$build/demo-serial.log
status=0
bash "$top/tests/xen/run.sh" "$build" demo "$log" 600 "$root" "$arch" || status=$?
# What dom0 printed from the first banner on, without Xen's boot chatter.
demo_output "$log" | grep -v '^==== end of the demo'
echo "== done in $((SECONDS - start)) s (serial log: $log)"
exit "$status"
