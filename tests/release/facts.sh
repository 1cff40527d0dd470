#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The facts the documentation restates, held to their one source. TAP.
#   tests/release/facts.sh              from the top of the tree
#   srcdir=DIR tests/release/facts.sh   from elsewhere (make check)
# The version: configure.ac's AC_INIT (the man pages are made from it;
# NEWS and debian/changelog must name it). The functions and symbol
# versions: src/libxencall.map, read by tests/abi/exports.sh (any "N
# functions" or "VERS_a to VERS_b" in the documentation must match).
# The benchmark table: bench/RESULTS.md alone (the rest points to it).
set -u
top=${srcdir:-$(dirname "$0")/../..}
n=0 failed=0
say() { n=$((n + 1)); echo "$1 $n - $2"; [ "$1" = ok ] || failed=1; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check NAME EXPECTED GOT: a check that the two are equal.
check() {
    if [ "$2" = "$3" ]; then say ok "$1: $2"; else say "not ok" "$1: '$3', expected '$2'"; fi
}
echo 1..8

version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
check "NEWS's first entry is configure.ac's version" "$version" \
    "$(sed -n 's/^\* libxencall \([^ ,]*\).*/\1/p' "$top/NEWS" | head -n 1)"
if [ -f "$top/debian/changelog" ]; then
    check "debian/changelog's first entry is configure.ac's version" "$version" \
        "$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/debian/changelog")"
else
    skip "debian/changelog's version" "no debian/ in this tree (a release tarball)"
fi

# The pages' sources leave the version to the build.
literal=$(cd "$top" && grep -l '^\.TH .*"libxencall [0-9]' man/*.in 2>/dev/null | tr '\n' ' ')
if [ -z "$literal" ]; then
    say ok "no man page source writes the version (the build writes configure.ac's)"
else
    say "not ok" "man page sources with a version of their own: $literal"
fi

# The pages the build made from them (in the build tree, where make
# check runs) name that version.
made=0 wrong=
for src in "$top"/man/*.in; do
    page=man/${src##*/}
    page=${page%.in}
    [ -f "$page" ] || continue
    made=$((made + 1))
    grep -q "^\.TH .*\"libxencall $version\"" "$page" || wrong="$wrong $page"
done
if [ "$made" = 0 ]; then
    skip "the built pages name the version" "no page built from man/*.in here (run from a build tree)"
elif [ -z "$wrong" ]; then
    say ok "the $made pages built from man/*.in name libxencall $version"
else
    say "not ok" "built pages whose title line does not name libxencall $version:$wrong"
fi

# The documentation, each file's text on one line (a statement may
# wrap), with what it says of the functions and their versions.
docs=
for f in README.md NEWS doc/*.md debian/control debian/README.source \
    debian/changelog man/*.in man/*.[13]; do
    [ -f "$top/$f" ] && docs="$docs $f"
done
said() { # said REGEX: "FILE: MATCH" for each statement found, unquoted
    for f in $docs; do
        tr '\n' ' ' <"$top/$f" | tr -s ' ' | grep -oE "$1" | tr -d '`' | sed "s|^|$f: |"
    done
}
exports=$top/tests/abi/exports.sh
map=$top/src/libxencall.map
count=$("$exports" --functions "$map" | wc -l)
nodes=$("$exports" "$map" | awk '$1 == $2 { print $1 }' | sort -t. -k2n)
range="$(echo "$nodes" | head -n 1) to $(echo "$nodes" | tail -n 1)"
# statements_agree WHAT REGEX EXPECTED: every statement REGEX finds in
# the documents says EXPECTED (src/libxencall.map's figure).
statements_agree() {
    wrong=$(said "$2" | grep -v ": $3\$" | tr '\n' ';')
    stated=$(said "$2" | wc -l)
    if [ -z "$wrong" ]; then
        say ok "each of the $stated statements of the $1 says $3 (src/libxencall.map)"
    else
        say "not ok" "$1 statements that are not the map's $3: $wrong"
    fi
}
statements_agree "function count" '[0-9]+ functions' "$count functions"
# shellcheck disable=SC2016 # backquotes of Markdown, not commands
statements_agree "symbol versions" '`?VERS_[0-9.]+`? to `?VERS_[0-9.]+`?' "$range"

# CI runs the README's test command: the second command of "The two
# commands" is what .ci/run executes.
readme_cmd=$(awk '/^## The two commands/ { on = 1 } on && /^```sh/ { block = 1; next }
    block && /^```/ { exit } block && /^[^ #]/ { n++; if (n == 2) print $1 }' "$top/README.md")
if [ -f "$top/.ci/run" ]; then
    # shellcheck disable=SC2016 # the text of .ci/run's line, unexpanded
    check "CI (.ci/run) runs the README's test command" "$readme_cmd" \
        "$(sed -n 's|^exec "$(dirname "$0")/\.\./\([^"]*\)".*|\1|p' "$top/.ci/run")"
else
    skip "CI runs the README's test command" "no .ci/ in this tree (a release tarball)"
fi

# The latest benchmark table (its first line) in one file only.
tables=$(cd "$top" && grep -l '^libxencall benchmark, ' ./*.md doc/*.md bench/*.md 2>/dev/null |
    sed 's|^\./||' | tr '\n' ' ')
check "the benchmark table stands in one file" "bench/RESULTS.md " "$tables"
exit $failed
