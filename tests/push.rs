//! The registry's write side against a real registry (Debian's
//! docker-registry on 127.0.0.1): `push` (skip, mount, upload, the
//! pulled manifest kept), `login`/`logout` with basic auth, and bad input.

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use common::*;

#[test]
fn push_keeps_a_pulled_images_digest_and_mounts_its_blobs() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let original = remote_digest(&img.reference);
    let s = Skiff::new();
    s.ok(&["pull", "-q", &img.reference]);
    let other = format!("{}/copies/busybox:v1", reg.host());
    s.ok(&["tag", &img.reference, &other]);
    let out = s.ok(&["push", &other]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "The push refers to repository [{}/copies/busybox]",
            reg.host()
        )
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(": Preparing")).count(),
        2,
        "{out}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.ends_with(": Mounted from busybox"))
            .count(),
        2,
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "v1: digest: {original} size: {}\n",
            lines.last().unwrap().rsplit(' ').next().unwrap()
        )),
        "{out}"
    );
    // Exactly the bytes pulled: the registry's digest is the original's.
    assert_eq!(remote_digest(&other), original);
    // Again: nothing to send.
    let out = s.ok(&["push", &other]);
    assert_eq!(out.matches("Layer already exists").count(), 2, "{out}");
    // -q prints the reference; RepoDigests gains the pushed one.
    assert_eq!(s.ok(&["push", "-q", &other]), format!("{other}\n"));
    let digests = s.ok(&["image", "inspect", "-f", "{{json .RepoDigests}}", &other]);
    assert!(
        digests.contains(&format!("copies/busybox@{original}")),
        "{digests}"
    );
    // A fresh store pulls it by digest.
    let fresh = Skiff::new();
    fresh.ok(&[
        "pull",
        "-q",
        &format!("{}/copies/busybox@{original}", reg.host()),
    ]);
}

#[test]
fn push_a_committed_image_and_all_tags() {
    let Some((reg, s, img)) = with_busybox() else {
        return;
    };
    s.ok(&[
        "run",
        "--name",
        "made",
        "--network",
        "none",
        &img,
        "sh",
        "-c",
        "echo committed > /made",
    ]);
    let target = format!("{}/made", reg.host());
    s.ok(&["commit", "made", &format!("{target}:one")]);
    s.ok(&["tag", &format!("{target}:one"), &format!("{target}:two")]);
    let out = s.ok(&["push", "--all-tags", &target]);
    assert!(out.contains(": Pushed\n"), "{out}");
    assert!(
        out.contains("\none: digest: sha256:") && out.contains("\ntwo: digest: sha256:"),
        "{out}"
    );
    let fresh = Skiff::new();
    let out = fresh.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        &format!("{target}:two"),
        "cat",
        "/made",
    ]);
    assert!(out.ends_with("committed\n"), "{out}");
    // Errors: docker's words, exit 1.
    let err = s.fails(1, &["push", &format!("{}/nosuch:v1", reg.host())]);
    assert_eq!(
        err,
        format!(
            "An image does not exist locally with the tag: {}/nosuch\n",
            reg.host()
        )
    );
    let err = s.fails(1, &["push", "--all-tags", &format!("{target}:one")]);
    assert!(
        err.contains("tag can't be used with --all-tags/-a"),
        "{err}"
    );
}

