#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole automake test suite on the main build (-Werror).
. "$(dirname "$0")/lib.sh"
stage_begin check
timeout 1200 make -C "$XENCALL_BUILD" -j"$(nproc)" check >/dev/null 2>&1 ||
    echo "make check failed or timed out after 1200 s"
grep -E '^(FAIL|ERROR|XPASS|SKIP)' "$XENCALL_BUILD/test-suite.log" | head -50
stage_add_automake "$XENCALL_BUILD/test-suite.log"
stage_end
