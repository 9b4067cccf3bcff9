//! Containers on disk: immutable config (written once at create) apart from
//! mutable state, each written atomically under the container's lock.
//! ```text
//! <root>/containers/<id>/config.json   ContainerConfig (never rewritten, except by rename)
//! <root>/containers/<id>/state.json    ContainerState
//! <root>/containers/<id>/lock          flock guarding state changes
//! <root>/containers/<id>/userdata/     hosts, hostname, resolv.conf
//! <root>/containers/<id>/upper, work   the overlay upper and work dirs
//! <root>/containers/<id>/<id>-json.log json-file logs
//! <root>/names/<name>                  name reservation (contents: id)
//! <runroot>/containers/<id>/           exit, attach.sock, rootfs/ (runtime)
//! ```
//! A half-created container (a name file whose id has no config.json, a dir
//! without config.json) is invisible to normal commands.

use std::collections::BTreeMap;
use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::network::links::Link;
use crate::network::ports::{PortBinding, Proto};
use crate::state::{atomic, ids, lock::LockGuard, names};
use crate::util::time::UnixNanos;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RestartPolicy {
    pub name: String,
    pub maximum_retry_count: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// `--device HOST[:CONTAINER][:PERMS]`, as docker's HostConfig stores it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceMapping {
    pub path_on_host: String,
    pub path_in_container: String,
    /// A subset of `rwm`.
    pub cgroup_permissions: String,
}

/// docker's Config (what the container runs).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RunSettings {
    pub hostname: String,
    pub domainname: String,
    pub user: String,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub tty: bool,
    pub open_stdin: bool,
    pub stdin_once: bool,
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub image: String,
    pub working_dir: String,
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// docker's Config.Volumes: the image's VOLUMEs and `-v /path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
}

/// docker's HostConfig (how the host runs it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct HostSettings {
    pub auto_remove: bool,
    pub network_mode: String,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub readonly_rootfs: bool,
    pub memory: i64,
    pub nano_cpus: i64,
    pub pids_limit: Option<i64>,
    pub shm_size: i64,
    pub ulimits: Vec<Ulimit>,
    pub init: bool,
    pub restart_policy: RestartPolicy,
    pub pid_mode: String,
    pub ipc_mode: String,
    pub uts_mode: String,
    /// `--userns`: "" (the default), `host`, or podman's `keep-id`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub userns_mode: String,
    pub cgroup_parent: String,
    pub oom_score_adj: i32,
    pub log_driver: String,
    pub log_opts: BTreeMap<String, String>,
    #[serde(default)]
    pub devices: Vec<DeviceMapping>,
    /// `--device-cgroup-rule`: more allow rules for the devices cgroup.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_cgroup_rules: Vec<String>,
    /// `-v`, as given (a `./` source made absolute).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binds: Vec<String>,
    /// `--mount`, as parsed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<crate::state::mounts::MountRequest>,
    /// `--tmpfs`: destination → options.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tmpfs: BTreeMap<String, String>,
    /// `--volumes-from`, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes_from: Vec<String>,
    /// `--storage-opt` (docker's `StorageOpt`: `size`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage_opt: BTreeMap<String, String>,
}

/// Written once by `create`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ContainerConfig {
    pub id: String,
    pub name: String,
    pub created: UnixNanos,
    /// The image as the user named it.
    pub image_name: String,
    /// `sha256:` image id.
    pub image_id: String,
    /// The resolved command: path and args (entrypoint + cmd).
    pub path: String,
    pub args: Vec<String>,
    pub config: RunSettings,
    pub host_config: HostSettings,
    /// Image layer dirs, top first (overlay lowerdir order).
    pub lowers: Vec<PathBuf>,
    /// How its root is made (`overlay` unless said).
    #[serde(default, skip_serializing_if = "StorageDriver::is_overlay")]
    pub storage_driver: StorageDriver,
    /// Ports, addresses, DNS servers and hosts entries asked for.
    #[serde(default)]
    pub net: NetRequest,
    /// Every mount (`-v`, `--mount`, `--tmpfs`, `--volumes-from`, the
    /// image's VOLUMEs), resolved at create, by destination.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mount_points: Vec<crate::state::mounts::MountPoint>,
}

