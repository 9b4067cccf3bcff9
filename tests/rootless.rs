//! skiff as an unprivileged user (run by root in CI via setpriv): the
//! rootless store locations and a rootless pull.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

use common::*;

#[path = "rootless/networks.rs"]
mod networks;

const NOBODY: u32 = 65534;

/// The binary, copied where uid 65534 can execute it wherever the checkout
/// lives (a clone under /root is not reachable for it).
fn binary_in(dir: &std::path::Path) -> std::path::PathBuf {
    let b = dir.join("skiff");
    if !b.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_skiff"), &b).unwrap();
    }
    b
}

/// A command running skiff as uid/gid 65534 with a clean environment.
fn as_nobody(home: &std::path::Path, xdg: Option<&std::path::Path>) -> Command {
    as_user((NOBODY, NOBODY), home, xdg)
}

/// skiff as `uid:gid`, in cron's environment (no login session, a
/// minimal PATH).
fn as_user(
    (uid, gid): (u32, u32),
    home: &std::path::Path,
    xdg: Option<&std::path::Path>,
) -> Command {
    let mut c = Command::new("setpriv");
    c.arg(format!("--reuid={uid}"))
        .arg(format!("--regid={gid}"))
        .args(["--clear-groups", "--"])
        .arg(binary_in(home.parent().unwrap()))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home);
    if let Some(x) = xdg {
        c.env("XDG_RUNTIME_DIR", x);
    }
    c
}

/// `Command::output`, retried while the copied binary is busy: another
/// test thread's fork may hold the copy's write descriptor for a moment
/// (ETXTBSY at exec).
trait Retry {
    fn out(&mut self) -> std::process::Output;
}

impl Retry for Command {
    fn out(&mut self) -> std::process::Output {
        for _ in 0..50 {
            let o = self.output().unwrap();
            if !String::from_utf8_lossy(&o.stderr).contains("Text file busy") {
                return o;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the binary stayed busy");
    }
}

fn nobody_dir(parent: &std::path::Path, name: &str) -> std::path::PathBuf {
    user_dir(parent, name, (NOBODY, NOBODY))
}

fn user_dir(parent: &std::path::Path, name: &str, (uid, gid): (u32, u32)) -> std::path::PathBuf {
    let d = parent.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::os::unix::fs::chown(&d, Some(uid), Some(gid)).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

fn info(c: &mut Command) -> String {
    let out = c
        .args([
            "info",
            "--format",
            "{{.DockerRootDir}} {{.RunRoot}} {{.Rootless}}",
        ])
        .out();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn rootless_store_locations() {
    require!("setpriv");
    if !is_root() {
        skip("needs root to switch to an unprivileged user");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = nobody_dir(t.path(), "home");
    let xdg = nobody_dir(t.path(), "xdg");
    // XDG_RUNTIME_DIR owned by the user: used.
    assert_eq!(
        info(&mut as_nobody(&home, Some(&xdg))),
        format!(
            "{}/.local/share/skiff {}/skiff true\n",
            home.display(),
            xdg.display()
        )
    );
    // Not ours (cron, su): the /tmp fallback, 0700 and ours.
    let fallback = std::path::PathBuf::from(format!("/tmp/skiff-run-{NOBODY}"));
    let existed = fallback.exists();
    assert_eq!(
        info(&mut as_nobody(&home, Some(t.path()))),
        format!(
            "{}/.local/share/skiff {} true\n",
            home.display(),
            fallback.display()
        )
    );
    let m = std::fs::metadata(&fallback).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o777), (NOBODY, 0o700));
    // Unset: the same fallback.
    assert!(info(&mut as_nobody(&home, None)).contains(&format!(" {} ", fallback.display())));
    if !existed {
        let _ = std::fs::remove_dir_all(&fallback);
    }
}

#[test]
fn rootless_pull_and_list() {
    require!("setpriv", "docker-registry", "skopeo");
    if !is_root() {
        skip("needs root to switch to an unprivileged user");
        return;
    }
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = nobody_dir(t.path(), "home");
    let xdg = nobody_dir(t.path(), "xdg");
    let out = as_nobody(&home, Some(&xdg))
        .args(["pull", "-q", &img.reference])
        .out();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), img.reference);
    let out = as_nobody(&home, Some(&xdg))
        .args(["images", "-q", "--no-trunc"])
        .out();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", img.id)
    );
    // The top layer's whiteout and opaque dir, made without privileges.
    let v: serde_json::Value = serde_json::from_slice(
        &as_nobody(&home, Some(&xdg))
            .args(["image", "inspect", &img.reference])
            .out()
            .stdout,
    )
    .unwrap();
    let top = std::path::PathBuf::from(v[0]["GraphDriver"]["Data"]["UpperDir"].as_str().unwrap());
    assert!(top.starts_with(home.join(".local/share/skiff")));
    let wh = std::fs::symlink_metadata(top.join("etc/remove-me")).unwrap();
    use std::os::unix::fs::FileTypeExt;
    assert!(wh.file_type().is_char_device() && wh.rdev() == 0);
    assert_eq!(
        xattr(top.join("opq"), "user.overlay.opaque").as_deref(),
        Some(&b"y"[..])
    );
    let m = std::fs::metadata(top.join("srv/data.txt")).unwrap();
    assert_eq!(m.uid(), NOBODY, "files belong to the user");

