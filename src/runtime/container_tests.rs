//! Real containers from a busybox rootfs made in a temporary directory.
//! Root only: each test says so and returns when not root. Every test
//! checks that no mount of its temporary directory is left in the host's
//! mount table and reaps every process it started.

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, WaitOptions};

use super::*;

const BUSYBOX: &str = "/bin/busybox";

/// A temporary directory holding a busybox rootfs at `rootfs`.
struct Fixture {
    dir: tempfile::TempDir,
    rootfs: PathBuf,
}

impl Fixture {
    fn new() -> Option<Fixture> {
        if !rustix::process::geteuid().is_root() {
            crate::util::test_skip("container tests need root");
            return None;
        }
        if !Path::new(BUSYBOX).exists() {
            panic!("{BUSYBOX} is missing: apt-get install busybox-static");
        }
        let dir = tempfile::Builder::new()
            .prefix("skiff-rt-")
            .tempdir()
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let rootfs = dir.path().join("rootfs");
        make_busybox_tree(&rootfs);
        Some(Fixture { dir, rootfs })
    }

    fn spec(&self, args: &[&str]) -> ContainerSpec {
        let mut spec = ContainerSpec::new(
            "test",
            Rootfs::Dir {
                path: self.rootfs.clone(),
            },
            args.iter().map(|s| s.to_string()).collect(),
        );
        spec.hostname = Some("skiffbox".into());
        spec
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let path = self.dir.path().display().to_string();
        let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        let leaked: Vec<&str> = table.lines().filter(|l| l.contains(&path)).collect();
        if !std::thread::panicking() {
            assert!(leaked.is_empty(), "mounts left behind: {leaked:#?}");
        }
    }
}

fn make_busybox_tree(root: &Path) {
    for d in [
        "bin", "etc", "proc", "sys", "dev", "tmp", "root", "home/app",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::copy(BUSYBOX, root.join("bin/busybox")).unwrap();
    let list = std::process::Command::new(BUSYBOX)
        .arg("--list")
        .output()
        .unwrap();
    for applet in String::from_utf8(list.stdout).unwrap().lines() {
        if applet != "busybox" {
            let _ = symlink("busybox", root.join("bin").join(applet));
        }
    }
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\n\
         nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n\
         app:x:1000:1000:app:/home/app:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/group"),
        "root:x:0:\nwheel:x:10:root\ntty:x:5:\napp:x:1000:\nnogroup:x:65534:\n",
    )
    .unwrap();
}

/// How long any container of these tests may live.
const DEADLINE: Duration = Duration::from_secs(60);

/// Kills and reaps a pid unless it was waited for; a watchdog kills it
/// after [`DEADLINE`] so that a hung test fails instead of hanging.
struct Reap {
    pid: Option<i32>,
    done: Arc<Mutex<bool>>,
}

impl Reap {
    fn new(pid: i32) -> Reap {
        let done = Arc::new(Mutex::new(false));
        {
            let done = done.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                while start.elapsed() < DEADLINE {
                    std::thread::sleep(Duration::from_millis(100));
                    if *done.lock().unwrap() {
                        return;
                    }
                }
                // Not reaped yet (see `wait`), so the pid is still this process.
                let done = done.lock().unwrap();
                if !*done {
                    eprintln!("watchdog: killing {pid} after {DEADLINE:?}");
                    let _ =
                        rustix::process::kill_process(Pid::from_raw(pid).unwrap(), Signal::KILL);
                }
            });
        }
        Reap {
            pid: Some(pid),
            done,
        }
    }

    /// Waits for the process; returns its exit code (128 + signal).
    fn wait(&mut self) -> i32 {
        let pid = Pid::from_raw(self.pid.take().expect("waited once")).unwrap();
        // Wait without reaping, so the watchdog never signals a reused pid.
        let opts = WaitIdOptions::EXITED | WaitIdOptions::NOWAIT;
        rustix::process::waitid(WaitId::Pid(pid), opts).unwrap();
        *self.done.lock().unwrap() = true;
        let (_, status) = rustix::process::waitpid(Some(pid), WaitOptions::empty())
            .unwrap()
            .unwrap();
        status
            .exit_status()
            .unwrap_or_else(|| 128 + status.terminating_signal().unwrap())
    }
}

impl Drop for Reap {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let pid = Pid::from_raw(pid).unwrap();
            let _ = rustix::process::kill_process(pid, Signal::KILL);
            let _ = rustix::process::waitpid(Some(pid), WaitOptions::empty());
        }
        *self.done.lock().unwrap() = true;
    }
}

