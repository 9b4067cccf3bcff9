//! Images against a real docker-registry on 127.0.0.1: pull, list, tag,
//! rmi, inspect, history, save/load, prune, and every bad input.

mod common;

use std::os::unix::fs::{FileTypeExt, MetadataExt};

use common::*;
use serde_json::{json, Value};

fn inspect(s: &Skiff, name: &str) -> Value {
    let out = s.ok(&["image", "inspect", name]);
    let v: Value = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

/// Layer dirs on disk, bottom first, from inspect's GraphDriver data.
fn layer_dirs(s: &Skiff, name: &str) -> Vec<std::path::PathBuf> {
    let v = inspect(s, name);
    let g = &v["GraphDriver"]["Data"];
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    if let Some(lower) = g["LowerDir"].as_str() {
        dirs.extend(lower.split(':').map(Into::into));
    }
    dirs.insert(0, g["UpperDir"].as_str().unwrap().into());
    dirs.reverse();
    dirs
}

#[test]
fn pull_reports_like_docker_and_stores_layers() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    let name = format!("{}/busybox", reg.host());
    let out = s.ok(&["pull", &name]);
    let digest = remote_digest(&img.reference);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Using default tag: latest");
    assert_eq!(lines[1], "latest: Pulling from busybox");
    assert_eq!(lines.len(), 2 + 2 + 3, "one line per layer: {out}");
    assert!(
        lines[2].ends_with(": Pull complete") && lines[3].ends_with(": Pull complete"),
        "{out}"
    );
    assert_eq!(lines[4], format!("Digest: {digest}"));
    assert_eq!(
        lines[5],
        format!("Status: Downloaded newer image for {name}:latest")
    );
    assert_eq!(lines[6], format!("{name}:latest"));

    // Pulling again: nothing downloaded, docker's "up to date".
    let again = s.ok(&["pull", &format!("{name}:latest")]);
    assert!(again.contains(": Already exists"), "{again}");
    assert!(
        again.contains(&format!("Status: Image is up to date for {name}:latest")),
        "{again}"
    );

    let v = inspect(&s, &name);
    assert_eq!(v["Id"], img.id);
    assert_eq!(v["RepoTags"], json!([format!("{name}:latest")]));
    assert_eq!(v["RepoDigests"], json!([format!("{name}@{digest}")]));
    assert_eq!(v["Architecture"], "amd64");
    assert_eq!(v["Os"], "linux");
    assert_eq!(v["Config"]["Cmd"], json!(["sh"]));
    assert_eq!(v["Config"]["Labels"], json!({"org.skiff.test": "standard"}));
    assert_eq!(v["Created"], "2000-01-01T00:00:00Z");
    assert_eq!(v["RootFS"]["Type"], "layers");
    assert_eq!(v["RootFS"]["Layers"].as_array().unwrap().len(), 2);
    assert!(
        v["Size"].as_u64().unwrap() > 500_000,
        "busybox alone is bigger: {}",
        v["Size"]
    );

    // The unpacked layers, as overlayfs will see them.
    let dirs = layer_dirs(&s, &name);
    assert_eq!(dirs.len(), 2);
    let (base, top) = (&dirs[0], &dirs[1]);
    assert_eq!(
        std::fs::read_link(base.join("bin/sh")).unwrap().to_str(),
        Some("busybox")
    );
    assert_eq!(
        std::fs::read(base.join("bin/busybox")).unwrap(),
        std::fs::read("/bin/busybox").unwrap()
    );
    let wh = std::fs::symlink_metadata(top.join("etc/remove-me")).unwrap();
    assert!(
        wh.file_type().is_char_device() && wh.rdev() == 0,
        "whiteout is a 0/0 char device"
    );
    assert!(!top.join("opq/a").exists() && top.join("opq/c").exists());
    let data = std::fs::metadata(top.join("srv/data.txt")).unwrap();
    assert_eq!(data.nlink(), 2, "hardlink kept");
    assert_eq!(
        data.ino(),
        std::fs::metadata(top.join("srv/data-link.txt"))
            .unwrap()
            .ino()
    );
    assert_eq!(
        std::fs::read_link(top.join("srv/latest")).unwrap().to_str(),
        Some("/srv/data.txt")
    );
    if is_root() {
        assert_eq!((data.uid(), data.gid()), (1000, 1000));
        assert_eq!(data.mode() & 0o7777, 0o4755, "setuid survives chown");
        let opaque = xattr(top.join("opq"), "trusted.overlay.opaque");
        assert_eq!(opaque.as_deref(), Some(&b"y"[..]));
    }
}

