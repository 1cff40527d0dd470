#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot a Debian release's Xen and kernel under QEMU (software emulation)
# with a dom0 initramfs holding this build's library and programs, that
# release's xl, Xen daemons, test programs and libraries, and a tiny PV
# guest; dom0-init.sh does the rest.
#   tests/xen/run.sh BUILD_DIR test|demo SERIAL_LOG [TIMEOUT_S [ROOT]]
# ROOT (default /) is the Debian system everything but QEMU comes from;
# BUILD_DIR is a build of this tree inside it, made for its C library.
# Exits 0 when dom0 ended QEMU itself, 1 otherwise (crash, hang).
set -eu
mode=$2 log=$3 limit=${4:-240} from=$(cd "${5:-/}" && pwd)
build=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../stages/lib.sh"
if [ "$from" = / ]; then
    from='' build=$(cd "$build" && pwd)
fi
# Commands of the release's own system (ldd above all: its libraries).
in_from() { if [ -n "$from" ]; then chroot "$from" "$@"; else "$@"; fi; }

# QEMU is the machine's, unless that is newer than 7.x and the release
# comes from a root: then the root's own QEMU (roots.sh installs one),
# with the files QEMU reads inside that root. What has been seen to
# work is QEMU 7.2 (Debian 12) with either release and QEMU 10
# (Debian 13) with Debian 13; this keeps to those pairs.
qemu_version() { "$@" qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -n1; }
qemu=(qemu-system-x86_64) qemu_root=''
qemu_major=$(qemu_version)
if [ "${qemu_major:-0}" -gt 7 ] && [ -n "$from" ]; then
    qemu=(chroot "$from" qemu-system-x86_64) qemu_root=$from
    qemu_major=$(qemu_version chroot "$from")
fi
work=$(mktemp -d -p "$qemu_root/tmp")
trap 'rm -rf "$work"' EXIT

# The newest kernel that has its modules installed; never a fixed name.
release=$(ls "$from/lib/modules" | sort -V | tail -n1)
kernel=$from/boot/vmlinuz-$release
xen_gz=$(ls "$from"/boot/xen-*.gz | sort -V | tail -n1)
xenbin=$(cd "$from/" && ls -d usr/lib/xen-[0-9]*/bin | sort -V | tail -n1)
[ -r "$kernel" ] && [ -r "$xen_gz" ] && [ -x "$from/$xenbin/xl" ] ||
    { echo "no kernel, Xen or xl in ${from:-/}"; exit 1; }
# What dom0 must find Xen reporting: the installed hypervisor's version.
xen_package=$(root_dpkg_query "${from:-/}" -S "${xen_gz#"$from"}" | cut -d: -f1)
xen_expected=$(package_version "${from:-/}" "$xen_package" |
               sed -E 's/^([0-9]+:)?([0-9]+\.[0-9]+).*/\2/')
