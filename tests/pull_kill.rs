//! SIGKILL `skiff pull` at several points of a multi-layer pull; each time a
//! second pull succeeds, `images` shows the image once, and the store holds
//! no half-layer.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

fn dir_bytes(dir: &std::path::Path, skip: &dyn Fn(&str) -> bool) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| !skip(&e.file_name().to_string_lossy()))
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn layers_in_progress(root: &std::path::Path) -> bool {
    std::fs::read_dir(root.join("layers"))
        .map(|rd| {
            rd.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        })
        .unwrap_or(false)
}

#[test]
fn pull_survives_sigkill_at_any_point() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    let mut layers = vec![build_layer(&busybox_layer(), Compression::Gzip)];
    for i in 0..3u64 {
        layers.push(build_layer(
            &[Entry::File(
                format!("data/noise-{i}"),
                noise(6 << 20, i),
                0o644,
            )],
            Compression::Gzip,
        ));
    }
    let total: u64 = layers.iter().map(|l| l.blob.len() as u64).sum();
    let id = oci_layout(layout.path(), "big", &layers, &["sh"], json!(null));
    push(
        layout.path(),
        "big",
        &format!("{}/big:latest", reg.host()),
        &[],
    );
    // 24 MB through a 12 MB/s link: a pull takes about two seconds.
    let proxy = SlowProxy::start(reg.port, 12 << 20);
    let name = format!("127.0.0.1:{}/big:latest", proxy.port);

    for (point, fraction) in [
        ("10%", 0.10),
        ("50%", 0.50),
        ("90%", 0.90),
        ("unpacking", 2.0),
    ] {
        let s = Skiff::new();
        let root = s.root();
        let mut child = s
            .cmd()
            .args(["pull", &name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let killed = loop {
            let got = dir_bytes(&root.join("blobs/partial"), &|n| n.ends_with(".lock"))
                + dir_bytes(&root.join("blobs/sha256"), &|_| false);
            let hit = if fraction > 1.0 {
                layers_in_progress(&root)
            } else {
                got as f64 >= fraction * total as f64
            };
            if hit {
                child.kill().unwrap();
                break true;
            }
            if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(60) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        child.wait().unwrap();
        assert!(
            killed,
            "{point}: the pull finished before it could be killed"
        );
        // What a later command would trust: no image record, no layer dir
        // without its layer.json.
        for e in std::fs::read_dir(root.join("layers"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let n = e.file_name().to_string_lossy().into_owned();
            if !n.starts_with('.') {
                assert!(
                    e.path().join("layer.json").exists(),
                    "{point}: half layer {n}"
                );
            }
        }
        s.ok(&["pull", &name]);
        let listed = s.ok(&[
            "images",
            "--no-trunc",
            "--format",
            "{{.ID}} {{.Repository}}:{{.Tag}}",
        ]);
        assert_eq!(
            listed,
            format!("{id} {name}\n"),
            "{point}: the image shows once"
        );
        assert!(
            !layers_in_progress(&root),
            "{point}: temp layer dirs cleaned"
        );
        let partial: Vec<_> = std::fs::read_dir(root.join("blobs/partial"))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| !e.file_name().to_string_lossy().ends_with(".lock"))
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            partial.is_empty(),
            "{point}: partial downloads left: {partial:?}"
        );
        // The killed pull's lease names a process that is gone: GC removes
        // it and keeps nothing for it.
        let leases = std::fs::read_dir(root.join("leases")).unwrap().count();
        assert_eq!(leases, 1, "{point}: the killed pull's lease stays until GC");
        s.ok(&["image", "prune", "-a", "-f"]);
        for dir in ["leases", "layers", "blobs/sha256"] {
            let left: Vec<_> = std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            assert!(left.is_empty(), "{point}: {dir} left after prune: {left:?}");
        }
    }
}
