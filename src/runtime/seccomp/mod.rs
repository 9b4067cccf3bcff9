//! Seccomp filtering, Docker style.
//!
//! Docker applies a default seccomp profile to every container
//! (`--security-opt seccomp=unconfined` turns it off,
//! `--security-opt seccomp=/path/profile.json` uses another profile written in
//! Docker's JSON format). skiff does the expensive part in the *parent*:
//! [`compile`] evaluates the profile's conditions (`includes` / `excludes` by
//! capability, architecture and kernel version) the way moby's
//! `profiles/seccomp/seccomp_linux.go` does, builds a multi-architecture filter
//! with libseccomp the way runc's `libcontainer/seccomp` does, and caches the
//! resulting classic-BPF program on disk. The container init then only calls
//! [`install`], which hands the raw program to `seccomp(2)` without allocating
//! and without calling into libseccomp.
//!
//! # The default profile
//!
//! `seccomp_default.json` (embedded with `include_str!`) is Docker's default
//! profile, `seccomp/default.json` of <https://github.com/moby/profiles>,
//! Go module `github.com/moby/profiles/seccomp` v0.2.3 (commit
//! 836ae4d37ef2ec995c77c99fc55f5b5f3af3a897), which is the version moby/moby
//! vendors (moby commit b985e2313a86, docker v29.7.x). Copyright The Moby
//! Authors, licensed Apache-2.0 like skiff. The file is byte-for-byte upstream.
//!
//! # ENOSYS for syscalls newer than the profile
//!
//! Like runc (`libcontainer/seccomp/patchbpf`), the compiled program starts
//! with a small stub that answers `ENOSYS` (instead of the profile's default
//! `EPERM`) for syscall numbers above the highest syscall the profile names
//! on that architecture. Without it, programs probing for new syscalls (glibc
//! tries `fchmodat2`, `clone3`, ... and falls back only on `ENOSYS`) break
//! when the profile lists a syscall that this libseccomp does not know yet.
//!
//! # Installing: privileges
//!
//! The kernel accepts a seccomp filter only from a task that either has
//! `no_new_privs` set or holds `CAP_SYS_ADMIN` in its user namespace. Docker
//! does not set `no_new_privs` unless asked to
//! (`--security-opt no-new-privileges`), so — as runc does — the init must
//! either call [`install`] while it still has `CAP_SYS_ADMIN` (before dropping
//! capabilities; the default profile allows `capset`, `prctl`, `setuid`, ...
//! and `execve`) or set `PR_SET_NO_NEW_PRIVS` first. Otherwise [`install`]
//! fails with `EACCES`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::FromRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use libseccomp::{ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::runtime::spec::SeccompSpec;

/// Docker's default seccomp profile (see the module documentation for its
/// origin and licence).
pub const DEFAULT_PROFILE_JSON: &str = include_str!("seccomp_default.json");

/// Which seccomp profile a container gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Profile {
    /// Docker's built-in default profile.
    #[default]
    Default,
    /// No seccomp filter at all.
    Unconfined,
    /// A profile in Docker's JSON format (the JSON text itself).
    Custom(String),
}

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
pub enum SeccompError {
    /// A malformed `--security-opt seccomp...` value.
    #[error("invalid --security-opt {opt:?}: {reason}")]
    InvalidOption { opt: String, reason: String },
    /// A custom profile file could not be read.
    #[error("opening seccomp profile ({}) failed: {source}", path.display())]
    ReadProfile { path: PathBuf, source: io::Error },
    /// A profile is not valid JSON (or has fields of the wrong type).
    #[error("decoding seccomp profile {origin} failed: {source}")]
    ParseProfile {
        origin: String,
        source: serde_json::Error,
    },
    /// A profile is valid JSON but makes no sense.
    #[error("invalid seccomp profile: {0}")]
    InvalidProfile(String),
    /// `SCMP_ACT_NOTIFY` (seccomp user notification) is not implemented.
    #[error("seccomp profile uses SCMP_ACT_NOTIFY ({0}); user notification (seccomp agents) is not supported by skiff")]
    NotifyUnsupported(String),
    /// libseccomp refused something.
    #[error("libseccomp: {context}: {source}")]
    Libseccomp {
        context: String,
        source: libseccomp::error::SeccompError,
    },
    /// An I/O error while building the program.
    #[error("seccomp: {context}: {source}")]
    Io { context: String, source: io::Error },
}