fn reader(fd: OwnedFd) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        std::fs::File::from(fd).read_to_string(&mut s).unwrap();
        s
    })
}

/// A running container with its output being collected.
struct Running {
    reap: Reap,
    container: Container,
    out: JoinHandle<String>,
    err: JoinHandle<String>,
}

impl Running {
    fn finish(mut self) -> Output {
        let code = self.reap.wait();
        Output {
            code,
            out: self.out.join().unwrap(),
            err: self.err.join().unwrap(),
        }
    }
}

#[derive(Debug)]
struct Output {
    code: i32,
    out: String,
    err: String,
}

fn pipes() -> (Io, JoinHandle<String>, JoinHandle<String>) {
    let (out_r, out_w) = std::io::pipe().unwrap();
    let (err_r, err_w) = std::io::pipe().unwrap();
    let io = Io::Pipes {
        stdin: None,
        stdout: out_w.into(),
        stderr: err_w.into(),
    };
    (io, reader(out_r.into()), reader(err_r.into()))
}

fn start(spec: &ContainerSpec, hooks: Hooks<'_>) -> Result<Running, RuntimeError> {
    let (io, out, err) = pipes();
    let container = create(spec, io, hooks)?;
    Ok(Running {
        reap: Reap::new(container.pid),
        container,
        out,
        err,
    })
}

fn run(spec: &ContainerSpec) -> Output {
    start(spec, Hooks::default())
        .unwrap_or_else(|e| panic!("create failed: {e}"))
        .finish()
}

fn sh(f: &Fixture, script: &str) -> Output {
    run(&f.spec(&["sh", "-c", script]))
}

#[test]
fn exit_codes_and_output() {
    let Some(f) = Fixture::new() else { return };
    let out = sh(&f, "echo out; echo err >&2; exit 3");
    assert_eq!(
        (out.code, out.out.as_str(), out.err.as_str()),
        (3, "out\n", "err\n")
    );
    // PID 1 of a PID namespace ignores even SIGKILL from inside it.
    let init = sh(&f, "kill -9 $$; echo alive");
    assert_eq!((init.code, init.out.as_str()), (0, "alive\n"));
}

#[test]
fn command_errors_map_to_docker_codes() {
    let Some(f) = Fixture::new() else { return };
    std::fs::write(f.rootfs.join("noexec"), "#!/bin/sh\n").unwrap();
    let cases: [(&[&str], i32, &str); 4] = [
        (
            &["/nonexistent"],
            127,
            "exec: \"/nonexistent\": stat /nonexistent: no such file or directory",
        ),
        (
            &["nosuchcmd"],
            127,
            "exec: \"nosuchcmd\": executable file not found in $PATH",
        ),
        (&["/etc"], 126, "exec: \"/etc\": permission denied"),
        (&["/noexec"], 126, "exec: \"/noexec\": permission denied"),
    ];
    for (args, code, msg) in cases {
        let e = start(&f.spec(args), Hooks::default())
            .err()
            .expect("must fail");
        assert_eq!(
            (e.exit_code(), e.to_string().as_str()),
            (code, msg),
            "{args:?}"
        );
    }
}

#[test]
fn hostname_env_and_path_search() {
    let Some(f) = Fixture::new() else { return };
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "hostname; echo $HOSTNAME $FOO $HOME; echo $PATH",
    ]);
    spec.process.env = vec!["FOO=bar".into()];
    let out = run(&spec);
    assert_eq!(
        out.out,
        format!("skiffbox\nskiffbox bar /root\n{}\n", spec::DEFAULT_PATH)
    );
    let mut spec = f.spec(&["echo", "found"]);
    spec.process.env = vec!["PATH=/nowhere:/bin".into()];
    assert_eq!(run(&spec).out, "found\n");
}

#[test]
fn users_and_groups() {
    let Some(f) = Fixture::new() else { return };
    let id = |user: &str| {
        let mut spec = f.spec(&["id"]);
        spec.process.user = user.into();
        run(&spec).out
    };
    assert_eq!(id(""), "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n");
    assert_eq!(id("app"), "uid=1000(app) gid=1000(app) groups=1000(app)\n");
    assert_eq!(
        id("1000:1000"),
        "uid=1000(app) gid=1000(app) groups=1000(app)\n"
    );
    assert_eq!(
        id("nobody"),
        "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n"
    );
    let mut spec = f.spec(&["id"]);
    spec.process.user = "ghost".into();
    let e = start(&spec, Hooks::default()).err().expect("unknown user");
    assert_eq!(e.exit_code(), 125);
    assert!(e.to_string().contains("unable to find user ghost"), "{e}");
}

