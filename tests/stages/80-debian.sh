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
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
stage_begin debian

export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
work=$(stage_work_dir debian)
pkgs="libxencall1-standalone libxencall-dev xencall-tools"
# The release's overlay is $work/RELEASE, the build's $work/RELEASE-buildd.
# shellcheck disable=SC2064
trap "for r in \$XENCALL_RELEASES; do release_overlay_end '$work/\$r'
      release_overlay_end '$work/\$r-buildd'; done" EXIT
# The unprivileged user who builds, made in the build root's overlay.
builder=xcbuild

# Everything below runs in the current release's overlay root, $run.
in_root() { timeout 900 chroot "$run" "$@"; }
owner_of() { root_dpkg_query "$run" -S "$1" 2>/dev/null | cut -d: -f1; }
status_of() { root_dpkg_query "$run" -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }

# The soname ours and Debian's share, as this tree's build records it.
soname=$(soname_of "$(built_library "$XENCALL_BUILD")")
# Which library of that soname a binary loads, and the package owning it.
loaded_by() {
    local lib
    lib=$(in_root ldd "$1" | awk -v so="$soname" '$1 == so && $2 == "=>" { print $3 }')
    [ -n "$lib" ] || { echo "nothing"; return; }
    lib=$(in_root readlink -f "$lib")
    echo "$lib $(owner_of "$lib")"
}

