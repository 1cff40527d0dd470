# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Building this tree elsewhere: configured builds beside the main one,
# their make check, the sanitizers' settings. Sourced by lib.sh.

# Configure this tree in DIR (made if needed) with ARGS... and
# --enable-werror, then build it, under time limits, output in
# DIR/build.out. On failure its end is shown and a check named WHAT
# fails; returns non-zero then.
stage_configure_build() {
    local dir=$1 what=$2 top
    shift 2
    top=$(pwd)
    mkdir -p "$dir"
    (cd "$dir" && timeout 600 "$top/configure" -q --enable-werror "$@" &&
        timeout 1200 make -j"$(nproc)" -s) >"$dir/build.out" 2>&1 && return 0
    tail -30 "$dir/build.out"
    stage_fail "$what: configure --enable-werror and make (log: $dir/build.out)"
    return 1
}

# `make check` in the configured build DIR under a time limit, with
# make's VAR=VALUE arguments if any; its failures are shown and its
# counts join the stage. WHAT names the build in messages. The summary
# is read from test-suite.log, or the TEST_SUITE_LOG an argument names.
# STAGE_RUN_PREFIX, if set, is put before make (sanitizer_run_prefix).
stage_make_check() {
    local dir=$1 what=$2 arg log=test-suite.log
    shift 2
    for arg in "$@"; do
        case $arg in TEST_SUITE_LOG=*) log=${arg#TEST_SUITE_LOG=} ;; esac
    done
    # shellcheck disable=SC2086
    ${STAGE_RUN_PREFIX:-} timeout 1800 make -C "$dir" -j"$(nproc)" check "$@" \
        >"$dir/${log%.log}.out" 2>&1 ||
        { echo "$what make check failed or timed out after 1800 s"
          grep -E 'error|Error' "$dir/${log%.log}.out" | head -20; }
    grep -E '^(FAIL|ERROR|XPASS|SKIP)' "$dir/$log" | head -50
    stage_add_automake "$dir/$log"
}

# What the sanitizers do in every instrumented run: any report ends
# the program with an error (leaks included), with its stack.
stage_sanitizer_env() {
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
}

# The command prefix (words, maybe none) under which programs built by
# CC with sanitizer FLAGS run on this machine; a line says which. The
# runtimes of GCC 12 and clang 14 lay out shadow memory for at most 28
# bits of mmap randomisation: where the kernel uses more
# (vm.mmap_rnd_bits=32, as some distributions' kernels do), TSan stops
# at "unexpected memory mapping" and ASan crashes or hangs. Decided by
# running a small threaded program, not by reading the sysctl (a
# container may hide it); without randomisation (setarch -R, inherited
# by every child) they run. XENCALL_SANITIZER_NO_ASLR=1 takes that way
# where it is not needed, to test it.
sanitizer_run_prefix() {
    local cc=$1 flags=$2 probe no_aslr
    no_aslr="setarch $(uname -m) -R"
    probe=$(mktemp -d)
    printf '%s\n' '#include <pthread.h>' 'static void *run(void *arg) { return arg; }' \
        'int main(void) { pthread_t t; return pthread_create(&t, 0, run, 0) || pthread_join(t, 0); }' \
        >"$probe/probe.c"
    # shellcheck disable=SC2086
    if ! $cc $flags -pthread "$probe/probe.c" -o "$probe/probe" >/dev/null 2>&1; then
        echo "sanitizers: cannot build a program with $cc $flags; running as usual" >&2
    elif [ "${XENCALL_SANITIZER_NO_ASLR:-}" = 1 ]; then
        echo "sanitizers: $flags programs run under '$no_aslr' (XENCALL_SANITIZER_NO_ASLR=1)" >&2
        echo "$no_aslr"
    elif timeout 60 "$probe/probe" >/dev/null 2>&1; then
        echo "sanitizers: $flags programs run as they are on this kernel" >&2
    elif timeout 60 $no_aslr "$probe/probe" >/dev/null 2>&1; then
        echo "sanitizers: $flags programs fail with this kernel's address randomisation" \
             "(vm.mmap_rnd_bits $(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo unreadable));" \
             "running them under '$no_aslr'" >&2
        echo "$no_aslr"
    else
        echo "sanitizers: a $flags program fails here even without address randomisation" >&2
    fi
    rm -rf "$probe"
}

# The absolute path of the stage's own folder NAME beside the main
# build, made if needed.
stage_work_dir() {
    mkdir -p "$XENCALL_BUILD/../$1" && (cd "$XENCALL_BUILD/../$1" && pwd)
}

# The tree's files as git knows them, tracked or new but not ignored
# (build output is), copied into DIR: a clean copy to build elsewhere.
copy_tree() {
    mkdir -p "$1" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$1"
}
