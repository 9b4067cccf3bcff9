//! The store and run dirs: who on the host may enter them, read logs, or
//! talk to a container's monitor.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use crate::common::*;
use crate::require;
use crate::setup;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .mode()
        & 0o7777
}

/// Opens the test's temp dir to everyone, as /var/lib is: from then on
/// only skiff's own modes keep other users out.
fn open_tempdir(s: &Skiff) {
    std::fs::set_permissions(s.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `args` as the unprivileged user `nobody`: (exit code, stderr).
fn as_nobody(args: &[&str]) -> (i32, String) {
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn store_dirs_are_private_and_logs_not_world_readable() {
    require!("setpriv");
    let Some(env) = setup() else { return };
    let s = &env.s;
    open_tempdir(s);
    let id = s
        .ok(&[
            "run",
            "-d",
            "--network",
            "none",
            &env.img,
            "sh",
            "-c",
            "cp /bin/busybox /sb && chmod 4755 /sb && echo written && sleep 60",
        ])
        .trim()
        .to_string();
    let run = s.dir.path().join("run");
    assert_eq!(mode(&s.root()), 0o700, "the root");
    assert_eq!(mode(&run), 0o700, "the runroot");
    let log = s.ok(&["inspect", "--format", "{{.LogPath}}", &id]);
    let log = Path::new(log.trim());
    assert!(
        wait_until(std::time::Duration::from_secs(5), || {
            std::fs::read_to_string(log).is_ok_and(|l| l.contains("written"))
        }),
        "the container never wrote its setuid copy"
    );
    assert_eq!(mode(log), 0o640, "the json-file log");
    // The setuid binary the container wrote is in its upper dir, where no
    // other local user can reach it (nor read the logs).
    let upper_sb = s.root().join("containers").join(&id).join("upper/sb");
    assert_eq!(mode(&upper_sb), 0o4755);
    // (Through sh: util-linux's setpriv itself reports a failed exec oddly.)
    let (code, err) = as_nobody(&["sh", "-c", "exec \"$0\" id -u", upper_sb.to_str().unwrap()]);
    assert_ne!(code, 0, "nobody ran the container's setuid binary");
    assert!(err.contains("Permission denied"), "{err}");
    let (code, err) = as_nobody(&["cat", log.to_str().unwrap()]);
    assert_ne!(code, 0, "nobody read the container's log");
    assert!(err.contains("Permission denied"), "{err}");
    s.ok(&["rm", "-f", &id]);
}

#[test]
fn a_looser_existing_store_is_tightened_with_a_notice() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    std::fs::set_permissions(s.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, err) = s.run(&["ps", "-a"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&s.root()), 0o700);
    let notice: Vec<&str> = err.lines().collect();
    assert_eq!(notice.len(), 1, "one line of notice: {err}");
    assert!(
        notice[0].contains(&s.root().display().to_string()) && notice[0].contains("0755"),
        "{err}"
    );
    // Said once: the next command is quiet.
    let (code, _, err) = s.run(&["ps", "-a"]);
    assert_eq!((code, err.as_str()), (0, ""));
}

/// Connects to `sock` as `nobody` (through an `O_PATH` fd of its dir opened
/// as root, so the store's 0700 dirs are not what stops it) and reports
/// what the monitor did: "EOF" (it hung up), "DATA", "TIMEOUT", or the
/// connect error.
fn connect_as_nobody(sock: &Path) -> String {
    let script = r#"
import ctypes, os, socket, sys
fd = os.open(sys.argv[1], os.O_PATH)
os.setgroups([]); os.setgid(65534); os.setuid(65534)
ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: /proc/self/fd stays ours
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("/proc/self/fd/%d/attach.sock" % fd)
except OSError as e:
    print("CONNECT", e.strerror); sys.exit(0)
s.settimeout(3)
try:
    print("DATA" if s.recv(100) else "EOF")
except socket.timeout:
    print("TIMEOUT")
"#;
    let out = Command::new("python3")
        .args(["-c", script, sock.parent().unwrap().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn attach_socket_is_the_engines_users_only() {
    require!("python3");
    let Some(env) = setup() else { return };
    let s = &env.s;
    let id = s
        .ok(&[
            "run",
            "-d",
            "--network",
            "none",
            &env.img,
            "sh",
            "-c",
            "while true; do echo tick; sleep 0.1; done",
        ])
        .trim()
        .to_string();
    let sock = s
        .dir
        .path()
        .join("run/containers")
        .join(&id)
        .join("attach.sock");
    assert_eq!(mode(&sock), 0o600, "the attach socket");
    assert_eq!(
        connect_as_nobody(&sock),
        "CONNECT Permission denied",
        "the socket's mode"
    );
    // Even where the mode would let another user in, the monitor checks
    // the peer's uid and hangs up.
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(connect_as_nobody(&sock), "EOF", "the peer check");
    assert_eq!(std::fs::metadata(&sock).unwrap().uid(), 0);
    // The refusal is in the monitor's log, beside the container's config.
    let monitor_log = s.root().join("containers").join(&id).join("monitor.log");
    let text = std::fs::read_to_string(&monitor_log).unwrap();
    let refused: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" WARN refused an attach client: pid "))
        .collect();
    assert_eq!(refused.len(), 1, "{text}");
    assert!(
        refused[0].ends_with(" runs as uid 65534; only uid 0 (the engine's) and root may attach"),
        "{text}"
    );
    // The engine's own user still attaches.
    let mut child = s
        .cmd()
        .args(["attach", "--no-stdin", &id])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 5];
    std::io::Read::read_exact(&mut out, &mut buf).unwrap();
    assert_eq!(&buf, b"tick\n");
    let _ = child.kill();
    let _ = child.wait();
    s.ok(&["rm", "-f", &id]);
}

/// A container that nests directories thousands deep in its upper dir
/// cannot make `rm` fail or leave its files behind (a recursive removal
/// holds one descriptor per level and runs out under a small fd limit).
#[test]
fn a_deep_tree_in_a_container_is_removed_with_few_descriptors() {
    use std::os::unix::process::CommandExt;
    let Some(env) = setup() else { return };
    let s = &env.s;
    let id = s
        .ok(&[
            "create",
            "--network",
            "none",
            &env.img,
            "sh",
            "-c",
            "i=0; while [ $i -lt 1500 ]; do mkdir d && cd d || exit 1; i=$((i+1)); done; echo deep",
        ])
        .trim()
        .to_string();
    assert_eq!(s.ok(&["start", "-a", &id]), "deep\n");
    let dir = s.root().join("containers").join(&id);
    assert!(dir.join("upper/d/d/d").is_dir());
    let mut rm = s.cmd();
    rm.args(["rm", &id]);
    // SAFETY: setrlimit in the child before exec.
    unsafe {
        rm.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 256,
                rlim_max: 256,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = rm.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(!dir.exists(), "the container's files were left behind");
}
