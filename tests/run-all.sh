#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's test command: installs what the build needs, builds the
# tree once, runs every stage in tests/stages/ and closes with the
# total "N passed, N failed, N skipped". Run as root from anywhere.
#   tests/run-all.sh            all stages
#   tests/run-all.sh 10 30      only stages whose names start so
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# The stages' helpers: installing under a time limit, among others.
. tests/stages/lib.sh
# What the build needs, from debian/control's Build-Depends; a stage
# installs what only it needs (clang, valgrind, ...) itself. reuse is
# for make check in a git checkout, which every stage building this
# tree runs (tests/release/licenses.sh; a package build, a tarball or
# a root's copy has no git list and skips it).
build_deps="$(tree_build_packages | tr '\n' ' ') reuse"
echo "== installing build dependencies"
timeout 600 apt-get update -q >/dev/null || echo "warning: apt-get update failed"
# shellcheck disable=SC2086
stage_apt_install $build_deps ||
    { echo "cannot install: $build_deps"; echo "0 passed, 1 failed"; exit 1; }

export XENCALL_BUILD="$top/_build/main"
echo "== building in $XENCALL_BUILD"
mkdir -p "$XENCALL_BUILD"
if ! { autoreconf -fi >/dev/null &&
       (cd "$XENCALL_BUILD" && "$top/configure" --enable-werror -q &&
        make -j"$(nproc)" -s); }; then
    echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

# Stages run two at a time where the machine has two cores or more
# (XENCALL_STAGE_JOBS overrides): much of a stage is one core's work (a
# QEMU boot, the fuzzer, configure, a download) and the other core
# would idle. A stage that builds or tests in the main build says so by
# a line "# stage: uses the main build"; two of those never run at
# once. Each stage's output is shown whole when it ends.
jobs=${XENCALL_STAGE_JOBS:-$(( $(nproc) >= 2 ? 2 : 1 ))}
queue=()
for stage in tests/stages/[0-9]*.sh; do
    name=$(basename "$stage")
    if [ $# -gt 0 ]; then
        wanted=no
        for prefix in "$@"; do
            case "$name" in "$prefix"*) wanted=yes ;; esac
        done
        [ "$wanted" = yes ] || continue
    fi
    queue+=("$stage")
done

uses_main_build() { grep -q '^# stage: uses the main build$' "$1"; }
declare -A running=()   # pid -> stage
main_build_busy=""      # the pid of the stage using the main build
passed=0 failed=0 skipped=0

# Start stage $1 in the background, its output in its .out file.
start_stage() {
    local stage=$1 name out
    name=$(basename "$stage")
    out="$XENCALL_BUILD/../${name%.sh}.out"
    (start=$SECONDS; bash "$stage" >"$out" 2>&1; echo "$((SECONDS - start))" >"$out.took") &
    running[$!]=$stage
    uses_main_build "$stage" && main_build_busy=$!
}

# A stage ended: show its output and add its closing line's counts.
finish_stage() {
    local stage=$1 name out line p f s
    name=$(basename "$stage")
    out="$XENCALL_BUILD/../${name%.sh}.out"
    echo "== $name"
    cat "$out"
    echo "== $name took $(cat "$out.took" 2>/dev/null || echo '?') s"
    line=$(grep -E '^stage [^:]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n1)
    if [ -z "$line" ]; then
        echo "FAIL: $name ended without its result line"
        failed=$((failed + 1))
        return
    fi
    read -r p f s <<<"$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/' <<<"$line")"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

echo "== running ${#queue[@]} stages, $jobs at a time"
while [ ${#queue[@]} -gt 0 ] || [ ${#running[@]} -gt 0 ]; do
    # Start the first waiting stage that may start now, in name order.
    if [ ${#running[@]} -lt "$jobs" ]; then
        for i in "${!queue[@]}"; do
            if [ -n "$main_build_busy" ] && uses_main_build "${queue[$i]}"; then continue; fi
            start_stage "${queue[$i]}"
            unset "queue[$i]"
            queue=("${queue[@]}")
            continue 2
        done
    fi
    wait -n -p ended "${!running[@]}"
    finish_stage "${running[$ended]}"
    [ "$ended" != "$main_build_busy" ] || main_build_busy=""
    unset "running[$ended]"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