#[test]
fn limits_sysctls_and_inherited_fds() {
    let Some(f) = Fixture::new() else { return };
    // A descriptor the caller leaks (no close-on-exec) must not get in.
    let leak = rustix::fs::open(
        "/etc/hostname",
        rustix::fs::OFlags::RDONLY,
        rustix::fs::Mode::empty(),
    )
    .unwrap();
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj /proc/sys/net/ipv4/ip_forward; ls /proc/self/fd | tr '\\n' ' '",
    ]);
    spec.process.rlimits = vec![Rlimit {
        name: "nofile".into(),
        soft: 100,
        hard: 200,
    }];
    spec.process.oom_score_adj = Some(500);
    spec.sysctls
        .insert("net.ipv4.ip_forward".into(), "1".into());
    let out = run(&spec);
    drop(leak);
    assert_eq!(out.out, "100\n200\n500\n1\n0 1 2 3 ", "{out:?}");
}

#[test]
fn missing_cwd_is_created() {
    let Some(f) = Fixture::new() else { return };
    let mut spec = f.spec(&["pwd"]);
    spec.process.cwd = "/work/new/dir".into();
    assert_eq!(run(&spec).out, "/work/new/dir\n");
    assert!(f.rootfs.join("work/new/dir").is_dir());
}

#[test]
fn pid_namespace_shows_only_the_container() {
    let Some(f) = Fixture::new() else { return };
    let out = sh(&f, "cat /proc/1/cmdline; echo; ps -o pid,comm; exit 0");
    let mut lines = out.out.lines();
    assert_eq!(
        lines.next(),
        Some("sh\0-c\0cat /proc/1/cmdline; echo; ps -o pid,comm; exit 0\0")
    );
    let rest: Vec<String> = lines
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rest.first().map(String::as_str),
        Some("PID COMMAND"),
        "{rest:?}"
    );
    assert_eq!(rest.len(), 3, "{rest:?}");
    assert_eq!(rest[1], "1 sh");
    assert!(rest[2].ends_with(" ps"), "{rest:?}");
}

#[test]
fn mounts_masks_and_readonly_paths() {
    let Some(f) = Fixture::new() else { return };
    let out = sh(
        &f,
        "grep -E ' /dev/pts | /dev/shm | /proc | /sys ' /proc/self/mounts; ls /dev/pts; \
         echo kcore=$(cat /proc/kcore | wc -c); ls /dev; \
         (echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo WROTE || echo DENIED; \
         ip link 2>/dev/null | grep -c LOOPBACK,UP",
    );
    let o = &out.out;
    assert!(
        o.contains("devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666"),
        "{o}"
    );
    assert!(
        o.contains("shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k"),
        "{o}"
    );
    assert!(o.contains("sysfs /sys sysfs ro,nosuid,nodev,noexec"), "{o}");
    assert!(o.contains("proc /proc proc rw,nosuid,nodev,noexec"), "{o}");
    assert!(o.contains("\nptmx\n"), "only our devpts's ptmx: {o}");
    assert!(o.contains("kcore=0\n"), "{o}");
    for node in [
        "null", "zero", "full", "random", "urandom", "tty", "fd", "stdin", "ptmx", "shm", "mqueue",
        "core",
    ] {
        assert!(o.lines().any(|l| l == node), "/dev/{node} missing: {o}");
    }
    assert!(o.contains("DENIED"), "{o}");
    assert!(o.ends_with("1\n"), "lo is up: {o}");
}

