//! `cp` on real containers, running and stopped: docker's path rules and
//! messages, `-` tar streams, volumes, owners, `-L`, and symlinks planted
//! in the container that must never lead to the host.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Stdio;

use common::*;

/// A running container `name` with /d (f, sub/s, lnk -> /etc/passwd).
fn with_tree(s: &Skiff, img: &str, name: &str, extra: &[&str]) {
    let mut args = vec!["run", "-d", "--network", "none", "--name", name];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[
        img,
        "sh",
        "-c",
        "mkdir -p /d/sub; echo f > /d/f; echo s > /d/sub/s; busybox ln -s /etc/passwd /d/lnk; \
         echo ready > /ready; sleep 1000",
    ]);
    s.ok(&args);
    assert!(wait_until(std::time::Duration::from_secs(10), || {
        s.run(&["exec", name, "cat", "/ready"]).0 == 0
    }));
}

fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut work = vec![dir.to_path_buf()];
    while let Some(d) = work.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                work.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn cp_follows_dockers_path_rules() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    with_tree(&s, &img, "cc", &[]);
    let t = tempfile::tempdir().unwrap();
    let h = |p: &str| t.path().join(p).display().to_string();
    std::fs::create_dir(t.path().join("exist")).unwrap();
    std::fs::write(t.path().join("hf"), "h\n").unwrap();
    // Errors: docker's words (the daemon's with "Error: "), exit 1.
    for (src, dest, want) in [
        (
            "cc:/nonexist",
            h("x"),
            "Error: Could not find the file /nonexist in container cc",
        ),
        ("cc:/d/f", h("nodir/"), "no such directory"),
        ("cc:/d", h("hf"), "cannot copy directory"),
        ("cc:/d/f/", h("y"), "Error: lstat /d/f/: not a directory"),
        (
            &h("nonexist"),
            "cc:/tmp/".into(),
            &format!("lstat {}: no such file or directory", h("nonexist")),
        ),
        (
            &h("hf"),
            "cc:/nonexist/x".into(),
            "Error: Could not find the file /nonexist in container cc",
        ),
        (&h("exist"), "cc:/d/f".into(), "cannot copy directory"),
        (&h("hf"), "cc:/newdir/".into(), "no such directory"),
        (
            "-",
            "cc:/d/f".into(),
            "destination \"cc:/d/f\" must be a directory",
        ),
        (
            "cc:/a",
            "cc:/b".into(),
            "copying between containers is not supported",
        ),
        (
            &h("a"),
            h("b"),
            "must specify at least one container source",
        ),
        ("nosuch:/a", h("b"), "Error: No such container: nosuch"),
    ] {
        let err = s.fails(1, &["cp", src, &dest]);
        assert_eq!(err, format!("{want}\n"), "cp {src} {dest}");
    }
    // Out: a symlink as itself, or followed (-L) inside the container; a
    // dir into an existing dir, its contents with /., a file onto a file.
    s.ok(&["cp", "cc:/d/lnk", &h("l1")]);
    assert_eq!(
        std::fs::read_link(h("l1")).unwrap(),
        Path::new("/etc/passwd")
    );
    s.ok(&["cp", "-L", "cc:/d/lnk", &h("l2")]);
    let passwd = s.ok(&["exec", "cc", "cat", "/etc/passwd"]);
    assert_eq!(
        std::fs::read_to_string(h("l2")).unwrap(),
        passwd,
        "the container's passwd"
    );
    s.ok(&["cp", "cc:/d", &h("exist")]);
    s.ok(&["cp", "cc:/d/.", &h("dot")]);
    s.ok(&["cp", "cc:/d/f", &h("hf")]);
    s.ok(&["cp", "cc:/d/sub", &h("newsub")]);
    assert_eq!(
        tree(t.path()),
        [
            "dot",
            "dot/f",
            "dot/lnk",
            "dot/sub",
            "dot/sub/s",
            "exist",
            "exist/d",
            "exist/d/f",
            "exist/d/lnk",
            "exist/d/sub",
            "exist/d/sub/s",
            "hf",
            "l1",
            "l2",
            "newsub",
            "newsub/s"
        ]
    );
    assert_eq!(std::fs::read_to_string(h("hf")).unwrap(), "f\n");
    // In: a file into a dir, onto a new name, a dir's contents.
    std::fs::write(h("hf"), "h\n").unwrap();
    s.ok(&["cp", &h("hf"), "cc:/d/sub"]);
    s.ok(&["cp", &h("hf"), "cc:/d/renamed"]);
    s.ok(&["cp", &format!("{}/.", h("exist/d/sub")), "cc:/d"]);
    s.ok(&["cp", &h("exist"), "cc:/newdir"]);
    let out = s.ok(&[
        "exec",
        "cc",
        "sh",
        "-c",
        "cat /d/sub/hf /d/renamed /d/s; ls /newdir/d",
    ]);
    assert_eq!(out, "h\nh\ns\nf\nlnk\nsub\n");
    // Tar streams both ways.
    let out = s.cmd().args(["cp", "cc:/d/sub", "-"]).output().unwrap();
    let mut names: Vec<String> = tar::Archive::new(&out.stdout[..])
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["sub/", "sub/hf", "sub/s"]);
    let mut b = tar::Builder::new(Vec::new());
    let mut hd = tar::Header::new_gnu();
    hd.set_size(3);
    hd.set_mode(0o640);
    hd.set_uid(1234);
    hd.set_gid(4321);
    b.append_data(&mut hd, "streamed/x", &b"tar"[..]).unwrap();
    let bytes = b.into_inner().unwrap();
    let mut child = s
        .cmd()
        .args(["cp", "-", "cc:/d"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    assert!(child.wait().unwrap().success());
    let out = s.ok(&[
        "exec",
        "cc",
        "sh",
        "-c",
        "busybox stat -c '%a %u %g' /d/streamed/x; cat /d/streamed/x",
    ]);
    assert_eq!(out, "640 1234 4321\ntar");
}

#[test]
fn cp_reaches_stopped_containers_and_their_volumes() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    with_tree(&s, &img, "sv", &["-v", "vol:/data"]);
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("hf");
    std::fs::write(&f, "host\n").unwrap();
    std::os::unix::fs::chown(&f, Some(1234), Some(4321)).unwrap();
    // Running: into the volume.
    s.ok(&["cp", f.to_str().unwrap(), "sv:/data/running"]);
    s.ok(&["stop", "-t", "0", "sv"]);
    // Stopped: its files and its volume, without starting it.
    s.ok(&["cp", f.to_str().unwrap(), "sv:/data/stopped"]);
    s.ok(&["cp", f.to_str().unwrap(), "sv:/d/stopped"]);
    s.ok(&["cp", "sv:/d/sub/s", t.path().join("s").to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(t.path().join("s")).unwrap(), "s\n");
    assert_eq!(
        s.ok(&["inspect", "-f", "{{.State.Status}}", "sv"]),
        "exited\n"
    );
    let data = Path::new(&s.root()).join("volumes/vol/_data");
    let m = std::fs::metadata(data.join("stopped")).unwrap();
    // docker keeps the copied file's owner (without -a and a --user).
    assert_eq!((m.uid(), m.gid()), (1234, 4321));
    assert!(data.join("running").exists());
    // Nothing stays mounted, and the container starts as before.
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !mounts.contains(&s.root().display().to_string()),
        "{mounts}"
    );
    s.ok(&["start", "sv"]);
    let out = s.ok(&["exec", "sv", "cat", "/d/stopped", "/data/stopped"]);
    assert_eq!(out, "host\nhost\n");
    // -a: owned by the container's --user.
    s.ok(&["create", "--name", "usr", "--user", "7:8", &img]);
    s.ok(&["cp", "-a", f.to_str().unwrap(), "usr:/tmp/owned"]);
    s.ok(&["cp", "usr:/tmp/owned", "-"]);
    let out = s
        .cmd()
        .args(["cp", "usr:/tmp/owned", "-"])
        .output()
        .unwrap();
    let mut a = tar::Archive::new(&out.stdout[..]);
    let e = a.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(
        (e.header().uid().unwrap(), e.header().gid().unwrap()),
        (7, 8)
    );
    assert_eq!(check_leftovers(&s), Vec::<String>::new());
}

