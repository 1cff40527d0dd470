#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# xencall-probe on simulated systems: what it reports on a working one,
# and the cause it names, with exit status 1, for each way it can fail.
# PROBE_WRAPPER runs the program under a tool (stage 40: valgrind, whose
# own error exit status then fails the check); TEST_EMULATOR (from make
# check) under an emulator, in a cross build.
prog=${PROBE_SIM:-tests/tools/probe-sim}
sim_xen_h=${srcdir:-.}/tests/helpers/sim/xen.h
wrapper=${PROBE_WRAPPER:-}
out=${TMPDIR:-/tmp}/probe-sim.$$
trap 'rm -f "$out"' EXIT
n=0

echo "1..8"

# What the simulated Xen reports, from its own header: a macro's
# value, without its comment and quotes.
sim_fact() {
    sed -n "s/^#define $1 *//p" "$sim_xen_h" | sed 's| */\*.*||; s/^"\(.*\)"$/\1/'
}
sim_version=$(sim_fact SIM_XEN_VERSION)
[ -n "$sim_version" ] || { echo "Bail out! no SIM_XEN_VERSION in $sim_xen_h"; exit 1; }
sim_version=$((${sim_version%L} >> 16)).$((${sim_version%L} & 0xffff))$(sim_fact SIM_XEN_EXTRAVERSION)
sim_capabilities=$(sim_fact SIM_XEN_CAPABILITIES)

# check NAME "SYSTEM [ARGUMENT]" STATUS TEXT...: run the probe on SYSTEM,
# expect exit STATUS and every TEXT (fixed strings) in its output.
check() {
    name=$1 run=$2 want=$3
    shift 3
    n=$((n + 1))
    # shellcheck disable=SC2086
    $wrapper ${TEST_EMULATOR:-} "$prog" $run >"$out" 2>&1
    got=$?
    why=""
    [ "$got" -eq "$want" ] || why="exit status $got, expected $want"
    for text in "$@"; do
        grep -qF -- "$text" "$out" || why="${why:+$why; }missing '$text'"
    done
    if [ -z "$why" ]; then
        echo "ok $n - probe: $name"
    else
        echo "not ok $n - probe: $name: $why"
        sed 's/^/# /' "$out"
    fi
}

check "reports the hypervisor" xen 0 \
    "hypervisor:          Xen $sim_version" \
    "capabilities:        $sim_capabilities" \
    "page size:           4096" \
    "buffers never fault: yes" \
    "hypercall cost:" \
    "buffer cache:        0 hits, 2 misses, 2 blocks (8192 bytes) held at close, 8192 bytes of them cached, peak 8192 bytes held, 0 unmaps forced by the budget"
check "locked-memory buffers" no-buffer-device 0 \
    "buffer device:       none (locked memory)" \
    "buffers never fault: no"
check "no Xen (ENOENT)" no-xen 1 "opening libxencall failed: no Xen" "(errno 2)"
check "not root (EACCES)" not-root 1 "run as root" "(errno 13)"
check "restricted privcmd in a domU (EPERM)" restricted-domu 1 \
    "xen_version hypercall failed" "privcmd.unrestricted=1" "(errno 1)"
check "32-bit program on a 64-bit kernel (ENOTTY)" 32-bit 1 "32-bit program" "(errno 25)"
check "--help" "xen --help" 0 "usage: xencall-probe"
check "a wrong argument" "xen --bogus" 2 "usage: xencall-probe"
