# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library's dependencies built for another target than the machine's
# own (another word size, another C library), for the stages that build
# the library there: libxentoollog and libxentoolcore from Debian's xen
# source package, cmocka from Debian's cmocka source package, each a
# shared library with a pkg-config file, cached under $XENCALL_CACHE
# keyed by their sources, the compiler and this recipe. Sourced after
# lib.sh, never run as a stage. The caller sets FOREIGN_CC (the compiler
# command, e.g. "i686-linux-gnu-gcc" or "musl-gcc") and FOREIGN_WHAT
# (the target in .pc descriptions and messages), then calls foreign_deps
# NAME (stage 15 for i386, stage 17 for musl). Below them, what stages
# 15 and 16 share: running another architecture's programs natively or
# under qemu-user, and building and checking this tree for it.

# foreign_shlib OUT NAME MAJOR VERSION_SCRIPT CFLAGS SOURCES...: a shared
# library libNAME.so.MAJOR in OUT/lib, with its symbol versions when a
# version script is given.
foreign_shlib() {
    local out=$1 name=$2 major=$3 map=$4 cflags=$5 f objs=()
    shift 5
    for f in "$@"; do
        # shellcheck disable=SC2086
        $FOREIGN_CC -O2 -g -fPIC -D_GNU_SOURCE $cflags -idirafter "$out/include" -c "$f" \
            -o "$out/obj/$name-$(basename "$f" .c).o" || return 1
        objs+=("$out/obj/$name-$(basename "$f" .c).o")
    done
    # shellcheck disable=SC2086
    $FOREIGN_CC -shared -Wl,-soname,"lib$name.so.$major" ${map:+-Wl,--version-script="$map"} \
        -o "$out/lib/lib$name.so.$major" "${objs[@]}" || return 1
    ln -sf "lib$name.so.$major" "$out/lib/lib$name.so"
}

# foreign_pc OUT NAME VERSION: what configure's PKG_CHECK_MODULES reads.
# The run path lets the test programs find the target's libraries.
foreign_pc() {
    # shellcheck disable=SC2153 # FOREIGN_WHAT: set by the caller
    printf '%s\n' "libdir=$1/lib" "includedir=$1/include" "" "Name: $2" \
        "Description: $2 built for $FOREIGN_WHAT by the xencall tests" "Version: $3" \
        "Cflags: -I\${includedir}" \
        "Libs: -L\${libdir} -Wl,-rpath,\${libdir} -l$2" >"$1/lib/pkgconfig/$2.pc"
}

# foreign_build OUT XEN_TREE CMOCKA_TREE
foreign_build() {
    local out=$1 xen=$2 cmocka=$3
    mkdir -p "$out/include" "$out/lib/pkgconfig" "$out/obj" &&
    cp "$xen/tools/include/xentoollog.h" "$xen/tools/include/xentoolcore.h" \
       "$cmocka/include/cmocka.h" "$out/include/" &&
    foreign_shlib "$out" xentoollog 1 "$xen/tools/libs/toollog/libxentoollog.map" \
        "-I$xen/tools/include" "$xen"/tools/libs/toollog/*.c &&
    foreign_shlib "$out" xentoolcore 1 "$xen/tools/libs/toolcore/libxentoolcore.map" \
        "-I$xen/tools/include" "$xen"/tools/libs/toolcore/*.c &&
    # What cmocka's CMake checks find on glibc (and on musl alike).
    foreign_shlib "$out" cmocka 0 "" "-I$cmocka/include -DHAVE_SIGNAL_H -DHAVE_MALLOC_H
        -DHAVE_INTTYPES_H -DHAVE_STRINGS_H -DHAVE_GCC_THREAD_LOCAL_STORAGE
        -DHAVE_CLOCK_REALTIME -DHAVE_SIGLONGJMP -DHAVE_STRSIGNAL
        -DHAVE_STRUCT_TIMESPEC -DHAVE_SNPRINTF -DHAVE_VSNPRINTF" \
        "$cmocka/src/cmocka.c" &&
    foreign_pc "$out" xentoollog "${xen##*/xen-}" &&
    foreign_pc "$out" xentoolcore "${xen##*/xen-}" &&
    foreign_pc "$out" cmocka "${cmocka##*/cmocka-}"
}