#[test]
fn capabilities_and_no_new_privs() {
    let Some(f) = Fixture::new() else { return };
    let caps = |spec: &ContainerSpec| run(spec).out;
    let default = caps(&f.spec(&["grep", "-E", "^Cap|NoNewPrivs", "/proc/self/status"]));
    for set in ["CapPrm", "CapEff", "CapBnd"] {
        assert!(
            default.contains(&format!("{set}:\t00000000a80425fb")),
            "{default}"
        );
    }
    assert!(default.contains("CapInh:\t0000000000000000"), "{default}");
    assert!(default.contains("CapAmb:\t0000000000000000"), "{default}");
    assert!(default.contains("NoNewPrivs:\t0"), "{default}");

    let mut spec = f.spec(&["grep", "-E", "^Cap|NoNewPrivs", "/proc/self/status"]);
    spec.process.capabilities = resolve_capabilities(false, &[], &["ALL".into()]).unwrap();
    spec.process.no_new_privileges = true;
    let none = caps(&spec);
    for set in ["CapPrm", "CapEff", "CapBnd"] {
        assert!(
            none.contains(&format!("{set}:\t0000000000000000")),
            "{none}"
        );
    }
    assert!(none.contains("NoNewPrivs:\t1"), "{none}");

    let mut spec = f.spec(&["grep", "^Cap", "/proc/self/status"]);
    spec.process.user = "app".into();
    let app = caps(&spec);
    assert!(app.contains("CapEff:\t0000000000000000"), "{app}");
    assert!(app.contains("CapBnd:\t00000000a80425fb"), "{app}");
}

#[test]
fn readonly_rootfs() {
    let Some(f) = Fixture::new() else { return };
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "touch /x 2>/dev/null && echo WROTE || echo RO; touch /dev/shm/y && echo SHM",
    ]);
    spec.readonly_rootfs = true;
    assert_eq!(run(&spec).out, "RO\nSHM\n");
    assert!(!f.rootfs.join("x").exists());
}

#[test]
fn overlay_rootfs_from_two_lowers() {
    let Some(f) = Fixture::new() else { return };
    let d = f.dir.path();
    let lower2 = d.join("lower2");
    std::fs::create_dir_all(lower2.join("data")).unwrap();
    std::fs::write(lower2.join("data/from-lower2"), "two\n").unwrap();
    std::fs::write(lower2.join("data/shadowed"), "lower2\n").unwrap();
    std::fs::create_dir_all(f.rootfs.join("data")).unwrap();
    std::fs::write(f.rootfs.join("data/shadowed"), "top\n").unwrap();
    for sub in ["upper", "work", "merged"] {
        std::fs::create_dir(d.join(sub)).unwrap();
    }
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "cat /data/from-lower2 /data/shadowed; echo new > /data/written",
    ]);
    spec.rootfs = Rootfs::Overlay {
        lowers: vec![f.rootfs.clone(), lower2],
        upper: d.join("upper"),
        work: d.join("work"),
        target: d.join("merged"),
    };
    let out = run(&spec);
    assert_eq!(
        (out.code, out.out.as_str()),
        (0, "two\ntop\n"),
        "{}",
        out.err
    );
    assert_eq!(
        std::fs::read_to_string(d.join("upper/data/written")).unwrap(),
        "new\n"
    );
    assert!(!f.rootfs.join("data/written").exists());
    assert_eq!(
        std::fs::read_dir(d.join("merged")).unwrap().count(),
        0,
        "overlay stayed in the container"
    );
}

#[test]
fn bind_mounts_stay_inside_the_rootfs() {
    let Some(f) = Fixture::new() else { return };
    let host_target = PathBuf::from(format!("/tmp/skiff-rt-evil-{}", std::process::id()));
    assert!(!host_target.exists());
    symlink(&host_target, f.rootfs.join("etc/evil")).unwrap();
    let file_target = PathBuf::from(format!("{}-file", host_target.display()));
    symlink(&file_target, f.rootfs.join("etc/evilfile")).unwrap();
    let src = f.dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("inside"), "dir bind\n").unwrap();
    let hosts = f.dir.path().join("hosts");
    std::fs::write(&hosts, "127.0.0.1 localhost\n").unwrap();
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "cat /etc/evil/inside /etc/evilfile /etc/hosts; echo x > /etc/hosts 2>/dev/null || echo RO",
    ]);
    let bind = |source: &Path, readonly| MountKind::Bind {
        source: source.to_owned(),
        readonly,
        recursive: true,
        propagation: String::new(),
        copy_up: false,
    };
    spec.mounts = vec![
        Mount {
            destination: "/etc/evil".into(),
            kind: bind(&src, false),
        },
        Mount {
            destination: "/etc/evilfile".into(),
            kind: bind(&hosts, false),
        },
        Mount {
            destination: "/etc/hosts".into(),
            kind: bind(&hosts, true),
        },
        Mount {
            destination: "/run".into(),
            kind: MountKind::Tmpfs {
                options: vec!["size=1m".into()],
            },
        },
    ];
    let out = run(&spec);
    assert_eq!(
        out.out, "dir bind\n127.0.0.1 localhost\n127.0.0.1 localhost\nRO\n",
        "{}",
        out.err
    );
    assert!(
        !host_target.exists(),
        "a mountpoint was created outside the rootfs"
    );
    assert!(
        !file_target.exists(),
        "a mountpoint was created outside the rootfs"
    );
    let inside = |p: &Path| f.rootfs.join(p.strip_prefix("/").unwrap());
    assert!(inside(&host_target).is_dir() && inside(&file_target).is_file());
}

