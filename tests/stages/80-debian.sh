#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian packages, on every supported Debian release. Built as a Debian
# build daemon builds them: in that release's build root (debootstrap's
# buildd variant, tests/stages/roots.sh) with only the build
# dependencies debian/control declares, tests on, Debian's hardening
# (debian/rules), as an unprivileged user with fakeroot; the tests that
# cannot run there skip with their reasons, listed. Then, in that
# release's root (Debian's Xen already installed): lint them, install
# them over the release's libxencall1, and check that they replace it
# cleanly, that its xl and libxenctrl load ours, that the pages render,
# that the package's autopkgtests pass there, and that Debian's library
# can come back. Each release works in throwaway overlays of its cached
# roots.
#
# For each architecture (sysroot.sh's xencall_architectures): the
# machine's own as above; arm64 cross-built as Debian cross-builds
# (dpkg-buildpackage -a arm64 with the cross and nocheck profiles, its
# tests off: they would be arm64 programs) in an overlay of the
# release's build root with arm64 added and Debian's cross compiler
# and arm64 Xen installed (release_foreign_root), then linted with the
# release's lintian and installed in another overlay of that root, over
# Debian's arm64 libxencall1, where its xl runs under qemu-user through
# a binfmt_misc of the stage's own (foreign_run). The autopkgtests and
# the pages are the machine architecture's checks only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
. "$(dirname "$0")/sysroot.sh"
stage_begin debian

export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
work=$(stage_work_dir debian)
pkgs="libxencall1-standalone libxencall-dev xencall-tools"
native=$(dpkg --print-architecture)
# The overlays of RELEASE for ARCH: $work/RELEASE-ARCH where the
# packages are installed, -buildd where they are built, -lint.
# shellcheck disable=SC2064,SC2154
trap "for r in \$XENCALL_RELEASES; do for a in \$(xencall_architectures); do
          for o in '' -buildd -lint; do release_overlay_end '$work/'\$r-\$a\$o; done
      done; done" EXIT
# The unprivileged user who builds, made in the build root's overlay.
builder=xcbuild

# The roots of RELEASE for ARCH, to build in and to install in.
build_root_of() {
    if [ "$2" = "$native" ]; then release_build_root "$1"; else release_foreign_root "$1" "$2"; fi
}
install_root_of() {
    if [ "$2" = "$native" ]; then release_root "$1"; else release_foreign_root "$1" "$2"; fi
}

# Everything below runs in the current overlay root, $run, of the
# current architecture, $arch: another's programs under qemu-user.
in_root() {
    # shellcheck disable=SC2046
    $([ "$arch" = "$native" ] || echo foreign_run "$arch") timeout 900 chroot "$run" "$@"
}
owner_of() { root_dpkg_query "$run" -S "$1" 2>/dev/null | cut -d: -f1; }
status_of() { root_dpkg_query "$run" -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }

# The soname ours and Debian's share, as this tree's build records it.
soname=$(soname_of "$(built_library "$XENCALL_BUILD")")
# Which library of that soname a binary loads, and the package owning
# it, as the root's dynamic loader of $arch (which xl names) lists it.
loaded_by() {
    local lib loader
    loader=$(LC_ALL=C readelf -l "$run$xl" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
    lib=$(in_root "$loader" --list "$1" | awk -v so="$soname" '$1 == so && $2 == "=>" { print $3 }')
    [ -n "$lib" ] || { echo "nothing"; return; }
    lib=$(in_root readlink -f "$lib")
    echo "$lib $(owner_of "$lib")"
}

# RELEASE ARCH: build the packages in an overlay of RELEASE's build
# root for ARCH, as a build daemon does (see the top); its tests'
# counts join the stage. Another architecture's: a cross build, as
# Debian's tools do it (the cross and nocheck profiles, nocheck).
build_as_buildd() {
    local r=$1 arch=$2 pristine b start log cross="" opts tests="tests on"
    opts="parallel=$(nproc)"
    if [ "$arch" != "$native" ]; then
        cross="-a $arch -Pcross,nocheck" opts="nocheck $opts" tests="cross build, tests off"
    fi
    pristine=$(build_root_of "$r" "$arch") || { stage_fail "$r $arch: cannot make its build root"; return 1; }
    release_overlay "$pristine" "$work/$r-$arch-buildd" ||
        { stage_fail "$r $arch: cannot mount its build root"; return 1; }
    b=$work/$r-$arch-buildd/root log=$work/$r-$arch/buildd.log
    copy_tree "$b/build/libxencall"
    # What sbuild installs: the declared build dependencies and fakeroot.
    # The root's package lists may be a week old: refreshed if need be.
    # shellcheck disable=SC2016
    if timeout 1800 chroot "$b" sh -c "cd /build/libxencall &&
            deps() { apt-get build-dep -y -q --no-install-recommends ${cross:+--host-architecture=$arch --build-profiles=cross,nocheck} ./ &&
                     apt-get install -y -q --no-install-recommends fakeroot; }
            deps || { apt-get update -q && deps; }" >"$log" 2>&1; then
        stage_pass "$r $arch: build dependencies from debian/control installed in the build root (apt-get build-dep ${cross:+-a $arch }./)"
    else
        tail -n 20 "$log"; stage_fail "$r $arch: apt-get build-dep ./ in the build root (log: $log)"; return 1
    fi
    if ! { chroot "$b" useradd --create-home "$builder" && chroot "$b" chown -R "$builder:" /build; }; then
        stage_fail "$r $arch: cannot make the unprivileged user $builder"; return 1
    fi
    start=$SECONDS
    if timeout 3600 chroot "$b" setpriv --reuid="$builder" --regid="$builder" --init-groups --reset-env \
            sh -c "cd /build/libxencall && LC_ALL=C.UTF-8 DEB_BUILD_OPTIONS='$opts' \
                   dpkg-buildpackage -us -uc -b -rfakeroot $cross" >>"$log" 2>&1; then
        stage_pass "$r $arch: dpkg-buildpackage -us -uc -b -rfakeroot $cross as $builder, $tests ($((SECONDS - start)) s)"
    else
        tail -n 30 "$log"
        stage_fail "$r $arch: dpkg-buildpackage -us -uc -b -rfakeroot $cross as $builder (log: $log)"
    fi
    if [ -n "$cross" ]; then
        stage_skip "$r $arch: the package's tests: a cross build cannot run them (its programs are $arch programs; Debian cross-builds with nocheck)"
    elif [ -f "$b/build/libxencall/test-suite.log" ]; then
        cp "$b/build/libxencall/test-suite.log" "$work/$r-$arch/test-suite.log"
        echo "$r: the package's tests as the build daemon ran them:"
        # Each skipped or failed case, with its reason (not the bare program lines).
        grep -E '^(FAIL|ERROR|XPASS|SKIP): [^ ]+ ' "$work/$r-$arch/test-suite.log" | sed "s/^/  $r: /"
        stage_add_automake "$work/$r-$arch/test-suite.log"
    else
        stage_fail "$r $arch: the build left no test-suite.log: its tests did not run"
    fi
    ls "$b"/build/*.changes >/dev/null 2>&1
}

# RELEASE DIR: lintian of RELEASE (its root's) on the .changes in DIR
# and the files it lists, in an overlay of the root; $arch's name.
lint_changes() {
    local r=$1 dir=$2 lint out changes pristine
    lint=$work/$r-$arch-lint
    if ! pristine=$(release_root "$r") || ! release_overlay "$pristine" "$lint"; then
        stage_fail "$r $arch: cannot mount its root for lintian"; return
    fi
    mkdir -p "$lint/root/tmp/build" && cp "$dir"/*.deb "$dir"/*.changes "$dir"/*.buildinfo "$lint/root/tmp/build/"
    changes=$(cd "$lint/root" && ls tmp/build/libxencall_*.changes | head -n1)
    if out=$(timeout 900 chroot "$lint/root" lintian --fail-on error,warning -I -E --pedantic "/$changes" 2>&1); then
        stage_pass "$r $arch: lintian $(package_version "$lint/root" lintian): no error, warning, info or pedantic tag"
    else
        echo "$out"
        if echo "$out" | grep -q '^[EW]:'; then
            stage_fail "$r $arch: lintian reports errors or warnings"
        else
            stage_pass "$r $arch: lintian: no error or warning (info/pedantic tags above)"
        fi
    fi
    release_overlay_end "$lint"
}

# RELEASE ARCH: mount an overlay of RELEASE's root for ARCH at $run and
# find Debian's Xen there (find_debian_xen); fails a check and returns
# non-zero if it cannot.
enter_release_root() {
    local r=$1 pristine
    arch=$2
    pristine=$(install_root_of "$r" "$arch") || { stage_fail "$r $arch: cannot make its root"; return 1; }
    release_overlay "$pristine" "$work/$r-$arch" || { stage_fail "$r $arch: cannot mount its root"; return 1; }
    run=$work/$r-$arch/root
    find_debian_xen "$r"
}

# RELEASE: the release's Xen in $run, found rather than named: $xl by
# pattern, $libxenctrl, the packages owning them ($utils_pkg,
# $ctrl_pkg) and $xen_version, libxen-dev's. Checks they are installed.
find_debian_xen() {
    local r=$1
    xl=$(in_root sh -c 'ls /usr/lib/xen-[0-9]*/bin/xl' | sort -V | tail -n1)
    libxenctrl=$(in_root sh -c 'ls /usr/lib/*/libxenctrl.so.[0-9]*.*' | sort -V | tail -n1)
    utils_pkg=$(owner_of "$xl")
    ctrl_pkg=$(owner_of "$libxenctrl")
    xen_version=$(package_version "$run" libxen-dev)
    if [ "$(status_of libxencall1)" = ii ] && [ -n "$utils_pkg" ] && [ -n "$ctrl_pkg" ] &&
       [ "$(status_of libxen-dev)" = ii ]; then
        stage_pass "$r $arch: root has Debian's $utils_pkg, $ctrl_pkg, libxen-dev and libxencall1 $(package_version "$run" libxencall1)"
    else
        stage_fail "$r $arch: root lacks Debian's Xen packages"
        return 1
    fi
}

# RELEASE: build as a build daemon, lint, and copy the packages into
# $run/tmp/build; their paths in the root in $debs (a failed check for
# each of $pkgs missing). Returns non-zero if the build could not run.
# (Not in $(...): its checks must count.)
build_into_root() {
    local r=$1 p deb
    debs=
    build_as_buildd "$r" "$arch" || return
    lint_changes "$r" "$work/$r-$arch-buildd/root/build"
    mkdir -p "$run/tmp/build"
    cp "$work/$r-$arch-buildd/root/build/"*.deb "$run/tmp/build/"
    release_overlay_end "$work/$r-$arch-buildd"
    for p in $pkgs; do
        deb=$(cd "$run" && ls "tmp/build/${p}_"*.deb 2>/dev/null | head -n1)
        if [ -n "$deb" ]; then
            debs="$debs /$deb"
        else
            stage_fail "$r $arch: no package $p was built"
        fi
    done
}

# RELEASE: the runtime package provides libxencall1 at the version of
# the release's Xen.
check_provides() {
    local r=$1 provides
    provides=$(in_root sh -c 'dpkg-deb -f /tmp/build/libxencall1-standalone_*.deb Provides')
    if [ "$provides" = "libxencall1 (= $xen_version)" ]; then
        stage_pass "$r $arch: runtime package Provides: $provides"
    else
        stage_fail "$r $arch: runtime package Provides '$provides', expected libxencall1 (= $xen_version)"
    fi
}

# RELEASE: apt installs $debs over Debian's libxencall1, which goes
# while the rest of Debian's Xen stays, and leaves apt and dpkg clean.
install_ours() {
    local r=$1 p ok=yes
    # shellcheck disable=SC2086
    if stage_apt_install --root "$run" $debs 2>"$work/$r-$arch/install.log"; then
        stage_pass "$r $arch: apt-get install ./<our packages> in the root"
    else
        tail -n 30 "$work/$r-$arch/install.log"
        stage_fail "$r $arch: apt-get install of our packages (log: $work/$r-$arch/install.log)"
    fi
    for p in $pkgs "$utils_pkg" libxen-dev "$ctrl_pkg"; do
        [ "$(status_of "$p")" = ii ] || { ok=no; echo "$p: $(status_of "$p")"; }
    done
    if [ "$(status_of libxencall1)" != ii ] && [ $ok = yes ]; then
        stage_pass "$r $arch: Debian's libxencall1 replaced; $utils_pkg, libxen-dev, $ctrl_pkg kept"
    else
        stage_fail "$r $arch: libxencall1 status '$(status_of libxencall1)', others installed: $ok"
    fi
    if in_root apt-get check -q >/dev/null 2>&1 && [ -z "$(in_root dpkg --audit)" ]; then
        stage_pass "$r $arch: apt-get check and dpkg --audit clean"
    else
        in_root apt-get check
        stage_fail "$r $arch: apt-get check or dpkg --audit"
    fi
}

# RELEASE: Debian's xl and libxenctrl load ours, as the loader lists
# them and when xl runs: ours explains the missing privcmd its own way.
check_xen_loads_ours() {
    local r=$1 bin got out
    for bin in "$xl" "$libxenctrl"; do
        got=$(loaded_by "$bin")
        case $got in
        *" libxencall1-standalone") stage_pass "$r $arch: the loader lists for $bin: $soname => $got" ;;
        *) stage_fail "$r $arch: the loader lists for $bin: $soname => $got" ;;
        esac
    done
    out=$(in_root "$xl" info 2>&1)
    if echo "$out" | grep -q '^xencall: error: cannot open /dev/xen/privcmd'; then
        stage_pass "$r $arch: xl info reaches our libxencall (no Xen here: $(echo "$out" | head -n1))"
    else
        echo "$out"
        stage_fail "$r $arch: xl info did not report through our libxencall"
    fi
}

