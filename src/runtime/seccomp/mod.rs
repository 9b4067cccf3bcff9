//! Seccomp filtering, Docker style.
//!
//! Docker applies a default seccomp profile to every container
//! (`--security-opt seccomp=unconfined` turns it off,
//! `--security-opt seccomp=/path/profile.json` uses another profile written in
//! Docker's JSON format). skiff does the expensive part in the *parent*:
//! [`compile`] evaluates the profile's conditions (`includes` / `excludes` by
//! capability, architecture and kernel version) the way moby's
//! `profiles/seccomp/seccomp_linux.go` does, compiles the rules that apply
//! to a multi-architecture classic-BPF program itself (no libseccomp at
//! build or run time; it answers as the libseccomp-built filter runc makes
//! would, see below), and caches the program on disk. The container init
//! then only calls [`install`], which hands the raw program to `seccomp(2)`
//! without allocating.
//!
//! # The default profile
//!
//! `seccomp_default.json` (embedded with `include_str!` in `profile.rs`) is Docker's default
//! profile, `seccomp/default.json` of <https://github.com/moby/profiles>,
//! Go module `github.com/moby/profiles/seccomp` v0.2.3 (commit
//! 836ae4d37ef2ec995c77c99fc55f5b5f3af3a897), which is the version moby/moby
//! vendors (moby commit b985e2313a86, docker v29.7.x). Copyright The Moby
//! Authors, licensed Apache-2.0 like skiff. The file is byte-for-byte upstream.
//!
//! # The compiler
//!
//! * **Syscall numbers** come from `syscalls.rs`, tables generated from
//!   libseccomp 2.5.4 by `scripts/gen-seccomp-syscalls.py` (for x86,
//!   x86_64, x32, arm, aarch64, the mips ABIs, ppc, ppc64, riscv64, s390
//!   and s390x; `arch.rs` names the arches). A name an arch has no syscall
//!   for is skipped on that arch, as libseccomp does; a profile naming an
//!   arch without a table (loongarch64, which that libseccomp lacks too) or
//!   of the other byte order is refused.
//! * **What each number gets** (`layout.rs`): per arch, the rules by number
//!   with libseccomp's semantics: several conditions on one argument become
//!   separate rules (runc's `matchCall`), a rule whose action is the default
//!   is dropped, the first unconditional rule of a syscall decides it,
//!   socket and SysV IPC calls are also filtered through socketcall(2) /
//!   ipc(2) on the arches that multiplex them (x86, mips, ppc, s390), and
//!   x86_64 and x32 share one audit arch. Conditional rules of a syscall are
//!   tried in profile order (libseccomp orders overlapping rules with
//!   different actions in its own way, or refuses them).
//! * **BPF** (`bpf.rs`): `seccomp_data.arch` picks a section (an arch not in
//!   the filter is killed, libseccomp's default); a section is a binary
//!   search over ranges of syscall numbers (rows of `jeq` for the last few
//!   exceptions), whose leaves return or test arguments: 64-bit values a
//!   word at a time, 32-bit arches' (x32 included) on the low word only.
//!   Docker's default profile compiles to 310 instructions on amd64 (x86_64,
//!   x32 and i386; default capabilities), where libseccomp's binary tree
//!   behind the ENOSYS stub took 1257.
//!
//! A test compares the two (`compare_tests.rs`, with libseccomp as a
//! dev-dependency): the old libseccomp-built program and the new one answer
//! alike for every syscall number of every arch in the filter, argument
//! values around every condition, and foreign arches.
//!
//! # ENOSYS for syscalls newer than the profile
//!
//! Like runc (`libcontainer/seccomp/patchbpf`), the program answers `ENOSYS`
//! (instead of the profile's default `EPERM`) for syscall numbers above the
//! highest syscall the profile names on that architecture (and for syscall
//! 0 on s390). Without it, programs probing for new syscalls (glibc tries
//! `fchmodat2`, `clone3`, ... and falls back only on `ENOSYS`) break when
//! the profile lists a syscall that the tables do not know yet. Permissive
//! defaults (allow, log, trace) and a default of `ENOSYS` need no such
//! answers.
//!
//! # Files
//!
//! `profile.rs` is the data: Docker's default profile and the types of its
//! JSON format. The code that turns a profile into a filter is apart from
//! it: `host.rs` (facts of this host), `arch.rs` and `syscalls.rs` (arches
//! and their numbers), `compile.rs` (conditions → rules), `rules.rs`
//! (actions and argument comparisons), `layout.rs` (what each number
//! gets), `bpf.rs` (the program) and `cache.rs` (compiled programs on disk).
//! This file parses `--security-opt`, compiles and installs.
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

mod arch;
mod bpf;
mod cache;
mod compile;
mod host;
mod layout;
mod profile;
mod rules;
mod syscalls;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::runtime::spec::SeccompSpec;
use cache::{cache_path, read_cache, write_cache};
use compile::build_program;
use host::{normalize_caps, HostEnv};
use profile::parse_profile;

pub use profile::DEFAULT_PROFILE_JSON;

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
    /// An I/O error while building the program.
    #[error("seccomp: {context}: {source}")]
    Io { context: String, source: io::Error },
}

type Result<T, E = SeccompError> = std::result::Result<T, E>;

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

/// BPF_MAXINSNS.
const MAX_INSNS: usize = 4096;
const INSN_LEN: usize = 8;

/// Compiles `profile` for a container whose (bounding/effective) capability
/// set is `caps` (names like `CAP_SYS_ADMIN`; `SYS_ADMIN` is accepted too).
///
/// The program is cached as
/// `<cache_dir>/seccomp/<sha256(profile, caps, arch, kernel, compiler)>.bpf`;
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
mod compare_tests;
#[cfg(test)]
mod interp;
#[cfg(test)]
mod libseccomp_ref;
#[cfg(test)]
mod tests;