# Debian's libxencall, which dom0 measures and runs the toolstack on
# beside ours, at the path its package gives it.
debian_lib=$(debian_library "${from:-/}")
debian_lib=${debian_lib#"$from"}
# Debian ships Xen gzip-compressed; QEMU's multiboot loader needs the ELF.
zcat "$xen_gz" >"$work/xen.elf"

# Copy files with every shared library they need, at the same paths.
# FILEs are paths in the release's system.
add_with_libs() {   # ROOT FILE...
    local root=$1 f lib
    shift
    for f in "$@"; do
        (cd "$from/" && cp --parents -L "${f#/}" "$root")
        for lib in $(in_from ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
            [ -e "$root$lib" ] || (cd "$from/" && cp --parents -L "${lib#/}" "$root")
        done
    done
}

make_cpio() {   # ROOT OUT
    (cd "$1" && find . | cpio -o -H newc --quiet) >"$2"
}

# The guest: the same kernel, busybox, an /init that shows it is alive.
groot=$work/guest
mkdir -p "$groot/bin" "$groot/proc"
cp "$from/bin/busybox" "$groot/bin/busybox"
install -m 755 "$here/guest-init.sh" "$groot/init"
make_cpio "$groot" "$work/guest.cpio"

root=$work/dom0
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,etc,var,guest,opt/xencall/bin,opt/xencall/lib}
ln -s /run "$root/var/run"
cp "$from/bin/busybox" "$root/bin/busybox"
install -m 755 "$here/dom0-init.sh" "$root/init"
# More checks, each a script dom0-init.sh sources in name order.
mkdir -p "$root/opt/xencall/checks"
cp "$here"/checks/*.sh "$root/opt/xencall/checks/"
mkdir -p "$root/lib/modules/$release/kernel/drivers"
cp -r "$from/lib/modules/$release/kernel/drivers/xen" "$root/lib/modules/$release/kernel/drivers/"
cp "$from/lib/modules/$release"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$release/" 2>/dev/null || true
depmod -b "$root" "$release"

# Debian's Xen tools (and their libraries, Debian's libxencall among
# them), and those of Xen's own test programs this release ships.
add_with_libs "$root" "/$xenbin"/{xl,xenstored,xenconsoled,xen-init-dom0,libxl-save-helper} \
    "$(in_from sh -c 'command -v xenstore-write')" "$debian_lib"
for prog in test-resource test-paging-mempool depriv-fd-checker; do
    [ -x "$from/$xenbin/$prog" ] && add_with_libs "$root" "/$xenbin/$prog"
done
# libxl cancels threads, for which glibc loads libgcc_s.
add_with_libs "$root" "$(in_from readlink -f "$(in_from gcc -print-file-name=libgcc_s.so.1)")"
mkdir -p "$root/etc/xen" "$root/var/lib/xen" "$root/var/log/xen"
[ -d "$from/etc/xen" ] && cp -r "$from/etc/xen/." "$root/etc/xen/" 2>/dev/null || true

# This build: the library (its file and its soname's link) and the
# programs that run on it.
lib_path=$(built_library "$from$build")
lib_file=$(basename "$lib_path")
soname=$(soname_of "$lib_path")
cp "$lib_path" "$root/opt/xencall/lib/"
ln -s "$lib_file" "$root/opt/xencall/lib/$soname"
for prog in $(build_var "$build" DOM0_TEST_PROGS "$from") tools/xencall-probe; do
    bin=$build/$prog
    [ -x "$from$build/$(dirname "$prog")/.libs/$(basename "$prog")" ] &&
        bin=$build/$(dirname "$prog")/.libs/$(basename "$prog")
    add_with_libs "$root" "$bin"
    cp "$from$bin" "$root/opt/xencall/bin/$(basename "$prog")"
done

# Trace points: uprobe events computed here from the library's notes
# (dom0 has no readelf), and the script that attaches them.
sh "$here/../trace/sdt-uprobes.sh" "$lib_path" "/opt/xencall/lib/$lib_file" \
    >"$root/opt/xencall/uprobe_events" || true
install -m 755 "$here/dom0-trace.sh" "$root/opt/xencall/bin/dom0-trace"

cp "$kernel" "$root/guest/vmlinuz"
cp "$work/guest.cpio" "$root/guest/initrd.cpio"
cat >"$root/guest/guest.cfg" <<CFG
name = "guest"
type = "pv"
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd.cpio"
memory = 128
vcpus = 1
extra = "console=hvc0 rdinit=/init"
CFG
# A stage's own dom0 checks: XENCALL_DOM0_EXTRA names a folder that
# becomes /extra, whose run.sh dom0-init.sh runs instead of its own.
[ -z "${XENCALL_DOM0_EXTRA:-}" ] || cp -rL "$XENCALL_DOM0_EXTRA" "$root/extra"
make_cpio "$root" "$work/dom0.cpio"

# dom0 gets 1 GiB, so its maximum reservation is 262144 pages.
dom0_args="console=hvc0 earlyprintk=xen xentest=$mode xentest_pages=262144 xentest_xen=$xen_expected"
dom0_args="$dom0_args xentest_debian_lib=$debian_lib xentest_our_lib=/opt/xencall/lib/$soname"
# spec-ctrl=eager-fpu: by default Xen hands the FPU to a PV vCPU lazily
# here (it leaves CR0.TS set and waits for the #NM trap), but QEMU's TCG
# raises no #NM for XSAVE/XRSTOR, so once a second domain ran, dom0's
# kernel saved and restored another vCPU's registers as a task's own and
# dom0 programs crashed now and then. Eager switching never relies on it.
echo "booting Xen $(basename "$xen_gz") ($xen_package) with dom0 kernel $release from ${from:-/} ($mode), limit ${limit}s"
# The CPU model, by QEMU's version: SMAP crashes the PV dom0 on every
# version; QEMU 7.2 (Debian 12) runs clean with "max,-smap", but under
# QEMU 10 (Debian 13) that model makes dom0's programs segfault at
# random, where the plain qemu64 model runs clean.
if [ "${qemu_major:-0}" -le 7 ]; then cpu=max,-smap; else cpu=qemu64; fi
echo "QEMU $qemu_major${qemu_root:+ from $qemu_root}, -cpu $cpu"
# What QEMU reads, as its own root sees it.
seen=${work#"$qemu_root"}
set +e
timeout --foreground -k 5 "$limit" "${qemu[@]}" \
    -machine q35,accel=tcg -cpu "$cpu" -smp 1 -m 2048 \
    -display none -monitor none -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$seen/xen.elf" \
    -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=1 noreboot spec-ctrl=eager-fpu" \
    -initrd "${kernel#"$qemu_root"} $dom0_args,$seen/dom0.cpio" </dev/null >"$log" 2>&1
status=$?
set -e
# isa-debug-exit turns dom0's byte 1 into QEMU's status (1 << 1) | 1.
[ "$status" -eq 3 ] && exit 0
echo "QEMU ended with status $status (124: timed out)"
exit 1
