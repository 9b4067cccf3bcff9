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
    cmd.args(args(pid, pidfile))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| PastaError::Failed(e.to_string()))
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
    if stderr.contains("/dev/net/tun") {
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
