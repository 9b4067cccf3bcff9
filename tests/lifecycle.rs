//! Real containers (as root): run, exit codes, logs, start/stop/kill/wait,
//! rm -f, attach, signals, the monitor's crash recovery, and parallel use.
//! Every test checks it left no mount, cgroup or process behind.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

/// These tests check the host for leftovers, so they run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Env {
    _serial: std::sync::MutexGuard<'static, ()>,
    _reg: Registry,
    s: Skiff,
    img: String,
}

fn setup() -> Option<Env> {
    let serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    if !is_root() {
        eprintln!("SKIP: real containers need root here");
        return None;
    }
    if !have("docker-registry") || !have("skopeo") {
        eprintln!("SKIP: docker-registry/skopeo not installed (make test-deps)");
        return None;
    }
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    oci_layout(
        layout.path(),
        "latest",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        json!(null),
    );
    let img = format!("{}/busybox:latest", reg.host());
    push(layout.path(), "latest", &img, &[]);
    let s = Skiff::new();
    s.ok(&["pull", "-q", &img]);
    Some(Env {
        _serial: serial,
        _reg: reg,
        s,
        img,
    })
}

impl Drop for Env {
    fn drop(&mut self) {
        // Remove every container, then check nothing is left on the host.
        let ids = self.s.run(&["ps", "-aq", "--no-trunc"]).1;
        for id in ids.lines() {
            let _ = self.s.run(&["rm", "-f", id]);
        }
        let root = self.s.dir.path().display().to_string();
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let left: Vec<&str> = mounts.lines().filter(|l| l.contains(&root)).collect();
        let mut procs = leftover_monitors(&root);
        // Monitors exit right after they report; give them a moment.
        wait_until(Duration::from_secs(3), || {
            procs = leftover_monitors(&root);
            procs.is_empty()
        });
        if !std::thread::panicking() {
            assert!(left.is_empty(), "mounts left behind: {left:?}");
            assert!(procs.is_empty(), "processes left behind: {procs:?}");
            assert!(
                leftover_cgroups().is_empty(),
                "cgroups left behind: {:?}",
                leftover_cgroups()
            );
        }
    }
}

/// Processes whose command line mentions this test's store.
fn leftover_monitors(root: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.parse::<u32>().is_err() {
            continue;
        }
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(root) && cmd.contains("skiff") {
                out.push(format!("{name}: {cmd}"));
            }
        }
    }
    out
}

/// skiff-* cgroups beneath our own cgroups.
fn leftover_cgroups() -> Vec<String> {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut out = Vec::new();
    for line in own.lines() {
        let parts: Vec<&str> = line.splitn(3, ':').collect();
        if parts.len() != 3 || parts[1].is_empty() {
            continue;
        }
        let ctrl = parts[1]
            .split(',')
            .next()
            .unwrap()
            .trim_start_matches("name=");
        let dir = std::path::Path::new("/sys/fs/cgroup")
            .join(ctrl)
            .join(parts[2].trim_start_matches('/'));
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("skiff-") {
                out.push(e.path().display().to_string());
            }
        }
    }
    out
}

fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn run_prints_and_exits_with_the_containers_code() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    assert_eq!(
        s.ok(&["run", "--rm", "--network", "none", &e.img, "echo", "hello"]),
        "hello\n"
    );
    assert_eq!(s.ok(&["ps", "-aq"]), "", "--rm removed it");
    // A quick exit is never lost (the monitor once could reap it unseen
    // and wait forever), and each --rm run's files are gone soon after.
    for i in 0..25 {
        let started = Instant::now();
        let (code, _, err) = s.run(&["run", "--rm", "--network", "none", &e.img, "true"]);
        assert_eq!(code, 0, "run {i}: {err}");
        assert!(started.elapsed() < Duration::from_secs(5), "run {i} hung");
    }
    let trash = s.root().join("trash");
    assert!(
        wait_until(Duration::from_secs(3), || std::fs::read_dir(&trash)
            .map(|d| d.count() == 0)
            .unwrap_or(true)),
        "--rm left files in {}",
        trash.display()
    );
    let (code, out, err) = s.run(&[
        "run",
        "--name",
        "three",
        &e.img,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (3, "out\n", "err\n"));
    assert_eq!(s.ok(&["wait", "three"]), "3\n");
    assert!(s
        .ok(&["ps", "-a", "--format", "{{.Status}}"])
        .starts_with("Exited (3) "));
    assert_eq!(s.ok(&["logs", "three"]), "out\n");
    let (_, _, err) = s.run(&["logs", "three"]);
    assert_eq!(err, "err\n");
    let err = s.fails(127, &["run", "--rm", &e.img, "/nonexistent"]);
    assert!(
        err.contains("/nonexistent") && err.to_lowercase().contains("no such file"),
        "{err}"
    );
    let err = s.fails(126, &["run", "--rm", &e.img, "/etc"]);
    assert!(err.contains("/etc"), "{err}");
    s.fails(125, &["run", "--bogus-flag", &e.img]);
    assert_eq!(
        s.ok(&["ps", "-a", "--format", "{{.Names}}"]),
        "three\n",
        "failed --rm runs leave nothing"
    );
}

