#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library and its simulated suites built as i386, where size_t and
# long are 32 bits wide: 32-bit dom0s (i386, armhf) exist. Built with
# Debian's i386 cross compiler (gcc-i686-linux-gnu), which installs
# beside the arm64 one of stage 16 where gcc-multilib does not (see the
# README). Debian ships no i386 Xen libraries for an amd64 machine, so
# libxentoollog and libxentoolcore (from Debian's xen source package)
# and cmocka (from Debian's cmocka source package) are built with it
# here (foreign-deps.sh), cached under $XENCALL_CACHE keyed by their
# sources, the compiler and the recipe. The machine's dpkg
# architectures stay as they are.
#
# Two ways to run the i386 programs, and the stage's name says which:
# "native" where the kernel runs a static and a dynamic i386 hello
# (tried, not guessed from the kernel's config: a kernel booted with
# ia32_emulation=0, a sandbox or WSL1 runs none; the dynamic one needs
# libc6-i386's /lib/ld-linux.so.2); otherwise "emulated under qemu-i386
# VERSION" (Debian's qemu-user, with libc6-i386 as natively):
# `make check` runs every test program, and every program a shell test
# runs, through TEST_EMULATOR. The same checks either way;
# XENCALL_I386_EMULATE=1 takes the emulated way on a machine that runs
# i386 programs, to test it there. Only when neither way runs the
# hellos does the stage skip, with the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign-deps.sh"
stage_begin i386
dir=$(stage_work_dir i386)
triplet=i686-linux-gnu

stage_apt_install gcc-$triplet libc6-dev-i386-cross libc6-i386 ||
    stage_cannot_run "cannot install gcc-$triplet, libc6-dev-i386-cross, libc6-i386: no i386 build"
why=
[ "${XENCALL_I386_EMULATE:-}" = 1 ] && why="XENCALL_I386_EMULATE=1"
# -L /: the loader and C library of libc6-i386, as natively. With the
# cross C library (-L /usr/i686-linux-gnu) test programs hung in a
# futex wait under QEMU 7.2 (tests/linux/backend; cause not found).
foreign_choose_way "$dir" $triplet-gcc "$why" qemu-i386 -L /
STAGE_NAME="i386 ($FOREIGN_WAY)"

# Not sys/sdt.h (the cross compiler does not see the machine's): with
# it the i386 library would have its trace points, but whether uprobes
# read their arguments right from a native i386 process is untested (no
# machine here runs one; under qemu-i386 uprobes cannot trace at all).
# shellcheck disable=SC2034 # read by foreign-deps.sh
FOREIGN_CC=$triplet-gcc FOREIGN_WHAT=i386
if deps=$(foreign_deps i386); then
    stage_pass "libxentoollog, libxentoolcore, cmocka for i386 ($deps)"
else
    stage_fail "building libxentoollog, libxentoolcore, cmocka for i386"
    stage_end
    exit
fi

# Only the i386 .pc files: a 64-bit library found by mistake would fail
# configure (its link check), not the build.
PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig" foreign_build_check "$dir" i386 ELF32 "Intel 80386" \
    --build="$(gcc -dumpmachine)" --host=$triplet PKG_CONFIG="$(command -v pkg-config)" \
    CPPFLAGS="-idirafter $deps/include"
stage_end