    // A limit rootless can't apply is refused, naming the flag and why
    // (podman ignores it).
    let out = as_nobody(&home, Some(&xdg))
        .args(["create", "--pids-limit", "10", &img.reference, "true"])
        .out();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{err}");
    let v1 = !std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .any(|l| l.contains(" /sys/fs/cgroup ") && l.contains(" - cgroup2 "));
    let why = if v1 {
        "this host has cgroup v1"
    } else {
        "your cgroup is not delegated"
    };
    assert!(
        err.starts_with(&format!(
            "skiff: --pids-limit: a rootless container can't have resource limits here: {why}"
        )),
        "{err}"
    );
    let out = as_nobody(&home, Some(&xdg)).args(["ps", "-aq"]).out();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "nothing created");
}

#[test]
fn rootless_pasta_network_publishes_ports_and_goes_with_the_container() {
    require!("setpriv", "docker-registry", "skopeo", "pasta");
    let Some(user) = subordinate_user() else {
        return;
    };
    let tun = std::fs::metadata("/dev/net/tun").map(|m| m.mode() & 0o777);
    if tun.as_ref().ok() != Some(&0o666) {
        skip("/dev/net/tun is not 0666 (make test-deps sets it as Debian has it)");
        return;
    }
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let port = free_port();
    let publish = format!("127.0.0.1:{port}:8080");
    let (id, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "-d",
            "-p",
            &publish,
            &img.reference,
            "sh",
            "-c",
            "echo hello-from-pasta > /tmp/i.txt; exec httpd -f -p 8080 -h /tmp",
        ],
    );
    let id = id.trim();
    let (mode, _) = ok_as(
        user,
        &home,
        &xdg,
        &["inspect", "-f", "{{.HostConfig.NetworkMode}}", id],
    );
    assert_eq!(mode, "pasta\n", "a rootless container's default network");
    let (ports, _) = ok_as(user, &home, &xdg, &["port", id]);
    assert_eq!(ports, format!("8080/tcp -> 127.0.0.1:{port}\n"));
    // The host's 127.0.0.1:port reaches the container's httpd.
    let body = get_from_host(port, "hello-from-pasta");
    assert!(body.contains("hello-from-pasta"), "{body}");
    // --network container:ID joins its user namespace to share its
    // network namespace (only there may it join it).
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "--rm",
            "--network",
            &format!("container:{id}"),
            &img.reference,
            "wget",
            "-qO-",
            "http://127.0.0.1:8080/i.txt",
        ],
    );
    assert_eq!(out, "hello-from-pasta\n");
    let pidfile = xdg.join("skiff/containers").join(id).join("pasta.pid");
    let pasta: i32 = std::fs::read_to_string(&pidfile)
        .unwrap_or_else(|e| panic!("{}: {e}", pidfile.display()))
        .trim()
        .parse()
        .unwrap();
    assert!(std::path::Path::new(&format!("/proc/{pasta}")).exists());
    // The port is skiff's forwarder's, not pasta's.
    let fwd = forwarders(user.0, id);
    assert_eq!(fwd.len(), 1, "{fwd:?}");
    let pasta_cmd = std::fs::read(format!("/proc/{pasta}/cmdline")).unwrap();
    assert!(
        String::from_utf8_lossy(&pasta_cmd).contains("-t\0none\0-u\0none"),
        "pasta forwards nothing"
    );
    ok_as(user, &home, &xdg, &["rm", "-f", id]);
    // Its port is free as soon as rm returns (a next run -p binds it).
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the published port is free");
    assert_eq!(
        forwarders(user.0, id),
        Vec::<i32>::new(),
        "no forwarder left"
    );
    // pasta goes with it: no process, no mount, no netns of it left.
    for _ in 0..50 {
        if !std::path::Path::new(&format!("/proc/{pasta}")).exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let alive = std::fs::read_to_string(format!("/proc/{pasta}/cmdline")).unwrap_or_default();
    assert!(
        !alive.contains("pasta"),
        "pasta {pasta} still runs: {alive}"
    );
    no_mounts_under(&home);
    // There is no default bridge rootless: refused at create, saying what
    // works (user networks do: tests/rootless/networks.rs).
    let out = as_user(user, &home, Some(&xdg))
        .args(["create", "--network", "bridge", &img.reference])
        .out();
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("skiff: --network bridge: a rootless container has no default bridge (its default network is pasta); make one with network create\n"),
        "{err}"
    );
    // Outbound at once: the command runs only once pasta has configured
    // the namespace (the gate waits for its default route), and its first
    // connection goes out. The gateway's address is the host's loopback
    // behind pasta: a server on the host's 127.0.0.1 answers.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hport = server.local_addr().unwrap().port();
    let serving = std::thread::spawn(move || {
        use std::io::{Read, Write};
        for _ in 0..3 {
            let Ok((mut s, _)) = server.accept() else {
                return;
            };
            let mut req = [0u8; 1024];
            let _ = s.read(&mut req);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\n\r\nhello-from-host\n");
        }
    });
    let script = format!(
        "gw=$(awk '$2==\"00000000\"{{print $3}}' /proc/net/route); \
         ip=$(printf %d.%d.%d.%d 0x${{gw:6:2}} 0x${{gw:4:2}} 0x${{gw:2:2}} 0x${{gw:0:2}}); \
         wget -q -O- http://$ip:{hport}/"
    );
    for _ in 0..3 {
        let (out, _) = ok_as(
            user,
            &home,
            &xdg,
            &["run", "--rm", &img.reference, "sh", "-c", &script],
        );
        assert_eq!(out, "hello-from-host\n");
    }
    serving.join().unwrap();
    // A command that exits at once, with a published port, again and
    // again: the forwarder never misses the process's namespaces, and
    // each run frees the port for the next.
    let again = format!("127.0.0.1:{port}:80");
    for i in 0..60 {
        let out = as_user(user, &home, Some(&xdg))
            .args(["run", "--rm", "-p", &again, &img.reference, "true"])
            .out();
        assert!(
            out.status.success(),
            "run {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A range of 120 ports (more fds than the forwarder's first move of
    // them above 100 allowed for): each reaches its own container port.
    let base = free_range(120);
    let range = format!("127.0.0.1:{}-{}:8000-8119", base, base + 119);
    let (many, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "-d",
            "-p",
            &range,
            &img.reference,
            "sh",
            "-c",
            "echo far > /tmp/i.txt; exec httpd -f -p 8119 -h /tmp",
        ],
    );
    let body = get_from_host(base + 119, "far");
    assert!(body.contains("far"), "{body}");
    ok_as(user, &home, &xdg, &["rm", "-f", many.trim()]);
    // A /dev/net/tun the user can't open (mode 0600, as this host had it):
    // the error says so, plainly. Bound over the real one in a mount
    // namespace of that one command.
    let t = tempfile::tempdir().unwrap();
    let tun = t.path().join("tun");
    let made = Command::new("mknod")
        .args(["-m", "0600"])
        .arg(&tun)
        .args(["c", "10", "200"])
        .status()
        .unwrap();
    assert!(made.success());
    let run = as_user(user, &home, Some(&xdg));
    let mut argv: Vec<String> = vec![run.get_program().to_string_lossy().into_owned()];
    argv.extend(run.get_args().map(|a| a.to_string_lossy().into_owned()));
    argv.extend(["run", "--rm", &img.reference, "true"].map(String::from));
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c"])
        .arg(format!(
            "mount --bind {} /dev/net/tun && exec \"$@\"",
            tun.display()
        ))
        .arg("sh")
        .args(&argv)
        .env_clear()
        .envs(run.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .out();
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pasta can't open /dev/net/tun: it is not readable and writable by you"),
        "{err}"
    );
    // --network none: no pasta, only lo.
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            &img.reference,
            "sh",
            "-c",
            "ls /sys/class/net",
        ],
    );
    assert_eq!(out, "lo\n");
}

