#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Instructions the library itself executes per hypercall on the
# simulated FreeBSD kernel, counted by callgrind: the cost of
# xencall1 / xencall2L minus that of the ioctl (the simulated kernel
# and hypervisor), from runs of 1000 and 2000 calls so that open and
# close cancel out. Usage: call-cost.sh BUILD_DIR (a Linux-hosted,
# configured build of this tree).
set -eu
build=$(cd "$1" && pwd)
make -s -C "$build" tests/freebsd/call-cost >/dev/null
prog=$build/tests/freebsd/call-cost
out=$(mktemp -d "${TMPDIR:-/tmp}/call-cost.XXXXXX")
trap 'rm -rf "$out"' EXIT
inclusive() {   # inclusive FILE FUNCTION: its instructions, callees included
    callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
        awk -v fn="$2" '$0 ~ (":" fn " ") { gsub(",", "", $1); print $1; exit }'
}
for fn in 1 2L; do
    for n in 1000 2000; do
        timeout 300 valgrind --tool=callgrind --callgrind-out-file="$out/$fn.$n" \
            "$prog" "$n" "$fn" >/dev/null 2>&1
    done
    call=$(( $(inclusive "$out/$fn.2000" "xencall$fn") - $(inclusive "$out/$fn.1000" "xencall$fn") ))
    kernel=$(( $(inclusive "$out/$fn.2000" ioctl) - $(inclusive "$out/$fn.1000" ioctl) ))
    echo "xencall$fn: $(( (call - kernel) / 1000 )) instructions per call in the library"
done
