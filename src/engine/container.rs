//! Container operations that need no running process: list, inspect,
//! remove, rename, and the lazy reconcile every command does first
//! (`create` is in create.rs).

use std::collections::BTreeMap;

use super::liveness::process_alive;
use super::Engine;
use crate::error::{Error, Result};
use crate::state::container::{Container, DeviceMapping, Status, Ulimit};
use crate::util::time;

/// Everything `create`/`run` can say about a new container.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub image: String,
    /// Ports, addresses, DNS and hosts entries.
    pub net: crate::state::container::NetRequest,
    pub command: Vec<String>,
    pub name: Option<String>,
    pub entrypoint: Option<String>,
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub labels: Vec<String>,
    pub hostname: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub attach: Vec<String>,
    /// `run -d`: nothing is attached (docker's Config.Attach* are false).
    pub detach: bool,
    pub auto_remove: bool,
    pub init: bool,
    pub restart: Option<String>,
    pub network: Option<String>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub read_only: bool,
    pub memory: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub pids_limit: Option<i64>,
    pub shm_size: Option<i64>,
    pub ulimits: Vec<Ulimit>,
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
    pub uts_mode: Option<String>,
    /// `--userns`.
    pub userns: Option<String>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub cgroup_parent: Option<String>,
    pub log_driver: Option<String>,
    pub log_opts: Vec<String>,
    /// `--device`, checked.
    pub devices: Vec<DeviceMapping>,
    /// `--device-cgroup-rule`, checked (`c 42:* rwm`).
    pub device_cgroup_rules: Vec<String>,
    /// `-v`, as given (a `./` source made absolute by the CLI).
    pub binds: Vec<String>,
    /// `--mount`, parsed.
    pub mounts: Vec<crate::state::mounts::MountRequest>,
    /// `--tmpfs`, as given.
    pub tmpfs: Vec<String>,
    /// `--volumes-from`, as given.
    pub volumes_from: Vec<String>,
    /// `--storage-opt` (`size=N`), checked.
    pub storage_opt: Vec<String>,
}

impl CreateOptions {
    /// Whether `-a` attaches `stream` (stdin, stdout, stderr): every
    /// output stream when no `-a` was given, as docker's.
    pub fn attaches(&self, stream: &str) -> bool {
        if self.detach {
            return false;
        }
        let listed = self.attach.iter().any(|a| a.eq_ignore_ascii_case(stream));
        listed || (self.attach.is_empty() && stream != "stdin")
    }
}

/// `ps` filters.
#[derive(Debug, Clone)]
pub enum ContainerFilter {
    Status(Status),
    Name(String),
    Label(String, Option<String>),
    Ancestor(String),
    Id(String),
    Exited(i32),
    /// podman's `restart-policy=` (`none` is docker's `no`).
    RestartPolicy(String),
}

impl ContainerFilter {
    pub fn parse(s: &str) -> Result<ContainerFilter> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            Error::InvalidArgument(format!("bad format of filter (expected name=value): {s}"))
        })?;
        Ok(match k {
            // `stopped` is podman's name for `exited`.
            "status" if v == "stopped" => ContainerFilter::Status(Status::Exited),
            "status" => {
                ContainerFilter::Status(Status::parse(v).ok_or_else(|| {
                    Error::InvalidArgument(format!("Invalid filter 'status={v}'"))
                })?)
            }
            "name" => ContainerFilter::Name(v.to_owned()),
            "label" => match v.split_once('=') {
                Some((a, b)) => ContainerFilter::Label(a.to_owned(), Some(b.to_owned())),
                None => ContainerFilter::Label(v.to_owned(), None),
            },
            "ancestor" => ContainerFilter::Ancestor(v.to_owned()),
            "restart-policy" => ContainerFilter::RestartPolicy(match v {
                "none" | "no" => "no".to_owned(),
                "always" | "on-failure" | "unless-stopped" => v.to_owned(),
                _ => {
                    return Err(Error::Status {
                        code: crate::error::code::ENGINE,
                        message: format!("Error: {v} invalid restart policy"),
                    })
                }
            }),
            "id" => ContainerFilter::Id(v.to_owned()),
            "exited" => ContainerFilter::Exited(
                v.parse()
                    .map_err(|_| Error::InvalidArgument(format!("Invalid filter 'exited={v}'")))?,
            ),
            _ => return Err(Error::InvalidArgument(format!("Invalid filter '{k}'"))),
        })
    }
}

fn no_such_container(name: &str) -> Error {
    Error::NotFound(format!("No such container: {name}"))
}