# RELEASE: libxencall-dev diverts the four files libxen-dev ships too.
check_diversions() {
    local r=$1 ma f ok=yes
    ma=$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
    for f in /usr/include/xencall.h /usr/lib/$ma/libxencall.so /usr/lib/$ma/libxencall.a \
             /usr/lib/$ma/pkgconfig/xencall.pc; do
        if [ "$(in_root dpkg-divert --listpackage "$f")" != libxencall-dev ] ||
           ! in_root test -e "$f.distrib"; then
            ok=no; echo "not diverted: $f"; in_root dpkg-query -S "$f"
        fi
    done
    if [ $ok = yes ]; then
        stage_pass "$r $arch: libxen-dev's xencall.h, .so, .a, .pc diverted to *.distrib"
    else
        stage_fail "$r $arch: diversions of libxen-dev's files"
    fi
}

# RELEASE: one page per exported function (src/libxencall.map) and
# one per program the packages install, and no other.
check_pages_installed() {
    local r=$1 page got want
    want=$({ tests/abi/exports.sh --functions src/libxencall.map | sed 's/$/.3/'
             # shellcheck disable=SC2086
             root_dpkg_query "$run" -L $pkgs | sed -n 's|^/usr/s\{0,1\}bin/\([^/]*\)$|\1.1|p'; } | sort)
    got=$(for page in $(installed_pages); do basename "$page" .gz; done | sort)
    if [ "$got" = "$want" ]; then
        stage_pass "$r $arch: the packages install a page for each of the $(echo "$want" | wc -l) exported functions and programs, and no other"
    else
        stage_fail "$r $arch: installed pages differ from the exported functions and programs (< expected, > installed):"
        diff <(echo "$want") <(echo "$got") | grep '^[<>]'
    fi
}
# The manual pages our packages installed in $run.
# shellcheck disable=SC2086
installed_pages() { root_dpkg_query "$run" -L $pkgs | grep '^/usr/share/man/man./.'; }

