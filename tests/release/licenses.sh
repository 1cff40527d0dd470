#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The license a release carries, and every file's license found. TAP.
#   tests/release/licenses.sh              from the top of the tree
#   srcdir=DIR tests/release/licenses.sh   from elsewhere (make check)
# In make distcheck the tree is the unpacked tarball: the first checks
# then prove that the tarball carries the license's text and NEWS. The
# per-file checks need the list of files git keeps (a tarball has
# none): every file carries an SPDX line naming a license whose text is
# in LICENSES/, or .reuse/dep5 names it in a paragraph of its own (the
# catch-all "Files: *" only gives every file the project's copyright);
# then `reuse lint` (Debian's package reuse) must find the tree REUSE
# compliant.
# No file name expansion: the dep5 patterns are matched, not expanded.
set -uf
top=${srcdir:-$(dirname "$0")/../..}
n=0 failed=0
say() { n=$((n + 1)); echo "$1 $n - $2"; [ "$1" = ok ] || failed=1; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# The tag in two halves: a scanner would read it whole as this script's.
tag="SPDX-License-""Identifier:"
echo 1..5

text=$top/LICENSES/LGPL-2.1-or-later.txt
if grep -q 'GNU LESSER GENERAL PUBLIC LICENSE' "$text" 2>/dev/null &&
    grep -q 'Version 2.1, February 1999' "$text"; then
    say ok "LICENSES/LGPL-2.1-or-later.txt holds the LGPL 2.1's text"
else
    say "not ok" "LICENSES/LGPL-2.1-or-later.txt is missing or is not the LGPL 2.1"
fi
if cmp -s "$top/COPYING" "$text"; then
    say ok "COPYING is the same text"
else
    say "not ok" "COPYING is missing or differs from LICENSES/LGPL-2.1-or-later.txt"
fi
if [ -s "$top/NEWS" ]; then
    say ok "NEWS is there"
else
    say "not ok" "NEWS is missing or empty"
fi

# The files git lists, tracked or new and not ignored (what a copy of
# the tree takes, tests/stages/lib.sh's copy_tree), when TOP is the top
# of a git checkout.
toplevel=$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)
if [ -z "$toplevel" ] || [ "$toplevel" != "$(cd "$top" && pwd -P)" ]; then
    why="not a git checkout (a release tarball or a copy): no list of the tree's files"
    skip "every file's license is found" "$why"
    skip "reuse lint" "$why"
    exit $failed
fi

# The file patterns of .reuse/dep5's paragraphs, but the catch-all's.
dep5_patterns() {
    awk '/^Files:/ { sub(/^Files:/, ""); files = $0; infiles = 1; next }
         infiles && /^[ \t]/ { files = files " " $0; next }
         { infiles = 0 }
         /^$/ && files != "" { if (files !~ /^[ \t]*\*[ \t]*$/) print files; files = "" }
         END { if (files != "" && files !~ /^[ \t]*\*[ \t]*$/) print files }' "$top/.reuse/dep5"
}
patterns=$(dep5_patterns 2>/dev/null | tr '\n' ' ')
in_dep5() {
    # dep5's "*" spans folders, as a case pattern does.
    for p in $patterns; do
        # shellcheck disable=SC2254
        case $1 in $p) return 0 ;; esac
    done
    return 1
}
list=$(mktemp "${TMPDIR:-/tmp}/xencall-files.XXXXXX") || exit 99
trap 'rm -f "$list" "$list.bad"' EXIT
# Symbolic links (COPYING) and files deleted but not yet committed have
# no text of their own; the license texts and dep5, REUSE leaves out.
git -C "$top" ls-files -co --exclude-standard | while IFS= read -r f; do
    if [ ! -f "$top/$f" ] || [ -L "$top/$f" ]; then continue; fi
    case $f in LICENSES/*|.reuse/dep5) continue ;; esac
    printf '%s\n' "$f"
done >"$list"
# "FILE ID" for each file with an SPDX line in its first 20 lines, one
# awk over all of them; then what each of the others is.
# shellcheck disable=SC2016 # awk's own $0, not the shell's
found=$(cd "$top" && tr '\n' '\0' <"$list" | xargs -0 awk -v tag="$tag" '
    FNR == 1 { seen = 0 }
    FNR <= 20 && !seen && (i = index($0, tag)) {
        id = substr($0, i + length(tag)); sub(/^ */, "", id); sub(/[^A-Za-z0-9.+-].*/, "", id)
        print FILENAME, id; seen = 1 }')

printf '%s\n' "$found" | awk 'NR == FNR { id[$1] = $2; next } { print $0, id[$0] }' - "$list" |
while read -r f id; do
    if [ -n "$id" ]; then
        [ -f "$top/LICENSES/$id.txt" ] || echo "$f($id: no LICENSES/$id.txt)"
    elif ! in_dep5 "$f"; then
        echo "$f"
    fi
done >"$list.bad"
unlicensed=$(head -n 20 "$list.bad" | tr '\n' ' ')
[ "$(wc -l <"$list.bad")" -le 20 ] || unlicensed="$unlicensed... ($(wc -l <"$list.bad") files)"
if [ ! -s "$list.bad" ]; then
    say ok "every file's license is found ($(wc -l <"$list") files)"
else
    say "not ok" "no license found for: ${unlicensed% }"
fi

if ! command -v reuse >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        say "not ok" "reuse lint: reuse is not installed (Debian package reuse)"
    else
        skip "reuse lint" "reuse is not installed (Debian package reuse)"
    fi
elif out=$(cd "$top" && reuse lint 2>&1); then
    say ok "reuse lint: the tree is REUSE compliant"
else
    printf '%s\n' "$out" | sed 's/^/# /'
    say "not ok" "reuse lint"
fi
exit $failed