/// `GET /i.txt` from the host's 127.0.0.1:port, retried briefly.
fn get_from_host(port: u16, want: &str) -> String {
    let mut body = String::new();
    for _ in 0..100 {
        body.clear();
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
            s.write_all(b"GET /i.txt HTTP/1.0\r\n\r\n").unwrap();
            let _ = s.read_to_string(&mut body);
            if body.contains(want) {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    body
}

/// `n` consecutive ports free on 127.0.0.1 now (from the top of the
/// ephemeral range down, in steps).
fn free_range(n: u16) -> u16 {
    let mut base = 59_000;
    loop {
        let free = (base..base + n).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok());
        if free {
            return base;
        }
        assert!(base > 20_000, "no {n} free ports in a row");
        base -= 997;
    }
}

/// The live port forwarders (`skiff __portfwd ID ...`) of the user
/// `uid` for the container `id`.
fn forwarders(uid: u32, id: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let owner = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next()?.parse::<u32>().ok());
        let zombie = status
            .lines()
            .any(|l| l.starts_with("State:") && l.contains('Z'));
        let mut args = cmd.split(|&b| b == 0).skip(1);
        let ours = args.next() == Some(b"__portfwd") && args.next() == Some(id.as_bytes());
        if owner == Some(uid) && !zombie && ours {
            out.push(pid);
        }
    }
    out
}

/// A rootless test's world: the registry with the standard image, and a
/// home and runtime dir owned by `user` (pulled there already).
struct World {
    _reg: Registry,
    img: TestImage,
    _t: tempfile::TempDir,
    home: std::path::PathBuf,
    xdg: std::path::PathBuf,
}

impl Drop for World {
    /// The store's pause process (`engine::pause`) goes with it.
    fn drop(&mut self) {
        kill_pid_file(&self.xdg.join("skiff/userns/pause.pid"));
    }
}

fn world(user: (u32, u32)) -> World {
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (home, xdg) = (
        user_dir(t.path(), "home", user),
        user_dir(t.path(), "xdg", user),
    );
    ok_as(user, &home, &xdg, &["pull", "-q", &img.reference]);
    World {
        _reg: reg,
        img,
        _t: t,
        home,
        xdg,
    }
}

/// The test user with subordinate ids, as root; `None` is a skip.
fn subordinate_user() -> Option<(u32, u32)> {
    if !is_root() {
        skip("needs root to switch to an unprivileged user");
        return None;
    }
    let user = test_user();
    if user.is_none() {
        skip("no skiff-rootless user (make test-deps creates it)");
    }
    user
}

/// The uid and gid of the test user `make test-deps` creates with
/// subordinate ids (300000-365535).
fn test_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f[0] == "skiff-rootless").then(|| (f[2].parse().unwrap(), f[3].parse().unwrap()))
    })
}

/// Runs `args` as the user, asserting success; its stdout and stderr.
fn ok_as(
    user: (u32, u32),
    home: &std::path::Path,
    xdg: &std::path::Path,
    args: &[&str],
) -> (String, String) {
    let out = as_user(user, home, Some(xdg)).args(args).out();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}: {e}");
    (o, e)
}

