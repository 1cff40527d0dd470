#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's first command, for a fresh Debian 12 or 13 machine, as
# root: installs what is needed, builds this library, boots the
# machine's own Debian Xen (whatever version its release ships) under
# QEMU and shows Debian's xl and our xencall-probe running on it.
set -eu
top=$(cd "$(dirname "$0")" && pwd)
. "$top/tests/stages/lib.sh"
build=$top/_build/demo

echo "== installing packages (build tools, Xen, QEMU, a kernel)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# What tests/xen/run.sh boots with (xen-system-amd64: the release's
# hypervisor and tools, of whatever Xen version it has) and the build's.
# shellcheck disable=SC2086
stage_apt_install $XENCALL_BOOT_PACKAGES build-essential autoconf automake libtool pkg-config \
    libxen-dev systemtap-sdt-dev

echo "== building in $build"
(cd "$top" && autoreconf -fi >/dev/null 2>&1)
mkdir -p "$build"
(cd "$build" && "$top/configure" -q)
make_dom0_programs "$build" >/dev/null

start=$SECONDS
echo "== booting Xen and dom0 under QEMU (software emulation)"
log=$build/demo-serial.log
status=0
bash "$top/tests/xen/run.sh" "$build" demo "$log" 240 || status=$?
# Show what dom0 printed from the first banner on, without Xen's boot chatter.
sed -n '/^==== xl info/,/^XENTEST DONE/p' "$log" | grep -av '^XENTEST DONE' | tr -d '\r'
echo "== done in $((SECONDS - start)) s (serial log: $log)"
exit "$status"