#[test]
fn login_checks_then_stores_and_logout_forgets() {
    require!("docker-registry", "skopeo", "htpasswd");
    let reg = Registry::start_auth("alice", "s3cret");
    let s = Skiff::new();
    let config = s.home().join(".docker/config.json");
    // A wrong password: refused by the registry, nothing stored.
    let mut child = s
        .cmd()
        .args(["login", "-u", "alice", "--password-stdin", &reg.host()])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"wrong\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!config.exists());
    // No terminal and no password: never a prompt, never stdin.
    let err = s.fails(1, &["login", "-u", "alice", &reg.host()]);
    assert_eq!(
        err,
        "Error: Cannot perform an interactive login from a non TTY device\n"
    );
    let err = s.fails(1, &["login", "--password-stdin", &reg.host()]);
    assert!(
        err.contains("Must provide --username with --password-stdin"),
        "{err}"
    );
    // The right one: checked, then stored 0600.
    let mut child = s
        .cmd()
        .args(["login", "-u", "alice", "--password-stdin", &reg.host()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Login Succeeded\n");
    let mode = std::fs::metadata(&config).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    assert!(v["auths"][reg.host()]["auth"].is_string(), "{v}");
    // The stored credentials push to it.
    let open = Registry::start();
    let img = push_standard(&open, "busybox", "latest");
    s.ok(&["pull", "-q", &img.reference]);
    let target = format!("{}/mine:v1", reg.host());
    s.ok(&["tag", &img.reference, &target]);
    s.ok(&["push", "-q", &target]);
    // -p warns; logout forgets; then the push is refused.
    let (code, out, err) = s.run(&["login", "-u", "alice", "-p", "s3cret", &reg.host()]);
    assert_eq!((code, out.as_str()), (0, "Login Succeeded\n"));
    assert!(
        err.contains("WARNING! Using --password via the CLI is insecure"),
        "{err}"
    );
    assert_eq!(
        s.ok(&["logout", &reg.host()]),
        format!("Removing login credentials for {}\n", reg.host())
    );
    assert_eq!(
        s.ok(&["logout", &reg.host()]),
        format!("Not logged in to {}\n", reg.host())
    );
    s.fails(1, &["push", &target]);
}

#[test]
fn search_reads_a_private_registrys_catalog() {
    require!("docker-registry", "skopeo");
    let reg = Registry::start();
    push_standard(&reg, "busybox", "latest");
    push_standard(&reg, "tools/busybox-extra", "1");
    push_standard(&reg, "nginx", "latest");
    let s = Skiff::new();
    let h = reg.host();
    let out = s.ok(&["search", &format!("{h}/busy")]);
    let rows: Vec<Vec<String>> = out
        .lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec![
                "NAME".to_string(),
                "DESCRIPTION".into(),
                "STARS".into(),
                "OFFICIAL".into()
            ],
            vec![format!("{h}/busybox"), "0".into()],
            vec![format!("{h}/tools/busybox-extra"), "0".into()],
        ]
    );
    // docker's columns: the stars sit under STARS.
    let col = out.lines().next().unwrap().find("STARS").unwrap();
    assert!(out.lines().all(|l| &l[col..col + 1] != " "), "{out}");
    assert_eq!(
        s.ok(&[
            "search",
            "--limit",
            "1",
            "--format",
            "{{.Name}}",
            &format!("{h}/busy")
        ]),
        format!("{h}/busybox\n")
    );
    assert_eq!(
        s.ok(&[
            "search",
            "--filter",
            "stars=1",
            "--format",
            "{{.Name}}",
            &format!("{h}/busy")
        ]),
        ""
    );
    assert!(s
        .fails(1, &["search", "busybox"])
        .contains("name the registry to search"));
    assert!(s
        .fails(1, &["search", "--filter", "bogus=1", &format!("{h}/x")])
        .contains("invalid filter 'bogus'"));
}