/// Mount the pulled layers with real overlayfs: whiteouts and opaque dirs work.
#[test]
fn layers_mount_as_overlay() {
    require!("docker-registry", "skopeo");
    if !is_root() {
        skip("mounting overlayfs needs root");
        return;
    }
    let reg = Registry::start();
    push_standard(&reg, "ovl", "v1");
    let s = Skiff::new();
    let name = format!("{}/ovl:v1", reg.host());
    s.ok(&["pull", "-q", &name]);
    let dirs = layer_dirs(&s, &name);
    let work = tempfile::tempdir().unwrap();
    let (upper, wdir, merged) = (
        work.path().join("u"),
        work.path().join("w"),
        work.path().join("m"),
    );
    for d in [&upper, &wdir, &merged] {
        std::fs::create_dir(d).unwrap();
    }
    let lower = format!("{}:{}", dirs[1].display(), dirs[0].display());
    let st = std::process::Command::new("mount")
        .args(["-t", "overlay", "overlay", "-o"])
        .arg(format!(
            "lowerdir={lower},upperdir={},workdir={}",
            upper.display(),
            wdir.display()
        ))
        .arg(&merged)
        .status()
        .unwrap();
    assert!(st.success());
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _u = Unmount(merged.clone());
    assert!(
        !merged.join("etc/remove-me").exists(),
        "whiteout hides the lower file"
    );
    assert!(merged.join("etc/passwd").exists());
    let mut opq: Vec<String> = std::fs::read_dir(merged.join("opq"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    opq.sort();
    assert_eq!(opq, ["c"], "opaque dir hides the lower entries");
    assert_eq!(
        std::fs::read_to_string(merged.join("srv/data.txt")).unwrap(),
        "hello from layer 2\n"
    );
}

#[test]
fn zstd_and_uncompressed_layers() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    let top = build_layer(
        &[Entry::File(
            "zstd.txt".into(),
            b"zstd layer\n".to_vec(),
            0o644,
        )],
        Compression::Zstd,
    );
    let raw = build_layer(
        &[Entry::File(
            "raw.txt".into(),
            b"plain tar layer\n".to_vec(),
            0o644,
        )],
        Compression::None,
    );
    let base = build_layer(&busybox_layer(), Compression::Gzip);
    let id = oci_layout(layout.path(), "z", &[base, top, raw], &["sh"], json!(null));
    let name = format!("{}/zstd:z", reg.host());
    push(layout.path(), "z", &name, &[]);
    let s = Skiff::new();
    s.ok(&["pull", &name]);
    assert_eq!(inspect(&s, &name)["Id"], id);
    let dirs = layer_dirs(&s, &name);
    assert_eq!(
        std::fs::read_to_string(dirs[1].join("zstd.txt")).unwrap(),
        "zstd layer\n"
    );
    assert_eq!(
        std::fs::read_to_string(dirs[2].join("raw.txt")).unwrap(),
        "plain tar layer\n"
    );
}

#[test]
fn multiarch_index_and_platform() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    let amd = oci_layout_arch(
        layout.path(),
        "amd",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        json!(null),
        "amd64",
    );
    let arm = oci_layout_arch(
        layout.path(),
        "arm",
        &[build_layer(
            &[Entry::File("arch".into(), b"arm64\n".to_vec(), 0o644)],
            Compression::Gzip,
        )],
        &["sh"],
        json!(null),
        "arm64",
    );
    oci_multiarch(layout.path(), "multi", &["amd", "arm"]);
    let name = format!("{}/multi:latest", reg.host());
    push(layout.path(), "multi", &name, &["--multi-arch", "all"]);
    let s = Skiff::new();
    s.ok(&["pull", &name]);
    assert_eq!(inspect(&s, &name)["Id"], amd);
    s.ok(&["pull", "--platform", "linux/arm64", &name]);
    let v = inspect(&s, &name);
    assert_eq!(v["Id"], arm);
    assert_eq!(v["Architecture"], "arm64");
    let err = s.fails(1, &["pull", "--platform", "linux/s390x", &name]);
    assert!(
        err.contains("no matching manifest for linux/s390x"),
        "{err}"
    );
    let err = s.fails(1, &["pull", "--platform", "s390x", &name]);
    assert!(err.contains("invalid platform"), "{err}");
}