# RELEASE: every installed page renders, without warnings, to more
# than a few lines.
check_pages_render() {
    local r=$1 page err lines bad=0 n=0
    for page in $(installed_pages); do
        n=$((n + 1))
        err=$(in_root env MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
        lines=$(in_root env MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | wc -l)
        if [ -n "$err" ] || [ "$lines" -lt 10 ]; then
            bad=$((bad + 1)); echo "$page: $lines lines; $err"
        fi
    done
    if [ "$n" -gt 0 ] && [ $bad -eq 0 ]; then
        stage_pass "$r $arch: man -l renders all $n installed pages without warnings"
    else
        stage_fail "$r $arch: man -l: $bad of $n pages bad"
    fi
}

# RELEASE: the package's autopkgtests, run directly in the root on the
# unbuilt source tree, as autopkgtest gives it to them.
run_autopkgtests() {
    local r=$1 t start
    copy_tree "$run/tmp/src"
    for t in installed-library compile-and-probe; do
        start=$SECONDS
        if in_root sh -c "cd /tmp/src && mkdir -p /tmp/t-$t &&
                          AUTOPKGTEST_TMP=/tmp/t-$t debian/tests/$t" \
                > "$work/$r-$arch/autopkgtest-$t.log" 2>&1; then
            stage_pass "$r $arch: debian/tests/$t in the root ($((SECONDS - start)) s)"
        else
            tail -n 30 "$work/$r-$arch/autopkgtest-$t.log"
            stage_fail "$r $arch: debian/tests/$t in the root (log: $work/$r-$arch/autopkgtest-$t.log)"
        fi
    done
}

# RELEASE ARCH: every check, named "RELEASE ARCH: ...". The pages and
# the autopkgtests are the machine architecture's only.
check_release() {
    local r=$1
    enter_release_root "$r" "$2" || return
    build_into_root "$r" || return
    check_provides "$r"
    install_ours "$r"
    check_xen_loads_ours "$r"
    check_diversions "$r"
    if [ "$arch" = "$native" ]; then
        check_pages_installed "$r"
        check_pages_render "$r"
        run_autopkgtests "$r"
    else
        stage_skip "$r $arch: the pages and the autopkgtests: checked for $native only (the same pages; the tests build and run programs with the root's native compiler, which a cross root lacks)"
    fi
    revert_to_debian "$r"
}

# RELEASE: Debian's library replaces ours again.
revert_to_debian() {
    local r=$1
    if stage_apt_install --root "$run" "libxencall1:$arch=$xen_version" 2>"$work/$r-$arch/revert.log" &&
       [ "$(status_of libxencall1)" = ii ] &&
       [ "$(status_of libxencall1-standalone)" != ii ] &&
       [ "$(status_of libxencall-dev)" != ii ] &&
       [ "$(owner_of /usr/include/xencall.h)" = libxen-dev ] &&
       in_root apt-get check -q >/dev/null 2>&1; then
        stage_pass "$r $arch: reinstalling Debian's libxencall1 removes ours and gives libxen-dev its files back"
    else
        tail -n 20 "$work/$r-$arch/revert.log"
        stage_fail "$r $arch: going back to Debian's libxencall1"
    fi
}

for release in $XENCALL_RELEASES; do
    for arch in $(xencall_architectures); do
        start=$SECONDS
        if [ "$arch" != "$native" ] && ! why=$(foreign_run_works "$arch"); then
            stage_skip "$release $arch: $why: no $arch package checks"
            continue
        fi
        check_release "$release" "$arch"
        release_overlay_end "$work/$release-$arch"
        echo "$release $arch: $((SECONDS - start)) s"
    done
done
stage_end
