//! `create`: from the options of `create`/`run` and the image's config to
//! a stored container (name reserved, network joined, config written).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::container::{create_env, parse_labels, CreateOptions};
use super::Engine;
use crate::error::{Error, Result};
use crate::image::types::RunConfig;
use crate::state::container::{
    Container, ContainerConfig, ContainerState, HostSettings, RestartPolicy, RunSettings,
};
use crate::state::ids;
use crate::state::network::Network;
use crate::util::time;

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
    net: &crate::state::container::NetRequest,
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

/// `--network` as given; unset means docker's default, `bridge`, or a
/// rootless container's, `pasta` (one pasta per container).
fn check_network(n: Option<&str>, rootless: bool) -> Result<String> {
    let default = if rootless { "pasta" } else { "bridge" };
    match (n.unwrap_or(default), rootless) {
        ("default", false) => Ok("bridge".into()),
        ("default", true) => Ok("pasta".into()),
        ("pasta", false) => Err(Error::InvalidArgument(
            "--network pasta is the rootless containers' network; root's get bridge".into(),
        )),
        (m, _) => Ok(m.to_owned()),
    }
}

/// A rootless container joins a user network in the user's rootless netns,
/// sharing its user namespace: a bridge network, without keep-id's maps.
fn check_rootless_network(n: &Network, userns: Option<&str>) -> Result<()> {
    if n.driver != "bridge" {
        return Err(Error::InvalidArgument(format!(
            "--network {}: a rootless container can't join a {} network; a bridge network (network create) can",
            n.name, n.driver
        )));
    }
    if userns == Some("keep-id") {
        return Err(Error::InvalidArgument(format!(
            "--userns=keep-id with --network {}: a container on a rootless user network shares the network's user namespace, whose maps are not keep-id's",
            n.name
        )));
    }
    Ok(())
}

/// The command: `--entrypoint` (empty: none) or the image's, then the
/// arguments or the image's CMD (dropped by an `--entrypoint`).
fn command(o: &CreateOptions, img: &RunConfig) -> (Vec<String>, Vec<String>) {
    let entrypoint: Vec<String> = match &o.entrypoint {
        Some(e) if e.is_empty() => Vec::new(),
        Some(e) => vec![e.clone()],
        None => img.entrypoint.clone().unwrap_or_default(),
    };
    let cmd: Vec<String> = if !o.command.is_empty() {
        o.command.clone()
    } else if o.entrypoint.is_some() {
        Vec::new()
    } else {
        img.cmd.clone().unwrap_or_default()
    };
    (entrypoint, cmd)
}

/// `--restart`, `--log-driver`/`--log-opt` and the cgroup limits (which a
/// rootless container may not have here), checked.
fn check_host_options(o: &CreateOptions, rootless: bool) -> Result<(RestartPolicy, String)> {
    // docker's CLI checks the conflict before the daemon checks the name.
    let named = o.restart.as_deref().and_then(|r| r.split(':').next());
    if o.auto_remove && !matches!(named, None | Some("" | "no")) {
        return Err(Error::InvalidArgument(
            "conflicting options: cannot specify both --restart and --rm".into(),
        ));
    }
    let restart_policy = parse_restart(o.restart.as_deref())?;
    super::userns::check_mode(o.userns.as_deref(), rootless)?;
    // Accepted only where it works: no policy runs yet.
    if restart_policy.name != "no" {
        return Err(Error::InvalidArgument(format!(
            "--restart {}: restart policies are not implemented yet (only \"no\" is)",
            o.restart.as_deref().unwrap_or_default()
        )));
    }
    let log_driver = o.log_driver.clone().unwrap_or_else(|| "json-file".into());
    check_log_config(&log_driver, &o.log_opts)?;
    super::resources::check_cgroup_limits(o.memory, o.nano_cpus, o.pids_limit)?;
    if rootless {
        super::resources::check_rootless_limits(o.memory, o.nano_cpus, o.pids_limit)?;
    }
    Ok((restart_policy, log_driver))
}

