#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of the guest (PV on x86) that the real-Xen checks create with xl: one
# line on its console, then a numbered tick every second until it is
# destroyed, so that dom0 can tell a running guest (after unpause,
# after restore) from a stopped one.
/bin/busybox mount -t proc proc /proc
echo "XENTEST-GUEST-ALIVE on $(/bin/busybox uname -r)"
tick=0
while :; do
    /bin/busybox sleep 1
    tick=$((tick + 1))
    echo "XENTEST-GUEST-TICK $tick"
done
