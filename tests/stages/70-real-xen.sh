#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real Xen under QEMU: Debian's Xen 4.17 and kernel boot a dom0 whose
# initramfs holds this build; tests/xen/dom0-init.sh runs the checks
# there (our library on the real privcmd and buffer device, then on
# locked memory; Debian's xl on our library creating a PV guest) and
# each "XENTEST PASS|FAIL" line it prints is one check here.
. "$(dirname "$0")/lib.sh"
stage_begin real-xen
packages="qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 linux-image-amd64
 busybox-static cpio kmod libxencall1"
# shellcheck disable=SC2086
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        $packages >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        stage_fail "cannot install: $packages"
    else
        stage_skip "cannot install the Xen/QEMU packages ($packages): no real-Xen checks"
    fi
    stage_end
    exit
fi
# "all" first, alone: see demo.sh.
{ make -C "$XENCALL_BUILD" -s -j"$(nproc)" all >/dev/null &&
    make -C "$XENCALL_BUILD" -s -j"$(nproc)" tests/xen/dom0-checks tests/xen/xen-latency >/dev/null; } ||
    { stage_fail "building the dom0 programs"; stage_end; exit; }

log="$XENCALL_BUILD/../real-xen-serial.log"
start=$SECONDS
if bash tests/xen/run.sh "$XENCALL_BUILD" test "$log" 420; then
    stage_pass "Xen and dom0 booted and dom0 ended QEMU itself ($((SECONDS - start)) s)"
else
    stage_fail "the boot did not end cleanly ($((SECONDS - start)) s); serial log tail:"
    tail -n 40 "$log"
fi
grep -a '^XENTEST INFO' "$log" | sed 's/^XENTEST INFO /  /'
while IFS= read -r line; do
    case "$line" in
        "XENTEST PASS "*) stage_pass "${line#XENTEST PASS }" ;;
        "XENTEST FAIL "*) stage_fail "${line#XENTEST FAIL }" ;;
    esac
done < <(grep -a -E '^XENTEST (PASS|FAIL) ' "$log" | tr -d '\r')
# A run cut short must not pass on the checks it reached.
if grep -aq '^XENTEST DONE' "$log"; then
    stage_pass "dom0 ran every check to the end"
else
    stage_fail "dom0 did not reach the end of its checks; serial log tail:"
    tail -n 40 "$log"
fi
stage_end
