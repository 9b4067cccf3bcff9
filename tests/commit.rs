//! A container's filesystem as a whole, on real containers: `diff`,
//! `commit` (with `-c`, `-a`, `-m`, `-p`), `export` and `import` (file,
//! stdin, URL), and what a killed commit leaves (nothing).

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;
use serde_json::Value;

fn changed(s: &Skiff, img: &str, name: &str) {
    changed_with(s, img, name, &[]);
}

/// `changed`, with global flags (`--storage-driver vfs`) first.
fn changed_with(s: &Skiff, img: &str, name: &str, global: &[&str]) {
    let mut args = global.to_vec();
    args.extend([
        "run", "-d", "--network", "none", "--name", name, "-v", "/vol", img, "sh", "-c",
        "echo x > /tmp/new; mkdir /newdir; echo y > /newdir/f; echo root:x:0:0::/:/bin/sh > /etc/passwd; \
         busybox rm /bin/ls; echo data > /vol/in-volume; echo ready > /ready; sleep 1000",
    ]);
    s.ok(&args);
    assert!(wait_until(std::time::Duration::from_secs(10), || {
        s.run(&["exec", name, "cat", "/ready"]).0 == 0
    }));
}

fn inspect(s: &Skiff, what: &str) -> Value {
    let v: Value = serde_json::from_str(&s.ok(&["image", "inspect", what])).unwrap();
    v[0].clone()
}

#[test]
fn diff_lists_dockers_changes_and_nothing_else() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    // Untouched: its mountpoints (/proc, /etc/hosts, a volume's dir) are
    // no change.
    s.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "calm",
        "-v",
        "/vol",
        &img,
        "sleep",
        "1000",
    ]);
    assert_eq!(s.ok(&["diff", "calm"]), "");
    changed(&s, &img, "busy");
    assert_eq!(
        s.ok(&["diff", "busy"]),
        "C /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /newdir\nA /newdir/f\nA /ready\nC /tmp\nA /tmp/new\n"
    );
    // Stopped, the same.
    s.ok(&["stop", "-t", "0", "busy"]);
    assert!(s.ok(&["container", "diff", "busy"]).contains("D /bin/ls\n"));
    assert_eq!(
        s.fails(1, &["diff", "nosuch"]),
        "Error: No such container: nosuch\n"
    );
}

/// A vfs container (a full copy of its layers) is compared with them as
/// docker's vfs driver does it: the same lines as an overlay container's,
/// and a commit that holds the changes, the deletion included.
#[test]
fn vfs_containers_diff_and_commit_like_overlay_ones() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let vfs = ["--storage-driver", "vfs"];
    s.ok(&[
        "--storage-driver",
        "vfs",
        "create",
        "--name",
        "fresh",
        &img,
        "true",
    ]);
    // Never started: its copy is made, and nothing changed.
    assert_eq!(s.ok(&["diff", "fresh"]), "");
    changed_with(&s, &img, "copy", &vfs);
    assert_eq!(
        s.ok(&["inspect", "-f", "{{.GraphDriver.Name}}", "copy"]),
        "vfs\n"
    );
    let expected =
        "C /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /newdir\nA /newdir/f\nA /ready\nC /tmp\nA /tmp/new\n";
    assert_eq!(s.ok(&["diff", "copy"]), expected);
    s.ok(&[
        "commit",
        "-c",
        "CMD [\"cat\", \"/tmp/new\"]",
        "copy",
        "fromvfs",
    ]);
    let out = s.ok(&[
        "run", "--rm", "--network", "none", "fromvfs", "sh", "-c",
        "cat /newdir/f /etc/passwd; test -e /bin/ls || echo no-ls; test -e /vol/in-volume || echo no-volume-content",
    ]);
    assert_eq!(out, "y\nroot:x:0:0::/:/bin/sh\nno-ls\nno-volume-content\n");
    let layers = inspect(&s, "fromvfs")["RootFS"]["Layers"].clone();
    assert_eq!(layers.as_array().unwrap().len(), 2, "{layers}");
    // Stopped: the same; and the committed image's own vfs container has
    // no changes of its own.
    s.ok(&["stop", "-t", "0", "copy"]);
    assert_eq!(s.ok(&["diff", "copy"]), expected);
    s.ok(&[
        "--storage-driver",
        "vfs",
        "create",
        "--name",
        "second",
        "fromvfs",
    ]);
    assert_eq!(s.ok(&["diff", "second"]), "");
}

