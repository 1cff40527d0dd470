#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot a Debian release's Xen and kernel under QEMU (software emulation)
# with a dom0 initramfs holding this build's library and programs, that
# release's xl, Xen daemons, test programs and libraries, and a tiny
# guest; dom0-init.sh does the rest.
#   tests/xen/run.sh BUILD_DIR test|demo SERIAL_LOG [TIMEOUT_S [ROOT [ARCH]]]
# ROOT (default /) is the Debian system everything but QEMU comes from;
# ARCH (a Debian architecture, amd64 or arm64; default the machine's)
# is the one Xen and dom0 run as. Where ARCH is the machine's, BUILD_DIR
# is a build of this tree inside ROOT, made for its C library; where it
# is not, ROOT is a sysroot of ARCH's packages (tests/stages/sysroot.sh),
# whose programs run under qemu-user, and BUILD_DIR a cross build on
# this machine against it.
# Exits 0 when dom0 ended QEMU itself, 1 otherwise (crash, hang).
set -eu
mode=$2 log=$3 limit=${4:-240} from=$(cd "${5:-/}" && pwd)
build=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../stages/lib.sh"
arch=${6:-$(dpkg --print-architecture)}
foreign=''
[ "$arch" = "$(dpkg --print-architecture)" ] || foreign=$arch
case $arch in amd64|arm64) ;; *) echo "no way to boot Xen for $arch here"; exit 1 ;; esac
if [ -n "$foreign" ]; then
    build=$(cd "$build" && pwd) build_at=$build
elif [ "$from" = / ]; then
    from='' build=$(cd "$build" && pwd) build_at=$build
else
    build_at=$from$build
fi
# Where make reads the build's Makefile: in the root it was built in.
make_root=$from
[ -z "$foreign" ] || make_root=''
# Commands of the release's own system (ldd above all: its libraries).
in_from() { if [ -n "$from" ]; then chroot "$from" "$@"; else "$@"; fi; }
# The shared libraries FILE (a path as the release sees it) loads, as
# paths in the release: its ldd, or for another architecture its
# dynamic loader's --list run under qemu-user.
libs_of() {
    local loader
    if [ -z "$foreign" ]; then
        in_from ldd "$1" 2>/dev/null
        return 0
    fi
    loader=$(readelf -lW "$from$1" 2>/dev/null || readelf -lW "$1") || return 0
    loader=$(echo "$loader" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
    [ -n "$loader" ] || return 0
    # The loader names itself by the path qemu-user opened it at.
    echo "$loader"
    "qemu-$(qemu_user_arch)" -L "$from" "$from$loader" --list "$1" 2>/dev/null | grep -v "$from" || true
}
qemu_user_arch() { case $arch in arm64) echo aarch64 ;; *) echo x86_64 ;; esac; }
# A program of the release's system by NAME, found in its usual folders.
release_command() {
    local d
    for d in /usr/sbin /usr/bin /sbin /bin; do
        [ -x "$from$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
# Where glibc loads libgcc_s from (libxl cancels threads, for which it
# does), as a path in the release.
libgcc_s_path() {
    if [ -z "$foreign" ]; then
        in_from readlink -f "$(in_from gcc -print-file-name=libgcc_s.so.1)"
    else
        echo "/usr/lib/$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)/libgcc_s.so.1"
    fi
}

# The QEMU for ARCH: the machine's, unless for amd64 that is newer
# than 7.x and the release comes from a root: then the root's own QEMU
# (roots.sh installs one), with the files QEMU reads inside that root.
# What has been seen to work is QEMU 7.2 (Debian 12) with either
# release and QEMU 10 (Debian 13) with Debian 13; this keeps to those
# pairs. For arm64, QEMU 7.2 (the machine's) boots both releases.
qemu_bin="qemu-system-x86_64"
[ "$arch" = amd64 ] || qemu_bin=qemu-system-$(qemu_user_arch)
qemu_version() { "$@" "$qemu_bin" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -n1; }
qemu=("$qemu_bin") qemu_root=''
qemu_major=$(qemu_version)
if [ "$arch" = amd64 ] && [ "${qemu_major:-0}" -gt 7 ] && [ -n "$from" ]; then
    qemu=(chroot "$from" "$qemu_bin") qemu_root=$from
    qemu_major=$(qemu_version chroot "$from")
fi
work=$(mktemp -d -p "$qemu_root/tmp")
trap 'rm -rf "$work"' EXIT

# The newest kernel that has its modules installed; never a fixed name.
release=$(ls "$from/lib/modules" | sort -V | tail -n1)
kernel=$from/boot/vmlinuz-$release
# The hypervisor: gzip-compressed on amd64, a raw Image on arm64 (the
# .efi beside it is the same file).
case $arch in
    amd64) xen_file=$(ls "$from"/boot/xen-*.gz | sort -V | tail -n1) ;;
    arm64) xen_file=$(ls "$from"/boot/xen-[0-9]*-arm64 | sort -V | tail -n1) ;;