#[test]
fn docker_schema2_manifest() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    let id = oci_layout(
        layout.path(),
        "v2",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        json!(null),
    );
    let name = format!("{}/library/ubuntu:14.04", reg.host());
    push(layout.path(), "v2", &name, &["--format", "v2s2"]);
    let s = Skiff::new();
    let out = s.ok(&["pull", &name]);
    assert!(
        out.contains(&format!("Digest: {}", remote_digest(&name))),
        "{out}"
    );
    assert_eq!(inspect(&s, &name)["Id"], id);
}

#[test]
fn images_columns_formats_and_filters() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    let name = format!("{}/busybox", reg.host());
    s.ok(&["pull", "-q", &name]);
    s.ok(&["tag", &name, "mine:v1"]);
    let short = &img.id[7..19];

    let table = s.ok(&["images"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    let header = "REPOSITORY".to_owned()
        + &" ".repeat(name.len() - 10 + 3)
        + "TAG       IMAGE ID       CREATED        SIZE";
    assert_eq!(lines[0].trim_end(), header.trim_end());
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("mine ") && l.contains(" v1 ") && l.contains(short)),
        "{table}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&name) && l.contains("latest") && l.contains("years ago")),
        "{table}"
    );

    assert_eq!(
        s.ok(&["images", "-q"]),
        format!("{short}\n"),
        "ids are unique in -q"
    );
    assert_eq!(
        s.ok(&["images", "-q", "--no-trunc"]),
        format!("{}\n", img.id)
    );
    let f = s.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    let mut got: Vec<&str> = f.lines().collect();
    got.sort();
    assert_eq!(got, [format!("{name}:latest").as_str(), "mine:v1"]);

    let j = s.ok(&["images", "--format", "{{json .}}"]);
    for line in j.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "docker marshals a map: sorted keys");
        assert_eq!(v["ID"], short);
        assert_eq!(v["Containers"], "N/A");
    }
    assert_eq!(j.lines().count(), 2);

    let t = s.ok(&["images", "--format", "table {{.ID}}\t{{.Tag}}", "mine"]);
    assert_eq!(t, format!("IMAGE ID       TAG\n{short}   v1\n"));

    let d = s.ok(&["images", "--digests", &name]);
    assert!(d.lines().next().unwrap().contains("DIGEST"), "{d}");
    assert!(d.contains(&remote_digest(&img.reference)), "{d}");

    assert_eq!(s.ok(&["images", "-q", "-f", "dangling=true"]), "");
    assert_eq!(
        s.ok(&["images", "--format", "{{.Tag}}", "-f", "reference=mine"]),
        "v1\n"
    );
    assert_eq!(
        s.ok(&["images", "--format", "{{.Tag}}", "-f", "reference=*:lat*"]),
        ""
    );
    assert_eq!(
        s.ok(&["images", "-q", "-f", "label=org.skiff.test=standard"]),
        format!("{short}\n")
    );
    assert_eq!(
        s.ok(&["images", "-q", "-f", "label=org.skiff.test=other"]),
        ""
    );
    let err = s.fails(1, &["images", "-f", "colour=blue"]);
    assert_eq!(err, "Error: Invalid filter 'colour'\n");
}

