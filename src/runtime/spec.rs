//! What the runtime is asked to run: our own serde types (not oci-spec),
//! filled in by the engine from the container's config and host config.
//! The JSON form is a wire contract (it is stored and logged): camelCase
//! names, absent optional fields, defaults for everything a caller may omit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The default `PATH` (docker's), used when the environment has none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Docker's default `/dev/shm` size: 64 MiB.
pub const DEFAULT_SHM_SIZE: u64 = 64 * 1024 * 1024;

/// Docker's default capability set.
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// Docker's masked paths: files get `/dev/null` bound over them,
/// directories an empty read-only tmpfs.
pub const DEFAULT_MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Docker's read-only paths (bound onto themselves read-only).
pub const DEFAULT_READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// A container to create.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSpec {
    /// The container id (for messages).
    pub id: String,
    /// The hostname set in a new UTS namespace (`--hostname`); none keeps
    /// the inherited one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The root filesystem.
    pub rootfs: Rootfs,
    /// `--read-only`: the root filesystem is remounted read-only after
    /// every other mount is in place.
    #[serde(default)]
    pub readonly_rootfs: bool,
    /// Which namespaces are new, the host's, or joined.
    #[serde(default)]
    pub namespaces: Namespaces,
    /// User namespace id mappings; set, the container gets a new user
    /// namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_mappings: Option<IdMappings>,
    /// The running process (pid, start time) whose user namespace the
    /// container joins instead of getting a new one; [`Self::id_mappings`]
    /// then are that namespace's maps (a rootless user network's holder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_user_ns: Option<(i32, u64)>,
    /// A `/etc/passwd` line added in the container unless its uid has one
    /// (podman's `--userns=keep-id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passwd_entry: Option<String>,
    /// Extra mounts, made in order after `/proc`, `/sys` and `/dev`.
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// Paths hidden from the container (docker's list by default; empty
    /// for `--privileged`).
    #[serde(default = "default_masked_paths")]
    pub masked_paths: Vec<PathBuf>,
    /// Paths made read-only (docker's list by default; empty for
    /// `--privileged`).
    #[serde(default = "default_readonly_paths")]
    pub readonly_paths: Vec<PathBuf>,
    /// Size of `/dev/shm` in bytes (`--shm-size`).
    #[serde(default = "default_shm_size")]
    pub shm_size: u64,
    /// The container's main process.
    pub process: ProcessSpec,
    /// `--init`: PID 1 is the runtime's built-in reaper, which runs the
    /// process as its child, forwards signals and reaps zombies.
    #[serde(default)]
    pub init: bool,
    /// Namespaced sysctls (`--sysctl net.ipv4.ip_forward=1`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sysctls: BTreeMap<String, String>,
    /// Device nodes made in the container besides the default ones
    /// (`--device`, a privileged container's host devices); one at the path
    /// of a default node replaces it. Opening them is up to the cgroup's
    /// device rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceNode>,
}

/// A device node to make in the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceNode {
    /// Where, inside the container (absolute).
    pub path: PathBuf,
    pub kind: NodeKind,
    pub major: u32,
    pub minor: u32,
    /// Permission bits.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// The host's node: bind-mounted instead where `mknod` is not allowed
    /// (a user namespace).
    pub host_path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Char,
    Block,
    Fifo,
}

impl ContainerSpec {
    /// A spec with docker's defaults: every namespace new, docker's masked
    /// and read-only paths, a 64 MiB `/dev/shm`, running `args` as root.
    pub fn new(id: impl Into<String>, rootfs: Rootfs, args: Vec<String>) -> ContainerSpec {
        ContainerSpec {
            id: id.into(),
            hostname: None,
            rootfs,
            readonly_rootfs: false,
            namespaces: Namespaces::default(),
            id_mappings: None,
            join_user_ns: None,
            passwd_entry: None,
            mounts: Vec::new(),
            masked_paths: default_masked_paths(),
            readonly_paths: default_readonly_paths(),
            shm_size: DEFAULT_SHM_SIZE,
            process: ProcessSpec::new(args),
            init: false,
            sysctls: BTreeMap::new(),
            devices: Vec::new(),
        }
    }
}

/// Where the root filesystem comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Rootfs {
    /// A directory, bind-mounted onto itself inside the container's mount
    /// namespace.
    Dir {
        /// The directory (host path).
        path: PathBuf,
    },
    /// An overlay of image layers, mounted onto `target` inside the
    /// container's mount namespace only (it disappears with it).
    Overlay {
        /// The lower directories, top layer first.
        lowers: Vec<PathBuf>,
        /// The writable upper directory.
        upper: PathBuf,
        /// Overlay's work directory (same filesystem as `upper`).
        work: PathBuf,
        /// The (existing, empty) directory the overlay is mounted on.
        target: PathBuf,
    },
}