/// No mount of the user's store is left on the host.
fn no_mounts_under(dir: &std::path::Path) {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let left: Vec<&str> = mounts
        .lines()
        .filter(|l| l.contains(&*dir.to_string_lossy()))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn rootless_run_maps_the_user_alone_without_subordinate_ids() {
    require!("setpriv", "docker-registry", "skopeo");
    if !is_root() {
        skip("needs root to switch to an unprivileged user");
        return;
    }
    let me = (NOBODY, NOBODY);
    let w = world(me);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let script = "id -u; cat /proc/self/uid_map; echo hi > /etc/new && cat /etc/new; stat -c %u /bin/busybox";
    let (out, err) = ok_as(
        me,
        &home,
        &xdg,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            &img.reference,
            "sh",
            "-c",
            script,
        ],
    );
    let out: Vec<String> = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(out, ["0", "0 65534 1", "hi", "0"]);
    assert!(
        err.contains("no subordinate ids for nobody in /etc/subuid and /etc/subgid: the container has only uid 0 (you); to add a range: sudo usermod --add-subuids"),
        "{err}"
    );
    // Exit codes as rootful: the container's own, 127 and 126 before it runs.
    let code = |args: &[&str]| as_nobody(&home, Some(&xdg)).args(args).out().status.code();
    assert_eq!(
        code(&[
            "run",
            "--rm",
            "--network",
            "none",
            &img.reference,
            "sh",
            "-c",
            "exit 3"
        ]),
        Some(3)
    );
    assert_eq!(
        code(&["run", "--rm", "--network", "none", &img.reference, "/nope"]),
        Some(127)
    );
    assert_eq!(
        code(&["run", "--rm", "--network", "none", &img.reference, "/etc"]),
        Some(126)
    );
    let (list, _) = ok_as(me, &home, &xdg, &["ps", "-aq"]);
    assert_eq!(list, "", "--rm removed them all");
    no_mounts_under(&home);
}