#[test]
fn tag_rmi_and_garbage_collection() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    let name = format!("{}/busybox:latest", reg.host());
    s.ok(&["pull", "-q", &name]);
    s.ok(&["tag", &name, "other:1"]);
    s.ok(&["image", "tag", &img.id[7..15], "third"]);
    assert_eq!(inspect(&s, "third")["Id"], img.id);
    assert_eq!(
        inspect(&s, "other:1")["RepoTags"].as_array().unwrap().len(),
        3
    );

    // A tag of a multi-tagged image: only untagged.
    assert_eq!(s.ok(&["rmi", "other:1"]), "Untagged: other:1\n");
    // By id with several tags: docker's conflict without -f.
    let err = s.fails(1, &["rmi", &img.id[7..19]]);
    assert!(
        err.contains("image is referenced in multiple repositories"),
        "{err}"
    );
    assert!(err.contains("must be forced"), "{err}");
    let out = s.ok(&["image", "rm", "-f", &img.id[7..19]]);
    assert!(out.contains("Untagged: third:latest\n"), "{out}");
    assert!(out.contains(&format!("Deleted: {}\n", img.id)), "{out}");
    assert_eq!(s.ok(&["images", "-q"]), "");
    // Everything is gone from disk, too.
    let root = s.root();
    for sub in ["layers", "images", "blobs/sha256"] {
        let left: Vec<_> = std::fs::read_dir(root.join(sub))
            .map(|d| {
                d.flatten()
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        assert!(left.is_empty(), "{sub} not empty: {left:?}");
    }
    let err = s.fails(1, &["rmi", "nope:latest"]);
    assert_eq!(err, "Error: No such image: nope:latest\n");
    let err = s.fails(1, &["tag", "nope", "x"]);
    assert_eq!(err, "Error: No such image: nope:latest\n");
    s.ok(&["pull", "-q", &name]);
    let err = s.fails(1, &["tag", &name, "Bad:Tag"]);
    assert!(err.contains("invalid reference format"), "{err}");

    // podman's rmi --all: every tag, and the image with the last one.
    s.ok(&["tag", &name, "other:2"]);
    let err = s.fails(1, &["rmi", "--all", "other:2"]);
    assert_eq!(
        err,
        "Error: when using the --all switch, you may not pass any images names or IDs\n"
    );
    let out = s.ok(&["rmi", "-a"]);
    assert!(out.contains("Untagged: other:2\n"), "{out}");
    assert!(out.contains(&format!("Untagged: {name}\n")), "{out}");
    assert!(out.contains(&format!("Deleted: {}\n", img.id)), "{out}");
    assert_eq!(s.ok(&["images", "-q"]), "");
    // Without --all an image is still required, with docker's text.
    let err = s.fails(1, &["rmi"]);
    assert!(
        err.starts_with("skiff: 'skiff rmi' requires at least 1 argument\n"),
        "{err}"
    );
}

#[test]
fn history_columns() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "hist", "latest");
    let s = Skiff::new();
    let name = format!("{}/hist", reg.host());
    s.ok(&["pull", "-q", &name]);
    let out = s.ok(&["history", &name]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("IMAGE          CREATED        CREATED BY"),
        "{out}"
    );
    assert!(lines[1].starts_with(&img.id[7..19]), "{out}");
    assert!(lines[1].contains("0B"), "empty CMD layer: {out}");
    assert!(lines[2].starts_with("<missing>"), "{out}");
    assert!(lines[2].contains('…'), "CREATED BY truncated at 45: {out}");
    let q = s.ok(&["history", "-q", &name]);
    assert_eq!(q, format!("{}\n<missing>\n<missing>\n", &img.id[7..19]));
    let full = s.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.ID}}|{{.CreatedBy}}",
        &name,
    ]);
    assert!(
        full.starts_with(&format!("{}|/bin/sh -c #(nop)  CMD [\"sh\"]\n", img.id)),
        "{full}"
    );
    let raw = s.ok(&[
        "history",
        "--human=false",
        "--format",
        "{{.CreatedSince}} {{.Size}}",
        &name,
    ]);
    assert!(raw.starts_with("2000-01-01T00:00:00Z 0\n"), "{raw}");
}

