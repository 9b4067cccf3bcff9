//! The differential suite: every case of tests/compat/cases/ is run
//! against skiff and compared, after normalisation, with what the real
//! docker printed for it (recorded by scripts/compat-record.sh, checked in
//! under tests/compat/expected/). The rule (tests/compat/README.md): the
//! set of failing cases must be exactly tests/compat/known-failures.txt,
//! and at least 150 cases must pass.
//!
//! `COMPAT_CASES=substr` runs only the cases whose name contains it (the
//! list check is then skipped); `COMPAT_VERBOSE=1` prints the diff of
//! known failures too; `COMPAT_ACCEPT=1` writes skiff's output as the
//! expectation of cases marked `differs:`; `COMPAT_UPDATE_KNOWN=1` drops
//! the cases that now pass from known-failures.txt (new failures are
//! never added: each needs its reason written by hand).

mod common;
#[path = "compat/corpus.rs"]
mod corpus;
#[path = "compat/normalise.rs"]
mod normalise;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use corpus::{Case, Outcome};
use normalise::{normalise, Ids, Side};

/// The registry the recorded docker pulled from.
const DOCKER_REGISTRY: &str = "localhost:5000";
const MIN_PASSING: usize = 150;

/// The store and registry every case shares (cases clean up after
/// themselves; the runner checks they did).
struct World {
    _reg: Registry,
    s: Skiff,
    registry: String,
}

fn world() -> Option<World> {
    if !is_root() {
        skip("the compat suite runs real containers: root only");
        return None;
    }
    if !have("docker-registry") || !have("skopeo") {
        skip("docker-registry/skopeo not installed (make test-deps)");
        return None;
    }
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    oci_layout(
        layout.path(),
        "latest",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        serde_json::json!(null),
    );
    let registry = reg.host();
    push(
        layout.path(),
        "latest",
        &format!("{registry}/library/busybox:latest"),
        &[],
    );
    let s = Skiff::new();
    s.ok(&["pull", "-q", &format!("{registry}/library/busybox")]);
    Some(World {
        _reg: reg,
        s,
        registry,
    })
}

impl Drop for World {
    /// What the cases' bridge networks leave on the host once the last
    /// container is gone (as TestEnv does).
    fn drop(&mut self) {
        drop_skiff_table();
        remove_default_bridge();
    }
}

