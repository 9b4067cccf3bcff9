//! The per-container monitor (the role conmon plays for podman): it owns
//! the container's stdio, logs and exit code, and cleans up after it. This
//! file holds the pieces other commands use to read what a monitor left.

pub mod attach;
pub mod logs;
mod queues;
pub mod run;

use std::path::Path;
use std::time::{Duration, Instant};

use crate::state::container::{Container, ContainerStore};
use crate::util::time::UnixNanos;

/// What the monitor writes when its container exits: `<code> <unix nanos>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitFile {
    pub code: i32,
    pub at: UnixNanos,
}

pub fn read_exit_file(run_dir: &Path) -> Option<ExitFile> {
    let s = std::fs::read_to_string(run_dir.join("exit")).ok()?;
    let mut it = s.split_whitespace();
    let code = it.next()?.parse().ok()?;
    let at = it
        .next()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(crate::util::time::now);
    Some(ExitFile { code, at })
}

pub fn write_exit_file(run_dir: &Path, e: ExitFile) -> crate::Result<()> {
    crate::state::atomic::write_volatile(
        &run_dir.join("exit"),
        format!("{} {}\n", e.code, e.at).as_bytes(),
    )
}

/// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot),
/// or None when the process is gone or a zombie (exited, not yet reaped:
/// an orphan whose reaper never comes must not look alive).
pub fn proc_start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parens: split after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    if matches!(fields.next(), Some("Z" | "X" | "x")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// Sends `sig` to `pid` if it is still the process that started at
/// `start_time` (0: any). The process is pinned by a pidfd first and its
/// start time checked after, so a pid reused in between never gets the
/// signal. False when it is gone (or another process).
pub fn signal_process(pid: i32, start_time: u64, sig: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: pidfd_open takes plain integers.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return false;
    }
    // SAFETY: the kernel just gave us this fd; we own it.
    let fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd as i32) };
    if proc_start_time(pid).is_none_or(|t| start_time != 0 && t != start_time) {
        return false;
    }
    // SAFETY: a valid pidfd, no siginfo, no flags.
    unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            sig,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        ) == 0
    }
}

/// SIGKILL a process (if it is still the one we recorded) and wait for it to go.
pub fn kill_and_wait(pid: i32, start_time: u64, timeout: Duration) -> bool {
    if !signal_process(pid, start_time, libc::SIGKILL) {
        return true;
    }
    let start = Instant::now();
    while start.elapsed() < timeout {
        match proc_start_time(pid) {
            None => return true,
            Some(t) if start_time != 0 && t != start_time => return true,
            _ => {}
        }
        // A zombie whose parent is gone is reaped by init; ours by our own waitpid.
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

/// Wait (bounded) until a process is gone, without signalling it.
pub fn wait_gone(pid: i32, start_time: u64, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        match proc_start_time(pid) {
            Some(t) if pid > 0 && (start_time == 0 || t == start_time) => {
                std::thread::sleep(Duration::from_millis(5))
            }
            _ => return true,
        }
    }
    false
}

/// Release what a dead monitor may have left (cgroups, runtime dir). What
/// cannot be removed stays behind with a warning (`system check` finds it).
pub fn cleanup_leftovers(store: &ContainerStore, c: &Container) {
    cleanup_cgroups(c, true);
    let dir = store.run_dir(c.id());
    // A rootless container's pasta outlives a killed monitor.
    crate::network::pasta::stop(&dir.join("pasta.pid"), true);
    if let Err(e) = crate::util::tree::remove_tree(&dir) {
        log::warn!(
            "container {}: removing its runtime dir {}: {e}",
            c.id(),
            dir.display()
        );
    }
}

/// What a monitor killed before its cleanup left that a new start would
/// write over: the cgroups, and a rootless container's pasta (whose pid
/// file the start replaces).
pub fn cleanup_before_start(store: &ContainerStore, c: &Container) {
    cleanup_cgroups(c, false);
    crate::network::pasta::stop(&store.run_dir(c.id()).join("pasta.pid"), true);
}

/// The cgroups of the container's last run, if still there (its monitor
/// removes them; one killed first does not). With `by_name`, also those
/// of a start killed before it recorded them (found by their name).
pub fn cleanup_cgroups(c: &Container, by_name: bool) {
    let mut paths = c.state.cgroup_paths.clone();
    if by_name {
        let parent = &c.config.host_config.cgroup_parent;
        let parent = (!parent.is_empty()).then_some(parent.as_str());
        for p in crate::runtime::cgroups::find_leaves(c.id(), parent) {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
    }
    if !paths.is_empty() {
        if let Err(e) = crate::runtime::cgroups::Cgroup::from_paths(paths).destroy() {
            log::warn!("container {}: removing its cgroups: {e}", c.id());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_reaches_only_the_process_that_was_recorded() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let start = proc_start_time(pid).unwrap();
        // Another start time: a reused pid. Not signalled.
        assert!(!signal_process(pid, start + 1, libc::SIGKILL));
        assert!(
            child.try_wait().unwrap().is_none(),
            "the wrong process died"
        );
        assert!(signal_process(pid, start, libc::SIGKILL));
        let status = child.wait().unwrap();
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(9)
        );
        // Gone (reaped): nothing to signal.
        assert!(!signal_process(pid, start, libc::SIGKILL));
        assert!(!signal_process(0, 0, libc::SIGKILL));
    }
}
