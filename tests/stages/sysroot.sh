# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's own packages of another architecture (arm64), unpacked into
# a folder: what a cross build links against, what qemu-aarch64 runs
# with -L, and the hypervisor, kernel and tools an arm64 Xen boots
# with. Sourced after lib.sh and roots.sh, never run as a stage.
#
# The machine's apt and dpkg are left alone (no --add-architecture):
# a private apt, told the architecture and an empty package database,
# downloads the packages asked for and everything they depend on; each
# is unpacked with tar and recorded in a dpkg database of the folder's
# own (status and file lists), so that root_dpkg_query, package_version
# and debian_library read the folder as they read a release's root.

# debian_sysroot ARCH RELEASE PACKAGES...: prints the folder, making it
# once per ARCH, RELEASE, mirrors, packages and recipe under
# $XENCALL_CACHE (several stages may ask at once: one makes it, the
# others wait). Like the release roots, it is remade after a week so a
# new Xen from the mirror reaches the tests.
debian_sysroot() {
    local arch=$1 release=$2 mirrors key dir
    shift 2
    mirrors=$(release_mirrors "$release")
    [ -n "$mirrors" ] || { echo "no Debian mirror in this machine's apt sources" >&2; return 1; }
    key=$({ echo "$arch $release $*"; echo "$mirrors"
            declare -f debian_sysroot sysroot_fetch sysroot_unpack; } | sha256sum | cut -c1-12)
    dir=$XENCALL_CACHE/sysroot-$arch-$release-$key
    mkdir -p "$XENCALL_CACHE" || return 1
    (
        flock -w 1800 9 || exit 1
        if [ -e "$dir/root/.made" ] && [ -z "$(find "$dir/root/.made" -mtime +7)" ]; then
            exit 0
        fi
        rm -rf "$dir" && mkdir -p "$dir" &&
            { sysroot_fetch "$dir" "$arch" "$mirrors" "$@" && sysroot_unpack "$dir"; } \
                >"$dir.log" 2>&1 &&
            rm -rf "$dir/apt/cache/archives" && touch "$dir/root/.made"
    ) 9>"$dir.lock" || {
        tail -n 20 "$dir.log" >&2
        echo "cannot make the $arch $release sysroot (log: $dir.log)" >&2
        return 1
    }
    echo "$dir/root"
}

# sysroot_fetch DIR ARCH MIRRORS PACKAGES...: the .deb files of
# PACKAGES and their whole dependency closure in DIR/apt/cache/archives.
sysroot_fetch() {
    local dir=$1 arch=$2 mirrors=$3 apt
    shift 3
    mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/apt/etc" &&
        : >"$dir/apt/status" &&
        echo "$mirrors" | awk '{ print "deb", $1, $2, "main" }' >"$dir/apt/etc/sources.list" || return 1
    apt=(apt-get -q -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
         -o "Dir::State::status=$dir/apt/status" -o "Dir::State::Lists=$dir/apt/lists"
         -o "Dir::Cache=$dir/apt/cache" -o "Dir::Etc::SourceList=$dir/apt/etc/sources.list"
         -o Dir::Etc::SourceParts=- -o "Dir::Etc::Preferences=$dir/apt/etc/preferences"
         -o Dir::Etc::PreferencesParts=- -o APT::Install-Recommends=false
         -o Debug::NoLocking=true)
    timeout 600 "${apt[@]}" update &&
        timeout 1800 "${apt[@]}" install -y --download-only "$@"
}

