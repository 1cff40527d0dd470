#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real stub domain: newlib, libxentoollog/libxentoolcore and this
# library built for Mini-OS (the library by the recipe in
# src/minios/README.md, run as written), linked with the test program
# tests/minios/guest/guest.c into a Mini-OS kernel, booted as a PV guest
# of the real Xen under QEMU (tests/xen/run.sh). Each "XENTEST PASS|FAIL
# minios/..." line the guest prints is one check here.
. "$(dirname "$0")/lib.sh"
stage_begin minios-guest
start=$SECONDS
tarball=$(ls ../shared/sources/mini-os-*.tar.gz 2>/dev/null | sort -V | tail -n1)
if [ -z "$tarball" ]; then
    why="no Mini-OS sources (../shared/sources/mini-os-*.tar.gz beside this clone);
 get Mini-OS from the Xen project's mini-os.git (xenbits) as a tarball that unpacks to mini-os/"
    stage_cannot_run "$why"
fi
tarball=$(readlink -f "$tarball")
packages="qemu-system-x86 xen-system-amd64 linux-image-amd64
 busybox-static cpio kmod libxencall1 newlib-source gcc make xz-utils"
# shellcheck disable=SC2086
stage_apt_install $packages 2>/dev/null ||
    stage_cannot_run "cannot install the Xen/QEMU/newlib packages ($packages)"
newlib_tarball=$(ls /usr/src/newlib/newlib-*.tar.xz | sort -V | tail -n1)
if ! xen=$(xen_source_tree); then
    stage_fail "cannot fetch Debian's xen source package (libxentoollog, libxentoolcore, errno.h)"
    stage_end
    exit
fi

out=$XENCALL_BUILD/../minios-guest
cache=${XENCALL_CACHE:-/var/cache/xencall-tests}
if timeout 1200 bash tests/minios/guest/build.sh "$PWD" "$out" "$tarball" "$xen" \
        "$newlib_tarball" "$cache"; then
    stage_pass "Mini-OS kernel with the guest program and the library built by the README's recipe ($((SECONDS - start)) s)"
else
    stage_fail "building the Mini-OS guest (log: $out/build.log)"
    stage_end
    exit
fi

# Xen's error numbers and the stub domain's <errno.h> agree, checked
# on the generated table as the stub domain's compiler reads it.
entries=$(wc -l <"$out/errno-table.txt")
differ=$(awk '$1 != $2' "$out/errno-table.txt" | wc -l)
if [ "$entries" -ge 40 ] && [ "$differ" -eq 0 ]; then
    stage_pass "the stub domain's <errno.h> numbers all $entries named Xen errors as Xen does: the errno table is the identity"
else
    stage_fail "errno table in the stub domain's numbering: $entries entries, $differ differ from Xen's"
fi

# tests/xen/run.sh puts this build's dom0 programs into the image too.
{ make -C "$XENCALL_BUILD" -s -j"$(nproc)" all >/dev/null &&
    make -C "$XENCALL_BUILD" -s -j"$(nproc)" tests/xen/dom0-checks tests/xen/xen-latency tests/xen/restricted-fd >/dev/null; } ||
    { stage_fail "building the dom0 programs"; stage_end; exit; }
extra=$out/dom0-extra
rm -rf "$extra" && mkdir -p "$extra"
cp "$out/kernel/mini-os.gz" "$extra/mini-os.gz"
install -m 755 tests/minios/guest/dom0-run.sh "$extra/run.sh"

log=$out/serial.log
boot=$SECONDS
if XENCALL_DOM0_EXTRA=$extra bash tests/xen/run.sh "$XENCALL_BUILD" test "$log" 420; then
    stage_pass "Xen, dom0 and the Mini-OS guest ran and dom0 ended QEMU itself ($((SECONDS - boot)) s)"
else
    stage_fail "the boot did not end cleanly ($((SECONDS - boot)) s); serial log tail:"
    tail -n 40 "$log"
fi
grep -a '^XENTEST INFO' "$log" | tr -d '\r' | sed 's/^XENTEST INFO /  /'
guest_passes=0
while IFS= read -r line; do
    case "$line" in
        "XENTEST PASS minios/"*) stage_pass "${line#XENTEST PASS }"; guest_passes=$((guest_passes + 1)) ;;
        "XENTEST PASS minios-dom0/"*) stage_pass "${line#XENTEST PASS }" ;;
        "XENTEST FAIL minios"*) stage_fail "${line#XENTEST FAIL }" ;;
    esac
done < <(grep -a -E '^XENTEST (PASS|FAIL) minios' "$log" | tr -d '\r')
# The guest's own count: a line the console dropped must not go unseen.
summary=$(grep -a '^XENTEST MINIOS-SUMMARY' "$log" | tr -d '\r' | tail -n1)
said=$(echo "$summary" | sed -n 's/.*passed=\([0-9]*\) failed=\([0-9]*\).*/\1 \2/p')
if [ -n "$said" ] && [ "${said#* }" = 0 ] && [ "${said% *}" -eq "$guest_passes" ]; then
    stage_pass "the guest's summary (${summary#XENTEST }) matches the $guest_passes passes seen"
else
    stage_fail "the guest's summary (${summary:-none}) with $guest_passes passes seen: failures, or lines the console lost"
fi
if grep -aq '^XENTEST DONE' "$log"; then
    stage_pass "dom0 ran the guest to the end"
else
    stage_fail "dom0 did not reach its end; serial log tail:"
    tail -n 40 "$log"
fi
echo "  stage time: $((SECONDS - start)) s (build and boot)"
stage_end
