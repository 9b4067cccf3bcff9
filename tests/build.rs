//! `build` on real containers: a Dockerfile made an image by skiff's own
//! builder, checked by running the image and reading `image inspect`;
//! the cache (CACHED, no container, the same id), multi-stage builds,
//! .dockerignore, and failures.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (p, body) in files {
        let p = dir.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
}

fn inspect(s: &Skiff, what: &str) -> Value {
    let v: Value = serde_json::from_str(&s.ok(&["image", "inspect", what])).unwrap();
    v[0].clone()
}

/// Runs `build` with `args`; (exit code, stdout, stderr). RUN steps get
/// no network unless `args` say otherwise: the default bridge (skiff0)
/// outlives a store, as docker0 does, and the bridge tests own it.
fn build(s: &Skiff, args: &[&str]) -> (i32, String, String) {
    let mut a = vec!["build"];
    if !args.contains(&"--network") {
        a.extend(["--network", "none"]);
    }
    a.extend(args);
    s.run(&a)
}

#[test]
fn a_dockerfile_with_every_config_instruction() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[
            ("hello.txt", "hello\n"),
            ("dir/a", "a\n"),
            ("dir/sub/b", "b\n"),
            (
                "Dockerfile",
                &format!(
                    "# syntax=docker/dockerfile:1\n\
                     ARG BASE={img}\n\
                     FROM $BASE\n\
                     ARG WHO=world\n\
                     ENV GREETING=\"hello ${{WHO}}\" \\\n    OTHER=x\n\
                     LABEL org.example.who=$WHO \"two words\"=yes\n\
                     WORKDIR /srv\n\
                     WORKDIR app\n\
                     COPY hello.txt .\n\
                     COPY --chown=1000:1000 --chmod=0640 dir /data/\n\
                     RUN echo \"$GREETING from $(pwd)\" > /srv/app/out && echo built-ok\n\
                     RUN <<EOF\n\
                     echo heredoc $WHO > /srv/app/heredoc\n\
                     EOF\n\
                     EXPOSE 8080 53/udp\n\
                     VOLUME /cache\n\
                     USER 1000:1000\n\
                     STOPSIGNAL SIGQUIT\n\
                     HEALTHCHECK --interval=5s --retries=2 CMD true\n\
                     ONBUILD RUN echo triggered\n\
                     ENTRYPOINT [\"sh\", \"-c\"]\n\
                     CMD [\"cat /srv/app/out\"]\n"
                ),
            ),
        ],
    );
    let (code, out, err) = build(
        &s,
        &[
            "-t",
            "built:1",
            "-t",
            "built:2",
            "--build-arg",
            "WHO=skiff",
            ctx.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "BuildKit prints progress on stderr only");
    assert!(err.contains("built-ok"), "{err}");
    assert!(err.contains("] RUN echo"), "{err}");
    // The image runs as built.
    assert_eq!(
        s.ok(&["run", "--rm", "--network", "none", "built:1"]),
        "hello skiff from /srv/app\n"
    );
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--user",
        "0",
        "built:2",
        "cat /srv/app/hello.txt /srv/app/heredoc; stat -c '%u:%g %a' /data/a /data/sub/b; ls /data",
    ]);
    assert_eq!(
        out,
        "hello\nheredoc skiff\n1000:1000 640\n1000:1000 640\na\nsub\n"
    );
    let i = inspect(&s, "built:1");
    let c = &i["Config"];
    assert_eq!(c["WorkingDir"], "/srv/app");
    assert_eq!(c["User"], "1000:1000");
    assert_eq!(c["StopSignal"], "SIGQUIT");
    assert_eq!(c["Labels"]["org.example.who"], "skiff");
    assert_eq!(c["Labels"]["two words"], "yes");
    assert!(c["ExposedPorts"]["8080/tcp"].is_object() && c["ExposedPorts"]["53/udp"].is_object());
    assert!(c["Volumes"]["/cache"].is_object());
    assert_eq!(c["Entrypoint"], serde_json::json!(["sh", "-c"]));
    assert_eq!(c["Cmd"], serde_json::json!(["cat /srv/app/out"]));
    assert_eq!(c["OnBuild"], serde_json::json!(["RUN echo triggered"]));
    assert_eq!(
        c["Healthcheck"]["Test"],
        serde_json::json!(["CMD-SHELL", "true"])
    );
    assert_eq!(c["Healthcheck"]["Interval"], 5_000_000_000i64);
    assert_eq!(c["Healthcheck"]["Retries"], 2);
    let env: Vec<String> = serde_json::from_value(c["Env"].clone()).unwrap();
    assert!(env.contains(&"GREETING=hello skiff".to_owned()), "{env:?}");
    // The build arg is not in the image's env.
    assert!(!env.iter().any(|e| e.starts_with("WHO=")), "{env:?}");
    // Layers: the base's, two COPYs, two RUNs.
    assert_eq!(i["RootFS"]["Layers"].as_array().unwrap().len(), 5);
    let hist = s.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        "built:1",
    ]);
    assert!(
        hist.lines().any(|l| l.starts_with("RUN /bin/sh -c echo")),
        "{hist}"
    );
    // No container is left.
    assert_eq!(s.ok(&["ps", "-aq"]), "");
}

