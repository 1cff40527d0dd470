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
for f in "$mandir"/*.[13]; do
    base=${f##*/}
    sec=${base##*.}
    cp "$f" "$tmp/man$sec/$base"
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
        if grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later' "$p"; then
            say ok "$p has its SPDX line"
        else
            say "not ok" "$p lacks its SPDX line"
        fi ;;
    esac

    if command -v mandoc >/dev/null 2>&1; then
        # mandoc calls every .so "fragile"; lint what man(1) shows
        # instead: the link with the target's text in its place.
        case $first in
        .so\ *) out=$(sed 's|^\.so \(.*\)|cat "\1"|e' "$p" |
                      mandoc -T lint -W warning 2>&1) ;;
        *) out=$(mandoc -T lint -W warning "$p" 2>&1) ;;
        esac
        if [ -z "$out" ]; then
            say ok "mandoc lint $p"
        else
            printf '%s\n' "$out" | sed 's/^/# /'
            say "not ok" "mandoc lint $p"
        fi
    else
        n=$((n + 1)); echo "ok $n - mandoc lint $p # SKIP no mandoc"
    fi

    if command -v groff >/dev/null 2>&1; then
        out=$(groff -ww -z -man -Tutf8 "$p" 2>&1)
        if [ -z "$out" ]; then
            say ok "groff -ww $p"
        else
            printf '%s\n' "$out" | sed 's/^/# /'
            say "not ok" "groff -ww $p"
        fi
    else
        n=$((n + 1)); echo "ok $n - groff -ww $p # SKIP no groff"
    fi
done
exit $failed
