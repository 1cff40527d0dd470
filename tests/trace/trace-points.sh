#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library's USDT trace points (TAP). Checks the notes of the built
# library: every trace point with its arguments and semaphore when
# configure built them, none with --disable-trace-points. Then, as root
# where the kernel has uprobe_events, attaches to every trace point
# through tracefs, runs trace-driver on the simulated privcmd and checks
# each event's arguments and results against what the driver did.
# Run from the build directory (make check does).
srcdir=${srcdir:-.}
driver=tests/trace/trace-driver
# The trace points live in the shared library, or in the driver itself
# when the build is static (--disable-shared: the sanitizer stages).
lib=$(readlink -f "$driver")
[ -e .libs/libxencall.so.1 ] && lib=$(readlink -f .libs/libxencall.so.1)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

echo "1..5"
notes=$(readelf -n "$lib" 2>/dev/null | grep -c 'Provider: xencall')
if ! grep -q -- '-DXENCALL_TRACE_POINTS=1' Makefile; then
    check "no trace points in a --disable-trace-points build" [ "$notes" -eq 0 ]
    for i in 2 3 4 5; do skip "built without trace points"; done
    exit 0
fi

# A trace point has a site wherever the compiler put a copy of it
# (inlined into two callers, say): one note each.
xencall_sites() { readelf -n "$lib" | awk '$1 == "Provider:" { p = $2 } $1 == "Name:" && p == "xencall" { print $2 }'; }
names=$(xencall_sites | sort -u | tr '\n' ' ')
sites=$(xencall_sites | wc -l)
check "every trace point in the notes ($sites sites of: $names)" \
    [ "$names" = "buffer_alloc buffer_free buffer_unmap hypercall_end hypercall_start restrict " ]
events=$(sh "$srcdir/tests/trace/sdt-uprobes.sh" "$lib" "$lib" "xencall_check_$$")
check "each site converts to a uprobe event with a semaphore and its arguments" \
    [ "$(printf '%s\n' "$events" | grep -c '^p:xencall_check_[0-9]*/[a-z_0-9]* /.*:0x[0-9a-f]*(0x[0-9a-f]*) [a-z0-9]*=')" -eq "$sites" ]

# The kernel's uprobes patch and decode code of its own architecture,
# and fetch its registers: a cross build's library (run under an
# emulator) is not for them.
machine_of() { readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }
if [ "$(machine_of "$lib")" != "$(machine_of "/proc/$$/exe")" ]; then
    for i in 3 4 5; do skip "the library is for $(machine_of "$lib"), this kernel's uprobes for $(machine_of "/proc/$$/exe")"; done
    exit $failed
fi

tracefs=/sys/kernel/tracing
if [ "$(id -u)" != 0 ]; then
    skip "attaching uprobes needs root"; skip "attaching uprobes needs root"; skip "attaching uprobes needs root"
    exit $failed
fi
# Mounted if need be and left mounted, as most systems keep it: another
# test may be tracing through it meanwhile (seen: a concurrent run's
# unmount took this one's instance away mid-test).
if [ ! -e $tracefs/uprobe_events ] && grep -q tracefs /proc/filesystems; then
    mount -t tracefs nodev $tracefs 2>/dev/null
fi
if [ ! -w $tracefs/uprobe_events ]; then
    for i in 3 4 5; do skip "no tracefs uprobe_events on this kernel"; done
    exit $failed
fi

# A group and a trace instance of our own: others may trace at once.
# And a copy of the library of our own: a uprobe breaks into every
# process that maps its file, and a test running under valgrind meanwhile
# would take the breakpoint for its own.
group=xencall_check_$$
instance=$tracefs/instances/$group
private=$(mktemp -d "${TMPDIR:-/tmp}/xencall-trace.XXXXXX") || exit 99
cp "$driver" "$private/trace-driver"
private_lib=$private/trace-driver
if [ "$lib" != "$(readlink -f "$driver")" ]; then
    private_lib=$private/libxencall.so.1
    cp "$lib" "$private_lib"
