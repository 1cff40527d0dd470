#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The public header stands alone: strict C89 and C++.
. "$(dirname "$0")/lib.sh"
stage_begin header
command -v g++ >/dev/null || stage_apt_install g++ || echo "cannot install g++"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/use.c" <<'SRC'
#include <xencall.h>
int main(void)
{
    xencall_handle *h = xencall_open(NULL, XENCALL_OPENFLAG_NON_REENTRANT);
    return xencall_close(h);
}
SRC
if gcc -ansi -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/use.c" -o "$tmp/c.o"; then
    stage_pass "include/xencall.h compiles with -ansi -pedantic -Wall -Werror"
else
    stage_fail "include/xencall.h does not compile as C89"
fi
cp "$tmp/use.c" "$tmp/use.cc"
if g++ -std=c++98 -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/use.cc" -o "$tmp/cc.o" &&
   nm "$tmp/cc.o" | grep -q ' U xencall_open$'; then
    stage_pass "include/xencall.h compiles as C++ with C linkage"
else
    stage_fail "include/xencall.h does not compile as C++ (or lacks extern \"C\")"
fi
stage_end
