use super::entry::clean_name;
use super::meta::parse_pax_time;
use super::*;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use tar::Header;

fn is_root() -> bool {
    if rustix::process::geteuid().is_root() {
        true
    } else {
        crate::util::test_skip("needs root");
        false
    }
}

/// Builds test archives with explicit headers; names are written raw so
/// that hostile names (`../x`, `/x`) can be made.
struct Tb {
    b: tar::Builder<Vec<u8>>,
}

const MTIME: u64 = 1_600_000_000;

impl Tb {
    fn new() -> Tb {
        Tb {
            b: tar::Builder::new(Vec::new()),
        }
    }

    fn header(kind: EntryType, name: &str, mode: u32, size: u64) -> Header {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        let field = &mut h.as_old_mut().name;
        assert!(name.len() < field.len());
        field[..name.len()].copy_from_slice(name.as_bytes());
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(MTIME);
        h.set_size(size);
        h
    }

    fn add(&mut self, mut h: Header, data: &[u8]) -> &mut Self {
        h.set_cksum();
        self.b.append(&h, data).unwrap();
        self
    }

    fn file(&mut self, name: &str, mode: u32, data: &[u8]) -> &mut Self {
        let h = Self::header(EntryType::Regular, name, mode, data.len() as u64);
        self.add(h, data)
    }

    fn dir(&mut self, name: &str, mode: u32) -> &mut Self {
        let h = Self::header(EntryType::Directory, name, mode, 0);
        self.add(h, b"")
    }

    fn link(&mut self, kind: EntryType, name: &str, target: &str) -> &mut Self {
        let mut h = Self::header(kind, name, 0o777, 0);
        h.set_link_name(target).unwrap();
        self.add(h, b"")
    }

    fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut data = Vec::new();
        for (k, v) in records {
            let body = 1 + k.len() + 1 + v.len() + 1;
            let mut len = body + 1;
            while len != body + len.to_string().len() {
                len = body + len.to_string().len();
            }
            data.extend_from_slice(format!("{len} {k}=").as_bytes());
            data.extend_from_slice(v);
            data.push(b'\n');
        }
        let h = Self::header(EntryType::XHeader, "PaxHeader", 0o644, data.len() as u64);
        self.add(h, &data)
    }

    fn bytes(&mut self) -> Vec<u8> {
        let b = std::mem::replace(&mut self.b, tar::Builder::new(Vec::new()));
        b.into_inner().unwrap()
    }
}

fn sha(data: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(data)))
}

fn unpack_into(data: &[u8], dest: &Path) -> Result<UnpackReport, LayerError> {
    unpack(data, dest, &UnpackOptions::default())
}

fn lmeta(p: impl AsRef<Path>) -> std::fs::Metadata {
    std::fs::symlink_metadata(p).unwrap()
}

fn getxattr(p: &Path, name: &str) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    let n = rustix::fs::lgetxattr(p, name, &mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}

