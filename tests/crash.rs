//! Crash injection: skiff commands SIGKILLed at random points (a seeded
//! schedule) across pull, create, start, stop, rm, network create/rm and
//! prune. After each kill the next command succeeds, `system check
//! --repair` leaves a clean store, and nothing unrelated is lost. Also:
//! `system check` finds and repairs each kind of leftover.
//!
//! `SKIFF_CRASH_KILLS` sets the number of kills (100 here; `make soak`
//! asks for 1,000) and `SKIFF_CRASH_SEED` the schedule.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// These tests check the host for leftovers, so they run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

type Env = TestEnv;

fn setup() -> Option<Env> {
    TestEnv::new(&SERIAL)
}

/// `system check` as a test sees it: (exit code, report lines).
fn check(s: &Skiff, repair: bool) -> (i32, Vec<String>) {
    let mut args = vec!["system", "check", "--min-age-ms", "0"];
    if repair {
        args.push("--repair");
    }
    let (code, out, err) = s.run(&args);
    assert!(err.is_empty(), "system check: {err}");
    (code, out.lines().map(str::to_string).collect())
}

#[test]
fn system_check_finds_and_repairs_each_kind_of_leftover() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    assert_eq!(check(s, false), (0, vec![]), "a fresh store is clean");
    let keep = s
        .ok(&[
            "create",
            "--name",
            "keep",
            "--network",
            "none",
            &env.img,
            "true",
        ])
        .trim()
        .to_string();
    s.ok(&["network", "create", "kept-net"]);
    let root = s.root();
    let run = s.dir.path().join("run");
    let ghost = "f".repeat(64);
    // What killed commands leave.
    std::fs::write(root.join("names/ghost"), &ghost).unwrap();
    std::fs::create_dir_all(root.join("containers").join("e".repeat(64))).unwrap();
    std::fs::write(
        root.join("containers")
            .join(&keep)
            .join(".state.json.x1.tmp"),
        "{",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("trash").join(&ghost).join("upper")).unwrap();
    std::fs::create_dir_all(root.join("layers/.tmp-abcd-0123/diff")).unwrap();
    std::fs::create_dir_all(root.join("layers/.rm-0123/diff")).unwrap();
    std::fs::create_dir_all(run.join("containers").join(&ghost)).unwrap();
    s.ok(&["volume", "create", "kept-vol"]);
    std::fs::create_dir_all(root.join("volumes/.tmp-0123/_data")).unwrap();
    std::fs::create_dir_all(root.join("volumes/.rm-4567/_data")).unwrap();
    let repos_path = root.join("repositories.json");
    let mut repos: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&repos_path).unwrap()).unwrap();
    repos["tags"]["127.0.0.1:1/gone:latest"] = serde_json::json!(format!("sha256:{ghost}"));
    std::fs::write(&repos_path, repos.to_string()).unwrap();
    let net_path = root.join("networks/kept-net.json");
    let mut net: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&net_path).unwrap()).unwrap();
    net["endpoints"][&ghost] = serde_json::json!({"name": "ghost", "ip": "10.99.0.9", "mac": "02:42:0a:63:00:09", "aliases": []});
    std::fs::write(&net_path, net.to_string()).unwrap();

    let (code, found) = check(s, false);
    assert_eq!(code, 1, "{found:?}");
    for kind in [
        "name ghost",
        "container eeee",
        "tempfile ",
        "trash ffff",
        "layer ",
        "rundir ",
        "tag 127.0.0.1:1/gone:latest",
        "network kept-net",
        "volume ",
    ] {
        assert!(
            found.iter().any(|l| l.starts_with(kind)),
            "{kind:?} not reported: {found:?}"
        );
    }
    assert!(found.iter().all(|l| !l.ends_with("(repaired)")));
    let (code, fixed) = check(s, true);
    assert_eq!(code, 0, "{fixed:?}");
    assert_eq!(fixed.len(), found.len());
    assert!(fixed.iter().all(|l| l.ends_with("(repaired)")), "{fixed:?}");
    assert_eq!(check(s, false), (0, vec![]), "clean after --repair");
    // Nothing real was touched.
    assert_eq!(s.ok(&["ps", "-a", "--format", "{{.Names}}"]), "keep\n");
    s.ok(&["start", "-a", "keep"]);
    s.ok(&["network", "inspect", "kept-net"]);
    s.ok(&["run", "--rm", "--network", "none", &env.img, "true"]);
    assert_eq!(s.ok(&["volume", "ls", "-q"]), "kept-vol\n");
    assert_eq!(
        std::fs::read_dir(root.join("volumes")).unwrap().count(),
        2,
        "the volume and the lock, nothing else"
    );
}

