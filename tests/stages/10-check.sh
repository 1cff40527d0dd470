#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole automake test suite on the main build (-Werror).
. "$(dirname "$0")/lib.sh"
stage_begin check
timeout 1200 make -C "$XENCALL_BUILD" -j"$(nproc)" check >/dev/null 2>&1 ||
    echo "make check failed or timed out after 1200 s"
grep -E '^(FAIL|ERROR|XPASS|SKIP)' "$XENCALL_BUILD/test-suite.log" | head -50
stage_add_automake "$XENCALL_BUILD/test-suite.log"

# The benchmark is no test (no timing is judged), but it must keep
# building with -Werror and every case must run on this library.
bench=$XENCALL_BUILD/bench/xencall-bench
lib=$XENCALL_BUILD/.libs/libxencall.so.1
if make -C "$XENCALL_BUILD" -s bench/xencall-bench >/dev/null 2>&1; then
    stage_pass "bench/xencall-bench builds with the suite's warnings as errors"
    failed_cases=""
    for c in $("$bench" "$lib" cases); do
        "$bench" "$lib" count "$c" 1000 >/dev/null 2>&1 ||
            failed_cases="$failed_cases $c"
    done
    if [ -z "$failed_cases" ]; then
        stage_pass "every benchmark case runs on this library"
    else
        stage_fail "benchmark cases failed:$failed_cases"
    fi
    # What bench/run.sh reads its target lines from: one line per ratio,
    # each a positive number (no timing is judged).
    pairs=$("$bench" "$lib" pairs 2>/dev/null)
    if [ "$(printf '%s\n' "$pairs" | awk -F'\t' '$1 == "pair" && $3 > 0' | wc -l)" -eq 10 ]; then
        stage_pass "the benchmark's paired ratios run and print all 10 ratios"
    else
        stage_fail "the benchmark's paired ratios: $pairs"
    fi
else
    stage_fail "bench/xencall-bench does not build"
fi
stage_end