/// How one namespace is obtained.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NamespaceMode {
    /// A new namespace.
    #[default]
    New,
    /// The caller's namespace (`--pid host`, `--network host`).
    Host,
    /// An existing namespace, joined by its path, e.g. a bind-mounted
    /// `/run/netns/x`.
    Path(PathBuf),
    /// The namespace of a running process (`--network container:x`),
    /// opened by the caller before the clone with the process's start
    /// time checked before and after: a pid reused meanwhile is refused,
    /// never joined.
    #[serde(rename_all = "camelCase")]
    Process {
        /// The process (caller's PID namespace).
        pid: i32,
        /// Field 22 of `/proc/<pid>/stat` when it was found running.
        start_time: u64,
    },
}

/// The namespaces of a container. The mount namespace is always new; the
/// user namespace is new exactly when [`ContainerSpec::id_mappings`] is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Namespaces {
    /// PID namespace; new makes the process PID 1.
    #[serde(default)]
    pub pid: NamespaceMode,
    /// Network namespace; a new one has only `lo` (set up).
    #[serde(default)]
    pub net: NamespaceMode,
    /// IPC namespace.
    #[serde(default)]
    pub ipc: NamespaceMode,
    /// UTS namespace (hostname).
    #[serde(default)]
    pub uts: NamespaceMode,
    /// Cgroup namespace; a new one is rooted at the cgroups the process
    /// was put in by the time `after_spawn` returned.
    #[serde(default)]
    pub cgroup: NamespaceMode,
}

/// User namespace id mappings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdMappings {
    /// Uid ranges.
    pub uid: Vec<IdMap>,
    /// Gid ranges.
    pub gid: Vec<IdMap>,
}

/// One range of a uid or gid map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdMap {
    /// First id inside the container.
    pub container_id: u32,
    /// First id on the host.
    pub host_id: u32,
    /// Number of ids.
    pub size: u32,
}

/// One extra mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mount {
    /// Where inside the container; resolved inside the rootfs (a symlink in
    /// the image cannot send it outside). Missing mountpoints are created.
    pub destination: PathBuf,
    /// What to mount.
    #[serde(flatten)]
    pub kind: MountKind,
}

/// The kinds of extra mounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum MountKind {
    /// A bind mount of a host path (`-v`, `--mount type=bind`, and the
    /// container's hosts/hostname/resolv.conf).
    Bind {
        /// The host path (as the caller sees it).
        source: PathBuf,
        /// Read-only (`:ro`).
        #[serde(default)]
        readonly: bool,
        /// Include the mounts below `source` (docker's default).
        #[serde(default = "yes")]
        recursive: bool,
        /// `shared`, `slave`, `private` or their `r` forms; empty: as
        /// it comes (a slave of the host's, `/` being made one).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        propagation: String,
        /// A volume's first use: when `source` is an empty directory, it
        /// is first filled with what the image has at `destination`
        /// (owners, modes, xattrs kept; no symlink followed).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        copy_up: bool,
    },
    /// A tmpfs (`--tmpfs /run:rw,size=64m`).
    Tmpfs {
        /// Docker's option words: flags (`ro`, `rw`, `noexec`, `exec`,
        /// `nosuid`, `suid`, `nodev`, `dev`) and `key=value` data
        /// (`size`, `mode`, `uid`, `gid`, `nr_inodes`). Docker's defaults
        /// `noexec,nosuid,nodev` apply unless overridden.
        #[serde(default)]
        options: Vec<String>,
    },
}

/// The process to run (the container's main process, or an exec).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessSpec {
    /// The command and its arguments; `args[0]` is looked up in the
    /// environment's `PATH` when it has no `/`.
    pub args: Vec<String>,
    /// The environment, `KEY=value`, complete; the runtime adds only
    /// `PATH`, `HOSTNAME`, `TERM` (terminal) and `HOME` when they are
    /// missing, as docker does.
    #[serde(default)]
    pub env: Vec<String>,
    /// The working directory inside the container (created when missing
    /// for a container's main process, as docker does for `WORKDIR`).
    #[serde(default = "default_cwd")]
    pub cwd: PathBuf,
    /// `name|uid[:group|gid]`, resolved against the container's
    /// `/etc/passwd` and `/etc/group`; empty is root.
    #[serde(default)]
    pub user: String,
    /// Extra groups (`--group-add`): names or gids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_groups: Vec<String>,
    /// Run on a new pseudo-terminal (`-t`).
    #[serde(default)]
    pub terminal: bool,
    /// The capabilities the process keeps, `CAP_*` names, already resolved
    /// (see [`crate::runtime::security::resolve_capabilities`]).
    #[serde(default = "default_capabilities")]
    pub capabilities: Vec<String>,
    /// `--security-opt no-new-privileges`.
    #[serde(default)]
    pub no_new_privileges: bool,
    /// `--ulimit`s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rlimits: Vec<Rlimit>,
    /// `--oom-score-adj`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i32>,
    /// The seccomp filter, compiled by the caller before the process is
    /// created; not part of the JSON form.
    #[serde(skip)]
    pub seccomp: SeccompSpec,
}