/// A blob over 32 MiB goes up in chunks; a push killed midway leaves the
/// local store as it was, and the next push completes.
#[test]
fn big_blobs_go_in_chunks_and_a_killed_push_harms_nothing() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    s.ok(&[
        "run", "--name", "big", "--network", "none", &img, "sh", "-c",
        "busybox dd if=/dev/urandom of=/big bs=1M count=40 2>/dev/null; busybox md5sum /big > /big.md5",
    ]);
    let target_reg = Registry::start();
    let target = format!("{}/big:v1", target_reg.host());
    s.ok(&["commit", "big", &target]);
    let images = s.ok(&["images", "-aq", "--no-trunc"]);
    for delay_ms in [30, 90] {
        let mut child = s
            .cmd()
            .args(["push", &target])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(s.ok(&["images", "-aq", "--no-trunc"]), images);
        let (code, out, _) = s.run(&["system", "check", "--min-age-ms", "0"]);
        assert_eq!((code, out.as_str()), (0, ""));
    }
    let out = s.ok(&["push", &target]);
    assert!(out.contains(": Pushed\n"), "{out}");
    let fresh = Skiff::new();
    let out = fresh.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        &target,
        "sh",
        "-c",
        "busybox md5sum -c /big.md5",
    ]);
    assert!(out.ends_with("/big: OK\n"), "{out}");
}

/// On a terminal, push draws a bar per layer (redrawn in place); in a
/// pipe, docker's plain lines.
#[test]
fn push_on_a_terminal_draws_bars() {
    require!("docker-registry", "skopeo", "script");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    s.ok(&["pull", "-q", &img.reference]);
    let target = Registry::start();
    let dest = format!("{}/tty:v1", target.host());
    s.ok(&["tag", &img.reference, &dest]);
    let cmd = format!("{} push {dest}", s.cmdline());
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("HOME", s.home())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("\u{1b}["), "no bars drawn: {text:?}");
    assert!(text.contains(": Pushed"), "{text:?}");
    assert!(text.contains("\r\nv1: digest: sha256:"), "{text:?}");
    assert!(!text.contains(": Preparing\r\n"), "{text:?}");
}

/// `load -i` on a terminal draws a bar over the archive, then docker's
/// lines.
#[test]
fn load_on_a_terminal_draws_a_bar() {
    require!("docker-registry", "skopeo", "script");
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let s = Skiff::new();
    s.ok(&["pull", "-q", &img.reference]);
    let t = tempfile::tempdir().unwrap();
    let archive = t.path().join("a.tar");
    s.ok(&["save", "-o", archive.to_str().unwrap(), &img.reference]);
    let fresh = Skiff::new();
    let cmd = format!("{} load -i {}", fresh.cmdline(), archive.display());
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("HOME", fresh.home())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Loading [") && text.contains("MiB"),
        "{text:?}"
    );
    assert!(
        text.contains(&format!("\r\nLoaded image: {}", img.reference)),
        "{text:?}"
    );
}

/// With `credsStore` in config.json, login hands the secret to the
/// helper (`docker-credential-NAME store`) and keeps only an empty entry;
/// logout asks the helper to erase it.
#[test]
fn login_uses_the_configured_credential_helper() {
    require!("docker-registry", "skopeo", "htpasswd");
    let reg = Registry::start_auth("carol", "pw2");
    let s = Skiff::new();
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("helper.log");
    let helper = bin.path().join("docker-credential-fake");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n{{ echo \"$1\"; cat; echo; }} >> {}\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = s.home().join(".docker/config.json");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(&cfg, r#"{"credsStore": "fake"}"#).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let mut child = s
        .cmd()
        .env("PATH", &path)
        .args(["login", "-u", "carol", "--password-stdin", &reg.host()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"pw2\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No "stored unencrypted" warning: the helper holds it.
    assert!(!String::from_utf8_lossy(&out.stderr).contains("unencrypted"));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.starts_with("store\n"), "{logged}");
    let stored: serde_json::Value = serde_json::from_str(logged.lines().nth(1).unwrap()).unwrap();
    assert_eq!(stored["ServerURL"], reg.host());
    assert_eq!(
        (stored["Username"].as_str(), stored["Secret"].as_str()),
        (Some("carol"), Some("pw2"))
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
    assert_eq!(v["auths"][reg.host()], serde_json::json!({}));
    assert_eq!(v["credsStore"], "fake");
    let out = s
        .cmd()
        .env("PATH", &path)
        .args(["logout", &reg.host()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains(&format!("erase\n{}", reg.host())));
}
