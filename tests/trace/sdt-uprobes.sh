#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Print the kernel's uprobe_events definitions for every USDT trace
# point of a libxencall build, read from its .note.stapsdt notes, so a
# system with only tracefs (no bpftrace, no perf) can attach to them:
#   sdt-uprobes.sh LIB [PATH [GROUP]]
# PATH: where LIB sits on the traced system (default LIB); GROUP: the
# events' group (default xencall). One event per probe site; a name
# used twice gets
# _1, _2... Addresses become file offsets (the kernel's unit), the
# semaphore becomes the reference counter "(0x...)" the kernel raises
# while the event is enabled, and each argument a fetch-arg.
set -eu
lib=$1 path=${2:-$1} group=${3:-xencall}
{
    readelf -h "$lib" | awk '$1 == "Machine:" { print "MACHINE", $2 }'
    readelf -lW "$lib" | awk '$1 == "LOAD" { print "LOAD", $2, $3, $6 }'
    readelf -n "$lib"
} | awk -v path="$path" -v group="$group" '
    BEGIN {
        # Argument names; ":x" prints in hex (addresses).
        names["hypercall_start"] = "op a1:x a2:x a3:x a4:x a5:x"
        names["hypercall_end"] = "op result errno"
        names["buffer_alloc"] = "block:x pages cached"
        names["buffer_free"] = "block:x pages"
        names["buffer_unmap"] = "block:x pages"
        names["restrict"] = "domid result errno"
        split("ax bx cx dx si di bp sp", base, " ")
        for (i in base) {
            r = base[i]; reg["r" r] = reg["e" r] = reg[r] = r
            reg[substr(r, 1, 1) "l"] = r; reg[r "l"] = r
        }
        for (i = 8; i <= 15; i++)
            reg["r" i] = reg["r" i "d"] = reg["r" i "w"] = reg["r" i "b"] = "r" i
        # AArch64: sdt.h writes registers bare (x19, w0, sp), constants
        # bare too (8@0), memory as [base, #disp]; the kernel names x0-x30, sp.
        for (i = 0; i <= 30; i++)
            a64["x" i] = a64["w" i] = "x" i
        a64["sp"] = a64["wsp"] = "sp"
    }
    function fetcharg_a64(loc, type,   r, disp) {
        if (loc ~ /^#?-?[0-9]+$/)
            return "\\" substr(loc, loc ~ /^#/ ? 2 : 1) ":" type
        if (loc in a64)
            return "%" a64[loc] ":" type
        if (loc ~ /^\[[a-z0-9]+(, *#?-?[0-9]+)?\]$/) {
            r = loc; sub(/^\[/, "", r); sub(/[],].*/, "", r)
            disp = loc; sub(/^[^,]*,? */, "", disp); sub(/^#/, "", disp); sub(/\]$/, "", disp)
            if (r in a64)
                return (disp ~ /^-/ ? disp : "+" (disp == "" ? 0 : disp)) "(%" a64[r] "):" type
        }
        return ""
    }
    function hex(s,   v, i) {   # mawk has no strtonum()
        v = 0; s = tolower(s); sub(/^0x/, "", s); sub(/,$/, "", s)
        for (i = 1; i <= length(s); i++)
            v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v
    }
    # A virtual address to its offset in the file, through the LOAD segments.
    function file_offset(va,   i) {
        for (i = 1; i <= nload; i++)
            if (va >= lva[i] && va < lva[i] + lsz[i])
                return va - lva[i] + loff[i]
        bad = 1
        printf "sdt-uprobes: address %x is in no LOAD segment\n", va > "/dev/stderr"
        exit 1
    }
    function fetcharg(spec, hex_out,   at, size, loc, type, paren, disp, r) {
        at = index(spec, "@"); size = substr(spec, 1, at - 1) + 0; loc = substr(spec, at + 1)
        type = (hex_out ? "x" : size < 0 ? "s" : "u") (size < 0 ? -size : size) * 8
        if (machine == "AArch64" && (r = fetcharg_a64(loc, type)) != "")
            return r
        if (loc ~ /^\$-?[0-9]+$/)
            return "\\" substr(loc, 2) ":" type
        if (loc ~ /^%[a-z0-9]+$/ && (substr(loc, 2) in reg))
            return "%" reg[substr(loc, 2)] ":" type
        paren = index(loc, "(%")
        if (loc ~ /^-?[0-9]*\(%[a-z0-9]+\)$/) {
            disp = substr(loc, 1, paren - 1); r = substr(loc, paren + 2, length(loc) - paren - 2)
            if (r in reg)
                return (disp ~ /^-/ ? disp : "+" (disp == "" ? 0 : disp)) "(%" reg[r] "):" type
        }
        bad = 1
        printf "sdt-uprobes: cannot express argument %s\n", spec > "/dev/stderr"
        exit 1
    }
    $1 == "MACHINE" { machine = $2; next }
    $1 == "LOAD" { nload++; loff[nload] = hex($2); lva[nload] = hex($3); lsz[nload] = hex($4); next }
    $1 == "Provider:" { provider = $2; next }
    $1 == "Name:" { name = $2; next }
    $1 == "Location:" { loc = hex($2); sem = hex($6); next }
    $1 == "Arguments:" && provider == "xencall" {
        gsub(/, +/, ",")   # one field per argument: [sp, 16] is one
        event = name (seen[name]++ ? "_" (seen[name] - 1) : "")
        line = sprintf("p:%s/%s %s:0x%x", group, event, path, file_offset(loc))
        if (sem)
            line = line sprintf("(0x%x)", file_offset(sem))
        n = split(names[name], argname, " ")
        if (n != NF - 1) {
            bad = 1
            printf "sdt-uprobes: %s has %d arguments, expected %d\n", name, NF - 1, n > "/dev/stderr"
            exit 1
        }
        for (i = 2; i <= NF; i++) {
            a = argname[i - 1]
            hex_out = sub(/:x$/, "", a)
            line = line " " a "=" fetcharg($i, hex_out)
        }
        print line
        probes++
    }
    END {
        if (!bad && !probes)
            print "sdt-uprobes: no xencall trace points in the notes" > "/dev/stderr"
        exit bad || !probes
    }'
