#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stage: uses the main build
# musl as the C library (Alpine, which Xen's own CI runs as dom0): the
# library, its tools and its test suites built with Debian's musl-gcc
# and the simulated suites run; the library loaded both ways a program
# meets it (dlopen() and linked at build time, tests/musl/load.c); its
# trace points; then the dom0 programs built for musl run on a real Xen
# under QEMU with musl's own loader ("musl: ..." checks). libxentoollog,
# libxentoolcore and cmocka are built for musl from Debian's source
# packages (foreign-deps.sh). musl-gcc reads only musl's include folder:
# the Xen public headers, the kernel's headers and SystemTap's
# sys/sdt.h (all libc-independent) are copied beside those libraries.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign-deps.sh"
stage_begin musl
start=$SECONDS
dir=$(stage_work_dir musl)
multiarch=$(gcc -print-multiarch)
loader=/lib/ld-musl-$(uname -m).so.1

for p in musl-tools libxen-dev linux-libc-dev systemtap-sdt-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || stage_apt_install "$p" ||
        stage_cannot_run "$p cannot be installed: no musl build"
done

# musl_headers OUT: the libc-independent headers the build needs, in
# OUT/include, which the musl build reads after musl's own.
musl_headers() {
    foreign_sdt_header "$1" &&
    cp -r /usr/include/xen /usr/include/linux /usr/include/asm-generic "$1/include/" &&
    cp -r "/usr/include/$multiarch/asm" "$1/include/"
}
# shellcheck disable=SC2034 # read by foreign-deps.sh
FOREIGN_CC=musl-gcc FOREIGN_WHAT=musl FOREIGN_PREPARE=musl_headers
if deps=$(foreign_deps musl "$(dpkg-query -W musl-dev libxen-dev linux-libc-dev systemtap-sdt-dev)"); then
    stage_pass "libxentoollog, libxentoolcore, cmocka for musl, and the headers musl lacks ($deps)"
else
    stage_fail "building libxentoollog, libxentoolcore, cmocka for musl"
    stage_end
    exit
fi

# Only the musl .pc files: a glibc library found by mistake would fail
# at run time, far from the cause.
PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig" stage_configure_build "$dir" musl \
    CC=musl-gcc CPPFLAGS="-idirafter $deps/include" || { stage_end; exit; }
lib=$(built_library "$dir")
needed=$(objdump -p "$lib" | awk '$1 == "NEEDED" { printf " %s", $2 }')
case " $needed " in
    *" libc.so "*) stage_pass "$(soname_of "$lib") builds against musl (needs:$needed) with warnings as errors" ;;
    *) stage_fail "$lib does not need musl's libc.so (needs:$needed)" ;;
esac
if readelf -n "$lib" | grep -q 'stapsdt'; then
    stage_pass "trace points built in with SystemTap's sys/sdt.h under musl ($(readelf -n "$lib" | grep -c 'Name: ') notes)"
else
    stage_fail "no trace points in the musl build (sys/sdt.h not found?)"
fi

# The library both ways a program meets it, built with musl-gcc.
if ! { musl-gcc -Wall -Wextra -Werror -Iinclude -idirafter "$deps/include" \
            -o "$dir/load-dlopen" tests/musl/load.c -ldl &&
        musl-gcc -Wall -Wextra -Werror -Iinclude -idirafter "$deps/include" \
            -o "$dir/load-linked" tests/musl/load.c -ldl -L"$(dirname "$lib")" \
            -Wl,--no-as-needed -lxencall -Wl,-rpath-link,"$deps/lib"; }; then
    stage_fail "building tests/musl/load.c with musl-gcc"
fi
libpath=$(dirname "$lib"):$deps/lib
for how in dlopen linked; do
    arg=()
    [ "$how" = linked ] || arg=("$(dirname "$lib")/$(soname_of "$lib")")
    if out=$(LD_LIBRARY_PATH=$libpath timeout 60 "$dir/load-$how" "${arg[@]}" 2>/dev/null); then
        stage_pass "a musl program loads the library ($how): $out"
    else
        stage_fail "a musl program loads the library ($how): $out"
    fi
done

stage_make_check "$dir" musl
echo "  build and simulated suites: $((SECONDS - start)) s"

# On a real Xen under QEMU: dom0 runs the dom0 programs built for musl
# (tests/xen/musl-dom0.sh, instead of its own checks) with musl's
# loader and the musl builds of the libraries, all in /extra.
# shellcheck disable=SC2086
stage_apt_install $XENCALL_BOOT_PACKAGES 2>/dev/null ||
    stage_cannot_run "cannot install the Xen/QEMU packages ($XENCALL_BOOT_PACKAGES): no musl dom0 checks"
if ! make_dom0_programs "$dir" >"$dir/dom0-programs.log" 2>&1 ||
   ! make_dom0_programs "$XENCALL_BUILD" >/dev/null 2>&1; then
    tail -n 20 "$dir/dom0-programs.log"
    stage_fail "building the dom0 programs (musl, and the image's own)"
    stage_end
    exit
fi
extra=$dir/dom0-extra
rm -rf "$extra" && mkdir -p "$extra/bin" "$extra/lib"
for prog in $(build_var "$dir" DOM0_TEST_PROGS); do
    bin=$dir/$prog
    [ -x "$dir/$(dirname "$prog")/.libs/$(basename "$prog")" ] &&
        bin=$dir/$(dirname "$prog")/.libs/$(basename "$prog")
    cp "$bin" "$extra/bin/"
done
cp "$dir/load-dlopen" "$dir/load-linked" "$extra/bin/"
cp "$lib" "$extra/lib/$(soname_of "$lib")"
cp -L "$deps"/lib/libxentoollog.so.1 "$deps"/lib/libxentoolcore.so.1 "$extra/lib/"
cp -L "$loader" "$extra/lib/"
echo "$loader" >"$extra/loader-path"
soname_of "$lib" >"$extra/soname"
install -m 755 tests/xen/musl-dom0.sh "$extra/run.sh"
XENCALL_DOM0_EXTRA=$extra stage_boot_xen "dom0: " "" "$XENCALL_BUILD" test "$dir/serial.log" 900
echo "  stage time: $((SECONDS - start)) s (build, simulated suites, real Xen)"
stage_end
