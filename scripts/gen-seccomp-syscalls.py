#!/usr/bin/env python3
"""Writes src/runtime/seccomp/syscalls.rs: the syscall tables skiff's
seccomp compiler uses, taken from this machine's libseccomp (through
ctypes, so only libseccomp.so.2 and, for the list of names,
/usr/include/seccomp-syscalls.h from libseccomp-dev are needed).

    python3 scripts/gen-seccomp-syscalls.py        # rewrite the table
    python3 scripts/gen-seccomp-syscalls.py --check # fail if it is stale

One column per syscall table of libseccomp (mips and mipsel share one, as
do ppc64 and ppc64le and the other endian pairs). A number is the one
libseccomp puts in a filter: x32 numbers are stored without
__X32_SYSCALL_BIT (the compiler adds it, as libseccomp's x32 resolver
does). On the arches where libseccomp also filters the socket and SysV
IPC calls through socketcall(2)/ipc(2), the direct number is stored (or
NONE) and the multiplexer's call numbers go in SOCKET_CALLS / IPC_CALLS.
"""
import ctypes
import os
import re
import subprocess
import sys

OUT = "src/runtime/seccomp/syscalls.rs"
HEADER = "/usr/include/seccomp-syscalls.h"
X32_SYSCALL_BIT = 0x40000000
X32 = 0x4000003E
NR_SCMP_ERROR = -1
# Enough for every table (mips64n32 ends near 6470).
MAX_NR = 8000
LIBC = ctypes.CDLL(None)
LIBC.free.argtypes = [ctypes.c_void_p]

# (column name, libseccomp token(s) that must agree on it)
COLUMNS = [
    ("x86", [0x40000003]),
    ("x86_64", [0xC000003E]),
    ("x32", [0x4000003E]),
    ("arm", [0x40000028]),
    ("aarch64", [0xC00000B7]),
    ("mips", [0x00000008, 0x40000008]),
    ("mips64", [0x80000008, 0xC0000008]),
    ("mips64n32", [0xA0000008, 0xE0000008]),
    ("ppc", [0x00000014]),
    ("ppc64", [0x80000015, 0xC0000015]),
    ("riscv64", [0xC00000F3]),
    ("s390", [0x00000016]),
    ("s390x", [0x80000016]),
]


def lib():
    lsc = ctypes.CDLL("libseccomp.so.2")
    lsc.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    lsc.seccomp_syscall_resolve_name_arch.restype = ctypes.c_int
    lsc.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32, ctypes.c_int]
    lsc.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
    lsc.seccomp_version.restype = ctypes.POINTER(ctypes.c_uint * 3)
    return lsc


def name_at(lsc, token, nr):
    p = lsc.seccomp_syscall_resolve_num_arch(token, nr)
    if not p:
        return None
    name = ctypes.string_at(p).decode()
    LIBC.free(ctypes.c_void_p(p))
    return name


def by_number(lsc, token):
    """name -> the largest number libseccomp resolves to it. Some tables
    also resolve numbers below their base (mips o32 answers "send" for 178
    as for 4178), so the largest is the real one; `column` checks that on
    every name it can resolve by name."""
    names = {}
    for nr in range(MAX_NR):
        n = name_at(lsc, token, nr)
        if n is not None:
            names[n] = nr
    return names


def column(lsc, token, names):
    """name -> number or None, plus name -> multiplexed call number."""
    direct = by_number(lsc, token)
    v = lsc.seccomp_syscall_resolve_name_arch(token, b"socket")
    multiplexes = -120 <= v <= -100
    nums, muxed = {}, {}
    for name in names:
        v = lsc.seccomp_syscall_resolve_name_arch(token, name.encode())
        if v >= 0:
            nums[name] = v & ~X32_SYSCALL_BIT if token == X32 else v
        elif multiplexes and (-120 <= v <= -100 or -224 <= v <= -200):
            # socketcall(2) / ipc(2) call; the direct syscall, if any.
            muxed[name] = -v
            nums[name] = direct.get(name)
        else:
            # Not on this arch (a pseudo-number, or a socket / IPC call's
            # pseudo-number where nothing multiplexes it).
            nums[name] = None
    for name, nr in direct.items():
        if name in muxed:
            continue
        if nums.get(name) is None:
            sys.exit(f"{name}: number {nr} on {token:#x} but not resolvable by name")
        if nums[name] != nr and nums[name] < MAX_NR:
            sys.exit(f"{name}: {nums[name]} by name, largest number {nr} on {token:#x}")
    return nums, muxed


