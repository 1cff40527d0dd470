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

build_deps="build-essential autoconf automake libtool pkg-config libxen-dev
 libcmocka-dev valgrind clang libclang-rt-dev mandoc groff-base
 systemtap-sdt-dev"
# The stages' helpers: installing under a time limit, among others.
. tests/stages/lib.sh
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

passed=0 failed=0 skipped=0
for stage in tests/stages/[0-9]*.sh; do
    name=$(basename "$stage")
    if [ $# -gt 0 ]; then
        wanted=no
        for prefix in "$@"; do
            case "$name" in "$prefix"*) wanted=yes ;; esac
        done
        [ "$wanted" = yes ] || continue
    fi
    echo "== $name"
    out="$XENCALL_BUILD/../${name%.sh}.out"
    start=$SECONDS
    bash "$stage" 2>&1 | tee "$out"
    echo "== $name took $((SECONDS - start)) s"
    line=$(grep -E '^stage [^:]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n1)
    if [ -z "$line" ]; then
        echo "FAIL: $name ended without its result line"
        failed=$((failed + 1))
        continue
    fi
    read -r p f s <<<"$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/' <<<"$line")"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