/// CPU ticks (user + system) a process has used.
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)
}

#[test]
fn monitor_idles_once_the_output_is_closed() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&[
        "run",
        "-d",
        "--name",
        "quiet",
        &e.img,
        "sh",
        "-c",
        "exec >&- 2>&-; sleep 30",
    ]);
    let root = s.dir.path().display().to_string();
    let mon: Vec<String> = leftover_monitors(&root)
        .into_iter()
        .filter(|p| {
            let pid = p.split(':').next().unwrap();
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.contains("MON"))
        })
        .map(|p| p.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(mon.len(), 1, "one monitor: {mon:?}");
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(&mon[0]);
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks(&mon[0]) - before;
    assert!(used < 10, "the monitor burnt {used} ticks in 1 s");
    s.ok(&["rm", "-f", "quiet"]);
}

#[test]
fn detached_run_stop_kill_wait_rm() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let id = s
        .ok(&["run", "-d", "--name", "sleeper", &e.img, "sleep", "1000"])
        .trim()
        .to_owned();
    assert_eq!(id.len(), 64);
    assert_eq!(
        s.ok(&["ps", "--format", "{{.Names}} {{.State}}"]),
        "sleeper running\n"
    );
    assert!(s.ok(&["ps", "--format", "{{.Status}}"]).starts_with("Up "));
    let v: serde_json::Value = serde_json::from_str(&s.ok(&["inspect", "sleeper"])).unwrap();
    assert_eq!(v[0]["State"]["Running"], true);
    let pid = v[0]["State"]["Pid"].as_i64().unwrap();
    assert!(pid > 0 && std::path::Path::new(&format!("/proc/{pid}")).exists());
    let err = s.fails(125, &["rm", "sleeper"]);
    assert!(
        err.contains("You cannot remove a running container"),
        "{err}"
    );
    // sleep as PID 1 ignores SIGTERM: stop -t 1 ends with SIGKILL (137).
    let t = Instant::now();
    assert_eq!(s.ok(&["stop", "-t", "1", "sleeper"]), "sleeper\n");
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.ExitCode}}",
            "sleeper"
        ]),
        "exited 137\n"
    );
    assert_eq!(s.ok(&["start", "sleeper"]), "sleeper\n");
    assert_eq!(s.ok(&["ps", "-q"]), format!("{}\n", &id[..12]));
    let trap = s.ok(&[
        "run",
        "-d",
        &e.img,
        "sh",
        "-c",
        "trap 'echo got usr1; exit 5' USR1; while true; do sleep 0.1; done",
    ]);
    let trap = trap.trim();
    std::thread::sleep(Duration::from_millis(300));
    s.ok(&["kill", "-s", "USR1", trap]);
    assert_eq!(s.ok(&["wait", trap]), "5\n");
    assert_eq!(s.ok(&["logs", trap]), "got usr1\n");
    let err = s.fails(125, &["kill", trap]);
    assert!(err.contains("is not running"), "{err}");
    let before = s.ok(&["inspect", "-f", "{{.State.Pid}}", "sleeper"]);
    assert_eq!(s.ok(&["restart", "-t", "0", "sleeper"]), "sleeper\n");
    assert_eq!(
        s.ok(&[
            "ps",
            "--format",
            "{{.Names}} {{.State}}",
            "-f",
            "name=sleeper"
        ]),
        "sleeper running\n"
    );
    let pid2 = s
        .ok(&["inspect", "-f", "{{.State.Pid}}", "sleeper"])
        .trim()
        .to_owned();
    assert_ne!(pid2, before.trim(), "restart made a new process");
    assert_eq!(s.ok(&["rm", "-f", "sleeper"]), "sleeper\n");
    assert!(
        wait_until(Duration::from_secs(3), || !std::path::Path::new(&format!(
            "/proc/{pid2}"
        ))
        .exists()),
        "rm -f killed the container's process"
    );
    assert_eq!(s.ok(&["ps", "-a", "-q", "-f", "name=sleeper"]), "");
}