#[test]
fn detects_compression() {
    assert_eq!(detect_compression(&[0x1f, 0x8b, 8]), Compression::Gzip);
    assert_eq!(
        detect_compression(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
        Compression::Zstd
    );
    assert_eq!(detect_compression(b"ustar"), Compression::None);
    assert_eq!(detect_compression(&[0x1f]), Compression::None);
    assert_eq!(detect_compression(&[]), Compression::None);
}

#[test]
fn cleans_names() {
    let c = |s: &str| clean_name(s.as_bytes()).map(|p| p.to_string_lossy().into_owned());
    assert_eq!(c("./a/b/").as_deref(), Some("a/b"));
    assert_eq!(c("/a//./b").as_deref(), Some("a/b"));
    assert_eq!(c("a/../b").as_deref(), Some("b"));
    assert_eq!(c("./").as_deref(), Some(""));
    assert_eq!(c("../x"), None);
    assert_eq!(c("/../x"), None);
    assert_eq!(c("a/../../x"), None);
}

#[test]
fn parses_pax_times() {
    let t = parse_pax_time(b"1600000000.5").unwrap();
    assert_eq!((t.tv_sec, t.tv_nsec), (1_600_000_000, 500_000_000));
    let t = parse_pax_time(b"-1.25").unwrap();
    assert_eq!((t.tv_sec, t.tv_nsec), (-2, 750_000_000));
    assert!(parse_pax_time(b"x").is_none());
}

#[test]
fn id_map_maps_ranges() {
    let m = IdMap {
        uids: vec![IdMapping {
            container_id: 0,
            host_id: 100_000,
            size: 65536,
        }],
        gids: vec![],
    };
    assert_eq!(m.map_uid(0), Some(100_000));
    assert_eq!(m.map_uid(1000), Some(101_000));
    assert_eq!(m.map_uid(70000), None);
    assert_eq!(m.map_gid(5), Some(5));
}

#[test]
fn regular_files_modes_owner_mtime() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    let mut h = Tb::header(EntryType::Regular, "bin/su", 0o4755, 5);
    h.set_uid(1000);
    h.set_gid(1001);
    h.set_mtime(1_234_567_890);
    tb.add(h, b"hello");
    tb.file("etc/shadow", 0o640, b"secret");
    tb.file("tmpdir-file", 0o1777, b"");
    let data = tb.bytes();
    let r = unpack_into(&data, d.path()).unwrap();
    assert_eq!(r.size, 11);
    let m = lmeta(d.path().join("bin/su"));
    assert!(m.file_type().is_file());
    assert_eq!(m.mode() & 0o7777, 0o4755);
    assert_eq!((m.uid(), m.gid()), (1000, 1001));
    assert_eq!(m.mtime(), 1_234_567_890);
    assert_eq!(std::fs::read(d.path().join("bin/su")).unwrap(), b"hello");
    assert_eq!(lmeta(d.path().join("etc/shadow")).mode() & 0o7777, 0o640);
    assert_eq!(lmeta(d.path().join("tmpdir-file")).mode() & 0o7777, 0o1777);
    // Implicit parents get 0755.
    assert_eq!(lmeta(d.path().join("bin")).mode() & 0o7777, 0o755);
}

#[test]
fn large_file_streams() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..3_000_001u32).map(|i| (i % 251) as u8).collect();
    let data = Tb::new().file("big", 0o644, &content).bytes();
    let r = unpack_into(&data, d.path()).unwrap();
    assert_eq!(r.size, content.len() as u64);
    assert_eq!(std::fs::read(d.path().join("big")).unwrap(), content);
}

#[test]
fn nested_dir_mtimes_preserved() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    let mut h = Tb::header(EntryType::Directory, "a/", 0o750, 0);
    h.set_mtime(1_000_000_000);
    tb.add(h, b"");
    let mut h = Tb::header(EntryType::Directory, "a/b/", 0o700, 0);
    h.set_mtime(1_100_000_000);
    tb.add(h, b"");
    tb.file("a/b/f", 0o644, b"x");
    tb.file("a/g", 0o644, b"y");
    tb.dir("a/b/c/", 0o755);
    let data = tb.bytes();
    unpack_into(&data, d.path()).unwrap();
    let a = lmeta(d.path().join("a"));
    assert_eq!(a.mtime(), 1_000_000_000);
    assert_eq!(a.mode() & 0o7777, 0o750);
    let b = lmeta(d.path().join("a/b"));
    assert_eq!(b.mtime(), 1_100_000_000);
    assert_eq!(b.mode() & 0o7777, 0o700);
    assert_eq!(lmeta(d.path().join("a/b/c")).mtime(), MTIME as i64);
}

#[test]
fn root_entry_sets_dest_metadata() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    let mut h = Tb::header(EntryType::Directory, "./", 0o711, 0);
    h.set_mtime(1_111_111_111);
    tb.add(h, b"");
    tb.file("./f", 0o644, b"x");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let m = lmeta(d.path());
    assert_eq!(m.mode() & 0o7777, 0o711);
    assert_eq!(m.mtime(), 1_111_111_111);
    assert!(d.path().join("f").is_file());
}