#[test]
fn terminal_mode() {
    let Some(f) = Fixture::new() else { return };
    let mut spec = f.spec(&["sh", "-c", "tty; echo TERM=$TERM"]);
    spec.process.terminal = true;
    let c = create(&spec, Io::Terminal, Hooks::default()).unwrap();
    let mut reap = Reap::new(c.pid);
    let master = c.pty_master.expect("a pty master");
    assert!(rustix::termios::isatty(&master));
    let mut out = String::new();
    let mut file = std::fs::File::from(master);
    let mut buf = [0u8; 256];
    // Reading the master fails with EIO once the slave side is closed.
    while let Ok(n) = file.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert_eq!(reap.wait(), 0);
    assert_eq!(out, "/dev/pts/0\r\nTERM=xterm\r\n");

    // Under --init the command is the terminal's foreground process group.
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "tty; cat /proc/self/stat | cut -d' ' -f5,8 | tr ' ' '\\n' | uniq | wc -l; exit 4",
    ]);
    spec.process.terminal = true;
    spec.init = true;
    let c = create(&spec, Io::Terminal, Hooks::default()).unwrap();
    let mut reap = Reap::new(c.pid);
    let out = read_pty(c.pty_master.unwrap());
    assert_eq!(reap.wait(), 4);
    assert_eq!(out, "/dev/pts/0\r\n1\r\n", "pgrp == tty's foreground pgrp");
}

/// Reads a pty master until the slave side is gone (EIO).
fn read_pty(master: OwnedFd) -> String {
    let mut out = String::new();
    let mut file = std::fs::File::from(master);
    let mut buf = [0u8; 256];
    while let Ok(n) = file.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    out
}

#[test]
fn init_reaps_forwards_and_passes_the_status() {
    let Some(f) = Fixture::new() else { return };
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "sh -c 'sleep 0.1 &'; sleep 0.5; cat /proc/[0-9]*/stat | grep -c ' Z ' ; \
         readlink /proc/1/exe || echo HIDDEN; exit 7",
    ]);
    spec.init = true;
    let out = run(&spec);
    assert_eq!(out.code, 7, "{out:?}");
    assert_eq!(out.out, "0\nHIDDEN\n", "no zombie, no exe: {out:?}");

    let mut spec = f.spec(&[
        "sh",
        "-c",
        "trap 'echo got TERM; exit 9' TERM; echo ready; while true; do sleep 0.05; done",
    ]);
    spec.init = true;
    let (out_r, out_w) = std::io::pipe().unwrap();
    let (io, _, err) = {
        let (err_r, err_w) = std::io::pipe().unwrap();
        (
            Io::Pipes {
                stdin: None,
                stdout: out_w.into(),
                stderr: err_w.into(),
            },
            (),
            reader(err_r.into()),
        )
    };
    let c = create(&spec, io, Hooks::default()).unwrap();
    let mut reap = Reap::new(c.pid);
    let mut out = std::fs::File::from(OwnedFd::from(out_r));
    let mut buf = [0u8; 6];
    out.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ready\n");
    rustix::process::kill_process(Pid::from_raw(c.pid).unwrap(), Signal::TERM).unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(reap.wait(), 9);
    assert_eq!(rest, "got TERM\n", "{}", err.join().unwrap());

    let mut spec = f.spec(&["sh", "-c", "kill -9 $$"]);
    spec.init = true;
    assert_eq!(run(&spec).code, 137);
}

