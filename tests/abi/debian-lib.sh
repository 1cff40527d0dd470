#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Unpacks Debian's libxencall1 and libxen-dev (the mirror's current
# version) into DIR, whatever is installed on this machine, and prints
# the paths of Debian's shared library and header and the package's
# version, the library's path and the version as the package itself
# records them:
#   tests/abi/debian-lib.sh DIR    ->  "LIB HEADER VERSION"
set -eu
dir=$1
candidate=$(apt-cache policy libxencall1 | sed -n 's/^ *Candidate: //p')
[ -n "$candidate" ] && [ "$candidate" != "(none)" ] ||
    { echo "no libxencall1 known to apt (apt-get update?)" >&2; exit 1; }
mkdir -p "$dir/debs" "$dir/root"
for p in libxencall1 libxen-dev; do
    deb=$(ls "$dir/debs/${p}_"*"$(echo "$candidate" | sed 's/:/%3a/')"_*.deb 2>/dev/null | head -n1)
    if [ -z "$deb" ]; then
        (cd "$dir/debs" && timeout 600 apt-get download -q -o APT::Sandbox::User=root "$p=$candidate" >&2)
        deb=$(ls "$dir/debs/${p}_"*"$(echo "$candidate" | sed 's/:/%3a/')"_*.deb | head -n1)
    fi
    dpkg-deb -x "$deb" "$dir/root"
    [ "$p" = libxencall1 ] || continue
    # The package's one regular file named libxencall.so.N.M...
    lib=$(dpkg-deb -c "$deb" |
          awk '$1 ~ /^-/ && $6 ~ /\/libxencall\.so\.[0-9]+\.[0-9.]+$/ { print substr($6, 2) }')
    version=$(dpkg-deb -f "$deb" Version)
done
[ -n "$lib" ] || { echo "no libxencall.so.N.M in Debian's libxencall1 $version" >&2; exit 1; }
echo "$dir/root$lib $dir/root/usr/include/xencall.h $version"
