#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# TAP checks of src/xen-errno/gen-errno-table.sh on small made-up headers:
# the cases the real headers (checked in tests/minios/backend) do not all
# show: aliases, names the local library lacks, several local headers,
# bad input.
set -u
gen="${srcdir:-.}/src/xen-errno/gen-errno-table.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/gen-errno-check.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
n=0
echo "1..10"
check() {   # check DESCRIPTION COMMAND...
    desc=$1; shift
    n=$((n + 1))
    if "$@" >"$dir/out" 2>"$dir/err"; then
        echo "ok $n - minios errno generator: $desc"
    else
        echo "not ok $n - minios errno generator: $desc"
        sed 's/^/# /' "$dir/err"
    fi
}
gen_to() {  # gen_to OUT ARGS...: runs the generator, never on stdin
    out=$1; shift
    sh "$gen" "$@" </dev/null >"$out"
}
has() { grep -F -- "$2" "$1" >/dev/null || { echo "missing: $2" >&2; return 1; }; }
hasnt() { ! grep -F -- "$2" "$1" >/dev/null || { echo "unexpected: $2" >&2; return 1; }; }

cat >"$dir/xen.h" <<'X'
XEN_ERRNO(EPERM,	 1)	/* Operation not permitted */
XEN_ERRNO(EAGAIN,	11)	/* Try again */
XEN_ERRNO(EWOULDBLOCK,	11)	/* Aliases EAGAIN */
XEN_ERRNO(EDEADLK,	35)
XEN_ERRNO(EDEADLOCK,	35)
XEN_ERRNO(ENOSYS,	38)
#ifdef __XEN__
XEN_ERRNO(ERESTART,	85)
#endif
XEN_ERRNO(ENOTSOCK,	88)
XEN_ERRNO(ETIMEDOUT,	110)
X
cat >"$dir/local.h" <<'L'
#define	EPERM 1		/* Not owner */
#define	EAGAIN 11
#define	EWOULDBLOCK EAGAIN
#define EDEADLOCK 45
#define	ENOSYS 88
# define ENOTSOCK	108
L
printf '#define ENOSYS 999\n#define ETIMEDOUT 116\n' >"$dir/more.h"

usage_fails() { ! gen_to "$dir/t" "$dir/xen.h"; }
check "no local header is an error, not a read of stdin" usage_fails
missing_fails() { ! gen_to "$dir/t" "$dir/nonexistent.h" "$dir/local.h"; }
check "a missing Xen header is an error" missing_fails
empty_fails() { : >"$dir/empty.h"; ! gen_to "$dir/t" "$dir/xen.h" "$dir/empty.h"; }
check "a header without error numbers is an error" empty_fails

gen_to "$dir/t1" "$dir/xen.h" "$dir/local.h"
named() { has "$dir/t1" "[38] = ENOSYS," && has "$dir/t1" "[88] = ENOTSOCK,"; }
check "entries are the local names, not numbers" named
# Compiled against the local header, the names take its numbers.
renumbered() {
    { cat "$dir/local.h" "$dir/t1"
      printf '%s\n' '#include <stdio.h>' \
          'int main(void) { printf("%d %d %d\n", xen_errno_to_local[38],' \
          '    xen_errno_to_local[88], xen_errno_to_local[35]); return 0; }'
    } >"$dir/t1.c" &&
        ${CC:-cc} -o "$dir/t1.bin" "$dir/t1.c" && [ "$("$dir/t1.bin")" = "88 108 45" ]
}
check "compiled against the local header, Xen ENOSYS and ENOTSOCK take its numbers" renumbered
alias() { has "$dir/t1" "[11] = EAGAIN," && has "$dir/t1" "[35] = EDEADLOCK,"; }
check "of two Xen names for one value, the one the library knows" alias
unnamed() { has "$dir/t1" "/* [85] ERESTART: no local value */" &&
            ! grep -E '\[85\] = E' "$dir/t1" >/dev/null &&
            has "$dir/t1" "[85] = \"ERESTART\","; }
check "a Xen error the library cannot name gets no entry" unnamed
size() { has "$dir/t1" "#define XEN_ERRNO_TABLE_SIZE 111"; }
check "table sized by the largest Xen value" size
gen_to "$dir/t2" "$dir/xen.h" "$dir/local.h" "$dir/more.h"
several() { has "$dir/t2" "[110] = ETIMEDOUT," && has "$dir/t1" "/* [110] ETIMEDOUT: no local value */"; }
check "a name from any of several local headers counts" several
printf '#define ERESTART EAGAIN /* x */\n#define ENOSYS EPERM\n' >"$dir/alias.h"
gen_to "$dir/t3" "$dir/xen.h" "$dir/alias.h" "$dir/local.h"
named_after() { has "$dir/t3" "[85] = EAGAIN," && has "$dir/t3" "[38] = ENOSYS,"; }
check "an error named after another is given as it, unless defined as a number" named_after
exit 0
