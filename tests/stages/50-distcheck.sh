#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stage: uses the main build
# The release tarball builds, tests, installs and uninstalls cleanly.
. "$(dirname "$0")/lib.sh"
stage_begin distcheck
if timeout 1200 make -C "$XENCALL_BUILD" -j"$(nproc)" distcheck >"$XENCALL_BUILD/distcheck.out" 2>&1; then
    stage_pass "make distcheck"
else
    tail -40 "$XENCALL_BUILD/distcheck.out"
    stage_fail "make distcheck"
fi
stage_end
