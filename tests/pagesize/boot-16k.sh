#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# By hand, not a stage (see README.md): boot Debian 13's arm64 Xen with
# Debian 13's 16 KiB-page arm64 kernel as dom0 under qemu-system-aarch64
# (TCG), and run this library's dom0 checks and facts.c there.
#
#   boot-16k.sh KERNEL_ROOT XEN_ROOT BUILD [OUT]
#     KERNEL_ROOT: a debian_sysroot with linux-image-arm64-16k and
#                  busybox-static
#     XEN_ROOT:    a debian_sysroot with xen-system-arm64 and libxen-dev
#                  (the libraries the programs load)
#     BUILD:       this tree cross-built for arm64 against XEN_ROOT, with
#                  tests/xen/dom0-checks and tests/pagesize/facts built
#     OUT:         work folder (default /tmp/pagesize-16k)
# Prints the serial console; ends 0 when every XENTEST check passed.
set -u
kroot=$1 xroot=$2 build=$3 out=${4:-/tmp/pagesize-16k}
multiarch=aarch64-linux-gnu
rm -rf "$out" && mkdir -p "$out/rd/bin" "$out/rd/lib" "$out/rd/mods" || exit 1
rd=$out/rd

kernel=$(ls "$kroot"/boot/vmlinuz-*-arm64-16k | tail -n1)
xen=$(ls "$xroot"/boot/xen-*-arm64 | tail -n1)
[ -f "$kernel" ] && [ -f "$xen" ] || { echo "no 16k kernel or no Xen" >&2; exit 1; }
cp "$kroot/usr/bin/busybox" "$rd/bin/" || exit 1
# Busybox's insmod reads plain modules: unpack them here.
for m in xen-privcmd xenfs xen-evtchn; do
    xz -dc "$(find "$kroot"/usr/lib/modules -name "$m.ko.xz" | head -n1)" >"$rd/mods/$m.ko" || exit 1
done
# The programs with the loader and the libraries they need; the
# loader is asked for by its path, so lib/ is where it looks.
cp "$build/.libs/libxencall.so.1" "$rd/lib/" 2>/dev/null ||
    cp -L "$build"/.libs/libxencall.so.1 "$rd/lib/" || exit 1
for f in "$build/tests/xen/.libs/dom0-checks" "$build/tests/xen/dom0-checks" \
         "$build/tests/pagesize/.libs/facts" "$build/tests/pagesize/facts"; do
    [ -f "$f" ] && [ ! -e "$rd/bin/${f##*/}" ] && cp "$f" "$rd/bin/"
done
for l in ld-linux-aarch64.so.1 libc.so.6 libxentoollog.so.1 libxentoolcore.so.1; do
    cp -L "$xroot/usr/lib/$multiarch/$l" "$rd/lib/" || exit 1
done
cat >"$rd/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=/lib
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev
mkdir -p /tmp; mount -t tmpfs tmpfs /tmp
for m in xen-privcmd xenfs xen-evtchn; do
    insmod /mods/$m.ko || echo "XENTEST FAIL insmod/$m"
done
mkdir -p /proc/xen; mount -t xenfs xenfs /proc/xen
echo "XENTEST INFO uname $(uname -r); $(ls /dev/xen | tr '\n' ' ')"
/lib/ld-linux-aarch64.so.1 /bin/facts
/lib/ld-linux-aarch64.so.1 /bin/dom0-checks bufdev 262144
rm -f /dev/xen/hypercall
/lib/ld-linux-aarch64.so.1 /bin/dom0-checks locked 262144
echo "XENTEST DONE"
poweroff -f
INIT
chmod +x "$rd/init"
mkdir -p "$rd/proc" "$rd/sys" "$rd/dev"
(cd "$rd" && find . | cpio -o -H newc --quiet) >"$out/dom0.cpio" || exit 1
# Addresses clear of QEMU's device tree (at 0x48000000). The CPU must
# offer the 16 KiB translation granule: cortex-a57 has only 4 and 64 KiB
# (the kernel then stops before its first line); "max" has all three.
start=$(date +%s)
timeout 600 qemu-system-aarch64 -machine virt,virtualization=on,gic-version=2 \
    -cpu "${XENCALL_QEMU_CPU:-max}" -smp 1 -m 2048 -nographic -no-reboot \
    -kernel "$xen" \
    -append "console=dtuart dom0_mem=1024M,max:1024M dom0_max_vcpus=1 bootscrub=0" \
    -device guest-loader,addr=0x49000000,kernel="$kernel",bootargs="console=hvc0 earlycon=xenboot rdinit=/init" \
    -device guest-loader,addr=0x4c000000,initrd="$out/dom0.cpio" \
    </dev/null >"$out/console.log" 2>&1
echo "qemu status $? after $(( $(date +%s) - start )) s" >>"$out/console.log"
cat "$out/console.log"
grep -q "XENTEST DONE" "$out/console.log" && ! grep -q "XENTEST FAIL" "$out/console.log"
