#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test suite again under ASan+UBSan, then under TSan: separate
# builds next to the main one. Any sanitizer report fails its test.
. "$(dirname "$0")/lib.sh"
stage_begin sanitizers
top=$(pwd)

run_build() {
    local name=$1 flags=$2 dir="$XENCALL_BUILD/../$1"
    mkdir -p "$dir"
    if ! (cd "$dir" && "$top/configure" -q --enable-werror --disable-shared \
              CFLAGS="-O1 -g -fno-omit-frame-pointer $flags" LDFLAGS="$flags" &&
          make -j"$(nproc)" -s) >"$dir/build.out" 2>&1; then
        tail -30 "$dir/build.out"
        stage_fail "$name build"
        return
    fi
    timeout 1500 make -C "$dir" -j"$(nproc)" check >/dev/null 2>&1 ||
        echo "$name: make check failed or timed out after 1500 s"
    grep -E '^(FAIL|ERROR)' "$dir/test-suite.log" | head -20
    grep -l -E 'ERROR: (Address|Thread|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' \
        "$dir"/tests/*.log "$dir"/tests/*/*.log 2>/dev/null | head
    stage_add_automake "$dir/test-suite.log"
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
run_build asan "-fsanitize=address,undefined -fno-sanitize-recover=all"
run_build tsan "-fsanitize=thread"
stage_end