#[test]
fn rootless_run_with_subordinate_ids() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "newuidmap",
        "newgidmap"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let (id, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "-d",
            "--network",
            "none",
            &img.reference,
            "sleep",
            "300",
        ],
    );
    let id = id.trim();
    let (maps, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "exec",
            id,
            "sh",
            "-c",
            "cat /proc/self/uid_map /proc/self/gid_map",
        ],
    );
    let maps: Vec<String> = maps
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let own = format!("0 {} 1", user.0);
    let own_gid = format!("0 {} 1", user.1);
    assert_eq!(
        maps,
        [
            own.as_str(),
            "1 300000 65536",
            own_gid.as_str(),
            "1 300000 65536"
        ]
    );
    let (shown, _) = ok_as(
        user,
        &home,
        &xdg,
        &["inspect", "-f", "{{json .HostConfig.IDMappings}}", id],
    );
    assert_eq!(
        shown.trim(),
        format!(
            r#"{{"UidMap":["0:{}:1","1:300000:65536"],"GidMap":["0:{}:1","1:300000:65536"]}}"#,
            user.0, user.1
        )
    );
    // Containers with these maps share the user's pause process's user
    // namespace (no newuidmap per start); keep-id's has one of its own.
    let pause: i32 = std::fs::read_to_string(xdg.join("skiff/userns/pause.pid"))
        .expect("the pause process's pid file")
        .trim()
        .parse()
        .unwrap();
    let pause_ns = std::fs::read_link(format!("/proc/{pause}/ns/user")).unwrap();
    let pause_ns = pause_ns.to_string_lossy();
    let user_ns = |args: &[&str]| {
        let mut a = vec!["run", "--rm"];
        a.extend_from_slice(args);
        a.extend([img.reference.as_str(), "readlink", "/proc/self/ns/user"]);
        ok_as(user, &home, &xdg, &a).0.trim().to_owned()
    };
    let (running_ns, _) = ok_as(
        user,
        &home,
        &xdg,
        &["exec", id, "readlink", "/proc/self/ns/user"],
    );
    assert_eq!(running_ns.trim(), pause_ns);
    assert_eq!(user_ns(&["--network", "none"]), pause_ns);
    assert_ne!(
        user_ns(&["--network", "none", "--userns", "keep-id"]),
        pause_ns
    );
    // The image's owners as the image gives them, inside (the layer is
    // unpacked in a user namespace): root's files are 0:0, the 1000:1000
    // setuid file keeps its owner, its mode and its hard link; the upper
    // layer's whiteout and opaque directory hide the lower one's files.
    let (owners, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "exec",
            id,
            "sh",
            "-c",
            "stat -c '%n %u:%g %a %h' /bin/busybox /etc /srv/data.txt; ls /opq; ls /etc/remove-me 2>&1 || true",
        ],
    );
    let owners: Vec<&str> = owners.lines().collect();
    assert_eq!(
        owners[..5],
        [
            "/bin/busybox 0:0 755 1",
            "/etc 0:0 755 1",
            "/srv/data.txt 1000:1000 4755 2",
            "c",
            "ls: /etc/remove-me: No such file or directory"
        ],
        "{owners:?}"
    );
    let layers = home.join(".local/share/skiff/layers");
    let on_disk: Vec<(u32, u32)> = std::fs::read_dir(&layers)
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::metadata(e.path().join("diff/srv/data.txt")).ok())
        .map(|m| (m.uid(), m.gid()))
        .collect();
    assert_eq!(on_disk, [(300_999, 300_999)]);
    // A file chowned to uid 1000 inside belongs to 300000 + 999 outside.
    ok_as(
        user,
        &home,
        &xdg,
        &[
            "exec",
            id,
            "sh",
            "-c",
            "echo x > /srv/mine && chown 1000:1000 /srv/mine",
        ],
    );
    let upper = home
        .join(".local/share/skiff/containers")
        .join(id)
        .join("upper/srv/mine");
    let m = std::fs::metadata(&upper).unwrap();
    assert_eq!((m.uid(), m.gid()), (300_999, 300_999));
    let (state, _) = ok_as(
        user,
        &home,
        &xdg,
        &["inspect", "-f", "{{.State.Status}}", id],
    );
    assert_eq!(state, "running\n");
    // No cgroup of its own on this host: pause says why.
    let out = as_user(user, &home, Some(&xdg)).args(["pause", id]).out();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("Error: a rootless container can't be paused here: "),
        "{err}"
    );
    ok_as(user, &home, &xdg, &["rm", "-f", id]);
    no_mounts_under(&home);

    // Files a container made as another uid (a dir of 300999 holding a
    // file of 300999) can't be removed by the user: the removal goes
    // through a user namespace, and nothing is left in the store.
    let (cid, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "--network",
            "none",
            "-u",
            "1000:1000",
            &img.reference,
            "sh",
            "-c",
            "mkdir /tmp/d && touch /tmp/d/f",
        ],
    );
    let _ = cid;
    ok_as(user, &home, &xdg, &["container", "prune", "-f"]);
    ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "-u",
            "1000",
            &img.reference,
            "sh",
            "-c",
            "mkdir /tmp/e && touch /tmp/e/f",
        ],
    );
    let store = home.join(".local/share/skiff");
    let trash = || -> Vec<_> {
        std::fs::read_dir(store.join("trash"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    // (--rm's monitor purges after the run returns)
    for _ in 0..100 {
        if trash().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let left = trash();
    let listing = left.first().map(|p| {
        String::from_utf8_lossy(
            &Command::new("ls")
                .arg("-laRn")
                .arg(p)
                .output()
                .unwrap()
                .stdout,
        )
        .into_owned()
    });
    assert!(left.is_empty(), "{left:?} {listing:?}");
    let (check, _) = ok_as(user, &home, &xdg, &["system", "check"]);
    assert_eq!(check, "");
    // -it: a terminal of its own (through script(1), which gives this
    // test a pty).
    if have("script") {
        let cmdline = format!(
            "setpriv --reuid={} --regid={} --clear-groups -- env -i PATH=/usr/bin:/bin HOME={} XDG_RUNTIME_DIR={} {} run --rm -it --network none {} sh -c 'tty; echo ok-tty'",
            user.0,
            user.1,
            home.display(),
            xdg.display(),
            binary_in(home.parent().unwrap()).display(),
            img.reference
        );
        let out = Command::new("script")
            .args(["-qec", &cmdline, "/dev/null"])
            .out();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("/dev/pts/0\r\nok-tty\r\n"), "{text:?}");
    } else {
        skip("no script(1) for a pty");
    }
    // podman's keep-id: the user's own id inside, with a passwd entry.
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "--userns",
            "keep-id",
            &img.reference,
            "sh",
            "-c",
            "id -u; id -g; whoami; cat /proc/self/uid_map",
        ],
    );
    let out: Vec<String> = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let (u, g) = user;
    assert_eq!(
        out,
        [
            u.to_string(),
            g.to_string(),
            "skiff-rootless".into(),
            format!("0 300000 {u}"),
            format!("{u} {u} 1"),
            format!("{} {} {}", u + 1, 300_000 + u, 65536 - u),
        ]
    );
    let out = as_user(user, &home, Some(&xdg))
        .args(["create", "--userns", "host", &img.reference])
        .out();
    assert_eq!(out.status.code(), Some(125));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--userns=host: a rootless container always has a user namespace of its own"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rootless_lifecycle_from_su_without_a_login_session() {
    require!("setpriv", "su", "docker-registry", "skopeo", "newuidmap");
    let Some(user) = subordinate_user() else {
        return;
    };
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = user_dir(t.path(), "home", user);
    let fallback = std::path::PathBuf::from(format!("/tmp/skiff-run-{}", user.0));
    let existed = fallback.exists();
    let skiff = binary_in(t.path());
    // `su USER -c` without -l: no XDG_RUNTIME_DIR, no D-Bus, the shell's
    // environment as su leaves it; the shell exits right after `run -d`.
    let su = |cmd: &str| {
        let out = Command::new("su")
            .args(["-s", "/bin/sh", "skiff-rootless", "-c"])
            .arg(format!(
                "export HOME={}; unset XDG_RUNTIME_DIR; {} {cmd}",
                home.display(),
                skiff.display()
            ))
            .out();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(su(&format!("pull -q {}", img.reference)).0, Some(0));
    let (code, id, err) = su(&format!(
        "run -d --network none --name lc {} sh -c 'echo started; trap \"echo got TERM; exit 7\" TERM; while :; do sleep 0.1; done'",
        img.reference
    ));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(id.trim().len(), 64);
    // The shell that started it is gone; the container runs on.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(su("inspect -f '{{.State.Status}}' lc").1, "running\n");
    assert_eq!(su("logs lc").1, "started\n");
    let (code, out, err) = su("stop -t 5 lc");
    assert_eq!((code, out.as_str()), (Some(0), "lc\n"), "{err}");
    assert_eq!(su("wait lc").1, "7\n", "the trap's exit code");
    assert_eq!(su("logs lc").1, "started\ngot TERM\n");
    // start -a again, kill, rm.
    let (code, out, _) = su(
        "create --network none --name lc2 IMG sh -c 'echo again; exit 4'"
            .replace("IMG", &img.reference)
            .as_str(),
    );
    assert_eq!(code, Some(0));
    assert_eq!(out.trim().len(), 64);
    let (code, out, _) = su("start -a lc2");
    assert_eq!((code, out.as_str()), (Some(4), "again\n"));
    let (code, _, err) = su(&format!(
        "run -d --network none --name lc3 {} sleep 300",
        img.reference
    ));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(su("kill lc3").0, Some(0));
    assert_eq!(su("wait lc3").1, "137\n");
    assert_eq!(su("rm lc lc2 lc3").0, Some(0));
    assert_eq!(su("ps -aq").1, "");
    // The runroot was the /tmp fallback: the user's, 0700.
    let m = std::fs::metadata(&fallback).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o777), (user.0, 0o700));
    no_mounts_under(&home);
    if !existed {
        let _ = std::fs::remove_dir_all(&fallback);
    }
}

