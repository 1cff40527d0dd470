#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test suite again under ASan+UBSan, then under TSan: separate
# builds next to the main one. Any sanitizer report fails its test.
. "$(dirname "$0")/lib.sh"
stage_begin sanitizers
stage_sanitizer_env

# NAME FLAGS: a static build instrumented with FLAGS, and its suite.
run_build() {
    local name=$1 flags=$2 dir
    dir=$(stage_work_dir "$name")
    stage_configure_build "$dir" "$name" --disable-shared \
        CFLAGS="-O1 -g -fno-omit-frame-pointer $flags" LDFLAGS="$flags" || return
    STAGE_RUN_PREFIX=$(sanitizer_run_prefix "${CC:-gcc}" "$flags") stage_make_check "$dir" "$name"
    grep -l -E 'ERROR: (Address|Thread|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' \
        "$dir"/tests/*.log "$dir"/tests/*/*.log 2>/dev/null | head
}

run_build asan "-fsanitize=address,undefined -fno-sanitize-recover=all"
run_build tsan "-fsanitize=thread"
stage_end