# sysroot_unpack DIR: every fetched .deb unpacked into DIR/root, merged
# /usr as Debian 12 and 13 install (so /lib/ld-linux-*.so.1 resolves
# whichever folder a package ships it in), and listed in DIR/root's
# dpkg database as installed.
sysroot_unpack() {
    local dir=$1 root=$1/root deb pkg d
    mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/var/lib/dpkg/info" || return 1
    for d in bin sbin lib; do ln -s "usr/$d" "$root/$d" || return 1; done
    : >"$root/var/lib/dpkg/status"
    for deb in "$dir"/apt/cache/archives/*.deb; do
        pkg=$(dpkg-deb -f "$deb" Package) &&
            dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root" &&
            dpkg-deb --fsys-tarfile "$deb" | tar -t |
                sed -e 's|^\./|/|' -e 's|/$||' -e 's|^$|/.|' >"$root/var/lib/dpkg/info/$pkg.list" &&
            { dpkg-deb -f "$deb" | sed '/^Package:/a Status: install ok installed'; echo; } \
                >>"$root/var/lib/dpkg/status" || return 1
    done
}

# What the arm64 stages need from a release, in one sysroot: the
# library's build dependencies (cross build, and the arm64 programs
# qemu-aarch64 runs), and Debian's Xen, dom0 kernel, busybox and
# xenstore tools that tests/xen/run.sh boots under qemu-system-aarch64.
# shellcheck disable=SC2034
XENCALL_ARM64_PACKAGES="libxen-dev libcmocka-dev systemtap-sdt-dev libxencall1
 xen-system-arm64 linux-image-arm64 busybox-static xenstore-utils"

# arm64_sysroot RELEASE [KERNEL]: prints the path of RELEASE's arm64
# sysroot; KERNEL names another dom0 kernel package than Debian's
# default (linux-image-arm64-16k: 16 KiB pages).
# shellcheck disable=SC2086
arm64_sysroot() {
    debian_sysroot arm64 "$1" ${XENCALL_ARM64_PACKAGES/linux-image-arm64/${2:-linux-image-arm64}}
}

# cross_configure_args ARCH SYSROOT: configure's arguments for a cross
# build for Debian architecture ARCH (arm64) with Debian's cross gcc
# (aarch64-linux-gnu-gcc) against the libraries and
# headers of SYSROOT (a debian_sysroot), one per line. Each closes a
# way the build could quietly use the machine's own files instead:
# pkg-config reads only SYSROOT's .pc files (PKG_CONFIG_LIBDIR) and
# prefixes their paths with it; SYSROOT's headers come before the
# machine's /usr/include, which the cross gcc also searches, and its
# multiarch folder is searched (sys/sdt.h lives there); the linker
# finds the libraries' own dependencies there (rpath-link). Trace
# points are asked for, so a missing sys/sdt.h fails configure.
cross_configure_args() {
    local root=$2 triplet multiarch
    triplet=$(dpkg-architecture -a "$1" -qDEB_HOST_GNU_TYPE 2>/dev/null) &&
        multiarch=$(dpkg-architecture -a "$1" -qDEB_HOST_MULTIARCH 2>/dev/null) || return 1
    printf '%s\n' --build="$(gcc -dumpmachine)" --host="$triplet" --enable-trace-points \
        PKG_CONFIG="$(command -v pkg-config)" \
        PKG_CONFIG_LIBDIR="$root/usr/lib/$multiarch/pkgconfig:$root/usr/share/pkgconfig" \
        PKG_CONFIG_SYSROOT_DIR="$root" \
        CPPFLAGS="-I$root/usr/include/$multiarch -I$root/usr/include" \
        LDFLAGS="-Wl,-rpath-link,$root/usr/lib/$multiarch"
}

# cross_xen_build ARCH RELEASE DIR: this tree (run from its top, with
# configure made) cross-built in DIR for ARCH against RELEASE's sysroot,
# with the programs tests/xen/run.sh puts into dom0; prints the
# sysroot, which run.sh boots as ROOT. What stage 70 and demo.sh's
# other-architecture way both use. Output in DIR/build.out.
cross_xen_build() {
    local arch=$1 release=$2 dir=$3 root top args
    case $arch in
        arm64) root=$(arm64_sysroot "$release") || return 1 ;;
        *) echo "no sysroot recipe for $arch" >&2; return 1 ;;
    esac
    mapfile -t args < <(cross_configure_args "$arch" "$root")
    top=$(pwd)
    mkdir -p "$dir" &&
        (cd "$dir" && timeout 600 "$top/configure" -q --enable-werror "${args[@]}") >"$dir/build.out" 2>&1 &&
        make_dom0_programs "$dir" >>"$dir/build.out" 2>&1 ||
        { tail -n 30 "$dir/build.out" >&2; echo "cross build for $arch $release failed (log: $dir/build.out)" >&2; return 1; }
    echo "$root"
}

# foreign_run ARCH CMD...: runs CMD... where the kernel runs ARCH's
# programs (a chroot into a root holding them, an ARCH program) through
# Debian's qemu-user-static, as binfmt_misc does once that is set up,
# but without touching the machine's binfmt_misc: CMD runs in a user
# and mount namespace of its own, which mounts binfmt_misc's instance
# of its own (Linux 6.7 and later) and registers only ARCH's handler
# there (Debian's line for it, from the package's binfmt.d), gone when
# CMD ends. The namespace maps every user and group id to itself, so
# root stays root for the files CMD writes. qemu-user-static is
# unpacked into a cached folder, not installed: where binfmt-support
# is installed, its postinst would register handlers machine-wide.
foreign_run() {
    local arch=$1 cpu qemu conf pid i
    shift
    cpu=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_CPU 2>/dev/null) &&
        qemu=$(debian_sysroot "$(dpkg --print-architecture)" "$(host_release)" qemu-user-static) &&
        conf=$(sed "s|:/usr/|:$qemu/usr/|" "$qemu/usr/lib/binfmt.d/qemu-$cpu.conf") || return 1
    # shellcheck disable=SC2016
    unshare --user --mount -- sh -c '
        n=0
        until grep -q . /proc/self/uid_map; do   # written from outside, below
            n=$((n + 1)); [ $n -lt 100 ] || exit 125; sleep 0.1
        done
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc &&
            printf "%s" "$0" >/proc/sys/fs/binfmt_misc/register && exec "$@"' "$conf" "$@" &
    pid=$!
    # Refused until unshare has made the namespace: tried again.
    for i in $(seq 100); do
        { echo "0 0 4294967295" >"/proc/$pid/uid_map" &&
          echo "0 0 4294967295" >"/proc/$pid/gid_map"; } 2>/dev/null && break
        [ "$i" -lt 100 ] && sleep 0.1
    done
    wait "$pid"
}

# release_foreign_root RELEASE ARCH: prints the path of RELEASE's build
# root (release_build_root) with ARCH added to its dpkg
# (--add-architecture) and, beside its own packages, what a Debian
# cross build for ARCH builds with (crossbuild-essential-ARCH), the
# release's ARCH Xen (xen-system-ARCH: xl, libxenctrl, libxencall1)
# with libxen-dev. ARCH's maintainer scripts (python3's, which xl's
# package needs) run under foreign_run. Made from a copy of the build
# root, kept under $XENCALL_CACHE, remade when the build root is (a
# week) or this recipe changes. Stages work in an overlay of it.
release_foreign_root() {
    local release=$1 arch=$2 base key root
    base=$(release_build_root "$release") || return 1
    key=$(declare -f release_foreign_root | sha256sum | cut -c1-12)
    root=$base-$arch-$key
    (
        flock -w 1800 9 || exit 1
        [ -e "$root/.made" ] && [ "$root/.made" -nt "$base/.made" ] && exit 0
        echo "making the $release root with its $arch Xen and cross compiler: $root" >&2
        rm -rf "$root" && flock "$base.lock" cp -a "$base" "$root" && rm -f "$root/.made" &&
            foreign_run "$arch" timeout 1800 chroot "$root" \
                env LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive sh -c "
                dpkg --add-architecture $arch && apt-get update -q &&
                apt-get install -y -q --no-install-recommends crossbuild-essential-$arch \
                    xen-system-$arch:$arch libxen-dev:$arch &&
                apt-get clean" >"$root.log" 2>&1 &&
            touch "$root/.made"
    ) 9>"$root.lock" || {
        tail -n 20 "$root.log" >&2
        echo "cannot make the $release root with its $arch packages (log: $root.log)" >&2
        return 1
    }
    echo "$root"
}

# The architectures the packages and the ABI are checked for (stages
# 80 and 85): the machine's own, and arm64 (cross-built where the
# machine is not arm64).
xencall_architectures() { printf '%s\n' "$(dpkg --print-architecture)" arm64 | awk '!seen[$0]++'; }

# foreign_run_works ARCH: foreign_run can run one of ARCH's programs
# here (busybox from the machine's release's sysroot); where it cannot,
# prints why. A binfmt_misc of a namespace's own needs Linux 6.7.
foreign_run_works() {
    local root
    root=$(debian_sysroot "$1" "$(host_release)" busybox-static) &&
        foreign_run "$1" "$root/usr/bin/busybox" true 2>/dev/null && return 0
    echo "this kernel ($(uname -r)) cannot run $1 programs through a binfmt_misc of a user namespace's own (Linux 6.7 and later)"
    return 1
}