/// One shell line with `docker` bound to skiff on the world's store.
fn sh(w: &World, line: &str, cwd: &Path) -> Outcome {
    let prelude =
        "docker() { \"$SKIFF_BIN\" --root \"$SKIFF_T_ROOT\" --runroot \"$SKIFF_T_RUN\" \"$@\"; }\n";
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{line}"))
        .current_dir(cwd)
        .env("SKIFF_BIN", env!("CARGO_BIN_EXE_skiff"))
        .env("SKIFF_T_ROOT", w.s.root())
        .env("SKIFF_T_RUN", w.s.dir.path().join("run"))
        .env("HOME", w.s.home())
        .env("XDG_RUNTIME_DIR", w.s.dir.path().join("xdg"))
        .env("BUSYBOX", format!("{}/library/busybox", w.registry))
        .env("REGISTRY", &w.registry)
        .env("TINY", corpus::dir().join("fixtures/tiny.tar"))
        .env_remove("DOCKER_CONFIG")
        .env_remove("SKIFF_ROOT")
        .env_remove("SKIFF_RUNROOT")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Outcome {
        cmd: line.to_string(),
        exit: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a case: setup, the compared commands, teardown (always).
fn run_case(w: &World, case: &Case) -> Result<Vec<Outcome>, String> {
    let cwd = tempfile::tempdir().unwrap();
    let mut setup_err = None;
    for line in &case.setup {
        let o = sh(w, line, cwd.path());
        if o.exit != 0 {
            setup_err = Some(format!("setup `{line}` failed ({}): {}", o.exit, o.stderr));
            break;
        }
    }
    let got = match setup_err {
        Some(_) => Vec::new(),
        None => case.cmds.iter().map(|c| sh(w, c, cwd.path())).collect(),
    };
    for line in &case.teardown {
        sh(w, line, cwd.path());
    }
    let left = leftovers(w);
    match (setup_err, left.is_empty()) {
        (Some(e), _) => Err(e),
        (None, false) => Err(format!("the case left behind: {left}")),
        (None, true) => Ok(got),
    }
}

/// Containers, custom networks and images a case did not remove
/// (removed here, so the next case starts clean).
fn leftovers(w: &World) -> String {
    let mut left = Vec::new();
    for id in w.s.run(&["ps", "-aq", "--no-trunc"]).1.lines() {
        left.push(format!("container {id}"));
        w.s.run(&["rm", "-f", id]);
    }
    let nets = w.s.run(&["network", "ls", "-q", "-f", "type=custom"]).1;
    for n in nets.lines() {
        left.push(format!("network {n}"));
        w.s.run(&["network", "rm", n]);
    }
    let base = format!("{}/library/busybox:latest", w.registry);
    let images =
        w.s.run(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .1;
    for i in images.lines().filter(|i| *i != base) {
        left.push(format!("image {i}"));
        w.s.run(&["rmi", "-f", i]);
    }
    left.join(", ")
}

/// Both sides normalised, one text per side, for comparison and diffing.
fn render(outcomes: &[Outcome], side: &Side) -> String {
    let mut ids = Ids::default();
    let mut t = String::new();
    for o in outcomes {
        t.push_str(&format!("$ {}\nexit {}\n", o.cmd, o.exit));
        for (what, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            let n = normalise(text, side, &mut ids);
            t.push_str(&format!("--- {what}\n{n}"));
            if !n.is_empty() && !n.ends_with('\n') {
                t.push_str("\\ no newline at end\n");
            }
        }
    }
    t
}

/// A line diff of `a` (expected) and `b` (actual), `-`/`+` marked.
fn diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("   {}\n", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("  +{}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("  -{}\n", a[i]));
            i += 1;
        }
    }
    out
}

/// `Ok` when skiff matches, else the reason (with the diff).
fn check(w: &World, case: &Case) -> Result<(), String> {
    let accepting = case.differs.is_some() && std::env::var_os("COMPAT_ACCEPT").is_some();
    if !accepting && corpus::expected(case).is_none() {
        return Err("no expected output recorded (scripts/compat-record.sh)".into());
    }
    let got = run_case(w, case)?;
    if accepting {
        corpus::accept(case, &got, &w.registry, DOCKER_REGISTRY);
    }
    let want = corpus::expected(case).expect("recorded or accepted");
    // Accepted outputs are stored with docker's registry address too.
    let want_side = Side {
        registry: DOCKER_REGISTRY,
    };
    let (a, b) = (
        render(&want, &want_side),
        render(
            &got,
            &Side {
                registry: &w.registry,
            },
        ),
    );
    if a == b {
        Ok(())
    } else {
        Err(format!(
            "normalised expected (-) vs skiff (+):\n{}",
            diff(&a, &b)
        ))
    }
}

#[test]
fn compat() {
    let Some(w) = world() else { return };
    let filter = std::env::var("COMPAT_CASES").ok();
    let verbose = std::env::var_os("COMPAT_VERBOSE").is_some();
    let known = corpus::known_failures();
    // `?name`: an intermittent failure (a race in skiff), allowed either way.
    let known_names: BTreeSet<&str> = known
        .iter()
        .map(|(n, _)| n.trim_start_matches('?'))
        .collect();
    let intermittent: BTreeSet<&str> = known
        .iter()
        .filter_map(|(n, _)| n.strip_prefix('?'))
        .collect();
    let cases: Vec<Case> = corpus::load()
        .into_iter()
        .filter(|c| filter.as_deref().is_none_or(|f| c.name.contains(f)))
        .collect();
    let (mut passed, mut failed) = (Vec::new(), BTreeSet::new());
    for case in &cases {
        match check(&w, case) {
            Ok(()) => passed.push(case.name.clone()),
            Err(why) => {
                if verbose || !known_names.contains(case.name.as_str()) {
                    eprintln!("FAIL {} ({}): {why}", case.name, case.file);
                }
                failed.insert(case.name.clone());
            }
        }
    }
    eprintln!("compat: {} passed, {} failed", passed.len(), failed.len());
    if filter.is_some() {
        assert!(failed.is_empty(), "failing: {failed:?}");
        return;
    }
    let new: Vec<&String> = failed
        .iter()
        .filter(|n| !known_names.contains(n.as_str()))
        .collect();
    let mut fixed: Vec<&str> = known_names
        .iter()
        .copied()
        .filter(|n| !failed.contains(*n) && !intermittent.contains(n))
        .collect();
    if std::env::var_os("COMPAT_UPDATE_KNOWN").is_some() {
        corpus::drop_known(&fixed);
        eprintln!("compat: dropped from known-failures.txt: {fixed:?}");
        fixed.clear();
    }
    assert!(
        new.is_empty() && fixed.is_empty(),
        "tests/compat/known-failures.txt is out of date:\n  failing but not listed: {new:?}\n  listed but passing (remove them): {fixed:?}"
    );
    assert!(
        passed.len() >= MIN_PASSING,
        "only {} cases pass; at least {MIN_PASSING} must",
        passed.len()
    );
}
