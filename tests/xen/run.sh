#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot Debian's Xen and kernel under QEMU (software emulation) with a
# dom0 initramfs holding this build's library and programs, Debian's
# xl and Xen daemons, and a tiny PV guest; dom0-init.sh does the rest.
#   tests/xen/run.sh BUILD_DIR test|demo SERIAL_LOG [TIMEOUT_S]
# Exits 0 when dom0 ended QEMU itself, 1 otherwise (crash, hang).
set -eu
build=$(cd "$1" && pwd) mode=$2 log=$3 limit=${4:-240}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The newest kernel that has its modules installed; never a fixed name.
release=$(ls /lib/modules | sort -V | tail -n1)
kernel=/boot/vmlinuz-$release
xen_gz=$(ls /boot/xen-*.gz | sort -V | tail -n1)
xenbin=$(dirname "$(readlink -f "$(ls /usr/lib/xen-*/bin/xl | sort -V | tail -n1)")")
[ -r "$kernel" ] && [ -r "$xen_gz" ] || { echo "no kernel or Xen in /boot"; exit 1; }
# Debian ships Xen gzip-compressed; QEMU's multiboot loader needs the ELF.
zcat "$xen_gz" >"$work/xen.elf"

# Copy files with every shared library they need, at the same paths.
add_with_libs() {   # ROOT FILE...
    local root=$1 f lib
    shift
    for f in "$@"; do
        cp --parents -L "$f" "$root"
        for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
            [ -e "$root$lib" ] || cp --parents -L "$lib" "$root"
        done
    done
}

make_cpio() {   # ROOT OUT
    (cd "$1" && find . | cpio -o -H newc --quiet) >"$2"
}

# The guest: the same kernel, busybox, an /init that says it is alive.
groot=$work/guest
mkdir -p "$groot/bin" "$groot/proc"
cp /bin/busybox "$groot/bin/busybox"
install -m 755 "$here/guest-init.sh" "$groot/init"
make_cpio "$groot" "$work/guest.cpio"

root=$work/dom0
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,etc,var,guest,opt/xencall/bin,opt/xencall/lib}
ln -s /run "$root/var/run"
cp /bin/busybox "$root/bin/busybox"
install -m 755 "$here/dom0-init.sh" "$root/init"
mkdir -p "$root/lib/modules/$release/kernel/drivers"
cp -r "/lib/modules/$release/kernel/drivers/xen" "$root/lib/modules/$release/kernel/drivers/"
cp "/lib/modules/$release"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$release/" 2>/dev/null || true
depmod -b "$root" "$release"

# Debian's Xen tools (and their libraries, Debian's libxencall among them).
add_with_libs "$root" "$xenbin"/{xl,xenstored,xenconsoled,xen-init-dom0} \
    "$(command -v xenstore-write)"
cp -L /usr/lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/usr/lib/x86_64-linux-gnu/" 2>/dev/null ||
    cp --parents -L "$(gcc -print-file-name=libgcc_s.so.1)" "$root"
mkdir -p "$root/etc/xen" "$root/var/lib/xen" "$root/var/log/xen"
[ -d /etc/xen ] && cp -r /etc/xen/. "$root/etc/xen/" 2>/dev/null || true

# This build: the library and the programs that run on it.
cp -a "$build"/.libs/libxencall.so.1* "$root/opt/xencall/lib/"
for prog in tests/xen/dom0-checks tests/xen/xen-latency tools/xencall-probe; do
    bin=$build/$prog
    [ -x "$build/$(dirname "$prog")/.libs/$(basename "$prog")" ] &&
        bin=$build/$(dirname "$prog")/.libs/$(basename "$prog")
    add_with_libs "$root" "$bin"
    cp "$bin" "$root/opt/xencall/bin/$(basename "$prog")"
done

cp "$kernel" "$root/guest/vmlinuz"
cp "$work/guest.cpio" "$root/guest/initrd.cpio"
cat >"$root/guest/guest.cfg" <<CFG
name = "guest"
type = "pv"
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd.cpio"
memory = 256
vcpus = 1
extra = "console=hvc0 rdinit=/init"
CFG
# A stage's own dom0 checks: XENCALL_DOM0_EXTRA names a folder that
# becomes /extra, whose run.sh dom0-init.sh runs instead of its own.
[ -z "${XENCALL_DOM0_EXTRA:-}" ] || cp -rL "$XENCALL_DOM0_EXTRA" "$root/extra"
make_cpio "$root" "$work/dom0.cpio"

# dom0 gets 1 GiB, so its maximum reservation is 262144 pages.
dom0_args="console=hvc0 earlyprintk=xen xentest=$mode xentest_pages=262144"
# spec-ctrl=eager-fpu: by default Xen hands the FPU to a PV vCPU lazily
# here (it leaves CR0.TS set and waits for the #NM trap), but QEMU's TCG
# raises no #NM for XSAVE/XRSTOR, so once a second domain ran, dom0's
# kernel saved and restored another vCPU's registers as a task's own and
# dom0 programs crashed now and then. Eager switching never relies on it.
echo "booting Xen $(basename "$xen_gz") with dom0 kernel $release ($mode), limit ${limit}s"
set +e
timeout --foreground -k 5 "$limit" qemu-system-x86_64 \
    -machine q35,accel=tcg -cpu max,-smap -smp 1 -m 2048 \
    -display none -monitor none -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$work/xen.elf" \
    -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=1 noreboot spec-ctrl=eager-fpu" \
    -initrd "$kernel $dom0_args,$work/dom0.cpio" </dev/null >"$log" 2>&1
status=$?
set -e
# isa-debug-exit turns dom0's byte 1 into QEMU's status (1 << 1) | 1.
[ "$status" -eq 3 ] && exit 0
echo "QEMU ended with status $status (124: timed out)"
exit 1
