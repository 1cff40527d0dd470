# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian roots of every release this project supports, for the stages
# that build, install or boot on a release other than (or as well as)
# the machine's own. Source it after lib.sh.
#
# Each release's root is made once with debootstrap (minbase) from this
# machine's own mirrors, with Debian's Xen, a kernel and the build and
# packaging tools, and kept under $XENCALL_CACHE in a folder named
# after its inputs; a build root (release_build_root: what a build
# daemon builds in) beside it. Stages never write to them: they work
# in an overlay (release_overlay).

# Debian 12 and Debian 13, oldest first (read by the stages).
# shellcheck disable=SC2034
XENCALL_RELEASES="bookworm trixie"

host_release() { (. /etc/os-release && echo "$VERSION_CODENAME"); }

# What every root holds: what booting its Xen needs (lib/packages.sh's
# xen_boot_packages: Xen through its metapackage, the kernel, busybox
# for the initramfs, QEMU, which tests/xen/run.sh says when it uses),
# what building and checking this tree needs (debian/control's
# Build-Depends, tree_build_packages), and the root's own: packaging
# and linting (stage 80: lintian, man-db for the pages), valgrind and
# newlib's headers. Sorted: the list keys the cached root.
# shellcheck disable=SC2046
XENCALL_ROOT_PACKAGES=$(printf '%s\n' $(xen_boot_packages "$(dpkg --print-architecture)") \
    $(tree_build_packages) debhelper dh-autoreconf dpkg-dev fakeroot lintian man-db \
    valgrind libnewlib-dev | sort -u | tr '\n' ' ')

# "URI SUITE" lines for RELEASE: the machine's own sources, with its
# release's name swapped for RELEASE (bookworm-security becomes
# trixie-security at the same URI).
release_mirrors() {
    local release=$1 host
    host=$(host_release)
    debian_sources "$host" | awk -v host="$host" -v want="$1" \
        '{ sub("^" host, want, $2); print $1, $2 }' | sort -u
}

# Prints the path of RELEASE's root, making it first if needed (several
# stages may ask at once: one makes it, the others wait). A root older
# than a week is brought up to date first, so a new Xen from the mirror
# reaches the tests.
release_root() { make_root "$1" minbase "$XENCALL_ROOT_PACKAGES" v3; }

# Prints the path of RELEASE's build root, made as release_root makes
# its root: what a Debian build daemon builds in (debootstrap's buildd
# variant: minbase and build-essential, nothing else). A stage installs
# a package's build dependencies in an overlay of it.
release_build_root() { make_root "$1" buildd "" build-v1; }

# make_root RELEASE VARIANT PACKAGES TAG: the cached root of RELEASE
# made by debootstrap --variant=VARIANT with PACKAGES added; TAG names
# the recipe in its key. A make cut short (a time limit) is resumed.
make_root() {
    local release=$1 variant=$2 packages=$3 tag=$4 cache=$XENCALL_CACHE mirrors mirror key root log
    mirrors=$(release_mirrors "$release")
    mirror=$(echo "$mirrors" | awk -v s="$release" '$2 == s { print $1; exit }')
    if [ -z "$mirror" ]; then
        echo "no Debian mirror in this machine's apt sources" >&2
        return 1
    fi
    key=$(printf '%s\n%s\n%s\n%s\n' "$mirrors" "$variant" "$packages" "$tag" | md5sum | cut -c1-12)
    root=$cache/$release-$key
    log=$cache/$release-$key.log
    mkdir -p "$cache" || return 1
    (
        flock 9
        if [ -e "$root/.made" ] && [ -z "$(find "$root/.made" -mtime +7)" ]; then
            exit 0
        fi
        if [ ! -e "$root/.debootstrap-done" ]; then
            rm -rf "$root"
            command -v debootstrap >/dev/null || stage_apt_install debootstrap ||
                { echo "cannot install debootstrap" >&2; exit 1; }
            echo "debootstrap --variant=$variant $release from $mirror into $root" >&2
            timeout 1200 debootstrap --variant="$variant" "$release" "$root" "$mirror" \
                >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
            touch "$root/.debootstrap-done"
        fi
        echo "$mirrors" | awk '{ print "deb", $1, $2, "main" }' >"$root/etc/apt/sources.list"
        # Installing Xen's tools must not start their daemons.
        printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
        chmod 755 "$root/usr/sbin/policy-rc.d"
        echo "bringing the $release root up to date${packages:+ and installing its packages}" >&2
        # dpkg --configure -a finishes an install a time limit cut short.
        # shellcheck disable=SC2086
        timeout 1800 chroot "$root" env LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
            sh -c "dpkg --configure -a && apt-get update -q && apt-get upgrade -y -q" >>"$log" 2>&1 &&
            { [ -z "$packages" ] ||
              LC_ALL=C.UTF-8 stage_apt_install --root "$root" $packages 2>>"$log"; } &&
            chroot "$root" apt-get clean || { tail -n 20 "$log" >&2; exit 1; }
        touch "$root/.made"
    ) 9>"$root.lock" || { echo "cannot make the Debian $release root (log: $log)" >&2; return 1; }
    echo "$root"
}

# A writable view of ROOT at DIR/root (changes go to DIR/upper), with
# /proc mounted; release_overlay_end undoes it. Where the machine
# cannot mount an overlay (no overlayfs, or the cache itself on an
# overlay that refuses to nest, as in some containers), a copy of the
# root does the same job, slower; where it cannot mount /proc either,
# the root goes without, which building and dpkg can.
release_overlay() {
    local root=$1 dir=$2
    release_overlay_end "$dir"
    rm -rf "$dir" && mkdir -p "$dir/upper" "$dir/work" "$dir/root" || return 1
    if [ "${XENCALL_NO_OVERLAY:-}" = 1 ] ||
       ! mount -t overlay overlay \
           -o "lowerdir=$root,upperdir=$dir/upper,workdir=$dir/work" "$dir/root" 2>/dev/null; then
        echo "no overlay mount here${XENCALL_NO_OVERLAY:+ (XENCALL_NO_OVERLAY=1)}: copying the root to $dir/root" >&2
        cp -a "$root/." "$dir/root/" || return 1
    fi
    mount -t proc proc "$dir/root/proc" 2>/dev/null ||
        echo "cannot mount /proc in $dir/root here: it goes without" >&2
}

release_overlay_end() {
    local dir=$1 m
    for m in proc ""; do
        mountpoint -q "$dir/root/$m" && umount -l "$dir/root/$m"
    done
    return 0
}

# Every release's overlay under WORK (WORK/RELEASE) is undone when the
# stage exits, however it ends.
release_overlays_end_at_exit() {
    # shellcheck disable=SC2064,SC2154
    trap "for r in \$XENCALL_RELEASES; do release_overlay_end '$1/\$r'; done" EXIT
}
