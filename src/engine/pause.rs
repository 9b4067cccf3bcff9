//! A rootless user's pause process (podman's): one user namespace with
//! the user's maps (0 → the user, 1.. → the subordinate range), kept by
//! a process that only sleeps (`skiff:[PAUSE]`, a child of init, in its
//! own session). A rootless container with those maps joins it instead
//! of making a user namespace of its own, which would take a run of
//! `newuidmap` and `newgidmap` (two setuid programs) at every start: the
//! difference between a rootless start and a rootful one. It is started
//! by the first such start under `<runroot>/userns/lock`, found through
//! `<runroot>/userns/pause.pid` (a pid counts only while its cmdline
//! names the file), and lives until the runroot goes (a reboot) or it
//! is killed; the next start then makes another. Containers that share
//! it share a user namespace, as podman's rootless containers do (and
//! docker's rootless ones, in rootlesskit's): each keeps its own mount,
//! PID, network, IPC and UTS namespaces, and the docker capabilities
//! (no `CAP_SYS_ADMIN`) keep it out of the others'.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::network::pasta::pid_file_owner;
use crate::runtime::spec::{IdMap, IdMappings};
use crate::state::lock::LockGuard;

fn dir(runroot: &Path) -> PathBuf {
    runroot.join("userns")
}

/// The pause process's pid file (for tests and cleanup).
pub fn pidfile(runroot: &Path) -> PathBuf {
    dir(runroot).join("pause.pid")
}

/// The running pause process, if its namespace has `maps` (a pause
/// made before /etc/subuid changed has not: it is stopped).
fn running(runroot: &Path, maps: &IdMappings) -> Option<(i32, u64)> {
    let pid = pid_file_owner(&pidfile(runroot))?;
    let read = |f: &str| std::fs::read_to_string(format!("/proc/{pid}/{f}")).unwrap_or_default();
    if parse_map(&read("uid_map")) != maps.uid || parse_map(&read("gid_map")) != maps.gid {
        log::debug!("rootless pause process {pid}: its maps are not the user's now");
        stop(runroot);
        return None;
    }
    Some((pid, crate::monitor::proc_start_time(pid)?))
}

/// `/proc/PID/uid_map`'s lines.
fn parse_map(text: &str) -> Vec<IdMap> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace().map(|x| x.parse::<u32>().ok());
            Some(IdMap {
                container_id: f.next()??,
                host_id: f.next()??,
                size: f.next()??,
            })
        })
        .collect()
}

/// The pause process (pid, start time) whose user namespace has `maps`,
/// started unless it runs.
pub fn ensure(runroot: &Path, maps: &IdMappings) -> Result<(i32, u64)> {
    if let Some(p) = running(runroot, maps) {
        return Ok(p);
    }
    let d = dir(runroot);
    std::fs::create_dir_all(&d).map_err(|e| Error::io("creating", &d, e))?;
    let _g = LockGuard::exclusive(&d.join("lock"))?;
    if let Some(p) = running(runroot, maps) {
        return Ok(p);
    }
    let f = pidfile(runroot);
    let pid = super::rootless_netns::spawn_holder(&f, "pause")?;
    let kill = || {
        if let Some(p) = rustix::process::Pid::from_raw(pid) {
            let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
        }
    };
    let Some(start_time) = crate::monitor::proc_start_time(pid) else {
        kill();
        return Err(Error::Other(
            "the rootless pause process died at its start".into(),
        ));
    };
    if let Err(e) = crate::state::atomic::write_volatile(&f, format!("{pid}\n").as_bytes()) {
        kill();
        return Err(e);
    }
    log::debug!("rootless pause process {pid} started");
    Ok((pid, start_time))
}

/// Stops the pause process, if it runs (the containers in its user
/// namespace keep it).
pub fn stop(runroot: &Path) {
    let f = pidfile(runroot);
    if let Some(pid) = pid_file_owner(&f).and_then(rustix::process::Pid::from_raw) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
    let _ = std::fs::remove_file(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_maps_parse_as_the_runtimes() {
        let m = parse_map("         0        999          1\n         1     300000      65536\n");
        assert_eq!(
            m,
            vec![
                IdMap {
                    container_id: 0,
                    host_id: 999,
                    size: 1
                },
                IdMap {
                    container_id: 1,
                    host_id: 300000,
                    size: 65536
                },
            ]
        );
        assert!(parse_map("").is_empty());
    }
}