#[test]
fn rootless_vfs_copies_with_the_images_owners() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "newuidmap",
        "newgidmap"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    // The store is an overlay one; a vfs container copies its layers in
    // the user namespace, owners as the image gives them.
    let (id, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "--storage-driver",
            "vfs",
            "run",
            "-d",
            "--network",
            "none",
            &img.reference,
            "sleep",
            "300",
        ],
    );
    let id = id.trim();
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "exec",
            id,
            "sh",
            "-c",
            "stat -c '%n %u:%g %a' /srv/data.txt /etc; ls /opq; test -e /etc/remove-me || echo gone",
        ],
    );
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["/srv/data.txt 1000:1000 4755", "/etc 0:0 755", "c", "gone"],
        "{out}"
    );
    let copy = home
        .join(".local/share/skiff/containers")
        .join(id)
        .join("rootfs/srv/data.txt");
    let m = std::fs::metadata(&copy).unwrap();
    assert_eq!((m.uid(), m.gid()), (300_999, 300_999));
    let (shown, _) = ok_as(
        user,
        &home,
        &xdg,
        &["inspect", "-f", "{{.GraphDriver.Name}}", id],
    );
    assert_eq!(shown, "vfs\n");
    ok_as(user, &home, &xdg, &["rm", "-f", id]);
    assert!(!home.join(".local/share/skiff/containers").join(id).exists());
    no_mounts_under(&home);
}

/// `sudo -u USER skiff ...` from root: sudo's environment (HOME of the
/// user, no XDG_RUNTIME_DIR, SUDO_UID=0 and the like, no login session).
#[test]
fn rootless_through_sudo_u() {
    require!("sudo", "docker-registry", "skopeo", "newuidmap");
    let Some(user) = subordinate_user() else {
        return;
    };
    let reg = Registry::start();
    let img = push_standard(&reg, "busybox", "latest");
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // The user's home (from passwd) does not exist here: the store is
    // given; the runroot is the default (the /tmp fallback).
    let store = user_dir(t.path(), "store", user);
    let skiff = binary_in(t.path());
    let sudo = |args: &[&str]| {
        let out = Command::new("sudo")
            .args(["-n", "-u", "skiff-rootless", "--"])
            .arg(&skiff)
            .arg("--root")
            .arg(&store)
            .args(args)
            .out();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = sudo(&["pull", "-q", &img.reference]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = sudo(&[
        "run",
        "--rm",
        "--network",
        "none",
        &img.reference,
        "sh",
        "-c",
        "id -u; stat -c %u:%g /srv/data.txt; awk '{print $2}' /proc/self/uid_map",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, format!("0\n1000:1000\n{}\n300000\n", user.0));
    let (code, id, err) = sudo(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "viasudo",
        &img.reference,
        "sleep",
        "300",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(id.trim().len(), 64);
    assert_eq!(sudo(&["exec", "viasudo", "echo", "in"]).1, "in\n");
    assert_eq!(sudo(&["rm", "-f", "viasudo"]).1, "viasudo\n");
    assert_eq!(sudo(&["ps", "-aq"]).1, "");
    let runroot = std::path::PathBuf::from(format!("/tmp/skiff-run-{}", user.0));
    let m = std::fs::metadata(&runroot).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o777), (user.0, 0o700));
    no_mounts_under(&store);
}

/// The image verbs rootless: save, rmi (layers holding files of
/// subordinate ids go), load (unpacked again in the user namespace, the
/// same id), tag, image prune; the store's format is root's.
#[test]
fn rootless_save_rmi_load_and_prune() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "newuidmap",
        "newgidmap"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let store = home.join(".local/share/skiff");
    let layers = || -> Vec<_> {
        std::fs::read_dir(store.join("layers"))
            .unwrap()
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect()
    };
    assert_eq!(layers().len(), 2);
    let tar = home.join("img.tar");
    let tar_s = tar.to_str().unwrap();
    ok_as(
        user,
        &home,
        &xdg,
        &["tag", &img.reference, "localhost/mine:1"],
    );
    ok_as(
        user,
        &home,
        &xdg,
        &["save", "-o", tar_s, "localhost/mine:1"],
    );
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &["rmi", &img.reference, "localhost/mine:1"],
    );
    assert!(out.contains("Deleted: "), "{out}");
    assert_eq!(layers(), Vec::<std::path::PathBuf>::new(), "layers removed");
    let (out, _) = ok_as(user, &home, &xdg, &["load", "-i", tar_s]);
    assert_eq!(out, "Loaded image: localhost/mine:1\n");
    let (id, _) = ok_as(user, &home, &xdg, &["images", "-q", "--no-trunc"]);
    assert_eq!(id.trim(), img.id);
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "localhost/mine:1",
            "sh",
            "-c",
            "stat -c %u:%g /srv/data.txt",
        ],
    );
    assert_eq!(out, "1000:1000\n");
    ok_as(user, &home, &xdg, &["image", "prune", "-a", "-f"]);
    let (left, _) = ok_as(user, &home, &xdg, &["images", "-q"]);
    assert_eq!(left, "");
    assert!(layers().is_empty());
    let (check, _) = ok_as(user, &home, &xdg, &["system", "check"]);
    assert_eq!(check, "");
}

