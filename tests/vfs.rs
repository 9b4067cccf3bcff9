//! The vfs storage driver: chosen with `--storage-driver vfs`, or by
//! itself for a store where overlayfs can't be mounted (a store on
//! overlayfs, as a CI job inside a container has). Real containers, a real
//! overlayfs under the store.

mod common;

use std::process::Command;

use common::*;

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What the standard image looks like inside, through either driver:
/// owners and modes kept, the upper layer's whiteout and opaque
/// directory obeyed, the hard link kept.
fn assert_standard_image_inside(s: &Skiff, img: &str, driver: &[&str]) {
    let mut args = driver.to_vec();
    args.extend([
        "run",
        "--rm",
        "--network",
        "none",
        img,
        "sh",
        "-c",
        "stat -c '%n %u:%g %a %h' /bin/busybox /srv/data.txt; ls /opq; ls /etc/remove-me 2>&1; readlink /srv/latest; echo new > /etc/new && cat /etc/new",
    ]);
    let out = s.ok(&args);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "/bin/busybox 0:0 755 1",
            "/srv/data.txt 1000:1000 4755 2",
            "c",
            "ls: /etc/remove-me: No such file or directory",
            "/srv/data.txt",
            "new"
        ],
        "{out}"
    );
}

/// Nothing under `dir` is mounted, and no monitor of it runs.
fn assert_nothing_left(dir: &std::path::Path) {
    let root = dir.display().to_string();
    let mut procs = leftover_monitors(&root);
    wait_until(std::time::Duration::from_secs(3), || {
        procs = leftover_monitors(&root);
        procs.is_empty()
    });
    assert!(procs.is_empty(), "{procs:?}");
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let left: Vec<&str> = mounts
        .lines()
        .filter(|l| l.contains(&root) && !l.contains(" overlay-under-store "))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn storage_driver_vfs_copies_the_layers_per_container() {
    require!("docker-registry", "skopeo");
    if !is_root() {
        skip("real containers need root here");
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let reg = Registry::start();
    let img = push_standard(&reg, "std", "latest").reference;
    let s = Skiff::new();
    let vfs = ["--storage-driver", "vfs"];
    s.ok(&["--storage-driver", "vfs", "pull", "-q", &img]);
    let recorded = std::fs::read_to_string(s.root().join("storage-driver")).unwrap();
    assert_eq!(recorded, "vfs\n");
    assert_eq!(s.ok(&["info", "-f", "{{.Driver}}"]), "vfs\n");
    // The layer keeps the tar's whiteouts as files (no device nodes).
    assert_standard_image_inside(&s, &img, &vfs);
    assert_standard_image_inside(&s, &img, &[]);

    let id = s.ok(&["run", "-d", "--network", "none", &img, "sleep", "300"]);
    let id = id.trim();
    assert_eq!(
        s.ok(&["inspect", "-f", "{{json .GraphDriver}}", id]),
        "{\"Data\":null,\"Name\":\"vfs\"}\n"
    );
    s.ok(&["exec", id, "sh", "-c", "echo written > /srv/w"]);
    let copy = s.root().join("containers").join(id).join("rootfs");
    assert_eq!(
        std::fs::read_to_string(copy.join("srv/w")).unwrap(),
        "written\n"
    );
    assert!(!s.root().join("containers").join(id).join("upper").exists());
    // Stopped and started again: the same copy, the write kept.
    s.ok(&["stop", "-t", "0", id]);
    s.ok(&["start", id]);
    assert_eq!(s.ok(&["exec", id, "cat", "/srv/w"]), "written\n");
    let err = s.fails(
        125,
        &["--storage-driver", "overlay", "run", "--rm", &img, "true"],
    );
    assert!(
        err.contains("--storage-driver overlay: the store") && err.contains("uses vfs"),
        "{err}"
    );
    s.ok(&["rm", "-f", id]);
    assert!(!s.root().join("containers").join(id).exists());
    assert_nothing_left(&s.root());
}

/// Unmounts the overlay under a store at the end, even on failure.
struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_store_where_overlay_cant_be_mounted_uses_vfs_with_a_notice() {
    require!("docker-registry", "skopeo");
    if !is_root() {
        skip("mounting an overlay under the store needs root");
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let reg = Registry::start();
    let img = push_standard(&reg, "std", "latest").reference;
    let s = Skiff::new();
    // The store's directory is an overlayfs mount: overlayfs can't be an
    // upper directory, and can't hold whiteout devices.
    let base = s.root().parent().unwrap().join("ovl");
    for d in ["lower", "upper", "work"] {
        std::fs::create_dir_all(base.join(d)).unwrap();
    }
    std::fs::create_dir_all(s.root()).unwrap();
    let opts = format!(
        "lowerdir={0}/lower,upperdir={0}/upper,workdir={0}/work",
        base.display()
    );
    let st = Command::new("mount")
        .args(["-t", "overlay", "overlay-under-store", "-o", &opts])
        .arg(s.root())
        .status()
        .unwrap();
    assert!(st.success());
    let _u = Unmount(s.root());
    let (code, _, err) = s.run(&["pull", "-q", &img]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("overlay can't be mounted in") && err.contains("using the vfs storage driver"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(s.root().join("storage-driver")).unwrap(),
        "vfs\n"
    );
    assert_standard_image_inside(&s, &img, &[]);
    // Said once, when the store was made.
    let (code, _, err) = s.run(&["run", "--rm", "--network", "none", &img, "true"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_nothing_left(&s.root());
}