type Result<T, E = SeccompError> = std::result::Result<T, E>;

fn lsc<T>(
    r: std::result::Result<T, libseccomp::error::SeccompError>,
    context: impl FnOnce() -> String,
) -> Result<T> {
    r.map_err(|source| SeccompError::Libseccomp {
        context: context(),
        source,
    })
}

// ---------------------------------------------------------------------------
// --security-opt parsing
// ---------------------------------------------------------------------------

/// Parses one `--security-opt` value.
///
/// Returns `Ok(None)` for options that are not about seccomp (`label=...`,
/// `apparmor=...`, `no-new-privileges`, ...). Accepts both separators Docker
/// accepts (`seccomp=...` and `seccomp:...`) and the values:
/// * `unconfined` → [`Profile::Unconfined`]
/// * `builtin` → [`Profile::Default`] (Docker's name for its default profile)
/// * an inline JSON object (what the Docker CLI sends to the daemon)
/// * otherwise a path to a JSON profile file, which is read and validated now;
///   errors name the file.
pub fn parse_security_opt(value: &str) -> Result<Option<Profile>> {
    let val = if let Some(v) = value.strip_prefix("seccomp=") {
        v
    } else if let Some(v) = value.strip_prefix("seccomp:") {
        v
    } else if value == "seccomp" {
        ""
    } else {
        return Ok(None);
    };
    if val.is_empty() {
        return Err(SeccompError::InvalidOption {
            opt: value.to_string(),
            reason: "seccomp needs a value: unconfined, builtin or a profile path".into(),
        });
    }
    match val {
        "unconfined" => Ok(Some(Profile::Unconfined)),
        "builtin" => Ok(Some(Profile::Default)),
        v if v.trim_start().starts_with('{') => {
            parse_profile(v, "(inline JSON)")?;
            Ok(Some(Profile::Custom(v.to_string())))
        }
        path => {
            let text = fs::read_to_string(path).map_err(|source| SeccompError::ReadProfile {
                path: PathBuf::from(path),
                source,
            })?;
            parse_profile(&text, path)?;
            Ok(Some(Profile::Custom(text)))
        }
    }
}

// ---------------------------------------------------------------------------
// Docker's JSON format
// ---------------------------------------------------------------------------

