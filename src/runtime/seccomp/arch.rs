//! The architectures a filter can check, their names in Docker's and
//! libseccomp's vocabulary, and their syscall numbers (the generated
//! tables of `syscalls.rs`).

use super::syscalls::{COLUMNS, IPC_CALLS, MUX_COLUMNS, NONE, SOCKET_CALLS, SYSCALLS};

/// `__X32_SYSCALL_BIT`: x32 syscall numbers have it set.
pub(super) const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// An architecture as libseccomp names it (`SCMP_ARCH_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Arch {
    X8664,
    X86,
    X32,
    Aarch64,
    Arm,
    Loongarch64,
    Mips,
    Mipsel,
    Mips64,
    Mips64N32,
    Mipsel64,
    Mipsel64N32,
    Ppc,
    Ppc64,
    Ppc64Le,
    Riscv64,
    S390,
    S390X,
}

/// What the compiler needs to know of an architecture.
#[derive(Debug)]
pub(super) struct ArchInfo {
    pub(super) arch: Arch,
    /// moby's `goToNative` name: what profile `includes.arches` /
    /// `excludes.arches` are compared with.
    pub(super) docker: &'static str,
    /// `SCMP_ARCH_*`, as profiles spell it.
    pub(super) scmp: &'static str,
    /// `AUDIT_ARCH_*`, what the kernel puts in `seccomp_data.arch`.
    pub(super) audit: u32,
    /// libseccomp's syscall table for it (a column of `syscalls.rs`); None
    /// where the libseccomp the tables came from has none (it refuses the
    /// arch, and so does skiff).
    pub(super) table: Option<&'static str>,
    /// 64-bit arguments are compared whole; on 32-bit ABIs (x32 and
    /// mips64n32 included, as libseccomp does) only their low word.
    pub(super) wide: bool,
    /// Big-endian: an argument's high word comes first in `seccomp_data`.
    pub(super) big_endian: bool,
}

const fn info(
    arch: Arch,
    docker: &'static str,
    scmp: &'static str,
    audit: u32,
    table: Option<&'static str>,
    wide: bool,
    big_endian: bool,
) -> ArchInfo {
    ArchInfo {
        arch,
        docker,
        scmp,
        audit,
        table,
        wide,
        big_endian,
    }
}

use Arch::*;

/// Sizes and byte orders are those of libseccomp's `arch-*.c`.
pub(super) const ARCHES: &[ArchInfo] = &[
    info(
        X8664,
        "amd64",
        "SCMP_ARCH_X86_64",
        0xC000_003E,
        Some("x86_64"),
        true,
        false,
    ),
    info(
        X86,
        "x86",
        "SCMP_ARCH_X86",
        0x4000_0003,
        Some("x86"),
        false,
        false,
    ),
    info(
        X32,
        "x32",
        "SCMP_ARCH_X32",
        0xC000_003E,
        Some("x32"),
        false,
        false,
    ),
    info(
        Aarch64,
        "arm64",
        "SCMP_ARCH_AARCH64",
        0xC000_00B7,
        Some("aarch64"),
        true,
        false,
    ),
    info(
        Arm,
        "arm",
        "SCMP_ARCH_ARM",
        0x4000_0028,
        Some("arm"),
        false,
        false,
    ),
    info(
        Loongarch64,
        "loong64",
        "SCMP_ARCH_LOONGARCH64",
        0xC000_0102,
        None,
        true,
        false,
    ),
    info(
        Mips,
        "mips",
        "SCMP_ARCH_MIPS",
        0x0000_0008,
        Some("mips"),
        false,
        true,
    ),
    info(
        Mipsel,
        "mipsle",
        "SCMP_ARCH_MIPSEL",
        0x4000_0008,
        Some("mips"),
        false,
        false,
    ),
    info(
        Mips64,
        "mips64",
        "SCMP_ARCH_MIPS64",
        0x8000_0008,
        Some("mips64"),
        true,
        true,
    ),
    info(
        Mips64N32,
        "mips64n32",
        "SCMP_ARCH_MIPS64N32",
        0xA000_0008,
        Some("mips64n32"),
        false,
        true,
    ),
    info(
        Mipsel64,
        "mipsel64",
        "SCMP_ARCH_MIPSEL64",
        0xC000_0008,
        Some("mips64"),
        true,
        false,
    ),
    info(
        Mipsel64N32,
        "mips3l64n32",
        "SCMP_ARCH_MIPSEL64N32",
        0xE000_0008,
        Some("mips64n32"),
        false,
        false,
    ),
    info(
        Ppc,
        "ppc",
        "SCMP_ARCH_PPC",
        0x0000_0014,
        Some("ppc"),
        false,
        true,
    ),
    info(
        Ppc64,
        "ppc64",
        "SCMP_ARCH_PPC64",
        0x8000_0015,
        Some("ppc64"),
        true,
        true,
    ),
    info(
        Ppc64Le,
        "ppc64le",
        "SCMP_ARCH_PPC64LE",
        0xC000_0015,
        Some("ppc64"),
        true,
        false,
    ),
    info(
        Riscv64,
        "riscv64",
        "SCMP_ARCH_RISCV64",
        0xC000_00F3,
        Some("riscv64"),
        true,
        false,
    ),
    info(
        S390,
        "s390",
        "SCMP_ARCH_S390",
        0x0000_0016,
        Some("s390"),
        false,
        true,
    ),
    info(
        S390X,
        "s390x",
        "SCMP_ARCH_S390X",
        0x8000_0016,
        Some("s390x"),
        true,
        true,
    ),
];