#[test]
fn a_rebuild_comes_from_the_cache_and_no_cache_runs_again() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[
            ("f", "one\n"),
            (
                "Dockerfile",
                &format!("FROM {img}\nRUN cat /proc/sys/kernel/random/uuid > /stamp\nCOPY f /f\nCMD [\"cat\", \"/stamp\"]\n"),
            ),
        ],
    );
    let dir = ctx.path().to_str().unwrap();
    let id1 = s.ok(&["build", "--network", "none", "-q", dir]);
    assert!(id1.starts_with("sha256:"), "{id1}");
    let (code, out, err) = build(&s, &["-q", dir]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, id1, "nothing changed: the same image");
    let (_, _, err) = build(&s, &[dir]);
    assert_eq!(err.matches("CACHED").count(), 3, "{err}");
    // A changed file: the RUN before it is still cached, the COPY not.
    write(ctx.path(), &[("f", "two\n")]);
    let (_, _, err) = build(&s, &["-t", "changed", dir]);
    assert_eq!(err.matches("CACHED").count(), 1, "{err}");
    let stamp1 = s.ok(&["run", "--rm", "--network", "none", id1.trim()]);
    let stamp2 = s.ok(&["run", "--rm", "--network", "none", "changed"]);
    assert_eq!(stamp1, stamp2, "the RUN layer came from the cache");
    // Only an mtime changed: still cached.
    write(ctx.path(), &[("f", "two\n")]);
    let (_, _, err) = build(&s, &[dir]);
    assert_eq!(err.matches("CACHED").count(), 3, "{err}");
    // --no-cache runs everything again.
    let (code, _, err) = build(&s, &["--no-cache", "-t", "fresh", dir]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("CACHED"), "{err}");
    let stamp3 = s.ok(&["run", "--rm", "--network", "none", "fresh"]);
    assert_ne!(stamp2, stamp3);
    // builder prune empties the cache: the next build runs again.
    s.ok(&["builder", "prune", "-f"]);
    let (_, _, err) = build(&s, &[dir]);
    assert!(!err.contains("CACHED"), "{err}");
}