#[test]
fn commit_makes_an_image_of_the_changes() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    changed(&s, &img, "src");
    let id = s.ok(&[
        "commit",
        "-a",
        "Jane <j@x>",
        "-m",
        "a message",
        "-c",
        "CMD [\"cat\", \"/tmp/new\"]",
        "-c",
        "ENV MODE=committed",
        "-c",
        "EXPOSE 8080",
        "-c",
        "LABEL from=commit",
        "src",
        "committed",
    ]);
    let id = id.trim();
    assert!(id.starts_with("sha256:") && id.len() == 71, "{id}");
    // The tag defaults to latest; the container still runs, unpaused.
    assert_eq!(
        s.ok(&[
            "images",
            "--format",
            "{{.Repository}}:{{.Tag}} {{.ID}}",
            "committed"
        ]),
        format!("committed:latest {}\n", &id[7..19])
    );
    assert_eq!(
        s.ok(&["inspect", "-f", "{{.State.Status}}", "src"]),
        "running\n"
    );
    let out = s.ok(&["run", "--rm", "--network", "none", "committed"]);
    assert_eq!(out, "x\n");
    let out = s.ok(&[
        "run", "--rm", "--network", "none", "committed", "sh", "-c",
        "cat /newdir/f; echo $MODE; test -e /bin/ls || echo no-ls; test -e /vol/in-volume || echo no-volume-content",
    ]);
    assert_eq!(out, "y\ncommitted\nno-ls\nno-volume-content\n");
    let i = inspect(&s, "committed");
    assert_eq!(i["Author"], "Jane <j@x>");
    assert_eq!(i["Comment"], "a message");
    assert_eq!(i["Config"]["Cmd"], serde_json::json!(["cat", "/tmp/new"]));
    assert_eq!(i["Config"]["Labels"]["from"], "commit");
    assert!(i["Config"]["ExposedPorts"]["8080/tcp"].is_object());
    assert_eq!(i["RootFS"]["Layers"].as_array().unwrap().len(), 2);
    let hist = s.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}|{{.Comment}}",
        "committed",
    ]);
    let first = hist.lines().next().unwrap();
    assert!(
        first.starts_with("sh -c echo x > /tmp/new;") && first.ends_with("|a message"),
        "{first}"
    );
    // Untagged: only the id; bad input: docker's words, no image made.
    let before = s.ok(&["images", "-aq"]);
    let bare = s.ok(&["commit", "src"]);
    assert!(bare.starts_with("sha256:"));
    assert_eq!(
        s.fails(1, &["commit", "-c", "ADD . /", "src", "x"]),
        "Error: ADD is not a valid change command\n"
    );
    assert_eq!(
        s.fails(1, &["commit", "nosuch", "x"]),
        "Error: No such container: nosuch\n"
    );
    let after = s.ok(&["images", "-aq"]);
    assert_eq!(after.lines().count(), before.lines().count() + 1);
    // A stopped container commits too; -p=false does not freeze.
    s.ok(&["stop", "-t", "0", "src"]);
    s.ok(&["commit", "--pause=false", "src", "again:v2"]);
    assert_eq!(
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "again:v2",
            "cat",
            "/tmp/new"
        ]),
        "x\n"
    );
}