impl ContainerConfig {
    /// Whether one of its mounts is volume `name`.
    pub fn uses_volume(&self, name: &str) -> bool {
        self.mount_points
            .iter()
            .any(|m| m.kind == crate::state::mounts::MountType::Volume && m.name == name)
    }
}

/// A container's storage driver (`engine::storage`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageDriver {
    /// An overlay of the layers and `upper/`.
    #[default]
    Overlay,
    /// A full copy of the layers in `rootfs/`.
    Vfs,
}

impl StorageDriver {
    /// `overlay` (also docker's `overlay2`) or `vfs`.
    pub fn parse(s: &str) -> Option<StorageDriver> {
        match s {
            "overlay" | "overlay2" => Some(StorageDriver::Overlay),
            "vfs" => Some(StorageDriver::Vfs),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StorageDriver::Overlay => "overlay",
            StorageDriver::Vfs => "vfs",
        }
    }

    pub fn is_overlay(&self) -> bool {
        *self == StorageDriver::Overlay
    }
}

/// What a container asks of the network, from `create`'s flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetRequest {
    /// `-p`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publish: Vec<PortBinding>,
    /// `-P`: every exposed port to a free host port.
    #[serde(default)]
    pub publish_all: bool,
    /// `--expose` (the image's ExposedPorts are added at create).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<(u16, Proto)>,
    /// `--ip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// `--mac-address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// `--network-alias`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `--dns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<std::net::IpAddr>,
    /// `--dns-search`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    /// `--dns-option`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_options: Vec<String>,
    /// `--add-host name:ip` (ip may be `host-gateway`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_hosts: Vec<(String, String)>,
    /// `--link name[:alias]` (inspect's `HostConfig.Links`: each one's
    /// [`Link::docker_form`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Removing => "removing",
            Status::Exited => "exited",
            Status::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "created" => Status::Created,
            "running" => Status::Running,
            "paused" => Status::Paused,
            "restarting" => Status::Restarting,
            "removing" => Status::Removing,
            "exited" => Status::Exited,
            "dead" => Status::Dead,
            _ => return None,
        })
    }
}

/// Mutable; rewritten (atomically) as the container moves.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ContainerState {
    pub status: Status,
    #[serde(default)]
    pub pid: i32,
    /// Field 22 of /proc/<pid>/stat: a reused pid is never mistaken for ours.
    #[serde(default)]
    pub pid_start_time: u64,
    #[serde(default)]
    pub monitor_pid: i32,
    #[serde(default)]
    pub monitor_start_time: u64,
    #[serde(default)]
    pub exit_code: i32,
    #[serde(default)]
    pub started_at: Option<UnixNanos>,
    #[serde(default)]
    pub finished_at: Option<UnixNanos>,
    #[serde(default)]
    pub oom_killed: bool,
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub restart_count: u32,
    #[serde(default)]
    pub cgroup_paths: Vec<PathBuf>,
    /// Published ports with their host ports chosen (set at each start).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortBinding>,
    /// A rootless container's user namespace maps of its last start, as
    /// podman shows them (`container:host:size`): uid map, gid map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_maps: Option<(Vec<String>, Vec<String>)>,
    /// The process starting it (pid, start time): set before its network
    /// is wired, cleared once it runs. While that process lives, the
    /// container counts as a user of its ports and networks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starter: Option<(i32, u64)>,
}

impl ContainerState {
    pub fn can_start(&self) -> bool {
        matches!(self.status, Status::Created | Status::Exited)
    }
    pub fn is_running(&self) -> bool {
        matches!(
            self.status,
            Status::Running | Status::Paused | Status::Restarting
        )
    }
}

/// One container: its config and current state.
#[derive(Debug, Clone)]
pub struct Container {
    pub config: ContainerConfig,
    pub state: ContainerState,
}