/// Volumes as an unprivileged user with subordinate ids: copy-up keeps
/// the image's owners (as the user's subordinate ids on the host), binds
/// of the user's own dirs are writable, `run --rm` takes the anonymous
/// volume, and `volume rm` removes files the user can't remove itself.
#[test]
fn rootless_volumes_copy_up_bind_and_remove() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "newuidmap",
        "newgidmap"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let ok = |args: &[&str]| ok_as(user, &home, &xdg, args).0;
    let bind = user_dir(&home, "bind", user);
    let bind_spec = format!("{}:/b", bind.display());
    let out = ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "rv:/srv",
        "-v",
        "/etc",
        "-v",
        &bind_spec,
        &img.reference,
        "sh",
        "-c",
        "stat -c '%u:%g %a' /srv/data.txt; echo hi > /b/f; echo x > /srv/new",
    ]);
    assert_eq!(out, "1000:1000 4755\n");
    assert_eq!(
        ok(&["volume", "ls", "-q"]),
        "rv\n",
        "--rm took the anonymous one"
    );
    let data = home.join(".local/share/skiff/volumes/rv/_data");
    let m = std::fs::metadata(data.join("data.txt")).unwrap();
    assert_eq!((m.uid(), m.gid()), (300_999, 300_999));
    let f = std::fs::metadata(bind.join("f")).unwrap();
    assert_eq!((f.uid(), f.gid()), user, "a bind's files are the user's");
    assert_eq!(
        ok(&["volume", "inspect", "-f", "{{.Mountpoint}}", "rv"]),
        format!("{}\n", data.display())
    );
    let out = ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "rv:/srv:ro",
        &img.reference,
        "cat",
        "/srv/new",
    ]);
    assert_eq!(out, "x\n");
    assert_eq!(ok(&["volume", "rm", "rv"]), "rv\n");
    assert!(!home.join(".local/share/skiff/volumes/rv").exists());
    no_mounts_under(&home);
}

/// `cp` as an unprivileged user: in and out of a running and a stopped
/// container, with the container's owners (files the container's uid
/// 1000 owns are the user's subordinate ids on the host side of the
/// store), and what is copied out belongs to the user.
#[test]
fn rootless_cp_keeps_the_containers_owners() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "newuidmap",
        "newgidmap"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let ok = |args: &[&str]| ok_as(user, &home, &xdg, args).0;
    let id = ok(&[
        "run",
        "-d",
        "--network",
        "none",
        &img.reference,
        "sleep",
        "300",
    ]);
    let id = id.trim();
    let src = user_dir(&home, "src", user);
    std::fs::write(src.join("a"), "mine\n").unwrap();
    std::os::unix::fs::chown(src.join("a"), Some(user.0), Some(user.1)).unwrap();
    ok(&["cp", src.to_str().unwrap(), &format!("{id}:/in")]);
    let out = ok(&[
        "exec",
        id,
        "sh",
        "-c",
        "ls -n /in | tail -1 | tr -s ' ' | cut -d' ' -f3,4",
    ]);
    assert_eq!(out, "0 0\n", "the user's file is root's inside");
    let dest = home.join("out");
    ok(&["cp", &format!("{id}:/srv/data.txt"), dest.to_str().unwrap()]);
    let m = std::fs::metadata(&dest).unwrap();
    assert_eq!((m.uid(), m.gid()), user, "copied out: the user's");
    ok(&["stop", "-t", "0", id]);
    ok(&[
        "cp",
        src.join("a").to_str().unwrap(),
        &format!("{id}:/srv/b"),
    ]);
    let upper = home
        .join(".local/share/skiff/containers")
        .join(id)
        .join("upper/srv");
    let m = std::fs::metadata(upper.join("b")).unwrap();
    assert_eq!((m.uid(), m.gid()), user, "container root is the user");
    let out = as_user(user, &home, Some(&xdg))
        .args(["cp", &format!("{id}:/srv/data.txt"), "-"])
        .out();
    assert!(out.status.success());
    let mut a = tar::Archive::new(&out.stdout[..]);
    let e = a.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(
        (e.header().uid().unwrap(), e.header().gid().unwrap()),
        (1000, 1000)
    );
    ok(&["rm", id]);
    no_mounts_under(&home);
}

