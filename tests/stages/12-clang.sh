#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole build and automake test suite again with clang, warnings
# as errors: clang warns where gcc does not (-Wformat-nonliteral under
# -Wformat=2, for one), and users build with either.
. "$(dirname "$0")/lib.sh"
stage_begin clang
dir=$(stage_work_dir clang)

command -v clang >/dev/null || stage_apt_install clang ||
    stage_cannot_run "clang cannot be installed: no clang build"

stage_configure_build "$dir" clang CC=clang || { stage_end; exit; }
stage_pass "library and tools build with clang $(clang -dumpversion), warnings as errors"
# The benchmark is built by no other target.
if timeout 600 make -C "$dir" -s bench/xencall-bench >"$dir/bench.out" 2>&1; then
    stage_pass "bench/xencall-bench builds with clang, warnings as errors"
else
    tail -20 "$dir/bench.out"
    stage_fail "bench/xencall-bench with clang"
fi
stage_make_check "$dir" clang
stage_end