#[test]
fn multi_stage_target_dockerignore_and_from() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[
            ("keep/a.txt", "a\n"),
            ("keep/secret.key", "no\n"),
            ("keep/b.md", "b\n"),
            ("notes.md", "n\n"),
            ("top.txt", "t\n"),
            (".dockerignore", "**/*.key\n*.md\n!keep/b.md\n"),
            (
                "Dockerfile",
                &format!(
                    "FROM {img} AS build\n\
                     COPY keep /src/\n\
                     RUN ls /src > /listing && chown 7:8 /listing\n\
                     FROM {img} AS unused\n\
                     RUN exit 3\n\
                     FROM {img}\n\
                     COPY --from=build /listing /listing\n\
                     COPY --from=0 /src/a.txt /a\n\
                     COPY *.txt /txt/\n\
                     CMD [\"cat\", \"/listing\"]\n"
                ),
            ),
        ],
    );
    // A context file's owner on the host does not reach the image.
    std::os::unix::fs::chown(ctx.path().join("keep/a.txt"), Some(1234), Some(1234)).unwrap();
    let dir = ctx.path().to_str().unwrap();
    let (code, _, err) = build(&s, &["-t", "multi", dir]);
    assert_eq!(code, 0, "the unused stage is not built: {err}");
    assert_eq!(
        s.ok(&["run", "--rm", "--network", "none", "multi"]),
        "a.txt\nb.md\n"
    );
    assert_eq!(
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "multi",
            "sh",
            "-c",
            "cat /a; ls /txt; test -e /src || echo no-src; stat -c %u:%g /listing /a /txt/top.txt"
        ]),
        "a\ntop.txt\nno-src\n7:8\n0:0\n0:0\n",
        "context files belong to root; a stage's keep their owners"
    );
    // --target stops at a stage.
    let (code, _, err) = build(&s, &["--target", "build", "-t", "first", dir]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "first",
            "cat",
            "/listing"
        ]),
        "a.txt\nb.md\n"
    );
    let (code, _, err) = build(&s, &["--target", "unused", dir]);
    assert_eq!(code, 1);
    assert!(
        err.contains("ERROR: failed to solve: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3"),
        "{err}"
    );
    assert_eq!(
        s.ok(&["ps", "-aq"]),
        "",
        "the failed step's container is gone"
    );
}

#[test]
fn bad_dockerfiles_name_the_line() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    let dir = ctx.path().to_str().unwrap();
    write(
        ctx.path(),
        &[("Dockerfile", &format!("FROM {img}\nBOGUS x\n"))],
    );
    let (code, _, err) = build(&s, &[dir]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end().lines().last().unwrap(),
        "ERROR: failed to solve: dockerfile parse error on line 2: unknown instruction: BOGUS"
    );
    write(
        ctx.path(),
        &[("Dockerfile", &format!("FROM {img}\nCOPY missing.txt /\n"))],
    );
    let (code, _, err) = build(&s, &[dir]);
    assert_eq!(code, 1);
    assert!(err.contains("\"missing.txt\": not found"), "{err}");
    // A symlink can't lead a COPY out of the context.
    std::fs::write(ctx.path().join("../outside-secret"), "secret").ok();
    std::os::unix::fs::symlink("/etc/shadow", ctx.path().join("escape")).unwrap();
    write(
        ctx.path(),
        &[("Dockerfile", &format!("FROM {img}\nCOPY escape /got\n"))],
    );
    let (code, _, err) = build(&s, &[dir]);
    assert_eq!(code, 1, "/etc/shadow is not in the context: {err}");
    // Dockerfile from stdin (-f -).
    let out = s
        .cmd()
        .args(["build", "--network", "none", "-q", "-f", "-", dir])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(format!("FROM {img}\nENV FROM_STDIN=1\n").as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());
    let id = String::from_utf8(out.stdout).unwrap();
    let env = s.ok(&["image", "inspect", "-f", "{{json .Config.Env}}", id.trim()]);
    assert!(env.contains("FROM_STDIN=1"), "{env}");
}

