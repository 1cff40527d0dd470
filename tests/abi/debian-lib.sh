#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Unpacks Debian's libxencall1 and libxen-dev (the mirror's current
# version) into DIR, whatever is installed on this machine, and prints
# the paths of Debian's shared library and header:
#   tests/abi/debian-lib.sh DIR    ->  "LIB HEADER"
set -eu
dir=$1
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
version=$(apt-cache policy libxencall1 | sed -n 's/^ *Candidate: //p')
[ -n "$version" ] && [ "$version" != "(none)" ] ||
    { echo "no libxencall1 known to apt (apt-get update?)" >&2; exit 1; }
mkdir -p "$dir/debs" "$dir/root"
for p in libxencall1 libxen-dev; do
    deb=$(ls "$dir/debs/${p}_"*"$(echo "$version" | sed 's/:/%3a/')"_*.deb 2>/dev/null | head -n1)
    if [ -z "$deb" ]; then
        (cd "$dir/debs" && timeout 600 apt-get download -q -o APT::Sandbox::User=root "$p=$version" >&2)
        deb=$(ls "$dir/debs/${p}_"*.deb | head -n1)
    fi
    dpkg-deb -x "$deb" "$dir/root"
done
lib=$(ls "$dir/root/usr/lib/$ma"/libxencall.so.1.* | head -n1)
echo "$lib $dir/root/usr/include/xencall.h"