#[test]
fn exec_joins_a_running_container() {
    let Some(f) = Fixture::new() else { return };
    let mut spec = f.spec(&["sleep", "60"]);
    spec.hostname = Some("exechost".into());
    std::fs::write(f.rootfs.join("marker"), "in rootfs\n").unwrap();
    let main = start(&spec, Hooks::default()).unwrap();
    let target = ExecTarget::open(main.container.pid, main.container.start_time).unwrap();
    let kinds: Vec<NsKind> = target.kinds().collect();
    for k in [
        NsKind::Mount,
        NsKind::Pid,
        NsKind::Net,
        NsKind::Uts,
        NsKind::Ipc,
        NsKind::Cgroup,
    ] {
        assert!(kinds.contains(&k), "{k:?} not joined: {kinds:?}");
    }
    let exec_run = |args: &[&str], user: &str| -> Result<Output, RuntimeError> {
        let mut p = ProcessSpec::new(args.iter().map(|s| s.to_string()).collect());
        p.user = user.into();
        p.cwd = "/tmp".into();
        let (io, out, err) = pipes();
        let c = exec(&target, &p, io, Hooks::default())?;
        let mut reap = Reap::new(c.pid);
        Ok(Output {
            code: reap.wait(),
            out: out.join().unwrap(),
            err: err.join().unwrap(),
        })
    };
    let out = exec_run(
        &[
            "sh",
            "-c",
            "hostname; pwd; cat /marker; ps -o pid,comm | grep -c sleep; id -u; exit 5",
        ],
        "app",
    )
    .unwrap();
    assert_eq!(out.code, 5, "{out:?}");
    assert_eq!(out.out, "exechost\n/tmp\nin rootfs\n1\n1000\n", "{out:?}");
    let mut p = ProcessSpec::new(vec!["tty".into()]);
    p.terminal = true;
    let c = exec(&target, &p, Io::Terminal, Hooks::default()).unwrap();
    let mut reap = Reap::new(c.pid);
    assert_eq!(read_pty(c.pty_master.unwrap()), "/dev/pts/0\r\n");
    assert_eq!(reap.wait(), 0);
    let e = exec_run(&["nosuchcmd"], "").expect_err("not found");
    assert_eq!(e.exit_code(), 127);
    let mut p = ProcessSpec::new(vec!["true".into()]);
    p.cwd = "/does/not/exist".into();
    let (io, _o, _e) = pipes();
    let e = exec(&target, &p, io, Hooks::default()).expect_err("no cwd");
    assert!(e.to_string().contains("/does/not/exist"), "{e}");

    rustix::process::kill_process(Pid::from_raw(main.container.pid).unwrap(), Signal::KILL)
        .unwrap();
    assert_eq!(main.finish().code, 137);
    assert!(ExecTarget::open(target.pid, target.start_time).is_err());
}

/// A BPF program: `mkdir` and `mkdirat` fail with EPERM, the rest is
/// allowed (x86_64 numbers; other architectures are allowed through).
fn deny_mkdir_filter() -> Vec<u8> {
    const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
    let ins = |code: u16, jt: u8, jf: u8, k: u32| {
        let mut v = code.to_ne_bytes().to_vec();
        v.extend([jt, jf]);
        v.extend(k.to_ne_bytes());
        v
    };
    let (ld_w_abs, jeq_k, ret_k) = (0x20, 0x15, 0x06);
    [
        ins(ld_w_abs, 0, 0, 4),
        ins(jeq_k, 0, 3, AUDIT_ARCH_X86_64),
        ins(ld_w_abs, 0, 0, 0),
        ins(jeq_k, 2, 0, 83),
        ins(jeq_k, 1, 0, 258),
        ins(ret_k, 0, 0, 0x7fff_0000),
        ins(ret_k, 0, 0, 0x0005_0000 | libc::EPERM as u32),
    ]
    .concat()
}

#[test]
fn seccomp_is_applied_last() {
    let Some(f) = Fixture::new() else { return };
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "pwd; mkdir /made 2>/dev/null && echo MADE || echo DENIED; grep CapEff /proc/self/status",
    ]);
    spec.process.cwd = "/created/by/setup".into();
    spec.process.seccomp = SeccompSpec::Filter(Arc::new(deny_mkdir_filter()));
    let out = run(&spec);
    assert_eq!(
        out.out, "/created/by/setup\nDENIED\nCapEff:\t00000000a80425fb\n",
        "{out:?}"
    );
}

#[test]
fn clone_into_cgroup_and_its_fallback() {
    let Some(f) = Fixture::new() else { return };
    let unified = Path::new("/sys/fs/cgroup/unified");
    let v2 = if unified.join("cgroup.procs").exists() {
        unified
    } else {
        Path::new("/sys/fs/cgroup")
    };
    let cases = [(v2.to_owned(), true), (f.dir.path().to_owned(), false)];
    for (dir, expect) in cases {
        let fd = std::fs::File::open(&dir).unwrap();
        let mut seen = None;
        let hooks = Hooks {
            cgroup_fd: Some(fd.as_fd()),
            after_spawn: Some(Box::new(|s: &Spawned| {
                seen = Some(*s);
                Ok(())
            })),
            join_fds: Vec::new(),
            before_exec: None,
        };
        let running = start(&f.spec(&["true"]), hooks).unwrap();
        let in_cgroup = running.container.in_cgroup;
        let pid = running.container.pid;
        assert_eq!(running.finish().code, 0);
        assert_eq!(in_cgroup, expect, "{}", dir.display());
        assert_eq!(
            seen,
            Some(Spawned {
                pid,
                in_cgroup,
                joins_itself: false
            })
        );
    }
}