/// ADD unpacks a local archive and fetches a URL (checked with
/// --checksum); ONBUILD triggers run when the image is a base.
#[test]
fn add_archives_urls_and_onbuild_triggers() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    // A gzipped tar in the context.
    let mut tb = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o755);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(3);
    h.set_entry_type(tar::EntryType::Regular);
    tb.append_data(&mut h, "pkg/bin/tool", &b"hi\n"[..])
        .unwrap();
    std::fs::write(
        ctx.path().join("pkg.tar.gz"),
        tb.into_inner().unwrap().finish().unwrap(),
    )
    .unwrap();
    let body = b"remote file\n".to_vec();
    let sum = format!("sha256:{}", sha256_hex(&body));
    let (port, server) = serve_once(body);
    write(
        ctx.path(),
        &[(
            "Dockerfile",
            &format!(
                "FROM {img}\n\
                 ADD pkg.tar.gz /opt/\n\
                 ADD --checksum={sum} http://127.0.0.1:{port}/files/remote.txt /dl/\n\
                 ONBUILD RUN echo from-trigger > /trigger\n"
            ),
        )],
    );
    let dir = ctx.path().to_str().unwrap();
    let (code, _, err) = build(&s, &["-t", "withadd", dir]);
    assert_eq!(code, 0, "{err}");
    server.join().unwrap();
    let out = s.ok(&[
        "run", "--rm", "--network", "none", "withadd", "sh", "-c",
        "cat /opt/pkg/bin/tool /dl/remote.txt; stat -c %a /opt/pkg/bin/tool /dl/remote.txt; test -e /opt/pkg.tar.gz || echo unpacked",
    ]);
    assert_eq!(out, "hi\nremote file\n755\n600\nunpacked\n");
    // A wrong checksum fails the build.
    let (port, server) = serve_once(b"tampered\n".to_vec());
    write(
        ctx.path(),
        &[(
            "Dockerfile",
            &format!("FROM {img}\nADD --checksum={sum} http://127.0.0.1:{port}/x /x\n"),
        )],
    );
    let (code, _, err) = build(&s, &[dir]);
    server.join().unwrap();
    assert_eq!(code, 1);
    assert!(err.contains("digest mismatch"), "{err}");
    // The trigger runs in a build FROM the image, and is not passed on.
    write(
        ctx.path(),
        &[("Dockerfile", "FROM withadd\nRUN cat /trigger\n")],
    );
    let (code, _, err) = build(&s, &["-t", "child", dir]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("ONBUILD RUN echo from-trigger"), "{err}");
    let on_build = s.ok(&[
        "image",
        "inspect",
        "-f",
        "{{json .Config.OnBuild}}",
        "child",
    ]);
    assert!(!on_build.contains("trigger"), "{on_build}");
}

/// A build SIGKILLed in the middle of a RUN leaves a container behind;
/// the next build removes it, and the store is fine.
#[test]
fn a_killed_build_is_cleaned_up_by_the_next() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[(
            "Dockerfile",
            &format!("FROM {img}\nRUN touch /started; sleep 30\n"),
        )],
    );
    let dir = ctx.path().to_str().unwrap();
    let mut child = s
        .cmd()
        .args(["build", "--network", "none", dir])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until(std::time::Duration::from_secs(20), || {
        !s.ok(&["ps", "-q"]).is_empty()
    }));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        s.ok(&["ps", "-aq"]).lines().count(),
        1,
        "the RUN's container is left"
    );
    write(
        ctx.path(),
        &[("Dockerfile", &format!("FROM {img}\nRUN true\n"))],
    );
    let (code, _, err) = build(&s, &["--network", "none", dir]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s.ok(&["ps", "-aq"]), "", "the next build removed it");
    let (code, out, _) = s.run(&["system", "check"]);
    assert_eq!(code, 0, "{out}");
}

