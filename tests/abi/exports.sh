#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The symbols a shared library exports, or those a version script
# promises, as sorted "NAME VERSION" lines (functions, then each
# version node as "NODE NODE"), so that the two compare with diff.
# The one reader of src/libxencall.map for the tests.
#   tests/abi/exports.sh LIB|MAP               every line
#   tests/abi/exports.sh --functions LIB|MAP   the function names alone
# A library's come from objdump -T, its defined symbols that are not
# local (the AArch64 linker also lists section symbols, .init and
# .data, as local); a file ending in .map is read as a version script.
set -eu
functions_only=no
if [ "$1" = --functions ]; then functions_only=yes; shift; fi
case $1 in
*.map)
    awk '/^[A-Za-z_][A-Za-z0-9_.]* *\{/ { node = $1; print node, node; global = 0; next }
         /global:/ { global = 1; next }
         /local:/ { global = 0; next }
         global && /^ *[A-Za-z_][A-Za-z0-9_]*;/ { sub(/;.*/, ""); print $1, node }' "$1" ;;
*)
    LC_ALL=C objdump -T "$1" |
        awk '$1 ~ /^[0-9a-f]+$/ && NF >= 6 && $2 != "l" && $0 !~ /\*UND\*/ { print $NF, $(NF-1) }' ;;
esac | LC_ALL=C sort |
    if [ $functions_only = yes ]; then awk '$1 != $2 { print $1 }'; else cat; fi