#[test]
fn save_load_round_trip() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    let name = format!("{}/busybox:latest", reg.host());
    s.ok(&["pull", "-q", &name]);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tar");
    let b = dir.path().join("b.tar");
    s.ok(&["save", "-o", a.to_str().unwrap(), &name]);
    let out = s.cmd().args(["image", "save", &name]).output().unwrap();
    assert!(out.status.success());
    std::fs::write(&b, &out.stdout).unwrap();
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "save is deterministic"
    );

    // podman's save flags: oci-archive, -m and --uncompressed give the
    // same archive (it is both formats); directory formats are refused.
    let c = dir.path().join("c.tar");
    let c_path = c.to_str().unwrap();
    s.ok(&[
        "save",
        "--format",
        "oci-archive",
        "-m",
        "--uncompressed",
        "-o",
        c_path,
        &name,
    ]);
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&c).unwrap(),
        "--format oci-archive writes the same archive"
    );
    let err = s.fails(1, &["save", "--format", "oci-dir", "-o", c_path, &name]);
    assert_eq!(
        err,
        "Error: unsupported format \"oci-dir\": only docker-archive and oci-archive \
         (one archive, both formats)\n"
    );
    std::fs::remove_file(&c).unwrap();

    // An independent reader: skopeo understands it as a docker-archive and as OCI.
    let sk = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--config"])
        .arg(format!("docker-archive:{}", a.display()))
        .output()
        .unwrap();
    assert!(
        sk.status.success(),
        "{}",
        String::from_utf8_lossy(&sk.stderr)
    );
    assert_eq!(
        format!("sha256:{}", sha256_hex(&sk.stdout)),
        img.id,
        "config bytes kept"
    );

    s.ok(&["rmi", &name]);
    assert_eq!(s.ok(&["images", "-q"]), "");
    let out = s.ok(&["load", "-i", a.to_str().unwrap()]);
    assert_eq!(out, format!("Loaded image: {name}\n"));
    let v = inspect(&s, &name);
    assert_eq!(v["Id"], img.id, "digest-stable round trip");
    let dirs = layer_dirs(&s, &name);
    assert_eq!(
        std::fs::read_to_string(dirs[1].join("srv/data.txt")).unwrap(),
        "hello from layer 2\n"
    );

    // Load from stdin, into another store.
    let s2 = Skiff::new();
    let out = s2
        .cmd()
        .arg("load")
        .stdin(std::fs::File::open(&b).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(inspect(&s2, &name)["Id"], img.id);

    // An OCI archive (a tar of an image layout) loads too.
    let oci_tar = dir.path().join("oci.tar");
    let st = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&oci_tar)
        .arg("-C")
        .arg(img.layout.path())
        .arg(".")
        .status()
        .unwrap();
    assert!(st.success());
    let s3 = Skiff::new();
    let out = s3.ok(&["load", "-i", oci_tar.to_str().unwrap()]);
    assert_eq!(out, format!("Loaded image ID: {}\n", img.id));
    assert_eq!(inspect(&s3, &img.id[7..19])["Id"], img.id);

    // Bad input: not an archive, missing file; nothing is left behind.
    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, b"not a tar").unwrap();
    let err = s3.fails(1, &["load", "-i", junk.to_str().unwrap()]);
    assert_eq!(
        err,
        "Error processing tar file(exit status 1): unexpected EOF\n"
    );
    let err = s3.fails(1, &["load", "-i", "/nonexistent/x.tar"]);
    assert!(err.contains("/nonexistent/x.tar"), "{err}");
    let err = s.fails(
        1,
        &[
            "save",
            "-o",
            dir.path().join("c.tar").to_str().unwrap(),
            "nope",
        ],
    );
    assert_eq!(err, "Error: No such image: nope\n");
    assert!(!dir.path().join("c.tar").exists());
}

