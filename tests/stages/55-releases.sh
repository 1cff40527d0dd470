#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The simulated suites and the release tarball on every other supported
# Debian release (its gcc, its glibc, its Xen headers): in that
# release's cached root (tests/stages/roots.sh), configure
# --enable-werror, make check (each test counted as in stage 10) and
# make distcheck. The machine's own release is what stages 10 and 50 do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
stage_begin releases
host=$(host_release)
work=$(stage_work_dir releases)
release_overlays_end_at_exit "$work"
# COMMANDS LOG: run in the current release's root, output to $ov/LOG.log.
in_root() { timeout 1200 chroot "$ov/root" sh -c "$1" >"$ov/$2.log" 2>&1; }

for release in $XENCALL_RELEASES; do
    [ "$release" = "$host" ] && continue
    start=$SECONDS
    ov=$work/$release
    if ! pristine=$(release_root "$release") || ! release_overlay "$pristine" "$ov"; then
        stage_fail "$release: cannot make its root"
        continue
    fi
    echo "$release: root ready ($((SECONDS - start)) s): $(chroot "$ov/root" gcc --version | head -n1)," \
         "glibc $(package_version "$ov/root" libc6), libxen-dev $(package_version "$ov/root" libxen-dev)"
    copy_tree "$ov/root/tmp/src"
    start=$SECONDS
    if in_root "cd /tmp/src && autoreconf -fi && mkdir -p /tmp/build && cd /tmp/build &&
                /tmp/src/configure --enable-werror && make -j$(nproc)" build; then
        stage_pass "$release: configure --enable-werror and make ($((SECONDS - start)) s)"
    else
        tail -n 30 "$ov/build.log"
        stage_fail "$release: configure --enable-werror and make (log: $ov/build.log)"
        release_overlay_end "$ov"
        continue
    fi
    start=$SECONDS
    in_root "cd /tmp/build && make -j$(nproc) check" check ||
        echo "$release: make check failed ($((SECONDS - start)) s)"
    suite_log=$ov/root/tmp/build/test-suite.log
    if [ -f "$suite_log" ]; then
        grep -E '^(FAIL|ERROR|XPASS|SKIP)' "$suite_log" | sed "s/^/$release: /" | head -50
        before=$STAGE_PASS
        stage_add_automake "$suite_log"
        echo "$release: make check: $((STAGE_PASS - before)) tests passed ($((SECONDS - start)) s)"
    else
        grep -E -B2 -A6 'error|warning' "$ov/check.log" | head -40
        stage_fail "$release: make check built no test suite (log: $ov/check.log)"
    fi
    start=$SECONDS
    if in_root "cd /tmp/build && make -j$(nproc) distcheck" distcheck; then
        stage_pass "$release: make distcheck ($((SECONDS - start)) s)"
    else
        tail -n 40 "$ov/distcheck.log"
        stage_fail "$release: make distcheck (log: $ov/distcheck.log)"
    fi
    release_overlay_end "$ov"
done
stage_end
