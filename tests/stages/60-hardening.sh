#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hardening: the fault-injection walk and the hostile-limits test under
# ASan+UBSan+LSan, the fork stress test under TSan, and a bounded
# libFuzzer run (FUZZ_SECONDS, default 120) from tests/fuzz/corpus.
# Every TAP line counts as a check ("not ok ... # TODO" is a known
# defect and counts as skipped, with its reason, "ok ... # TODO" as failed); the fuzz run
# is one check, failed by any finding.
. "$(dirname "$0")/lib.sh"
stage_begin hardening
top=$(pwd)
work="$XENCALL_BUILD/../hardening"
fuzz_seconds=${FUZZ_SECONDS:-120}
mkdir -p "$work"

need=""
command -v clang >/dev/null || need="$need clang"
# The runtime of the release's default clang (14 on Debian 12, 19 on 13).
dpkg -s libclang-rt-dev >/dev/null 2>&1 || need="$need libclang-rt-dev"
if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    stage_apt_install $need || echo "cannot install:$need"
fi

# Count a TAP log's lines into the stage.
add_tap() {
    local name=$1 log=$2 line
    [ -s "$log" ] || { stage_fail "$name: no output"; return; }
    grep -q '^1\.\.[0-9]' "$log" || stage_fail "$name: no plan (crashed?)"
    while IFS= read -r line; do
        case "$line" in
            "not ok "*"# TODO"*) stage_skip "$name: known defect, not yet fixed: ${line#not ok }" ;;
            "ok "*"# TODO"*) stage_fail "$name (TODO now passes, update the test): ${line#ok }" ;;
            "not ok "*) stage_fail "$name: ${line#not ok }" ;;
            "ok "*) STAGE_PASS=$((STAGE_PASS + 1)) ;;
        esac
    done <"$log"
    grep '^# fault points' "$log"
}

# The library's C files as Makefile.am lists them, so this follows the tree.
sources_lib=$(sed -n 's/^\(CORE\|LINUX\|POSIX\)_SOURCES *= *//p' Makefile.am src/linux/local.am | tr ' ' '\n' | grep '\.c$' | tr '\n' ' ')
sources_test="tests/helpers/inject.c tests/helpers/caplog.c tests/helpers/sim/linux.c tests/helpers/sim/xen.c"
base_flags="-g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude -Isrc -Isrc/linux -pthread -Wall -Wextra -Werror"
libs="-lxentoollog -lxentoolcore -ldl -pthread"

# build OUT SANITIZE_LIB SANITIZE_MAIN MAIN_SOURCE: the library with the
# fault wrappers forced in, the simulator, and one test main.
build() {
    local out=$1 lib_san=$2 main_san=$3 main=$4 dir objs="" f o
    dir="$work/obj-$(basename "$out")"
    mkdir -p "$dir"
    for f in $sources_lib; do
        o="$dir/lib-$(basename "$f" .c).o"
        clang $base_flags $lib_san -include tests/helpers/inject.h -c "$f" -o "$o" || return 1
        objs="$objs $o"
    done
    for f in $sources_test; do
        o="$dir/$(basename "$f" .c).o"
        clang $base_flags $main_san -c "$f" -o "$o" || return 1
        objs="$objs $o"
    done
    clang $base_flags $main_san -c "$main" -o "$dir/main.o" || return 1
    # shellcheck disable=SC2086
    clang $main_san -o "$out" $objs "$dir/main.o" $libs
}

asan="-fsanitize=address,undefined -fno-sanitize-recover=all"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

# 1. Every fault point, and the hostile limits, under ASan/UBSan/LSan.
for t in fault-walk limits; do
    if build "$work/$t" "$asan" "$asan" "tests/faults/$t.c" >"$work/$t.build" 2>&1; then
        timeout 600 "$work/$t" >"$work/$t.log" 2>"$work/$t.err"
        rc=$?
        add_tap "$t" "$work/$t.log"
        [ $rc -eq 0 ] || { stage_fail "$t exited $rc"; tail -20 "$work/$t.err"; }
    else
        tail -20 "$work/$t.build"; stage_fail "$t build"
    fi
done

# 2. fork() among allocating, calling, opening threads, under TSan.
if build "$work/fork-stress" "-fsanitize=thread" "-fsanitize=thread" \
        tests/faults/fork-stress.c >"$work/fork-stress.build" 2>&1; then
    timeout 300 "$work/fork-stress" >"$work/fork-stress.log" 2>"$work/fork-stress.err"
    rc=$?
    add_tap fork-stress "$work/fork-stress.log"
    if [ $rc -ne 0 ] || grep -q 'WARNING: ThreadSanitizer' "$work/fork-stress.err"; then
        stage_fail "fork-stress under TSan (exit $rc)"; tail -30 "$work/fork-stress.err"
    fi
else
    tail -20 "$work/fork-stress.build"; stage_fail "fork-stress build"
fi

# 3. The fuzzer: library with coverage, harness and simulator without
# (their loops would only slow it down).
fuzz="$work/fuzz-api"
fdir="$work/obj-fuzz"
mkdir -p "$fdir"
fuzz_ok=yes
objs=""
for f in $sources_lib; do
    o="$fdir/lib-$(basename "$f" .c).o"
    clang $base_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
        -include tests/helpers/inject.h -c "$f" -o "$o" >>"$work/fuzz.build" 2>&1 || fuzz_ok=no
    objs="$objs $o"
done
for f in $sources_test; do
    o="$fdir/$(basename "$f" .c).o"
    clang $base_flags $asan -c "$f" -o "$o" >>"$work/fuzz.build" 2>&1 || fuzz_ok=no
    objs="$objs $o"
done
# shellcheck disable=SC2086
clang $base_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    tests/fuzz/fuzz-api.c $objs $libs -o "$fuzz" >>"$work/fuzz.build" 2>&1 || fuzz_ok=no
if [ $fuzz_ok = yes ]; then
    # The seeds first, one by one: they must all pass as they are.
    if "$fuzz" tests/fuzz/corpus/* >"$work/fuzz-seeds.log" 2>&1; then
        stage_pass "fuzz: seed corpus ($(ls tests/fuzz/corpus | wc -l) inputs)"
    else
        stage_fail "fuzz: seed corpus"; grep -E 'ERROR|contract' "$work/fuzz-seeds.log" | head
    fi
    rm -rf "$work/fuzz-corpus" "$work/fuzz-artifacts"
    mkdir -p "$work/fuzz-corpus" "$work/fuzz-artifacts"
    cp tests/fuzz/corpus/* "$work/fuzz-corpus/"
    timeout $((fuzz_seconds + 120)) "$fuzz" -max_total_time="$fuzz_seconds" \
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