esac
xenbin=$(cd "$from/" && ls -d usr/lib/xen-[0-9]*/bin | sort -V | tail -n1)
[ -r "$kernel" ] && [ -r "$xen_file" ] && [ -x "$from/$xenbin/xl" ] ||
    { echo "no kernel, Xen or xl in ${from:-/}"; exit 1; }
# What dom0 must find Xen reporting: the installed hypervisor's version.
xen_package=$(root_dpkg_query "${from:-/}" -S "${xen_file#"$from"}" | cut -d: -f1)
xen_expected=$(package_version "${from:-/}" "$xen_package" |
               sed -E 's/^([0-9]+:)?([0-9]+\.[0-9]+).*/\2/')
# Debian's libxencall, which dom0 measures and runs the toolstack on
# beside ours, at the path its package gives it.
debian_lib=$(debian_library "${from:-/}")
debian_lib=${debian_lib#"$from"}
# QEMU's multiboot loader needs the ELF of an amd64 Xen.
if [ "$arch" = amd64 ]; then zcat "$xen_file" >"$work/xen.elf"; else cp "$xen_file" "$work/xen"; fi

# Copy the shared libraries FILEs need into ROOT, at the same paths.
# FILEs are paths in the release's system.
add_libs() {   # ROOT FILE...
    local root=$1 f lib
    shift
    for f in "$@"; do
        # A cross build's programs also find its own library, which
        # is not the release's (it goes to /opt/xencall/lib).
        for lib in $(libs_of "$f" | grep -o '/[^ ]*'); do
            [ -e "$root$lib" ] || [ ! -e "$from$lib" ] ||
                (cd "$from/" && cp --parents -L "${lib#/}" "$root")
        done
    done
}
# The same, with the FILEs themselves.
add_with_libs() {   # ROOT FILE...
    local root=$1 f
    shift
    for f in "$@"; do (cd "$from/" && cp --parents -L "${f#/}" "$root"); done
    add_libs "$root" "$@"
}

# The file offset of ELF program FILE's entry point (uprobes' unit).
entry_offset() {
    local entry type off va filesz rest
    entry=$(readelf -hW "$1" | awk '$1 == "Entry" { print $4 }') || return 1
    while read -r type off va _ filesz rest; do
        [ "$type" = LOAD ] && [ $((entry)) -ge $((va)) ] && [ $((entry)) -lt $((va + filesz)) ] &&
            { printf '0x%x\n' $((entry - va + off)); return 0; }
    done < <(readelf -lW "$1")
    return 1
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
    "$(release_command xenstore-write)" "$debian_lib"
for prog in test-resource test-paging-mempool depriv-fd-checker; do
    [ -x "$from/$xenbin/$prog" ] && add_with_libs "$root" "/$xenbin/$prog"
done
# libxl cancels threads, for which glibc loads libgcc_s.
add_with_libs "$root" "$(libgcc_s_path)"
mkdir -p "$root/etc/xen" "$root/var/lib/xen" "$root/var/log/xen"
[ -d "$from/etc/xen" ] && cp -r "$from/etc/xen/." "$root/etc/xen/" 2>/dev/null || true

# This build: the library (its file and its soname's link) and the
# programs that run on it.
lib_path=$(built_library "$build_at")
lib_file=$(basename "$lib_path")
soname=$(soname_of "$lib_path")
cp "$lib_path" "$root/opt/xencall/lib/"
ln -s "$lib_file" "$root/opt/xencall/lib/$soname"
for prog in $(build_var "$build" DOM0_TEST_PROGS "$make_root") tools/xencall-probe; do
    bin=$build/$prog
    [ -x "$build_at/$(dirname "$prog")/.libs/$(basename "$prog")" ] &&
        bin=$build/$(dirname "$prog")/.libs/$(basename "$prog")
    add_libs "$root" "$bin"
    cp "$build_at/${bin#"$build"/}" "$root/opt/xencall/bin/$(basename "$prog")"
done

# Trace points: uprobe events computed here from the library's notes
# (dom0 has no readelf), and the script that attaches them.
sh "$here/../trace/sdt-uprobes.sh" "$lib_path" "/opt/xencall/lib/$lib_file" \
    >"$root/opt/xencall/uprobe_events" || true
install -m 755 "$here/dom0-trace.sh" "$root/opt/xencall/bin/dom0-trace"
# And a probe on busybox's first instruction, to learn whether this
# dom0 can run a probed program at all.
entry_offset "$root/bin/busybox" | sed 's|^|p:canary/entry /bin/busybox:|' \
    >"$root/opt/xencall/uprobe_canary" || true

cp "$kernel" "$root/guest/vmlinuz"
cp "$work/guest.cpio" "$root/guest/initrd.cpio"
# The guest: PV on amd64; on Arm, where there is no PV, the one guest
# type (no type=), without ACPI (xl mem-set needs that said), and
# without the arm64 kernel's 64 MiB CMA area, which would leave a guest
# ballooned to 96 MiB out of memory.
if [ "$arch" = amd64 ]; then guest_type='type = "pv"' guest_extra=''
else guest_type='acpi = 0' guest_extra=' cma=0'; fi
cat >"$root/guest/guest.cfg" <<CFG
name = "guest"
$guest_type
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd.cpio"
memory = 128
vcpus = 1
extra = "console=hvc0 rdinit=/init$guest_extra"
CFG
# A stage's own dom0 checks: XENCALL_DOM0_EXTRA names a folder that
# becomes /extra, whose run.sh dom0-init.sh runs instead of its own.
[ -z "${XENCALL_DOM0_EXTRA:-}" ] || cp -rL "$XENCALL_DOM0_EXTRA" "$root/extra"
make_cpio "$root" "$work/dom0.cpio"

# dom0 gets 1 GiB, so its maximum reservation is 262144 (4 KiB) pages.
dom0_args="console=hvc0 xentest=$mode xentest_pages=262144 xentest_xen=$xen_expected"
dom0_args="$dom0_args xentest_debian_lib=$debian_lib xentest_our_lib=/opt/xencall/lib/$soname"
xen_args="dom0_mem=1024M,max:1024M dom0_max_vcpus=1"
echo "booting $arch Xen $(basename "$xen_file") ($xen_package) with dom0 kernel $release from ${from:-/} ($mode), limit ${limit}s"
# What QEMU reads, as its own root sees it.
seen=${work#"$qemu_root"}

boot_amd64() {
    local cpu
    # The CPU model, by QEMU's version: SMAP crashes the PV dom0 on every
    # version; QEMU 7.2 (Debian 12) runs clean with "max,-smap", but under
    # QEMU 10 (Debian 13) that model makes dom0's programs segfault at
    # random, where the plain qemu64 model runs clean.
    if [ "${qemu_major:-0}" -le 7 ]; then cpu=max,-smap; else cpu=qemu64; fi
    echo "QEMU $qemu_major${qemu_root:+ from $qemu_root}, -cpu $cpu"
    # spec-ctrl=eager-fpu: by default Xen hands the FPU to a PV vCPU lazily
    # here (it leaves CR0.TS set and waits for the #NM trap), but QEMU's TCG
    # raises no #NM for XSAVE/XRSTOR, so once a second domain ran, dom0's
    # kernel saved and restored another vCPU's registers as a task's own and
    # dom0 programs crashed now and then. Eager switching never relies on it.
    timeout --foreground -k 5 "$limit" "${qemu[@]}" \
        -machine q35,accel=tcg -cpu "$cpu" -smp 1 -m 2048 \
        -display none -monitor none -serial stdio -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$seen/xen.elf" \
        -append "console=com1 com1=115200,8n1 $xen_args noreboot spec-ctrl=eager-fpu" \
        -initrd "${kernel#"$qemu_root"} earlyprintk=xen $dom0_args,$seen/dom0.cpio" </dev/null >"$log" 2>&1
    # isa-debug-exit turns dom0's byte 1 into QEMU's status (1 << 1) | 1.
    boot_status=$?
    [ "$boot_status" -eq 3 ]
}

boot_arm64() {
    local kernel_at=$((0x49000000)) initrd_at cpu
    # QEMU's guest-loader devices hand Xen its modules through the
    # device tree. QEMU puts that tree at 0x48000000 (1 MiB): the dom0
    # kernel goes above it, the initramfs at the next 16 MiB after the
    # kernel (where the two overlapped the tree, Xen hit a BUG).
    initrd_at=$(( (kernel_at + $(stat -c %s "$kernel") + 0xffffff) & ~0xffffff ))
    # -cpu max with QEMU's cheaper pointer-authentication algorithm ran
    # the whole boot about 15% faster here than cortex-a57 (the two
    # seen to work); XENCALL_ARM64_CPU chooses another model.
    cpu=${XENCALL_ARM64_CPU:-max,pauth-impdef=on}
    echo "QEMU $qemu_major, virt machine (GICv2), -cpu $cpu"
    timeout --foreground -k 5 "$limit" "${qemu[@]}" \
        -machine virt,virtualization=on,gic-version=2 -cpu "$cpu" -smp 1 -m 2048 \
        -display none -monitor none -serial stdio -no-reboot \
        -kernel "$seen/xen" \
        -append "console=dtuart $xen_args bootscrub=0" \
        -device "guest-loader,addr=$(printf 0x%x "$kernel_at"),kernel=$kernel,bootargs=earlycon=xenboot $dom0_args" \
        -device "guest-loader,addr=$(printf 0x%x "$initrd_at"),initrd=$seen/dom0.cpio" </dev/null >"$log" 2>&1
    # dom0's power-off ends QEMU with status 0 (PSCI), but so does a Xen
    # panic's reset under -no-reboot: Xen's line for dom0's halt tells.
    boot_status=$?
    [ "$boot_status" -eq 0 ] && grep -aq 'Hardware Dom0 halted: halting machine' "$log"
}

boot_status=0
"boot_$arch" && exit 0
echo "QEMU ended with status $boot_status (124: timed out)"
exit 1