#[test]
fn prune_dangling_and_all() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let s = Skiff::new();
    let name = format!("{}/app:latest", reg.host());
    let first = push_standard(&reg, "app", "latest");
    s.ok(&["pull", "-q", &name]);
    // A new image under the same tag leaves the old one dangling.
    let layout = tempfile::tempdir().unwrap();
    let second = oci_layout(
        layout.path(),
        "latest",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["true"],
        json!(null),
    );
    push(layout.path(), "latest", &name, &[]);
    s.ok(&["pull", "-q", &name]);
    let table = s.ok(&[
        "images",
        "--format",
        "{{.ID}} {{.Repository}} {{.Tag}}",
        "-f",
        "dangling=true",
    ]);
    assert_eq!(
        table,
        format!("{} {}/app <none>\n", &first.id[7..19], reg.host()),
        "untagged image keeps its digest repo"
    );

    let err = s.fails(1, &["image", "prune"]);
    assert!(
        err.contains("--force"),
        "never prompts without a terminal: {err}"
    );
    let out = s.ok(&["image", "prune", "-f"]);
    assert!(out.starts_with("Deleted Images:\n"), "{out}");
    assert!(out.contains(&format!("deleted: {}", first.id)), "{out}");
    assert!(out.contains("Total reclaimed space: "), "{out}");
    assert_eq!(s.ok(&["images", "-q", "--no-trunc"]), format!("{second}\n"));
    assert_eq!(
        s.ok(&["image", "prune", "-f"]),
        "Total reclaimed space: 0B\n"
    );
    let out = s.ok(&["image", "prune", "-a", "-f"]);
    assert!(out.contains(&format!("deleted: {second}")), "{out}");
    assert_eq!(s.ok(&["images", "-q"]), "");
}

#[test]
fn bad_input_errors() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    let err = s.fails(1, &["pull", &format!("{}/busybox:nope", reg.host())]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "Error: manifest for {}/busybox:nope not found: manifest unknown",
            reg.host()
        )),
        "{err}"
    );
    let err = s.fails(1, &["pull", &format!("{}/nothere", reg.host())]);
    assert!(err.contains("not found"), "{err}");
    // docker prints the reference's error as it is.
    let err = s.fails(1, &["pull", "Busy Box"]);
    assert_eq!(
        err,
        "invalid reference format: repository name (library/Busy Box) must be lowercase\n"
    );
    let err = s.fails(1, &["pull", "busybox:bad:tag"]);
    assert_eq!(err, "invalid reference format\n");
    let down = free_port();
    let err = s.fails(1, &["pull", &format!("127.0.0.1:{down}/busybox")]);
    assert!(
        err.contains(&format!("127.0.0.1:{down}")) && err.contains("refused"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(s.ok(&["images", "-q"]), "");
}

#[test]
fn corrupted_blob_is_rejected_and_nothing_stored() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    let payload = build_layer(
        &[Entry::File("payload".into(), noise(200_000, 7), 0o644)],
        Compression::Gzip,
    );
    let payload_digest = format!("sha256:{}", sha256_hex(&payload.blob));
    oci_layout(
        layout.path(),
        "c",
        &[build_layer(&busybox_layer(), Compression::Gzip), payload],
        &["sh"],
        json!(null),
    );
    let name = format!("{}/corrupt:c", reg.host());
    push(layout.path(), "c", &name, &[]);
    // Flip a byte in the registry's copy of the layer.
    let f = reg.blob_file(&payload_digest);
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&f, &bytes).unwrap();
    let s = Skiff::new();
    let err = s.fails(1, &["pull", &name]);
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(err.contains(&payload_digest), "names the blob: {err}");
    assert_eq!(s.ok(&["images", "-q", "-a"]), "");
    let blob = s.root().join("blobs/sha256").join(&payload_digest[7..]);
    assert!(!blob.exists(), "the bad blob is not stored");
    let partial = s.root().join("blobs/partial").join(&payload_digest[7..]);
    assert!(!partial.exists(), "the bad download is discarded");
}

