# SPDX-License-Identifier: LGPL-2.1-or-later
# The one library of the stage scripts (and of the scripts they and
# demo.sh run): counting checks and the closing line the runner reads,
# installing packages, building, and the facts several of them need,
# each derived from its source. Source it; a stage calls stage_begin
# first.

# An unset variable is a mistake in every script that sources this.
set -u
# Where downloads, Debian roots and builds for other targets are kept.
export XENCALL_CACHE=${XENCALL_CACHE:-/var/cache/xencall-tests}

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

# Install Debian packages PKG...: under a time limit, waiting for
# another install's lock, quietly; with --root ROOT, in the Debian
# system at ROOT (a release's root) by chroot. Returns apt-get's status.
stage_apt_install() {
    local in_root=()
    if [ "$1" = --root ]; then in_root=(chroot "$2"); shift 2; fi
    DEBIAN_FRONTEND=noninteractive timeout 1200 "${in_root[@]}" apt-get install -y -q \
        --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

# Something the stage needs is missing: a failure under CI, which must
# run every check, a skip elsewhere. Either way the stage ends here.
stage_cannot_run() {
    if [ "${CI:-}" = true ]; then stage_fail "$*"; else stage_skip "$*"; fi
    stage_end
    exit
}

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

# The shared library a build DIR made: its real file, found through
# the development link, so that no script restates the soname.
built_library() { readlink -f "$1/.libs/libxencall.so"; }

# The soname a shared library LIB records.
soname_of() { objdump -p "$1" | awk '$1 == "SONAME" { print $2 }'; }

# dpkg-query on the Debian system at ROOT (/ or a release's root),
# read from outside it.
root_dpkg_query() {
    local root=$1
    shift
    dpkg-query --admindir="${root%/}/var/lib/dpkg" "$@"
}

# The version of package PKG installed at ROOT.
package_version() { root_dpkg_query "$1" -W -f='${Version}' "$2"; }

# Debian's libxencall (the real file, not a link) in the system at
# ROOT, as its package libxencall1 lists it, as a path from /.
debian_library() {
    local root=${1%/} f
    for f in $(root_dpkg_query "$1" -L libxencall1); do
        case ${f##*/} in libxencall.so.*.*) ;; *) continue ;; esac
        [ -f "$root$f" ] && [ ! -L "$root$f" ] && { echo "$root$f"; return 0; }
    done
    echo "no libxencall.so in Debian's libxencall1 at ${root:-/}" >&2
    return 1
}

# What tests/xen/run.sh needs on the machine (or in a release's root)
# to boot that release's Xen for Debian architecture ARCH under QEMU:
# for the machine's own architecture, its Xen, kernel and busybox; for
# another (arm64 on amd64), QEMU and the cross tools only (Xen, kernel
# and the rest come from a sysroot, tests/stages/sysroot.sh), and
# qemu-user, which runs that architecture's loader to list libraries.
xen_boot_packages() {
    local arch=$1 qemu triplet
    case $arch in amd64) qemu="qemu-system-x86" ;; arm64) qemu="qemu-system-arm" ;; *) return 1 ;; esac
    if [ "$arch" = "$(dpkg --print-architecture)" ]; then
        echo "$qemu xen-system-$arch linux-image-$arch busybox-static cpio kmod libxencall1"
    else
        triplet=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null) || return 1
        echo "$qemu qemu-user cpio kmod gcc-$triplet libc6-dev-$arch-cross"
    fi
}
# Those of the machine's own architecture.
# shellcheck disable=SC2034
XENCALL_BOOT_PACKAGES=$(xen_boot_packages "$(dpkg --print-architecture)")
# The architecture whose Xen the demo boots: the machine's, or
# XENCALL_ARCH's (arm64 on an amd64 machine: under qemu-system-aarch64
# with a cross-built library).
xen_arch() { echo "${XENCALL_ARCH:-$(dpkg --print-architecture)}"; }
# What dom0's demo section (dom0-init.sh's show_demo) printed on the
# serial LOG, without Xen's boot chatter: what demo.sh shows.
demo_output() { sed -n '/^==== xl info/,/^==== end of the demo/p' "$1" | tr -d '\r'; }
# The value of the make variable VAR in the configured build DIR (a
# source list, flags, the dom0 programs): what the build declares, read
# from it instead of restated. With ROOT (not empty), DIR is a path
# inside that release's root and make reads it there, where the paths
# its Makefile names exist.
build_var() {
    local in_root=()
    [ -z "${3:-}" ] || in_root=(chroot "$3")
    printf 'print:\n\t@echo $(%s)\n' "$2" | "${in_root[@]}" make -s -C "$1" -f Makefile -f - print
}

