#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The suites over the simulated Linux kernel again, with that kernel's
# page at 16 KiB (Debian's linux-image-arm64-16k): mmap() lengths round
# up to 16 KiB and addresses are 16 KiB-aligned, munmap() and madvise()
# refuse a start inside a page, the buffer device maps whole kernel
# pages (tests/helpers/sim/linux.c). The library keeps its 4 KiB (Xen)
# page as the unit of its buffers; these runs hold it to the same
# contract there. Every case of every program becomes one TAP line.
# Not tests/faults/limits: its RLIMIT_MEMLOCK cases lock for real, and
# the host's kernel charges its own 4 KiB pages, not simulated ones.
#   sim-16k.sh [PROGRAM...]   (default: the list below, in the build)
set -u
page=${SIM_16K_PAGE:-16384}
[ $# -gt 0 ] || set -- tests/core/contract-linux tests/linux/backend \
    tests/linux/restrict tests/linux/identity tests/faults/fault-walk \
    tests/faults/fork-stress tests/faults/restrict-stress \
    tests/faults/fork-watch tests/faults/rt-liveness tests/faults/release-stress
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
for prog in "$@"; do
    name=${prog##*/}
    SIM_LINUX_PAGE_SIZE=$page CMOCKA_MESSAGE_OUTPUT=TAP ${TEST_EMULATOR:-} \
        "./$prog" >"$tmp/out" 2>"$tmp/err"
    status=$?
    # Renumbered from n; a plan of 0 with a reason is one skip. What
    # ran, failed and was planned goes to count.
    awk -v n="$n" -v prog="$name" -v count="$tmp/count" '
        /^1\.\.0 *# *SKIP/ { sub(/^1\.\.0 *# *SKIP */, ""); n++; skipped = 1
                             print "ok " n " - " prog " # SKIP " $0; next }
        /^1\.\.[0-9]+/ { planned = substr($1, 4) + 0; next }
        /^(not )?ok/ { ok = $1 == "ok"; sub(/^(not )?ok *[0-9]* *-? */, ""); n++; ran++
                       failed += !ok
                       print (ok ? "ok " : "not ok ") n " - " prog ": " $0; next }
        { print "# " prog ": " $0 }
        END { print n, ran + 0, failed + 0, (skipped ? ran + 0 : planned + 0) >count }
    ' "$tmp/out"
    read -r n ran failed planned <"$tmp/count"
    sed "s|^|# $name stderr: |" "$tmp/err" | tail -n 20
    # A crash, or a failure no case reported, is one more failed line.
    if [ "$ran" -ne "$planned" ] || { [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
        n=$((n + 1))
        echo "not ok $n - $name: exit status $status, $ran of $planned cases reported"
    fi
done
echo "1..$n"