/// Merge `KEY=VALUE` lists: later keys win, order of first appearance kept.
pub fn merge_env(base: &[String], over: &[String]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for e in over {
        let key = e.split('=').next().unwrap_or(e);
        match out.iter_mut().find(|x| x.split('=').next() == Some(key)) {
            Some(slot) => *slot = e.clone(),
            None => out.push(e.clone()),
        }
    }
    out
}

/// A new container's `Config.Env` as docker's `create` merges it: the
/// user's `-e` values first (a repeated key keeps its last value), then
/// the image's variables the user did not set.
pub fn create_env(image: &[String], user: &[String]) -> Vec<String> {
    let mut out = merge_env(&[], user);
    let key = |e: &str| e.split('=').next().unwrap_or(e).to_owned();
    for e in image {
        let k = key(e);
        if !out.iter().any(|u| key(u) == k) {
            out.push(e.clone());
        }
    }
    out
}

pub(crate) fn parse_labels(list: &[String]) -> BTreeMap<String, String> {
    list.iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (l.clone(), String::new()),
        })
        .collect()
}

impl Engine {
    /// Find a container by name, id or unique id prefix.
    pub fn container_lookup(&self, name: &str) -> Result<Container> {
        let id = self
            .containers
            .find(name)?
            .ok_or_else(|| no_such_container(name))?;
        let c = self
            .containers
            .load(&id)?
            .ok_or_else(|| no_such_container(name))?;
        self.reconcile(c)
    }

    /// The daemonless rule: trust nothing a previous command left. A
    /// "running" container whose process is gone (checked by pid *and*
    /// start time) is moved to exited, with the exit file's code if the
    /// monitor wrote one.
    pub fn reconcile(&self, mut c: Container) -> Result<Container> {
        if !c.state.is_running() || process_alive(c.state.pid, c.state.pid_start_time) {
            return Ok(c);
        }
        // The process is gone but its monitor lives: it records the real
        // exit code in a moment; wait for that rather than guess 255.
        if process_alive(c.state.monitor_pid, c.state.monitor_start_time) {
            self.wait_recorded(c.id(), std::time::Duration::from_secs(1));
            match self.containers.load(c.id())? {
                Some(now) if !now.state.is_running() => return Ok(now),
                Some(now) => c = now,
                None => return Err(Error::NotFound(format!("No such container: {}", c.id()))),
            }
        }
        let _g = self.containers.lock(c.id())?;
        let mut st = self.containers.load_state(c.id())?;
        if st.is_running() && !process_alive(st.pid, st.pid_start_time) {
            let exit = crate::monitor::read_exit_file(&self.containers.run_dir(c.id()));
            st.status = Status::Exited;
            // The code is lost with the monitor: docker reports 255 then.
            st.exit_code = exit.map_or(255, |e| e.code);
            st.finished_at = Some(exit.map_or_else(time::now, |e| e.at));
            st.pid = 0;
            // A store that can't be written (a full disk) must not make the
            // container unreadable: ps and inspect show the exit all the
            // same, and the next reconcile that can write records it.
            let _ = self.containers.save_state(c.id(), &st);
            if !process_alive(st.monitor_pid, st.monitor_start_time) && wired(&c) {
                // Its monitor died before its teardown: the firewall rules
                // it would have removed go now.
                drop(_g);
                let _ = self.sync_firewall(Some(c.id()));
            }
        }
        c.state = st;
        Ok(c)
    }

