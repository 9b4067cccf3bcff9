//! Containers without a running process: create, ps, inspect, rm, names.

mod common;

use common::*;
use serde_json::{json, Value};

fn setup() -> (Registry, Skiff, String) {
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    oci_layout(
        layout.path(),
        "latest",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        json!({"from": "image"}),
    );
    let name = format!("{}/busybox:latest", reg.host());
    push(layout.path(), "latest", &name, &[]);
    (reg, Skiff::new(), name)
}

#[test]
fn create_pulls_missing_image_then_ps_inspect_rm() {
    require!("docker-registry", "skopeo");
    let (_reg, s, img) = setup();
    let (code, id, err) = s.run(&[
        "create",
        "--name",
        "web",
        "-e",
        "A=1",
        "-l",
        "tier=front",
        &img,
        "sh",
        "-c",
        "echo hi; sleep 1000",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with(&format!("Unable to find image '{img}' locally\n")),
        "{err}"
    );
    let id = id.trim().to_owned();
    assert_eq!(id.len(), 64);
    assert_eq!(
        s.ok(&["ps", "-q"]),
        "",
        "created containers are not running"
    );
    assert_eq!(s.ok(&["ps", "-aq"]), format!("{}\n", &id[..12]));
    let table = s.ok(&["ps", "-a"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("CONTAINER ID   IMAGE"), "{table}");
    assert!(
        lines[0].contains("COMMAND") && lines[0].ends_with("NAMES"),
        "{table}"
    );
    // docker's daemon quotes an argument with a space; 19 chars + "…".
    assert!(lines[1].contains("\"sh -c 'echo hi; sle…\""), "{table}");
    assert!(
        lines[1].contains(" Created ") && lines[1].ends_with(" web"),
        "{table}"
    );

    let v: Value = serde_json::from_str(&s.ok(&["inspect", "web"])).unwrap();
    let c = &v[0];
    assert_eq!(c["Id"], id);
    assert_eq!(c["Name"], "/web");
    assert_eq!(c["Path"], "sh");
    assert_eq!(c["Args"], json!(["-c", "echo hi; sleep 1000"]));
    assert_eq!(c["State"]["Status"], "created");
    assert_eq!(c["State"]["Running"], false);
    assert_eq!(
        c["Config"]["Env"],
        // docker's order: the user's -e values, then the image's.
        json!([
            "A=1",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        ])
    );
    assert_eq!(
        c["Config"]["Labels"],
        json!({"from": "image", "tier": "front"})
    );
    assert_eq!(c["Config"]["Hostname"], &id[..12]);
    assert_eq!(
        s.ok(&[
            "container",
            "inspect",
            "-f",
            "{{.State.Status}} {{.Config.Cmd}}",
            &id[..6]
        ]),
        "created [sh -c echo hi; sleep 1000]\n"
    );
    assert_eq!(
        s.ok(&[
            "ps",
            "-a",
            "--format",
            "{{.Names}} {{.Label \"tier\"}} {{.State}}"
        ]),
        "web front created\n"
    );
    assert_eq!(s.ok(&["ps", "-a", "-f", "label=tier=back", "-q"]), "");
    assert_eq!(
        s.ok(&["ps", "-a", "-f", "name=we", "--format", "{{.Names}}"]),
        "web\n"
    );
    assert_eq!(
        s.ok(&["ps", "-a", "-f", "status=created", "--format", "{{.Names}}"]),
        "web\n"
    );
    assert_eq!(
        s.ok(&["ps", "-a", "-f", "ancestor=", "--format", "{{.Names}}"]),
        ""
    );

    // The image stays while a container uses it.
    // By its last name, docker's daemon names the reference; by id, the
    // container's state.
    let err = s.fails(1, &["rmi", &img]);
    assert!(
        err.starts_with(&format!(
            "Error: conflict: unable to remove repository reference {img:?} (must force) - container "
        )),
        "{err}"
    );
    let iid = s.ok(&["images", "-q", &img]);
    let err = s.fails(1, &["rmi", iid.trim()]);
    assert!(
        err.contains("image is being used by stopped container"),
        "{err}"
    );

    assert_eq!(s.ok(&["rm", "web"]), "web\n");
    assert_eq!(s.ok(&["ps", "-aq"]), "");
    assert_eq!(
        s.fails(1, &["rm", "web"]),
        "Error: No such container: web\n"
    );
    assert_eq!(
        s.ok(&["rm", "-f", "web"]),
        "",
        "rm -f of a missing container is not an error"
    );
    s.ok(&["rmi", &img]);
}

#[test]
fn cmd_and_entrypoint_semantics() {
    require!("docker-registry", "skopeo");
    let (_reg, s, img) = setup();
    s.ok(&["pull", "-q", &img]);
    let inspect = |name: &str| -> (Value, Value) {
        let v: Value = serde_json::from_str(&s.ok(&["inspect", name])).unwrap();
        (v[0]["Path"].clone(), v[0]["Args"].clone())
    };
    s.ok(&["create", "--name", "ca", &img]);
    assert_eq!(inspect("ca"), (json!("sh"), json!([])), "image CMD");
    s.ok(&["create", "--name", "cb", &img, "echo", "x"]);
    assert_eq!(inspect("cb"), (json!("echo"), json!(["x"])));
    s.ok(&[
        "create",
        "--name",
        "cc",
        "--entrypoint",
        "/bin/echo",
        &img,
        "y",
    ]);
    assert_eq!(inspect("cc"), (json!("/bin/echo"), json!(["y"])));
    s.ok(&["create", "--name", "cd", "--entrypoint", "/bin/true", &img]);
    assert_eq!(
        inspect("cd"),
        (json!("/bin/true"), json!([])),
        "--entrypoint drops the image CMD"
    );
    let err = s.fails(125, &["create", "--entrypoint", "", &img]);
    assert_eq!(
        run_error(&err).trim_start_matches("Error: "),
        "No command specified"
    );
    let err = s.fails(125, &["create", "--restart", "sometimes", &img]);
    assert!(err.contains("invalid restart policy"), "{err}");
    let err = s.fails(125, &["create", "--rm", "--restart", "always", &img]);
    assert!(
        err.contains("conflicting options: cannot specify both --restart and --rm"),
        "{err}"
    );
    // Accepted only where they work.
    let err = s.fails(125, &["create", "--restart", "always", &img]);
    assert!(
        err.contains("--restart always") && err.contains("not implemented"),
        "{err}"
    );
    let err = s.fails(125, &["create", "--log-driver", "syslog", &img]);
    assert!(err.contains("--log-driver syslog"), "{err}");
    let err = s.fails(125, &["create", "--log-opt", "max-sise=1m", &img]);
    assert_eq!(
        run_error(&err).trim_start_matches("Error: "),
        "unknown log opt 'max-sise' for json-file log driver"
    );
    let err = s.fails(
        125,
        &["create", "--log-driver", "none", "--log-opt", "tag=x", &img],
    );
    assert_eq!(
        run_error(&err).trim_start_matches("Error: "),
        "invalid logging opts for driver none"
    );
    let err = s.fails(125, &["create", "--name", "x", &img]);
    assert!(
        err.contains("Invalid container name (x)"),
        "docker needs two characters: {err}"
    );
    let err = s.fails(125, &["create", "--name", "bad name", &img]);
    assert!(err.contains("Invalid container name (bad name)"), "{err}");
    let err = s.fails(125, &["create", "--security-opt", "foo", &img]);
    assert_eq!(
        run_error(&err).trim_start_matches("Error: "),
        "Invalid --security-opt: \"foo\""
    );
    let err = s.fails(
        125,
        &["create", "--security-opt", "no-new-privileges=maybe", &img],
    );
    assert!(err.contains("invalid --security-opt 2"), "{err}");
    let err = s.fails(125, &["create", "-m", "lots", &img]);
    assert!(err.contains("--memory"), "{err}");
    let err = s.fails(125, &["create", "--pull", "never", "127.0.0.1:1/none:x"]);
    assert_eq!(
        run_error(&err).trim_start_matches("Error: "),
        "No such image: 127.0.0.1:1/none:x"
    );
    assert_eq!(
        s.ok(&["ps", "-a", "--format", "{{.Names}}"])
            .lines()
            .count(),
        4,
        "failed creates leave nothing"
    );
    let names = std::fs::read_dir(s.root().join("names")).unwrap().count();
    assert_eq!(names, 4, "failed creates leave no name reservation");
}

#[test]
fn podman_style_rm_flags() {
    require!("docker-registry", "skopeo");
    let (_reg, s, img) = setup();
    s.ok(&["pull", "-q", &img]);
    for n in ["r1", "r2", "r3"] {
        s.ok(&["create", "--name", n, &img]);
    }
    // --ignore: a missing name is no error, the others still go.
    assert_eq!(s.ok(&["rm", "--ignore", "nosuch", "r1"]), "r1\n");
    let err = s.fails(1, &["rm", "nosuch"]);
    assert!(err.contains("No such container: nosuch"), "{err}");
    // --all (with podman's -t 0 -f): every container.
    let out = s.ok(&["rm", "-t", "0", "--all", "--force", "--ignore"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(s.ok(&["ps", "-aq"]), "");
    assert_eq!(s.ok(&["rm", "-a"]), "", "nothing left, nothing to do");
    let err = s.fails(125, &["rm", "-a", "r2"]);
    assert!(err.contains("cannot be used with"), "{err}");
    // ps --external is accepted (skiff has no external containers).
    assert_eq!(s.ok(&["ps", "--all", "--external", "-q"]), "");
}

#[test]
fn hundred_parallel_creates_one_name_one_winner() {
    require!("docker-registry", "skopeo");
    let (_reg, s, img) = setup();
    s.ok(&["pull", "-q", &img]);
    let kids: Vec<_> = (0..100)
        .map(|_| {
            s.cmd()
                .args(["create", "--name", "same", &img])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut won, mut lost) = (0, 0);
    for k in kids {
        let out = k.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => won += 1,
            Some(125) => {
                assert!(
                    err.contains("The container name \"/same\" is already in use"),
                    "{err}"
                );
                assert!(
                    run_error(&err).starts_with("Conflict. The container name"),
                    "{err}"
                );
                lost += 1;
            }
            other => panic!("unexpected exit {other:?}: {err}"),
        }
    }
    assert_eq!((won, lost), (1, 99));
    assert_eq!(s.ok(&["ps", "-a", "--format", "{{.Names}}"]), "same\n");
    let dirs = std::fs::read_dir(s.root().join("containers"))
        .unwrap()
        .count();
    assert_eq!(dirs, 1, "losers leave no container dir");
}

#[test]
fn run_attach_replace_and_create_warnings() {
    let (_reg, s, img) = setup();
    s.ok(&["pull", "-q", &img]);
    let script = "echo out; echo err >&2";
    // docker's -a: only the listed streams reach the terminal.
    let (code, out, err) = s.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-a",
        "stderr",
        &img,
        "sh",
        "-c",
        script,
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", "err\n"));
    let (code, out, err) = s.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-a",
        "stdin",
        &img,
        "sh",
        "-c",
        script,
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let (code, out, err) = s.run(&["run", "--rm", "--network", "none", &img, "sh", "-c", script]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "out\n", "err\n"));
    s.ok(&["create", "--name", "att", "-a", "stdout", &img, "true"]);
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}",
            "att"
        ]),
        "false true false\n"
    );

    // podman's --replace: the old container of that name goes first.
    let old = s.ok(&["inspect", "-f", "{{.Id}}", "att"]);
    let new = s.ok(&["create", "--replace", "--name", "att", &img, "true"]);
    assert_ne!(old, new);
    assert_eq!(s.ok(&["ps", "-aq", "--no-trunc"]), new);
    let err = s.fails(1, &["rm", old.trim()]);
    assert!(err.contains("No such container"), "{err}");
    s.ok(&["rm", "att"]);

    // The daemon's warnings, as docker's CLI prints them.
    let (code, out, err) = s.run(&[
        "run",
        "--rm",
        "--network",
        "host",
        "-p",
        "8080:80",
        "--kernel-memory",
        "4m",
        &img,
        "true",
    ]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(
        err,
        "WARNING: Specifying a kernel memory limit is deprecated and will be removed in a future release.\n\
         WARNING: Published ports are discarded when using host network mode\n"
    );
}

