//! The CVE classes container runtimes have fallen to, tried against skiff.

use std::io::Read;

use crate::common::*;
use crate::setup;

/// CVE-2024-21626 (runc "leaky vessels"): a working directory of
/// `/proc/self/fd/N` must never reach a descriptor the runtime left open
/// to the host, whatever N.
#[test]
fn workdir_through_a_leaked_fd_never_reaches_the_host() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let marker = s.dir.path().join("host-only-marker");
    std::fs::write(&marker, b"x").unwrap();
    for n in 3..12 {
        let wd = format!("/proc/self/fd/{n}");
        let (code, out, err) = s.run(&[
            "run",
            "--rm",
            "--network",
            "none",
            "-w",
            &wd,
            &env.img,
            "sh",
            "-c",
            "ls -a . .. ../.. ../../.. 2>&1; cat ../../../host-only-marker 2>&1",
        ]);
        assert!(
            !out.contains("host-only-marker") && !err.contains("host-only-marker"),
            "-w {wd} reached the host (exit {code}): {out} {err}"
        );
    }
}

/// No descriptor of the runtime or the monitor leaks into a container or
/// an exec: only 0, 1 and 2 (and the one `ls` opens itself).
#[test]
fn no_descriptor_leaks_into_a_container_or_an_exec() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let fds = |out: &str| -> Vec<String> { out.split_whitespace().map(str::to_string).collect() };
    // `ls -l /proc/self/fd` lists ls's own fds: 0-2 and the dir it reads.
    let script = "ls /proc/self/fd";
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        &env.img,
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(fds(&out), ["0", "1", "2", "3"], "run: {out}");
    let out = s.ok(&[
        "run",
        "--rm",
        "--init",
        "--network",
        "none",
        &env.img,
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(fds(&out), ["0", "1", "2", "3"], "run --init: {out}");
    let id = s
        .ok(&["run", "-d", "--network", "none", &env.img, "sleep", "60"])
        .trim()
        .to_string();
    let out = s.ok(&["exec", &id, "sh", "-c", script]);
    assert_eq!(fds(&out), ["0", "1", "2", "3"], "exec: {out}");
    // PID 1 itself (the command) holds only its stdio.
    let out = s.ok(&["exec", &id, "ls", "/proc/1/fd"]);
    assert_eq!(fds(&out), ["0", "1", "2"], "pid 1: {out}");
    s.ok(&["rm", "-f", &id]);
}

/// CVE-2019-5736: a container cannot overwrite the skiff binary through
/// `/proc/<pid>/exe` of a runtime process entering it (an exec whose
/// command is `#!/proc/self/exe`, while the container hunts for it).
#[test]
fn the_runtime_binary_cannot_be_overwritten_from_a_container() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_skiff"));
    let hash = || {
        let mut b = Vec::new();
        std::fs::File::open(&exe)
            .unwrap()
            .read_to_end(&mut b)
            .unwrap();
        sha256_hex(&b)
    };
    let before = hash();
    let id = s
        .ok(&[
            "run",
            "-d",
            "--network",
            "none",
            &env.img,
            "sh",
            "-c",
            // The trap: an exec'd "#!/proc/self/exe" script runs the
            // runtime's own binary in here; a hunter tries to write it.
            "printf '#!/proc/self/exe\\n' > /evil; chmod +x /evil; \
             while true; do for p in /proc/[0-9]*; do \
               [ \"$(readlink $p/exe 2>/dev/null)\" = /bin/busybox ] && continue; \
               echo pwned 2>/dev/null >> $p/exe && echo WROTE $p; \
               { echo HELD $p; sleep 0.2; \
                 echo pwned 2>/dev/null >> /proc/self/fd/3 && echo WROTE $p; \
               } 3< $p/exe 2>/dev/null; \
             done; done",
        ])
        .trim()
        .to_string();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Until the hunter has held the binary at least once (a loaded
    // machine may need more rounds), then a few more rounds to write it.
    let mut held_at = None;
    for round in 0..200 {
        let _ = s.run(&["exec", &id, "/evil"]);
        let _ = s.run(&["exec", &id, "true"]);
        if held_at.is_none() && round % 10 == 9 && s.ok(&["logs", &id]).contains("HELD") {
            held_at = Some(round);
        }
        if held_at.is_some_and(|h| round >= h + 10) {
            break;
        }
    }
    let logs = s.ok(&["logs", &id]);
    s.ok(&["rm", "-f", &id]);
    assert_eq!(hash(), before, "the skiff binary changed");
    // The container can get hold of the binary (an exec of
    // "#!/proc/self/exe" runs it in there, dumpable, as with runc), but
    // never write it: its monitor executes the same file for the whole
    // life of the container (ETXTBSY), and the container's last process
    // is killed before the monitor exits.
    assert!(
        logs.contains("HELD"),
        "the attack never got started: {logs}"
    );
    assert!(!logs.contains("WROTE"), "{logs}");
}

/// A layer with `../` names and symlinks (absolute and relative) that
/// point out of it, then files written "through" them: whatever the pull
/// does with it, nothing is written outside the layer.
#[test]
fn a_layer_cannot_write_outside_itself() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let tag = format!("{}", std::process::id());
    let markers: Vec<String> = (1..=4).map(|i| format!("skiff-escape-{tag}-{i}")).collect();
    let mut entries = busybox_layer();
    entries.push(Entry::Symlink("abs", "/tmp"));
    entries.push(Entry::File(
        format!("abs/{}", markers[0]),
        b"1".to_vec(),
        0o644,
    ));
    entries.push(Entry::Symlink("rel", "../../../../../../../../tmp"));
    entries.push(Entry::File(
        format!("rel/{}", markers[1]),
        b"2".to_vec(),
        0o644,
    ));
    // Image 1: files and a hard link written through symlinks that point
    // out (taken, inside the layer). Image 2: names with `..` and an
    // absolute name (refused, or kept inside).
    let mut tar = layer_tar(&entries);
    tar.truncate(tar.len() - 1024); // the end-of-archive blocks
    let mut b = tar::Builder::new(tar);
    let mut h = tar::Header::new_gnu();
    h.set_path("hl").unwrap();
    h.set_entry_type(tar::EntryType::Link);
    h.set_link_name(format!("abs/{}", markers[0])).unwrap();
    h.set_size(0);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_cksum();
    b.append(&h, std::io::empty()).unwrap();
    let through_links = b.into_inner().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    for (name, body) in [
        (format!("../../../../../../../../tmp/{}", markers[2]), b"3"),
        (format!("/tmp/{}", markers[3]), b"4"),
    ] {
        // Raw headers: the tar crate refuses to write `..` in a name.
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(1);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_cksum();
        b.append(&h, &body[..]).unwrap();
    }
    let dotdot = b.into_inner().unwrap();
    let mut results = Vec::new();
    for (name, tar) in [("links", through_links), ("dotdot", dotdot)] {
        let layer = BuiltLayer {
            diff_id: format!("sha256:{}", sha256_hex(&tar)),
            blob: compress(&tar, Compression::Gzip),
            compression: Compression::Gzip,
        };
        let layout = tempfile::tempdir().unwrap();
        oci_layout(
            layout.path(),
            "latest",
            &[layer],
            &["sh"],
            serde_json::json!(null),
        );
        let img = env.img.replace("busybox:latest", &format!("{name}:latest"));
        push(layout.path(), "latest", &img, &[]);
        results.push(s.run(&["pull", "-q", &img]));
    }
    let (code, _, err) = &results[0];
    assert_eq!(*code, 0, "the links layer: {err}");
    let (code, _, err) = &results[1];
    assert!(
        *code == 0 || err.contains("escapes the layer root"),
        "the dotdot layer: {err}"
    );
    for m in &markers {
        let host = std::path::Path::new("/tmp").join(m);
        let found = host.exists();
        let _ = std::fs::remove_file(&host);
        assert!(!found, "a pull ({results:?}) wrote {}", host.display());
    }
    let hits = std::process::Command::new("find")
        .arg(s.dir.path())
        .args(["-name", &format!("skiff-escape-{tag}-*")])
        .output()
        .unwrap();
    let hits = String::from_utf8_lossy(&hits.stdout);
    // The files written through the links landed inside the layer.
    assert!(
        hits.lines().count() == 2,
        "the entries went nowhere: {hits}"
    );
    for h in hits.lines() {
        assert!(
            h.contains("/diff/"),
            "a file landed outside its layer dir: {h}"
        );
    }
}