/// docker's Config: what the options say, else what the image says.
fn run_settings(
    o: &CreateOptions,
    img: &RunConfig,
    (entrypoint, cmd): (Vec<String>, Vec<String>),
    hostname: String,
) -> RunSettings {
    let mut labels = img.labels.clone().unwrap_or_default();
    labels.extend(parse_labels(&o.labels));
    RunSettings {
        hostname,
        domainname: String::new(),
        user: o
            .user
            .clone()
            .or_else(|| super::userns::keep_id_user(o.userns.as_deref()))
            .or(img.user.clone())
            .unwrap_or_default(),
        attach_stdin: !o.detach && (o.interactive || o.attaches("stdin")),
        attach_stdout: o.attaches("stdout"),
        attach_stderr: o.attaches("stderr"),
        tty: o.tty,
        open_stdin: o.interactive,
        stdin_once: o.interactive,
        env: create_env(img.env.as_deref().unwrap_or_default(), &o.env),
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
            .or(img.working_dir.clone())
            .unwrap_or_default(),
        labels,
        stop_signal: o.stop_signal.clone().or(img.stop_signal.clone()),
        stop_timeout: o.stop_timeout,
        exposed_ports: exposed_ports(img.exposed_ports.clone(), &o.net),
        volumes: config_volumes(o, img),
    }
}

/// docker's Config.Volumes: the image's VOLUMEs and each `-v /path`.
fn config_volumes(
    o: &CreateOptions,
    img: &RunConfig,
) -> Option<BTreeMap<String, serde_json::Value>> {
    let mut v = img.volumes.clone().unwrap_or_default();
    for b in &o.binds {
        if !b.contains(':') {
            v.insert(b.clone(), serde_json::json!({}));
        }
    }
    (!v.is_empty()).then_some(v)
}

/// docker's HostConfig.
fn host_settings(
    o: &CreateOptions,
    network_mode: String,
    (restart_policy, log_driver): (RestartPolicy, String),
) -> HostSettings {
    HostSettings {
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
        userns_mode: o.userns.clone().unwrap_or_default(),
        cgroup_parent: o.cgroup_parent.clone().unwrap_or_default(),
        oom_score_adj: 0,
        log_driver,
        log_opts: parse_labels(&o.log_opts),
        devices: o.devices.clone(),
        device_cgroup_rules: o.device_cgroup_rules.clone(),
        // docker's CLI sends `-v /path` as a Config.Volumes entry.
        binds: o
            .binds
            .iter()
            .filter(|b| b.contains(':'))
            .cloned()
            .collect(),
        mounts: o.mounts.clone(),
        tmpfs: o
            .tmpfs
            .iter()
            .map(|t| {
                let (d, opts) = t.split_once(':').unwrap_or((t, ""));
                (d.to_owned(), opts.to_owned())
            })
            .collect(),
        volumes_from: o.volumes_from.clone(),
        storage_opt: crate::engine::container::parse_labels(&o.storage_opt),
    }
}

impl Engine {
    /// `create`: reserve the name, resolve the image and command, write the config.
    pub fn create_container(&self, o: &CreateOptions) -> Result<Container> {
        let image = self.image_lookup(&o.image)?;
        log::debug!("create: image {} is {}", o.image, image.id);
        let img_cfg = self.image_config(&image)?.config.unwrap_or_default();
        self.create_from_image(o, &image, &img_cfg)
    }

    /// `create` of an image already resolved: a stored one, or (a build
    /// step's) one whose layers alone are stored.
    pub(crate) fn create_from_image(
        &self,
        o: &CreateOptions,
        image: &crate::image::store::ImageRecord,
        img_cfg: &RunConfig,
    ) -> Result<Container> {
        let t0 = std::time::Instant::now();
        let img_cfg = img_cfg.clone();
        let (entrypoint, cmd) = command(o, &img_cfg);
        let full: Vec<String> = entrypoint.iter().chain(cmd.iter()).cloned().collect();
        let Some((path, args)) = full.split_first() else {
            return Err(Error::InvalidArgument("No command specified".into()));
        };
        let host_options = check_host_options(o, self.opts.rootless)?;
        let storage_driver = self.container_driver()?;
        let (network_mode, network) = self.create_network_mode(o)?;
        let net = crate::state::container::NetRequest {
            links: self.resolve_links(&network_mode, &o.net.links)?,
            ..o.net.clone()
        };
        let image_volumes: Vec<String> = img_cfg
            .volumes
            .as_ref()
            .map(|v| v.keys().cloned().collect())
            .unwrap_or_default();
        // The volumes lock is held until the config (which uses them) is
        // written: a `volume rm` meanwhile waits, then sees the user.
        let (mount_points, volumes_lock) = self.resolve_mounts(o, &image_volumes)?;
        let config = ContainerConfig {
            id: ids::new_id(),
            name: String::new(),
            created: time::now(),
            image_name: o.image.clone(),
            image_id: image.id.clone(),
            path: path.clone(),
            args: args.to_vec(),
            config: run_settings(o, &img_cfg, (entrypoint, cmd), String::new()),
            host_config: host_settings(o, network_mode, host_options),
            lowers: self
                .images
                .layer_dir_paths(image)
                .into_iter()
                .map(Into::into)
                .collect(),
            net,
            storage_driver,
            mount_points,
        };
        let config = match self.write_new_container(o, network.as_ref(), config.clone()) {
            Ok(c) => c,
            Err(e) => {
                // The anonymous volumes made for it go with it.
                drop(volumes_lock);
                let _ = self.remove_anonymous_volumes(&config);
                return Err(e);
            }
        };
        let name = config.name.clone();
        if let Err(e) = self.apply_storage_opts(o, &config) {
            let _ = self.remove_container(&config.id, true);
            return Err(e);
        }
        log::debug!(
            "create: {} ({name}) written in {:?}",
            config.id,
            t0.elapsed()
        );
        Ok(Container {
            config,
            state: ContainerState::default(),
        })
    }

