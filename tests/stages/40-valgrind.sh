#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stage: uses the main build
# The test suite under valgrind memcheck: any error or definite leak
# makes the program exit non-zero, which fails its tests.
. "$(dirname "$0")/lib.sh"
stage_begin valgrind
command -v valgrind >/dev/null || stage_apt_install valgrind ||
    stage_cannot_run "valgrind cannot be installed: no valgrind run"
vg="timeout -k 10 900 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
vg="$vg --show-leak-kinds=definite --child-silent-after-fork=yes --track-fds=no"
stage_make_check "$XENCALL_BUILD" valgrind LOG_COMPILER="$vg" \
    TESTS_ENVIRONMENT="PROBE_WRAPPER='$vg'; export PROBE_WRAPPER;" \
    TEST_SUITE_LOG=test-suite-valgrind.log
stage_end
