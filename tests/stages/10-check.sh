#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stage: uses the main build
# The whole automake test suite on the main build (-Werror).
. "$(dirname "$0")/lib.sh"
stage_begin check
stage_make_check "$XENCALL_BUILD" main

# The benchmark is no test (no timing is judged), but it must keep
# building with -Werror and every case must run on this library.
bench=$XENCALL_BUILD/bench/xencall-bench
lib=$(built_library "$XENCALL_BUILD")
targets=bench/targets
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
    # Every ratio bench/targets names (what bench/run.sh reads its
    # target lines from) is timed and printed, a positive number; no
    # timing is judged.
    pairs=$("$bench" "$lib" pairs "$targets" 2>&1)
    missing=$(printf '%s\n' "$pairs" | awk '
        NR == FNR { if ($1 == "pair" && $3 > 0) timed[$2] = 1; next }
        $1 == "ratio" { n++; if (!($2 in timed)) printf " %s", $2 }
        END { if (!n) printf " (no ratio line)" }' - "$targets")
    if [ -z "$missing" ]; then
        stage_pass "the benchmark times every paired ratio of $targets ($(grep -c '^ratio ' "$targets")), each positive"
    else
        stage_fail "ratios of $targets not timed or not positive:$missing; the benchmark said: $pairs"
    fi
else
    stage_fail "bench/xencall-bench does not build"
fi
stage_end
