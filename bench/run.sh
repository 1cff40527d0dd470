#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark this libxencall against Debian's libxencall1 in one run, on
# the simulated privcmd device, and print one table side by side:
# wall-clock ns/op (median, min-max of 7 runs), ours against Debian's
# for every case timed back to back in one process (wall clock and
# thread CPU time), the ratios the targets are read from, and
# instructions per op counted by callgrind. Timed threads are pinned,
# one per CPU. Then the cost of the trace points: the same instruction
# counts from a build configured --disable-trace-points, side by side.
# The paired ratios and every target come from bench/targets.
# Run as root from anywhere:  bench/run.sh
# XENCALL_BUILD may name an existing configured build directory.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/stages/lib.sh"
build=${XENCALL_BUILD:-$top/_build/bench}
targets=$top/bench/targets
count_ops=2000

need=""
dpkg -s libxencall1 >/dev/null 2>&1 || need="$need libxencall1"
command -v valgrind >/dev/null || need="$need valgrind"
dpkg -s systemtap-sdt-dev >/dev/null 2>&1 ||
    need="$need systemtap-sdt-dev"
if [ -n "$need" ]; then
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    stage_apt_install $need
fi
debian_lib=$(debian_library /)
if [ ! -f "$build/Makefile" ]; then
    mkdir -p "$build"
    (cd "$top" && autoreconf -fi >/dev/null)
    (cd "$build" && "$top/configure" -q)
fi
make -C "$build" -s -j"$(nproc)" libxencall.la bench/xencall-bench >/dev/null
bench=$build/bench/xencall-bench
ours=$(built_library "$build")
# The same tree without trace points, for their cost.
notrace_build=${build%/}-notrace
if [ ! -f "$notrace_build/Makefile" ]; then
    mkdir -p "$notrace_build"
    (cd "$notrace_build" && "$top/configure" -q --disable-trace-points)
fi
make -C "$notrace_build" -s -j"$(nproc)" libxencall.la >/dev/null
ours_notrace=$(built_library "$notrace_build")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

"$bench" "$ours" time >"$work/ours.time"
"$bench" "$debian_lib" time >"$work/debian.time"
"$bench" "$ours" pairs "$targets" >"$work/ours.pairs"
"$bench" "$debian_lib" pairs "$targets" >"$work/debian.pairs"
"$bench" "$ours" "$debian_lib" versus >"$work/versus"

# Instructions per op under callgrind: all of them, and those executed
# inside the library's own object (its overhead, whatever the simulated
# kernel and libc cost).
instructions() {   # LIB CASE [OPS] -> "total own", per op
    local real ops=${3:-$count_ops}
    real=$(readlink -f "$1")
    valgrind -q --tool=callgrind --collect-atstart=no \
        --toggle-collect=measured_loop --callgrind-out-file="$work/cg.out" \
        "$bench" "$1" count "$2" "$ops" >/dev/null 2>&1
    callgrind_annotate --threshold=100 "$work/cg.out" 2>/dev/null |
        awk -v n="$ops" -v lib="[$real]" '
            /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
            index($0, lib) { v = $1; gsub(",", "", v); own += v }
            END { printf "%.4f\t%.4f\n", total / n, own / n }'
}
# Per op exactly, without the warm-up and setup a single count spreads
# over its ops: the growth from count_ops to 3 * count_ops, per op.
instructions_per_op() {   # LIB CASE -> "total own"
    printf '%s\t%s\n' "$(instructions "$1" "$2")" "$(instructions "$1" "$2" $((3 * count_ops)))" |
        awk -F'\t' '{ printf "%.2f\t%.2f\n", ($3 * 3 - $1) / 2, ($4 * 3 - $2) / 2 }'
}
for c in $("$bench" "$ours" cases); do
    printf '%s\t%s\t%s\n' "$c" "$(instructions "$ours" "$c")" \
        "$(instructions "$debian_lib" "$c")"
