use super::compile::*;
use super::host::*;
use super::profile::*;
use super::*;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;
use std::time::Instant;

/// Docker's default capability set (moby `caps.DefaultCapabilities`).
fn docker_default_caps() -> Vec<String> {
    crate::runtime::spec::DEFAULT_CAPABILITIES
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn builds() -> usize {
    BUILDS.with(|b| b.get())
}

fn filter_bytes(spec: &SeccompSpec) -> &[u8] {
    match spec {
        SeccompSpec::Filter(p) => p,
        SeccompSpec::Unconfined => panic!("expected a filter"),
    }
}

fn compile_default(caps: &[String]) -> SeccompSpec {
    let dir = tempfile::tempdir().unwrap();
    compile(&Profile::Default, caps, dir.path()).unwrap()
}

// ---- parse_security_opt -------------------------------------------

#[test]
fn security_opt_forms() {
    for v in ["seccomp=unconfined", "seccomp:unconfined"] {
        assert_eq!(parse_security_opt(v).unwrap(), Some(Profile::Unconfined));
    }
    for v in ["seccomp=builtin", "seccomp:builtin"] {
        assert_eq!(parse_security_opt(v).unwrap(), Some(Profile::Default));
    }
    for v in [
        "apparmor=unconfined",
        "label=disable",
        "label:disable",
        "no-new-privileges",
        "no-new-privileges=true",
        "systempaths=unconfined",
    ] {
        assert_eq!(parse_security_opt(v).unwrap(), None, "{v}");
    }
    for v in ["seccomp", "seccomp=", "seccomp:"] {
        assert!(matches!(
            parse_security_opt(v),
            Err(SeccompError::InvalidOption { .. })
        ));
    }
    let inline = r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#;
    assert_eq!(
        parse_security_opt(&format!("seccomp={inline}")).unwrap(),
        Some(Profile::Custom(inline.into()))
    );
}

#[test]
fn security_opt_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ALLOW"}]}"#;
    fs::write(&good, text).unwrap();
    for sep in ["=", ":"] {
        let opt = format!("seccomp{sep}{}", good.display());
        assert_eq!(
            parse_security_opt(&opt).unwrap(),
            Some(Profile::Custom(text.into()))
        );
    }

    let bad = dir.path().join("bad-profile.json");
    fs::write(&bad, "{ \"defaultAction\": ").unwrap();
    let err = parse_security_opt(&format!("seccomp={}", bad.display())).unwrap_err();
    assert!(matches!(err, SeccompError::ParseProfile { .. }), "{err}");
    assert!(err.to_string().contains("bad-profile.json"), "{err}");

    // Valid JSON, wrong types.
    fs::write(&bad, r#"{"syscalls": 3}"#).unwrap();
    let err = parse_security_opt(&format!("seccomp={}", bad.display())).unwrap_err();
    assert!(err.to_string().contains("bad-profile.json"), "{err}");

    let missing = dir.path().join("missing.json");
    let err = parse_security_opt(&format!("seccomp={}", missing.display())).unwrap_err();
    assert!(matches!(err, SeccompError::ReadProfile { .. }), "{err}");
    assert!(err.to_string().contains("missing.json"), "{err}");
}

// ---- helpers ---------------------------------------------------------

#[test]
fn kernel_versions() {
    assert_eq!(parse_kernel_release("6.18.0-1-amd64"), Some((6, 18)));
    assert_eq!(parse_kernel_release("3.12-1-amd64"), Some((3, 12)));
    assert_eq!(parse_kernel_release("4.8"), Some((4, 8)));
    assert_eq!(parse_kernel_release("garbage"), None);
    assert_eq!(parse_min_kernel("4.8").unwrap(), (4, 8));
    assert_eq!(parse_min_kernel("").unwrap(), (0, 0));
    assert!(parse_min_kernel("4").is_err());
    assert!(parse_min_kernel("4.8.1").is_err());
    assert!(parse_min_kernel("0.0").is_err());
    assert!(parse_min_kernel("300.1").is_err());
}

#[test]
fn caps_are_normalized() {
    assert_eq!(
        normalize_caps(&[
            "sys_admin".into(),
            "CAP_KILL".into(),
            "CAP_SYS_ADMIN".into()
        ]),
        vec!["CAP_KILL".to_string(), "CAP_SYS_ADMIN".to_string()]
    );
}

#[test]
#[cfg(target_arch = "x86_64")]
fn conditions_follow_moby() {
    let env = HostEnv::detect().unwrap();
    let p: ProfileJson = serde_json::from_str(
        r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                {"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_A","CAP_B"]}},
                {"names":["b"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_A","CAP_B"]}},
                {"names":["c"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x32"]}},
                {"names":["d"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["s390x"]}},
                {"names":["e"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}},
                {"names":["f"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"200.1"}},
                {"names":["g"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"4.8"}},
                {"names":["h"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["amd64"]}}
            ]}"#,
    )
    .unwrap();
    let calls = p.syscalls.as_deref().unwrap();
    let applies = |caps: &[&str]| -> String {
        let caps: Vec<String> = caps.iter().map(|c| c.to_string()).collect();
        calls
            .iter()
            .filter(|c| rule_applies(c, &caps, &env).unwrap())
            .map(|c| c.names.as_ref().unwrap()[0].clone())
            .collect()
    };
    assert_eq!(env.docker_arch, "amd64");
    assert!(env.kernel >= (4, 8));
    assert_eq!(applies(&[]), "bce");
    assert_eq!(applies(&["CAP_A"]), "ce"); // includes needs all; excludes any
    assert_eq!(applies(&["CAP_A", "CAP_B"]), "ace");
}

#[test]
fn profile_errors() {
    let dir = tempfile::tempdir().unwrap();
    let c = |json: &str| compile(&Profile::Custom(json.into()), &[], dir.path());

    let err = c(r#"{"defaultAction":"SCMP_ACT_NOTIFY"}"#).unwrap_err();
    assert!(matches!(err, SeccompError::NotifyUnsupported(_)), "{err}");
    let err = c(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_NOTIFY"}]}"#)
            .unwrap_err();
    assert!(matches!(err, SeccompError::NotifyUnsupported(_)), "{err}");
    assert!(err.to_string().contains("getpid"), "{err}");
    // ... but a NOTIFY rule excluded by its conditions is fine.
    c(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_NOTIFY","includes":{"caps":["CAP_SYS_ADMIN"]}}]}"#)
            .unwrap();

    let err = c(r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}]}"#).unwrap_err();
    assert!(err.to_string().contains("archMap"), "{err}");
    let err = c(r#"{"defaultAction":"SCMP_ACT_BOGUS"}"#).unwrap_err();
    assert!(err.to_string().contains("SCMP_ACT_BOGUS"), "{err}");
    let err = c(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}"#).unwrap_err();
    assert!(err.to_string().contains("SCMP_CMP_XX"), "{err}");
    let err = c(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}"#).unwrap_err();
    assert!(err.to_string().contains("'name' and 'names'"), "{err}");
    let err =
        c(r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_VAX"]}"#).unwrap_err();
    assert!(err.to_string().contains("SCMP_ARCH_VAX"), "{err}");
    let err = c("not json").unwrap_err();
    assert!(matches!(err, SeccompError::ParseProfile { .. }), "{err}");

    // Docker: no default action and no syscalls = no filter.
    assert!(matches!(c("{}").unwrap(), SeccompSpec::Unconfined));
    // Unknown syscall names are skipped; known flags accepted.
    c(r#"{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["no_such_syscall","getpid"],"action":"SCMP_ACT_ALLOW"}]}"#).unwrap();
    // The old single-"name" format.
    c(r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{"name":"getpid","action":"SCMP_ACT_ALLOW","args":[]}]}"#).unwrap();
}

// ---- compile + cache -------------------------------------------------

#[test]
fn compile_default_profile() {
    let spec = compile_default(&docker_default_caps());
    let p = filter_bytes(&spec);
    assert!(!p.is_empty());
    assert_eq!(p.len() % 8, 0);
    assert!(p.len() / 8 <= MAX_INSNS);
    assert!(matches!(
        compile(&Profile::Unconfined, &[], Path::new("/nonexistent")).unwrap(),
        SeccompSpec::Unconfined
    ));
}

#[test]
fn cache_hit_and_corruption_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let caps = docker_default_caps();
    let before = builds();
    let first = compile(&Profile::Default, &caps, dir.path()).unwrap();
    assert_eq!(builds(), before + 1);

    let entries: Vec<PathBuf> = fs::read_dir(dir.path().join("seccomp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?} (no stray temp files)");
    let path = entries[0].clone();
    assert_eq!(path.extension().unwrap(), "bpf");
    assert_eq!(path.file_stem().unwrap().len(), 64);
    let meta = fs::metadata(&path).unwrap();

    // Hit: no rebuild, file untouched, same program.
    let second = compile(&Profile::Default, &caps, dir.path()).unwrap();
    assert_eq!(builds(), before + 1);
    assert_eq!(filter_bytes(&first), filter_bytes(&second));
    let meta2 = fs::metadata(&path).unwrap();
    assert_eq!(meta.modified().unwrap(), meta2.modified().unwrap());
    assert_eq!(
        std::os::unix::fs::MetadataExt::ino(&meta),
        std::os::unix::fs::MetadataExt::ino(&meta2)
    );

    // Corruptions: truncated, flipped byte, empty, garbage.
    let good = fs::read(&path).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x40;
    let corruptions: Vec<Vec<u8>> = vec![
        good[..good.len() - 8].to_vec(),
        good[..20].to_vec(),
        flipped,
        Vec::new(),
        b"garbage".to_vec(),
    ];
    for (i, bad) in corruptions.into_iter().enumerate() {
        fs::write(&path, &bad).unwrap();
        let b = builds();
        let again = compile(&Profile::Default, &caps, dir.path()).unwrap();
        assert_eq!(builds(), b + 1, "corruption {i} not detected");
        assert_eq!(filter_bytes(&again), filter_bytes(&first));
        assert_eq!(
            fs::read(&path).unwrap(),
            good,
            "corruption {i} not repaired"
        );
    }
}

#[test]
fn caps_change_the_cache_key() {
    let dir = tempfile::tempdir().unwrap();
    let env = HostEnv::detect().unwrap();
    let base = normalize_caps(&docker_default_caps());
    let mut admin = base.clone();
    admin.push("CAP_SYS_ADMIN".into());
    let admin = normalize_caps(&admin);
    let k1 = cache_path(dir.path(), DEFAULT_PROFILE_JSON, &base, &env);
    let k2 = cache_path(dir.path(), DEFAULT_PROFILE_JSON, &admin, &env);
    assert_ne!(k1, k2);
    // Order and spelling of the caps do not matter.
    let mut shuffled: Vec<String> = docker_default_caps().into_iter().rev().collect();
    shuffled[0] = shuffled[0].trim_start_matches("CAP_").to_lowercase();
    assert_eq!(
        k1,
        cache_path(
            dir.path(),
            DEFAULT_PROFILE_JSON,
            &normalize_caps(&shuffled),
            &env
        )
    );
    // The profile text matters too.
    assert_ne!(k1, cache_path(dir.path(), "{}", &base, &env));

    let a = compile(&Profile::Default, &docker_default_caps(), dir.path()).unwrap();
    let b = compile(&Profile::Default, &admin, dir.path()).unwrap();
    assert!(k1.exists() && k2.exists());
    assert_ne!(filter_bytes(&a), filter_bytes(&b));
}

#[test]
fn unwritable_cache_is_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the seccomp/ directory should be.
    fs::write(dir.path().join("seccomp"), "").unwrap();
    let spec = compile(&Profile::Default, &[], dir.path()).unwrap();
    assert!(!filter_bytes(&spec).is_empty());
}

#[test]
fn timing_compile_vs_cache_hit() {
    let dir = tempfile::tempdir().unwrap();
    let caps = docker_default_caps();
    let t = Instant::now();
    let spec = compile(&Profile::Default, &caps, dir.path()).unwrap();
    let cold = t.elapsed();
    let n = 50;
    let t = Instant::now();
    for _ in 0..n {
        compile(&Profile::Default, &caps, dir.path()).unwrap();
    }
    let hit = t.elapsed() / n;
    eprintln!(
        "seccomp default profile: {} insns, compile {cold:?}, cache hit {hit:?}",
        filter_bytes(&spec).len() / 8
    );
    assert!(hit < cold);
}

#[test]
#[cfg(target_arch = "x86_64")]
fn program_shape() {
    let env = HostEnv::detect().unwrap();
    let p: ProfileJson = serde_json::from_str(DEFAULT_PROFILE_JSON).unwrap();
    let full = build_program(&p, &[], &env).unwrap().unwrap();
    let insn = |prog: &[u8], i: usize| {
        let b = &prog[i * 8..i * 8 + 8];
        (
            u16::from_ne_bytes([b[0], b[1]]),
            b[2],
            b[3],
            u32::from_ne_bytes([b[4], b[5], b[6], b[7]]),
        )
    };
    // ld [4]; jeq x86_64; jeq i386; ret KILL_THREAD (a bad arch).
    assert_eq!(insn(&full, 0), (0x20, 0, 0, 4));
    assert_eq!((insn(&full, 1).0, insn(&full, 1).3), (0x15, 0xC000_003E));
    assert_eq!((insn(&full, 2).0, insn(&full, 2).3), (0x15, 0x4000_0003));
    assert_eq!(insn(&full, 3), (0x06, 0, 0, 0));
    assert!(full.len() / 8 < 1000, "{} instructions", full.len() / 8);
    // A small profile makes a small program.
    let allow: ProfileJson = serde_json::from_str(
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#,
    )
    .unwrap();
    let prog = build_program(&allow, &[], &env).unwrap().unwrap();
    assert_eq!(insn(&prog, 0), insn(&full, 0));
    assert!(prog.len() / 8 <= 10, "{} instructions", prog.len() / 8);
}

// ---- real filtering in a child process -------------------------------

const N: usize = 32;
const UNSET: i64 = i64::MIN;

/// 0 on success, else errno (for libc::syscall style return values).
fn err_of(rc: libc::c_long) -> i64 {
    if rc == -1 {
        // SAFETY: reading errno.
        i64::from(unsafe { *libc::__errno_location() })
    } else {
        0
    }
}

/// i386 system call through `int 0x80`: 0 on success, else errno.
#[cfg(target_arch = "x86_64")]
fn int80(nr: u32, arg1: u32) -> i64 {
    let ret: i32;
    // SAFETY: a system call; rbx cannot be named as an operand, so swap it.
    unsafe {
        std::arch::asm!(
            "xchg {a1:r}, rbx",
            "int 0x80",
            "xchg {a1:r}, rbx",
            a1 = inout(reg) u64::from(arg1) => _,
            inlateout("eax") nr as i32 => ret,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            out("r12") _, out("r13") _, out("r14") _, out("r15") _,
        );
    }
    if ret < 0 && ret > -4096 {
        i64::from(-ret)
    } else {
        0
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn int80(_nr: u32, _arg1: u32) -> i64 {
    i64::from(libc::ENOSYS)
}

#[allow(clippy::large_enum_variant)]
enum Outcome {
    Exited([i64; N]),
    Signaled(i32),
}

/// Forks; the child installs `spec`, runs `body` (raw syscalls only, no
/// allocation: the parent is multi-threaded), reports through a pipe and
/// `_exit`s.
fn in_child(spec: &SeccompSpec, body: fn(&mut [i64; N])) -> Outcome {
    let mut fds = [0; 2];
    // SAFETY: plain syscalls; the child only uses async-signal-safe calls.
    unsafe {
        assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
        let pid = libc::fork();
        assert!(pid >= 0);
        if pid == 0 {
            libc::close(fds[0]);
            let mut out = [UNSET; N];
            match install(spec) {
                Ok(()) => body(&mut out),
                Err(e) => out[0] = -1000 - i64::from(e.raw_os_error().unwrap_or(0)),
            }
            libc::write(fds[1], out.as_ptr().cast(), std::mem::size_of_val(&out));
            libc::_exit(0);
        }
        libc::close(fds[1]);
        let mut out = [UNSET; N];
        let want = std::mem::size_of_val(&out);
        let mut got = 0;
        while got < want {
            let r = libc::read(
                fds[0],
                out.as_mut_ptr().cast::<u8>().add(got).cast(),
                want - got,
            );
            if r <= 0 {
                break;
            }
            got += r as usize;
        }
        libc::close(fds[0]);
        let mut status = 0;
        assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
        if libc::WIFSIGNALED(status) {
            return Outcome::Signaled(libc::WTERMSIG(status));
        }
        assert_eq!(libc::WEXITSTATUS(status), 0);
        assert_eq!(got, want, "child reported nothing");
        assert!(
            out[0] > -1000 || out[0] == UNSET,
            "install failed: {}",
            out[0]
        );
        Outcome::Exited(out)
    }
}

fn exited(o: Outcome) -> [i64; N] {
    match o {
        Outcome::Exited(r) => r,
        Outcome::Signaled(s) => panic!("child killed by signal {s}"),
    }
}

// Indices of the probes run by `probes`.
const GETPID: usize = 0;
const OPEN_WRITE: usize = 1;
const MOUNT: usize = 2;
const KEYCTL: usize = 3;
const ADD_KEY: usize = 4;
const KEXEC: usize = 5;
const REBOOT: usize = 6;
const SWAPON: usize = 7;
const UNSHARE: usize = 8;
const PERS_QUERY: usize = 9;
const PERS_SET: usize = 10;
const SOCK_UNIX: usize = 11;
const SOCK_VSOCK: usize = 12;
const CLONE3: usize = 13;
const CLONE_NEWUTS: usize = 14;
const NEW_SYSCALL: usize = 15;
const I386_GETPID: usize = 16;
const I386_KEYCTL: usize = 17;
const X32_GETPID: usize = 18;
const FCHMODAT2: usize = 19;

fn probes(out: &mut [i64; N]) {
    // SAFETY: raw syscalls with harmless/invalid arguments.
    unsafe {
        out[GETPID] = err_of(libc::syscall(libc::SYS_getpid));
        let fd = libc::syscall(
            libc::SYS_openat,
            libc::AT_FDCWD,
            c"/dev/null".as_ptr(),
            libc::O_WRONLY | libc::O_CLOEXEC,
        );
        out[OPEN_WRITE] = if fd < 0 {
            err_of(fd)
        } else {
            let r = err_of(libc::syscall(libc::SYS_write, fd, c"x".as_ptr(), 1));
            libc::syscall(libc::SYS_close, fd);
            r
        };
        out[MOUNT] = err_of(libc::syscall(
            libc::SYS_mount,
            c"none".as_ptr(),
            c"/nonexistent/skiff-seccomp-test".as_ptr(),
            c"tmpfs".as_ptr(),
            0,
            0,
        ));
        out[KEYCTL] = err_of(libc::syscall(libc::SYS_keyctl, 9999, 0, 0, 0, 0));
        out[ADD_KEY] = err_of(libc::syscall(libc::SYS_add_key, 0, 0, 0, 0, 0));
        out[KEXEC] = err_of(libc::syscall(libc::SYS_kexec_load, 0, 0, 0, 0));
        out[REBOOT] = err_of(libc::syscall(libc::SYS_reboot, 0, 0, 0, 0));
        out[SWAPON] = err_of(libc::syscall(libc::SYS_swapon, 0, 0));
        out[UNSHARE] = err_of(libc::syscall(libc::SYS_unshare, libc::CLONE_NEWUTS));
        out[PERS_QUERY] = err_of(libc::syscall(libc::SYS_personality, 0xffff_ffffu64));
        out[PERS_SET] = err_of(libc::syscall(libc::SYS_personality, 0x0040000u64));
        let s = libc::syscall(libc::SYS_socket, libc::AF_UNIX, libc::SOCK_STREAM, 0);
        out[SOCK_UNIX] = err_of(s);
        if s >= 0 {
            libc::syscall(libc::SYS_close, s);
        }
        let s = libc::syscall(libc::SYS_socket, libc::AF_VSOCK, libc::SOCK_STREAM, 0);
        out[SOCK_VSOCK] = err_of(s);
        if s >= 0 {
            libc::syscall(libc::SYS_close, s);
        }
        // clone3(NULL, 0): EINVAL from the kernel when allowed.
        out[CLONE3] = err_of(libc::syscall(libc::SYS_clone3, 0, 0));
        // CLONE_SIGHAND without CLONE_VM: EINVAL from the kernel when allowed.
        let r = libc::syscall(
            libc::SYS_clone,
            libc::CLONE_NEWUTS | libc::CLONE_SIGHAND | libc::SIGCHLD,
            0,
            0,
            0,
            0,
        );
        if r == 0 {
            libc::_exit(0);
        }
        out[CLONE_NEWUTS] = err_of(r);
        // mseal (462): newer than anything this libseccomp knows.
        out[NEW_SYSCALL] = err_of(libc::syscall(462, 1, 0, 0));
        out[I386_GETPID] = int80(20, 0);
        out[I386_KEYCTL] = int80(288, 9999);
        // x32 getpid: the kernel has no x32 ABI here (ENOSYS) when allowed through.
        out[X32_GETPID] = err_of(libc::syscall(0x4000_0000 | libc::SYS_getpid));
        out[FCHMODAT2] = err_of(libc::syscall(
            452,
            libc::AT_FDCWD,
            c"/nonexistent/skiff".as_ptr(),
            0o644,
            0,
        ));
    }
}

use libc::{EINVAL, ENOENT, ENOSYS, EPERM};

#[test]
fn unconfined_blocks_nothing() {
    let r = exited(in_child(&SeccompSpec::Unconfined, probes));
    assert_eq!(r[GETPID], 0);
    assert_eq!(r[OPEN_WRITE], 0);
    assert_eq!(r[MOUNT], ENOENT as i64);
    assert_eq!(r[KEYCTL], libc::EOPNOTSUPP as i64);
    assert_ne!(r[ADD_KEY], EPERM as i64);
    assert_eq!(r[REBOOT], EINVAL as i64);
    assert_ne!(r[SWAPON], EPERM as i64);
    assert_eq!(r[UNSHARE], 0);
    assert_eq!(r[PERS_QUERY], 0);
    assert_eq!(r[PERS_SET], 0);
    assert_eq!(r[SOCK_UNIX], 0);
    assert_ne!(r[SOCK_VSOCK], EPERM as i64);
    assert_eq!(r[CLONE3], EINVAL as i64);
    assert_eq!(r[CLONE_NEWUTS], EINVAL as i64);
    assert_eq!(r[NEW_SYSCALL], EINVAL as i64);
    assert_eq!(r[FCHMODAT2], ENOENT as i64);
    if r[I386_GETPID] != ENOSYS as i64 {
        assert_eq!(r[I386_GETPID], 0);
        assert_eq!(r[I386_KEYCTL], libc::EOPNOTSUPP as i64);
    }
}

#[test]
#[cfg(target_arch = "x86_64")]
fn default_profile_blocks_like_docker() {
    let spec = compile_default(&docker_default_caps());
    let r = exited(in_child(&spec, probes));
    // Ordinary calls work.
    assert_eq!(r[GETPID], 0);
    assert_eq!(r[OPEN_WRITE], 0);
    assert_eq!(r[SOCK_UNIX], 0);
    assert_eq!(r[PERS_QUERY], 0);
    // Privileged operations are refused with EPERM, though we are root.
    for (i, what) in [
        (MOUNT, "mount"),
        (KEYCTL, "keyctl"),
        (ADD_KEY, "add_key"),
        (KEXEC, "kexec_load"),
        (REBOOT, "reboot"),
        (SWAPON, "swapon"),
        (UNSHARE, "unshare"),
        (PERS_SET, "personality(ADDR_NO_RANDOMIZE)"),
        (SOCK_VSOCK, "socket(AF_VSOCK)"),
        (CLONE_NEWUTS, "clone(CLONE_NEWUTS)"),
    ] {
        assert_eq!(r[i], EPERM as i64, "{what}");
    }
    // clone3 gets ENOSYS (errnoRet 38) so glibc falls back to clone.
    assert_eq!(r[CLONE3], ENOSYS as i64);
    // Syscalls newer than the profile: ENOSYS (the stub), not EPERM.
    assert_eq!(r[NEW_SYSCALL], ENOSYS as i64);
    // fchmodat2 is in the profile and known to libseccomp: allowed.
    assert_eq!(r[FCHMODAT2], ENOENT as i64);
    // i386 (archMap sub-architecture) is filtered too.
    if r[I386_GETPID] != ENOSYS as i64 {
        assert_eq!(r[I386_GETPID], 0);
        assert_eq!(r[I386_KEYCTL], EPERM as i64);
    }
    // x32 is in the filter: getpid passes the filter, the kernel has no x32.
    assert_eq!(r[X32_GETPID], ENOSYS as i64);
}

#[test]
fn cap_sys_admin_unlocks_rules() {
    let mut caps = docker_default_caps();
    caps.push("CAP_SYS_ADMIN".into());
    let spec = compile_default(&caps);
    let r = exited(in_child(&spec, probes));
    assert_eq!(r[MOUNT], ENOENT as i64);
    assert_eq!(r[UNSHARE], 0);
    assert_eq!(r[CLONE3], EINVAL as i64);
    assert_eq!(r[CLONE_NEWUTS], EINVAL as i64);
    // Still blocked: need other capabilities / never allowed.
    assert_eq!(r[REBOOT], EPERM as i64);
    assert_eq!(r[KEYCTL], EPERM as i64);
    assert_eq!(r[KEXEC], EPERM as i64);
}

const CUSTOM: &str = r#"{
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 13,
        "syscalls": [
            {"names": ["write", "close", "exit", "exit_group", "getpid", "rt_sigreturn", "no_such_call"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22},
            {"names": ["getuid"], "action": "SCMP_ACT_LOG"},
            {"names": ["getgid"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["umask"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18, "op": "SCMP_CMP_EQ"}]},
            {"names": ["sched_yield"], "action": "SCMP_ACT_KILL_PROCESS"},
            {"names": ["getpgrp"], "action": "SCMP_ACT_TRAP"}
        ]
    }"#;

fn custom_probes(out: &mut [i64; N]) {
    // SAFETY: raw syscalls.
    unsafe {
        out[0] = err_of(libc::syscall(libc::SYS_getpid));
        out[1] = err_of(libc::syscall(libc::SYS_getppid));
        out[2] = err_of(libc::syscall(libc::SYS_getuid));
        out[3] = err_of(libc::syscall(libc::SYS_gettid));
        out[4] = err_of(libc::syscall(libc::SYS_getgid));
        out[5] = err_of(libc::syscall(libc::SYS_umask, 0o22));
        out[6] = err_of(libc::syscall(libc::SYS_umask, 0o77));
        // openat (257) is above the profile's largest syscall (getppid,
        // 110... exit_group, 231): the stub answers ENOSYS.
        out[7] = err_of(libc::syscall(
            libc::SYS_openat,
            libc::AT_FDCWD,
            c"/".as_ptr(),
            0,
        ));
    }
}

#[test]
#[cfg(target_arch = "x86_64")]
fn custom_profile() {
    let dir = tempfile::tempdir().unwrap();
    let spec = compile(&Profile::Custom(CUSTOM.into()), &[], dir.path()).unwrap();
    let r = exited(in_child(&spec, custom_probes));
    assert_eq!(r[0], 0, "getpid allowed");
    assert_eq!(r[1], EINVAL as i64, "getppid: errnoRet 22");
    assert_eq!(r[2], 0, "getuid: LOG allows");
    assert_eq!(r[3], libc::EACCES as i64, "gettid: defaultErrnoRet 13");
    assert_eq!(r[4], libc::EACCES as i64, "getgid needs CAP_SYS_ADMIN");
    assert_eq!(r[5], 0, "umask(022) allowed by args");
    assert_eq!(r[6], libc::EACCES as i64, "umask(077) not allowed");
    assert_eq!(r[7], ENOSYS as i64, "openat above the profile's range");

    let spec = compile(
        &Profile::Custom(CUSTOM.into()),
        &["CAP_SYS_ADMIN".into()],
        dir.path(),
    )
    .unwrap();
    let r = exited(in_child(&spec, custom_probes));
    assert_eq!(r[4], 0, "getgid with CAP_SYS_ADMIN");

    // KILL_PROCESS and TRAP end the child with SIGSYS.
    let o = in_child(&spec, |_| unsafe {
        libc::syscall(libc::SYS_sched_yield);
    });
    assert!(matches!(o, Outcome::Signaled(libc::SIGSYS)));
    let o = in_child(&spec, |_| unsafe {
        libc::syscall(libc::SYS_getpgrp);
    });
    assert!(matches!(o, Outcome::Signaled(libc::SIGSYS)));
    // No archMap: i386 is not in the filter, so int 0x80 kills.
    let o = in_child(&spec, |out| out[0] = int80(20, 0));
    assert!(matches!(o, Outcome::Signaled(libc::SIGSYS)));
}

#[test]
fn exec_works_under_default_profile() {
    let spec = compile_default(&docker_default_caps());
    let run = |prog: &str, args: &[&str]| {
        let spec = spec.clone();
        let mut cmd = Command::new(prog);
        cmd.args(args);
        // SAFETY: install() is async-signal-safe (no allocation).
        unsafe {
            cmd.pre_exec(move || install(&spec));
        }
        cmd.output().unwrap()
    };
    let out = run("/bin/true", &[]);
    assert!(out.status.success(), "{out:?}");
    let out = run("/bin/sh", &["-c", "echo hello; ls / >/dev/null"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"hello\n");
    // util-linux unshare(1) needs unshare(CLONE_NEWUSER): refused.
    if Path::new("/usr/bin/unshare").exists() {
        let out = run("/usr/bin/unshare", &["-U", "/bin/true"]);
        assert!(!out.status.success(), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("Operation not permitted"), "{err}");
        assert!(out.status.signal().is_none());
    }
}

#[test]
fn install_rejects_malformed_programs() {
    for bad in [Vec::new(), vec![0u8; 7], vec![0u8; 8 * (MAX_INSNS + 1)]] {
        let err = install(&SeccompSpec::Filter(Arc::new(bad))).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EINVAL));
    }
}