#[test]
fn symlink_and_hardlink() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    tb.file("usr/bin/true", 0o755, b"#!");
    tb.link(EntryType::Symlink, "bin", "usr/bin");
    tb.link(EntryType::Symlink, "abs", "/does/not/exist");
    tb.link(EntryType::Link, "usr/bin/alias", "usr/bin/true");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let p = d.path();
    assert!(lmeta(p.join("bin")).file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(p.join("bin")).unwrap(),
        Path::new("usr/bin")
    );
    assert_eq!(
        std::fs::read_link(p.join("abs")).unwrap(),
        Path::new("/does/not/exist")
    );
    assert_eq!(lmeta(p.join("abs")).mtime(), MTIME as i64);
    let a = lmeta(p.join("usr/bin/true"));
    let b = lmeta(p.join("usr/bin/alias"));
    assert_eq!(a.ino(), b.ino());
    assert_eq!(a.nlink(), 2);
    assert_eq!(
        a.mode() & 0o7777,
        0o777,
        "hardlink header mode applies, as moby"
    );
}

#[test]
fn devices_and_fifo() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    let mut h = Tb::header(EntryType::Char, "dev/null", 0o666, 0);
    h.set_device_major(1).unwrap();
    h.set_device_minor(3).unwrap();
    tb.add(h, b"");
    let mut h = Tb::header(EntryType::Block, "dev/loop9", 0o660, 0);
    h.set_device_major(7).unwrap();
    h.set_device_minor(9).unwrap();
    tb.add(h, b"");
    let h = Tb::header(EntryType::Fifo, "run/fifo", 0o620, 0);
    tb.add(h, b"");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let m = lmeta(d.path().join("dev/null"));
    assert!(m.file_type().is_char_device());
    assert_eq!(m.rdev(), rustix::fs::makedev(1, 3));
    assert_eq!(m.mode() & 0o7777, 0o666);
    // a block device is never created (see below)
    assert!(std::fs::symlink_metadata(d.path().join("dev/loop9")).is_err());
    let m = lmeta(d.path().join("run/fifo"));
    assert!(m.file_type().is_fifo());
    assert_eq!(m.mode() & 0o7777, 0o620);
    assert_eq!(m.mtime(), MTIME as i64);
}

#[test]
fn denied_devices_are_skipped() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    // an existing node is not replaced by a skipped one
    std::fs::create_dir(d.path().join("dev")).unwrap();
    std::fs::write(d.path().join("dev/sda"), b"old").unwrap();
    let mut tb = Tb::new();
    for (kind, name, major, minor) in [
        (EntryType::Block, "dev/sda", 8, 0),
        (EntryType::Block, "dev/loop0", 7, 0),
        (EntryType::Char, "dev/mem", 1, 1),
        (EntryType::Char, "dev/fuse", 10, 229),
        (EntryType::Char, "dev/kmsg", 1, 11),
        (EntryType::Char, "dev/zero", 1, 5),
        (EntryType::Char, "dev/pts/3", 136, 3),
        (EntryType::Char, "dev/net/tun", 10, 200),
        (EntryType::Char, "overlay-whiteout", 0, 0),
    ] {
        let mut h = Tb::header(kind, name, 0o600, 0);
        h.set_device_major(major).unwrap();
        h.set_device_minor(minor).unwrap();
        tb.add(h, b"");
    }
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let p = d.path();
    for gone in ["dev/loop0", "dev/mem", "dev/fuse", "dev/kmsg"] {
        assert!(std::fs::symlink_metadata(p.join(gone)).is_err(), "{gone}");
    }
    assert_eq!(std::fs::read(p.join("dev/sda")).unwrap(), b"old");
    for (kept, dev) in [
        ("dev/zero", (1, 5)),
        ("dev/pts/3", (136, 3)),
        ("dev/net/tun", (10, 200)),
        ("overlay-whiteout", (0, 0)),
    ] {
        let m = lmeta(p.join(kept));
        assert!(m.file_type().is_char_device(), "{kept}");
        assert_eq!(m.rdev(), rustix::fs::makedev(dev.0, dev.1), "{kept}");
    }
}