/// BuildKit's RUN mounts: a cache kept across builds, binds from the
/// context and a stage, a tmpfs, and a secret that reaches the command but
/// no layer.
#[test]
fn run_mounts_cache_bind_tmpfs_and_secret() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "s3cr3t-value").unwrap();
    write(
        ctx.path(),
        &[
            ("src/input", "bound\n"),
            (
                "Dockerfile",
                &format!(
                    "FROM {img} AS base\nRUN echo from-stage > /made\n\
                     FROM {img}\n\
                     RUN --mount=type=cache,target=/cache,id=c1 echo run >> /cache/log && cat /cache/log | wc -l > /count\n\
                     RUN --mount=type=bind,source=src,target=/in cat /in/input > /copied\n\
                     RUN --mount=type=bind,from=base,source=/made,target=/m cp /m /from-stage\n\
                     RUN --mount=type=tmpfs,target=/scratch echo t > /scratch/x && ls /scratch > /tmpfs-listing\n\
                     RUN --mount=type=secret,id=tok,required cat /run/secrets/tok | wc -c > /secret-len\n"
                ),
            ),
        ],
    );
    let dir = ctx.path().to_str().unwrap();
    let sec = format!("id=tok,src={}", secret.path().display());
    let (code, _, err) = build(
        &s,
        &["--network", "none", "--secret", &sec, "-t", "mounted", dir],
    );
    assert_eq!(code, 0, "{err}");
    let out = s.ok(&[
        "run", "--rm", "--network", "none", "mounted", "sh", "-c",
        "cat /count /copied /from-stage /tmpfs-listing /secret-len; ls /cache /in /scratch 2>/dev/null | wc -l; cat /run/secrets/tok 2>&1 | head -c 60",
    ]);
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    assert_eq!(
        &lines[..5],
        ["1", "bound", "from-stage", "x", "12"],
        "{out}"
    );
    assert_eq!(lines[5], "0", "mounts leave nothing in the image: {out}");
    assert!(!out.contains("s3cr3t"), "{out}");
    // The secret is in no layer, nor in the image's config or history.
    let saved = s.cmd().args(["save", "mounted"]).output().unwrap();
    assert!(saved.status.success());
    assert!(!String::from_utf8_lossy(&saved.stdout).contains("s3cr3t-value"));
    // The cache mount outlives the build: a rebuild without the step's
    // cache appends to it.
    let (code, _, err) = build(
        &s,
        &[
            "--network",
            "none",
            "--no-cache",
            "--secret",
            &sec,
            "-t",
            "again",
            dir,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        s.ok(&["run", "--rm", "--network", "none", "again", "cat", "/count"])
            .trim(),
        "2"
    );
    // A required secret that is not given fails the build.
    let (code, _, err) = build(&s, &["--network", "none", "--no-cache", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("secret tok"), "{err}");
}

/// `-o type=local` and `type=tar` export the result's files; a predefined
/// proxy arg reaches RUN without an ARG and stays out of the image; a
/// heredoc with a shebang runs as a script.
#[test]
fn outputs_proxy_args_and_script_heredocs() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[(
            "Dockerfile",
            &format!(
                "FROM {img}\n\
                 RUN echo \"proxy=$HTTP_PROXY\" > /proxy\n\
                 RUN <<EOF\n\
                 #!/bin/busybox sh\n\
                 echo scripted > /script-out\n\
                 EOF\n"
            ),
        )],
    );
    let dir = ctx.path().to_str().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let local = out_dir.path().join("fs");
    let (code, _, err) = build(
        &s,
        &[
            "--build-arg",
            "HTTP_PROXY=http://127.0.0.1:3128",
            "-o",
            &format!("type=local,dest={}", local.display()),
            "-t",
            "exported",
            dir,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(local.join("proxy")).unwrap(),
        "proxy=http://127.0.0.1:3128\n"
    );
    assert_eq!(
        std::fs::read_to_string(local.join("script-out")).unwrap(),
        "scripted\n"
    );
    assert!(local.join("bin/busybox").exists());
    let hist = s.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        "exported",
    ]);
    assert!(!hist.contains("3128"), "{hist}");
    let env = s.ok(&["image", "inspect", "-f", "{{json .Config.Env}}", "exported"]);
    assert!(!env.contains("PROXY"), "{env}");
    let tar_path = out_dir.path().join("fs.tar");
    let (code, _, err) = build(
        &s,
        &["-o", &format!("type=tar,dest={}", tar_path.display()), dir],
    );
    assert_eq!(code, 0, "{err}");
    let names: Vec<String> = tar::Archive::new(std::fs::File::open(&tar_path).unwrap())
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.iter().any(|n| n.ends_with("script-out")), "{names:?}");
}

