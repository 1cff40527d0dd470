# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Booting Xen under QEMU (tests/xen/run.sh) and counting what dom0
# printed; the dom0 programs it needs; what demo.sh shows. Sourced by
# lib.sh.

# The architecture whose Xen the demo boots: the machine's, or
# XENCALL_ARCH's (arm64 on an amd64 machine: under qemu-system-aarch64
# with a cross-built library).
xen_arch() { echo "${XENCALL_ARCH:-$(dpkg --print-architecture)}"; }
# What dom0's demo section (dom0-init.sh's show_demo) printed on the
# serial LOG, without Xen's boot chatter: what demo.sh shows.
demo_output() { sed -n '/^==== xl info/,/^==== end of the demo/p' "$1" | tr -d '\r'; }

# Build the library and the programs tests/xen/run.sh puts into dom0
# (DOM0_TEST_PROGS, tests/xen/local.am) in the configured build DIR; with
# ROOT, DIR is a path inside that release's root and make runs there.
# "all" first, alone: with generated sources it recurses, and goals
# beside it in one parallel make would build the library twice at once
# (seen: "not a valid libtool object" on a fresh build).
make_dom0_programs() {
    local dir=$1 in_root=() programs
    [ $# -lt 2 ] || in_root=(chroot "$2")
    programs=$(build_var "$dir" DOM0_TEST_PROGS "${2:-}") && [ -n "$programs" ] || return 1
    # shellcheck disable=SC2086
    timeout 1200 "${in_root[@]}" make -C "$dir" -s -j"$(nproc)" all &&
        timeout 600 "${in_root[@]}" make -C "$dir" -s -j"$(nproc)" $programs
}

# Boot with tests/xen/run.sh (ARGS: BUILD test LOG TIMEOUT [ROOT
# [ARCH]]; XENCALL_DOM0_EXTRA passes through) and count what dom0
# printed on the serial LOG: that QEMU ended cleanly, each "XENTEST
# PASS|FAIL|SKIP" line whose name starts with PREFIX (a check named
# "LABEL: NAME"; a SKIP says why it does not apply), and that dom0
# reached its end. Its INFO lines are shown, and the boot's time.
stage_boot_xen() {
    local label=$1 prefix=$2 log=$5 start=$SECONDS line
    shift 2
    if bash tests/xen/run.sh "$@"; then
        stage_pass "${label}Xen and dom0 booted and dom0 ended QEMU itself ($((SECONDS - start)) s)"
    else
        stage_fail "${label}the boot did not end cleanly ($((SECONDS - start)) s); serial log tail:"
        tail -n 40 "$log"
    fi
    grep -a '^XENTEST INFO' "$log" | tr -d '\r' | sed "s/^XENTEST INFO /  $label/"
    while IFS= read -r line; do
        case "$line" in
            "XENTEST PASS "*) stage_pass "$label${line#XENTEST PASS }" ;;
            "XENTEST FAIL "*) stage_fail "$label${line#XENTEST FAIL }" ;;
            "XENTEST SKIP "*) stage_skip "$label${line#XENTEST SKIP }" ;;
        esac
    done < <(grep -a -E "^XENTEST (PASS|FAIL|SKIP) $prefix" "$log" | tr -d '\r')
    # A run cut short must not pass on the checks it reached.
    if grep -aq '^XENTEST DONE' "$log"; then
        stage_pass "${label}dom0 ran every check to the end"
    else
        stage_fail "${label}dom0 did not reach the end of its checks; serial log tail:"
        tail -n 40 "$log"
    fi
}