# RELEASE: build the packages in an overlay of RELEASE's build root, as
# a build daemon does (see the top); its tests' counts join the stage.
build_as_buildd() {
    local r=$1 pristine b start log
    pristine=$(release_build_root "$r") || { stage_fail "$r: cannot make its build root"; return 1; }
    release_overlay "$pristine" "$work/$r-buildd" || { stage_fail "$r: cannot mount its build root"; return 1; }
    b=$work/$r-buildd/root log=$work/$r/buildd.log
    copy_tree "$b/build/libxencall"
    # What sbuild installs: the declared build dependencies and fakeroot.
    # The root's package lists may be a week old: refreshed if need be.
    # shellcheck disable=SC2016
    if timeout 1800 chroot "$b" sh -c 'cd /build/libxencall &&
            deps() { apt-get build-dep -y -q --no-install-recommends ./ &&
                     apt-get install -y -q --no-install-recommends fakeroot; }
            deps || { apt-get update -q && deps; }' >"$log" 2>&1; then
        stage_pass "$r: build dependencies from debian/control installed in the build root (apt-get build-dep ./)"
    else
        tail -n 20 "$log"; stage_fail "$r: apt-get build-dep ./ in the build root (log: $log)"; return 1
    fi
    if ! { chroot "$b" useradd --create-home "$builder" && chroot "$b" chown -R "$builder:" /build; }; then
        stage_fail "$r: cannot make the unprivileged user $builder"; return 1
    fi
    start=$SECONDS
    if timeout 3600 chroot "$b" setpriv --reuid="$builder" --regid="$builder" --init-groups --reset-env \
            sh -c "cd /build/libxencall && LC_ALL=C.UTF-8 DEB_BUILD_OPTIONS='parallel=$(nproc)' \
                   dpkg-buildpackage -us -uc -b -rfakeroot" >>"$log" 2>&1; then
        stage_pass "$r: dpkg-buildpackage -us -uc -b -rfakeroot as $builder, tests on ($((SECONDS - start)) s)"
    else
        tail -n 30 "$log"
        stage_fail "$r: dpkg-buildpackage -us -uc -b -rfakeroot as $builder (log: $log)"
    fi
    if [ -f "$b/build/libxencall/test-suite.log" ]; then
        cp "$b/build/libxencall/test-suite.log" "$work/$r/test-suite.log"
        echo "$r: the package's tests as the build daemon ran them:"
        # Each skipped or failed case, with its reason (not the bare program lines).
        grep -E '^(FAIL|ERROR|XPASS|SKIP): [^ ]+ ' "$work/$r/test-suite.log" | sed "s/^/  $r: /"
        stage_add_automake "$work/$r/test-suite.log"
    else
        stage_fail "$r: the build left no test-suite.log: its tests did not run"
    fi
    ls "$b"/build/*.changes >/dev/null 2>&1
}

# RELEASE: every check, named "RELEASE: ...".
check_release() {
    local r=$1 pristine start debs deb p changes provides out ok bad n page err lines t
    local xen_version xl libxenctrl utils_pkg ctrl_pkg ma pages got f bin want
    pristine=$(release_root "$r") || { stage_fail "$r: cannot make its root"; return; }
    release_overlay "$pristine" "$work/$r" || { stage_fail "$r: cannot mount its root"; return; }
    run=$work/$r/root
    # The release's Xen, found rather than named: xl by pattern, the
    # packages owning it and libxenctrl, the version of libxen-dev.
    xl=$(in_root sh -c 'ls /usr/lib/xen-[0-9]*/bin/xl' | sort -V | tail -n1)
    libxenctrl=$(in_root sh -c 'ls /usr/lib/*/libxenctrl.so.[0-9]*.*' | sort -V | tail -n1)
    utils_pkg=$(owner_of "$xl")
    ctrl_pkg=$(owner_of "$libxenctrl")
    xen_version=$(package_version "$run" libxen-dev)
    if [ "$(status_of libxencall1)" = ii ] && [ -n "$utils_pkg" ] && [ -n "$ctrl_pkg" ] &&
       [ "$(status_of libxen-dev)" = ii ]; then
        stage_pass "$r: root has Debian's $utils_pkg, $ctrl_pkg, libxen-dev and libxencall1 $(package_version "$run" libxencall1)"
    else
        stage_fail "$r: root lacks Debian's Xen packages"
        return
    fi

    # ---- build, as a build daemon, then into the release's root ---------------
    build_as_buildd "$r" || return
    mkdir -p "$run/tmp/build"
    cp "$work/$r-buildd/root/build/"*.deb "$work/$r-buildd/root/build/"*.changes \
        "$work/$r-buildd/root/build/"*.buildinfo "$run/tmp/build/"
    release_overlay_end "$work/$r-buildd"
    debs=
    for p in $pkgs; do
        deb=$(cd "$run" && ls "tmp/build/${p}_"*.deb 2>/dev/null | head -n1)
        if [ -n "$deb" ]; then
            debs="$debs /$deb"
        else
            stage_fail "$r: no package $p was built"
        fi
    done
    changes=$(cd "$run" && ls tmp/build/libxencall_*.changes | head -n1)

    if out=$(in_root lintian --fail-on error,warning -I -E --pedantic "/$changes" 2>&1); then
        stage_pass "$r: lintian $(package_version "$run" lintian): no error, warning, info or pedantic tag"
    else
        echo "$out"
        if echo "$out" | grep -q '^[EW]:'; then
            stage_fail "$r: lintian reports errors or warnings"
        else
            stage_pass "$r: lintian: no error or warning (info/pedantic tags above)"
        fi
    fi

    provides=$(in_root sh -c 'dpkg-deb -f /tmp/build/libxencall1-standalone_*.deb Provides')
    if [ "$provides" = "libxencall1 (= $xen_version)" ]; then
        stage_pass "$r: runtime package Provides: $provides"
    else
        stage_fail "$r: runtime package Provides '$provides', expected libxencall1 (= $xen_version)"
    fi

    # ---- install ours ----------------------------------------------------------
    # shellcheck disable=SC2086
    if stage_apt_install --root "$run" $debs 2>"$work/$r/install.log"; then
        stage_pass "$r: apt-get install ./<our packages> in the root"
    else
        tail -n 30 "$work/$r/install.log"
        stage_fail "$r: apt-get install of our packages (log: $work/$r/install.log)"
    fi

    ok=yes
    for p in $pkgs "$utils_pkg" libxen-dev "$ctrl_pkg"; do
        [ "$(status_of "$p")" = ii ] || { ok=no; echo "$p: $(status_of "$p")"; }
    done
    if [ "$(status_of libxencall1)" != ii ] && [ $ok = yes ]; then
        stage_pass "$r: Debian's libxencall1 replaced; $utils_pkg, libxen-dev, $ctrl_pkg kept"
    else
        stage_fail "$r: libxencall1 status '$(status_of libxencall1)', others installed: $ok"
    fi

    if in_root apt-get check -q >/dev/null 2>&1 && [ -z "$(in_root dpkg --audit)" ]; then
        stage_pass "$r: apt-get check and dpkg --audit clean"
    else
        in_root apt-get check
        stage_fail "$r: apt-get check or dpkg --audit"
    fi

    for bin in "$xl" "$libxenctrl"; do
        got=$(loaded_by "$bin")
        case $got in
        *" libxencall1-standalone") stage_pass "$r: ldd $bin: $soname => $got" ;;
        *) stage_fail "$r: ldd $bin: $soname => $got" ;;
        esac
    done
    # At run time too: ours explains the missing privcmd its own way.
    out=$(in_root "$xl" info 2>&1)
    if echo "$out" | grep -q '^xencall: error: cannot open /dev/xen/privcmd'; then
        stage_pass "$r: xl info reaches our libxencall (no Xen here: $(echo "$out" | head -n1))"
    else
        echo "$out"
        stage_fail "$r: xl info did not report through our libxencall"
    fi

    ok=yes
    ma=$(in_root dpkg-architecture -qDEB_HOST_MULTIARCH)
    for f in /usr/include/xencall.h /usr/lib/$ma/libxencall.so /usr/lib/$ma/libxencall.a \
             /usr/lib/$ma/pkgconfig/xencall.pc; do
        if [ "$(in_root dpkg-divert --listpackage "$f")" != libxencall-dev ] ||
           ! in_root test -e "$f.distrib"; then
            ok=no; echo "not diverted: $f"; in_root dpkg-query -S "$f"
        fi
    done
    if [ $ok = yes ]; then
        stage_pass "$r: libxen-dev's xencall.h, .so, .a, .pc diverted to *.distrib"
    else
        stage_fail "$r: diversions of libxen-dev's files"
    fi

    # ---- man pages --------------------------------------------------------------
    # One page per exported function (src/libxencall.map) and one per
    # program the packages install, and no other.
    pages=$(root_dpkg_query "$run" -L $pkgs | grep '^/usr/share/man/man./.')
    want=$({ tests/abi/exports.sh --functions src/libxencall.map | sed 's/$/.3/'
             root_dpkg_query "$run" -L $pkgs | sed -n 's|^/usr/s\{0,1\}bin/\([^/]*\)$|\1.1|p'; } | sort)
    got=$(for page in $pages; do basename "$page" .gz; done | sort)
    if [ "$got" = "$want" ]; then
        stage_pass "$r: the packages install a page for each of the $(echo "$want" | wc -l) exported functions and programs, and no other"
    else
        stage_fail "$r: installed pages differ from the exported functions and programs (< expected, > installed):"
        diff <(echo "$want") <(echo "$got") | grep '^[<>]'
    fi
    bad=0 n=0
    for page in $pages; do
        n=$((n + 1))
        err=$(in_root env MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
        lines=$(in_root env MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | wc -l)
        if [ -n "$err" ] || [ "$lines" -lt 10 ]; then
            bad=$((bad + 1)); echo "$page: $lines lines; $err"
        fi
    done
    if [ "$n" -gt 0 ] && [ $bad -eq 0 ]; then
        stage_pass "$r: man -l renders all $n installed pages without warnings"
    else
        stage_fail "$r: man -l: $bad of $n pages bad"
    fi

    # ---- autopkgtests, run directly in the root --------------------------------
    # The unbuilt source tree, as autopkgtest gives it to the tests.
    copy_tree "$run/tmp/src"
    for t in installed-library compile-and-probe; do
        start=$SECONDS
        if in_root sh -c "cd /tmp/src && mkdir -p /tmp/t-$t &&
                          AUTOPKGTEST_TMP=/tmp/t-$t debian/tests/$t" \
                > "$work/$r/autopkgtest-$t.log" 2>&1; then
            stage_pass "$r: debian/tests/$t in the root ($((SECONDS - start)) s)"
        else
            tail -n 30 "$work/$r/autopkgtest-$t.log"
            stage_fail "$r: debian/tests/$t in the root (log: $work/$r/autopkgtest-$t.log)"
        fi
    done

    # ---- and back: Debian's library replaces ours ------------------------------
    if stage_apt_install --root "$run" "libxencall1=$xen_version" 2>"$work/$r/revert.log" &&
       [ "$(status_of libxencall1)" = ii ] &&
       [ "$(status_of libxencall1-standalone)" != ii ] &&
       [ "$(status_of libxencall-dev)" != ii ] &&
       [ "$(owner_of /usr/include/xencall.h)" = libxen-dev ] &&
       in_root apt-get check -q >/dev/null 2>&1; then
        stage_pass "$r: reinstalling Debian's libxencall1 removes ours and gives libxen-dev its files back"
    else
        tail -n 20 "$work/$r/revert.log"
        stage_fail "$r: going back to Debian's libxencall1"
    fi
}

for release in $XENCALL_RELEASES; do
    start=$SECONDS
    check_release "$release"
    release_overlay_end "$work/$release"
    echo "$release: $((SECONDS - start)) s"
done
stage_end
