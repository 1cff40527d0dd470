#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of the PV guest that the real-Xen checks create with xl:
# one line on its console, then it waits to be destroyed.
/bin/busybox mount -t proc proc /proc
echo "XENTEST-GUEST-ALIVE on $(/bin/busybox uname -r)"
while :; do /bin/busybox sleep 60; done
