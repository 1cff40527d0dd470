#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The dynamic symbols a shared library defines, as sorted
# "NAME VERSION" lines (functions and version nodes), from objdump -T.
#   tests/abi/exports.sh LIB
# Compare two:  diff <(tests/abi/exports.sh A) <(tests/abi/exports.sh B)
set -eu
LC_ALL=C objdump -T "$1" |
    awk '$1 ~ /^[0-9a-f]+$/ && NF >= 6 && $0 !~ /\*UND\*/ { print $NF, $(NF-1) }' |
    LC_ALL=C sort
