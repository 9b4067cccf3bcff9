//! pasta (Debian's `passt`): a rootless container's network. One pasta per
//! container joins the container's user and network namespaces, gives it
//! a tap interface with the host's addresses and routes, and carries its
//! outbound traffic through the host's sockets (its published ports are
//! skiff's own forwarder's, `network::portfwd`). It keeps running after the container's
//! last process is gone, so its pid file (in the container's run dir) is
//! how it is found and stopped.

use std::path::Path;
use std::process::Command;

/// What goes wrong starting pasta, in the user's words.
#[derive(Debug, thiserror::Error)]
pub enum PastaError {
    #[error("rootless networking needs pasta: install the Debian package passt (or run with --network none)")]
    Missing,
    #[error("pasta can't open /dev/net/tun: it is not readable and writable by you (mode 0600 here; Debian's udev makes it 0666, which rootless networking needs: an administrator can run chmod 0666 /dev/net/tun), or use --network none")]
    Tun,
    #[error("pasta: {0}")]
    Failed(String),
}

/// pasta's command line for the namespaces of `pid`: its tap gets the
/// host's addresses and routes (a container's own network, or a user's
/// rootless netns). It forwards no port: skiff does
/// (`network::portfwd`).
pub fn args(pid: i32, pidfile: &Path) -> Vec<String> {
    // IPv4 only, as docker's default bridge (no IPv6 unless asked for);
    // it also spares pasta's IPv6 setup, a sixth of its start-up.
    let mut a: Vec<String> = ["--config-net", "--quiet", "--ipv4-only", "--pid"]
        .map(String::from)
        .to_vec();
    a.push(pidfile.display().to_string());
    // Nothing forwarded either way.
    a.extend(["-t", "none", "-u", "none", "-T", "none", "-U", "none"].map(String::from));
    a.push(pid.to_string());
    a
}

/// Starts pasta for `pid` and returns once the namespace is configured
/// (pasta goes to the background then).
pub fn start(pid: i32, pidfile: &Path) -> Result<(), PastaError> {
    finish(spawn(pid, pidfile)?)
}

/// Starts pasta for `pid` without waiting: [`finish`] waits until the
/// namespace is configured, so other work can go on meanwhile.
pub fn spawn(pid: i32, pidfile: &Path) -> Result<std::process::Child, PastaError> {
    spawn_with(pid, pidfile, false)
}

fn spawn_with(
    pid: i32,
    pidfile: &Path,
    foreground: bool,
) -> Result<std::process::Child, PastaError> {
    use std::os::unix::process::CommandExt;
    let bin = crate::util::program::find("pasta").ok_or(PastaError::Missing)?;
    let mut cmd = Command::new(bin);
    // SAFETY: close_range is async-signal-safe. pasta outlives the
    // caller: it must not keep what the caller inherited (a lock, a pipe).
    unsafe {
        cmd.pre_exec(|| {
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
            Ok(())
        });
    }
    if foreground {
        cmd.arg("-f");
    }
    cmd.args(args(pid, pidfile))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| PastaError::Failed(e.to_string()))
}

/// Starts pasta for `pid` in the foreground (`-f`): the child is pasta
/// itself, which runs until it is killed; [`wait_configured`] tells
/// when the namespace is configured, which comes well before the end of
/// its start-up (its socket pools), so the container can go on meanwhile.
pub fn spawn_foreground(pid: i32, pidfile: &Path) -> Result<std::process::Child, PastaError> {
    spawn_with(pid, pidfile, true)
}

/// A foreground pasta that has configured its namespace.
pub struct Running {
    pidfd: std::os::fd::OwnedFd,
}

impl Running {
    /// Kills it (it holds nothing to flush; nobody waits for its exit).
    pub fn stop(self) {
        let _ = rustix::process::pidfd_send_signal(&self.pidfd, rustix::process::Signal::KILL);
    }
}

/// How long a pasta may take to configure a namespace.
const CONFIGURE_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits until the namespace `routes` watches (a netlink socket made
/// there, subscribed to its IPv4 routes) has a default route, pasta's
/// last step of `--config-net`; or until the foreground pasta `child`
/// exits, which is its failure. On any failure it is gone.
pub fn wait_configured(
    mut child: std::process::Child,
    routes: std::os::fd::OwnedFd,
) -> Result<Running, PastaError> {
    match watch(&child, &routes) {
        Ok(Some(pidfd)) => Ok(Running { pidfd }),
        Ok(None) => {
            // It exited: its complaint is on its stderr.
            let out = child
                .wait_with_output()
                .map_err(|e| PastaError::Failed(e.to_string()))?;
            Err(failure(&String::from_utf8_lossy(&out.stderr)))
        }
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(e)
        }
    }
}

/// [`wait_configured`]'s watch: pasta's pidfd once the default route is
/// there, `None` once pasta exited.
fn watch(
    child: &std::process::Child,
    routes: &std::os::fd::OwnedFd,
) -> Result<Option<std::os::fd::OwnedFd>, PastaError> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let io = |e: std::io::Error| PastaError::Failed(e.to_string());
    let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("a child's pid");
    let pidfd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())
        .map_err(|e| io(e.into()))?;
    super::routes::request_dump(routes).map_err(io)?;
    let deadline = std::time::Instant::now() + CONFIGURE_WITHIN;
    loop {
        if super::routes::default_route_seen(routes).map_err(io)? {
            return Ok(Some(pidfd));
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(PastaError::Failed(format!(
                "it did not configure the network in {} s",
                CONFIGURE_WITHIN.as_secs()
            )));
        }
        let t = Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: left.subsec_nanos() as i64,
        };
        let mut fds = [
            PollFd::new(routes, PollFlags::IN),
            PollFd::new(&pidfd, PollFlags::IN),
        ];
        match poll(&mut fds, Some(&t)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(io(e.into())),
        }
        if !fds[1].revents().is_empty() {
            return Ok(None);
        }
    }
}

