#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run in dom0 by tests/xen/dom0-init.sh (stage 75 puts this folder into
# the dom0 image): boot the Mini-OS test guest as a PV domain, wait for
# its summary line, and pass its check lines on to dom0's console.
here=$(dirname "$0")
log=/var/log/xen/guest-minios-guest.log
cat >/tmp/minios-guest.cfg <<CFG
name = "minios-guest"
type = "pv"
kernel = "$here/mini-os.gz"
memory = 32
CFG
if ! xl create /tmp/minios-guest.cfg >/tmp/minios-create.log 2>&1; then
    echo "XENTEST FAIL minios-dom0/xl-create $(tail -n 1 /tmp/minios-create.log)"
    exit 0
fi
echo "XENTEST PASS minios-dom0/xl-create"
# Shell arithmetic and one applet per step: a busybox applet crashing
# now and then in this dom0 (seen a few times) then costs one retry.
waited=0
until grep -q '^XENTEST MINIOS-SUMMARY' "$log" 2>/dev/null || [ "$waited" -ge 240 ]; do
    sleep 1
    waited=$((waited + 1))
done
# (The host strips the console's carriage returns.)
grep '^XENTEST ' "$log" >/tmp/minios-lines || grep '^XENTEST ' "$log" >/tmp/minios-lines
cat /tmp/minios-lines
grep -q '^XENTEST MINIOS-SUMMARY' "$log" 2>/dev/null || {
    echo "XENTEST FAIL minios-dom0/guest-summary no summary within 240 s; guest console:"
    tail -n 20 "$log"
}
xl destroy minios-guest 2>/dev/null
exit 0