#[test]
fn overlay_xattrs_are_dropped() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    tb.pax(&[
        ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
        ("SCHILY.xattr.trusted.overlay.redirect", b"/etc"),
        ("SCHILY.xattr.user.overlay.opaque", b"y"),
        ("SCHILY.xattr.user.kept", b"1"),
    ]);
    tb.dir("d/", 0o755);
    tb.pax(&[
        ("SCHILY.xattr.trusted.overlay.metacopy", b""),
        ("SCHILY.xattr.trusted.other", b"2"),
    ]);
    tb.file("f", 0o644, b"x");
    // a real opaque marker still works
    tb.file("o/.wh..wh..opq", 0o644, b"");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let p = d.path();
    for x in [
        "trusted.overlay.opaque",
        "trusted.overlay.redirect",
        "user.overlay.opaque",
    ] {
        assert_eq!(getxattr(&p.join("d"), x), None, "{x}");
    }
    assert_eq!(
        getxattr(&p.join("d"), "user.kept").as_deref(),
        Some(&b"1"[..])
    );
    assert_eq!(getxattr(&p.join("f"), "trusted.overlay.metacopy"), None);
    assert_eq!(
        getxattr(&p.join("f"), "trusted.other").as_deref(),
        Some(&b"2"[..])
    );
    assert_eq!(
        getxattr(&p.join("o"), "trusted.overlay.opaque").as_deref(),
        Some(&b"y"[..])
    );
}

#[test]
fn whiteouts_and_opaque() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("etc/gone-dir/sub")).unwrap();
    let mut tb = Tb::new();
    tb.dir("etc/", 0o755);
    tb.file("etc/.wh.passwd", 0o644, b"");
    tb.file("etc/.wh.gone-dir", 0o644, b"");
    tb.file("fresh/.wh.x", 0o644, b"");
    tb.dir("opq/", 0o755);
    tb.file("opq/.wh..wh..opq", 0o644, b"");
    tb.file("opq/keep", 0o644, b"k");
    tb.file(".wh..wh.plnk", 0o644, b"");
    tb.file("etc/.wh..wh.aufs", 0o644, b"");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let p = d.path();
    for w in ["etc/passwd", "etc/gone-dir", "fresh/x"] {
        let m = lmeta(p.join(w));
        assert!(m.file_type().is_char_device(), "{w}");
        assert_eq!(m.rdev(), 0, "{w}");
    }
    assert!(!p.join("etc/.wh.passwd").exists());
    assert!(std::fs::symlink_metadata(p.join(".wh..wh.plnk")).is_err());
    assert!(std::fs::symlink_metadata(p.join("etc/.wh..wh.aufs")).is_err());
    assert!(std::fs::symlink_metadata(p.join("opq/.wh..wh..opq")).is_err());
    assert_eq!(
        getxattr(&p.join("opq"), "trusted.overlay.opaque").as_deref(),
        Some(&b"y"[..])
    );
    assert_eq!(getxattr(&p.join("etc"), "trusted.overlay.opaque"), None);
    assert!(p.join("opq/keep").is_file());
}

#[test]
fn rootless_opaque_uses_user_xattr() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let data = Tb::new().file("o/.wh..wh..opq", 0o644, b"").bytes();
    let opts = UnpackOptions {
        rootless: true,
        ..Default::default()
    };
    unpack(&data[..], d.path(), &opts).unwrap();
    let o = d.path().join("o");
    assert_eq!(
        getxattr(&o, "user.overlay.opaque").as_deref(),
        Some(&b"y"[..])
    );
    assert_eq!(getxattr(&o, "trusted.overlay.opaque"), None);
}

