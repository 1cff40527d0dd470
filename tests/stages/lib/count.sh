# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Counting a stage's checks and the closing line tests/run-all.sh reads
# (the stage contract, README.md). Sourced by lib.sh.

stage_begin() { STAGE_NAME=$1; STAGE_PASS=0; STAGE_FAIL=0; STAGE_SKIP=0; }
stage_pass() { STAGE_PASS=$((STAGE_PASS + 1)); echo "PASS: $STAGE_NAME: $*"; }
stage_fail() { STAGE_FAIL=$((STAGE_FAIL + 1)); echo "FAIL: $STAGE_NAME: $*"; }
stage_skip() { STAGE_SKIP=$((STAGE_SKIP + 1)); echo "SKIP: $STAGE_NAME: $*"; }

# Add automake's counts from a finished `make check` (its test-suite.log
# summary): XFAIL counts as passed, XPASS and ERROR as failed.
stage_add_automake() {
    local log=$1 total pass fail skip xfail xpass error
    pass=$(sed -n 's/^# PASS: *//p' "$log" | head -n1)
    skip=$(sed -n 's/^# SKIP: *//p' "$log" | head -n1)
    xfail=$(sed -n 's/^# XFAIL: *//p' "$log" | head -n1)
    fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -n1)
    xpass=$(sed -n 's/^# XPASS: *//p' "$log" | head -n1)
    error=$(sed -n 's/^# ERROR: *//p' "$log" | head -n1)
    total=$(sed -n 's/^# TOTAL: *//p' "$log" | head -n1)
    if [ -z "$total" ]; then
        stage_fail "no test summary in $log"
        return
    fi
    STAGE_PASS=$((STAGE_PASS + ${pass:-0} + ${xfail:-0}))
    STAGE_FAIL=$((STAGE_FAIL + ${fail:-0} + ${xpass:-0} + ${error:-0}))
    STAGE_SKIP=$((STAGE_SKIP + ${skip:-0}))
}

# Something the stage needs is missing: a failure under CI, which must
# run every check, a skip elsewhere. Either way the stage ends here.
stage_cannot_run() {
    if [ "${CI:-}" = true ]; then stage_fail "$*"; else stage_skip "$*"; fi
    stage_end
    exit
}

stage_end() {
    echo "stage $STAGE_NAME: $STAGE_PASS passed, $STAGE_FAIL failed, $STAGE_SKIP skipped"
    [ "$STAGE_FAIL" -eq 0 ]
}