#[test]
fn detached_run_attaches_nothing_and_ps_refuses_unknown_fields() {
    let (_reg, s, img) = setup();
    s.ok(&["pull", "-q", &img]);
    s.ok(&[
        "run",
        "-d",
        "-i",
        "--name",
        "det",
        "--network",
        "none",
        &img,
        "true",
    ]);
    s.ok(&["wait", "det"]);
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}} {{.Config.OpenStdin}}",
            "det"
        ]),
        "false false false true\n"
    );
    // docker's ps formats a Go type: a field it lacks is an error.
    let err = s.fails(1, &["ps", "-a", "--format", "{{.NoSuchField}}"]);
    assert_eq!(
        err,
        "failed to execute template: template: :1:2: executing \"\" at <.NoSuchField>: can't evaluate field NoSuchField in type *formatter.ContainerContext\n"
    );
    assert_eq!(
        s.ok(&["ps", "-a", "--format", "{{.Names}} {{.Label \"x\"}}"]),
        "det \n"
    );
    // inspect: .ID is the Id, a missing struct field is an error, a map's
    // missing key is no value.
    let id = s.ok(&["inspect", "-f", "{{.Id}}", "det"]);
    assert_eq!(s.ok(&["inspect", "-f", "{{.ID}}", "det"]), id);
    let err = s.fails(1, &["inspect", "-f", "{{.Nope}}", "det"]);
    assert_eq!(
        err,
        "template parsing error: template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\"\n"
    );
    assert_eq!(
        s.ok(&["inspect", "-f", "{{.Config.Labels.nope}}", "det"]),
        "<no value>\n"
    );
    let (code, out, err) = s.run(&["inspect", "-f", "{{.Id", "det"]);
    assert_eq!((code, out.as_str()), (64, ""));
    assert_eq!(
        err,
        "template parsing error: template: :1: unclosed action\n"
    );
    s.ok(&["rm", "det"]);
}