    /// `ps`: newest first.
    pub fn list_containers(
        &self,
        all: bool,
        filters: &[ContainerFilter],
    ) -> Result<Vec<Container>> {
        let mut out = Vec::new();
        for c in self.containers.all()? {
            let c = match self.reconcile(c) {
                Ok(c) => c,
                // Removed (by a concurrent rm) while we listed: it's gone.
                Err(Error::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let explicit_status = filters
                .iter()
                .any(|f| matches!(f, ContainerFilter::Status(_)));
            if !all && !explicit_status && !c.state.is_running() {
                continue;
            }
            if self.matches_filters(&c, filters) {
                out.push(c);
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.config.created));
        Ok(out)
    }

    /// docker's filter logic: filters of one kind match if any does (two
    /// `name=`s are either name), different kinds must all match.
    fn matches_filters(&self, c: &Container, filters: &[ContainerFilter]) -> bool {
        filters.iter().all(|f| {
            let kind = std::mem::discriminant(f);
            filters
                .iter()
                .filter(|g| std::mem::discriminant(*g) == kind)
                .any(|g| self.container_matches(c, g))
        })
    }

    fn container_matches(&self, c: &Container, f: &ContainerFilter) -> bool {
        match f {
            ContainerFilter::Status(s) => c.state.status == *s,
            ContainerFilter::Name(n) => c.name().contains(n.trim_start_matches('/')),
            ContainerFilter::Id(p) => c.id().starts_with(p),
            ContainerFilter::RestartPolicy(p) => {
                let name = c.config.host_config.restart_policy.name.as_str();
                (if name.is_empty() { "no" } else { name }) == p
            }
            ContainerFilter::Exited(code) => {
                c.state.status == Status::Exited && c.state.exit_code == *code
            }
            ContainerFilter::Label(k, v) => match v {
                Some(v) => c.config.config.labels.get(k) == Some(v),
                None => c.config.config.labels.contains_key(k),
            },
            ContainerFilter::Ancestor(img) => {
                c.config.image_name == *img
                    || self
                        .image_lookup(img)
                        .is_ok_and(|r| r.id == c.config.image_id)
            }
        }
    }

    /// `rm`: a running container needs `force` (then it is killed first,
    /// and its monitor given time to record the exit and clean up).
    pub fn remove_container(&self, name: &str, force: bool) -> Result<String> {
        self.remove_container_with(name, force, false)
    }

    /// [`Engine::remove_container`]; with `volumes` (`rm -v`), also its
    /// anonymous volumes that no other container uses.
    pub fn remove_container_with(&self, name: &str, force: bool, volumes: bool) -> Result<String> {
        let c = self.container_lookup(name)?;
        let id = c.id().to_owned();
        log::debug!(
            "rm {name}: {id}, status {:?}, force {force}",
            c.state.status
        );
        if c.state.is_running() && process_alive(c.state.pid, c.state.pid_start_time) {
            if !force && c.state.status == Status::Paused {
                return Err(Error::Conflict(format!(
                    "You cannot remove a paused container {id}. Unpause and then stop the container before attempting removal or force remove"
                )));
            }
            if !force {
                return Err(Error::Conflict(format!(
                    "You cannot remove a running container {id}. Stop the container before attempting removal or force remove"
                )));
            }
            thaw_if_paused(&c);
            let limit = std::time::Duration::from_secs(10);
            crate::monitor::kill_and_wait(c.state.pid, c.state.pid_start_time, limit);
            crate::monitor::wait_gone(c.state.monitor_pid, c.state.monitor_start_time, limit);
        }
        // An --rm container may have removed itself meanwhile (its lock
        // file went with it).
        let _g = match self.containers.lock(&id) {
            Ok(g) => g,
            Err(Error::NotFound(_)) => return Ok(id),
            Err(e) => return Err(e),
        };
        let Some(c) = self.containers.load(&id)? else {
            return Ok(id);
        };
        crate::monitor::cleanup_leftovers(&self.containers, &c);
        self.containers.remove(&c)?;
        if volumes {
            self.remove_anonymous_volumes(&c.config)?;
        }
        self.leave_network(&c.config.host_config.network_mode, &id)?;
        if wired(&c) && (c.state.is_running() || c.state.starter.is_some()) {
            // Its monitor died before its teardown (which records the
            // exit first): the rules it left go now.
            self.sync_firewall(Some(&id))?;
        }
        if self.opts.rootless
            && super::rootless_netns::on_user_network(&c.config.host_config.network_mode)
        {
            // Its monitor may have died before it could stop the holder.
            super::rootless_netns::stop_if_unused(&self.opts.runroot, &self.containers, Some(&id));
        }
        log::debug!("rm {id}: removed");
        Ok(id)
    }

    /// `ps -s`: bytes written by the container (its overlay upper dir:
    /// regular files and symlinks, each hard-linked inode once, as docker's
    /// overlay2 counts them) and that plus its image's size (`virtual`).
    /// A vfs container's copy holds the image too: what it holds beyond
    /// the image's size counts as written.
    pub fn container_size(&self, c: &Container) -> (u64, u64) {
        let image = self
            .images
            .image(&c.config.image_id)
            .ok()
            .flatten()
            .map_or(0, |r| r.size);
        let dir = self.containers.dir(c.id());
        let rw = match c.config.storage_driver {
            crate::state::container::StorageDriver::Overlay => {
                crate::util::tree::disk_usage(&dir.join("upper"))
            }
            crate::state::container::StorageDriver::Vfs => {
                crate::util::tree::disk_usage(&dir.join("rootfs")).saturating_sub(image)
            }
        };
        (rw, rw + image)
    }

    /// Containers made from an image (for rmi's refusal).
    pub fn containers_using_image(&self, image_id: &str) -> Result<Vec<Container>> {
        Ok(self
            .containers
            .all()?
            .into_iter()
            .filter(|c| c.config.image_id == image_id)
            .collect())
    }
}

/// Is the container on a network skiff wires (not none, host, container:)?
fn wired(c: &Container) -> bool {
    let mode = c.config.host_config.network_mode.as_str();
    !matches!(mode, "none" | "host" | "") && !mode.starts_with("container:")
}

impl Engine {
    /// `rename OLD NEW`.
    pub fn rename_container(&self, old: &str, new: &str) -> Result<()> {
        let new = new.strip_prefix('/').unwrap_or(new);
        let c = self.container_lookup(old)?;
        if c.name() == new {
            return Err(Error::InvalidArgument(
                "Renaming a container with the same name as its current name".into(),
            ));
        }
        let _g = self.containers.lock(c.id())?;
        // docker's daemon words it so, with the name as it stores it.
        let allocating = |e: Error| {
            Error::Conflict(format!(
                "Error when allocating new name: {}",
                e.to_string()
                    .replacen(&format!("({new})"), &format!("(/{new})"), 1)
            ))
        };
        let _reservation = self
            .containers
            .reserve_name(new, c.id())
            .map_err(allocating)?;
        let mut cfg = c.config.clone();
        let old_name = std::mem::replace(&mut cfg.name, new.to_owned());
        if let Err(e) =
            crate::state::atomic::write_json(&self.containers.dir(c.id()).join("config.json"), &cfg)
        {
            let _ = self.containers.release_name(new, c.id());
            return Err(e);
        }
        self.containers.release_name(&old_name, c.id())
    }

    /// `container prune`: remove every stopped container; their ids.
    pub fn prune_containers(&self, filters: &[super::prune::PruneFilter]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for c in self.containers.all()? {
            // One removed by a concurrent rm is gone already.
            let c = match self.reconcile(c) {
                Ok(c) => c,
                Err(Error::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            if matches!(
                c.state.status,
                Status::Exited | Status::Created | Status::Dead
            ) && super::prune::all_match(filters, &c.config.config.labels, c.config.created)
            {
                match self.remove_container(c.id(), false) {
                    Ok(_) => out.push(c.id().to_owned()),
                    Err(Error::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        // What monitors killed while deleting a removed container left.
        self.containers.purge_trash();
        Ok(out)
    }

    /// Host pids of every process in a running container's pid namespace.
    pub fn container_pids(&self, name: &str) -> Result<(Container, Vec<i32>)> {
        let c = self.container_lookup(name)?;
        if !c.state.is_running() {
            return Err(Error::Conflict(format!(
                "Container {} is not running",
                c.id()
            )));
        }
        let ns = std::fs::read_link(format!("/proc/{}/ns/pid", c.state.pid))
            .map_err(|e| Error::Other(format!("reading the pid namespace of {}: {e}", c.id())))?;
        let mut pids = Vec::new();
        for e in std::fs::read_dir("/proc")
            .map_err(|e| Error::io("reading", "/proc", e))?
            .flatten()
        {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            if std::fs::read_link(e.path().join("ns/pid")).is_ok_and(|l| l == ns) {
                pids.push(pid);
            }
        }
        pids.sort_unstable();
        Ok((c, pids))
    }
}

/// Run the host's `ps` (for `top`).
pub fn host_ps(args: &[String]) -> Result<String> {
    let out = std::process::Command::new("ps")
        .args(args)
        .output()
        .map_err(|e| Error::Other(format!("running ps: {e}")))?;
    if !out.status.success() {
        return Err(Error::InvalidArgument(format!(
            "ps {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A frozen process cannot die: thaw a paused container before killing it.
pub fn thaw_if_paused(c: &Container) {
    if c.state.status == Status::Paused {
        let _ = crate::runtime::cgroups::Cgroup::from_paths(c.state.cgroup_paths.clone()).thaw();
    }
}

/// Apparent size of the files under `dir` (not following symlinks; each
/// inode once). Unreadable parts count as empty.
#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn create_env_puts_the_users_values_first() {
        let image = v(&["PATH=/bin", "A=img", "B=img"]);
        let user = v(&["CX=1", "A=u1", "A=u2"]);
        assert_eq!(
            create_env(&image, &user),
            v(&["CX=1", "A=u2", "PATH=/bin", "B=img"])
        );
        assert_eq!(create_env(&image, &[]), image);
    }

    #[test]
    fn merge_env_replaces_in_place() {
        assert_eq!(
            merge_env(&v(&["A=1", "B=2"]), &v(&["B=3", "C=4"])),
            v(&["A=1", "B=3", "C=4"])
        );
    }
}
