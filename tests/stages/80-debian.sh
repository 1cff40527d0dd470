#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian packages: build them from a clean copy of the tree, lint them,
# then install them into a throwaway Debian 12 root that already has
# Debian's Xen packages, and check that they replace Debian's
# libxencall1 cleanly, that xl and libxenctrl load ours, that the pages
# render, and that the package's autopkgtests pass there.
#
# The root is made once with debootstrap (minbase, this machine's own
# Debian mirror) and kept under $XENCALL_CACHE (default
# /var/cache/xencall-tests); each run works on a copy of it.
set -u
top=$(pwd)
. tests/stages/lib.sh
stage_begin debian

export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
cache=${XENCALL_CACHE:-/var/cache/xencall-tests}
work=$(cd "$XENCALL_BUILD/.." && pwd)/debian
run=$work/root
pkgs="libxencall1-standalone libxencall-dev xencall-tools"

finish() { stage_end; exit $?; }

# ---- tools ---------------------------------------------------------------
tools="debhelper dh-autoreconf fakeroot lintian debootstrap mandoc groff-base
 libcmocka-dev pkgconf libxen-dev"
# shellcheck disable=SC2086
if ! timeout 900 apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $tools >/dev/null; then
    stage_fail "cannot install $tools"
    finish
fi
# Our runtime package provides libxencall1 at the version of the host's
# libxen-dev; the throwaway root gets the mirror's newest, so take that.
timeout 600 apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends --only-upgrade \
    libxen-dev libxencall1 >/dev/null 2>&1 || true
xen_version=$(dpkg-query -W -f='${Version}' libxen-dev)

# ---- build -----------------------------------------------------------------
rm -rf "$work/src" "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo
mkdir -p "$work/src/libxencall"
# What git knows of, tracked or new, not what it ignores (build output).
git ls-files -z -co --exclude-standard |
    xargs -0 cp --parents -t "$work/src/libxencall"