#[test]
fn export_and_import_round_trip() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    changed(&s, &img, "ex");
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("ex.tar");
    s.ok(&["export", "-o", file.to_str().unwrap(), "ex"]);
    let names: Vec<String> = tar::Archive::new(std::fs::File::open(&file).unwrap())
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.contains(&"tmp/new".to_string()), "{names:?}");
    assert!(names.contains(&"bin/busybox".to_string()));
    assert!(!names.contains(&"bin/ls".to_string()), "a deletion is gone");
    assert!(
        !names.iter().any(|n| n.contains("in-volume")),
        "volumes are not exported"
    );
    // stdout gives the same bytes.
    let out = s.cmd().args(["export", "ex"]).output().unwrap();
    assert_eq!(out.stdout, std::fs::read(&file).unwrap());
    // import from the file, from stdin, from a URL.
    let id = s.ok(&[
        "import",
        "-c",
        "CMD [\"sh\"]",
        "-m",
        "from a file",
        file.to_str().unwrap(),
        "imp:file",
    ]);
    assert!(id.starts_with("sha256:"));
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "imp:file",
        "sh",
        "-c",
        "cat /tmp/new /newdir/f",
    ]);
    assert_eq!(out, "x\ny\n");
    let i = inspect(&s, "imp:file");
    assert_eq!(i["Comment"], "from a file");
    assert_eq!(i["Config"]["Cmd"], serde_json::json!(["sh"]));
    let mut child = s
        .cmd()
        .args(["import", "--platform", "linux/arm64", "-", "imp:stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&file).unwrap())
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(inspect(&s, "imp:stdin")["Architecture"], "arm64");
    let (port, server) = serve_once(std::fs::read(&file).unwrap());
    let url = format!("http://127.0.0.1:{port}/ex.tar");
    s.ok(&["import", &url, "imp:url"]);
    server.join().unwrap();
    let hist = s.ok(&["history", "--format", "{{.Comment}}", "imp:url"]);
    assert_eq!(hist, format!("Imported from {url}\n"));
    assert!(s
        .fails(1, &["import", "/nonexistent.tar"])
        .contains("open /nonexistent.tar: no such file or directory"));
}

/// Serves `body` once over HTTP on 127.0.0.1.

#[test]
fn a_killed_commit_leaves_no_image_and_no_tag() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    s.ok(&["run", "-d", "--network", "none", "--name", "fat", &img, "sh", "-c",
        "busybox dd if=/dev/urandom of=/big bs=1M count=48 2>/dev/null; echo ready > /ready; sleep 1000"]);
    assert!(wait_until(std::time::Duration::from_secs(20), || {
        s.run(&["exec", "fat", "cat", "/ready"]).0 == 0
    }));
    let images = s.ok(&["images", "-aq"]);
    for delay_ms in [10, 40, 120] {
        let mut child = s
            .cmd()
            .args(["commit", "fat", "killed:tag"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            // Fast enough to finish: that image is whole; drop it.
            s.ok(&["rmi", "killed:tag"]);
        }
        assert_eq!(s.run(&["image", "inspect", "killed:tag"]).0, 1);
        assert_eq!(s.ok(&["images", "-aq"]), images);
        // The container is not left frozen: the commit's watchdog thaws it.
        assert!(
            wait_until(std::time::Duration::from_secs(5), || {
                s.ok(&["inspect", "-f", "{{.State.Status}}", "fat"]) == "running\n"
            }),
            "left paused"
        );
        assert_eq!(s.ok(&["exec", "fat", "echo", "alive"]), "alive\n");
    }
    s.ok(&["commit", "fat", "whole:tag"]);
    assert_eq!(
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "whole:tag",
            "sh",
            "-c",
            "test -s /big && echo big"
        ]),
        "big\n"
    );
    let (_, out, _) = s.run(&["system", "check", "--min-age-ms", "0", "--repair"]);
    let (code, out2, _) = s.run(&["system", "check", "--min-age-ms", "0"]);
    assert_eq!((code, out2.as_str()), (0, ""), "after repair ({out})");
}