def generate():
    lsc = lib()
    version = ".".join(str(v) for v in lsc.seccomp_version().contents)
    header = open(HEADER).read()
    names = set(re.findall(r"#define __SNR_(\w+)\s", header))
    for _, tokens in COLUMNS:
        names |= set(by_number(lsc, tokens[0]))
    names = sorted(names)

    cols, mux = [], {}
    for cname, tokens in COLUMNS:
        nums, muxed = column(lsc, tokens[0], names)
        for other in tokens[1:]:
            if column(lsc, other, names) != (nums, muxed):
                sys.exit(f"{cname}: endian variants {tokens} differ")
        cols.append(nums)
        if muxed:
            mux[cname] = muxed
    # Every multiplexing arch numbers the calls alike.
    calls = next(iter(mux.values()))
    if any(m != calls for m in mux.values()):
        sys.exit("multiplexed call numbers differ between arches")
    rows = [n for n in names if any(c[n] is not None for c in cols) or n in calls]
    for c in cols:
        for n in rows:
            if c[n] is not None and c[n] >= 0xFFFFFFFF:
                sys.exit(f"{n}: number {c[n]} does not fit in u32")
    return version, cols, mux, calls, rows


def render(version, cols, mux, calls, rows):
    out = []
    w = out.append
    w("//! Syscall tables for the seccomp compiler, generated by")
    w("//! `scripts/gen-seccomp-syscalls.py` from libseccomp " + version + " (Debian's")
    w("//! libseccomp2 package). Do not edit: regenerate, and bump")
    w("//! `COMPILER_VERSION` in compile.rs if the numbers change.")
    w("//!")
    w("//! A row is a syscall name and its number in each of libseccomp's tables")
    w("//! (`COLUMNS`); `NONE` where the arch has no such syscall. x32 numbers are")
    w("//! stored without `__X32_SYSCALL_BIT`. On the arches in `MUX_COLUMNS`,")
    w("//! libseccomp filters the socket and SysV IPC calls both as direct")
    w("//! syscalls (when the arch has them) and through socketcall(2) / ipc(2)")
    w("//! with the call number of `SOCKET_CALLS` / `IPC_CALLS` in argument 0.")
    w("")
    w('/// Where the numbers come from (part of the BPF cache key).')
    w(f'pub(super) const SOURCE: &str = "libseccomp {version}";')
    w("")
    w("/// libseccomp's names of the tables, in column order.")
    w("#[rustfmt::skip]")
    names = ", ".join(f'"{c}"' for c, _ in COLUMNS)
    w(f"pub(super) const COLUMNS: [&str; {len(COLUMNS)}] = [{names}];")
    w("")
    w("/// Columns whose arches multiplex socket and IPC calls.")
    w("#[rustfmt::skip]")
    m = ", ".join(f'"{c}"' for c, _ in COLUMNS if c in mux)
    w(f"pub(super) const MUX_COLUMNS: [&str; {len(mux)}] = [{m}];")
    w("")
    sock = sorted((n, v % 100) for n, v in calls.items() if v < 200)
    ipc = sorted((n, v % 200) for n, v in calls.items() if v >= 200)
    for label, lst in (("SOCKET_CALLS", sock), ("IPC_CALLS", ipc)):
        what = "socketcall(2)" if label == "SOCKET_CALLS" else "ipc(2)"
        w(f"/// `name → call number` of {what}.")
        w("#[rustfmt::skip]")
        w(f"pub(super) const {label}: [(&str, u32); {len(lst)}] = [")
        for n, v in sorted(lst, key=lambda x: x[1]):
            w(f'    ("{n}", {v}),')
        w("];")
        w("")
    w("/// No such syscall on that arch.")
    w("pub(super) const NONE: u32 = u32::MAX;")
    w("const N: u32 = NONE;")
    w("")
    w("/// Sorted by name.")
    w("#[rustfmt::skip]")
    w(f"pub(super) static SYSCALLS: [(&str, [u32; {len(COLUMNS)}]); {len(rows)}] = [")
    for n in rows:
        vals = ", ".join("N" if c[n] is None else str(c[n]) for c in cols)
        w(f'    ("{n}", [{vals}]),')
    w("];")
    return "\n".join(out) + "\n"


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    text = render(*generate())
    if "--check" in sys.argv:
        if open(OUT).read() != text:
            sys.exit(f"{OUT} is stale: run scripts/gen-seccomp-syscalls.py")
        return
    with open(OUT, "w") as f:
        f.write(text)
    subprocess.run(["wc", "-l", OUT], check=False)


if __name__ == "__main__":
    main()