/// An image whose `/proc` or `/sys` is a symlink (CVE-2023-28642 and the
/// masked-path bypasses of its class): as with docker (its init layer),
/// the container gets real /proc and /sys directories, so proc and sysfs
/// never land where the image chose (over `/` itself, say), the masks
/// hold, and the symlink's target stays untouched.
#[test]
fn a_symlinked_proc_or_sys_never_unmasks_anything() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let probe = "head -c 1 /proc/kcore | wc -c; ls /proc/acpi | wc -l; \
                 ls /sys/firmware | wc -l; \
                 (echo 1 > /proc/sys/kernel/shm_rmid_forced) 2>/dev/null && echo WROTE; \
                 [ -L /proc ] || [ -L /sys ] && echo LINK; \
                 ls /tmp/p /tmp/s | wc -l; echo done";
    for (name, link, target) in [
        ("proclink", "proc", "/tmp/p"),
        ("procroot", "proc", "/"),
        ("syslink", "sys", "/tmp/s"),
    ] {
        let mut entries = busybox_layer();
        entries.push(Entry::Dir("tmp/p/", 0o755));
        entries.push(Entry::Dir("tmp/s/", 0o755));
        entries.push(Entry::Symlink(link, target));
        let layout = tempfile::tempdir().unwrap();
        oci_layout(
            layout.path(),
            "latest",
            &[build_layer(&entries, Compression::Gzip)],
            &["sh"],
            serde_json::json!(null),
        );
        let img = env.img.replace("busybox:latest", &format!("{name}:latest"));
        push(layout.path(), "latest", &img, &[]);
        s.ok(&["pull", "-q", &img]);
        let (code, out, err) =
            s.run(&["run", "--rm", "--network", "none", &img, "sh", "-c", probe]);
        assert_eq!(code, 0, "{name}: /{link} -> {target}: {out} {err}");
        // kcore, acpi and firmware masked, /proc/sys read-only, real dirs,
        // nothing mounted at the targets ("/tmp/p:" "/tmp/s:" and a blank).
        assert_eq!(
            out, "0\n0\n0\n3\ndone\n",
            "{name}: /{link} -> {target}: {err}"
        );
    }
}