impl Container {
    pub fn id(&self) -> &str {
        &self.config.id
    }
    pub fn name(&self) -> &str {
        &self.config.name
    }
}

/// docker's rule for container names.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerStore {
    root: PathBuf,
    runroot: PathBuf,
}

impl ContainerStore {
    pub fn new(root: &Path, runroot: &Path) -> ContainerStore {
        ContainerStore {
            root: root.to_path_buf(),
            runroot: runroot.to_path_buf(),
        }
    }

    /// The store's persistent root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn dir(&self, id: &str) -> PathBuf {
        self.root.join("containers").join(id)
    }

    pub fn run_dir(&self, id: &str) -> PathBuf {
        self.runroot.join("containers").join(id)
    }

    pub fn names_dir(&self) -> Result<PathBuf> {
        let d = self.root.join("names");
        fs::create_dir_all(&d).ctx("creating", &d)?;
        Ok(d)
    }

    /// Reserve `name` for `id`; a clear docker-style error when taken.
    /// The returned guard keeps the reservation locked: hold it until the
    /// container's config is written.
    pub fn reserve_name(&self, name: &str, id: &str) -> Result<names::Reservation> {
        if !valid_name(name) {
            return Err(Error::InvalidArgument(format!(
                "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )));
        }
        let dir = self.names_dir()?;
        if let Some(r) = names::reserve_locked(&dir, name, id)? {
            return Ok(r);
        }
        let holder = names::lookup(&dir, name)?.unwrap_or_default();
        // A name left by a create that died before writing config.json is
        // free again: its creator no longer holds the reservation's lock.
        // So is one a killed rename left (its container has another name).
        if !holder.is_empty() && !self.holds(&holder, name) && !names::in_progress(&dir, name) {
            names::release(&dir, name, &holder)?;
            if let Some(r) = names::reserve_locked(&dir, name, id)? {
                return Ok(r);
            }
        }
        let holder = names::lookup(&dir, name)?.unwrap_or_default();
        Err(Error::Conflict(format!(
            "Conflict. The container name \"/{name}\" is already in use by container \"{holder}\". You have to remove (or rename) that container to be able to reuse that name."
        )))
    }

    /// Whether container `id` exists and is named `name`.
    pub fn holds(&self, id: &str, name: &str) -> bool {
        matches!(self.load(id), Ok(Some(c)) if c.name() == name)
    }

    pub fn release_name(&self, name: &str, id: &str) -> Result<()> {
        names::release(&self.names_dir()?, name, id)
    }

    /// The container's lock; `NotFound` when the container is gone (an
    /// --rm container removes itself, lock file and all).
    pub fn lock(&self, id: &str) -> Result<LockGuard> {
        let dir = self.dir(id);
        LockGuard::exclusive(&dir.join("lock")).map_err(|e| {
            if dir.exists() {
                e
            } else {
                Error::NotFound(format!("No such container: {id}"))
            }
        })
    }

    /// Write a new container's dir and config (state: created).
    pub fn create(&self, config: &ContainerConfig) -> Result<()> {
        let dir = self.dir(&config.id);
        fs::create_dir_all(dir.join("userdata")).ctx("creating", &dir)?;
        // config.json last: its presence makes the container visible.
        atomic::write_all_json(
            &dir,
            &[
                ("state.json", &ContainerState::default()),
                ("config.json", config),
            ],
        )
    }

    pub fn load(&self, id: &str) -> Result<Option<Container>> {
        let dir = self.dir(id);
        let config: ContainerConfig = match fs::read(dir.join("config.json")) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                Error::Other(format!(
                    "corrupt {}: {e}",
                    dir.join("config.json").display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("reading", dir.join("config.json"), e)),
        };
        let state = self.load_state(id)?;
        Ok(Some(Container { config, state }))
    }

    pub fn load_state(&self, id: &str) -> Result<ContainerState> {
        let p = self.dir(id).join("state.json");
        match fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b)
                .map_err(|e| Error::Other(format!("corrupt {}: {e}", p.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ContainerState::default()),
            Err(e) => Err(Error::io("reading", &p, e)),
        }
    }

    /// Write state; call while holding [`lock`].
    pub fn save_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        atomic::write_json(&self.dir(id).join("state.json"), state)
    }

    /// [`ContainerStore::save_state`] without fsync, for a change that
    /// only adds what a crash of the machine erases anyway (the paths of
    /// cgroups, which do not survive a reboot). Still atomic: a killed
    /// writer leaves the old or the new file.
    pub fn save_state_volatile(&self, id: &str, state: &ContainerState) -> Result<()> {
        let bytes = serde_json::to_vec(state)
            .map_err(|e| Error::Other(format!("encoding the state of {id}: {e}")))?;
        atomic::write_volatile(&self.dir(id).join("state.json"), &bytes)
    }

    /// Every complete container's id.
    pub fn ids(&self) -> Result<Vec<String>> {
        let dir = self.root.join("containers");
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("reading", &dir, e)),
        };
        Ok(rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| ids::is_full_id(n))
            .collect())
    }

    pub fn all(&self) -> Result<Vec<Container>> {
        let mut out = Vec::new();
        for id in self.ids()? {
            if let Some(c) = self.load(&id)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Find by full id, name, or unique id prefix.
    pub fn find(&self, name_or_id: &str) -> Result<Option<String>> {
        if ids::is_full_id(name_or_id) && self.dir(name_or_id).join("config.json").exists() {
            return Ok(Some(name_or_id.to_owned()));
        }
        let name = name_or_id.strip_prefix('/').unwrap_or(name_or_id);
        if valid_name(name) {
            if let Some(id) = names::lookup(&self.names_dir()?, name)? {
                if self.dir(&id).join("config.json").exists() {
                    return Ok(Some(id));
                }
            }
        }
        let all = self.ids()?;
        ids::match_prefix(all.iter().map(String::as_str), name_or_id, "container")
    }

    /// Remove a container's dirs and name (call while holding its lock;
    /// config.json goes first so a half-removed container is invisible).
    pub fn remove(&self, c: &Container) -> Result<()> {
        self.remove_deferred(c)?.purge();
        Ok(())
    }

    /// Removes the container from view at once: its dir is renamed into
    /// `<root>/trash/` (one rename: no reader sees a half-removed
    /// container) and its name released. The files are deleted by
    /// [`Trash::purge`], which the caller may run after telling the user
    /// (`run --rm` returns first). A purge cut short by a kill leaves the
    /// dir in the trash, for [`ContainerStore::purge_trash`].
    pub fn remove_deferred(&self, c: &Container) -> Result<Trash> {
        let dir = self.dir(c.id());
        let trash = self.root.join("trash");
        fs::create_dir_all(&trash).ctx("creating", &trash)?;
        let to = trash.join(c.id());
        if let Err(e) = fs::rename(&dir, &to) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(Error::io("removing", &dir, e));
            }
        }
        self.release_name(c.name(), c.id())?;
        let _ = crate::util::tree::remove_tree(self.run_dir(c.id()));
        Ok(Trash(vec![to]))
    }

    /// Deletes what killed purges left in the trash.
    pub fn purge_trash(&self) {
        if let Ok(entries) = fs::read_dir(self.root.join("trash")) {
            for e in entries.flatten() {
                Trash(vec![e.path()]).purge();
            }
        }
    }
}

/// A removed container's files (and its anonymous volumes'), still to
/// delete.
#[must_use = "purge the trash, or it stays on disk"]
pub struct Trash(Vec<PathBuf>);

impl Trash {
    /// More dirs to delete with it.
    pub fn with(mut self, dirs: Vec<PathBuf>) -> Trash {
        self.0.extend(dirs);
        self
    }

    pub fn purge(self) {
        for d in self.0 {
            let _ = crate::util::tree::remove_tree(&d);
        }
    }
}