#[test]
fn create_then_start_attached() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&[
        "create",
        "--name",
        "later",
        &e.img,
        "sh",
        "-c",
        "echo started; exit 9",
    ]);
    let (code, out, _) = s.run(&["start", "-a", "later"]);
    assert_eq!((code, out.as_str()), (9, "started\n"));
    let (code, out, _) = s.run(&["start", "-a", "later"]);
    assert_eq!(
        (code, out.as_str()),
        (9, "started\n"),
        "an exited container starts again"
    );
    assert_eq!(s.ok(&["logs", "--tail", "1", "later"]), "started\n");
    let ts = s.ok(&["logs", "-t", "later"]);
    assert!(
        ts.lines()
            .all(|l| l.ends_with("Z started") && l.starts_with("20")),
        "{ts}"
    );
}

#[test]
fn stdin_with_dash_i() {
    let Some(e) = setup() else { return };
    let out =
        e.s.cmd()
            .args([
                "run",
                "--rm",
                "-i",
                &e.img,
                "sh",
                "-c",
                "read x; echo got $x",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(b"abc\n")?;
                c.wait_with_output()
            })
            .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got abc\n");
}

#[test]
fn sig_proxy_forwards_signals() {
    let Some(e) = setup() else { return };
    let mut child =
        e.s.cmd()
            .args([
                "run",
                "--rm",
                &e.img,
                "sh",
                "-c",
                "trap 'echo TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 6];
    use std::io::Read;
    out.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ready\n");
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "TERM\n");
    assert_eq!(status.code(), Some(7));
}

#[test]
fn a_daemon_child_does_not_hold_up_the_exit() {
    let Some(e) = setup() else { return };
    let t = Instant::now();
    let (code, out, _) = e.s.run(&[
        "run",
        "--rm",
        &e.img,
        "sh",
        "-c",
        "sleep 1000 & echo parent done",
    ]);
    assert_eq!((code, out.as_str()), (0, "parent done\n"));
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn killed_monitor_is_reconciled() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&["run", "-d", "--name", "orphan", &e.img, "sleep", "1000"]);
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(s.root().join(format!(
            "containers/{}/state.json",
            s.ok(&["inspect", "-f", "{{.Id}}", "orphan"]).trim()
        )))
        .unwrap(),
    )
    .unwrap();
    let (mon, pid) = (
        state["monitor_pid"].as_i64().unwrap() as i32,
        state["pid"].as_i64().unwrap() as i32,
    );
    // SAFETY: SIGKILL of the monitor and then the container, both started by this test.
    unsafe {
        libc::kill(mon, libc::SIGKILL);
        libc::kill(pid, libc::SIGKILL);
    }
    assert!(wait_until(Duration::from_secs(5), || s.ok(&[
        "ps",
        "-a",
        "--format",
        "{{.State}}",
        "-f",
        "name=orphan"
    ]) == "exited\n"));
    assert_eq!(s.ok(&["rm", "orphan"]), "orphan\n");
}

