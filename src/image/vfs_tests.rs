use std::os::unix::fs::{MetadataExt, PermissionsExt};

use super::*;

fn mknod_whiteout(p: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        p,
        FileType::CharacterDevice,
        Mode::empty(),
        0,
    )
    .unwrap();
}

/// Two layers, one with overlayfs's whiteouts and one with AUFS's, merged
/// as overlayfs merges them; nothing lands outside the destination.
#[test]
fn layers_merge_as_overlayfs_shows_them() {
    if !rustix::process::geteuid().is_root() {
        return; // whiteout devices need CAP_MKNOD
    }
    let t = tempfile::tempdir().unwrap();
    let (low, mid, top, dst, outside) = (
        t.path().join("low"),
        t.path().join("mid"),
        t.path().join("top"),
        t.path().join("dst"),
        t.path().join("outside"),
    );
    for d in [&low, &mid, &top, &dst, &outside] {
        std::fs::create_dir(d).unwrap();
    }
    // Lower: files, a directory, a symlink out of the root, a read-only dir.
    std::fs::create_dir_all(low.join("a/deep")).unwrap();
    std::fs::write(low.join("a/deep/x"), "x").unwrap();
    std::fs::write(low.join("gone-ovl"), "1").unwrap();
    std::fs::write(low.join("gone-aufs"), "1").unwrap();
    std::fs::create_dir(low.join("opq")).unwrap();
    std::fs::write(low.join("opq/old"), "old").unwrap();
    std::os::unix::fs::symlink(&outside, low.join("esc")).unwrap();
    std::fs::create_dir(low.join("ro")).unwrap();
    std::fs::write(low.join("owned"), "o").unwrap();
    std::os::unix::fs::chown(low.join("owned"), Some(1000), Some(1001)).unwrap();
    std::fs::set_permissions(low.join("owned"), std::fs::Permissions::from_mode(0o4750)).unwrap();
    // Middle (overlayfs form): a whiteout, an opaque directory.
    mknod_whiteout(&mid.join("gone-ovl"));
    std::fs::create_dir(mid.join("opq")).unwrap();
    rustix::fs::setxattr(
        mid.join("opq"),
        "trusted.overlay.opaque",
        b"y",
        XattrFlags::empty(),
    )
    .unwrap();
    std::fs::write(mid.join("opq/new"), "new").unwrap();
    // Top (AUFS form): a whiteout, a directory over the symlink, hard links,
    // a file in the read-only dir.
    std::fs::write(top.join(".wh.gone-aufs"), "").unwrap();
    std::fs::create_dir(top.join("esc")).unwrap();
    std::fs::write(top.join("esc/f"), "in").unwrap();
    std::fs::write(top.join("h1"), "same").unwrap();
    std::fs::hard_link(top.join("h1"), top.join("h2")).unwrap();
    std::fs::create_dir(top.join("ro")).unwrap();
    std::fs::write(top.join("ro/inside"), "r").unwrap();
    std::fs::set_permissions(top.join("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();

    build(&[top.clone(), mid.clone(), low.clone()], &dst).unwrap();

    let read = |p: &str| std::fs::read_to_string(dst.join(p)).unwrap();
    assert_eq!(read("a/deep/x"), "x");
    assert!(!dst.join("gone-ovl").exists());
    assert!(!dst.join("gone-aufs").exists());
    assert!(!dst.join(".wh.gone-aufs").exists());
    assert!(!dst.join("opq/old").exists());
    assert_eq!(read("opq/new"), "new");
    assert!(std::fs::symlink_metadata(dst.join("esc")).unwrap().is_dir());
    assert_eq!(read("esc/f"), "in");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    let (h1, h2) = (
        std::fs::metadata(dst.join("h1")).unwrap(),
        std::fs::metadata(dst.join("h2")).unwrap(),
    );
    assert_eq!((h1.ino(), h1.nlink()), (h2.ino(), 2));
    assert_eq!(read("ro/inside"), "r");
    assert_eq!(
        std::fs::metadata(dst.join("ro")).unwrap().mode() & 0o7777,
        0o555
    );
    let o = std::fs::metadata(dst.join("owned")).unwrap();
    assert_eq!((o.uid(), o.gid(), o.mode() & 0o7777), (1000, 1001, 0o4750));
    // No overlayfs xattr is copied (the copy is not a layer).
    let mut v = [0u8; 2];
    assert!(rustix::fs::getxattr(dst.join("opq"), "trusted.overlay.opaque", &mut v).is_err());
}
