# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installing packages, and the package lists: what building this tree
# needs (read from debian/control, the one list), what booting Xen
# needs. Sourced by lib.sh.

# Install Debian packages PKG...: under a time limit, waiting for
# another install's lock, quietly; with --root ROOT, in the Debian
# system at ROOT (a release's root) by chroot. Returns apt-get's status.
stage_apt_install() {
    local in_root=()
    if [ "$1" = --root ]; then in_root=(chroot "$2"); shift 2; fi
    DEBIAN_FRONTEND=noninteractive timeout 1200 "${in_root[@]}" apt-get install -y -q \
        --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" >/dev/null
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

# This tree's debian/control: its Build-Depends is the one list of what
# building the tree needs.
XENCALL_CONTROL=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/debian/control

# The packages debian/control's Build-Depends names when the build
# profiles PROFILE... are active (none: the tests' packages included,
# as in a usual build), one per line, without versions or architecture
# lists; of alternatives, the first. A dependency with restriction
# lists (<!nocheck> <cross>) is kept when one of its lists holds: each
# term "p" needs p active, "!p" needs it not.
control_build_deps() {
    awk -v active=" $* " '
        /^Build-Depends:/ { field = 1; sub(/^[^:]*:/, ""); deps = $0; next }
        field && /^[ \t]/ { deps = deps $0; next }
        { field = 0 }
        function holds(list,    t, n, i, p) {
            n = split(list, t, " ")
            for (i = 1; i <= n; i++) {
                p = t[i]; sub(/^!/, "", p)
                if ((index(active, " " p " ") > 0) == (t[i] ~ /^!/)) return 0
            }
            return 1
        }
        END {
            n = split(deps, d, ",")
            for (i = 1; i <= n; i++) {
                dep = d[i]; sub(/\|.*/, "", dep); keep = dep !~ /</
                while (match(dep, /<[^>]*>/)) {
                    if (holds(substr(dep, RSTART + 1, RLENGTH - 2))) keep = 1
                    dep = substr(dep, 1, RSTART - 1) substr(dep, RSTART + RLENGTH)
                }
                split(dep, w, /[ \t(\[:]+/)
                name = w[1] != "" ? w[1] : w[2]
                if (keep && name != "") print name
            }
        }' "$XENCALL_CONTROL"
}

# What building this tree from git (not a package build) needs, for
# the build profiles PROFILE... (nocheck: without what only the tests
# need): the Build-Depends above, with build-essential (which Debian's
# build daemons assume) and autoreconf's tools in place of debhelper
# (which brings them to a package build through dh-autoreconf).
tree_build_packages() {
    echo build-essential autoconf automake libtool
    control_build_deps "$@" | grep -vx 'debhelper-compat'
}