/// A small deterministic generator for the kill schedule.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Runs `args` and SIGKILLs it after `delay` unless it finished first.
/// Returns whether it was killed.
fn run_and_kill(s: &Skiff, args: &[&str], delay: Duration) -> bool {
    let mut child = s
        .cmd()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if start.elapsed() >= delay {
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
}

#[test]
fn sigkill_at_random_points_never_breaks_the_store() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let kills: usize = std::env::var("SKIFF_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let seed: u64 = std::env::var("SKIFF_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_cafe);
    eprintln!("crash schedule: {kills} kills, seed {seed}");
    let mut rng = Rng(seed | 1);
    // What must survive every kill.
    let keeper = s
        .ok(&[
            "create",
            "--name",
            "keeper",
            "--network",
            "none",
            &env.img,
            "echo",
            "alive",
        ])
        .trim()
        .to_string();
    s.ok(&["network", "create", "keeper-net"]);
    let second = env.img.replace("busybox:latest", "second:latest");
    s.ok(&["tag", &env.img, "keeper-image:1"]);
    // A second image in the registry, for pulls to be killed in.
    let layout = tempfile::tempdir().unwrap();
    let mut layers = vec![build_layer(&busybox_layer(), Compression::Gzip)];
    layers.push(build_layer(
        &[Entry::File("data/noise".into(), noise(2 << 20, 7), 0o644)],
        Compression::Gzip,
    ));
    oci_layout(
        layout.path(),
        "latest",
        &layers,
        &["sh"],
        serde_json::json!(null),
    );
    push(layout.path(), "latest", &second, &[]);

    let mut killed = 0usize;
    let mut attempts = 0usize;
    let mut by_op: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut repaired: std::collections::BTreeMap<String, usize> = Default::default();
    while killed < kills {
        attempts += 1;
        assert!(
            attempts < kills * 20,
            "only {killed} kills in {attempts} tries"
        );
        // A few names, reused: a killed create's name comes back. Not hex:
        // "c1" could be a prefix of the keeper's id, which rm accepts.
        let n = attempts % 3;
        let name = format!("victim-{n}");
        let net = format!("net{n}");
        let op = rng.below(9);
        let (label, args): (&str, Vec<&str>) = match op {
            0 => ("pull", vec!["pull", "-q", &second]),
            1 => (
                "create",
                vec![
                    "create",
                    "--name",
                    &name,
                    "--network",
                    "none",
                    &env.img,
                    "sleep",
                    "30",
                ],
            ),
            2 => (
                "run",
                vec![
                    "run",
                    "-d",
                    "--name",
                    &name,
                    "--network",
                    "none",
                    &env.img,
                    "sleep",
                    "30",
                ],
            ),
            3 => ("start", vec!["start", &name]),
            4 => ("stop", vec!["stop", "-t", "0", &name]),
            5 => ("rm", vec!["rm", "-f", &name]),
            6 => ("network create", vec!["network", "create", &net]),
            7 => ("network rm", vec!["network", "rm", &net]),
            _ => ("prune", vec!["image", "prune", "-a", "-f"]),
        };
        // Commands here take 5-60 ms: kill anywhere in the first 40.
        let delay = Duration::from_micros(rng.below(40_000));
        if !run_and_kill(s, &args, delay) {
            continue;
        }
        killed += 1;
        *by_op.entry(label).or_default() += 1;
        // The next command works: the same object can be used again.
        let (code, _, err) = s.run(&["ps", "-a"]);
        assert_eq!(code, 0, "ps after a killed {label}: {err}");
        match op {
            0 => {
                s.ok(&["pull", "-q", &second]);
            }
            1..=5 => {
                s.ok(&["rm", "-f", &name]);
                s.ok(&[
                    "create",
                    "--name",
                    &name,
                    "--network",
                    "none",
                    &env.img,
                    "true",
                ]);
                s.ok(&["rm", &name]);
            }
            6 | 7 => {
                let _ = s.run(&["network", "rm", &net]);
                s.ok(&["network", "create", &net]);
                s.ok(&["network", "rm", &net]);
            }
            _ => {
                s.ok(&["image", "prune", "-a", "-f"]);
            }
        }
        // Whatever the kill left, --repair removes, and the store is clean.
        let (code, fixed) = check(s, true);
        assert_eq!(code, 0, "after a killed {label}: {fixed:?}");
        for f in &fixed {
            let kind = f.split(' ').next().unwrap_or_default().to_string();
            *repaired.entry(kind).or_default() += 1;
        }
        let (code, left) = check(s, false);
        assert_eq!((code, &left), (0, &vec![]), "after a killed {label}");
        let (code, _, err) = s.run(&["inspect", "--format", "{{.Id}}", "keeper"]);
        assert_eq!(
            code, 0,
            "the keeper is lost after a killed {label} ({args:?} after {delay:?}), repaired {fixed:?}: {err}"
        );
    }
    eprintln!("{killed} kills in {attempts} commands: {by_op:?}; repaired: {repaired:?}");
    // Nothing unrelated was lost.
    assert_eq!(s.ok(&["start", "-a", "keeper"]), "alive\n");
    s.ok(&["network", "inspect", "keeper-net"]);
    s.ok(&["image", "inspect", "keeper-image:1"]);
    assert_eq!(
        s.ok(&["ps", "-aq", "--no-trunc", "--filter", "name=keeper"])
            .trim(),
        keeper
    );
    s.ok(&["run", "--rm", "--network", "none", "keeper-image:1", "true"]);
}