#[test]
fn fifty_parallel_detached_runs() {
    let Some(e) = setup() else { return };
    let kids: Vec<_> = (0..50)
        .map(|i| {
            e.s.cmd()
                .args([
                    "run",
                    "-d",
                    "--name",
                    &format!("par{i}"),
                    &e.img,
                    "sleep",
                    "1000",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
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
    }
    assert_eq!(e.s.ok(&["ps", "-q"]).lines().count(), 50);
    let ids = e.s.ok(&["ps", "-q"]);
    let args: Vec<&str> = std::iter::once("rm")
        .chain(std::iter::once("-f"))
        .chain(ids.lines())
        .collect();
    e.s.ok(&args);
    assert_eq!(e.s.ok(&["ps", "-aq"]), "");
}

#[test]
fn hundred_parallel_runs_one_name() {
    let Some(e) = setup() else { return };
    let kids: Vec<_> = (0..100)
        .map(|_| {
            e.s.cmd()
                .args(["run", "-d", "--name", "same", &e.img, "sleep", "1000"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut codes = Vec::new();
    for k in kids {
        let out = k.wait_with_output().unwrap();
        if out.status.code() == Some(125) {
            assert!(String::from_utf8_lossy(&out.stderr).contains("is already in use"));
        }
        codes.push(out.status.code());
    }
    assert_eq!(codes.iter().filter(|c| **c == Some(0)).count(), 1);
    assert_eq!(codes.iter().filter(|c| **c == Some(125)).count(), 99);
}

#[test]
fn pty_run_and_detach_then_attach() {
    let Some(e) = setup() else { return };
    require!("script");
    // A real pty: script(1) gives skiff a terminal.
    let cmd = format!(
        "{} --root {} --runroot {} run -it --name tty {} sh",
        env!("CARGO_BIN_EXE_skiff"),
        e.s.root().display(),
        e.s.dir.path().join("run").display(),
        e.img
    );
    let mut child = Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("HOME", e.s.home())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(800));
    stdin.write_all(b"tty; echo marker-$((6*7))\n").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    stdin.write_all(&[0x10, 0x11]).unwrap(); // Ctrl-P Ctrl-Q
    let status = child.wait().unwrap();
    let mut out = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(out.contains("/dev/pts/0"), "{out}");
    assert!(out.contains("marker-42"), "{out}");
    assert!(status.success());
    assert_eq!(
        e.s.ok(&["ps", "--format", "{{.Names}} {{.State}}"]),
        "tty running\n",
        "detached, still running"
    );
    drop(stdin);
}

#[test]
fn exec_top_rename_and_prune() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&[
        "run",
        "-d",
        "--name",
        "box",
        "-e",
        "FROM_RUN=1",
        &e.img,
        "sleep",
        "1000",
    ]);
    assert_eq!(
        s.ok(&["exec", "box", "cat", "/etc/hostname"]),
        s.ok(&["inspect", "-f", "{{.Config.Hostname}}", "box"])
    );
    let (code, out, _) = s.run(&[
        "exec",
        "-e",
        "X=2",
        "box",
        "sh",
        "-c",
        "echo $FROM_RUN$X; exit 4",
    ]);
    assert_eq!((code, out.as_str()), (4, "12\n"));
    assert_eq!(
        s.ok(&["exec", "-w", "/tmp", "box", "sh", "-c", "pwd"]),
        "/tmp\n"
    );
    let ps = s.ok(&["exec", "box", "ps"]);
    assert!(ps.contains("sleep 1000"), "same pid namespace: {ps}");
    let err = s.fails(127, &["exec", "box", "/no/such"]);
    assert!(err.contains("/no/such"), "{err}");
    let top = s.ok(&["top", "box"]);
    assert!(
        top.starts_with("UID") && top.contains("sleep 1000"),
        "{top}"
    );
    s.ok(&["rename", "box", "crate"]);
    assert_eq!(s.ok(&["ps", "--format", "{{.Names}}"]), "crate\n");
    let err = s.fails(125, &["exec", "box", "true"]);
    assert_eq!(err, "Error: No such container: box\n");
    s.ok(&["stop", "-t", "0", "crate"]);
    let err = s.fails(125, &["exec", "crate", "true"]);
    assert!(err.contains("is not running"), "{err}");
    let out = s.ok(&["container", "prune", "-f"]);
    assert!(
        out.starts_with("Deleted Containers:\n") && out.ends_with("Total reclaimed space: 0B\n"),
        "{out}"
    );
    assert_eq!(s.ok(&["ps", "-aq"]), "");
}

#[test]
fn pause_and_unpause() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&[
        "run",
        "-d",
        "--name",
        "ticker",
        &e.img,
        "sh",
        "-c",
        "while true; do echo tick; sleep 0.05; done",
    ]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(s.ok(&["pause", "ticker"]), "ticker\n");
    assert!(s
        .ok(&["ps", "--format", "{{.Status}}"])
        .ends_with("(Paused)\n"));
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.Paused}}",
            "ticker"
        ]),
        "paused true\n"
    );
    let before = s.ok(&["logs", "ticker"]).lines().count();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        s.ok(&["logs", "ticker"]).lines().count(),
        before,
        "a paused container makes no progress"
    );
    let err = s.fails(125, &["pause", "ticker"]);
    assert!(err.contains("already paused"), "{err}");
    assert_eq!(s.ok(&["unpause", "ticker"]), "ticker\n");
    assert!(wait_until(Duration::from_secs(3), || s
        .ok(&["logs", "ticker"])
        .lines()
        .count()
        > before));
    let err = s.fails(125, &["unpause", "ticker"]);
    assert!(err.contains("is not paused"), "{err}");
    // A paused container can still be removed by force, promptly.
    s.ok(&["pause", "ticker"]);
    let t = Instant::now();
    assert_eq!(s.ok(&["rm", "-f", "ticker"]), "ticker\n");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
}

/// The value of a `Key:` line of /proc/self/status inside a container.
fn status_field(e: &Env, extra: &[&str], key: &str) -> String {
    let mut args = vec!["run", "--rm"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&e.img, "cat", "/proc/self/status"]);
    let out = e.s.ok(&args);
    out.lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{key}:"))
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("{key} not in {out}"))
}

