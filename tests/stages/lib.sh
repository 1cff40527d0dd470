# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers shared by the stage scripts: counting checks and printing the
# closing line the runner reads. Source it; call stage_begin first.

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

# Install Debian packages for a stage: under a time limit, waiting for
# another install's lock, quietly. Returns apt-get's status.
stage_apt_install() {
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q \
        --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

# Something the stage needs is missing: a failure under CI, which must
# run every check, a skip elsewhere. Either way the stage ends here.
stage_cannot_run() {
    if [ "${CI:-}" = true ]; then stage_fail "$*"; else stage_skip "$*"; fi
    stage_end
    exit
}

# `make check` in the configured build DIR under a time limit; its
# failures are shown and its counts join the stage. WHAT names the
# build in messages.
stage_make_check() {
    local dir=$1 what=$2
    timeout 1500 make -C "$dir" -j"$(nproc)" check >"$dir/check.out" 2>&1 ||
        { echo "$what make check failed or timed out after 1500 s"
          grep -E 'error|Error' "$dir/check.out" | head -20; }
    grep -E '^(FAIL|ERROR|XPASS|SKIP)' "$dir/test-suite.log" | head -50
    stage_add_automake "$dir/test-suite.log"
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
# once under $XENCALL_CACHE (default /var/cache/xencall-tests); prints
# the tree's path. For the tests that build a library for another
# target (Xen's libxentoollog and libxentoolcore, cmocka). The
# machine's apt setup is left alone: apt reads a private source list.
debian_source_tree() {
    local pkg=$1 cache=${XENCALL_CACHE:-/var/cache/xencall-tests} codename mirror dir
    local -a apt_private
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    mirror=$(debian_sources "$codename" | awk -v s="$codename" '$2 == s { print $1; exit }')
    if [ -z "$mirror" ]; then
        echo "no Debian $codename mirror in this machine's apt sources" >&2
        return 1
    fi
    dir=$cache/$pkg-source-$codename
    mkdir -p "$dir" || return 1
    apt_private=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
                 -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/apt-cache" -q)
    (
        # Several stages (and developers) may ask at once.
        flock 9
        [ -e "$dir/.unpacked" ] && exit 0
        command -v dpkg-source >/dev/null ||
            DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q \
                -o DPkg::Lock::Timeout=600 --no-install-recommends dpkg-dev >/dev/null
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