/// A vfs store keeps whiteouts as the tar has them: plain files, no
/// device node and no overlayfs xattr.
#[test]
fn aufs_whiteouts_stay_files() {
    let d = tempfile::tempdir().unwrap();
    let data = Tb::new()
        .file("o/.wh..wh..opq", 0o644, b"")
        .file("o/.wh.gone", 0o644, b"")
        .file("o/.wh..wh.plnk", 0o644, b"")
        .bytes();
    let opts = UnpackOptions {
        aufs_whiteouts: true,
        ..Default::default()
    };
    unpack(&data[..], d.path(), &opts).unwrap();
    let o = d.path().join("o");
    assert!(o.join(".wh..wh..opq").is_file());
    assert!(o.join(".wh.gone").is_file());
    assert!(std::fs::symlink_metadata(o.join("gone")).is_err());
    assert!(std::fs::symlink_metadata(o.join(".wh..wh.plnk")).is_err());
    assert_eq!(getxattr(&o, "trusted.overlay.opaque"), None);
    assert_eq!(getxattr(&o, "user.overlay.opaque"), None);
}

#[test]
fn compressed_streams_and_diff_id() {
    if !is_root() {
        return;
    }
    let mut tb = Tb::new();
    tb.dir("d/", 0o755).file("d/f", 0o644, b"some content");
    let mut plain = tb.bytes();
    // Extra padding after the end of the archive is hashed too.
    plain.extend_from_slice(&[0u8; 4096]);
    let want = sha(&plain);

    let d = tempfile::tempdir().unwrap();
    let r = unpack_into(&plain, d.path()).unwrap();
    assert_eq!(r.diff_id, want);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let gz = gz.finish().unwrap();
    assert_eq!(detect_compression(&gz), Compression::Gzip);
    let d = tempfile::tempdir().unwrap();
    let r = unpack_into(&gz, d.path()).unwrap();
    assert_eq!(r.diff_id, want);
    assert_eq!(
        std::fs::read(d.path().join("d/f")).unwrap(),
        b"some content"
    );

    let zs = zstd::encode_all(&plain[..], 3).unwrap();
    assert_eq!(detect_compression(&zs), Compression::Zstd);
    let d = tempfile::tempdir().unwrap();
    let r = unpack_into(&zs, d.path()).unwrap();
    assert_eq!(r.diff_id, want);
    assert_eq!(r.size, 12);
    assert_eq!(
        std::fs::read(d.path().join("d/f")).unwrap(),
        b"some content"
    );
}

#[test]
fn dotdot_escape_rejected() {
    if !is_root() {
        return;
    }
    let outer = tempfile::tempdir().unwrap();
    let dest = outer.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let data = Tb::new().file("../escape", 0o644, b"pwned").bytes();
    let err = unpack_into(&data, &dest).unwrap_err();
    assert!(matches!(err, LayerError::Escape { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("../escape"), "{msg}");
    assert!(!msg.contains('\n'));
    assert!(!outer.path().join("escape").exists());
    assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 0);

    let data = Tb::new().file("a/../../escape2", 0o644, b"pwned").bytes();
    assert!(unpack_into(&data, &dest).is_err());
    assert!(!outer.path().join("escape2").exists());
}

#[test]
fn absolute_names_land_inside() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let data = Tb::new().file("/abs/file", 0o644, b"x").bytes();
    unpack_into(&data, d.path()).unwrap();
    assert!(d.path().join("abs/file").is_file());
}

#[test]
fn symlink_to_root_does_not_escape() {
    if !is_root() {
        return;
    }
    let before = std::fs::read("/etc/passwd").unwrap();
    let before_m = lmeta("/etc/passwd");
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    tb.link(EntryType::Symlink, "evil", "/");
    tb.file("evil/etc/passwd", 0o644, b"root::0:0::/:/bin/sh\n");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    assert_eq!(
        std::fs::read(d.path().join("etc/passwd")).unwrap(),
        b"root::0:0::/:/bin/sh\n"
    );
    assert!(lmeta(d.path().join("evil")).file_type().is_symlink());
    assert_eq!(std::fs::read("/etc/passwd").unwrap(), before);
    let after_m = lmeta("/etc/passwd");
    assert_eq!(after_m.mtime(), before_m.mtime());
    assert_eq!(after_m.mtime_nsec(), before_m.mtime_nsec());
    assert_eq!(after_m.ino(), before_m.ino());
}

