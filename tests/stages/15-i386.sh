#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library and its simulated suites built as i386 (-m32), where
# size_t and long are 32 bits wide: 32-bit dom0s (i386, armhf) exist.
# Debian ships no i386 Xen libraries for an amd64 machine, so
# libxentoollog and libxentoolcore (from Debian's xen source package)
# and cmocka (from Debian's cmocka source package) are built for -m32
# here, cached under $XENCALL_CACHE keyed by their sources, the
# compiler and the recipe. gcc-multilib gives the 32-bit C library
# beside the 64-bit one; the machine's dpkg architectures stay as they
# are.
#
# Two ways to run the i386 programs, and the stage's name says which:
# "native" where the kernel runs a static and a dynamic gcc -m32 hello
# (tried, not guessed from the kernel's config: a kernel booted with
# ia32_emulation=0, a sandbox or WSL1 runs none); otherwise "emulated
# under qemu-i386 VERSION" (Debian's qemu-user): a cross build
# (--host=i686-linux-gnu) whose `make check` runs every test program,
# and every program a shell test runs, through TEST_EMULATOR. The same
# checks either way; XENCALL_I386_EMULATE=1 takes the emulated way on a
# machine that runs i386 programs, to test it there. Only when neither
# way runs the hellos does the stage skip, with the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign-deps.sh"
stage_begin i386
dir=$(stage_work_dir i386)
cc32="gcc -m32"

dpkg -s gcc-multilib >/dev/null 2>&1 || stage_apt_install gcc-multilib ||
    stage_cannot_run "gcc-multilib (the 32-bit C library) cannot be installed: no i386 build"

# hellos_run DIR [EMULATOR...]: the static and the dynamic gcc -m32
# hello in DIR both exit 0, run directly or under EMULATOR; what fails
# is on stderr. Bash's exec names the kernel's refusal ("Exec format
# error"), where timeout's execvp would try the file as a script.
hellos_run() {
    local d=$1 hello
    shift
    for hello in static dynamic; do
        timeout 60 bash -c 'exec "$@"' hello "$@" "$d/$hello" || return 1
    done
}

# What runs the i386 programs: sets `way` (the stage's name says it)
# and `emulator` (empty natively). Ends the stage when nothing can.
choose_way() {
    local hellos why version
    emulator=()
    hellos=$dir/hellos
    mkdir -p "$hellos" && printf 'int main(void) { return 0; }\n' >"$hellos/hello.c"
    $cc32 -static -o "$hellos/static" "$hellos/hello.c" && $cc32 -o "$hellos/dynamic" "$hellos/hello.c" ||
        stage_cannot_run "gcc -m32 cannot link a static and a dynamic hello: gcc-multilib is incomplete"
    if [ "${XENCALL_I386_EMULATE:-}" = 1 ]; then
        why="XENCALL_I386_EMULATE=1"
    elif why=$(hellos_run "$hellos" 2>&1); then
        way=native
        return 0
    else
        why=${why%%$'\n'*}
        why="this kernel runs no i386 program (${why:-a gcc -m32 hello failed})"
    fi
    command -v qemu-i386 >/dev/null || stage_apt_install qemu-user ||
        stage_cannot_run "$why, and qemu-user (qemu-i386) cannot be installed"
    # -L /: the i386 loader and libraries are the machine's (libc6-i386).
    emulator=(qemu-i386 -L /)
    if ! hellos_run "$hellos" "${emulator[@]}" >/dev/null 2>&1; then
        stage_skip "$why, and qemu-i386 does not run a gcc -m32 hello either: no i386 run"
        stage_end
        exit
    fi
    version=$(qemu-i386 --version | sed -n '1s/^qemu-i386 version \([0-9.]*\).*/\1/p')
    way="emulated under qemu-i386 $version"
    echo "$why: the i386 programs run under ${emulator[*]}"
}

choose_way
STAGE_NAME="i386 ($way)"

# libxentoollog, libxentoolcore and cmocka for -m32 (foreign-deps.sh).
# Not sys/sdt.h: with it the i386 library has its trace points
# (configure lets their 64-bit arguments live in memory there), but
# whether uprobes read those arguments right from a native i386
# process is untested (no machine here runs one; under qemu-i386
# uprobes cannot trace at all), so the trace checks skip as before.
if deps=$(FOREIGN_CC=$cc32 FOREIGN_WHAT=-m32 foreign_deps i386); then
    stage_pass "libxentoollog, libxentoolcore, cmocka for -m32 ($deps)"
else
    stage_fail "building libxentoollog, libxentoolcore, cmocka for -m32"
    stage_end
    exit
fi

config=(CC="$cc32" CPPFLAGS="-idirafter $deps/include")
# Emulated: a cross build (configure runs nothing it builds), with the
# machine's pkg-config, which follows PKG_CONFIG_LIBDIR below.
[ ${#emulator[@]} -eq 0 ] ||
    config+=(--build="$(gcc -dumpmachine)" --host=i686-linux-gnu PKG_CONFIG="$(command -v pkg-config)"
             TEST_EMULATOR="${emulator[*]}")
# A build configured the other way (or with other dependencies) is
# started afresh: objects do not follow a change of configure's flags.
printf '%s\n' "$deps" "${config[@]}" >"$dir/.want"
cmp -s "$dir/.want" "$dir/.configured" || find "$dir" -mindepth 1 -maxdepth 1 \
    ! -name .want ! -name hellos -exec rm -rf {} +
# Only the 32-bit .pc files: a 64-bit library found by mistake would
# fail at link time, far from the cause.
PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig" stage_configure_build "$dir" i386 "${config[@]}" ||
    { stage_end; exit; }
mv "$dir/.want" "$dir/.configured"
lib=$(built_library "$dir")
if readelf -h "$lib" | grep -q 'Class: *ELF32' &&
   readelf -h "$lib" | grep -q 'Machine: *Intel 80386'; then
    stage_pass "$(soname_of "$lib") builds as an i386 (ELF32) library with warnings as errors"
else
    stage_fail "$lib is not an i386 library"
fi
stage_make_check "$dir" i386
stage_end