start=$SECONDS
if (cd "$work/src/libxencall" &&
    DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
    timeout 1200 dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
    stage_pass "dpkg-buildpackage -us -uc -b ($((SECONDS - start)) s)"
else
    tail -n 30 "$work/build.log"
    stage_fail "dpkg-buildpackage -us -uc -b (log: $work/build.log)"
    finish
fi
debs=
for p in $pkgs; do
    deb=$(ls "$work/src/${p}_"*.deb 2>/dev/null | head -n1)
    if [ -n "$deb" ]; then
        debs="$debs $deb"
    else
        stage_fail "no package $p was built"
    fi
done
changes=$(ls "$work"/src/libxencall_*.changes | head -n1)

if out=$(timeout 600 lintian --fail-on error,warning -I -E --pedantic \
            "$changes" 2>&1); then
    stage_pass "lintian: no error, warning, info or pedantic tag"
else
    echo "$out"
    if echo "$out" | grep -q '^[EW]:'; then
        stage_fail "lintian reports errors or warnings"
    else
        stage_pass "lintian: no error or warning (info/pedantic tags above)"
    fi
fi

provides=$(dpkg-deb -f "$work/src/libxencall1-standalone_"*.deb Provides)
if [ "$provides" = "libxencall1 (= $xen_version)" ]; then
    stage_pass "runtime package Provides: $provides"
else
    stage_fail "runtime package Provides '$provides', expected libxencall1 (= $xen_version)"
fi

# ---- the throwaway root ---------------------------------------------------
mirrors=$(debian_sources bookworm | sort -u)
mirror=$(echo "$mirrors" | awk '$2 == "bookworm" { print $1; exit }')
if [ -z "$mirror" ]; then
    stage_fail "no Debian bookworm mirror in this machine's apt sources"
    finish
fi

# Debian's packages in the root: Xen, man, and what debian/tests needs.
root_pkgs="xen-utils-4.17 libxen-dev man-db build-essential autoconf automake
 libtool pkgconf libcmocka-dev dpkg-dev"
key=$(printf '%s\n%s\nv1\n' "$mirrors" "$root_pkgs" | md5sum | cut -c1-12)
pristine=$cache/bookworm-$key

make_pristine() {
    local tmp=$pristine.new
    mkdir -p "$cache" || return 1
    # An older root only needs its packages brought up to date; a
    # debootstrap that finished is kept if what follows fails.
    if [ -d "$pristine" ] && [ ! -e "$tmp/.debootstrap-done" ]; then
        rm -rf "$tmp" && cp -a "$pristine" "$tmp" && touch "$tmp/.debootstrap-done"
    fi
    if [ ! -e "$tmp/.debootstrap-done" ]; then
        rm -rf "$tmp"
        echo "debootstrap bookworm from $mirror into $tmp"
        timeout 1200 debootstrap --variant=minbase bookworm "$tmp" "$mirror" \
            > "$work/debootstrap.log" 2>&1 ||
            { tail -n 20 "$work/debootstrap.log"; return 1; }
        touch "$tmp/.debootstrap-done"
    fi
    echo "$mirrors" | awk '{ print "deb", $1, $2, "main" }' \
        > "$tmp/etc/apt/sources.list"
    # shellcheck disable=SC2086
    timeout 1800 chroot "$tmp" sh -c "apt-get update -q &&
        apt-get install -y -q --no-install-recommends $(echo $root_pkgs) &&
        apt-get clean" > "$work/root-install.log" 2>&1 ||
        { tail -n 20 "$work/root-install.log"; return 1; }
    rm -f "$tmp/.debootstrap-done"
    rm -rf "$pristine" && mv "$tmp" "$pristine"
}

chroot_xen=$(chroot "$pristine" dpkg-query -W -f='${Version}' libxen-dev 2>/dev/null)
if [ "$chroot_xen" != "$xen_version" ]; then
    # New root, or the mirror has a new Xen since it was made.
    start=$SECONDS
    if make_pristine; then
        stage_pass "Debian 12 root with Debian's Xen $xen_version made ($((SECONDS - start)) s)"
    else
        stage_fail "cannot make the Debian 12 root"
        finish
    fi
fi

umount_all() {
    local m
    for m in proc dev/pts; do
        mountpoint -q "$run/$m" && umount -l "$run/$m"
    done
    return 0
}
trap umount_all EXIT
umount_all
rm -rf "$run"
cp -a "$pristine" "$run"
mount -t proc proc "$run/proc"
in_root() { timeout 900 chroot "$run" "$@"; }

owner_of() { in_root dpkg-query -S "$1" 2>/dev/null | cut -d: -f1; }
status_of() { in_root dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }

if [ "$(status_of libxencall1)" = ii ] && [ "$(status_of xen-utils-4.17)" = ii ] &&
   [ "$(status_of libxen-dev)" = ii ]; then
    stage_pass "root has Debian's xen-utils-4.17, libxen-dev and libxencall1 $(in_root dpkg-query -W -f='${Version}' libxencall1)"
else
    stage_fail "root lacks Debian's Xen packages"
fi

# ---- install ours ----------------------------------------------------------
mkdir -p "$run/tmp/debs"
# shellcheck disable=SC2086
cp $debs "$run/tmp/debs/"
if in_root sh -c 'cd /tmp/debs && apt-get install -y -q --no-install-recommends ./*.deb' \
        > "$work/install.log" 2>&1; then
    stage_pass "apt-get install ./<our packages> in the root"
else
    tail -n 30 "$work/install.log"
    stage_fail "apt-get install of our packages (log: $work/install.log)"
fi

ok=yes
for p in $pkgs xen-utils-4.17 libxen-dev libxenmisc4.17; do
    [ "$(status_of "$p")" = ii ] || { ok=no; echo "$p: $(status_of "$p")"; }
done
if [ "$(status_of libxencall1)" != ii ] && [ $ok = yes ]; then
    stage_pass "Debian's libxencall1 replaced; xen-utils-4.17, libxen-dev, libxenmisc4.17 kept"
else
    stage_fail "libxencall1 status '$(status_of libxencall1)', others installed: $ok"
fi

if in_root apt-get check -q >/dev/null 2>&1 && [ -z "$(in_root dpkg --audit)" ]; then
    stage_pass "apt-get check and dpkg --audit clean"
else
    in_root apt-get check
    stage_fail "apt-get check or dpkg --audit"
fi

# Which libxencall.so.1 a binary loads, and the package owning it.
loaded_by() {
    local lib
    lib=$(in_root ldd "$1" | sed -n 's/^[[:space:]]*libxencall\.so\.1 => \([^ ]*\) .*/\1/p')
    [ -n "$lib" ] || { echo "nothing"; return; }
    lib=$(in_root readlink -f "$lib")
    echo "$lib $(owner_of "$lib")"
}
libxenctrl=$(in_root sh -c 'ls /usr/lib/*/libxenctrl.so.4.17* | head -n1')
for bin in /usr/lib/xen-4.17/bin/xl "$libxenctrl"; do
    got=$(loaded_by "$bin")
    case $got in
    *" libxencall1-standalone") stage_pass "ldd $bin: libxencall.so.1 => $got" ;;
    *) stage_fail "ldd $bin: libxencall.so.1 => $got" ;;
    esac