#[test]
fn basic_auth_registry() {
    require!("docker-registry", "skopeo", "htpasswd");
    let reg = Registry::start_auth("tester", "s3cret");
    let layout = tempfile::tempdir().unwrap();
    let id = oci_layout(
        layout.path(),
        "a",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        json!(null),
    );
    let name = format!("{}/private:a", reg.host());
    push(
        layout.path(),
        "a",
        &name,
        &["--dest-creds", "tester:s3cret"],
    );

    let s = Skiff::new();
    let err = s.fails(1, &["pull", &name]);
    assert!(
        err.contains("unauthorized") || err.contains("authentication required"),
        "{err}"
    );
    let err = s.fails(1, &["pull", "--creds", "tester:wrong", &name]);
    assert!(
        err.contains("unauthorized") || err.contains("authentication required"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    s.ok(&["pull", "-q", "--creds", "tester:s3cret", &name]);
    assert_eq!(inspect(&s, &name)["Id"], id);

    // Credentials from ~/.docker/config.json.
    let s2 = Skiff::new();
    let docker_dir = s2.home().join(".docker");
    std::fs::create_dir_all(&docker_dir).unwrap();
    let auth = base64_encode(b"tester:s3cret");
    std::fs::write(
        docker_dir.join("config.json"),
        json!({"auths": {reg.host(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    s2.ok(&["pull", "-q", &name]);
    // And from $XDG_RUNTIME_DIR/containers/auth.json.
    let s3 = Skiff::new();
    let xdg = s3.dir.path().join("xdg/containers");
    std::fs::create_dir_all(&xdg).unwrap();
    std::fs::write(
        xdg.join("auth.json"),
        json!({"auths": {reg.host(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    s3.ok(&["pull", "-q", &name]);
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn inspect_and_format() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    let name = format!("{}/busybox", reg.host());
    s.ok(&["pull", "-q", &name]);
    assert_eq!(
        s.ok(&["inspect", "-f", "{{.Id}}", &name]),
        format!("{}\n", img.id)
    );
    assert_eq!(
        s.ok(&[
            "image",
            "inspect",
            "--format",
            "{{.Os}}/{{.Architecture}} {{index .Config.Cmd 0}}",
            &name
        ]),
        "linux/amd64 sh\n"
    );
    assert_eq!(
        s.ok(&["inspect", "--format", "{{json .Config.Labels}}", &name]),
        "{\"org.skiff.test\":\"standard\"}\n"
    );
    let out = s.ok(&["inspect", &name]);
    assert!(
        out.starts_with("[\n    {\n        \"Id\": "),
        "docker's 4-space indent: {out}"
    );
    let (code, out, err) = s.run(&["inspect", &name, "missing"]);
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(err, "Error: No such object: missing\n");
    // An image is no volume (the daemon's words).
    let err = s.fails(1, &["inspect", "--type", "volume", &name]);
    assert_eq!(err, format!("Error: get {name}: no such volume\n"));
}

#[test]
fn parallel_pulls_share_one_store() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    let kids: Vec<_> = (0..12)
        .map(|i| {
            let name = if i % 2 == 0 {
                img.reference.clone()
            } else {
                format!("{}/busybox:latest", reg.host())
            };
            s.cmd()
                .args(["pull", "-q", &name])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for k in kids {
        let out = k.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // docker's pull -q prints the reference it pulled.
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), img.reference);
    }
    assert_eq!(
        s.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]),
        format!("{}\n", img.reference)
    );
    let layers: Vec<String> = std::fs::read_dir(s.root().join("layers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    assert_eq!(layers.len(), 2, "two layers, no leftovers: {layers:?}");
}

/// `rmi` and `image prune -a` while pulls run: GC must leave alone what an
/// unfinished pull has stored or found (its lease). The pulls share the
/// base layer with an image the GC loop keeps deleting and pulling again,
/// and each pauses (SKIFF_TEST_PULL_PAUSE, see src/image/pull.rs) with all
/// its layers in place and no image record yet, while GC runs at least
/// twice more. Every pulled image must then run.
#[test]
fn pulls_survive_concurrent_prune_and_rmi() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::Duration;
    let Some((reg, s, busybox)) = with_busybox() else {
        return;
    };
    const PULLS: usize = 4;
    let layout = tempfile::tempdir().unwrap();
    let images: Vec<String> = (0..PULLS)
        .map(|i| {
            let tag = format!("t{i}");
            let top = build_layer(
                &[Entry::File(
                    "id".into(),
                    format!("{i}\n").into_bytes(),
                    0o644,
                )],
                Compression::Gzip,
            );
            oci_layout(
                layout.path(),
                &tag,
                // The same base layer as `busybox`'s.
                &[build_layer(&busybox_layer(), Compression::Gzip), top],
                &["sh"],
                json!(null),
            );
            let name = format!("{}/app:{tag}", reg.host());
            push(layout.path(), &tag, &name, &[]);
            name
        })
        .collect();

    let pause = tempfile::tempdir().unwrap();
    let pulls: Vec<_> = images
        .iter()
        .map(|name| {
            s.cmd()
                .args(["pull", "-q", name])
                .env("SKIFF_TEST_PULL_PAUSE", pause.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let stop = AtomicBool::new(false);
    let rounds = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let gc = scope.spawn(|| {
            while !stop.load(Ordering::SeqCst) {
                s.ok(&["image", "prune", "-a", "-f"]);
                s.ok(&["pull", "-q", &busybox]);
                s.ok(&["rmi", &busybox]);
                rounds.fetch_add(1, Ordering::SeqCst);
            }
        });
        let paused = wait_until(Duration::from_secs(60), || {
            gc.is_finished() || std::fs::read_dir(pause.path()).unwrap().count() == PULLS
        });
        assert!(paused && !gc.is_finished(), "the pulls did not all pause");
        let seen = rounds.load(Ordering::SeqCst);
        assert!(
            wait_until(Duration::from_secs(60), || gc.is_finished()
                || rounds.load(Ordering::SeqCst) >= seen + 2),
            "GC rounds"
        );
        stop.store(true, Ordering::SeqCst);
        gc.join().unwrap();
    });
    for e in std::fs::read_dir(pause.path()).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for (i, k) in pulls.into_iter().enumerate() {
        let out = k.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "pull {}: {}",
            images[i],
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (i, name) in images.iter().enumerate() {
        assert_eq!(
            s.ok(&["run", "--rm", "--network", "none", name, "cat", "/id"]),
            format!("{i}\n"),
            "{name}"
        );
    }
    let leases = s.root().join("leases");
    let left: Vec<_> = std::fs::read_dir(&leases)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "leases left: {left:?}");
}

/// A layer whose tar ends right after its last entry's data (no padding,
/// no end-of-archive blocks, as `umoci insert` writes) pulls and runs, as
/// docker's and podman's take it (issue 12's layer compatibility).
#[test]
fn a_layer_without_its_tar_tail_pulls() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let full = layer_tar(&[Entry::File(
        "tail.txt".into(),
        b"no padding after me\n".to_vec(),
        0o644,
    )]);
    // Where the last entry's data ends.
    let mut end = 0;
    let mut ar = tar::Archive::new(&full[..]);
    for e in ar.entries().unwrap() {
        let e = e.unwrap();
        end = e.raw_file_position() + e.size();
    }
    let cut = &full[..end as usize];
    assert!(!cut.len().is_multiple_of(512), "the padding is gone");
    let top = BuiltLayer {
        diff_id: format!("sha256:{}", sha256_hex(cut)),
        blob: compress(cut, Compression::Gzip),
        compression: Compression::Gzip,
    };
    let base = build_layer(&busybox_layer(), Compression::Gzip);
    let layout = tempfile::tempdir().unwrap();
    let id = oci_layout(layout.path(), "t", &[base, top], &["sh"], json!(null));
    let name = format!("{}/tail:t", reg.host());
    push(layout.path(), "t", &name, &[]);
    let s = Skiff::new();
    s.ok(&["pull", "-q", &name]);
    assert_eq!(inspect(&s, &name)["Id"], id);
    let (code, out, err) = s.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        &name,
        "cat",
        "/tail.txt",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "no padding after me\n");
}
