# SPDX-License-Identifier: LGPL-2.1-or-later
# What a dom0 administrator does with xl, and the Xen project's own test
# programs this release ships, run once with Debian's libxencall and
# once with ours in the same boot; the outcomes of every step must be
# the same. Sourced by dom0-init.sh (test mode) with its helpers
# (pass, fail, skip), our_lib and debian_lib, the paths of this libxencall
# and Debian's.
# shellcheck disable=SC2154

toolstack_dir=$(ls -d /usr/lib/xen-[0-9]*/bin | tail -n1)
# Any domain but dom0: a restricted descriptor may only act on that one,
# so the checker's sysctl must be refused.
toolstack_restrict_domid=1

# The newest tick number in guest NAME's console log (0 before any).
last_tick() {
    sed -n 's/.*XENTEST-GUEST-TICK \([0-9]*\).*/\1/p' "/var/log/xen/guest-$1.log" 2>/dev/null |
        tail -n1 | grep . || echo 0
}
ticked_since() { [ "$(last_tick "$1")" -gt "$2" ]; }
# Repeat COMMAND once a second until it succeeds, at most SECONDS times.
wait_until() {
    n=$1
    shift
    while [ "$n" -gt 0 ]; do
        "$@" && return 0
        sleep 1
        n=$((n - 1))
    done
    return 1
}
memory_of() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
memory_at_most() { m=$(memory_of "$1"); [ -n "$m" ] && [ "$m" -le "$2" ]; }
memory_at_least() { m=$(memory_of "$1"); [ -n "$m" ] && [ "$m" -ge "$2" ]; }
state_has() { xl list "$1" 2>/dev/null | awk -v s="$2" 'NR == 2 && index($5, s) { f = 1 } END { exit !f }'; }
# Hundredths of a second since boot, for the save and restore times.
uptime_cs() { tr -d . </proc/uptime | cut -d' ' -f1; }

# One step of WHO's run: a check of its own and a line "STEP ok|failed"
# in $out (toolstack_workflow sets who and out).
step() {
    s=$1
    shift
    if "$@"; then
        pass "toolstack/$who/$s"
        echo "$s ok" >>"$out"
    else
        fail "toolstack/$who/$s"
        echo "$s failed" >>"$out"
    fi
}
not_applicable() {   # STEP WHY
    skip "toolstack/$who/$1 (not applicable: $2)"
    echo "$1 not applicable" >>"$out"
}

# Which libxencall xl loads, by the loader's own record.
toolstack_check_loaded_library() {
    LD_DEBUG=libs xl list 2>/tmp/ld-$who.log >/dev/null
    loaded=$(sed -n 's/.*calling init: \(.*\/libxencall\.so[^ ]*\).*/\1/p' /tmp/ld-$who.log | head -n1)
    echo "XENTEST INFO toolstack/$who: xl loads $loaded"
    # The same step name for both, so that the outcomes compare.
    case $who in
        ours) step xl-loads-the-libxencall-under-test [ "$loaded" = "$our_lib" ] ;;
        *) step xl-loads-the-libxencall-under-test \
               sh -c "[ -n '$loaded' ] && [ '$loaded' != '$our_lib' ]" ;;
    esac
}

# Guest $g made, listed, paused and unpaused, its memory moved.
toolstack_guest_up() {
    step create sh -c "xl create /guest/guest.cfg 'name=\"$g\"' >/tmp/create-$g.log 2>&1"
    step guest-console-line wait_until 120 grep -q XENTEST-GUEST-ALIVE "/var/log/xen/guest-$g.log"
    step list-shows-guest sh -c "xl list | grep -Eq '^$g +[1-9][0-9]* '"
    step vcpu-list sh -c "xl vcpu-list $g | grep -Eq '^$g +[1-9][0-9]* +0 '"
    step pause xl pause "$g"
    step list-shows-paused state_has "$g" p
    tick=$(last_tick "$g")
    step unpause xl unpause "$g"
    step ticks-after-unpause wait_until 60 ticked_since "$g" "$tick"
    step mem-set-down xl mem-set "$g" 96m
    step memory-down wait_until 60 memory_at_most "$g" 100
    step mem-set-up xl mem-set "$g" 128m
    step memory-up wait_until 60 memory_at_least "$g" 124
    echo "XENTEST INFO toolstack/$who: memory after mem-set up: $(memory_of "$g") MiB"
}

# Guest $g saved and restored (where this Xen can), then destroyed.
toolstack_guest_save_and_down() {
    tick=$(last_tick "$g")
    start=$(uptime_cs)
    xl save "$g" "/tmp/$g.save" >"/tmp/save-$g.log" 2>&1
    saved=$?
    echo $(($(uptime_cs) - start)) >"/tmp/save-cs-$who"
    # Xen on Arm has no save/restore: its xl answers so and leaves the
    # guest running. Those steps are not applicable, never passes.
    if [ "$saved" -ne 0 ] && grep -q 'command not implemented' "/tmp/save-$g.log" &&
        xl list "$g" >/dev/null 2>&1; then
        why="xl save says \"$(head -n1 "/tmp/save-$g.log")\": no save/restore in this Xen"
        for s in save gone-after-save restore alive-after-restore; do not_applicable "$s" "$why"; done
    else
        cat "/tmp/save-$g.log"
        step save [ "$saved" -eq 0 ]
        step gone-after-save sh -c "! xl list $g >/dev/null 2>&1"
        start=$(uptime_cs)
        step restore sh -c "xl restore /tmp/$g.save >/tmp/restore-$g.log 2>&1"
        echo $(($(uptime_cs) - start)) >"/tmp/restore-cs-$who"
        rm -f "/tmp/$g.save"
        step alive-after-restore wait_until 60 ticked_since "$g" "$tick"
    fi
    step destroy xl destroy "$g"
    step gone-after-destroy sh -c "! xl list $g >/dev/null 2>&1 && xl list | grep -q '^Domain-0 '"
    grep -q XENTEST-GUEST-ALIVE "/var/log/xen/guest-$g.log" 2>/dev/null ||
        { echo "guest console:"; cat "/var/log/xen/guest-$g.log" /tmp/create-$g.log; }
}

