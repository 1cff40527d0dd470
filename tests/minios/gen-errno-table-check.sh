#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# TAP checks of src/minios/gen-errno-table.sh on small made-up headers:
# the cases the real headers (checked in minios-backend) do not all
# show: aliases, names the local library lacks, several local headers,
# bad input.
set -u
gen="${srcdir:-.}/src/minios/gen-errno-table.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/gen-errno-check.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
n=0
echo "1..9"
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
renumbered() { has "$dir/t1" "[38] = 88, /* ENOSYS */" &&
               has "$dir/t1" "[88] = 108, /* ENOTSOCK */"; }
check "Xen ENOSYS and ENOTSOCK take the local numbers" renumbered
alias() { has "$dir/t1" "[11] = 11, /* EAGAIN */" &&
          has "$dir/t1" "[35] = 45, /* EDEADLOCK */"; }
check "of two Xen names for one value, the one the library knows" alias
unnamed() { has "$dir/t1" "/* [85] ERESTART: no local value */" &&
            ! grep -E '\[85\] = [0-9]' "$dir/t1" >/dev/null &&
            has "$dir/t1" "[85] = \"ERESTART\","; }
check "a Xen error the library cannot name gets no entry" unnamed
size() { has "$dir/t1" "#define XEN_ERRNO_TABLE_SIZE 89"; }
check "table sized by the largest Xen value" size
gen_to "$dir/t2" "$dir/xen.h" "$dir/local.h" "$dir/more.h"
first_wins() { has "$dir/t2" "[38] = 88, /* ENOSYS */" && hasnt "$dir/t2" "999"; }
check "with several local headers the first definition counts" first_wins
printf '#define ERESTART EAGAIN /* x */\n#define ENOSYS EPERM\n' >"$dir/alias.h"
gen_to "$dir/t3" "$dir/xen.h" "$dir/alias.h" "$dir/local.h"
named_after() { has "$dir/t3" "[85] = 11, /* ERESTART */" &&
                has "$dir/t3" "[38] = 88, /* ENOSYS */"; }
check "an error named after another takes its number, unless given one" named_after
exit 0
