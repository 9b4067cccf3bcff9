//! skiff as an unprivileged user (run by root in CI via setpriv): the
//! rootless store locations and a rootless pull.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

use common::*;

const NOBODY: u32 = 65534;

/// The binary, copied where uid 65534 can execute it wherever the checkout
/// lives (a clone under /root is not reachable for it).
fn binary_in(dir: &std::path::Path) -> std::path::PathBuf {
    let b = dir.join("skiff");
    if !b.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_skiff"), &b).unwrap();
    }
    b
}

/// A command running skiff as uid/gid 65534 with a clean environment.
fn as_nobody(home: &std::path::Path, xdg: Option<&std::path::Path>) -> Command {
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(binary_in(home.parent().unwrap()))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home);
    if let Some(x) = xdg {
        c.env("XDG_RUNTIME_DIR", x);
    }
    c
}

fn nobody_dir(parent: &std::path::Path, name: &str) -> std::path::PathBuf {
    let d = parent.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::os::unix::fs::chown(&d, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

fn info(c: &mut Command) -> String {
    let out = c
        .args([
            "info",
            "--format",
            "{{.DockerRootDir}} {{.RunRoot}} {{.Rootless}}",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn rootless_store_locations() {
    require!("setpriv");
    if !is_root() {
        skip("needs root to switch to an unprivileged user");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = nobody_dir(t.path(), "home");
    let xdg = nobody_dir(t.path(), "xdg");
    // XDG_RUNTIME_DIR owned by the user: used.
    assert_eq!(
        info(&mut as_nobody(&home, Some(&xdg))),
        format!(
            "{}/.local/share/skiff {}/skiff true\n",
            home.display(),
            xdg.display()
        )
    );
    // Not ours (cron, su): the /tmp fallback, 0700 and ours.
    let fallback = std::path::PathBuf::from(format!("/tmp/skiff-run-{NOBODY}"));
    let existed = fallback.exists();
    assert_eq!(
        info(&mut as_nobody(&home, Some(t.path()))),
        format!(
            "{}/.local/share/skiff {} true\n",
            home.display(),
            fallback.display()
        )
    );
    let m = std::fs::metadata(&fallback).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o777), (NOBODY, 0o700));
    // Unset: the same fallback.
    assert!(info(&mut as_nobody(&home, None)).contains(&format!(" {} ", fallback.display())));
    if !existed {
        let _ = std::fs::remove_dir_all(&fallback);
    }
}

#[test]
fn rootless_pull_and_list() {
    require!("setpriv", "docker-registry", "skopeo");
    if !is_root() {
        skip("needs root to switch to an unprivileged user");
        return;
    }
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = nobody_dir(t.path(), "home");
    let xdg = nobody_dir(t.path(), "xdg");
    let out = as_nobody(&home, Some(&xdg))
        .args(["pull", "-q", &img.reference])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), img.reference);
    let out = as_nobody(&home, Some(&xdg))
        .args(["images", "-q", "--no-trunc"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", img.id)
    );
    // The top layer's whiteout and opaque dir, made without privileges.
    let v: serde_json::Value = serde_json::from_slice(
        &as_nobody(&home, Some(&xdg))
            .args(["image", "inspect", &img.reference])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let top = std::path::PathBuf::from(v[0]["GraphDriver"]["Data"]["UpperDir"].as_str().unwrap());
    assert!(top.starts_with(home.join(".local/share/skiff")));
    let wh = std::fs::symlink_metadata(top.join("etc/remove-me")).unwrap();
    use std::os::unix::fs::FileTypeExt;
    assert!(wh.file_type().is_char_device() && wh.rdev() == 0);
    assert_eq!(
        xattr(top.join("opq"), "user.overlay.opaque").as_deref(),
        Some(&b"y"[..])
    );
    let m = std::fs::metadata(top.join("srv/data.txt")).unwrap();
    assert_eq!(m.uid(), NOBODY, "files belong to the user");

    // A limit rootless can't apply is refused, naming the flag and why
    // (podman ignores it).
    let out = as_nobody(&home, Some(&xdg))
        .args(["create", "--pids-limit", "10", &img.reference, "true"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{err}");
    let v1 = !std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .any(|l| l.contains(" /sys/fs/cgroup ") && l.contains(" - cgroup2 "));
    let why = if v1 {
        "this host has cgroup v1"
    } else {
        "your cgroup is not delegated"
    };
    assert!(
        err.starts_with(&format!(
            "skiff: --pids-limit: a rootless container can't have resource limits here: {why}"
        )),
        "{err}"
    );
    let out = as_nobody(&home, Some(&xdg))
        .args(["ps", "-aq"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "nothing created");
}
