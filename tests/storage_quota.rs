//! `--storage-opt size=N` on a real xfs with project quotas: a loop
//! device the test makes (and removes), mounted with `pquota` as the
//! store's root. Elsewhere the option is docker's error.

mod common;

use std::process::Command;

use common::*;

/// An xfs image on a loop device mounted with pquota at `at`; undone on
/// drop.
struct XfsMount {
    at: std::path::PathBuf,
    dev: String,
}

impl XfsMount {
    fn new(image: &std::path::Path, at: &std::path::Path) -> Option<XfsMount> {
        std::fs::File::create(image)
            .unwrap()
            .set_len(320 << 20)
            .unwrap();
        let ok = |c: &mut Command| c.output().map(|o| o.status.success()).unwrap_or(false);
        if !ok(Command::new("mkfs.xfs").arg("-q").arg(image)) {
            skip("mkfs.xfs failed");
            return None;
        }
        let out = Command::new("losetup")
            .args(["-f", "--show"])
            .arg(image)
            .output()
            .unwrap();
        if !out.status.success() {
            skip(&format!(
                "no loop device: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            return None;
        }
        let dev = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        std::fs::create_dir_all(at).unwrap();
        let m = XfsMount {
            at: at.to_owned(),
            dev,
        };
        assert!(
            ok(Command::new("mount")
                .args(["-o", "pquota"])
                .arg(&m.dev)
                .arg(at)),
            "mounting xfs with pquota"
        );
        Some(m)
    }
}

impl Drop for XfsMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).output();
        let _ = Command::new("losetup").arg("-d").arg(&self.dev).output();
    }
}

#[test]
fn storage_opt_is_refused_where_no_project_quota_can_hold_it() {
    require!("docker-registry", "skopeo");
    let (_reg, img) = registry_with_busybox();
    let s = Skiff::new();
    // Elsewhere (this test store's ordinary filesystem): docker's error.
    s.ok(&["pull", "-q", &img]);
    let err = s.fails(
        125,
        &["run", "--rm", "--storage-opt", "size=20m", &img, "true"],
    );
    assert_eq!(
        run_error(&err),
        "--storage-opt is supported only for overlay over xfs with 'pquota' mount option"
    );
    assert_eq!(s.ok(&["ps", "-aq"]), "");
    assert!(
        run_error(&s.fails(125, &["create", "--storage-opt", "foo=1", &img]))
            .contains("Unknown option foo for --storage-opt")
    );
}

/// This machine's kernel (and CI's, alike) is built without quota
/// support (`XFS (loop0): quota support not available in this kernel`,
/// `EXT4-fs: The kernel was not built with CONFIG_QUOTA`): an xfs can't
/// be mounted with pquota here. Run it where it can:
/// `cargo test --test storage_quota -- --ignored`.
#[test]
#[ignore = "needs a kernel with CONFIG_XFS_QUOTA; this machine's has no quota support"]
fn storage_opt_size_limits_the_writable_layer_on_xfs_pquota() {
    require!("mkfs.xfs", "losetup", "docker-registry", "skopeo");
    if !is_root() {
        skip("loop devices and quotas need root");
        return;
    }
    let (_reg, img) = registry_with_busybox();
    let t = tempfile::tempdir().unwrap();
    let xs = Skiff::new();
    let Some(_xfs) = XfsMount::new(&t.path().join("xfs.img"), &xs.root()) else {
        return;
    };
    xs.ok(&["pull", "-q", &img]);
    let write =
        "busybox dd if=/dev/zero of=/big bs=1M count=30 2>&1 >/dev/null | tail -1; busybox sync";
    let (code, out, _) = xs.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--storage-opt",
        "size=20m",
        &img,
        "sh",
        "-c",
        &format!("{write}; test -s /big && busybox du -m /big"),
    ]);
    assert!(
        out.contains("No space left on device") || out.contains("Disk quota exceeded"),
        "{code} {out}"
    );
    // Without the option the same write fits.
    let out = xs.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        &img,
        "sh",
        "-c",
        "busybox dd if=/dev/zero of=/big bs=1M count=30 2>/dev/null && echo written",
    ]);
    assert_eq!(out, "written\n");
    let id = xs.ok(&["create", "--storage-opt", "size=20m", &img]);
    let v: serde_json::Value = serde_json::from_str(&xs.ok(&["inspect", id.trim()])).unwrap();
    assert_eq!(
        v[0]["HostConfig"]["StorageOpt"],
        serde_json::json!({"size": "20m"})
    );
    xs.ok(&["rm", id.trim()]);
}
