//! The store under concurrency and SIGKILL: atomic name reservation, no torn
//! state files, leftover temp files ignored and cleaned. These re-run this
//! test binary as child processes (SKIFF_TEST_ROLE picks the child's job).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use skiff::state::{atomic, names};

fn child(test: &str, role: &str, dir: &Path, extra: &str) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("SKIFF_TEST_ROLE", role)
        .env("SKIFF_TEST_DIR", dir)
        .env("SKIFF_TEST_ARG", extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

fn role() -> Option<(String, PathBuf, String)> {
    let r = std::env::var("SKIFF_TEST_ROLE").ok()?;
    Some((
        r,
        std::env::var("SKIFF_TEST_DIR").unwrap().into(),
        std::env::var("SKIFF_TEST_ARG").unwrap_or_default(),
    ))
}

#[test]
fn fifty_processes_reserve_one_name() {
    if let Some((r, dir, id)) = role() {
        assert_eq!(r, "reserve");
        // Wait for the starting gun so all 50 race at once.
        while !dir.join("go").exists() {
            std::thread::sleep(Duration::from_micros(200));
        }
        let won = names::reserve(&dir.join("names"), "web", &id).unwrap();
        println!("RESULT {}", if won { "won" } else { "lost" });
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("names")).unwrap();
    let kids: Vec<_> = (0..50)
        .map(|i| {
            child(
                "fifty_processes_reserve_one_name",
                "reserve",
                dir.path(),
                &format!("id{i:02}"),
            )
            .spawn()
            .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.path().join("go"), b"").unwrap();
    let mut winners = Vec::new();
    for (i, k) in kids.into_iter().enumerate() {
        let out = k.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        if text.contains("RESULT won") {
            winners.push(format!("id{i:02}"));
        } else {
            assert!(text.contains("RESULT lost"), "child {i} said: {text}");
        }
    }
    assert_eq!(winners.len(), 1, "exactly one process wins: {winners:?}");
    assert_eq!(
        names::lookup(&dir.path().join("names"), "web").unwrap(),
        Some(winners[0].clone())
    );
    let left: Vec<_> = std::fs::read_dir(dir.path().join("names"))
        .unwrap()
        .collect();
    assert_eq!(left.len(), 1, "no temp files left behind");
}

#[test]
fn sigkilled_writer_never_tears_a_file() {
    if let Some((r, dir, _)) = role() {
        assert_eq!(r, "writer");
        // Rewrite 8 JSON files forever, each 64-256 KiB, until killed.
        let mut n: u64 = 0;
        loop {
            for f in 0..8 {
                let len = 64 * 1024 + (n as usize * 7919 % (192 * 1024));
                let body = serde_json::json!({"n": n, "pad": "x".repeat(len)});
                atomic::write_json(&dir.join(format!("state-{f}.json")), &body).unwrap();
                n += 1;
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut kills = 0;
    let start = Instant::now();
    for round in 0..25u64 {
        let mut k = child(
            "sigkilled_writer_never_tears_a_file",
            "writer",
            dir.path(),
            "",
        )
        .spawn()
        .unwrap();
        std::thread::sleep(Duration::from_millis(15 + round * 7 % 40));
        k.kill().unwrap(); // SIGKILL
        k.wait().unwrap();
        kills += 1;
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if atomic::is_tmp(&name) {
                continue; // a killed writer's temp file: ignored by readers
            }
            let bytes = std::fs::read(e.path()).unwrap();
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                panic!(
                    "round {round}: {name} is torn ({} bytes): {err}",
                    bytes.len()
                )
            });
            assert!(v["n"].is_u64());
        }
    }
    assert_eq!(kills, 25);
    assert!(start.elapsed() < Duration::from_secs(60));
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().filter(|n| n.starts_with("state-")).count() >= 1,
        "{files:?}"
    );
    // Leftover temp files are cleaned; real files stay.
    atomic::clean_tmp(dir.path()).unwrap();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!atomic::is_tmp(&name), "left behind: {name}");
    }
}

#[test]
fn store_ignores_leftover_temp_files() {
    // A temp file left in the image store by a killed writer is not an image.
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("root/images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(
        images.join(format!(".{}.json.abc123.tmp", "a".repeat(64))),
        b"{\"id\":",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_skiff"))
        .arg("--root")
        .arg(dir.path().join("root"))
        .arg("--runroot")
        .arg(dir.path().join("run"))
        .args(["images", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    // `image prune` reclaims such leftovers.
    let out = Command::new(env!("CARGO_BIN_EXE_skiff"))
        .arg("--root")
        .arg(dir.path().join("root"))
        .arg("--runroot")
        .arg(dir.path().join("run"))
        .args(["image", "prune", "-f"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(&images).unwrap().count(), 0);
}

#[test]
fn a_blocked_command_says_what_it_waits_for() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    // Private, as skiff makes it (a looser one would get a notice first).
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
        .create(&root)
        .unwrap();
    let lock = std::fs::File::create(root.join("repositories.lock")).unwrap();
    lock.lock().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_skiff"))
        .arg("--root")
        .arg(&root)
        .arg("--runroot")
        .arg(dir.path().join("run"))
        .args(["tag", "nope", "other"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1600));
    lock.unlock().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        format!(
            "waiting for lock on {}\nError: No such image: nope:latest\n",
            root.join("repositories.lock").display()
        )
    );
    assert_eq!(out.status.code(), Some(1));
}