/// Waits for a [`spawn`]ed pasta to have configured the namespace (its
/// foreground process exits then, the rest of it in the background).
pub fn finish(child: std::process::Child) -> Result<(), PastaError> {
    let out = child
        .wait_with_output()
        .map_err(|e| PastaError::Failed(e.to_string()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(failure(&String::from_utf8_lossy(&out.stderr)))
}

/// pasta's complaint, with the one this host is known for said plainly.
pub fn failure(stderr: &str) -> PastaError {
    failure_with(stderr, tun_usable())
}

/// Whether this user can open /dev/net/tun for reading and writing.
fn tun_usable() -> bool {
    rustix::fs::access(
        "/dev/net/tun",
        rustix::fs::Access::READ_OK | rustix::fs::Access::WRITE_OK,
    )
    .is_ok()
}

/// [`failure`], knowing whether /dev/net/tun is usable: pasta says only
/// "Failed to open tun socket in namespace" when it is not.
fn failure_with(stderr: &str, tun_usable: bool) -> PastaError {
    if stderr.contains("/dev/net/tun") || (stderr.contains("tun") && !tun_usable) {
        return PastaError::Tun;
    }
    // Its complaint that there is no syslog to log to is noise here.
    let said = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.contains("syslog"))
        .unwrap_or("failed");
    PastaError::Failed(said.to_owned())
}

/// Stops the pasta of `pidfile` (only a pasta started with that pid
/// file: a recycled pid is left alone) and removes the file. With
/// `until_gone` (it held published ports), waits until it is gone, so a
/// next `run -p` can bind them; its exit takes tens of ms.
pub fn stop(pidfile: &Path, until_gone: bool) {
    if let Some(pid) = pid_file_owner(pidfile) {
        if let Some(p) = rustix::process::Pid::from_raw(pid) {
            // KILL: it holds nothing to flush, and TERM takes it ~40 ms.
            let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
            // Its ports are free once it is gone (a next `run -p` binds
            // them); gone includes a zombie nobody reaps.
            for _ in 0..if until_gone { 200 } else { 0 } {
                if !alive(pid) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
    let _ = std::fs::remove_file(pidfile);
}

/// The live process a pid file names, if its command line names that
/// file (a recycled pid is someone else's, and is not returned).
pub fn pid_file_owner(pidfile: &Path) -> Option<i32> {
    let pid: i32 = std::fs::read_to_string(pidfile).ok()?.trim().parse().ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let ours = cmdline
        .split(|&b| b == 0)
        .any(|arg| arg == pidfile.as_os_str().as_encoded_bytes());
    (ours && alive(pid)).then_some(pid)
}

/// Whether `pid` runs (neither gone nor a zombie).
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X'),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_forwards_nothing() {
        assert_eq!(
            args(7, Path::new("/p")).join(" "),
            "--config-net --quiet --ipv4-only --pid /p -t none -u none -T none -U none 7"
        );
    }

    #[test]
    fn the_tun_failure_is_said_plainly() {
        let e = failure("Failed to open() /dev/net/tun: Permission denied\n").to_string();
        assert!(e.contains("chmod 0666 /dev/net/tun"), "{e}");
        // What Debian 12's pasta says when the open is refused.
        let said = "Failed to send 45 bytes to syslog\nFailed to open tun socket in namespace\n";
        assert!(matches!(failure_with(said, false), PastaError::Tun));
        assert_eq!(
            failure_with(said, true).to_string(),
            "pasta: Failed to open tun socket in namespace"
        );
        assert_eq!(
            failure("\nbad thing\nmore\n").to_string(),
            "pasta: bad thing"
        );
        assert_eq!(
            failure("Failed to send 67 bytes to syslog\nFailed to bind port 80\n").to_string(),
            "pasta: Failed to bind port 80"
        );
    }

    #[test]
    fn stop_leaves_a_process_that_is_not_ours() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("pasta.pid");
        std::fs::write(&f, format!("{}\n", std::process::id())).unwrap();
        assert_eq!(pid_file_owner(&f), None, "our cmdline does not name it");
        stop(&f, true);
        assert!(!f.exists());
    }

    #[test]
    fn a_pid_file_names_a_process_whose_command_line_names_it() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("x.pid");
        let mut child = Command::new("sh")
            .args(["-c", "sleep 10; true", "sh", f.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::fs::write(&f, format!("{}\n", child.id())).unwrap();
        // (under load, /proc may show the new command line a moment late)
        let mut owner = None;
        for _ in 0..200 {
            owner = pid_file_owner(&f);
            if owner.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(owner, Some(child.id() as i32));
        std::fs::write(&f, "garbage").unwrap();
        assert_eq!(pid_file_owner(&f), None);
        child.kill().unwrap();
        child.wait().unwrap();
        std::fs::write(&f, format!("{}\n", child.id())).unwrap();
        assert_eq!(pid_file_owner(&f), None, "gone");
    }
}