# foreign_deps NAME [KEY_EXTRA]: the dependencies built with FOREIGN_CC,
# once, in $XENCALL_CACHE/NAME-deps-KEY; prints that folder. KEY_EXTRA
# is more text the cache key covers (what a caller adds to the folder
# by FOREIGN_PREPARE, a function of the folder run first, if set: headers
# the target's compiler lacks, which every build reads last).
foreign_deps() {
    local name=$1 extra=${2:-} xen cmocka key deps
    { xen=$(xen_source_tree) && cmocka=$(debian_source_tree cmocka) &&
        [ -n "$xen" ] && [ -n "$cmocka" ]; } ||
        { echo "cannot fetch Debian's xen and cmocka source packages" >&2; return 1; }
    key=$({ cat "$(dirname "$xen")"/*.dsc "$(dirname "$cmocka")"/*.dsc
            $FOREIGN_CC --version; echo "$extra"
            declare -f foreign_shlib foreign_pc foreign_build "${FOREIGN_PREPARE:-foreign_pc}"; } |
          sha256sum | cut -c1-16)
    deps=$XENCALL_CACHE/$name-deps-$key
    (
        flock -w 1800 9 || exit 1
        [ -e "$deps/.built" ] && exit 0
        rm -rf "$deps.tmp"
        { { [ -z "${FOREIGN_PREPARE:-}" ] || "$FOREIGN_PREPARE" "$deps.tmp"; } &&
            foreign_build "$deps.tmp" "$xen" "$cmocka"; } \
            >"$deps.log" 2>&1 &&
            sed -i "s|$deps.tmp|$deps|g" "$deps.tmp"/lib/pkgconfig/*.pc &&
            rm -rf "$deps" && mv "$deps.tmp" "$deps" && touch "$deps/.built"
    ) 9>"$XENCALL_CACHE/$name-deps.lock"
    if [ -e "$deps/.built" ]; then
        echo "$deps"
    else
        tail -20 "$deps.log" >&2
        echo "building libxentoollog, libxentoolcore, cmocka for $FOREIGN_WHAT failed (log: $deps.log)" >&2
        return 1
    fi
}

# foreign_sdt_header OUT: SystemTap's sys/sdt.h in OUT/include, for a
# FOREIGN_PREPARE: it depends on neither the C library nor the word
# size, but is installed only in the machine's own multiarch folder,
# which another target's compiler does not search.
foreign_sdt_header() {
    local multiarch
    multiarch=$(gcc -print-multiarch)
    mkdir -p "$1/include/sys" &&
        cp "/usr/include/$multiarch/sys/sdt.h" "/usr/include/$multiarch/sys/sdt-config.h" "$1/include/sys/"
}

# Running another architecture's programs, and building this tree for
# it (stages 15-i386 and 16-arm64). A stage calls foreign_choose_way,
# then foreign_build_check.

# foreign_hellos_run DIR [EMULATOR...]: the static and the dynamic
# hello in DIR both exit 0, run directly or under EMULATOR; what fails
# is on stderr. Bash's exec names the kernel's refusal ("Exec format
# error"), where timeout's execvp would try the file as a script.
foreign_hellos_run() {
    local d=$1 hello
    shift
    for hello in static dynamic; do
        timeout 60 bash -c 'exec "$@"' hello "$@" "$d/$hello" || return 1
    done
}

# foreign_choose_way DIR CC WHY EMULATOR...: how the programs CC builds
# run here, tried with a static and a dynamic hello (in DIR/hellos).
# WHY empty: natively if the hellos run; otherwise (or WHY set: the
# reason not to try) under EMULATOR, a qemu-user program. Sets
# FOREIGN_WAY ("native" or "emulated under qemu-X VERSION", for the
# stage's name) and FOREIGN_EMULATOR (empty natively). Ends the stage
# when neither way runs them.
foreign_choose_way() {
    local hellos=$1/hellos cc=$2 why=$3 version
    shift 3
    FOREIGN_EMULATOR=()
    mkdir -p "$hellos" && printf 'int main(void) { return 0; }\n' >"$hellos/hello.c"
    { $cc -static -o "$hellos/static" "$hellos/hello.c" && $cc -o "$hellos/dynamic" "$hellos/hello.c"; } ||
        stage_cannot_run "$cc cannot link a static and a dynamic hello: its C library is incomplete"
    if [ -z "$why" ]; then
        why=$(foreign_hellos_run "$hellos" 2>&1) && { FOREIGN_WAY=native; return 0; }
        why=${why%%$'\n'*}
        why="this kernel runs no $STAGE_NAME program (${why:-a hello failed})"
    fi
    [ $# -gt 0 ] || stage_cannot_run "$why, and no emulator for it"
    command -v "$1" >/dev/null || stage_apt_install qemu-user ||
        stage_cannot_run "$why, and qemu-user ($1) cannot be installed"
    if ! foreign_hellos_run "$hellos" "$@" >/dev/null 2>&1; then
        stage_skip "$why, and $* does not run a hello either: no run"
        stage_end
        exit
    fi
    version=$("$1" --version | sed -n '1s/^qemu-[a-z0-9_]* version \([0-9.]*\).*/\1/p')
    FOREIGN_EMULATOR=("$@")
    # shellcheck disable=SC2034 # the stage's name
    FOREIGN_WAY="emulated under $1 $version"
    echo "$why: the programs run under $*"
}

# foreign_build_check DIR WHAT CLASS MACHINE CONFIG...: this tree
# configured with CONFIG (and TEST_EMULATOR, from foreign_choose_way)
# and built in DIR, started afresh when CONFIG or PKG_CONFIG_LIBDIR
# changed (objects do not follow a change of configure's flags); a
# check that the library is an ELF CLASS library for MACHINE (readelf's
# words); then its `make check`, every case counted. Returns non-zero
# if the build failed.
foreign_build_check() {
    local dir=$1 what=$2 class=$3 machine=$4 lib header
    shift 4
    set -- "$@" TEST_EMULATOR="${FOREIGN_EMULATOR[*]}"
    printf '%s\n' "${PKG_CONFIG_LIBDIR:-}" "$@" >"$dir/.want"
    cmp -s "$dir/.want" "$dir/.configured" || find "$dir" -mindepth 1 -maxdepth 1 \
        ! -name .want ! -name hellos -exec rm -rf {} +
    stage_configure_build "$dir" "$what" "$@" || return 1
    mv "$dir/.want" "$dir/.configured"
    lib=$(built_library "$dir")
    header=$(readelf -h "$lib")
    if grep -q "Class: *$class\$" <<<"$header" && grep -q "Machine: *$machine\$" <<<"$header"; then
        stage_pass "$(soname_of "$lib") builds as an $what library ($class, $machine) with warnings as errors"
    else
        stage_fail "$lib is not an $what library ($class, $machine)"
    fi
    stage_make_check "$dir" "$what"
}