impl Arch {
    pub(super) fn info(self) -> &'static ArchInfo {
        ARCHES
            .iter()
            .find(|a| a.arch == self)
            .expect("every Arch is in ARCHES")
    }

    pub(super) fn from_scmp(name: &str) -> Option<Arch> {
        ARCHES.iter().find(|a| a.scmp == name).map(|a| a.arch)
    }

    /// The architecture skiff was built for, as libseccomp's "native".
    pub(super) fn native() -> Option<Arch> {
        let wide = cfg!(target_pointer_width = "64");
        let big = cfg!(target_endian = "big");
        Some(if cfg!(target_arch = "x86_64") {
            if wide {
                X8664
            } else {
                X32
            }
        } else if cfg!(target_arch = "x86") {
            X86
        } else if cfg!(target_arch = "aarch64") {
            Aarch64
        } else if cfg!(target_arch = "arm") {
            Arm
        } else if cfg!(target_arch = "loongarch64") {
            Loongarch64
        } else if cfg!(target_arch = "riscv64") {
            Riscv64
        } else if cfg!(target_arch = "s390x") {
            S390X
        } else if cfg!(target_arch = "powerpc") {
            Ppc
        } else if cfg!(target_arch = "powerpc64") {
            if big {
                Ppc64
            } else {
                Ppc64Le
            }
        } else if cfg!(target_arch = "mips") {
            if big {
                Mips
            } else {
                Mipsel
            }
        } else if cfg!(target_arch = "mips64") {
            match (wide, big) {
                (true, true) => Mips64,
                (true, false) => Mipsel64,
                (false, true) => Mips64N32,
                (false, false) => Mipsel64N32,
            }
        } else {
            return None;
        })
    }

    fn column(self) -> Option<usize> {
        let table = self.info().table?;
        COLUMNS.iter().position(|&c| c == table)
    }

    /// libseccomp also filters socket and SysV IPC calls through
    /// socketcall(2) / ipc(2) on this arch.
    fn multiplexes(self) -> bool {
        self.info().table.is_some_and(|t| MUX_COLUMNS.contains(&t))
    }

    /// The number of the syscall `name` on this arch (x32's with its bit),
    /// None where the arch has no such syscall.
    pub(super) fn syscall(self, name: &str) -> Option<u32> {
        let col = self.column()?;
        let row = SYSCALLS.binary_search_by(|r| r.0.cmp(name)).ok()?;
        let nr = SYSCALLS[row].1[col];
        if nr == NONE {
            None
        } else if self == X32 {
            Some(nr | X32_SYSCALL_BIT)
        } else {
            Some(nr)
        }
    }

    /// `(multiplexer's number, call number)` when libseccomp filters
    /// `name` through socketcall(2) or ipc(2) on this arch.
    pub(super) fn multiplexed(self, name: &str) -> Option<(u32, u32)> {
        if !self.multiplexes() {
            return None;
        }
        let find = |calls: &[(&str, u32)]| calls.iter().find(|c| c.0 == name).map(|c| c.1);
        if let Some(call) = find(&SOCKET_CALLS) {
            return Some((self.syscall("socketcall")?, call));
        }
        let call = find(&IPC_CALLS)?;
        Some((self.syscall("ipc")?, call))
    }

    /// The number libseccomp's name resolution gives `name` when it is a
    /// real syscall: multiplexed calls resolve to pseudo-numbers there, so
    /// they count as none (this is what the ENOSYS stub's "largest syscall
    /// of the profile" has always been computed from).
    pub(super) fn resolved(self, name: &str) -> Option<u32> {
        if self.multiplexed(name).is_some() {
            return None;
        }
        self.syscall(name)
    }
}
