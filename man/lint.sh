#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lints the manual pages and checks that every exported function has
# one. Speaks TAP (make check runs it); any warning is a failure.
#   man/lint.sh                 from the top of the tree
#   srcdir=DIR man/lint.sh      from elsewhere (as make check does)
# Linters: mandoc -T lint -W warning, and groff -ww -z -man; each one
# missing is a skipped check.
set -u
top=${srcdir:-$(dirname "$0")/..}
mandir=$top/man
map=$top/src/libxencall.map

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xencall-manlint.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# A man tree (man1/, man3/) so that ".so man3/page.3" links resolve.
mkdir -p "$tmp/man1" "$tmp/man3"
pages=
# A page made from <page>.in (man/local.am) is linted from its source,
# with the version the build writes in; a copy an in-tree build made
# beside it is passed over.
version=${PACKAGE_VERSION:-$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")}
for f in "$mandir"/*.[13] "$mandir"/*.[13].in; do
    base=${f##*/}
    base=${base%.in}
    [ "$f" != "$mandir/$base" ] || [ ! -f "$f.in" ] || continue
    sec=${base##*.}
    sed "s|@PACKAGE_VERSION@|$version|g" "$f" >"$tmp/man$sec/$base"
    pages="$pages man$sec/$base"
done

n=0 failed=0
say() { n=$((n + 1)); echo "$1 $n - $2"; [ "$1" = ok ] || failed=1; }

# The exported functions, as tests/abi/exports.sh reads the version
# script: each needs a page, and each section 3 page is one's.
funcs=$("$top/tests/abi/exports.sh" --functions "$map") || exit 99
count=$(echo "$funcs" | wc -w)
total=$(( $(echo "$pages" | wc -w) * 3 + count + 1 ))
echo "1..$total"

strays=
for p in "$tmp"/man3/*.3; do
    fn=${p##*/}
    echo "$funcs" | grep -qx "${fn%.3}" || strays="$strays ${fn%.3}"
done
if [ -z "$strays" ]; then
    say ok "every section 3 page documents one of the $count exported functions"
else
    say "not ok" "section 3 pages for functions the version script does not export:$strays"
fi
for fn in $funcs; do
    if [ -f "$tmp/man3/$fn.3" ]; then
        say ok "$fn has a page"
    else
        say "not ok" "$fn has no page in man/"
    fi
done

# lint NAME TOOL COMMAND...: a check that passes when COMMAND prints
# nothing; skipped without TOOL.
lint() {
    name=$1 tool=$2
    shift 2
    if ! command -v "$tool" >/dev/null 2>&1; then
        n=$((n + 1)); echo "ok $n - $name # SKIP no $tool"
        return
    fi
    out=$("$@" 2>&1)
    [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
    if [ -z "$out" ]; then say ok "$name"; else say "not ok" "$name"; fi
}

cd "$tmp" || exit 99
for p in $pages; do
    # A link page: its first line is ".so manN/target" and the target
    # must exist; it is linted through the target.
    first=$(head -n 1 "$p")
    case $first in
    .so\ *)
        target=${first#.so }
        if [ -f "$target" ]; then
            say ok "$p links to an existing $target"
        else
            say "not ok" "$p links to missing $target"
        fi ;;
    *)
        # The tag split in two, so that license scanners (reuse) do
        # not read this line as the script's own license.
        if grep -q "SPDX-License-""Identifier: LGPL-2.1-or-later" "$p"; then
            say ok "$p has its SPDX line"
        else
            say "not ok" "$p lacks its SPDX line"
        fi ;;
    esac

    # mandoc calls every .so "fragile"; lint what man(1) shows instead:
    # the link with the target's text in its place.
    lint "mandoc lint $p" mandoc sh -c 'sed "s|^\.so \(.*\)|cat \"\1\"|e" "$1" |
                                        mandoc -T lint -W warning' - "$p"
    lint "groff -ww $p" groff groff -ww -z -man -Tutf8 "$p"
done
exit $failed