# Xen's own test programs of this release, under WHO's library.
toolstack_xen_tests() {
    # What each printed, with domain numbers left out
    # (they differ between the two runs).
    # One that fails with Debian's library tests this Xen, not the
    # library (Xen 4.20 on Arm gives a new domain no paging pool): not
    # applicable then, for ours too if it fails with the same output.
    for prog in test-resource test-paging-mempool; do
        [ -x "$toolstack_dir/$prog" ] || continue
        "$toolstack_dir/$prog" >"/tmp/$prog-$who.log" 2>&1
        ran=$?
        sed 's/\bd[0-9][0-9]*/dN/g' "/tmp/$prog-$who.log" >"/tmp/$prog-$who.out"
        sed "s|^|XENTEST INFO $prog ($who): |" "/tmp/$prog-$who.out"
        why="Xen's own test fails on this Xen with Debian's libxencall: $(grep -v '^ *$' "/tmp/$prog-debian.out" 2>/dev/null | tail -n1)"
        if [ "$ran" -ne 0 ] && [ "$who" = debian ]; then
            touch "/tmp/$prog-debian.failed"
            not_applicable "$prog" "$why"
        elif [ "$ran" -ne 0 ] && [ -e "/tmp/$prog-debian.failed" ] &&
            cmp -s "/tmp/$prog-debian.out" "/tmp/$prog-$who.out"; then
            not_applicable "$prog" "$why; ours fails the same way"
        else
            step "$prog" [ "$ran" -eq 0 ]
        fi
    done
}

# A restricted process's leaked descriptor, under WHO's library.
toolstack_depriv_check() {
    # The descriptor a restricted process leaks must make no hypercall:
    # the checker finds it blocked (EPERM: privcmd restricted by the
    # kernel, as ours does), or no privcmd any more (ENOTTY: the Xen
    # project's library puts /dev/null in its place, which the checker
    # calls "trouble"). "fail" means the hypercall went through.
    if [ -x "$toolstack_dir/depriv-fd-checker" ]; then
        restricted-fd "$lib" "$toolstack_restrict_domid" from-restricted-process \
            "$toolstack_dir/depriv-fd-checker" >"/tmp/depriv-$who.log" 2>&1
        step depriv-fd-checker-descriptor-blocked sh -c "! grep -q '^privcmd fail ' /tmp/depriv-$who.log &&
            grep -Eq '^privcmd pass |^trouble: privcmd .*: Inappropriate ioctl for device' /tmp/depriv-$who.log"
        sed "s|^|XENTEST INFO depriv-fd-checker ($who): |" "/tmp/depriv-$who.log"
    fi
}

# WHO (debian|ours) LIBXENCALL: every step is a check of its own and a
# line "STEP ok|failed" in /tmp/toolstack-WHO.
toolstack_workflow() {
    who=$1 lib=$2 g=g-$1
    out=/tmp/toolstack-$who
    : >"$out"
    toolstack_check_loaded_library
    toolstack_guest_up
    toolstack_guest_save_and_down
    toolstack_xen_tests
    toolstack_depriv_check
}

for prog in test-resource test-paging-mempool depriv-fd-checker; do
    [ -x "$toolstack_dir/$prog" ] && state=ships || state="does not ship"
    echo "XENTEST INFO this release $state $toolstack_dir/$prog"
done
(unset LD_LIBRARY_PATH; toolstack_workflow debian "$debian_lib")
(LD_LIBRARY_PATH=/opt/xencall/lib; toolstack_workflow ours "$our_lib")
same_test_output() {
    for prog in test-resource test-paging-mempool; do
        [ ! -e "/tmp/$prog-debian.out" ] || cmp -s "/tmp/$prog-debian.out" "/tmp/$prog-ours.out" ||
            return 1
    done
}
if cmp -s /tmp/toolstack-debian /tmp/toolstack-ours && same_test_output; then
    pass "toolstack/same-outcome-debian-and-ours $(wc -l </tmp/toolstack-ours) steps"
else
    fail "toolstack/same-outcome-debian-and-ours"
    diff /tmp/toolstack-debian /tmp/toolstack-ours
    for prog in test-resource test-paging-mempool; do
        [ -e "/tmp/$prog-debian.out" ] && diff "/tmp/$prog-debian.out" "/tmp/$prog-ours.out"
    done
fi
[ -e /tmp/restore-cs-ours ] && [ -e /tmp/restore-cs-debian ] &&
    cat /tmp/save-cs-debian /tmp/restore-cs-debian /tmp/save-cs-ours /tmp/restore-cs-ours | tr '\n' ' ' |
    awk '{ printf "XENTEST INFO xl save / restore of a 128 MiB guest: Debian %.2f s / %.2f s, ours %.2f s / %.2f s\n", $1 / 100, $2 / 100, $3 / 100, $4 / 100 }'