/// `diff`, `commit` and `export` as an unprivileged user: the upper dir
/// (files of the user's subordinate ids) is read in the user namespace,
/// and the committed image keeps the container's owners.
#[test]
fn rootless_diff_commit_export() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "newuidmap",
        "newgidmap"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let ok = |args: &[&str]| ok_as(user, &home, &xdg, args).0;
    let id = ok(&[
        "run", "-d", "--network", "none", &img.reference, "sh", "-c",
        "mkdir -m 700 /srv/private; echo s > /srv/private/f; chown -R 1000:1000 /srv/private; sleep 300",
    ]);
    let id = id.trim();
    assert!(wait_until(std::time::Duration::from_secs(10), || {
        ok(&["diff", id]).contains("A /srv/private/f")
    }));
    assert_eq!(
        ok(&["diff", id]),
        "C /srv\nA /srv/private\nA /srv/private/f\n"
    );
    let image = ok(&["commit", id, "rootless/committed"]);
    assert!(image.starts_with("sha256:"));
    let out = ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "rootless/committed",
        "sh",
        "-c",
        "cat /srv/private/f; ls -ln /srv | grep private | tr -s ' ' | cut -d' ' -f1,3,4",
    ]);
    assert_eq!(out, "s\ndrwx------ 1000 1000\n");
    let out = as_user(user, &home, Some(&xdg)).args(["export", id]).out();
    assert!(out.status.success());
    let found = tar::Archive::new(&out.stdout[..])
        .entries()
        .unwrap()
        .map(|e| e.unwrap())
        .find(|e| e.path().unwrap().to_str() == Some("srv/private/f"))
        .map(|e| (e.header().uid().unwrap(), e.header().gid().unwrap()));
    assert_eq!(found, Some((1000, 1000)));
    ok(&["rm", "-f", id]);
    // A vfs container (a full copy, owned by subordinate ids on disk):
    // the same changes, read in the user's namespace.
    let id = ok(&[
        "--storage-driver", "vfs", "run", "-d", "--network", "none", &img.reference, "sh", "-c",
        "mkdir -m 700 /srv/private; echo s > /srv/private/f; chown -R 1000:1000 /srv/private; sleep 300",
    ]);
    let id = id.trim();
    assert!(wait_until(std::time::Duration::from_secs(10), || {
        ok(&["diff", id]).contains("A /srv/private/f")
    }));
    assert_eq!(
        ok(&["diff", id]),
        "C /srv\nA /srv/private\nA /srv/private/f\n"
    );
    ok(&["commit", id, "rootless/fromvfs"]);
    let out = ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "rootless/fromvfs",
        "sh",
        "-c",
        "cat /srv/private/f; ls -ln /srv | grep private | tr -s ' ' | cut -d' ' -f1,3,4",
    ]);
    assert_eq!(out, "s\ndrwx------ 1000 1000\n");
    ok(&["rm", "-f", id]);
    no_mounts_under(&home);
}

/// `login` and `push` as an unprivileged user: the credentials go to
/// the user's own ~/.docker/config.json (0600, the user's), and the
/// pushed image arrives whole.
#[test]
fn rootless_login_and_push() {
    require!("setpriv", "docker-registry", "skopeo", "htpasswd");
    if !is_root() {
        skip("needs root to switch to an unprivileged user");
        return;
    }
    let me = (NOBODY, NOBODY);
    let w = world(me);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let reg = Registry::start_auth("bob", "pw");
    let mut child = as_user(me, &home, Some(&xdg))
        .args(["login", "-u", "bob", "--password-stdin", &reg.host()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"pw\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cfg = home.join(".docker/config.json");
    let m = std::fs::metadata(&cfg).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o777), (NOBODY, 0o600));
    let target = format!("{}/rl:v1", reg.host());
    ok_as(me, &home, &xdg, &["tag", &img.reference, &target]);
    let (out, _) = ok_as(me, &home, &xdg, &["push", &target]);
    assert!(out.contains("v1: digest: sha256:"), "{out}");
    let fresh = Skiff::new();
    let auth = "bob:pw".to_string();
    fresh.ok(&["pull", "-q", "--creds", &auth, &target]);
}

/// `build` as an unprivileged user: RUN in the user's own containers
/// (pasta's network), COPY --chown to a subordinate owner, and a rebuild
/// from the cache.
#[test]
fn rootless_build() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "newuidmap",
        "newgidmap",
        "pasta"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let ctx = home.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("file.txt"), "from the context\n").unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!(
            "FROM {0} AS base\nRUN mkdir /made && echo m > /made/f && chown -R 1000:1000 /made\n\
             FROM {0}\nRUN mkdir /srv/made && echo ran > /srv/made/out && chown -R 1000:1000 /srv/made\n\
             COPY --chown=1000:1000 file.txt /srv/file.txt\nCOPY file.txt /srv/root-owned.txt\n\
             COPY --from=base /made /srv/from-stage\nCMD [\"cat\", \"/srv/file.txt\"]\n",
            img.reference
        ),
    )
    .unwrap();
    let ctx_s = ctx.to_str().unwrap();
    let (out, err) = ok_as(user, &home, &xdg, &["build", "-t", "rl/built", ctx_s]);
    assert_eq!(out, "");
    assert!(err.contains("RUN mkdir"), "{err}");
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &["run", "--rm", "--network", "none", "rl/built"],
    );
    assert_eq!(out, "from the context\n");
    let (out, _) = ok_as(
        user,
        &home,
        &xdg,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "rl/built",
            "sh",
            "-c",
            "ls -ln /srv/file.txt /srv/made/out /srv/root-owned.txt /srv/from-stage/f | tr -s ' ' | cut -d' ' -f3,4,9",
        ],
    );
    assert_eq!(
        out,
        "1000 1000 /srv/file.txt\n1000 1000 /srv/from-stage/f\n1000 1000 /srv/made/out\n0 0 /srv/root-owned.txt\n"
    );
    let (_, err) = ok_as(user, &home, &xdg, &["build", ctx_s]);
    assert_eq!(err.matches("CACHED").count(), 6, "{err}");
    let (out, _) = ok_as(user, &home, &xdg, &["ps", "-aq"]);
    assert_eq!(out, "");
    no_mounts_under(&home);
}
