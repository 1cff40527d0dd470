#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hardening, in clang builds of this tree configured with sanitizers,
# where automake builds the fault-injection library from the library's
# own source lists: the fault-injection walk and the hostile-limits
# test under ASan+UBSan+LSan, the fork stress test under TSan, each run
# by automake's harness (every TAP line a check), then the libFuzzer
# target over the ASan build's fault-injection library: its seed
# corpus (one check) and a bounded run (FUZZ_SECONDS, default 120; one
# check, failed by any finding).
. "$(dirname "$0")/lib.sh"
stage_begin hardening
stage_sanitizer_env
fuzz_seconds=${FUZZ_SECONDS:-120}

need=""
command -v clang >/dev/null || need="$need clang"
# The runtime of the release's default clang (14 on Debian 12, 19 on 13).
dpkg -s libclang-rt-dev >/dev/null 2>&1 || need="$need libclang-rt-dev"
if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    stage_apt_install $need || stage_cannot_run "cannot install:$need"
fi

# sanitized_check NAME FLAGS TESTS [MAKE_VAR=VALUE...]: configure
# $work/NAME with clang and the sanitizer FLAGS, then build and run
# TESTS alone (the whole suite runs under the sanitizers in stage 30)
# with make's harness; their checks join the stage, and any sanitizer
# report in their logs fails it.
sanitized_check() {
    local name=$1 flags=$2 tests=$3 dir=$work/$1 log
    shift 3
    stage_configure_build "$dir" "$name" --disable-shared CC=clang \
        CFLAGS="-g -O1 -fno-omit-frame-pointer $flags" LDFLAGS="$flags" || return
    STAGE_RUN_PREFIX=$(sanitizer_run_prefix clang "$flags") \
        stage_make_check "$dir" "$name" TESTS="$tests" check_PROGRAMS="$tests" \
        check_LTLIBRARIES= "$@"
    for log in $tests; do
        grep -q -E 'ERROR: (Address|Thread|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' \
            "$dir/$log.log" 2>/dev/null && stage_fail "$name: sanitizer report in $dir/$log.log"
    done
}

rm -rf "$XENCALL_BUILD/../hardening"
work=$(stage_work_dir hardening)
# The ASan build's fault-injection library carries libFuzzer's coverage
# for the fuzzer below; the tests run on it unaffected.
asan_make=(FUZZ_COVERAGE_CFLAGS=-fsanitize=fuzzer-no-link)
sanitized_check asan "-fsanitize=address,undefined -fno-sanitize-recover=all" \
    "tests/faults/fault-walk tests/faults/limits" "${asan_make[@]}"
grep '^# fault points' "$work/asan/tests/faults/fault-walk.log"
# fork() among allocating, calling, opening threads.
sanitized_check tsan -fsanitize=thread tests/faults/fork-stress

fuzz=$work/asan/tests/fuzz/fuzz-api
if timeout 600 make -C "$work/asan" -s tests/fuzz/fuzz-api "${asan_make[@]}" \
        >"$work/fuzz.build" 2>&1; then
    # The seeds first, one by one: they must all pass as they are.
    fuzz_prefix=$(sanitizer_run_prefix clang "-fsanitize=address,undefined")
    # shellcheck disable=SC2086
    if $fuzz_prefix "$fuzz" tests/fuzz/corpus/* >"$work/fuzz-seeds.log" 2>&1; then
        stage_pass "fuzz: seed corpus ($(ls tests/fuzz/corpus | wc -l) inputs)"
    else
        stage_fail "fuzz: seed corpus"; grep -E 'ERROR|contract' "$work/fuzz-seeds.log" | head
    fi
    mkdir -p "$work/fuzz-corpus" "$work/fuzz-artifacts"
    cp tests/fuzz/corpus/* "$work/fuzz-corpus/"
    # shellcheck disable=SC2086
    timeout $((fuzz_seconds + 120)) $fuzz_prefix "$fuzz" -max_total_time="$fuzz_seconds" \
        -max_len=128 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$work/fuzz-artifacts/" "$work/fuzz-corpus" \
        >"$work/fuzz.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
    if [ $rc -eq 0 ] && [ -z "$(ls "$work/fuzz-artifacts")" ]; then
        stage_pass "fuzz: ${fuzz_seconds}s, ${runs:-?} executions, no finding"
    else
        stage_fail "fuzz: finding (exit $rc), inputs in $work/fuzz-artifacts"
        grep -E -A12 'ERROR|contract broken' "$work/fuzz.log" | head -40
    fi
else
    tail -20 "$work/fuzz.build"; stage_fail "fuzz build"
fi

stage_end
