//! Container operations that need no running process: create, list,
//! inspect, remove, and the lazy reconcile every command does first.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::Engine;
use crate::error::{Error, Result};
use crate::state::container::{
    Container, ContainerConfig, ContainerState, DeviceMapping, HostSettings, RestartPolicy,
    RunSettings, Status, Ulimit,
};
use crate::state::ids;
use crate::util::time;

/// Everything `create`/`run` can say about a new container.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub image: String,
    /// Ports, addresses, DNS and hosts entries.
    pub net: crate::network::NetRequest,
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
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub cgroup_parent: Option<String>,
    pub log_driver: Option<String>,
    pub log_opts: Vec<String>,
    /// `--device`, checked.
    pub devices: Vec<DeviceMapping>,
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
}

impl ContainerFilter {
    pub fn parse(s: &str) -> Result<ContainerFilter> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            Error::InvalidArgument(format!("bad format of filter (expected name=value): {s}"))
        })?;
        Ok(match k {
            "status" => ContainerFilter::Status(Status::parse(v).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "invalid filter 'status={v}': use one of created, restarting, running, removing, paused, exited, dead"
                ))
            })?),
            "name" => ContainerFilter::Name(v.to_owned()),
            "label" => match v.split_once('=') {
                Some((a, b)) => ContainerFilter::Label(a.to_owned(), Some(b.to_owned())),
                None => ContainerFilter::Label(v.to_owned(), None),
            },
            "ancestor" => ContainerFilter::Ancestor(v.to_owned()),
            "id" => ContainerFilter::Id(v.to_owned()),
            "exited" => ContainerFilter::Exited(
                v.parse().map_err(|_| Error::InvalidArgument(format!("invalid filter 'exited={v}'")))?,
            ),
            _ => return Err(Error::InvalidArgument(format!("invalid filter '{k}'"))),
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

pub(crate) fn parse_labels(list: &[String]) -> BTreeMap<String, String> {
    list.iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (l.clone(), String::new()),
        })
        .collect()
}

/// The log options docker's json-file driver knows. They are stored (and
/// shown by inspect); rotation and the rest come with the logging drivers.
const JSON_FILE_OPTS: &[&str] = &[
    "max-size",
    "max-file",
    "compress",
    "labels",
    "labels-regex",
    "env",
    "env-regex",
    "tag",
];

/// `--log-driver`/`--log-opt`: the drivers skiff has (json-file, none) and
/// the keys they know; anything else is refused, never ignored.
fn check_log_config(driver: &str, opts: &[String]) -> Result<()> {
    let known: &[&str] = match driver {
        "json-file" => JSON_FILE_OPTS,
        // docker's words for any option with driver none.
        "none" if !opts.is_empty() => {
            return Err(Error::InvalidArgument(
                "invalid logging opts for driver none".into(),
            ))
        }
        "none" => &[],
        d => {
            return Err(Error::InvalidArgument(format!(
                "--log-driver {d}: logging driver not supported yet (json-file and none are)"
            )))
        }
    };
    for o in opts {
        let key = o.split_once('=').map_or(o.as_str(), |(k, _)| k);
        if !known.contains(&key) {
            return Err(Error::InvalidArgument(format!(
                "unknown log opt '{key}' for {driver} log driver"
            )));
        }
    }
    Ok(())
}

fn parse_restart(s: Option<&str>) -> Result<RestartPolicy> {
    let s = s.unwrap_or("no");
    let (name, count) = match s.split_once(':') {
        Some((n, c)) => (n, Some(c)),
        None => (s, None),
    };
    match name {
        "no" | "always" | "unless-stopped" | "on-failure" => {}
        _ => {
            return Err(Error::InvalidArgument(format!(
                "invalid restart policy: {s}"
            )))
        }
    }
    let maximum_retry_count = match count {
        Some(c) if name == "on-failure" => c.parse().map_err(|_| {
            Error::InvalidArgument(format!(
                "invalid restart policy: maximum retry count {c:?} is not a number"
            ))
        })?,
        Some(_) => {
            return Err(Error::InvalidArgument(format!(
            "invalid restart policy: maximum retry count can only be used with 'on-failure': {s}"
        )))
        }
        None => 0,
    };
    Ok(RestartPolicy {
        name: name.to_owned(),
        maximum_retry_count,
    })
}