/// v1: the process moves itself into every hierarchy's leaf through the
/// `tasks` files it is given, before its command runs.
#[test]
fn joins_v1_cgroups_by_itself() {
    use crate::runtime::cgroups::{Cgroup, Resources, Version};
    let Some(f) = Fixture::new() else { return };
    let id = format!("selfjoin{}", std::process::id());
    let Ok(cg) = Cgroup::create(&id, None, &Resources::default()) else {
        return;
    };
    if cg.version() != Version::V1 {
        let _ = cg.destroy();
        return;
    }
    let fds = cg.self_join_fds();
    assert_eq!(fds.len(), cg.leaves().len());
    let mut seen = None;
    let hooks = Hooks {
        cgroup_fd: None,
        after_spawn: Some(Box::new(|s: &Spawned| {
            seen = Some(s.joins_itself);
            Ok(())
        })),
        join_fds: fds.iter().map(|f| f.as_fd()).collect(),
        before_exec: None,
    };
    let mut spec = f.spec(&["cat", "/proc/self/cgroup"]);
    spec.namespaces.cgroup = NamespaceMode::Host;
    let out = start(&spec, hooks).unwrap().finish();
    drop(fds);
    cg.destroy().unwrap();
    assert_eq!(seen, Some(true));
    let joined = out.out.lines().filter(|l| l.contains(&id)).count();
    assert_eq!(joined, cg.leaves().len(), "{out:?}");
}

/// The exec gate runs once the process has set up its root (its command
/// has not run yet: it is still this binary, in its own mount namespace),
/// and the command runs only after it.
#[test]
fn before_exec_gate_runs_after_setup_and_before_the_command() {
    let Some(f) = Fixture::new() else { return };
    let pid = std::cell::Cell::new(0);
    let seen = std::cell::RefCell::new(None);
    let hooks = Hooks {
        cgroup_fd: None,
        after_spawn: Some(Box::new(|s: &Spawned| {
            pid.set(s.pid);
            Ok(())
        })),
        join_fds: Vec::new(),
        before_exec: Some(Box::new(|routes: Option<OwnedFd>| {
            let p = pid.get();
            let exe = std::fs::read_link(format!("/proc/{p}/exe")).ok();
            let root = std::fs::read_link(format!("/proc/{p}/root")).ok();
            // The route watch of its new network namespace: no default
            // route there (nothing configured it).
            let default_route = routes.map(|r| {
                crate::network::routes::request_dump(&r).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(20));
                crate::network::routes::default_route_seen(&r).unwrap()
            });
            *seen.borrow_mut() = Some((exe, root, default_route));
            Ok(())
        })),
    };
    let spec = f.spec(&["echo", "ran"]);
    let new_net = spec.namespaces.net == NamespaceMode::New;
    let out = start(&spec, hooks).unwrap().finish();
    assert_eq!(out.out, "ran\n");
    let (exe, root, default_route) = seen.into_inner().expect("the gate ran");
    assert_eq!(exe, std::env::current_exe().ok(), "not yet the command");
    assert_eq!(root.as_deref(), Some(Path::new("/")), "pivoted already");
    assert_eq!(default_route, new_net.then_some(false));
}

#[test]
fn before_exec_failure_aborts_before_the_command() {
    let Some(f) = Fixture::new() else { return };
    // /tmp/ran inside is rootfs/tmp/ran outside.
    let marker = f.rootfs.join("tmp/ran");
    std::fs::create_dir_all(f.rootfs.join("tmp")).unwrap();
    let hooks = Hooks {
        cgroup_fd: None,
        after_spawn: None,
        join_fds: Vec::new(),
        before_exec: Some(Box::new(|_| {
            Err(std::io::Error::other("no network for you"))
        })),
    };
    let e = start(&f.spec(&["touch", "/tmp/ran"]), hooks)
        .err()
        .expect("gate error");
    assert!(e.to_string().contains("no network for you"), "{e}");
    assert!(!marker.exists(), "the command ran");
}

