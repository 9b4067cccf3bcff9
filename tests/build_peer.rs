//! The same Dockerfiles built by skiff and by podman (the peer, run only
//! through `../shared/peer/fixtures.sh`, in its safe namespace): the image
//! config fields where the two should agree are compared.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

fn fixtures() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer/fixtures.sh");
    p.exists().then_some(p)
}

/// Brings the peer's fixtures down at the end, even on failure.
struct Down(PathBuf);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(&self.0)
            .args(["down", "--force"])
            .output();
    }
}

fn peer(f: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("bash").arg(f).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The fields of an image config that a build sets and both builders
/// should write alike. (OnBuild is not among them: podman's inspect shows
/// an OCI config, which has no such field; tests/build.rs checks it.)
const FIELDS: &[&str] = &[
    "Cmd",
    "Entrypoint",
    "Env",
    "ExposedPorts",
    "Labels",
    "StopSignal",
    "User",
    "Volumes",
    "WorkingDir",
];

fn normalized(v: &Value) -> Value {
    match v {
        // An empty list or map and none are the same thing to a user.
        Value::Array(a) if a.is_empty() => Value::Null,
        Value::Object(o) if o.is_empty() => Value::Null,
        v => v.clone(),
    }
}

const DOCKERFILES: &[(&str, &str)] = &[
    (
        "env-and-label",
        "ENV A=1 B=\"two words\"\nENV C=${A}x\nLABEL k=v \"x y\"=z\n",
    ),
    (
        "workdir-user",
        "WORKDIR /srv\nWORKDIR app\nUSER 1000:1000\n",
    ),
    (
        "ports-volumes",
        "EXPOSE 80 53/udp\nVOLUME /data /logs\nVOLUME [\"/cache\"]\n",
    ),
    ("cmd-shell-form", "CMD echo hi\n"),
    (
        "cmd-exec-entrypoint",
        "CMD [\"-c\", \"echo hi\"]\nENTRYPOINT [\"sh\"]\n",
    ),
    (
        "entrypoint-resets-cmd",
        "ENTRYPOINT [\"/bin/sh\", \"-c\"]\n",
    ),
    (
        "stopsignal-onbuild",
        "STOPSIGNAL SIGQUIT\nONBUILD RUN echo hi\n",
    ),
    (
        "arg-expansion",
        "ARG V=1.2\nENV VERSION=$V DEFAULTED=${MISSING:-fallback}\nLABEL version=\"$V\"\n",
    ),
    (
        "run-and-copy",
        "RUN echo x > /x\nCOPY f /f\nCMD [\"cat\", \"/f\"]\n",
    ),
];

#[test]
fn image_configs_agree_with_podmans_builds() {
    let Some(f) = fixtures() else {
        skip("../shared/peer/fixtures.sh is not beside the repository");
        return;
    };
    if !is_root() {
        skip("the peer fixtures need root");
        return;
    }
    let (ok, _, err) = peer(&f, &["up"]);
    let _down = Down(f.clone());
    assert!(ok, "fixtures up: {err}");
    let base = "localhost:5000/library/busybox";
    let s = Skiff::new();
    let ours_base = "127.0.0.1:5000/library/busybox";
    s.ok(&["pull", "-q", ours_base]);
    let mut differences = Vec::new();
    for (name, body) in DOCKERFILES {
        let ctx = tempfile::tempdir().unwrap();
        std::fs::write(ctx.path().join("f"), "file\n").unwrap();
        let df = |b: &str| format!("FROM {b}\n{body}");
        std::fs::write(ctx.path().join("Dockerfile"), df(ours_base)).unwrap();
        let tag = format!("peer-cmp-{name}");
        let dir = ctx.path().to_str().unwrap();
        let (code, _, err) = s.run(&["build", "--network", "none", "-t", &tag, dir]);
        assert_eq!(code, 0, "{name}: {err}");
        let ours: Value = serde_json::from_str(&s.ok(&["image", "inspect", &tag])).unwrap();
        std::fs::write(ctx.path().join("Dockerfile"), df(base)).unwrap();
        let (ok, _, err) = peer(
            &f,
            &[
                "podman",
                "build",
                "-q",
                "--network",
                "none",
                "-t",
                &tag,
                dir,
            ],
        );
        assert!(ok, "podman build {name}: {err}");
        let (ok, out, err) = peer(&f, &["podman", "image", "inspect", &tag]);
        assert!(ok, "podman inspect {name}: {err}");
        let theirs: Value = serde_json::from_str(&out).unwrap();
        let _ = peer(&f, &["podman", "rmi", "-f", &tag]);
        for field in FIELDS {
            let a = normalized(&ours[0]["Config"][field]);
            let mut b = normalized(&theirs[0]["Config"][field]);
            if *field == "Labels" {
                // podman adds its base image's labels and io.buildah.version.
                if let Value::Object(o) = &mut b {
                    o.retain(|k, _| !k.starts_with("io.buildah"));
                }
                b = normalized(&b);
            }
            if a != b {
                differences.push(format!("{name}: {field}: skiff {a} podman {b}"));
            }
        }
        let layers = |v: &Value| v[0]["RootFS"]["Layers"].as_array().map(Vec::len);
        if layers(&ours) != layers(&theirs) {
            differences.push(format!(
                "{name}: layer count: skiff {:?} podman {:?}",
                layers(&ours),
                layers(&theirs)
            ));
        }
    }
    assert!(differences.is_empty(), "{differences:#?}");
}
