#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of the dom0 initramfs that tests/xen/run.sh boots under QEMU.
# Brings up the Xen services, then, by the kernel argument xentest=,
# either runs the checks (test) or shows the library at work (demo).
# Check results are "XENTEST PASS|FAIL name detail" lines on the
# console, which Xen sends to the serial port the host reads.
/bin/busybox --install -s /bin
# The release's Xen tools, wherever its version put them.
for xenbin in /usr/lib/xen-[0-9]*/bin; do :; done
export PATH=/bin:/usr/bin:/usr/sbin:$xenbin:/opt/xencall/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /var/log/xen /var/lib/xen

arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
mode=$(arg xentest)
pages=$(arg xentest_pages)
xen_expected=$(arg xentest_xen)
# This library by its soname, and Debian's at the path its package
# gives, where run.sh put them.
our_lib=$(arg xentest_our_lib)
debian_lib=$(arg xentest_debian_lib)
pass() { echo "XENTEST PASS $*"; }
fail() { echo "XENTEST FAIL $*"; }
# A check that does not apply here, with the reason: never a pass.
skip() { echo "XENTEST SKIP $*"; }
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
finish() {
    echo "XENTEST DONE"
    sync
    # On x86, isa-debug-exit at port 0xf4 ends QEMU at once; on Arm the
    # power-off does (PSCI), and there is no port to write.
    [ "$(uname -m)" = x86_64 ] &&
        printf '\001' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
    poweroff -f
}

for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
    modprobe "$m" || fail "modprobe-$m"
done
mount -t xenfs xenfs /proc/xen
xenstored --pid-file /run/xenstored.pid
xenstore-write /local/domain/0/name Domain-0
xen-init-dom0 >/tmp/init-dom0.log 2>&1 || fail "xen-init-dom0 $(tail -n1 /tmp/init-dom0.log)"
xenconsoled --log=guest --log-dir=/var/log/xen
# Debian's xl and everything else below load this library, not Debian's.
export LD_LIBRARY_PATH=/opt/xencall/lib

if [ -x /extra/run.sh ]; then   # see XENCALL_DOM0_EXTRA in run.sh
    /extra/run.sh
    finish
fi

# What demo.sh shows (demo_output in tests/stages/lib.sh reads it);
# shown in test mode too, where stage 70 checks it.
show_demo() {
    echo "==== xl info (Debian's xl on this libxencall)"
    LD_DEBUG=libs xl info 2>/tmp/ld.log
    echo "==== the loader's record of which libxencall xl used:"
    grep 'calling init: .*libxencall' /tmp/ld.log
    echo "==== xl list"
    xl list
    echo "==== xencall-probe"
    xencall-probe
    echo "==== end of the demo"
}
show_demo
[ "$mode" = demo ] && finish

echo "XENTEST INFO dom0 up; Xen $(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)$(cat /sys/hypervisor/version/extra)"
dom0-checks bufdev "$pages"
pagesize   # the kernel's page, and our buffers on it

# Debian's xl, on our library: which one the loader picked, and output.
LD_DEBUG=libs xl info >/tmp/xl-info 2>/tmp/xl-ld.log
check xl/loads-our-libxencall grep -q "calling init: $our_lib" /tmp/xl-ld.log
# The version of the hypervisor package run.sh booted, as "MAJOR.MINOR".
check "xl/info-xen-$xen_expected" sh -c "grep -Eq '^xen_major +: ${xen_expected%%.*}\$' /tmp/xl-info &&
    grep -Eq '^xen_minor +: ${xen_expected#*.}\$' /tmp/xl-info"
check xl/info-total-memory grep -Eq '^total_memory +: [0-9]+$' /tmp/xl-info
xl list >/tmp/xl-list 2>&1
check xl/list-domain-0 grep -Eq '^Domain-0 +0 ' /tmp/xl-list
# Cost of a hypercall: raw ioctl, ours, Debian's; ratios in one boot.
# Each library twice, keeping the second pass: the first one in a boot
# also pays for the emulator translating the kernel's paths.
for pass in 1 2; do
    ours=$(xen-latency "$our_lib")
    debian=$(xen-latency "$debian_lib")
done
echo $ours $debian | awk '{ printf "XENTEST INFO latency of xen_version: raw ioctl %d ns, ours %d ns (%.2fx raw); raw ioctl %d ns, Debian %d ns (%.2fx raw); ours/Debian %.2f\n", $2, $4, $4 / $2, $12, $14, $14 / $12, $4 / $14
    printf "XENTEST INFO alloc+free on the real buffer device: 64 B ours %d ns, Debian %d ns (%.3f); 3 pages ours %d ns, Debian %d ns (%.3f)\n", $6, $16, $6 / $16, $8, $18, $8 / $18
    printf "XENTEST INFO the same request by syscall(SYS_ioctl) instead of ioctl(): %d ns vs %d ns (%.2fx)\n", $10, $2, $10 / $2 }'
check latency/measured [ -n "$ours" -a -n "$debian" ]

check probe/runs sh -c 'xencall-probe >/tmp/probe 2>&1'
sed 's/^/XENTEST INFO probe: /' /tmp/probe
dom0-trace   # Debian's xl traced through this library's trace points

# Further checks, one script each (run.sh copies tests/xen/checks/).
for script in /opt/xencall/checks/*.sh; do
    [ -e "$script" ] && . "$script"
done

# The same checks without the buffer device: locked memory instead.
rm -f /dev/xen/hypercall
dom0-checks locked "$pages"
finish
