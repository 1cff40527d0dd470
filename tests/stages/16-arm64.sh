#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library, its tools and its test programs built for arm64
# (aarch64-linux-gnu) with Debian's cross compiler against Debian's own
# arm64 packages of the machine's release (libxen-dev, cmocka,
# systemtap-sdt-dev: sysroot.sh), warnings as errors and trace points
# required; then the whole `make check` run as arm64 programs under
# qemu-aarch64 (Debian's qemu-user, with the sysroot as its -L), every
# case counted, as stage 15 does for i386. Before that, two cross
# configures that must fail: with the machine's own .pc files, and
# with trace points asked for where the target's sys/sdt.h is not seen.
#
# On an arm64 machine the stage builds natively with the machine's own
# packages and runs the programs directly (untested: no arm64 machine
# was at hand).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
. "$(dirname "$0")/sysroot.sh"
. "$(dirname "$0")/foreign-deps.sh"
stage_begin arm64
dir=$(stage_work_dir arm64)

# configure_refused WHAT PATTERN ARGS...: a check that configure with
# ARGS fails, and says PATTERN (the fix) when it does.
configure_refused() {
    local what=$1 pattern=$2 d top
    shift 2
    top=$(pwd)
    d=$(stage_work_dir arm64-refused)
    find "$d" -mindepth 1 -delete
    if (cd "$d" && timeout 600 "$top/configure" -q "$@") >"$d/configure.out" 2>&1; then
        stage_fail "$what: configure succeeded (log: $d/config.log)"
    elif grep -q -- "$pattern" "$d/configure.out"; then
        stage_pass "$what: configure fails: $(grep 'error:' "$d/configure.out" | tail -n1)"
    else
        tail -n 5 "$d/configure.out"
        stage_fail "$what: configure failed without naming the fix ($pattern)"
    fi
}

if [ "$(uname -m)" = aarch64 ]; then
    # The machine's own libxen-dev, libcmocka-dev and systemtap-sdt-dev
    # (tests/run-all.sh installs them).
    foreign_choose_way "$dir" gcc ""
    STAGE_NAME="arm64 ($FOREIGN_WAY)"
    config=(--enable-trace-points)
else
    stage_apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user ||
        stage_cannot_run "cannot install gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user: no arm64 build"
    root=$(arm64_sysroot "$(host_release)") ||
        stage_cannot_run "no arm64 sysroot of Debian $(host_release) (Debian's arm64 packages)"
    foreign_choose_way "$dir" aarch64-linux-gnu-gcc "this machine is $(uname -m)" qemu-aarch64 -L "$root"
    STAGE_NAME="arm64 ($FOREIGN_WAY)"
    mapfile -t config < <(cross_configure_args arm64 "$root")
    multiarch=$(dpkg-architecture -a arm64 -qDEB_HOST_MULTIARCH)
    # The machine's pkg-config as it is reads the machine's (amd64) .pc
    # files; the target's sys/sdt.h is only in its multiarch folder.
    mapfile -t plain < <(printf '%s\n' "${config[@]}" | grep -v '^PKG_CONFIG_\(LIBDIR\|SYSROOT_DIR\)=')
    configure_refused "cross build with the machine's own .pc files" PKG_CONFIG_LIBDIR "${plain[@]}"
    mapfile -t no_sdt < <(printf '%s\n' "${config[@]}" | sed "s|^CPPFLAGS=.*|CPPFLAGS=-I$root/usr/include|")
    configure_refused "cross build, trace points asked for, no $multiarch/sys/sdt.h seen" \
        'needs sys/sdt.h' "${no_sdt[@]}"
fi

foreign_build_check "$dir" arm64 ELF64 AArch64 "${config[@]}"
stage_end