#[test]
fn after_spawn_failure_aborts_and_reaps() {
    let Some(f) = Fixture::new() else { return };
    let mut pid = 0;
    let hooks = Hooks {
        cgroup_fd: None,
        after_spawn: Some(Box::new(|s: &Spawned| {
            pid = s.pid;
            Err(std::io::Error::other("no cgroup for you"))
        })),
        join_fds: Vec::new(),
        before_exec: None,
    };
    let e = start(&f.spec(&["true"]), hooks).err().expect("hook error");
    assert!(e.to_string().contains("no cgroup for you"), "{e}");
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "child {pid} left behind"
    );
}

#[test]
fn user_namespace_with_mappings() {
    let Some(f) = Fixture::new() else { return };
    let map = |size| IdMap {
        container_id: 0,
        host_id: 200_000,
        size,
    };
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "id -u; cat /proc/self/uid_map; hostname; ls /dev/null && echo DEVOK; grep CapEff /proc/self/status",
    ]);
    spec.id_mappings = Some(IdMappings {
        uid: vec![map(65536)],
        gid: vec![map(65536)],
    });
    let start_at = Instant::now();
    let out = run(&spec);
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<String> = out
        .out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            "0",
            "0 200000 65536",
            "skiffbox",
            "/dev/null",
            "DEVOK",
            "CapEff: 00000000a80425fb"
        ],
        "{out:?}"
    );
    assert!(start_at.elapsed() < Duration::from_secs(10));

    // An exec joins the user namespace too.
    spec.process.args = vec!["sleep".into(), "60".into()];
    let main = start(&spec, Hooks::default()).unwrap();
    let target = ExecTarget::open(main.container.pid, main.container.start_time).unwrap();
    assert!(target.kinds().any(|k| k == NsKind::User));
    let p = ProcessSpec::new(vec![
        "sh".into(),
        "-c".into(),
        "id -u; cat /proc/self/uid_map".into(),
    ]);
    let (io, out, _err) = pipes();
    let c = exec(&target, &p, io, Hooks::default()).unwrap();
    assert_eq!(Reap::new(c.pid).wait(), 0);
    let text: Vec<String> = out
        .join()
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(text, ["0", "0 200000 65536"]);
    rustix::process::kill_process(Pid::from_raw(main.container.pid).unwrap(), Signal::KILL)
        .unwrap();
    main.finish();
}

#[test]
fn joined_pid_namespace_and_host_network() {
    let Some(f) = Fixture::new() else { return };
    let main = start(&f.spec(&["sleep", "60"]), Hooks::default()).unwrap();
    let mut spec = f.spec(&[
        "sh",
        "-c",
        "ps -o comm | grep -c sleep; ls /sys/class/net | grep -c .",
    ]);
    spec.namespaces.pid =
        NamespaceMode::Path(format!("/proc/{}/ns/pid", main.container.pid).into());
    spec.namespaces.net = NamespaceMode::Host;
    let out = run(&spec);
    rustix::process::kill_process(Pid::from_raw(main.container.pid).unwrap(), Signal::KILL)
        .unwrap();
    main.finish();
    let host_links = std::fs::read_dir("/sys/class/net").unwrap().count();
    assert_eq!(out.out, format!("1\n{host_links}\n"), "{out:?}");
}

/// Where proc cannot be mounted (the host's PID namespace under a user
/// namespace), the host's /proc is bound instead, nosuid,noexec,nodev as
/// a new proc would be.
#[test]
fn proc_fallback_bind_is_nosuid_noexec_nodev() {
    let Some(f) = Fixture::new() else { return };
    let map = |size| IdMap {
        container_id: 0,
        host_id: 200_000,
        size,
    };
    let mut spec = f.spec(&["sh", "-c", "grep ' /proc ' /proc/self/mountinfo | head -1"]);
    spec.id_mappings = Some(IdMappings {
        uid: vec![map(65536)],
        gid: vec![map(65536)],
    });
    spec.namespaces.pid = NamespaceMode::Host;
    let out = run(&spec);
    assert_eq!(out.code, 0, "{out:?}");
    let opts = out
        .out
        .split_whitespace()
        .nth(5)
        .unwrap_or_default()
        .to_string();
    for o in ["nosuid", "nodev", "noexec"] {
        assert!(
            opts.split(',').any(|x| x == o),
            "/proc has {opts:?}: {out:?}"
        );
    }
}
