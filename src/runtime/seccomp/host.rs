//! Host facts a compiled program depends on: the architecture (and the
//! names Docker and libseccomp give it), the kernel version, and
//! capability names as profiles spell them.

use std::io;

use super::arch::Arch;
use super::{Result, SeccompError};

/// What a compiled program depends on besides the profile and capabilities.
#[derive(Debug, Clone)]
pub(super) struct HostEnv {
    pub(super) arch: Arch,
    /// Docker's name of the native arch ("amd64").
    pub(super) docker_arch: &'static str,
    /// "SCMP_ARCH_X86_64".
    pub(super) scmp_arch_name: &'static str,
    /// `uname -r`.
    pub(super) kernel_release: String,
    /// `(kernel, major)`, e.g. (6, 18).
    pub(super) kernel: (u64, u64),
}

impl HostEnv {
    pub(super) fn detect() -> Result<Self> {
        let arch = Arch::native().ok_or_else(|| {
            SeccompError::InvalidProfile(format!(
                "no seccomp support for this architecture ({})",
                std::env::consts::ARCH
            ))
        })?;
        let info = arch.info();
        let kernel_release = kernel_release()?;
        let kernel = parse_kernel_release(&kernel_release).ok_or_else(|| SeccompError::Io {
            context: format!("failed to parse kernel version {kernel_release:?}"),
            source: io::Error::from(io::ErrorKind::InvalidData),
        })?;
        Ok(HostEnv {
            arch,
            docker_arch: info.docker,
            scmp_arch_name: info.scmp,
            kernel_release,
            kernel,
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