done
# At run time too: ours explains the missing privcmd its own way.
out=$(in_root /usr/lib/xen-4.17/bin/xl info 2>&1)
if echo "$out" | grep -q '^xencall: error: cannot open /dev/xen/privcmd'; then
    stage_pass "xl info reaches our libxencall (no Xen here: $(echo "$out" | head -n1))"
else
    echo "$out"
    stage_fail "xl info did not report through our libxencall"
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
    stage_pass "libxen-dev's xencall.h, .so, .a, .pc diverted to *.distrib"
else
    stage_fail "diversions of libxen-dev's files"
fi

# ---- man pages --------------------------------------------------------------
pages=$(in_root dpkg-query -L libxencall-dev xencall-tools | grep '^/usr/share/man/man./')
bad=0 n=0
for page in $pages; do
    n=$((n + 1))
    err=$(in_root env MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
    lines=$(in_root env MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | wc -l)
    if [ -n "$err" ] || [ "$lines" -lt 10 ]; then
        bad=$((bad + 1)); echo "$page: $lines lines; $err"
    fi
done
if [ "$n" -ge 16 ] && [ $bad -eq 0 ]; then
    stage_pass "man -l renders all $n installed pages without warnings"
else
    stage_fail "man -l: $bad of $n pages bad (16 expected)"
fi

# ---- autopkgtests, run directly in the root --------------------------------
# The unbuilt source tree, as autopkgtest gives it to the tests.
mkdir -p "$run/tmp/src"
git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$run/tmp/src"
for t in installed-library compile-and-probe; do
    start=$SECONDS
    if in_root sh -c "cd /tmp/src && mkdir -p /tmp/t-$t &&
                      AUTOPKGTEST_TMP=/tmp/t-$t debian/tests/$t" \
            > "$work/autopkgtest-$t.log" 2>&1; then
        stage_pass "debian/tests/$t in the root ($((SECONDS - start)) s)"
    else
        tail -n 30 "$work/autopkgtest-$t.log"
        stage_fail "debian/tests/$t in the root (log: $work/autopkgtest-$t.log)"
    fi
done

# ---- and back: Debian's library replaces ours ------------------------------
if in_root apt-get install -y -q --no-install-recommends \
        "libxencall1=$xen_version" > "$work/revert.log" 2>&1 &&
   [ "$(status_of libxencall1)" = ii ] &&
   [ "$(status_of libxencall1-standalone)" != ii ] &&
   [ "$(status_of libxencall-dev)" != ii ] &&
   [ "$(owner_of /usr/include/xencall.h)" = libxen-dev ] &&
   in_root apt-get check -q >/dev/null 2>&1; then
    stage_pass "reinstalling Debian's libxencall1 removes ours and gives libxen-dev its files back"
else
    tail -n 20 "$work/revert.log"
    stage_fail "going back to Debian's libxencall1"
fi

umount_all
rm -rf "$run"
finish