#[test]
fn relative_symlink_does_not_escape() {
    if !is_root() {
        return;
    }
    let outer = tempfile::tempdir().unwrap();
    let dest = outer.path().join("a/b/dest");
    std::fs::create_dir_all(&dest).unwrap();
    let name = format!("x-{}", std::process::id());
    let mut tb = Tb::new();
    tb.link(EntryType::Symlink, "link", "../../../../tmp");
    tb.file(&format!("link/{name}"), 0o644, b"inside");
    tb.link(EntryType::Symlink, "up", "../..");
    tb.file("up/y", 0o644, b"inside too");
    unpack_into(&tb.bytes(), &dest).unwrap();
    assert_eq!(
        std::fs::read(dest.join("tmp").join(&name)).unwrap(),
        b"inside"
    );
    assert!(!Path::new("/tmp").join(&name).exists());
    assert_eq!(std::fs::read(dest.join("y")).unwrap(), b"inside too");
    assert!(!outer.path().join("a/y").exists());
    assert!(!outer.path().join("y").exists());
}

#[test]
fn hardlink_escape_rejected() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let data = Tb::new()
        .link(EntryType::Link, "passwd", "../../etc/passwd")
        .bytes();
    let err = unpack_into(&data, d.path()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LayerError::LinkEscape { .. }), "{msg}");
    assert!(
        msg.contains("passwd") && msg.contains("../../etc/passwd"),
        "{msg}"
    );
    assert!(std::fs::symlink_metadata(d.path().join("passwd")).is_err());

    // An absolute target is resolved inside: missing there, an error
    // naming both.
    let data = Tb::new().link(EntryType::Link, "pw", "/etc/passwd").bytes();
    let err = unpack_into(&data, d.path()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LayerError::Link { .. }), "{msg}");
    assert!(
        msg.contains("\"pw\"") && msg.contains("/etc/passwd"),
        "{msg}"
    );
}

#[test]
fn hardlink_to_symlink_does_not_link_outside() {
    if !is_root() {
        return;
    }
    let host = lmeta("/etc/passwd");
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    tb.link(EntryType::Symlink, "sym", "/etc/passwd");
    tb.link(EntryType::Link, "hard", "sym");
    tb.link(EntryType::Symlink, "etcdir", "/etc");
    let data = tb.bytes();
    unpack_into(&data, d.path()).unwrap();
    let m = lmeta(d.path().join("hard"));
    assert!(m.file_type().is_symlink());
    assert_ne!(m.ino(), host.ino());
    assert_eq!(m.ino(), lmeta(d.path().join("sym")).ino());
    assert_eq!(lmeta("/etc/passwd").nlink(), host.nlink());

    // Through a symlinked parent: resolved inside, so missing.
    let data = Tb::new()
        .link(EntryType::Symlink, "etcdir", "/etc")
        .link(EntryType::Link, "hard2", "etcdir/passwd")
        .bytes();
    let d = tempfile::tempdir().unwrap();
    let err = unpack_into(&data, d.path()).unwrap_err();
    assert!(matches!(err, LayerError::Link { .. }), "{err}");
    assert_eq!(lmeta("/etc/passwd").nlink(), host.nlink());
}

#[test]
fn later_entries_replace_earlier() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    tb.file("x", 0o644, b"file");
    tb.dir("x/", 0o755);
    tb.file("x/inner", 0o644, b"in");
    tb.dir("y/", 0o755);
    tb.dir("y/sub/", 0o755);
    tb.file("y/sub/f", 0o644, b"deep");
    tb.file("y", 0o600, b"now a file");
    tb.link(EntryType::Symlink, "z", "/etc");
    tb.dir("z/", 0o700);
    tb.file("w", 0o644, b"old");
    tb.file("w", 0o600, b"new");
    tb.dir("v/", 0o755);
    tb.dir("v/", 0o700);
    tb.file("v/keep", 0o644, b"k");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let p = d.path();
    assert!(lmeta(p.join("x")).is_dir());
    assert_eq!(std::fs::read(p.join("x/inner")).unwrap(), b"in");
    assert!(lmeta(p.join("y")).is_file());
    assert_eq!(std::fs::read(p.join("y")).unwrap(), b"now a file");
    let z = lmeta(p.join("z"));
    assert!(z.is_dir());
    assert_eq!(z.mode() & 0o7777, 0o700);
    assert_eq!(std::fs::read(p.join("w")).unwrap(), b"new");
    assert_eq!(lmeta(p.join("w")).mode() & 0o7777, 0o600);
    assert_eq!(lmeta(p.join("v")).mode() & 0o7777, 0o700);
    assert!(p.join("v/keep").is_file());
}