fi
events=$(sh "$srcdir/tests/trace/sdt-uprobes.sh" "$lib" "$private_lib" "$group")
cleanup() {
    [ -d "$instance" ] && echo 0 >"$instance/events/$group/enable" 2>/dev/null
    [ -d "$instance" ] && rmdir "$instance"
    printf '%s\n' "$events" | sed -n 's/^p:\([^ ]*\).*/-:\1/p' |
        while read -r del; do echo "$del" >>$tracefs/uprobe_events; done
    rm -rf "$private"
}
trap cleanup EXIT
# Only this shell and its children: other tests may run the same
# library meanwhile, and the uprobes fire in every process.
if ! printf '%s\n' "$events" >>$tracefs/uprobe_events || ! mkdir "$instance" ||
        ! echo 1 >"$instance/options/event-fork" || ! echo $$ >"$instance/set_event_pid" ||
        ! echo 1 >"$instance/events/$group/enable"; then
    not_ok "the kernel accepts the uprobe events"
    printf '%s\n' "$events" | sed 's/^/# /'
    skip "no events"; skip "no events"
    exit 1
fi
ok "the kernel accepts the uprobe events"
# An emulator reads the library's code as data and translates it: the
# kernel's breakpoint reaches the program as a SIGTRAP, not an event.
if [ -n "${TEST_EMULATOR:-}" ]; then
    for i in 4 5; do skip "uprobes cannot trace a program run under $TEST_EMULATOR"; done
    exit $failed
fi
# shellcheck disable=SC2086
LD_LIBRARY_PATH=$private timeout 60 ${TEST_EMULATOR:-} "$private/trace-driver" >/dev/null
driver_status=$?
echo 0 >"$instance/events/$group/enable"
# "event args...", each site's event named after its trace point.
trace=$(grep -v '^#' "$instance/trace" |
        sed 's/.*: \([a-z_]*\)\(_[0-9]*\)\{0,1\}: ([^)]*)/\1/')
printf '%s\n' "$trace" | sed 's/^/# /'
check "the traced driver ran as untraced (results and errno unchanged)" [ "$driver_status" -eq 0 ]

expected="hypercall_start op=4096 a1=0x2a a2=0x0 a3=0x0 a4=0x0 a5=0x0
hypercall_end op=4096 result=42 errno=0
hypercall_start op=4096 a1=0xffffffffffffffea a2=0x2 a3=0x3 a4=0x4 a5=0x5
hypercall_end op=4096 result=-1 errno=22
buffer_alloc block=0x0 pages=1 cached=0
buffer_alloc block=BLOCK1 pages=1 cached=0
buffer_free block=BLOCK1 pages=1
buffer_alloc block=BLOCK1 pages=1 cached=1
buffer_free block=BLOCK1 pages=1
buffer_alloc block=0x0 pages=2 cached=0
buffer_unmap block=BLOCK1 pages=1
buffer_alloc block=BLOCK2 pages=2 cached=0
buffer_free block=BLOCK2 pages=2
buffer_alloc block=BLOCK3 pages=200 cached=0
buffer_free block=BLOCK3 pages=200
buffer_unmap block=BLOCK3 pages=200
restrict domid=7 result=0 errno=0"
# Block addresses vary: name them in order of appearance (0, a failed
# mapping's, stays as it is).
seen=$(printf '%s\n' "$trace" | awk '{
    for (i = 2; i <= NF; i++)
        if ($i ~ /^block=/ && $i != "block=0x0") {
            a = substr($i, 7)
            if (!(a in name)) name[a] = "BLOCK" (++blocks)
            $i = "block=" name[a]
        }
    print }')
if [ "$seen" = "$expected" ]; then
    ok "every event, in order, with the driver's arguments and results"
else
    not_ok "every event, in order, with the driver's arguments and results"
    printf '%s\n' "expected:" "$expected" | sed 's/^/# /'
fi
exit $failed
