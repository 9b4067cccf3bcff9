//! Docker's default seccomp profile, as a program in a container meets
//! it: what the profile blocks fails with EPERM, while what every program
//! needs works, threads included (glibc's pthread_create tries clone3,
//! which the profile answers with ENOSYS, then clone with thread flags,
//! which it lets through).

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::common::*;
use crate::setup;

/// A static program that reports the errno of a few syscalls (0: success).
const PROBE: &str = r#"
use std::io::Error;

extern "C" {
    fn syscall(n: i64, ...) -> i64;
}

#[cfg(target_arch = "x86_64")]
const NR: (i64, i64, i64) = (272, 250, 435); // unshare, keyctl, clone3
#[cfg(target_arch = "aarch64")]
const NR: (i64, i64, i64) = (97, 219, 435);

fn errno(r: i64) -> i32 {
    if r < 0 { Error::last_os_error().raw_os_error().unwrap_or(-1) } else { 0 }
}

fn main() {
    // unshare(CLONE_NEWUSER); keyctl(KEYCTL_GET_KEYRING_ID, thread keyring,
    // no create); clone3(NULL, 0).
    let unshare = errno(unsafe { syscall(NR.0, 0x1000_0000i64) });
    let keyctl = errno(unsafe { syscall(NR.1, 0i64, -1i64, 0i64) });
    let clone3 = errno(unsafe { syscall(NR.2, 0i64, 0i64) });
    let thread = std::thread::spawn(|| 42).join().unwrap();
    println!("unshare={unshare} keyctl={keyctl} clone3={clone3} thread={thread}");
}
"#;

/// The probe built with the Rust toolchain (static, so it runs on the
/// busybox image), or None (a skip) where it can't be built.
fn build_probe(dir: &Path) -> Option<Vec<u8>> {
    let src = dir.join("probe.rs");
    let out = dir.join("probe");
    std::fs::write(&src, PROBE).unwrap();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let built = Command::new(rustc)
        .args([
            "--edition",
            "2021",
            "-O",
            "-C",
            "target-feature=+crt-static",
            "-o",
        ])
        .arg(&out)
        .arg(&src)
        .output();
    match built {
        Ok(o) if o.status.success() => Some(std::fs::read(&out).unwrap()),
        Ok(o) => {
            skip(&format!(
                "rustc could not build a static probe: {}",
                String::from_utf8_lossy(&o.stderr)
            ));
            None
        }
        Err(e) => {
            skip(&format!("no rustc to build the probe: {e}"));
            None
        }
    }
}

#[test]
fn default_profile_blocks_unshare_and_keyctl_but_not_threads() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let dir = tempfile::tempdir().unwrap();
    let Some(probe) = build_probe(dir.path()) else {
        return;
    };
    let mut layer = busybox_layer();
    layer.push(Entry::File("bin/seccomp-probe".into(), probe, 0o755));
    let layout = dir.path().join("layout");
    oci_layout(
        &layout,
        "latest",
        &[build_layer(&layer, Compression::Gzip)],
        &["/bin/seccomp-probe"],
        json!({}),
    );
    let img = format!("{}/seccomp-probe:latest", env.reg.host());
    push(&layout, "latest", &img, &[]);

    let out = s.ok(&["run", "--rm", "--network", "none", &img]);
    assert_eq!(
        out, "unshare=1 keyctl=1 clone3=38 thread=42\n",
        "EPERM for unshare and keyctl, ENOSYS for clone3, and a thread"
    );
    // The EPERMs are the profile's: without it, keyctl reaches the kernel
    // (no thread keyring: ENOKEY) and clone3(NULL) is refused as invalid.
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--security-opt",
        "seccomp=unconfined",
        &img,
    ]);
    assert!(
        out.contains(" keyctl=126 clone3=22 thread=42"),
        "unconfined: {out}"
    );
    // CAP_SYS_ADMIN unlocks unshare in the profile (docker's rule).
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--cap-add",
        "SYS_ADMIN",
        &img,
    ]);
    assert!(out.starts_with("unshare=0 keyctl=1 "), "+SYS_ADMIN: {out}");
}
