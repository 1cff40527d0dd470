# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Facts read from their source, never restated: what a build declares
# and made, what a Debian system (/ or a release's root) has installed,
# the machine's mirrors and Debian's source packages. Sourced by lib.sh.

# The value of the make variable VAR in the configured build DIR (a
# source list, flags, the dom0 programs): what the build declares, read
# from it instead of restated. With ROOT (not empty), DIR is a path
# inside that release's root and make reads it there, where the paths
# its Makefile names exist.
build_var() {
    local in_root=()
    [ -z "${3:-}" ] || in_root=(chroot "$3")
    printf 'print:\n\t@echo $(%s)\n' "$2" | "${in_root[@]}" make -s -C "$1" -f Makefile -f - print
}

# The shared library a build DIR made: its real file, found through
# the development link, so that no script restates the soname.
built_library() { readlink -f "$1/.libs/libxencall.so"; }

# The soname a shared library LIB records.
soname_of() { objdump -p "$1" | awk '$1 == "SONAME" { print $2 }'; }

# dpkg-query on the Debian system at ROOT (/ or a release's root),
# read from outside it.
root_dpkg_query() {
    local root=$1
    shift
    dpkg-query --admindir="${root%/}/var/lib/dpkg" "$@"
}

# The version of package PKG installed at ROOT.
package_version() { root_dpkg_query "$1" -W -f='${Version}' "$2"; }

# Debian's libxencall (the real file, not a link) in the system at
# ROOT, as its package libxencall1 lists it, as a path from /.
debian_library() {
    local root=${1%/} f
    for f in $(root_dpkg_query "$1" -L libxencall1); do
        case ${f##*/} in libxencall.so.*.*) ;; *) continue ;; esac
        [ -f "$root$f" ] && [ ! -L "$root$f" ] && { echo "$root$f"; return 0; }
    done
    echo "no libxencall.so in Debian's libxencall1 at ${root:-/}" >&2
    return 1
}

# This machine's Debian mirror(s) for SUITE (bookworm, trixie, ...),
# from its apt sources (deb822 .sources or one-line .list), as
# "URI SUITE" lines; suites that start with SUITE (bookworm-updates)
# are listed too.
debian_sources() {
    local suite=$1 f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v want="$suite" '
            $1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++;
                          if ($2 ~ /^\[/) i++;
                          if (index($(i+1), want) == 1) print $i, $(i+1) }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v want="$suite" '
             function flush() { if (types ~ /(^| )deb( |$)/ && enabled != "no")
                                  for (u in uris) for (s in suites)
                                      if (index(s, want) == 1) print u, s;
                                delete uris; delete suites; types = ""; enabled = "" }
             /^[ \t]*$/ { flush(); next }
             /^#/ { next }
             tolower($1) == "types:" { types = substr($0, index($0, ":") + 1) }
             tolower($1) == "enabled:" { enabled = tolower($2) }
             tolower($1) == "uris:" { for (i = 2; i <= NF; i++) uris[$i] = 1 }
             tolower($1) == "suites:" { for (i = 2; i <= NF; i++) suites[$i] = 1 }
             END { flush() }' "$f"
    done
}

# Debian's source package PKG of this machine's release, unpacked
# once under $XENCALL_CACHE; prints
# the tree's path. For the tests that build a library for another
# target (Xen's libxentoollog and libxentoolcore, cmocka). The
# machine's apt setup is left alone: apt reads a private source list.
debian_source_tree() {
    local pkg=$1 codename mirror dir
    local -a apt_private
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    mirror=$(debian_sources "$codename" | awk -v s="$codename" '$2 == s { print $1; exit }')
    if [ -z "$mirror" ]; then
        echo "no Debian $codename mirror in this machine's apt sources" >&2
        return 1
    fi
    dir=$XENCALL_CACHE/$pkg-source-$codename
    mkdir -p "$dir" || return 1
    apt_private=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
                 -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/apt-cache" -q)
    (
        # Several stages (and developers) may ask at once.
        flock 9
        [ -e "$dir/.unpacked" ] && exit 0
        command -v dpkg-source >/dev/null || stage_apt_install dpkg-dev
        rm -rf "$dir/src" && mkdir -p "$dir/src" "$dir/lists/partial" "$dir/apt-cache/archives/partial"
        echo "deb-src $mirror $codename main" >"$dir/sources.list"
        timeout 600 apt-get "${apt_private[@]}" update >/dev/null &&
            (cd "$dir/src" && timeout 900 apt-get "${apt_private[@]}" source "$pkg" >"$dir/source.log" 2>&1) &&
            touch "$dir/.unpacked"
    ) 9>"$dir/.lock" || { echo "cannot fetch Debian's $pkg source package" >&2; return 1; }
    find "$dir/src" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | sort -V | tail -n1
}

# Debian's xen source package (see debian_source_tree).
xen_source_tree() { debian_source_tree xen; }
