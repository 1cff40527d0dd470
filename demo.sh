#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's first command, for a fresh Debian 12 or 13 machine, as
# root: installs what is needed, builds this library, boots the
# machine's own Debian Xen (whatever version its release ships) under
# QEMU and shows Debian's xl and our xencall-probe running on it.
set -eu
top=$(cd "$(dirname "$0")" && pwd)
build=$top/_build/demo

echo "== installing packages (build tools, Xen, QEMU, a kernel)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# xen-system-amd64 is the release's hypervisor and tools, of whatever
# Xen version the release has.
apt-get install -y -q --no-install-recommends build-essential autoconf automake \
    libtool pkg-config libxen-dev systemtap-sdt-dev qemu-system-x86 xen-system-amd64 \
    linux-image-amd64 busybox-static cpio kmod >/dev/null

echo "== building in $build"
(cd "$top" && autoreconf -fi >/dev/null 2>&1)
mkdir -p "$build"
# Two makes: with generated sources "all" recurses, and goals beside it
# in the same parallel make would build the library a second time at
# once (seen: "not a valid libtool object" on a fresh build).
(cd "$build" && "$top/configure" -q &&
    make -s -j"$(nproc)" all >/dev/null &&
    make -s -j"$(nproc)" tests/xen/dom0-checks tests/xen/xen-latency tests/xen/restricted-fd >/dev/null)

start=$SECONDS
echo "== booting Xen and dom0 under QEMU (software emulation)"
log=$build/demo-serial.log
status=0
bash "$top/tests/xen/run.sh" "$build" demo "$log" 240 || status=$?
# Show what dom0 printed from the first banner on, without Xen's boot chatter.
sed -n '/^==== xl info/,/^XENTEST DONE/p' "$log" | grep -av '^XENTEST DONE' | tr -d '\r'
echo "== done in $((SECONDS - start)) s (serial log: $log)"
exit "$status"