// Field names follow moby's `seccomp.Seccomp` (which embeds the OCI
// `LinuxSeccomp`); unknown fields are ignored like Go's encoding/json does.

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileJson {
    #[serde(default)]
    default_action: Option<String>,
    #[serde(default)]
    default_errno_ret: Option<u32>,
    #[serde(default)]
    architectures: Option<Vec<String>>,
    #[serde(default)]
    arch_map: Option<Vec<ArchMapJson>>,
    #[serde(default)]
    flags: Option<Vec<String>>,
    #[serde(default)]
    listener_path: Option<String>,
    #[serde(default)]
    syscalls: Option<Vec<SyscallJson>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchMapJson {
    architecture: String,
    #[serde(default)]
    sub_architectures: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyscallJson {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    names: Option<Vec<String>>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    errno_ret: Option<u32>,
    #[serde(default)]
    args: Option<Vec<ArgJson>>,
    #[serde(default)]
    includes: Option<FilterJson>,
    #[serde(default)]
    excludes: Option<FilterJson>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArgJson {
    index: u32,
    #[serde(default)]
    value: Option<u64>,
    #[serde(default)]
    value_two: Option<u64>,
    op: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilterJson {
    #[serde(default)]
    caps: Option<Vec<String>>,
    #[serde(default)]
    arches: Option<Vec<String>>,
    #[serde(default)]
    min_kernel: Option<String>,
}

fn parse_profile(text: &str, origin: &str) -> Result<ProfileJson> {
    serde_json::from_str(text).map_err(|source| SeccompError::ParseProfile {
        origin: origin.to_string(),
        source,
    })
}

// ---------------------------------------------------------------------------
// Host facts
// ---------------------------------------------------------------------------

/// `(libseccomp arch, Docker's "native" arch name, SCMP_ARCH_* name, AUDIT_ARCH_*)`.
/// Docker's names are moby's `goToNative` values: they are what profile
/// `includes.arches` / `excludes.arches` are compared with.
const ARCHES: &[(ScmpArch, &str, &str, u32)] = &[
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

fn arch_info(arch: ScmpArch) -> Option<&'static (ScmpArch, &'static str, &'static str, u32)> {
    ARCHES.iter().find(|a| a.0 == arch)
}

/// What a compiled program depends on besides the profile and capabilities.
#[derive(Debug, Clone)]
struct HostEnv {
    arch: ScmpArch,
    /// Docker's name of the native arch ("amd64").
    docker_arch: &'static str,
    /// "SCMP_ARCH_X86_64".
    scmp_arch_name: &'static str,
    /// `uname -r`.
    kernel_release: String,
    /// `(kernel, major)`, e.g. (6, 18).
    kernel: (u64, u64),
    libseccomp_version: String,
}

impl HostEnv {
    fn detect() -> Result<Self> {
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

fn kernel_release() -> Result<String> {
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
fn parse_kernel_release(release: &str) -> Option<(u64, u64)> {
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
fn parse_min_kernel(v: &str) -> Result<(u64, u64)> {
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
fn normalize_caps(caps: &[String]) -> Vec<String> {
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

// ---------------------------------------------------------------------------
// compile + cache
// ---------------------------------------------------------------------------

/// Bump when the way programs are generated changes: old cache entries then
/// stop matching.
const CACHE_FORMAT: &str = "skiff-seccomp-v1";
const CACHE_MAGIC: &[u8; 8] = b"SKIFFBPF";
const CACHE_HEADER_LEN: usize = 8 + 4 + 32;
/// BPF_MAXINSNS.
const MAX_INSNS: usize = 4096;
const INSN_LEN: usize = 8;

#[cfg(test)]
thread_local! {
    /// How many programs this thread actually built (tests check cache hits).
    static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Compiles `profile` for a container whose (bounding/effective) capability
/// set is `caps` (names like `CAP_SYS_ADMIN`; `SYS_ADMIN` is accepted too).
///
/// The program is cached as
/// `<cache_dir>/seccomp/<sha256(profile, caps, arch, kernel, libseccomp)>.bpf`;
/// a valid cache entry is used without parsing the profile. Failing to write
/// the cache is not an error (the program is still returned).
pub fn compile(profile: &Profile, caps: &[String], cache_dir: &Path) -> Result<SeccompSpec> {
    let (text, origin) = match profile {
        Profile::Unconfined => return Ok(SeccompSpec::Unconfined),
        Profile::Default => (DEFAULT_PROFILE_JSON, "(builtin default)"),
        Profile::Custom(text) => (text.as_str(), "(custom)"),
    };
    let env = HostEnv::detect()?;
    let caps = normalize_caps(caps);
    let path = cache_path(cache_dir, text, &caps, &env);

    if let Some(program) = read_cache(&path) {
        return Ok(SeccompSpec::Filter(Arc::new(program)));
    }

    let parsed = parse_profile(text, origin)?;
    let Some(program) = build_program(&parsed, &caps, &env)? else {
        return Ok(SeccompSpec::Unconfined);
    };
    // The cache only saves time; a read-only or full disk must not stop a
    // container from starting.
    let _ = write_cache(&path, &program);
    Ok(SeccompSpec::Filter(Arc::new(program)))
}

fn cache_key(text: &str, caps: &[String], env: &HostEnv) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(CACHE_FORMAT.as_bytes());
    field(text.as_bytes());
    field(&(caps.len() as u64).to_le_bytes());
    for c in caps {
        field(c.as_bytes());
    }
    field(env.scmp_arch_name.as_bytes());
    field(env.kernel_release.as_bytes());
    field(env.libseccomp_version.as_bytes());
    hex(&h.finalize())
}

fn cache_path(cache_dir: &Path, text: &str, caps: &[String], env: &HostEnv) -> PathBuf {
    cache_dir
        .join("seccomp")
        .join(format!("{}.bpf", cache_key(text, caps, env)))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Cache file: `"SKIFFBPF" | u32 LE instruction count | sha256(program) | program`.
fn encode_cache(program: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(CACHE_HEADER_LEN + program.len());
    out.extend_from_slice(CACHE_MAGIC);
    out.extend_from_slice(&((program.len() / INSN_LEN) as u32).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(program));
    out.extend_from_slice(program);
    out
}

fn decode_cache(data: &[u8]) -> Option<Vec<u8>> {
    let (header, program) = data.split_at_checked(CACHE_HEADER_LEN)?;
    if &header[..8] != CACHE_MAGIC {
        return None;
    }
    let n = u32::from_le_bytes(header[8..12].try_into().ok()?) as usize;
    if n == 0 || n > MAX_INSNS || program.len() != n * INSN_LEN {
        return None;
    }
    if Sha256::digest(program).as_slice() != &header[12..44] {
        return None;
    }
    Some(program.to_vec())
}

fn read_cache(path: &Path) -> Option<Vec<u8>> {
    let data = fs::read(path).ok()?;
    decode_cache(&data)
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// temp file in the same directory + fsync + rename + fsync(dir).
fn write_cache(path: &Path, program: &[u8]) -> io::Result<()> {
    let dir = path.parent().ok_or(io::ErrorKind::InvalidInput)?;
    fs::create_dir_all(dir)?;
    let name = path.file_name().ok_or(io::ErrorKind::InvalidInput)?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(&encode_cache(program))?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

// ---------------------------------------------------------------------------
// profile → libseccomp filter → BPF
// ---------------------------------------------------------------------------

/// A rule that survived `includes` / `excludes`.
struct Rule<'a> {
    names: Vec<&'a str>,
    action: ScmpAction,
    args: &'a [ArgJson],
}

fn parse_action(name: &str, errno_ret: Option<u32>) -> Result<ScmpAction> {
    let code = |default: u32| -> Result<u16> {
        let v = errno_ret.unwrap_or(default);
        u16::try_from(v).map_err(|_| {
            SeccompError::InvalidProfile(format!("errnoRet {v} out of range for {name}"))
        })
    };
    Ok(match name {
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => ScmpAction::KillThread,
        "SCMP_ACT_KILL_PROCESS" => ScmpAction::KillProcess,
        "SCMP_ACT_TRAP" => ScmpAction::Trap,
        "SCMP_ACT_ERRNO" => ScmpAction::Errno(i32::from(code(libc::EPERM as u32)?)),
        "SCMP_ACT_TRACE" => ScmpAction::Trace(code(libc::EPERM as u32)?),
        "SCMP_ACT_LOG" => ScmpAction::Log,
        "SCMP_ACT_ALLOW" => ScmpAction::Allow,
        "SCMP_ACT_NOTIFY" => ScmpAction::Notify,
        other => {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown action {other:?}"
            )))
        }
    })
}

fn parse_op(op: &str, value: u64, value_two: u64) -> Result<(ScmpCompareOp, u64)> {
    Ok(match op {
        "SCMP_CMP_NE" => (ScmpCompareOp::NotEqual, value),
        "SCMP_CMP_LT" => (ScmpCompareOp::Less, value),
        "SCMP_CMP_LE" => (ScmpCompareOp::LessOrEqual, value),
        "SCMP_CMP_EQ" => (ScmpCompareOp::Equal, value),
        "SCMP_CMP_GE" => (ScmpCompareOp::GreaterEqual, value),
        "SCMP_CMP_GT" => (ScmpCompareOp::Greater, value),
        // value is the mask, valueTwo the value compared with (OCI / runc).
        "SCMP_CMP_MASKED_EQ" => (ScmpCompareOp::MaskedEqual(value), value_two),
        other => {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown argument comparison operator {other:?}"
            )))
        }
    })
}

fn parse_arch(name: &str) -> Result<ScmpArch> {
    if name == "SCMP_ARCH_NATIVE" {
        return Ok(ScmpArch::native());
    }
    ARCHES
        .iter()
        .find(|a| a.2 == name)
        .map(|a| a.0)
        .ok_or_else(|| SeccompError::InvalidProfile(format!("unknown architecture {name:?}")))
}

/// moby's `setupSeccomp` condition handling. Returns whether the rule applies.
fn rule_applies(call: &SyscallJson, caps: &[String], env: &HostEnv) -> Result<bool> {
    let kernel_at_least = |v: &str| -> Result<bool> { Ok(env.kernel >= parse_min_kernel(v)?) };
    if let Some(ex) = &call.excludes {
        if ex
            .arches
            .as_deref()
            .is_some_and(|a| a.iter().any(|a| a == env.docker_arch))
        {
            return Ok(false);
        }
        // Excluded if the container has *any* of the capabilities.
        if ex
            .caps
            .as_deref()
            .is_some_and(|c| c.iter().any(|c| caps.contains(c)))
        {
            return Ok(false);
        }
        if let Some(mk) = &ex.min_kernel {
            if kernel_at_least(mk)? {
                return Ok(false);
            }
        }
    }
    if let Some(inc) = &call.includes {
        if let Some(arches) = inc.arches.as_deref().filter(|a| !a.is_empty()) {
            if !arches.iter().any(|a| a == env.docker_arch) {
                return Ok(false);
            }
        }
        // Included only if the container has *all* of the capabilities.
        if inc
            .caps
            .as_deref()
            .is_some_and(|c| c.iter().any(|c| !caps.contains(c)))
        {
            return Ok(false);
        }
        if let Some(mk) = &inc.min_kernel {
            if !kernel_at_least(mk)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

const KNOWN_FLAGS: &[&str] = &[
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
];

/// Builds the BPF program; `None` means "no filter" (a profile with neither a
/// default action nor syscalls, which Docker treats as unconfined).
fn build_program(p: &ProfileJson, caps: &[String], env: &HostEnv) -> Result<Option<Vec<u8>>> {
    let default_action_name = p.default_action.as_deref().unwrap_or("");
    let syscalls = p.syscalls.as_deref().unwrap_or(&[]);
    if default_action_name.is_empty() && syscalls.is_empty() {
        return Ok(None);
    }
    if default_action_name.is_empty() {
        return Err(SeccompError::InvalidProfile(
            "defaultAction is missing".into(),
        ));
    }
    let architectures = p.architectures.as_deref().unwrap_or(&[]);
    let arch_map = p.arch_map.as_deref().unwrap_or(&[]);
    if !architectures.is_empty() && !arch_map.is_empty() {
        return Err(SeccompError::InvalidProfile(
            "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'".into(),
        ));
    }
    // Flags only change how the filter is loaded; TSYNC is moot for a
    // single-threaded init, LOG / SPEC_ALLOW / WAIT_KILLABLE_RECV are
    // accepted and ignored (none of them weakens the filter).
    for flag in p.flags.as_deref().unwrap_or(&[]) {
        if !KNOWN_FLAGS.contains(&flag.as_str()) {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown seccomp flag {flag:?}"
            )));
        }
    }
    if p.listener_path.as_deref().is_some_and(|l| !l.is_empty()) {
        return Err(SeccompError::NotifyUnsupported("listenerPath".into()));
    }

    let default_action = parse_action(default_action_name, p.default_errno_ret)?;
    if default_action == ScmpAction::Notify {
        return Err(SeccompError::NotifyUnsupported("defaultAction".into()));
    }

    // Architectures of the filter (besides the native one, always present).
    let mut arches: Vec<ScmpArch> = vec![env.arch];
    let mut push_arch = |a: ScmpArch| {
        if !arches.contains(&a) {
            arches.push(a);
        }
    };
    for a in architectures {
        push_arch(parse_arch(a)?);
    }
    if let Some(m) = arch_map
        .iter()
        .find(|m| m.architecture == env.scmp_arch_name)
    {
        for sub in m.sub_architectures.as_deref().unwrap_or(&[]) {
            push_arch(parse_arch(sub)?);
        }
    }

    // Conditions.
    let mut rules = Vec::new();
    for call in syscalls {
        let names: Vec<&str> = match (&call.name, &call.names) {
            (Some(n), Some(ns)) if !n.is_empty() && !ns.is_empty() => {
                return Err(SeccompError::InvalidProfile(
                    "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'".into(),
                ))
            }
            (Some(n), _) if !n.is_empty() => vec![n.as_str()],
            (_, Some(ns)) => ns.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        if !rule_applies(call, caps, env)? {
            continue;
        }
        let action_name = call.action.as_deref().unwrap_or("");
        let action = parse_action(action_name, call.errno_ret)?;
        if action == ScmpAction::Notify {
            return Err(SeccompError::NotifyUnsupported(format!(
                "syscalls {}",
                names.join(", ")
            )));
        }
        if names.iter().any(|n| n.is_empty()) {
            return Err(SeccompError::InvalidProfile(
                "empty string is not a valid syscall".into(),
            ));
        }
        let args = call.args.as_deref().unwrap_or(&[]);
        if let Some(a) = args.iter().find(|a| a.index >= 6) {
            return Err(SeccompError::InvalidProfile(format!(
                "argument index {} out of range (syscalls {})",
                a.index,
                names.join(", ")
            )));
        }
        rules.push(Rule {
            names,
            action,
            args,
        });
    }

    let mut ctx = lsc(ScmpFilterContext::new(default_action), || {
        "creating filter".into()
    })?;
    for &arch in &arches {
        let present = lsc(ctx.is_arch_present(arch), || {
            format!("checking arch {arch:?}")
        })?;
        if !present {
            lsc(ctx.add_arch(arch), || format!("adding arch {arch:?}"))?;
        }
    }
    let rule_count: usize = rules.iter().map(|r| r.names.len()).sum();
    if rule_count > 32 {
        // Binary-tree dispatch, as runc does for longer rule sets (libseccomp
        // <= 2.5.4 misbehaves with it and zero rules). Not fatal if missing.
        let _ = ctx.set_ctl_optimize(2);
    }
    for rule in &rules {
        add_rule(&mut ctx, rule, default_action)?;
    }

    let filter = export_bpf(&ctx)?;
    let mut program = if needs_enosys_stub(default_action) {
        enosys_stub(&arches, &rules)?
    } else {
        Vec::new()
    };
    program.extend_from_slice(&filter);
    let insns = program.len() / INSN_LEN;
    if !program.len().is_multiple_of(INSN_LEN) || insns == 0 {
        return Err(SeccompError::Io {
            context: "libseccomp exported a malformed program".into(),
            source: io::Error::from(io::ErrorKind::InvalidData),
        });
    }
    if insns > MAX_INSNS {
        return Err(SeccompError::InvalidProfile(format!(
            "compiled filter has {insns} instructions, the kernel accepts at most {MAX_INSNS}"
        )));
    }
    #[cfg(test)]
    BUILDS.with(|b| b.set(b.get() + 1));
    Ok(Some(program))
}

/// runc's `matchCall`.
fn add_rule(ctx: &mut ScmpFilterContext, rule: &Rule<'_>, default: ScmpAction) -> Result<()> {
    if rule.action == default {
        // Redundant (and libseccomp refuses it).
        return Ok(());
    }
    let mut conds = Vec::with_capacity(rule.args.len());
    let mut per_index = [0usize; 6];
    for a in rule.args {
        let (op, datum) = parse_op(&a.op, a.value.unwrap_or(0), a.value_two.unwrap_or(0))?;
        conds.push(ScmpArgCompare::new(a.index, op, datum));
        per_index[a.index as usize] += 1;
    }
    // Several conditions on the same argument: each becomes its own rule
    // (OR), like runc; otherwise one rule with all conditions (AND).
    let separate = per_index.iter().any(|&n| n > 1);
    for &name in &rule.names {
        // Unknown to this libseccomp (on every arch): skip, like runc/docker.
        let Ok(sc) = libseccomp::ScmpSyscall::from_name(name) else {
            continue;
        };
        let ctx_msg = || format!("adding rule for syscall {name}");
        if separate {
            for c in &conds {
                lsc(
                    ctx.add_rule_conditional(rule.action, sc, std::slice::from_ref(c)),
                    ctx_msg,
                )?;
            }
        } else {
            lsc(ctx.add_rule_conditional(rule.action, sc, &conds), ctx_msg)?;
        }
    }
    Ok(())
}

fn export_bpf(ctx: &ScmpFilterContext) -> Result<Vec<u8>> {
    let io_err = |context: &str| {
        let context = context.to_string();
        move |source| SeccompError::Io { context, source }
    };
    // SAFETY: plain syscall with a valid C string.
    let fd = unsafe { libc::memfd_create(c"skiff-seccomp-bpf".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io_err("memfd_create")(io::Error::last_os_error()));
    }
    // SAFETY: fd is a fresh descriptor we own.
    let mut file = unsafe { File::from_raw_fd(fd) };
    lsc(ctx.export_bpf(&file), || "exporting BPF".into())?;
    file.seek(SeekFrom::Start(0))
        .map_err(io_err("reading exported BPF"))?;
    let mut out = Vec::new();
    file.read_to_end(&mut out)
        .map_err(io_err("reading exported BPF"))?;
    Ok(out)
}

// ---------------------------------------------------------------------------
// the -ENOSYS stub (runc's patchbpf, re-implemented)
// ---------------------------------------------------------------------------

fn needs_enosys_stub(default: ScmpAction) -> bool {
    // Permissive defaults need no stub; neither does a default of ENOSYS.
    !matches!(
        default,
        ScmpAction::Allow | ScmpAction::Log | ScmpAction::Trace(_)
    ) && default != ScmpAction::Errno(libc::ENOSYS)
}

const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JMP_JA: u16 = 0x05; // BPF_JMP | BPF_JA
const BPF_JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGT_K: u16 = 0x25; // BPF_JMP | BPF_JGT | BPF_K
const BPF_JSET_K: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
/// Offsets in `struct seccomp_data`.
const DATA_NR: u32 = 0;
const DATA_ARCH: u32 = 4;

#[derive(Clone, Copy, Debug)]
enum Target {
    /// The instruction after this one + n.
    Skip(usize),
    /// `return ERRNO(ENOSYS)`.
    Enosys,
    /// The first instruction of libseccomp's program (right after the stub).
    Filter,
    /// The start of the section for the i-th audit arch.
    Section(usize),
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Ld(u32),
    Jump(u16, u32, Target, Target),
    Ja(Target),
    Ret(u32),
}

/// Prefix that returns -ENOSYS for syscall numbers above the largest one the
/// profile names, per architecture; everything else falls through into the
/// libseccomp program.
fn enosys_stub(arches: &[ScmpArch], rules: &[Rule<'_>]) -> Result<Vec<u8>> {
    // audit arch → [(arch, largest syscall number)], in filter order.
    let mut groups: Vec<(u32, Vec<(ScmpArch, u32)>)> = Vec::new();
    for &arch in arches {
        let Some(&(_, _, _, audit)) = arch_info(arch) else {
            continue;
        };
        let largest = rules
            .iter()
            .flat_map(|r| r.names.iter())
            .filter_map(|n| libseccomp::ScmpSyscall::from_name_by_arch(n, arch).ok())
            .map(|s| s.as_raw_syscall())
            .filter(|&nr| nr > 0)
            .max();
        let Some(largest) = largest else { continue };
        match groups.iter_mut().find(|g| g.0 == audit) {
            Some(g) => g.1.push((arch, largest as u32)),
            None => groups.push((audit, vec![(arch, largest as u32)])),
        }
    }
    if groups.is_empty() {
        return Ok(Vec::new());
    }

    let mut sections: BTreeMap<usize, Vec<Op>> = BTreeMap::new();
    for (i, (audit, members)) in groups.iter().enumerate() {
        let mut s = vec![Op::Ld(DATA_NR)];
        let max_of = |a: ScmpArch| members.iter().find(|m| m.0 == a).map(|m| m.1);
        if *audit == 0xC000_003E {
            // x86_64 and x32 share AUDIT_ARCH_X86_64; x32 sets bit 30.
            match (max_of(ScmpArch::X8664), max_of(ScmpArch::X32)) {
                (Some(m64), Some(m32)) => {
                    s.push(Op::Jump(
                        BPF_JSET_K,
                        X32_SYSCALL_BIT,
                        Target::Skip(1),
                        Target::Skip(0),
                    ));
                    s.push(Op::Jump(BPF_JGT_K, m64, Target::Enosys, Target::Filter));
                    s.push(Op::Jump(BPF_JGT_K, m32, Target::Enosys, Target::Filter));
                }
                (Some(m64), None) => {
                    s.push(Op::Jump(
                        BPF_JSET_K,
                        X32_SYSCALL_BIT,
                        Target::Filter,
                        Target::Skip(0),
                    ));
                    s.push(Op::Jump(BPF_JGT_K, m64, Target::Enosys, Target::Filter));
                }
                (None, Some(m32)) => {
                    s.push(Op::Jump(
                        BPF_JSET_K,
                        X32_SYSCALL_BIT,
                        Target::Skip(0),
                        Target::Filter,
                    ));
                    s.push(Op::Jump(BPF_JGT_K, m32, Target::Enosys, Target::Filter));
                }
                (None, None) => continue,
            }
        } else {
            let (arch, max) = members[0];
            if members.len() != 1 {
                return Err(SeccompError::InvalidProfile(format!(
                    "unexpected architecture overlap on audit arch {audit:#x}"
                )));
            }
            if matches!(arch, ScmpArch::S390 | ScmpArch::S390X) {
                // Syscall 0 multiplexes unknown "large" syscalls on s390(x).
                s.push(Op::Jump(BPF_JEQ_K, 0, Target::Enosys, Target::Skip(0)));
            }
            s.push(Op::Jump(BPF_JGT_K, max, Target::Enosys, Target::Filter));
        }
        sections.insert(i, s);
    }

    let mut ops = vec![Op::Ld(DATA_ARCH)];
    for (i, (audit, _)) in groups.iter().enumerate() {
        if sections.contains_key(&i) {
            ops.push(Op::Jump(
                BPF_JEQ_K,
                *audit,
                Target::Section(i),
                Target::Skip(0),
            ));
        }
    }
    ops.push(Op::Ja(Target::Filter));
    let mut section_start = BTreeMap::new();
    for (i, s) in sections {
        section_start.insert(i, ops.len());
        ops.extend(s);
    }
    let enosys = ops.len();
    ops.push(Op::Ret(SECCOMP_RET_ERRNO | libc::ENOSYS as u32));
    let filter = ops.len();

    let resolve = |pc: usize, t: Target| -> Result<usize> {
        let abs = match t {
            Target::Skip(n) => pc + 1 + n,
            Target::Enosys => enosys,
            Target::Filter => filter,
            Target::Section(i) => section_start[&i],
        };
        Ok(abs - (pc + 1))
    };
    let short = |off: usize| -> Result<u8> {
        u8::try_from(off)
            .map_err(|_| SeccompError::InvalidProfile("ENOSYS stub jump out of range".into()))
    };
    let mut out = Vec::with_capacity(ops.len() * INSN_LEN);
    for (pc, op) in ops.iter().enumerate() {
        let (code, jt, jf, k) = match *op {
            Op::Ld(off) => (BPF_LD_W_ABS, 0, 0, off),
            Op::Ret(v) => (BPF_RET_K, 0, 0, v),
            Op::Ja(t) => (BPF_JMP_JA, 0, 0, resolve(pc, t)? as u32),
            Op::Jump(code, k, jt, jf) => {
                (code, short(resolve(pc, jt)?)?, short(resolve(pc, jf)?)?, k)
            }
        };
        out.extend_from_slice(&code.to_ne_bytes());
        out.push(jt);
        out.push(jf);
        out.extend_from_slice(&k.to_ne_bytes());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// install (child side)
// ---------------------------------------------------------------------------

const SECCOMP_SET_MODE_FILTER: libc::c_ulong = 1;
const SECCOMP_MODE_FILTER: libc::c_ulong = 2;

/// Installs the filter in the calling process. Call it in the container init
/// as the last thing before `execve` (see the module documentation for the
/// privilege requirement: `no_new_privs` or `CAP_SYS_ADMIN`).
///
/// [`SeccompSpec::Unconfined`] is a no-op. Async-signal-safe: no allocation,
/// no locks, only the `seccomp(2)` (or, on kernels without it,
/// `prctl(PR_SET_SECCOMP)`) system call; usable in a `pre_exec` closure.
pub fn install(spec: &SeccompSpec) -> io::Result<()> {
    let program: &[u8] = match spec {
        SeccompSpec::Unconfined => return Ok(()),
        SeccompSpec::Filter(p) => p.as_slice(),
    };
    let insns = program.len() / INSN_LEN;
    if insns == 0 || insns > MAX_INSNS || !program.len().is_multiple_of(INSN_LEN) {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let prog = libc::sock_fprog {
        len: insns as libc::c_ushort,
        // The kernel copies the array; it is never dereferenced as a
        // sock_filter on our side, so alignment does not matter here.
        filter: program.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: prog points to `insns` instructions that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            SECCOMP_SET_MODE_FILTER,
            0 as libc::c_ulong,
            &prog as *const libc::sock_fprog,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() != Some(libc::ENOSYS) {
        return Err(err);
    }
    // SAFETY: as above.
    let rc = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            SECCOMP_MODE_FILTER,
            &prog as *const libc::sock_fprog,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests;