done >"$work/instr"
trace_cases="xencall1 xencall5 alloc_64B/dev"
for c in $trace_cases; do
    printf '%s\t%s\t%s\n' "$c" "$(instructions_per_op "$ours" "$c")" \
        "$(instructions_per_op "$ours_notrace" "$c")"
done >"$work/trace"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "libxencall benchmark, $(date -u +%Y-%m-%d), $cpu, $(nproc) cores"
echo "simulated privcmd device; 'dev' = buffer device, 'locked' = locked anonymous memory;"
echo "timed threads pinned one per CPU; two-thread figures are per thread, the slower thread's;"
echo "vs Debian: ours/Debian's ns/op, median of 31 rounds each timing both back to back in one"
echo "process, in wall-clock and in thread CPU time (which time spent descheduled does not reach)"
echo
awk '
    FILENAME == ARGV[1] && $1 == "ratio" { target[$2] = $5; ratio[++nr] = $2; what[$2] = $3 " / " $4; next }
    FILENAME == ARGV[1] && $1 == "limit" { limit[$2] = $3; next }
    FILENAME == ARGV[1] { next }
    FILENAME ~ /ours.time/   { om[$1] = $2; olo[$1] = $3; ohi[$1] = $4; oc[$1] = $5; order[++n] = $1; next }
    FILENAME ~ /debian.time/ { dm[$1] = $2; dlo[$1] = $3; dhi[$1] = $4; dc[$1] = $5; next }
    FILENAME ~ /ours.pairs/  { op[$2] = $3; oplo[$2] = $4; ophi[$2] = $5; rounds = $6; next }
    FILENAME ~ /debian.pairs/ { dp[$2] = $3; next }
    FILENAME ~ /versus/      { vw[$2] = $3; vc[$2] = $6; next }
    { oi[$1] = $2; oown[$1] = $3; di[$1] = $4; down[$1] = $5 }
    END {
        printf "%-22s %24s %24s %15s %10s %10s %7s\n", "case", "ours ns/op (min-max)",
               "debian ns/op (min-max)", "vs Debian", "ours ins", "deb ins", "ratio"
        printf "%-22s %24s %24s %7s %7s\n", "", "", "", "wall", "cpu"
        worst_wall = worst_cpu = 0
        for (i = 1; i <= n; i++) {
            c = order[i]
            ins = (c in oi) ? sprintf("%10d %10d %7.3f", oi[c], di[c], di[c] ? oi[c] / di[c] : 0) \
                            : sprintf("%10s %10s %7s", "-", "-", "-")
            printf "%-22s %9.1f (%5.1f-%6.1f) %9.1f (%5.1f-%6.1f) %7.3f %7.3f %s\n", c,
                   om[c], olo[c], ohi[c], dm[c], dlo[c], dhi[c], vw[c], vc[c], ins
            # raw_ioctl and the memset rows run no library: the machine alone.
            if (c !~ /^(memset|raw_ioctl)/) {
                if (vw[c] > worst_wall) { worst_wall = vw[c]; worst_wall_case = c }
                if (vc[c] > worst_cpu) { worst_cpu = vc[c]; worst_cpu_case = c }
            }
        }
        print ""
        print "targets (ours):"
        printf "  every library row at least as fast as Debian'"'"'s, vs Debian paired: slowest wall %.3f (%s), slowest thread CPU %.3f (%s) (target <= %s)\n",
               worst_wall, worst_wall_case, worst_cpu, worst_cpu_case, limit["versus-debian"]
        printf "  64 B alloc+free instructions vs Debian: %.3f (target <= %s)\n", oi["alloc_64B/dev"] / di["alloc_64B/dev"],
               limit["alloc-64B-instructions"]
        printf "  2 threads on one handle vs 1 thread, ns/op per thread, paired (%d rounds): median %.2fx (%.2f-%.2f) (target <= %sx; Debian %.2fx)\n",
               rounds, op["shared/one"], oplo["shared/one"], ophi["shared/one"], target["shared/one"], dp["shared/one"]
        printf "    controls, paired the same way: 2 threads on their own handles %.2fx, bare memset in 2 threads (no library) %.2fx\n",
               op["own/one"], op["memset2/memset1"]
        printf "    one handle vs own handles, paired (what sharing the handle costs): %.2fx (Debian %.2fx)\n",
               op["shared/own"], dp["shared/own"]
        shown["shared/one"] = shown["own/one"] = shown["memset2/memset1"] = shown["shared/own"] = 1
        printf "    unpaired, from the table: wall median %.2fx, thread CPU time %.2fx (Debian %.2fx / %.2fx)\n",
               om["alloc_64B/2thr_shared"] / om["alloc_64B/dev"], oc["alloc_64B/2thr_shared"] / oc["alloc_64B/dev"],
               dm["alloc_64B/2thr_shared"] / dm["alloc_64B/dev"], dc["alloc_64B/2thr_shared"] / dc["alloc_64B/dev"]
        split("3p 8p 64p", sz, " ")
        for (j = 1; j <= 3; j++) {
            d = sz[j] "/dev"; l = sz[j] "/locked"
            printf "  alloc %-4s vs bare memset, paired: dev %.2fx (%.2f-%.2f), locked %.2fx (%.2f-%.2f); unpaired medians %.2fx / %.2fx; instructions %.3fx (target <= %sx; Debian paired %.1fx / %.1fx)\n", sz[j],
                   op[d], oplo[d], ophi[d], op[l], oplo[l], ophi[l],
                   om["alloc_" d] / om["memset_" sz[j]], om["alloc_" l] / om["memset_" sz[j]],
                   oi["alloc_" d] / oi["memset_" sz[j]], target[d] == target[l] ? target[d] : target[d] " / " target[l],
                   dp[d], dp[l]
            shown[d] = shown[l] = 1
        }
        # A ratio bench/targets adds, in general words.
        for (j = 1; j <= nr; j++)
            if (!(ratio[j] in shown))
                printf "  %s (%s), paired: median %.2fx (%.2f-%.2f) (%s; Debian %.2fx)\n", ratio[j], what[ratio[j]],
                       op[ratio[j]], oplo[ratio[j]], ophi[ratio[j]],
                       target[ratio[j]] == "-" ? "a control" : "target <= " target[ratio[j]] "x", dp[ratio[j]]
        split("xencall1 xencall5", cl, " ")
        for (j = 1; j <= 2; j++)
            printf "  %s: instructions inside the library per call: ours %d, Debian %d (target: ours <= Debian)\n", cl[j],
                   oown[cl[j]], down[cl[j]]
    }' "$targets" FS='\t' "$work/ours.time" "$work/debian.time" "$work/ours.pairs" "$work/debian.pairs" \
    "$work/versus" "$work/instr"
# Trace points: instructions per op with them and without.
readelf -n "$ours" | grep -q 'Provider: xencall' || echo "warning: $ours has no trace points"
echo
awk '
    BEGIN { printf "trace points, callgrind instructions per op (all / inside the library):\n"
            printf "%-32s %17s %17s %12s\n", "case", "with", "without", "difference" }
    FILENAME == ARGV[1] { if ($1 == "limit" && $2 == "trace-points") limit = $3; next }
    { label = $1 == "alloc_64B/dev" ? "alloc_64B/dev (64 B alloc+free)" : $1
      printf "%-32s %8.1f / %6.1f %8.1f / %6.1f %+12.1f\n", label, $2, $3, $4, $5, $2 - $4
      worst = ($2 - $4 > worst) ? $2 - $4 : worst }
    END { printf "  trace points cost at most %+.1f instructions per op when nobody traces (target <= +%s)\n", worst, limit }
' "$targets" FS='\t' "$work/trace"
