#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# In dom0 (called by dom0-init.sh, our library on LD_LIBRARY_PATH):
# attaches the kernel's uprobes to this library's USDT trace points
# through tracefs, with the event definitions run.sh computed on the
# host from the library's notes (tests/trace/sdt-uprobes.sh), runs
# Debian's `xl list`, `xl -vvv info` and `xl vcpu-list`, and checks that
# the trace shows their real hypercalls (sysctl, xen_version, domctl)
# with results. Prints the trace of `xl list`, what each command called,
# and the cache statistics of `xl info` as XENTEST INFO lines.
events=/opt/xencall/uprobe_events
t=/sys/kernel/tracing
pass() { echo "XENTEST PASS trace/$*"; }
fail() { echo "XENTEST FAIL trace/$*"; }
# Set when probed programs cannot run here: the checks that need a
# probe hit are then not applicable, with this reason.
unprobeable=''
check() {
    name=$1
    shift
    if [ -n "$unprobeable" ]; then echo "XENTEST SKIP trace/$name (not applicable: $unprobeable)"
    elif "$@"; then pass "$name"; else fail "$name"; fi
}

# Names of the hypercalls a toolstack makes (xen/xen.h).
op_names='12 memory_op 13 multicall 17 xen_version 20 grant_table_op 27 xsm_op
 29 sched_op 32 event_channel_op 33 physdev_op 34 hvm_op 35 sysctl 36 domctl 41 dm_op
 42 hypfs_op'

# One event a line, in order, without the task, CPU and time columns:
# "hypercall_end op=35(sysctl) result=0 errno=0".
readable_trace() {   # TRACE_FILE
    grep -v '^#' "$1" | awk -v names="$op_names" '
        BEGIN { n = split(names, w, /[ \n]+/); for (i = 1; i < n; i += 2) name[w[i]] = w[i + 1] }
        {
            for (i = 1; i <= NF; i++) if ($i ~ /^[a-z_0-9]+:$/ && $(i + 1) ~ /^\(0x/) break
            ev = substr($i, 1, length($i) - 1); sub(/_[0-9]+$/, "", ev); out = ev
            for (j = i + 2; j <= NF; j++) {
                out = out " " $j
                if ($j ~ /^op=/ && (substr($j, 4) in name)) out = out "(" name[substr($j, 4)] ")"
            }
            print out
        }'
}

# What the hypercalls of a trace were: "35(sysctl) x4 (results: 0 0 0 0)".
summary() {   # READABLE_TRACE
    awk '$1 == "hypercall_end" {
            split($2, o, /[=(]/); op = o[2] "(" (o[3] ? substr(o[3], 1, length(o[3]) - 1) : "?") ")"
            split($3, r, "="); split($4, e, "=")
            count[op]++; res[op] = res[op] " " r[2] (e[2] != 0 ? "/errno " e[2] : "")
        }
        END { for (op in count) printf "%s x%d (results:%s)\n", op, count[op], res[op] }' "$1"
}

if ! [ -s $events ]; then
    fail "events-computed (this build has no trace points, or readelf failed on the host)"
    exit 0
fi
[ -e $t/uprobe_events ] || mount -t tracefs nodev $t
check uprobe-events-accepted sh -c "cat $events >$t/uprobe_events"
[ -d $t/events/xencall ] || exit 0

# Linux steps a probed instruction out of line with the CPU's
# single-step, unless it can emulate it (not a nop before Linux 6.13 on
# arm64). Xen on Arm gives its guests no single-step (it makes
# MDSCR_EL1 read as zero and ignores writes), so there a probed
# program dies at its first probe hit. A probe on busybox's entry (a
# nop there, as a USDT site is) tells, whatever the library does.
canary=/opt/xencall/uprobe_canary
if [ -s $canary ] && cat $canary >>$t/uprobe_events; then
    echo 1 >$t/events/canary/enable
    /bin/busybox true
    status=$?
    echo 0 >$t/events/canary/enable
    echo "-:canary/entry" >>$t/uprobe_events
    [ "$status" -eq 0 ] ||
        unprobeable="busybox probed at its entry ended with status $status: this kernel cannot step a probed instruction here ($(uname -m))"
    echo "XENTEST INFO trace: a program probed at its entry runs here: $([ -z "$unprobeable" ] && echo yes || echo "no, status $status")"
fi

traced() {   # OUT_PREFIX COMMAND...: run with every trace point enabled
    out=$1
    shift
    if [ -n "$unprobeable" ]; then : >"$out.trace"; return 0; fi
    echo >$t/trace
    echo 1 >$t/events/xencall/enable
    "$@" >"$out.stdout" 2>"$out.stderr"
    status=$?
    echo 0 >$t/events/xencall/enable
    cp $t/trace "$out.raw"
    readable_trace "$out.raw" >"$out.trace"
    return $status
}

traced /tmp/trace-list xl list
check xl-list-runs-traced grep -Eq '^Domain-0 +0 ' /tmp/trace-list.stdout
check xl-list-sysctl-with-result grep -Eq '^hypercall_end op=35\(sysctl\) result=[0-9]+ errno=0' /tmp/trace-list.trace
check xl-list-every-start-ended sh -c \
    '[ "$(grep -c ^hypercall_start /tmp/trace-list.trace)" -gt 0 ] &&
     [ "$(grep -c ^hypercall_start /tmp/trace-list.trace)" -eq "$(grep -c ^hypercall_end /tmp/trace-list.trace)" ]'
check xl-list-buffers-traced grep -q '^buffer_alloc' /tmp/trace-list.trace
sed 's/^/XENTEST INFO trace of xl list: /' /tmp/trace-list.trace

# -vvv: xl's logger at debug level, so close's cache statistics show.
traced /tmp/trace-info xl -vvv info
check xl-info-runs-traced grep -Eq '^xen_major +: 4$' /tmp/trace-info.stdout
check xl-info-xen_version-with-result grep -Eq '^hypercall_end op=17\(xen_version\) result=[0-9]+ errno=0' /tmp/trace-info.trace
check xl-info-sysctl-with-result grep -Eq '^hypercall_end op=35\(sysctl\) result=[0-9]+ errno=0' /tmp/trace-info.trace
summary /tmp/trace-info.trace | sed 's/^/XENTEST INFO hypercalls of xl info: /'
check xl-info-cache-statistics grep -q 'xencall: debug: buffer cache: ' /tmp/trace-info.stderr
grep -s 'buffer cache: ' /tmp/trace-info.stderr | sed 's/^/XENTEST INFO statistics of xl info: /'
summary /tmp/trace-list.trace | sed 's/^/XENTEST INFO hypercalls of xl list: /'

# Per-domain questions are domctls.
traced /tmp/trace-vcpu xl vcpu-list Domain-0
check xl-vcpu-list-domctl-with-result grep -Eq '^hypercall_end op=36\(domctl\) result=[0-9]+ errno=0' /tmp/trace-vcpu.trace
summary /tmp/trace-vcpu.trace | sed 's/^/XENTEST INFO hypercalls of xl vcpu-list: /'

# Detach: the semaphores drop back, untraced calls skip the traced path.
echo >$t/uprobe_events
if [ ! -s $t/uprobe_events ]; then pass events-removed; else fail events-removed; fi
