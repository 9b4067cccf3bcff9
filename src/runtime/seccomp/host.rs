//! Host facts a compiled program depends on: the architecture (and the
//! names Docker and libseccomp give it), the kernel version, libseccomp's
//! version, and capability names as profiles spell them.

use std::io;

use libseccomp::ScmpArch;

use super::{lsc, Result, SeccompError};

/// `(libseccomp arch, Docker's "native" arch name, SCMP_ARCH_* name, AUDIT_ARCH_*)`.
/// Docker's names are moby's `goToNative` values: they are what profile
/// `includes.arches` / `excludes.arches` are compared with.
pub(super) const ARCHES: &[(ScmpArch, &str, &str, u32)] = &[
    (ScmpArch::X8664, "amd64", "SCMP_ARCH_X86_64", 0xC000_003E),
    (ScmpArch::X86, "x86", "SCMP_ARCH_X86", 0x4000_0003),
    (ScmpArch::X32, "x32", "SCMP_ARCH_X32", 0xC000_003E),
    (ScmpArch::Aarch64, "arm64", "SCMP_ARCH_AARCH64", 0xC000_00B7),
    (ScmpArch::Arm, "arm", "SCMP_ARCH_ARM", 0x4000_0028),
    (
        ScmpArch::Loongarch64,
        "loong64",
        "SCMP_ARCH_LOONGARCH64",
        0xC000_0102,
    ),
    (ScmpArch::Mips, "mips", "SCMP_ARCH_MIPS", 0x0000_0008),
    (ScmpArch::Mipsel, "mipsle", "SCMP_ARCH_MIPSEL", 0x4000_0008),
    (ScmpArch::Mips64, "mips64", "SCMP_ARCH_MIPS64", 0x8000_0008),
    (
        ScmpArch::Mips64N32,
        "mips64n32",
        "SCMP_ARCH_MIPS64N32",
        0xA000_0008,
    ),
    (
        ScmpArch::Mipsel64,
        "mipsel64",
        "SCMP_ARCH_MIPSEL64",
        0xC000_0008,
    ),
    (
        ScmpArch::Mipsel64N32,
        "mips3l64n32",
        "SCMP_ARCH_MIPSEL64N32",
        0xE000_0008,
    ),
    (ScmpArch::Ppc, "ppc", "SCMP_ARCH_PPC", 0x0000_0014),
    (ScmpArch::Ppc64, "ppc64", "SCMP_ARCH_PPC64", 0x8000_0015),
    (
        ScmpArch::Ppc64Le,
        "ppc64le",
        "SCMP_ARCH_PPC64LE",
        0xC000_0015,
    ),
    (
        ScmpArch::Riscv64,
        "riscv64",
        "SCMP_ARCH_RISCV64",
        0xC000_00F3,
    ),
    (ScmpArch::S390, "s390", "SCMP_ARCH_S390", 0x0000_0016),
    (ScmpArch::S390X, "s390x", "SCMP_ARCH_S390X", 0x8000_0016),
];

pub(super) fn arch_info(
    arch: ScmpArch,
) -> Option<&'static (ScmpArch, &'static str, &'static str, u32)> {
    ARCHES.iter().find(|a| a.0 == arch)
}

/// What a compiled program depends on besides the profile and capabilities.
#[derive(Debug, Clone)]
pub(super) struct HostEnv {
    pub(super) arch: ScmpArch,
    /// Docker's name of the native arch ("amd64").
    pub(super) docker_arch: &'static str,
    /// "SCMP_ARCH_X86_64".
    pub(super) scmp_arch_name: &'static str,
    /// `uname -r`.
    pub(super) kernel_release: String,
    /// `(kernel, major)`, e.g. (6, 18).
    pub(super) kernel: (u64, u64),
    pub(super) libseccomp_version: String,
}

impl HostEnv {
    pub(super) fn detect() -> Result<Self> {
        let arch = ScmpArch::native();
        let &(_, docker_arch, scmp_arch_name, _) = arch_info(arch).ok_or_else(|| {
            SeccompError::InvalidProfile(format!("unsupported native architecture {arch:?}"))
        })?;
        let kernel_release = kernel_release()?;
        let kernel = parse_kernel_release(&kernel_release).ok_or_else(|| SeccompError::Io {
            context: format!("failed to parse kernel version {kernel_release:?}"),
            source: io::Error::from(io::ErrorKind::InvalidData),
        })?;
        let v = lsc(libseccomp::ScmpVersion::current(), || {
            "cannot get library version".into()
        })?;
        Ok(HostEnv {
            arch,
            docker_arch,
            scmp_arch_name,
            kernel_release,
            kernel,
            libseccomp_version: format!("{}.{}.{}", v.major, v.minor, v.micro),
        })
    }
}

pub(super) fn kernel_release() -> Result<String> {
    // SAFETY: utsname is plain old data; uname fills it in.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a utsname.
    if unsafe { libc::uname(&mut uts) } != 0 {
        return Err(SeccompError::Io {
            context: "uname".into(),
            source: io::Error::last_os_error(),
        });
    }
    // SAFETY: the kernel NUL-terminates release.
    let release = unsafe { std::ffi::CStr::from_ptr(uts.release.as_ptr()) };
    Ok(release.to_string_lossy().into_owned())
}

/// Like moby's `parseRelease` (`fmt.Sscanf(release, "%d.%d")`): "6.18.0-1-amd64" → (6, 18).
pub(super) fn parse_kernel_release(release: &str) -> Option<(u64, u64)> {
    fn leading_number(s: &str) -> Option<(u64, &str)> {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        Some((s[..end].parse().ok()?, &s[end..]))
    }
    let (kernel, rest) = leading_number(release)?;
    let (major, _) = leading_number(rest.strip_prefix('.')?)?;
    Some((kernel, major))
}

/// Like moby's `KernelVersion.UnmarshalJSON`: exactly "<kernel>.<major>".
/// An empty string decodes to 0.0 there (a condition every kernel meets).
pub(super) fn parse_min_kernel(v: &str) -> Result<(u64, u64)> {
    if v.is_empty() {
        return Ok((0, 0));
    }
    let bad = || {
        SeccompError::InvalidProfile(format!(
            "invalid kernel version: {v:?}, expected \"<kernel>.<major>\""
        ))
    };
    let (k, m) = v.split_once('.').ok_or_else(bad)?;
    let k: u8 = k.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    if k == 0 && m == 0 {
        return Err(bad());
    }
    Ok((u64::from(k), u64::from(m)))
}

/// "sys_admin" / "SYS_ADMIN" / "CAP_SYS_ADMIN" → "CAP_SYS_ADMIN"; sorted, deduplicated.
pub(super) fn normalize_caps(caps: &[String]) -> Vec<String> {
    let mut out: Vec<String> = caps
        .iter()
        .map(|c| {
            let c = c.trim().to_ascii_uppercase();
            if c.starts_with("CAP_") {
                c
            } else {
                format!("CAP_{c}")
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
