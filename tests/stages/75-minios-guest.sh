#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stage: uses the main build
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
packages="$XENCALL_BOOT_PACKAGES newlib-source gcc make xz-utils"
# shellcheck disable=SC2086
stage_apt_install $packages 2>/dev/null ||
    stage_cannot_run "cannot install the Xen/QEMU/newlib packages ($packages)"
newlib_tarball=$(ls /usr/src/newlib/newlib-*.tar.xz | sort -V | tail -n1)
if ! xen=$(xen_source_tree); then
    stage_fail "cannot fetch Debian's xen source package (libxentoollog, libxentoolcore, errno.h)"
    stage_end
    exit
fi

out=$(stage_work_dir minios-guest)
if timeout 1200 bash tests/minios/guest/build.sh "$PWD" "$out" "$tarball" "$xen" \
        "$newlib_tarball" "$XENCALL_CACHE"; then
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
make_dom0_programs "$XENCALL_BUILD" >/dev/null ||
    { stage_fail "building the dom0 programs"; stage_end; exit; }
extra=$out/dom0-extra
rm -rf "$extra" && mkdir -p "$extra"
cp "$out/kernel/mini-os.gz" "$extra/mini-os.gz"
install -m 755 tests/minios/guest/dom0-run.sh "$extra/run.sh"

# dom0 runs the guest (dom0-run.sh) instead of its own checks.
log=$out/serial.log
XENCALL_DOM0_EXTRA=$extra stage_boot_xen "" minios "$XENCALL_BUILD" test "$log" 420
# The guest's own count: a line the console dropped must not go unseen.
guest_passes=$(grep -ac '^XENTEST PASS minios/' "$log")
summary=$(grep -a '^XENTEST MINIOS-SUMMARY' "$log" | tr -d '\r' | tail -n1)
said=$(echo "$summary" | sed -n 's/.*passed=\([0-9]*\) failed=\([0-9]*\).*/\1 \2/p')
if [ -n "$said" ] && [ "${said#* }" = 0 ] && [ "${said% *}" -eq "$guest_passes" ]; then
    stage_pass "the guest's summary (${summary#XENTEST }) matches the $guest_passes passes seen"
else
    stage_fail "the guest's summary (${summary:-none}) with $guest_passes passes seen: failures, or lines the console lost"
fi
echo "  stage time: $((SECONDS - start)) s (build and boot)"
stage_end
