#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark this libxencall against Debian's libxencall1 in one run, on
# the simulated privcmd device, and print one table side by side:
# wall-clock ns/op (median, min-max of 7 runs), ours against Debian's
# for every case timed back to back in one process (wall clock and
# thread CPU time), the ratios the targets are read from, and
# instructions per op counted by callgrind. Timed threads are pinned,
# one per CPU.
# Run as root from anywhere:  bench/run.sh
# XENCALL_BUILD may name an existing configured build directory.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${XENCALL_BUILD:-$top/_build/bench}
debian_lib=/lib/x86_64-linux-gnu/libxencall.so.1
count_ops=2000

need=""
[ -e "$debian_lib" ] || need="$need libxencall1"
command -v valgrind >/dev/null || need="$need valgrind"
if [ -n "$need" ]; then
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null
fi
if [ ! -f "$build/Makefile" ]; then
    mkdir -p "$build"
    (cd "$top" && autoreconf -fi >/dev/null)
    (cd "$build" && "$top/configure" -q)
fi
make -C "$build" -s -j"$(nproc)" libxencall.la bench/xencall-bench >/dev/null
bench=$build/bench/xencall-bench
ours=$build/.libs/libxencall.so.1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

"$bench" "$ours" time >"$work/ours.time"
"$bench" "$debian_lib" time >"$work/debian.time"
"$bench" "$ours" pairs >"$work/ours.pairs"
"$bench" "$debian_lib" pairs >"$work/debian.pairs"
"$bench" "$ours" "$debian_lib" versus >"$work/versus"

# Instructions per op under callgrind: all of them, and those executed
# inside the library's own object (its overhead, whatever the simulated
# kernel and libc cost).
instructions() {   # LIB CASE -> "total own"
    local real
    real=$(readlink -f "$1")
    valgrind -q --tool=callgrind --collect-atstart=no \
        --toggle-collect=measured_loop --callgrind-out-file="$work/cg.out" \
        "$bench" "$1" count "$2" "$count_ops" >/dev/null 2>&1
    callgrind_annotate --threshold=100 "$work/cg.out" 2>/dev/null |
        awk -v n="$count_ops" -v lib="[$real]" '
            /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
            index($0, lib) { v = $1; gsub(",", "", v); own += v }
            END { printf "%.0f\t%.0f\n", total / n, own / n }'
}
for c in $("$bench" "$ours" cases); do
    printf '%s\t%s\t%s\n' "$c" "$(instructions "$ours" "$c")" \
        "$(instructions "$debian_lib" "$c")"
done >"$work/instr"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "libxencall benchmark, $(date -u +%Y-%m-%d), $cpu, $(nproc) cores"
echo "simulated privcmd device; 'dev' = buffer device, 'locked' = locked anonymous memory;"
echo "timed threads pinned one per CPU; two-thread figures are per thread, the slower thread's;"
echo "vs Debian: ours/Debian's ns/op, median of 31 rounds each timing both back to back in one"
echo "process, in wall-clock and in thread CPU time (which time spent descheduled does not reach)"
echo
awk -F'\t' '
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
        printf "  every library row at least as fast as Debian'"'"'s, vs Debian paired: slowest wall %.3f (%s), slowest thread CPU %.3f (%s) (target <= 1.000)\n",
               worst_wall, worst_wall_case, worst_cpu, worst_cpu_case
        printf "  64 B alloc+free instructions vs Debian: %.3f (target <= 0.100)\n", oi["alloc_64B/dev"] / di["alloc_64B/dev"]
        printf "  2 threads on one handle vs 1 thread, ns/op per thread, paired (%d rounds): median %.2fx (%.2f-%.2f) (target <= 1.2x; Debian %.2fx)\n",
               rounds, op["shared/one"], oplo["shared/one"], ophi["shared/one"], dp["shared/one"]
        printf "    controls, paired the same way: 2 threads on their own handles %.2fx, bare memset in 2 threads (no library) %.2fx\n",
               op["own/one"], op["memset2/memset1"]
        printf "    one handle vs own handles, paired (what sharing the handle costs): %.2fx (Debian %.2fx)\n",
               op["shared/own"], dp["shared/own"]
        printf "    unpaired, from the table: wall median %.2fx, thread CPU time %.2fx (Debian %.2fx / %.2fx)\n",
               om["alloc_64B/2thr_shared"] / om["alloc_64B/dev"], oc["alloc_64B/2thr_shared"] / oc["alloc_64B/dev"],
               dm["alloc_64B/2thr_shared"] / dm["alloc_64B/dev"], dc["alloc_64B/2thr_shared"] / dc["alloc_64B/dev"]
        split("3p 8p 64p", sz, " ")
        for (j = 1; j <= 3; j++) {
            d = sz[j] "/dev"; l = sz[j] "/locked"
            printf "  alloc %-4s vs bare memset, paired: dev %.2fx (%.2f-%.2f), locked %.2fx (%.2f-%.2f); unpaired medians %.2fx / %.2fx; instructions %.3fx (target <= 1.5x; Debian paired %.1fx / %.1fx)\n", sz[j],
                   op[d], oplo[d], ophi[d], op[l], oplo[l], ophi[l],
                   om["alloc_" d] / om["memset_" sz[j]], om["alloc_" l] / om["memset_" sz[j]],
                   oi["alloc_" d] / oi["memset_" sz[j]], dp[d], dp[l]
        }
        split("xencall1 xencall5", cl, " ")
        for (j = 1; j <= 2; j++)
            printf "  %s: instructions inside the library per call: ours %d, Debian %d (target: ours <= Debian)\n", cl[j],
                   oown[cl[j]], down[cl[j]]
    }' "$work/ours.time" "$work/debian.time" "$work/ours.pairs" "$work/debian.pairs" \
    "$work/versus" "$work/instr"