/// The context as a tar on stdin (`build -`), and a `-f` Dockerfile's own
/// `<name>.dockerignore` beside it, which wins over the context's.
#[test]
fn stdin_context_and_dockerfile_specific_ignore() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    // A tar context on stdin.
    let mut tb = tar::Builder::new(Vec::new());
    for (name, body) in [
        ("Dockerfile", format!("FROM {img}\nCOPY . /ctx/\n")),
        ("a.txt", "a\n".to_owned()),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(body.len() as u64);
        tb.append_data(&mut h, name, body.as_bytes()).unwrap();
    }
    let tar_bytes = tb.into_inner().unwrap();
    let out = s
        .cmd()
        .args(["build", "--network", "none", "-q", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&tar_bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        s.ok(&["run", "--rm", "--network", "none", id.trim(), "ls", "/ctx"]),
        "Dockerfile\na.txt\n"
    );
    // -f build/app.Dockerfile reads build/app.Dockerfile.dockerignore.
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[
            ("keep.txt", "k\n"),
            ("drop.txt", "d\n"),
            ("other.txt", "o\n"),
            (".dockerignore", "other.txt\n"),
            (
                "build/app.Dockerfile",
                &format!("FROM {img}\nCOPY . /ctx/\n"),
            ),
            ("build/app.Dockerfile.dockerignore", "drop.txt\nbuild\n"),
        ],
    );
    let df = ctx.path().join("build/app.Dockerfile");
    let (code, out, err) = build(
        &s,
        &[
            "-q",
            "-f",
            df.to_str().unwrap(),
            ctx.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            out.trim(),
            "ls",
            "-A",
            "/ctx"
        ]),
        ".dockerignore\nkeep.txt\nother.txt\n"
    );
}

/// Ctrl-C (SIGINT) cancels a build: the RUN's container is killed and
/// removed before the build exits, with docker's words.
#[test]
fn an_interrupted_build_removes_its_container() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[("Dockerfile", &format!("FROM {img}\nRUN sleep 30\n"))],
    );
    let child = s
        .cmd()
        .args(["build", "--network", "none", ctx.path().to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_until(std::time::Duration::from_secs(20), || {
        !s.ok(&["ps", "-q"]).is_empty()
    }));
    let t0 = std::time::Instant::now();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert!(t0.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ERROR: failed to solve: Canceled: context canceled"),
        "{err}"
    );
    assert_eq!(s.ok(&["ps", "-aq"]), "", "no container is left");
}

/// Independent stages build at once: each of two stages waits (through a
/// shared cache mount) until the other has started, which only works if
/// they run side by side; the final stage gets both.
#[test]
fn independent_stages_build_in_parallel() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let wait_for = |me: &str, other: &str| {
        format!(
            "RUN --mount=type=cache,target=/sync,id=sync touch /sync/{me} && i=0; \
             while [ ! -e /sync/{other} ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done; \
             test -e /sync/{other} && echo {me} > /{me}"
        )
    };
    let ctx = tempfile::tempdir().unwrap();
    write(
        ctx.path(),
        &[(
            "Dockerfile",
            &format!(
                "FROM {img} AS a\n{}\nFROM {img} AS b\n{}\nFROM {img}\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n",
                wait_for("a", "b"),
                wait_for("b", "a")
            ),
        )],
    );
    let (code, _, err) = build(&s, &["-t", "par", ctx.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        s.ok(&["run", "--rm", "--network", "none", "par", "cat", "/a", "/b"]),
        "a\nb\n"
    );
    // Each step's lines carry its own #N.
    let ids: std::collections::BTreeSet<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert!(ids.len() >= 6, "{err}");
}