impl ProcessSpec {
    /// `args` as root in `/`, with docker's default capabilities and an
    /// empty environment (`PATH` gets its default).
    pub fn new(args: Vec<String>) -> ProcessSpec {
        ProcessSpec {
            args,
            env: Vec::new(),
            cwd: default_cwd(),
            user: String::new(),
            additional_groups: Vec::new(),
            terminal: false,
            capabilities: default_capabilities(),
            no_new_privileges: false,
            rlimits: Vec::new(),
            oom_score_adj: None,
            seccomp: SeccompSpec::Unconfined,
        }
    }
}

/// One resource limit (`--ulimit nofile=1024:2048`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rlimit {
    /// Docker's name: `nofile`, `nproc`, `core`, `cpu`, `data`, `fsize`,
    /// `locks`, `memlock`, `msgqueue`, `nice`, `rss`, `rtprio`, `rttime`,
    /// `sigpending`, `stack`, `as` (an `RLIMIT_` prefix is accepted).
    pub name: String,
    /// Soft limit.
    pub soft: u64,
    /// Hard limit.
    pub hard: u64,
}

/// The seccomp filter of a process.
#[derive(Clone, Default)]
pub enum SeccompSpec {
    /// No filter (`--security-opt seccomp=unconfined`, `--privileged`).
    #[default]
    Unconfined,
    /// A ready BPF program: the bytes of a `struct sock_filter` array.
    Filter(Arc<Vec<u8>>),
}

impl std::fmt::Debug for SeccompSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeccompSpec::Unconfined => f.write_str("Unconfined"),
            SeccompSpec::Filter(prog) => write!(f, "Filter({} instructions)", prog.len() / 8),
        }
    }
}

fn default_masked_paths() -> Vec<PathBuf> {
    DEFAULT_MASKED_PATHS.iter().map(PathBuf::from).collect()
}

fn default_readonly_paths() -> Vec<PathBuf> {
    DEFAULT_READONLY_PATHS.iter().map(PathBuf::from).collect()
}

fn default_shm_size() -> u64 {
    DEFAULT_SHM_SIZE
}

fn default_cwd() -> PathBuf {
    PathBuf::from("/")
}

fn default_capabilities() -> Vec<String> {
    DEFAULT_CAPABILITIES.iter().map(|c| c.to_string()).collect()
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_uses_camel_case_and_defaults() {
        let mut spec =
            ContainerSpec::new("c1", Rootfs::Dir { path: "/r".into() }, vec!["sh".into()]);
        spec.mounts.push(Mount {
            destination: "/etc/hosts".into(),
            kind: MountKind::Bind {
                source: "/u/hosts".into(),
                readonly: true,
                recursive: false,
                propagation: String::new(),
                copy_up: false,
            },
        });
        spec.namespaces.net = NamespaceMode::Path("/proc/9/ns/net".into());
        let json = serde_json::to_string(&spec).unwrap();
        assert!(json.contains("\"readonlyRootfs\":false"), "{json}");
        assert!(
            json.contains("\"net\":{\"path\":\"/proc/9/ns/net\"}"),
            "{json}"
        );
        assert!(json.contains("\"type\":\"bind\""), "{json}");
        assert!(!json.contains("idMappings"), "{json}");
        let back: ContainerSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back.mounts, spec.mounts);
        assert_eq!(back.namespaces, spec.namespaces);

        let minimal: ContainerSpec = serde_json::from_str(
            r#"{"id":"x","rootfs":{"type":"dir","path":"/r"},"process":{"args":["true"]}}"#,
        )
        .unwrap();
        assert_eq!(minimal.shm_size, DEFAULT_SHM_SIZE);
        assert_eq!(minimal.masked_paths.len(), DEFAULT_MASKED_PATHS.len());
        assert_eq!(minimal.process.capabilities.len(), 14);
        assert_eq!(minimal.process.cwd, PathBuf::from("/"));
        assert_eq!(minimal.namespaces.pid, NamespaceMode::New);
    }
}