fn check_leftovers(s: &Skiff) -> Vec<String> {
    let (_, out, _) = s.run(&["system", "check", "--min-age-ms", "0"]);
    out.lines().map(str::to_owned).collect()
}

/// podman's 065-cp.bats symlink cases: whatever the container plants, a
/// copy resolves inside its root and never reads or writes the host's.
#[test]
fn cp_never_follows_the_containers_symlinks_to_the_host() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    with_tree(&s, &img, "ev", &[]);
    let marker = format!("skiff-cp-escape-{}", std::process::id());
    s.ok(&[
        "exec",
        "ev",
        "sh",
        "-c",
        "busybox ln -s / /d/root; busybox ln -s ../../../../../../tmp /d/up; \
         busybox ln -s /tmp/host-file /d/abs; echo container > /tmp/host-file",
    ]);
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join(&marker);
    std::fs::write(&f, "payload\n").unwrap();
    // In, through relative and absolute symlinks: lands in the container.
    s.ok(&["cp", f.to_str().unwrap(), "ev:/d/up/"]);
    s.ok(&["cp", f.to_str().unwrap(), "ev:/d/root/tmp/"]);
    assert!(
        !Path::new("/tmp").join(&marker).exists(),
        "written on the host"
    );
    assert_eq!(
        s.ok(&["exec", "ev", "cat", &format!("/tmp/{marker}")]),
        "payload\n"
    );
    // Out through them: the container's files, never the host's.
    let host_file = Path::new("/tmp/host-file");
    let planted = !host_file.exists();
    if planted {
        std::fs::write(host_file, "HOST SECRET\n").unwrap();
    }
    let out = t.path().join("out");
    s.ok(&["cp", "-L", "ev:/d/abs", out.to_str().unwrap()]);
    let got = std::fs::read_to_string(&out).unwrap();
    if planted {
        let _ = std::fs::remove_file(host_file);
    }
    assert_eq!(got, "container\n");
    // A tar whose symlink points at / and whose next entry goes through
    // it: extracted inside the container.
    let mut b = tar::Builder::new(Vec::new());
    let mut hd = tar::Header::new_gnu();
    hd.set_entry_type(tar::EntryType::Symlink);
    hd.set_size(0);
    hd.set_mode(0o777);
    hd.set_uid(0);
    hd.set_gid(0);
    hd.set_mtime(0);
    b.append_link(&mut hd, "trap", "/").unwrap();
    let mut hd = tar::Header::new_gnu();
    hd.set_size(4);
    hd.set_mode(0o644);
    hd.set_uid(0);
    hd.set_gid(0);
    hd.set_mtime(0);
    b.append_data(&mut hd, format!("trap/tmp/{marker}-tar"), &b"tar\n"[..])
        .unwrap();
    let bytes = b.into_inner().unwrap();
    let mut child = s
        .cmd()
        .args(["cp", "-", "ev:/d"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(!Path::new("/tmp").join(format!("{marker}-tar")).exists());
    assert_eq!(
        s.ok(&["exec", "ev", "cat", &format!("/tmp/{marker}-tar")]),
        "tar\n"
    );
    // Out of a dir holding those symlinks: they arrive as symlinks, and
    // nothing of the host comes along.
    s.ok(&["cp", "ev:/d", t.path().join("copy").to_str().unwrap()]);
    assert_eq!(
        std::fs::read_link(t.path().join("copy/root")).unwrap(),
        Path::new("/")
    );
    assert!(
        !t.path().join("copy/root/etc").exists()
            || std::fs::symlink_metadata(t.path().join("copy/root"))
                .unwrap()
                .file_type()
                .is_symlink()
    );
}

#[test]
fn a_killed_cp_leaves_nothing_in_the_way() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    s.ok(&["create", "--name", "big", &img]);
    let t = tempfile::tempdir().unwrap();
    let big = t.path().join("big");
    std::fs::write(&big, noise(64 << 20, 7)).unwrap();
    for delay_ms in [5, 20, 60] {
        let mut child = s
            .cmd()
            .args(["cp", big.to_str().unwrap(), "big:/big"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Its helper died with it: the next cp and a start go through.
        s.ok(&["cp", big.to_str().unwrap(), "big:/big"]);
        s.ok(&["start", "-a", "big"]);
        assert_eq!(
            s.ok(&["system", "check", "--min-age-ms", "0", "--repair"])
                .lines()
                .filter(|l| !l.ends_with("(repaired)"))
                .count(),
            0
        );
    }
    let out = s.cmd().args(["cp", "big:/big", "-"]).output().unwrap();
    let mut a = tar::Archive::new(&out.stdout[..]);
    let e = a.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(e.header().size().unwrap(), 64 << 20);
    assert_eq!(check_leftovers(&s), Vec::<String>::new());
}