# Build the library and the programs tests/xen/run.sh puts into dom0
# (DOM0_TEST_PROGS, tests/xen/local.am) in the configured build DIR; with
# ROOT, DIR is a path inside that release's root and make runs there.
# "all" first, alone: with generated sources it recurses, and goals
# beside it in one parallel make would build the library twice at once
# (seen: "not a valid libtool object" on a fresh build).
make_dom0_programs() {
    local dir=$1 in_root=() programs
    [ $# -lt 2 ] || in_root=(chroot "$2")
    programs=$(build_var "$dir" DOM0_TEST_PROGS "${2:-}") && [ -n "$programs" ] || return 1
    # shellcheck disable=SC2086
    timeout 1200 "${in_root[@]}" make -C "$dir" -s -j"$(nproc)" all &&
        timeout 600 "${in_root[@]}" make -C "$dir" -s -j"$(nproc)" $programs
}

# Boot with tests/xen/run.sh (ARGS: BUILD test LOG TIMEOUT [ROOT
# [ARCH]]; XENCALL_DOM0_EXTRA passes through) and count what dom0
# printed on the serial LOG: that QEMU ended cleanly, each "XENTEST
# PASS|FAIL|SKIP" line whose name starts with PREFIX (a check named
# "LABEL: NAME"; a SKIP says why it does not apply), and that dom0
# reached its end. Its INFO lines are shown, and the boot's time.
stage_boot_xen() {
    local label=$1 prefix=$2 log=$5 start=$SECONDS line
    shift 2
    if bash tests/xen/run.sh "$@"; then
        stage_pass "${label}Xen and dom0 booted and dom0 ended QEMU itself ($((SECONDS - start)) s)"
    else
        stage_fail "${label}the boot did not end cleanly ($((SECONDS - start)) s); serial log tail:"
        tail -n 40 "$log"
    fi
    grep -a '^XENTEST INFO' "$log" | tr -d '\r' | sed "s/^XENTEST INFO /  $label/"
    while IFS= read -r line; do
        case "$line" in
            "XENTEST PASS "*) stage_pass "$label${line#XENTEST PASS }" ;;
            "XENTEST FAIL "*) stage_fail "$label${line#XENTEST FAIL }" ;;
            "XENTEST SKIP "*) stage_skip "$label${line#XENTEST SKIP }" ;;
        esac
    done < <(grep -a -E "^XENTEST (PASS|FAIL|SKIP) $prefix" "$log" | tr -d '\r')
    # A run cut short must not pass on the checks it reached.
    if grep -aq '^XENTEST DONE' "$log"; then
        stage_pass "${label}dom0 ran every check to the end"
    else
        stage_fail "${label}dom0 did not reach the end of its checks; serial log tail:"
        tail -n 40 "$log"
    fi
}

stage_end() {
    echo "stage $STAGE_NAME: $STAGE_PASS passed, $STAGE_FAIL failed, $STAGE_SKIP skipped"
    [ "$STAGE_FAIL" -eq 0 ]
}

# This machine's Debian mirror(s) for SUITE (bookworm, trixie, ...),
# from its apt sources (deb822 .sources or one-line .list), as
# "URI SUITE" lines; suites that start with SUITE (bookworm-updates)
# are listed too.
debian_sources() {
    local suite=$1 f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v want="$suite" '
            $1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++;
                          if ($2 ~ /^\[/) i++;
                          if (index($(i+1), want) == 1) print $i, $(i+1) }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v want="$suite" '
             function flush() { if (types ~ /(^| )deb( |$)/ && enabled != "no")
                                  for (u in uris) for (s in suites)
                                      if (index(s, want) == 1) print u, s;
                                delete uris; delete suites; types = ""; enabled = "" }
             /^[ \t]*$/ { flush(); next }
             /^#/ { next }
             tolower($1) == "types:" { types = substr($0, index($0, ":") + 1) }
             tolower($1) == "enabled:" { enabled = tolower($2) }
             tolower($1) == "uris:" { for (i = 2; i <= NF; i++) uris[$i] = 1 }
             tolower($1) == "suites:" { for (i = 2; i <= NF; i++) suites[$i] = 1 }
             END { flush() }' "$f"
    done
}

# Debian's source package PKG of this machine's release, unpacked
# once under $XENCALL_CACHE; prints
# the tree's path. For the tests that build a library for another
# target (Xen's libxentoollog and libxentoolcore, cmocka). The
# machine's apt setup is left alone: apt reads a private source list.
debian_source_tree() {
    local pkg=$1 codename mirror dir
    local -a apt_private
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    mirror=$(debian_sources "$codename" | awk -v s="$codename" '$2 == s { print $1; exit }')
    if [ -z "$mirror" ]; then
        echo "no Debian $codename mirror in this machine's apt sources" >&2
        return 1
    fi
    dir=$XENCALL_CACHE/$pkg-source-$codename
    mkdir -p "$dir" || return 1
    apt_private=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
                 -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/apt-cache" -q)
    (
        # Several stages (and developers) may ask at once.
        flock 9
        [ -e "$dir/.unpacked" ] && exit 0
        command -v dpkg-source >/dev/null || stage_apt_install dpkg-dev
        rm -rf "$dir/src" && mkdir -p "$dir/src" "$dir/lists/partial" "$dir/apt-cache/archives/partial"
        echo "deb-src $mirror $codename main" >"$dir/sources.list"
        timeout 600 apt-get "${apt_private[@]}" update >/dev/null &&
            (cd "$dir/src" && timeout 900 apt-get "${apt_private[@]}" source "$pkg" >"$dir/source.log" 2>&1) &&
            touch "$dir/.unpacked"
    ) 9>"$dir/.lock" || { echo "cannot fetch Debian's $pkg source package" >&2; return 1; }
    find "$dir/src" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | sort -V | tail -n1
}

# Debian's xen source package (see debian_source_tree).
xen_source_tree() { debian_source_tree xen; }