/// docker's Config.ExposedPorts: the image's, `--expose` and `-p` ports.
fn exposed_ports(
    image: Option<BTreeMap<String, Value>>,
    net: &crate::network::NetRequest,
) -> Option<BTreeMap<String, Value>> {
    let mut all = image.unwrap_or_default();
    let extra = net
        .expose
        .iter()
        .copied()
        .chain(net.publish.iter().map(|b| (b.container_port, b.proto)));
    for (port, proto) in extra {
        all.insert(format!("{port}/{}", proto.as_str()), json!({}));
    }
    (!all.is_empty()).then_some(all)
}

/// `--network` as given; unset means docker's default, `bridge` (for
/// now `none` rootless, where skiff cannot make a bridge yet).
fn check_network(n: Option<&str>, rootless: bool) -> Result<String> {
    let default = if rootless { "none" } else { "bridge" };
    match n.unwrap_or(default) {
        "default" => Ok("bridge".into()),
        m => Ok(m.to_owned()),
    }
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

    /// `create`: reserve the name, resolve the image and command, write the config.
    pub fn create_container(&self, o: &CreateOptions) -> Result<Container> {
        let t0 = std::time::Instant::now();
        let image = self.image_lookup(&o.image)?;
        log::debug!("create: image {} is {}", o.image, image.id);
        let img_cfg = self.image_config(&image)?.config.unwrap_or_default();
        let entrypoint: Vec<String> = match &o.entrypoint {
            Some(e) if e.is_empty() => Vec::new(),
            Some(e) => vec![e.clone()],
            None => img_cfg.entrypoint.clone().unwrap_or_default(),
        };
        let cmd: Vec<String> = if !o.command.is_empty() {
            o.command.clone()
        } else if o.entrypoint.is_some() {
            Vec::new()
        } else {
            img_cfg.cmd.clone().unwrap_or_default()
        };
        let full: Vec<String> = entrypoint.iter().chain(cmd.iter()).cloned().collect();
        let Some((path, args)) = full.split_first() else {
            return Err(Error::InvalidArgument("No command specified".into()));
        };
        let restart_policy = parse_restart(o.restart.as_deref())?;
        if o.auto_remove && restart_policy.name != "no" {
            return Err(Error::InvalidArgument(
                "Conflicting options: --restart and --rm".into(),
            ));
        }
        // Accepted only where it works: no policy runs yet.
        if restart_policy.name != "no" {
            return Err(Error::InvalidArgument(format!(
                "--restart {}: restart policies are not implemented yet (only \"no\" is)",
                o.restart.as_deref().unwrap_or_default()
            )));
        }
        let log_driver = o.log_driver.clone().unwrap_or_else(|| "json-file".into());
        check_log_config(&log_driver, &o.log_opts)?;
        let network_mode = check_network(o.network.as_deref(), self.opts.rootless)?;
        super::launch::resources(
            o.memory.unwrap_or(0),
            o.nano_cpus.unwrap_or(0),
            o.pids_limit,
        )
        .check()
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        // container:NAME is stored with the target's full id (docker's way).
        let network_mode = match network_mode.strip_prefix("container:") {
            Some(target) => {
                if o.hostname.is_some() || !o.net.publish.is_empty() || o.net.mac.is_some() {
                    return Err(Error::InvalidArgument(
                        "conflicting options: --hostname, --publish and --mac-address cannot be used with --network container:".into(),
                    ));
                }
                let id = self.container_lookup(target)?.id().to_owned();
                format!("container:{id}")
            }
            None => network_mode,
        };
        let network = self.network_for_mode(&network_mode)?;
        if network.is_none() && (o.net.ip.is_some() || !o.net.aliases.is_empty()) {
            return Err(Error::InvalidArgument(format!(
                "--ip and --network-alias need a network; --network {network_mode} has none"
            )));
        }
        let network_mode = network.as_ref().map_or(network_mode, |n| n.name.clone());
        let net = crate::network::NetRequest {
            links: self.resolve_links(&network_mode, &o.net.links)?,
            ..o.net.clone()
        };
        let id = ids::new_id();
        // The reservation stays locked until the config is written: a
        // create killed before that leaves a name anyone may take.
        let (name, _reservation) = match &o.name {
            Some(n) => {
                let n = n.strip_prefix('/').unwrap_or(n);
                let r = self.containers.reserve_name(n, &id)?;
                (n.to_owned(), r)
            }
            None => self.reserve_random_name(&id)?,
        };
        if let Some(n) = &network {
            if let Err(e) = self.join_network(n, &id, &name, &o.net) {
                let _ = self.containers.release_name(&name, &id);
                return Err(e);
            }
        }
        let mut labels = img_cfg.labels.clone().unwrap_or_default();
        labels.extend(parse_labels(&o.labels));
        let env = merge_env(&img_cfg.env.clone().unwrap_or_default(), &o.env);
        let log_opts = parse_labels(&o.log_opts);
        let lowers = self
            .images
            .layer_dir_paths(&image)
            .into_iter()
            .map(Into::into)
            .collect();
        let config = ContainerConfig {
            id: id.clone(),
            name: name.clone(),
            created: time::now(),
            image_name: o.image.clone(),
            image_id: image.id.clone(),
            path: path.clone(),
            args: args.to_vec(),
            config: RunSettings {
                // docker: with --network host the host's name, else the short id.
                hostname: o.hostname.clone().unwrap_or_else(|| {
                    if network_mode == "host" {
                        rustix::system::uname()
                            .nodename()
                            .to_string_lossy()
                            .into_owned()
                    } else {
                        id[..12].to_owned()
                    }
                }),
                domainname: String::new(),
                user: o.user.clone().or(img_cfg.user.clone()).unwrap_or_default(),
                attach_stdin: o.interactive,
                attach_stdout: true,
                attach_stderr: true,
                tty: o.tty,
                open_stdin: o.interactive,
                stdin_once: o.interactive,
                env,
                cmd: if cmd.is_empty() { None } else { Some(cmd) },
                entrypoint: if entrypoint.is_empty() {
                    None
                } else {
                    Some(entrypoint)
                },
                image: o.image.clone(),
                working_dir: o
                    .workdir
                    .clone()
                    .or(img_cfg.working_dir.clone())
                    .unwrap_or_default(),
                labels,
                stop_signal: o.stop_signal.clone().or(img_cfg.stop_signal.clone()),
                stop_timeout: o.stop_timeout,
                exposed_ports: exposed_ports(img_cfg.exposed_ports.clone(), &o.net),
            },
            host_config: HostSettings {
                auto_remove: o.auto_remove,
                network_mode,
                privileged: o.privileged,
                cap_add: o.cap_add.clone(),
                cap_drop: o.cap_drop.clone(),
                security_opt: o.security_opt.clone(),
                readonly_rootfs: o.read_only,
                memory: o.memory.unwrap_or(0),
                nano_cpus: o.nano_cpus.unwrap_or(0),
                pids_limit: o.pids_limit,
                shm_size: o.shm_size.unwrap_or(64 << 20),
                ulimits: o.ulimits.clone(),
                init: o.init,
                restart_policy,
                pid_mode: o.pid_mode.clone().unwrap_or_default(),
                ipc_mode: o.ipc_mode.clone().unwrap_or_else(|| "private".into()),
                uts_mode: o.uts_mode.clone().unwrap_or_default(),
                cgroup_parent: o.cgroup_parent.clone().unwrap_or_default(),
                oom_score_adj: 0,
                log_driver,
                log_opts,
                devices: o.devices.clone(),
            },
            lowers,
            net,
        };
        if let Err(e) = self.containers.create(&config) {
            let _ = crate::util::tree::remove_tree(self.containers.dir(&id));
            let _ = self.containers.release_name(&name, &id);
            let _ = self.leave_network(&config.host_config.network_mode, &id);
            return Err(e);
        }
        log::debug!(
            "create: {} ({}) written in {:?}",
            config.id,
            config.name,
            t0.elapsed()
        );
        Ok(Container {
            config,
            state: ContainerState::default(),
        })
    }

    fn reserve_random_name(&self, id: &str) -> Result<(String, crate::state::names::Reservation)> {
        for retry in 0..10 {
            let name = super::names_gen::random_name(&ids::new_id(), retry);
            match self.containers.reserve_name(&name, id) {
                Ok(r) => return Ok((name, r)),
                Err(Error::Conflict(_)) => {}
                // A full disk, a read-only store: another name won't help.
                Err(e) => return Err(e),
            }
        }
        let name = format!("skiff_{}", &id[..12]);
        let r = self.containers.reserve_name(&name, id)?;
        Ok((name, r))
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
            if filters.iter().all(|f| self.container_matches(&c, f)) {
                out.push(c);
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.config.created));
        Ok(out)
    }

    fn container_matches(&self, c: &Container, f: &ContainerFilter) -> bool {
        match f {
            ContainerFilter::Status(s) => c.state.status == *s,
            ContainerFilter::Name(n) => c.name().contains(n.trim_start_matches('/')),
            ContainerFilter::Id(p) => c.id().starts_with(p),
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
        let c = self.container_lookup(name)?;
        let id = c.id().to_owned();
        log::debug!(
            "rm {name}: {id}, status {:?}, force {force}",
            c.state.status
        );
        if c.state.is_running() && process_alive(c.state.pid, c.state.pid_start_time) {
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
        self.leave_network(&c.config.host_config.network_mode, &id)?;
        if wired(&c) && (c.state.is_running() || c.state.starter.is_some()) {
            // Its monitor died before its teardown (which records the
            // exit first): the rules it left go now.
            self.sync_firewall(Some(&id))?;
        }
        log::debug!("rm {id}: removed");
        Ok(id)
    }

    /// `ps -s`: bytes written by the container (its overlay upper dir:
    /// regular files and symlinks, each hard-linked inode once, as docker's
    /// overlay2 counts them) and that plus its image's size (`virtual`).
    pub fn container_size(&self, c: &Container) -> (u64, u64) {
        let rw = dir_size(&self.containers.dir(c.id()).join("upper"));
        let image = self
            .images
            .image(&c.config.image_id)
            .ok()
            .flatten()
            .map_or(0, |r| r.size);
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

/// Is `pid` alive and the same process (start time) we recorded?
pub fn process_alive(pid: i32, start_time: u64) -> bool {
    if pid <= 0 {
        return false;
    }
    match crate::monitor::proc_start_time(pid) {
        Some(t) => start_time == 0 || t == start_time,
        None => false,
    }
}

impl Engine {
    /// `rename OLD NEW`.
    pub fn rename_container(&self, old: &str, new: &str) -> Result<()> {
        let new = new.strip_prefix('/').unwrap_or(new);
        let c = self.container_lookup(old)?;
        if c.name() == new {
            return Err(Error::InvalidArgument(format!(
                "Renaming a container with the same name as its current name: {new}"
            )));
        }
        let _g = self.containers.lock(c.id())?;
        let _reservation = self.containers.reserve_name(new, c.id())?;
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
    pub fn prune_containers(&self) -> Result<Vec<String>> {
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
            ) {
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
fn dir_size(dir: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else if m.nlink() <= 1 || seen.insert((m.dev(), m.ino())) {
                total += m.len();
            }
        }
    }
    total
}