#[test]
fn parent_resolution_follows_replaced_symlinks() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    tb.dir("b/", 0o755).dir("b/c/", 0o755).dir("b/c/z/", 0o755);
    tb.link(EntryType::Symlink, "a", "b/c/z/..");
    tb.file("a/f", 0o644, b"1");
    tb.link(EntryType::Symlink, "a/z", "/");
    tb.file("a/w", 0o644, b"2");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    assert_eq!(std::fs::read(d.path().join("b/c/f")).unwrap(), b"1");
    // "a" now resolves through the new symlink b/c/z -> / to the root.
    assert_eq!(std::fs::read(d.path().join("w")).unwrap(), b"2");
    assert!(!d.path().join("b/c/w").exists());
}

#[test]
fn pax_xattrs_and_times() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    tb.pax(&[
        ("SCHILY.xattr.user.foo", b"bar"),
        (
            "SCHILY.xattr.security.selinux",
            b"system_u:object_r:bin_t:s0",
        ),
        ("mtime", b"1500000000.123456789"),
    ]);
    tb.file("f", 0o644, b"x");
    tb.pax(&[("SCHILY.xattr.user.dir", b"d")]);
    tb.dir("dir/", 0o755);
    tb.pax(&[("SCHILY.xattr.user.sym", b"s")]);
    tb.link(EntryType::Symlink, "sym", "f");
    unpack_into(&tb.bytes(), d.path()).unwrap();
    let f = d.path().join("f");
    assert_eq!(getxattr(&f, "user.foo").as_deref(), Some(&b"bar"[..]));
    let m = lmeta(&f);
    assert_eq!((m.mtime(), m.mtime_nsec()), (1_500_000_000, 123_456_789));
    assert_eq!(
        getxattr(&d.path().join("dir"), "user.dir").as_deref(),
        Some(&b"d"[..])
    );
    // user.* xattrs are not allowed on symlinks: skipped.
    assert!(lmeta(d.path().join("sym")).file_type().is_symlink());
}

#[test]
fn id_map_applied() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mut tb = Tb::new();
    let mut h = Tb::header(EntryType::Regular, "f", 0o644, 0);
    h.set_uid(5);
    h.set_gid(6);
    tb.add(h, b"");
    let opts = UnpackOptions {
        rootless: false,
        aufs_whiteouts: false,
        copy: None,
        digest_known: false,
        id_map: Some(IdMap {
            uids: vec![IdMapping {
                container_id: 0,
                host_id: 100_000,
                size: 65536,
            }],
            gids: vec![IdMapping {
                container_id: 0,
                host_id: 200_000,
                size: 65536,
            }],
        }),
    };
    unpack(&tb.bytes()[..], d.path(), &opts).unwrap();
    let m = lmeta(d.path().join("f"));
    assert_eq!((m.uid(), m.gid()), (100_005, 200_006));
}

#[test]
fn truncated_stream_is_an_error() {
    if !is_root() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let data = Tb::new().file("f", 0o644, &[7u8; 5000]).bytes();
    let err = unpack_into(&data[..512 + 1000], d.path()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("\"f\""), "{msg}");
}

#[test]
fn missing_dest_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let data = Tb::new().file("f", 0o644, b"").bytes();
    let err = unpack_into(&data, &d.path().join("nope")).unwrap_err();
    assert!(matches!(err, LayerError::Dest { .. }), "{err}");
}