    /// Names the container (reserving the name), joins its network and
    /// writes its config; undoes what it did on failure.
    fn write_new_container(
        &self,
        o: &CreateOptions,
        network: Option<&Network>,
        mut config: ContainerConfig,
    ) -> Result<ContainerConfig> {
        let id = config.id.clone();
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
        if let Some(n) = network {
            if let Err(e) = self.join_network(n, &id, &name, &o.net) {
                let _ = self.containers.release_name(&name, &id);
                return Err(e);
            }
        }
        // docker: with --network host the host's name, else the short id.
        config.config.hostname = o.hostname.clone().unwrap_or_else(|| {
            if config.host_config.network_mode == "host" {
                rustix::system::uname()
                    .nodename()
                    .to_string_lossy()
                    .into_owned()
            } else {
                id[..12].to_owned()
            }
        });
        config.name = name.clone();
        if let Err(e) = self.containers.create(&config) {
            let _ = crate::util::tree::remove_tree(self.containers.dir(&id));
            let _ = self.containers.release_name(&name, &id);
            let _ = self.leave_network(&config.host_config.network_mode, &id);
            return Err(e);
        }
        Ok(config)
    }

    /// `--storage-opt size=N`: the container's upper dir, made now and
    /// limited with an xfs project quota (docker's error elsewhere).
    fn apply_storage_opts(&self, o: &CreateOptions, c: &ContainerConfig) -> Result<()> {
        let Some(size) = super::quota::parse_storage_opts(&o.storage_opt)? else {
            return Ok(());
        };
        let containers = self.containers.root().join("containers");
        if self.opts.rootless
            || c.storage_driver != crate::state::container::StorageDriver::Overlay
            || !super::quota::supported(&containers)
        {
            return Err(Error::InvalidArgument(super::quota::UNSUPPORTED.into()));
        }
        let upper = self.containers.dir(&c.id).join("upper");
        std::fs::create_dir_all(&upper).map_err(|e| Error::io("creating", &upper, e))?;
        // One create at a time picks a project id.
        let _g = crate::state::lock::LockGuard::exclusive(&containers.join(".quota.lock"))?;
        super::quota::limit(&containers, &upper, size).map(drop)
    }

    /// The network mode to store (`container:NAME` with the target's full
    /// id, docker's way; a network by its name) and the network to join.
    fn create_network_mode(&self, o: &CreateOptions) -> Result<(String, Option<Network>)> {
        let network_mode = check_network(o.network.as_deref(), self.opts.rootless)?;
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
        if self.opts.rootless && network_mode == crate::network::DEFAULT_NETWORK {
            return Err(Error::InvalidArgument(
                "--network bridge: a rootless container has no default bridge (its default network is pasta); make one with network create".into(),
            ));
        }
        let network = self.network_for_mode(&network_mode)?;
        if let (true, Some(n)) = (self.opts.rootless, &network) {
            check_rootless_network(n, o.userns.as_deref())?;
        }
        if network.is_none() && (o.net.ip.is_some() || !o.net.aliases.is_empty()) {
            return Err(Error::InvalidArgument(format!(
                "--ip and --network-alias need a network; --network {network_mode} has none"
            )));
        }
        let network_mode = network.as_ref().map_or(network_mode, |n| n.name.clone());
        Ok((network_mode, network))
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
}
