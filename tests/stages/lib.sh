# shellcheck shell=bash source-path=SCRIPTDIR
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library of the stage scripts (and of the scripts they and demo.sh
# run), one file per job under lib/: count.sh (counting checks, the
# closing line), packages.sh (installing packages and the package
# lists), facts.sh (facts read from their source), build.sh (builds
# beside the main one), xen.sh (booting Xen under QEMU). Source it; a
# stage calls stage_begin first.

# An unset variable is a mistake in every script that sources this.
set -u
# Where downloads, Debian roots and builds for other targets are kept.
export XENCALL_CACHE=${XENCALL_CACHE:-/var/cache/xencall-tests}

_lib=$(dirname "${BASH_SOURCE[0]}")/lib
# shellcheck source=lib/count.sh
. "$_lib/count.sh"
# shellcheck source=lib/packages.sh
. "$_lib/packages.sh"
# shellcheck source=lib/facts.sh
. "$_lib/facts.sh"
# shellcheck source=lib/build.sh
. "$_lib/build.sh"
# shellcheck source=lib/xen.sh
. "$_lib/xen.sh"
unset _lib