#[test]
fn security_flags() {
    let Some(e) = setup() else { return };
    // docker's default capability set.
    assert_eq!(status_field(&e, &[], "CapEff"), "00000000a80425fb");
    assert_eq!(
        status_field(&e, &["--cap-drop", "ALL"], "CapEff"),
        "0000000000000000"
    );
    assert_eq!(
        status_field(
            &e,
            &["--cap-drop", "ALL", "--cap-add", "NET_ADMIN"],
            "CapEff"
        ),
        "0000000000001000"
    );
    assert_ne!(
        status_field(&e, &["--privileged"], "CapEff"),
        "00000000a80425fb"
    );
    assert_eq!(status_field(&e, &[], "NoNewPrivs"), "0");
    assert_eq!(
        status_field(&e, &["--security-opt", "no-new-privileges"], "NoNewPrivs"),
        "1"
    );
    assert_eq!(
        status_field(&e, &[], "Seccomp"),
        "2",
        "docker's default profile is on"
    );
    assert_eq!(
        status_field(&e, &["--security-opt", "seccomp=unconfined"], "Seccomp"),
        "0"
    );
    let err =
        e.s.fails(125, &["run", "--rm", "--cap-add", "FLY", &e.img, "true"]);
    assert!(err.contains("FLY"), "{err}");
    // --read-only, --user, --workdir, --hostname, --entrypoint, --ulimit.
    let (code, _, err) = e.s.run(&[
        "run",
        "--rm",
        "--read-only",
        &e.img,
        "sh",
        "-c",
        "echo x > /x",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("Read-only file system"), "{err}");
    assert_eq!(
        e.s.ok(&["run", "--rm", "-u", "65534:65534", &e.img, "id"]),
        "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n"
    );
    assert_eq!(
        e.s.ok(&["run", "--rm", "-w", "/made/here", &e.img, "sh", "-c", "pwd"]),
        "/made/here\n"
    );
    assert_eq!(
        e.s.ok(&[
            "run",
            "--rm",
            "--hostname",
            "boat",
            &e.img,
            "cat",
            "/etc/hostname"
        ]),
        "boat\n"
    );
    assert_eq!(
        e.s.ok(&[
            "run",
            "--rm",
            "--entrypoint",
            "echo",
            &e.img,
            "via",
            "entrypoint"
        ]),
        "via entrypoint\n"
    );
    assert_eq!(
        e.s.ok(&[
            "run",
            "--rm",
            "--ulimit",
            "nofile=256:512",
            &e.img,
            "sh",
            "-c",
            "ulimit -n"
        ]),
        "256\n"
    );
    assert_eq!(
        e.s.ok(&["run", "--rm", "--init", &e.img, "cat", "/proc/1/status"])
            .lines()
            .next()
            .unwrap_or(""),
        "Name:\tskiff:[REAPER]"
    );
}

#[test]
fn resource_limits_reach_the_cgroup() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&[
        "run",
        "-d",
        "--name",
        "lim",
        "--memory",
        "64m",
        "--cpus",
        "0.5",
        "--pids-limit",
        "20",
        &e.img,
        "sleep",
        "1000",
    ]);
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(s.root().join(format!(
            "containers/{}/state.json",
            s.ok(&["inspect", "-f", "{{.Id}}", "lim"]).trim()
        )))
        .unwrap(),
    )
    .unwrap();
    let paths: Vec<String> = state["cgroup_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let read = |ctrl: &str, file: &str| -> String {
        let dir = paths
            .iter()
            .find(|p| p.contains(&format!("/{ctrl}/")))
            .unwrap_or_else(|| panic!("no {ctrl} cgroup in {paths:?}"));
        std::fs::read_to_string(format!("{dir}/{file}"))
            .unwrap()
            .trim()
            .to_owned()
    };
    if std::path::Path::new("/sys/fs/cgroup/memory").exists() {
        assert_eq!(read("memory", "memory.limit_in_bytes"), "67108864");
        assert_eq!(read("cpu", "cpu.cfs_quota_us"), "50000");
        assert_eq!(read("pids", "pids.max"), "20");
        let pid = s.ok(&["inspect", "-f", "{{.State.Pid}}", "lim"]);
        let cg = std::fs::read_to_string(format!("/proc/{}/cgroup", pid.trim())).unwrap();
        assert!(
            cg.lines()
                .any(|l| l.contains(":memory:") && l.contains("/skiff-")),
            "{cg}"
        );
    }
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}",
            "lim"
        ]),
        "67108864 500000000 20\n"
    );
    s.ok(&["rm", "-f", "lim"]);
    for p in &paths {
        assert!(!std::path::Path::new(p).exists(), "{p} removed");
    }
}
