//! The container's cgroups: create them, apply docker's resource flags,
//! freeze, signal, measure and remove them.
//!
//! ## Layouts
//! [`detect`] reads `/proc/self/mountinfo`: a cgroup2 mount at
//! `/sys/fs/cgroup` is [`Layout::V2`] (unified). Anything else, including the
//! hybrid layout (v1 controllers plus a controller-less cgroup2 at
//! `/sys/fs/cgroup/unified`), is [`Layout::V1`]: one directory per v1
//! hierarchy. The hybrid cgroup2 is left alone.
//!
//! ## Where the container's cgroups go
//! The leaf is named `skiff-<id>`. It goes
//! - beneath the invoking process's own cgroup in each hierarchy (from
//!   `/proc/self/cgroup`) when there is no `--cgroup-parent`;
//! - beneath `<hierarchy root>/<parent>` for an absolute `--cgroup-parent`
//!   (`/docker`), as docker's cgroupfs driver does;
//! - beneath `<own cgroup>/<parent>` for a relative one (`ci/jobs`): docker
//!   puts a relative parent under the daemon's cgroup, and ours is the
//!   invoking process.
//!
//! Missing directories of the parent path are created; [`Cgroup::destroy`]
//! removes them again when they are empty. No process is ever moved out of
//! its cgroup except the container's own processes, into the new leaf.
//!
//! ## v1
//! One leaf per mounted hierarchy among memory, cpu, cpuacct, cpuset, pids,
//! blkio, freezer and devices (co-mounted controllers share one dir). A new
//! cpuset dir gets `cpuset.cpus`/`cpuset.mems` copied from its parent. When a
//! leaf cannot be created because of permissions (rootless) and no requested
//! limit needs that hierarchy, the hierarchy is skipped with a warning
//! ([`Cgroup::warnings`]); a requested limit that cannot be applied is always
//! an error naming the flag.
//!
//! ## v2
//! One leaf. Controllers are enabled in `cgroup.subtree_control` of the
//! parent dirs we create and of exactly one pre-existing cgroup: the nearest
//! existing ancestor of the leaf (the invoking process's own cgroup, or the
//! `--cgroup-parent` dir). Cgroups above that are never written. The needed
//! controllers (from the flags) must be enabled there or creation fails;
//! cpu, io, memory and pids are enabled too when possible, for stats and
//! `docker update`. Since cgroup v2 forbids enabling controllers for the
//! children of a cgroup that holds processes itself (except the root), limits
//! on v2 need the invoking process to sit in the root cgroup, or a
//! `--cgroup-parent` without processes. Enabled controllers are not disabled
//! again on destroy (runc does not either).
//!
//! ## Devices
//! [`Resources::devices`] is the container's device rule list (see
//! [`devices`]); it is applied at creation, before any process joins: on v1
//! as `devices.deny`/`devices.allow` writes in the devices leaf (none when
//! rootless skipped that hierarchy), on v2 as a device BPF program attached
//! to the leaf (skipped when unprivileged and the kernel refuses, as runc).
//! An empty list leaves device access alone (`docker update`).

mod bpf;
pub mod devices;
pub mod fs;
mod v1;
mod v2;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use fs::{CgroupFs, RealFs};

/// Prefix of the leaf dir: `skiff-<container id>`.
pub const LEAF_PREFIX: &str = "skiff-";

/// Where cgroup2 must be mounted for the unified layout.
const UNIFIED_MOUNT: &str = "/sys/fs/cgroup";

/// How long freeze and thaw wait for the kernel to report the new state.
const FREEZE_TIMEOUT: Duration = Duration::from_secs(2);

/// Pauses between attempts to remove a busy cgroup (about 1 s in all).
const RMDIR_BACKOFF_MS: [u64; 8] = [5, 10, 20, 40, 80, 160, 300, 400];

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    /// A resource flag that cannot be applied; names the flag.
    #[error("{flag}: {reason}")]
    Limit { flag: &'static str, reason: String },
    /// A cgroup file operation failed; names the path.
    #[error("{op} {}: {source}", .path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The leaf dir is already there (a stale cgroup of the same container?).
    #[error("cgroup {} already exists", .0.display())]
    Exists(PathBuf),
    /// The cgroup still has processes or children after about a second.
    #[error("removing cgroup {}: still busy after killing its processes: {source}", .path.display())]
    Busy {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Bad input, unsupported host, or an operation this cgroup cannot do.
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = CgroupError> = std::result::Result<T, E>;

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> CgroupError + 'a {
    move |source| CgroupError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

fn is_permission(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EACCES | libc::EPERM | libc::EROFS)
    )
}

fn is_busy(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EBUSY | libc::ENOTEMPTY))
}

// ---------------------------------------------------------------------------
// Layout detection

/// The v1 controllers a container joins.
pub const V1_CONTROLLERS: &[&str] = &[
    "memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "freezer", "devices",
];

/// Every v1 controller name the kernel knows (to read mount options).
const KNOWN_V1: &[&str] = &[
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "devices",
    "freezer",
    "net_cls",
    "net_prio",
    "blkio",
    "perf_event",
    "hugetlb",
    "pids",
    "rdma",
    "misc",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One hierarchy per controller (or group of co-mounted controllers):
    /// controller name (`memory`, `name=systemd`) -> mount point.
    V1 {
        controllers: BTreeMap<String, PathBuf>,
    },
    /// The unified hierarchy.
    V2 { mount: PathBuf },
}

impl Layout {
    pub fn version(&self) -> Version {
        match self {
            Layout::V1 { .. } => Version::V1,
            Layout::V2 { .. } => Version::V2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    V1,
    V2,
}

/// The invoking process's cgroups, relative to each hierarchy's mount.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnCgroups {
    /// v1 controller (`memory`, `name=systemd`) -> path (`/process_api/x`).
    pub v1: BTreeMap<String, String>,
    /// The `0::` line.
    pub v2: Option<String>,
}

impl OwnCgroups {
    /// Parses `/proc/<pid>/cgroup` as is (no mount-root adjustment).
    pub fn parse(text: &str) -> Result<OwnCgroups> {
        let mut own = OwnCgroups::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut parts = line.splitn(3, ':');
            let (Some(id), Some(ctrls), Some(path)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(CgroupError::Other(format!(
                    "malformed line in /proc/self/cgroup: {line:?}"
                )));
            };
            if id == "0" && ctrls.is_empty() {
                own.v2 = Some(path.to_string());
            } else {
                for c in ctrls.split(',').filter(|c| !c.is_empty()) {
                    own.v1.insert(c.to_string(), path.to_string());
                }
            }
        }
        Ok(own)
    }

    /// The current process's cgroups, adjusted for the mount roots.
    pub fn current() -> Result<OwnCgroups> {
        Ok(detect_host()?.1)
    }

    fn v1_path(&self, controller: &str) -> Option<&str> {
        self.v1.get(controller).map(String::as_str)
    }
}

struct MountEntry {
    root: String,
    mount_point: PathBuf,
    fstype: String,
    super_opts: String,
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = b[i + 1..i + 4]
                .iter()
                .fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
            if let Ok(v) = u8::try_from(v) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    let mut mounts = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(sep) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        if fields.len() < 5 || fields.len() < sep + 4 {
            continue;
        }
        mounts.push(MountEntry {
            root: unescape(fields[3]),
            mount_point: PathBuf::from(unescape(fields[4])),
            fstype: fields[sep + 1].to_string(),
            super_opts: fields[sep + 3].to_string(),
        });
    }
    mounts
}

/// `path` (from /proc/self/cgroup) relative to a mount of `root`.
fn strip_mount_root(path: &str, root: &str) -> Option<String> {
    if root == "/" {
        return Some(path.to_string());
    }
    let root = root.trim_end_matches('/');
    if path == root {
        Some("/".to_string())
    } else {
        path.strip_prefix(root)
            .filter(|rest| rest.starts_with('/'))
            .map(str::to_string)
    }
}

/// The layout and the invoking process's cgroups (relative to the mounts)
/// from the text of `/proc/self/mountinfo` and `/proc/self/cgroup`.
pub fn detect_from(mountinfo: &str, proc_self_cgroup: &str) -> Result<(Layout, OwnCgroups)> {
    let mounts = parse_mountinfo(mountinfo);
    let raw = OwnCgroups::parse(proc_self_cgroup)?;
    let v2_own = |m: &MountEntry| raw.v2.as_deref().and_then(|p| strip_mount_root(p, &m.root));

    if let Some(m) = mounts
        .iter()
        .find(|m| m.fstype == "cgroup2" && m.mount_point == Path::new(UNIFIED_MOUNT))
    {
        let own = OwnCgroups {
            v1: BTreeMap::new(),
            v2: v2_own(m),
        };
        return Ok((
            Layout::V2 {
                mount: m.mount_point.clone(),
            },
            own,
        ));
    }

    let mut controllers = BTreeMap::new();
    let mut own = OwnCgroups::default();
    for m in mounts.iter().filter(|m| m.fstype == "cgroup") {
        for opt in m.super_opts.split(',') {
            if !(KNOWN_V1.contains(&opt) || opt.starts_with("name=")) {
                continue;
            }
            if controllers.contains_key(opt) {
                continue; // a bind mount of a hierarchy already seen
            }
            controllers.insert(opt.to_string(), m.mount_point.clone());
            if let Some(p) = raw.v1_path(opt).and_then(|p| strip_mount_root(p, &m.root)) {
                own.v1.insert(opt.to_string(), p);
            }
        }
    }
    let has_controller = controllers.keys().any(|c| !c.starts_with("name="));
    if !has_controller {
        // A pure cgroup2 system with the mount somewhere else.
        if let Some(m) = mounts.iter().find(|m| m.fstype == "cgroup2") {
            let own = OwnCgroups {
                v1: BTreeMap::new(),
                v2: v2_own(m),
            };
            return Ok((
                Layout::V2 {
                    mount: m.mount_point.clone(),
                },
                own,
            ));
        }
        return Err(CgroupError::Other(
            "no cgroup file system is mounted (neither cgroup v1 controllers nor cgroup2)".into(),
        ));
    }
    own.v2 = raw.v2.clone();
    Ok((Layout::V1 { controllers }, own))
}

fn detect_host() -> Result<(Layout, OwnCgroups)> {
    let read =
        |p: &'static str| std::fs::read_to_string(p).map_err(io_err("reading", Path::new(p)));
    detect_from(&read("/proc/self/mountinfo")?, &read("/proc/self/cgroup")?)
}

/// The host's cgroup layout.
pub fn detect() -> Result<Layout> {
    Ok(detect_host()?.0)
}

/// Each hierarchy's base dir for `parent` (where [`Cgroup::create`] puts
/// leaves; created parent dirs included), as the invoking process sees it.
fn bases(layout: &Layout, own: &OwnCgroups, parent: &Parent) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let join = |(base, comps): (PathBuf, Vec<String>)| comps.iter().fold(base, |b, c| b.join(c));
    match layout {
        Layout::V1 { controllers } => {
            for c in V1_CONTROLLERS {
                let Some(m) = controllers.get(*c) else {
                    continue;
                };
                let own_path = controllers
                    .iter()
                    .filter(|(_, mm)| *mm == m)
                    .find_map(|(c, _)| own.v1_path(c));
                if let Some(b) = parent.base(m, own_path).map(join) {
                    if !out.contains(&b) {
                        out.push(b);
                    }
                }
            }
        }
        Layout::V2 { mount } => out.extend(parent.base(mount, own.v2.as_deref()).map(join)),
    }
    out
}

/// The existing leaf dirs of container `id`'s cgroup for `parent`, found
/// by name: what a start killed before it recorded its cgroup leaves.
pub fn find_leaves(id: &str, parent: Option<&str>) -> Vec<PathBuf> {
    let (Ok((layout, own)), Ok(parent)) = (detect_host(), Parent::parse(parent)) else {
        return Vec::new();
    };
    let leaf = format!("{LEAF_PREFIX}{id}");
    bases(&layout, &own, &parent)
        .into_iter()
        .map(|b| b.join(&leaf))
        .filter(|p| p.is_dir())
        .collect()
}

/// Every container leaf beneath the invoking process's own cgroups (the
/// default parent): (container id, leaf dir).
pub fn own_leaves() -> Vec<(String, PathBuf)> {
    let Ok((layout, own)) = detect_host() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for base in bases(&layout, &own, &Parent::Relative(Vec::new())) {
        for e in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_prefix(LEAF_PREFIX) {
                if e.path().is_dir() {
                    out.push((id.to_string(), e.path()));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Resources

/// docker's resource flags. `None` leaves a setting alone; so do the values
/// docker treats as "unset" (0 for memory, swap, cpus, shares, period, quota
/// and blkio weight).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    /// `--memory`, bytes; -1 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
    /// `--memory-reservation`, bytes (v1 soft limit, v2 memory.low).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<i64>,
    /// `--memory-swap`: memory plus swap, bytes; -1 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<i64>,
    /// `--memory-swappiness`, 0-100 (v1 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swappiness: Option<u64>,
    /// `--kernel-memory`, bytes (v1 only; kernels >= 6.x ignore it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel_memory: Option<i64>,
    /// `--oom-kill-disable` (v1 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_kill_disable: Option<bool>,
    /// `--cpus` in billionths of a CPU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nano_cpus: Option<i64>,
    /// `--cpu-shares`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<u64>,
    /// `--cpu-period`, microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_period: Option<u64>,
    /// `--cpu-quota`, microseconds; -1 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_quota: Option<i64>,
    /// `--cpuset-cpus` (`0-2,4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_mems: Option<String>,
    /// `--pids-limit`; -1 or 0 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    /// `--blkio-weight`, 10-1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_weight: Option<u16>,
    /// The device access rules ([`devices::docker_rules`]); empty leaves
    /// device access alone (a new cgroup allows every device).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<devices::DeviceRule>,
}

/// One requested setting: its flag and the controller it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Request {
    flag: &'static str,
    v1: &'static str,
    v2: &'static str,
}

const fn req(flag: &'static str, v1: &'static str, v2: &'static str) -> Request {
    Request { flag, v1, v2 }
}

/// Default `cpu.cfs_period_us` for `--cpus`, as docker.
pub const CPU_PERIOD: u64 = 100_000;

impl Resources {
    /// The settings that need a controller, in the order they are applied.
    fn requests(&self) -> Vec<Request> {
        let set = |v: Option<i64>| v.is_some_and(|v| v != 0);
        let nonempty = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        let (mem, cpu) = ("memory", "cpu");
        [
            (set(self.memory), req("--memory", mem, mem)),
            (
                set(self.memory_reservation),
                req("--memory-reservation", mem, mem),
            ),
            (set(self.memory_swap), req("--memory-swap", mem, mem)),
            (
                self.memory_swappiness.is_some(),
                req("--memory-swappiness", mem, mem),
            ),
            (set(self.kernel_memory), req("--kernel-memory", mem, mem)),
            (
                self.oom_kill_disable == Some(true),
                req("--oom-kill-disable", mem, mem),
            ),
            (set(self.nano_cpus), req("--cpus", cpu, cpu)),
            (
                self.cpu_shares.is_some_and(|v| v != 0),
                req("--cpu-shares", cpu, cpu),
            ),
            (
                self.cpu_period.is_some_and(|v| v != 0),
                req("--cpu-period", cpu, cpu),
            ),
            (set(self.cpu_quota), req("--cpu-quota", cpu, cpu)),
            (
                nonempty(&self.cpuset_cpus),
                req("--cpuset-cpus", "cpuset", "cpuset"),
            ),
            (
                nonempty(&self.cpuset_mems),
                req("--cpuset-mems", "cpuset", "cpuset"),
            ),
            (
                self.pids_limit.is_some(),
                req("--pids-limit", "pids", "pids"),
            ),
            (
                self.blkio_weight.is_some_and(|v| v != 0),
                req("--blkio-weight", "blkio", "io"),
            ),
        ]
        .into_iter()
        .filter_map(|(wanted, r)| wanted.then_some(r))
        .collect()
    }

    /// (period, quota, flag) for the CFS bandwidth settings: `--cpus N`
    /// becomes period 100000 and quota N*100000, as docker does.
    fn cfs(&self) -> (Option<u64>, Option<i64>, &'static str) {
        if let Some(n) = self.nano_cpus.filter(|&n| n > 0) {
            let quota = (i128::from(n) * i128::from(CPU_PERIOD) / 1_000_000_000) as i64;
            return (Some(CPU_PERIOD), Some(quota), "--cpus");
        }
        let period = self.cpu_period.filter(|&p| p != 0);
        let quota = self.cpu_quota.filter(|&q| q != 0);
        let flag = if quota.is_some() {
            "--cpu-quota"
        } else {
            "--cpu-period"
        };
        (period, quota, flag)
    }

    /// docker's checks of a new container's limits (`create` runs them
    /// before writing anything).
    pub fn check(&self) -> Result<()> {
        self.validate(false)
    }

    /// docker's checks, before anything is created. `update` relaxes the
    /// ones that depend on settings already in place.
    fn validate(&self, update: bool) -> Result<()> {
        let bad = |flag: &'static str, reason: String| Err(CgroupError::Limit { flag, reason });
        if let Some(m) = self.memory.filter(|&m| m < -1) {
            return bad("--memory", format!("invalid memory limit {m}"));
        }
        if self.memory.is_some_and(|m| m > 0 && m < MIN_MEMORY) {
            return bad("--memory", "Minimum memory limit allowed is 6MB".into());
        }
        if let Some(s) = self.memory_swap {
            if s < -1 {
                return bad("--memory-swap", format!("invalid memory+swap limit {s}"));
            }
            if s > 0 {
                match self.memory {
                    Some(m) if m > 0 && s < m => {
                        return bad(
                            "--memory-swap",
                            "Minimum memoryswap limit should be larger than memory limit, see usage"
                                .into(),
                        )
                    }
                    Some(m) if m > 0 => {}
                    None | Some(0) if update => {}
                    _ => {
                        return bad(
                            "--memory-swap",
                            "You should always set the Memory limit when using Memoryswap limit, see usage"
                                .into(),
                        )
                    }
                }
            }
        }
        if let Some(r) = self.memory_reservation {
            if r < 0 {
                return bad("--memory-reservation", format!("invalid value {r}"));
            }
            if self.memory.is_some_and(|m| m > 0 && r > m) {
                return bad(
                    "--memory-reservation",
                    "Minimum memory limit can not be less than memory reservation limit, see usage"
                        .into(),
                );
            }
        }
        if let Some(v) = self.memory_swappiness.filter(|&v| v > 100) {
            return bad(
                "--memory-swappiness",
                format!("Invalid value: {v}, valid memory swappiness range is 0-100"),
            );
        }
        if let Some(k) = self.kernel_memory.filter(|&k| k < -1) {
            return bad("--kernel-memory", format!("invalid value {k}"));
        }
        if let Some(n) = self.nano_cpus.filter(|&n| n != 0) {
            if n < 0 {
                return bad("--cpus", format!("invalid value {n}"));
            }
            if self.cpu_period.is_some_and(|p| p != 0) || self.cpu_quota.is_some_and(|q| q != 0) {
                return bad(
                    "--cpus",
                    "Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set".into(),
                );
            }
            let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
            if n < 10_000_000 || n > ncpu * 1_000_000_000 {
                return bad(
                    "--cpus",
                    format!(
                        "range of CPUs is from 0.01 to {ncpu}.00, as there are only {ncpu} CPUs available"
                    ),
                );
            }
        }
        if let Some(p) = self.cpu_period.filter(|&p| p != 0) {
            if !(1000..=1_000_000).contains(&p) {
                return bad(
                    "--cpu-period",
                    "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
                        .into(),
                );
            }
        }
        if let Some(q) = self.cpu_quota.filter(|&q| q != 0 && q != -1) {
            if q < 1000 {
                return bad(
                    "--cpu-quota",
                    "CPU cfs quota can not be less than 1ms (i.e. 1000)".into(),
                );
            }
        }
        if let Some(w) = self.blkio_weight.filter(|&w| w != 0) {
            if !(10..=1000).contains(&w) {
                return bad(
                    "--blkio-weight",
                    "Range of blkio weight is from 10 to 1000".into(),
                );
            }
        }
        Ok(())
    }
}

/// runc's conversion of v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000].
/// docker's floor for `--memory` (6 MiB).
const MIN_MEMORY: i64 = 6 * 1024 * 1024;

pub fn shares_to_weight(shares: u64) -> u64 {
    if shares == 0 {
        return 0;
    }
    let s = shares.clamp(2, 262_144);
    1 + ((s - 2) * 9999) / 262_142
}

/// runc's conversion of blkio.weight [10, 1000] to io.weight [1, 10000].
pub fn blkio_to_io_weight(weight: u16) -> u64 {
    if weight == 0 {
        return 0;
    }
    let w = u64::from(weight.clamp(10, 1000));
    1 + (w - 10) * 9999 / 990
}

/// Writes a limit; failures name the flag and why.
fn write_limit(
    fs: &dyn CgroupFs,
    flag: &'static str,
    dir: &Path,
    file: &str,
    value: &str,
) -> Result<()> {
    let path = dir.join(file);
    fs.write(&path, value)
        .map_err(|e| limit_write_error(flag, &path, value, e))
}

fn limit_write_error(flag: &'static str, path: &Path, value: &str, e: io::Error) -> CgroupError {
    let reason = match e.raw_os_error() {
        Some(libc::ENOENT) => format!(
            "{} does not exist: this kernel does not support the setting",
            path.display()
        ),
        _ if is_permission(&e) => format!(
            "permission denied writing {} (rootless containers cannot set limits without a delegated cgroup)",
            path.display()
        ),
        _ => format!(
            "the kernel rejected {value:?} for {}: {e}",
            path.display()
        ),
    };
    CgroupError::Limit { flag, reason }
}

fn read_trimmed(fs: &dyn CgroupFs, path: &Path) -> Result<String> {
    fs.read(path)
        .map(|s| s.trim().to_string())
        .map_err(io_err("reading", path))
}

fn parse_pids(text: &str) -> Vec<i32> {
    text.lines()
        .filter_map(|l| l.trim().parse::<i32>().ok())
        .filter(|&p| p > 0)
        .collect()
}

/// `key value` lines (memory.stat, cpu.stat).
fn parse_flat_keyed(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let k = it.next()?;
            let v = it.next()?.parse().ok()?;
            Some((k.to_string(), v))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Creating directories

/// The `--cgroup-parent` value, checked and split.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Parent {
    /// Relative to each hierarchy's root.
    Absolute(Vec<String>),
    /// Relative to the invoking process's own cgroup (empty: none given).
    Relative(Vec<String>),
}

impl Parent {
    fn parse(parent: Option<&str>) -> Result<Parent> {
        let Some(p) = parent else {
            return Ok(Parent::Relative(Vec::new()));
        };
        let mut comps = Vec::new();
        for c in p.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    return Err(CgroupError::Other(format!(
                        "--cgroup-parent: {p:?} must not contain \"..\""
                    )))
                }
                c => comps.push(c.to_string()),
            }
        }
        Ok(if p.starts_with('/') {
            Parent::Absolute(comps)
        } else {
            Parent::Relative(comps)
        })
    }

    fn is_default(&self) -> bool {
        matches!(self, Parent::Relative(c) if c.is_empty())
    }

    /// (existing base dir, components to create beneath it) in a hierarchy
    /// mounted at `mount` where the invoking process is in `own`.
    fn base(&self, mount: &Path, own: Option<&str>) -> Option<(PathBuf, Vec<String>)> {
        match self {
            Parent::Absolute(c) => Some((mount.to_path_buf(), c.clone())),
            Parent::Relative(c) => {
                let own = own?.trim_start_matches('/');
                let base = if own.is_empty() {
                    mount.to_path_buf()
                } else {
                    mount.join(own)
                };
                Some((base, c.clone()))
            }
        }
    }
}

fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !id.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(CgroupError::Other(format!(
            "invalid container id for a cgroup name: {id:?}"
        )))
    }
}

/// The nearest existing dir on the way from `base` down `comps`, and the
/// components still missing below it.
fn nearest_existing(fs: &dyn CgroupFs, base: &Path, comps: &[String]) -> (PathBuf, Vec<String>) {
    let mut anchor = base.to_path_buf();
    let mut i = 0;
    while i < comps.len() && fs.exists(&anchor.join(&comps[i])) {
        anchor.push(&comps[i]);
        i += 1;
    }
    (anchor, comps[i..].to_vec())
}

/// Creates `anchor/missing.../leaf`, pushing every dir it creates onto
/// `created` (top-down). An intermediate dir that appears meanwhile is used
/// as is; an existing leaf is an error.
fn make_dirs(
    fs: &dyn CgroupFs,
    anchor: &Path,
    missing: &[String],
    leaf: &str,
    created: &mut Vec<PathBuf>,
) -> Result<PathBuf> {
    let mut dir = anchor.to_path_buf();
    for c in missing {
        dir.push(c);
        match fs.mkdir(&dir) {
            Ok(()) => created.push(dir.clone()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_err("creating cgroup", &dir)(e)),
        }
    }
    dir.push(leaf);
    match fs.mkdir(&dir) {
        Ok(()) => created.push(dir.clone()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(CgroupError::Exists(dir)),
        Err(e) => return Err(io_err("creating cgroup", &dir)(e)),
    }
    Ok(dir)
}

/// Best-effort removal of freshly created (empty) dirs, deepest first.
fn remove_created(fs: &dyn CgroupFs, created: &[PathBuf]) {
    let mut dirs = created.to_vec();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = fs.rmdir(&d);
    }
}

// ---------------------------------------------------------------------------
// The cgroup

/// One dir that holds the container's processes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    pub path: PathBuf,
    /// v1: the controllers of its hierarchy; empty on v2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controllers: Vec<String>,
}

fn real_fs() -> Arc<dyn CgroupFs> {
    Arc::new(RealFs)
}

/// A container's cgroup: its leaf dir(s) and the parent dirs it created.
/// Serializable, to persist in the container's state; or persist
/// [`Cgroup::paths`] and reload with [`Cgroup::from_paths`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cgroup {
    version: Version,
    leaves: Vec<Leaf>,
    /// Parent dirs this cgroup created (deepest first); removed on destroy
    /// when no other cgroup lives in them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parents: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    #[serde(skip, default = "real_fs")]
    fs: Arc<dyn CgroupFs>,
}

/// Resource usage, for `docker stats`. `None`: not available.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Bytes charged, page cache included.
    pub memory_usage: Option<u64>,
    /// Bytes; `None` when unlimited at this level.
    pub memory_limit: Option<u64>,
    /// Peak bytes (v1 max_usage, v2 memory.peak).
    pub memory_max_usage: Option<u64>,
    /// memory.stat.
    pub memory_stat: BTreeMap<String, u64>,
    /// CPU time, nanoseconds.
    pub cpu_usage_ns: Option<u64>,
    pub cpu_user_ns: Option<u64>,
    pub cpu_system_ns: Option<u64>,
    pub pids_current: Option<u64>,
    /// `None` when unlimited.
    pub pids_limit: Option<u64>,
    pub io_read_bytes: Option<u64>,
    pub io_write_bytes: Option<u64>,
}

impl Stats {
    /// Usage as `docker stats` shows it: without inactive page cache.
    pub fn memory_used(&self) -> Option<u64> {
        let usage = self.memory_usage?;
        let inactive = ["total_inactive_file", "inactive_file"]
            .iter()
            .find_map(|k| self.memory_stat.get(*k))
            .copied()
            .unwrap_or(0);
        Some(usage.saturating_sub(inactive))
    }
}

impl Cgroup {
    /// Creates the container's cgroup on this host and applies `res`. See
    /// the module docs for where it goes. On error nothing created is left.
    pub fn create(id: &str, parent: Option<&str>, res: &Resources) -> Result<Cgroup> {
        let (layout, own) = detect_host()?;
        Cgroup::create_in(&layout, &own, id, parent, res)
    }

    /// [`Cgroup::create`] for a given layout and own cgroups.
    pub fn create_in(
        layout: &Layout,
        own: &OwnCgroups,
        id: &str,
        parent: Option<&str>,
        res: &Resources,
    ) -> Result<Cgroup> {
        Cgroup::create_with(real_fs(), layout, own, id, parent, res)
    }

    /// [`Cgroup::create_in`] through another file-system seam.
    pub fn create_with(
        fs: Arc<dyn CgroupFs>,
        layout: &Layout,
        own: &OwnCgroups,
        id: &str,
        parent: Option<&str>,
        res: &Resources,
    ) -> Result<Cgroup> {
        check_id(id)?;
        let parent = Parent::parse(parent)?;
        res.validate(false)?;
        let leaf = format!("{LEAF_PREFIX}{id}");
        match layout {
            Layout::V1 { controllers } => v1::create(fs, controllers, own, &leaf, &parent, res),
            Layout::V2 { mount } => v2::create(fs, mount, own, &leaf, &parent, res),
        }
    }

    /// Reloads a cgroup from [`Cgroup::paths`] (for cleanup or stats by a
    /// later process). The version and each v1 leaf's controllers are read
    /// from the dirs; a path that is an ancestor of another is a parent.
    pub fn from_paths<I: IntoIterator<Item = PathBuf>>(paths: I) -> Cgroup {
        Cgroup::from_paths_with(real_fs(), paths)
    }

    pub fn from_paths_with<I: IntoIterator<Item = PathBuf>>(
        fs: Arc<dyn CgroupFs>,
        paths: I,
    ) -> Cgroup {
        let paths: Vec<PathBuf> = paths.into_iter().collect();
        let (mut parents, leaf_paths): (Vec<PathBuf>, Vec<PathBuf>) = paths
            .iter()
            .cloned()
            .partition(|p| paths.iter().any(|q| q != p && q.starts_with(p)));
        parents.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        let version = if leaf_paths
            .iter()
            .any(|p| fs.exists(&p.join("cgroup.controllers")))
        {
            Version::V2
        } else {
            Version::V1
        };
        let leaves = leaf_paths
            .into_iter()
            .map(|path| {
                let controllers = match version {
                    Version::V1 => v1::controllers_in(fs.as_ref(), &path),
                    Version::V2 => Vec::new(),
                };
                Leaf { path, controllers }
            })
            .collect();
        Cgroup {
            version,
            leaves,
            parents,
            warnings: Vec::new(),
            fs,
        }
    }

    /// Uses another file-system seam (after deserializing, in tests).
    pub fn with_fs(mut self, fs: Arc<dyn CgroupFs>) -> Cgroup {
        self.fs = fs;
        self
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// The dirs holding the container's processes.
    pub fn leaves(&self) -> &[Leaf] {
        &self.leaves
    }

    /// Every dir this cgroup created: leaves first, then the parents it
    /// created, deepest first. Persist these for cleanup.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.leaves
            .iter()
            .map(|l| l.path.clone())
            .chain(self.parents.iter().cloned())
            .collect()
    }

    /// Hierarchies skipped at creation (rootless v1), for the user.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// True when no dir could be created (rootless without delegation).
    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// The leaf of a v1 controller (`devices`, `freezer`), or the v2 leaf.
    pub fn dir(&self, controller: &str) -> Option<&Path> {
        match self.version {
            Version::V1 => self
                .leaves
                .iter()
                .find(|l| l.controllers.iter().any(|c| c == controller))
                .map(|l| l.path.as_path()),
            Version::V2 => self.leaves.first().map(|l| l.path.as_path()),
        }
    }

    fn v2_leaf(&self) -> Result<&Path> {
        self.leaves
            .first()
            .map(|l| l.path.as_path())
            .ok_or_else(|| CgroupError::Other("the container has no cgroup".into()))
    }

    /// v2: an `O_DIRECTORY` fd of the leaf for `clone3(CLONE_INTO_CGROUP)`.
    /// `None` on v1, or when the leaf cannot be opened (then use
    /// [`Cgroup::add_task`]).
    pub fn clone_into_fd(&self) -> Option<OwnedFd> {
        use rustix::fs::{Mode, OFlags};
        if self.version != Version::V2 {
            return None;
        }
        let leaf = self.leaves.first()?;
        rustix::fs::open(
            &leaf.path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok()
    }

    /// v1: each leaf's `tasks` file, opened for writing, for a new process
    /// to move *itself* by writing "0" ([`crate::runtime::Hooks::join_fds`]).
    /// A process moving its own single thread skips the kernel's global
    /// threadgroup lock, whose RCU grace period makes every `cgroup.procs`
    /// write by another process cost about 10 ms. Empty on v2 (use
    /// [`Cgroup::clone_into_fd`]) or when a file cannot be opened (then use
    /// [`Cgroup::add_task`]).
    pub fn self_join_fds(&self) -> Vec<OwnedFd> {
        use rustix::fs::{Mode, OFlags};
        if self.version != Version::V1 {
            return Vec::new();
        }
        let fds: rustix::io::Result<Vec<OwnedFd>> = self
            .leaves
            .iter()
            .map(|l| {
                rustix::fs::open(
                    l.path.join("tasks"),
                    OFlags::WRONLY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
            })
            .collect();
        fds.unwrap_or_default()
    }

    /// Moves process `pid` (and its threads) into the cgroup: every v1 leaf,
    /// or the v2 leaf.
    pub fn add_task(&self, pid: i32) -> Result<()> {
        if pid <= 0 {
            return Err(CgroupError::Other(format!("invalid pid {pid}")));
        }
        for leaf in &self.leaves {
            let path = leaf.path.join("cgroup.procs");
            self.fs
                .write(&path, &pid.to_string())
                .map_err(io_err("adding a process to", &path))?;
        }
        Ok(())
    }

    /// `docker update`: applies `res` to the existing cgroup.
    pub fn update(&self, res: &Resources) -> Result<()> {
        res.validate(true)?;
        match self.version {
            Version::V1 => v1::apply(self, res, &BTreeMap::new()),
            Version::V2 => v2::apply(self, res, true),
        }
    }

    /// Freezes every process and waits until the kernel says FROZEN.
    pub fn freeze(&self) -> Result<()> {
        match self.version {
            Version::V1 => v1::set_frozen(self, true),
            Version::V2 => v2::set_frozen(self, true),
        }
    }

    pub fn thaw(&self) -> Result<()> {
        match self.version {
            Version::V1 => v1::set_frozen(self, false),
            Version::V2 => v2::set_frozen(self, false),
        }
    }

    pub fn is_frozen(&self) -> Result<bool> {
        match self.version {
            Version::V1 => v1::is_frozen(self),
            Version::V2 => v2::is_frozen(self),
        }
    }

    /// The dir whose `cgroup.procs` lists the container's processes.
    fn procs_dir(&self) -> Option<&Path> {
        match self.version {
            Version::V1 => ["pids", "memory", "freezer"]
                .iter()
                .find_map(|c| self.dir(c))
                .or_else(|| self.leaves.first().map(|l| l.path.as_path())),
            Version::V2 => self.leaves.first().map(|l| l.path.as_path()),
        }
    }

    /// Every process in the cgroup, nested cgroups included.
    pub fn pids(&self) -> Result<Vec<i32>> {
        let Some(dir) = self.procs_dir() else {
            return Ok(Vec::new());
        };
        if !self.fs.exists(dir) {
            return Ok(Vec::new());
        }
        let mut pids = Vec::new();
        self.collect_pids(dir, &mut pids)?;
        pids.sort_unstable();
        pids.dedup();
        Ok(pids)
    }

    fn collect_pids(&self, dir: &Path, out: &mut Vec<i32>) -> Result<()> {
        let procs = dir.join("cgroup.procs");
        match self.fs.read(&procs) {
            Ok(text) => out.extend(parse_pids(&text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err("reading", &procs)(e)),
        }
        for sub in self.fs.subdirs(dir).unwrap_or_default() {
            self.collect_pids(&sub, out)?;
        }
        Ok(())
    }

    fn signal_pids(&self, sig: i32) -> Result<()> {
        for pid in self.pids()? {
            match self.fs.kill(pid, sig) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
                Err(e) => {
                    return Err(CgroupError::Other(format!(
                        "sending signal {sig} to process {pid}: {e}"
                    )))
                }
            }
        }
        Ok(())
    }

    /// Sends `sig` to every process. v2: `cgroup.kill` for SIGKILL when the
    /// kernel has it, else each pid; v1: freeze, signal each pid, thaw, so
    /// that nothing forks past the signal.
    pub fn kill_all(&self, sig: i32) -> Result<()> {
        match self.version {
            Version::V1 => v1::kill_all(self, sig),
            Version::V2 => v2::kill_all(self, sig),
        }
    }

    pub fn stats(&self) -> Result<Stats> {
        match self.version {
            Version::V1 => v1::stats(self),
            Version::V2 => v2::stats(self),
        }
    }

    /// Removes every dir: kills what still runs there, retries while busy
    /// (about 1 s), then removes the parents it created if they are empty.
    /// Idempotent; missing dirs are fine.
    pub fn destroy(&self) -> Result<()> {
        let mut first_err = None;
        if self.pids().map(|p| !p.is_empty()).unwrap_or(false) {
            let _ = self.kill_all(libc::SIGKILL);
        }
        for leaf in &self.leaves {
            if let Err(e) = self.remove_tree(&leaf.path) {
                first_err.get_or_insert(e);
            }
        }
        for p in &self.parents {
            match self.fs.rmdir(p) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound || is_busy(&e) => {}
                Err(e) => {
                    first_err.get_or_insert(io_err("removing cgroup", p)(e));
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    fn remove_tree(&self, dir: &Path) -> Result<()> {
        if !self.fs.exists(dir) {
            return Ok(());
        }
        // Cgroups the container made inside its own go first.
        for sub in self.fs.subdirs(dir).unwrap_or_default() {
            self.remove_tree(&sub)?;
        }
        let mut attempt = 0;
        loop {
            match self.fs.rmdir(dir) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) if is_busy(&e) && attempt < RMDIR_BACKOFF_MS.len() => {
                    if self.pids().map(|p| !p.is_empty()).unwrap_or(false) {
                        let _ = self.kill_all(libc::SIGKILL);
                    }
                    std::thread::sleep(Duration::from_millis(RMDIR_BACKOFF_MS[attempt]));
                    attempt += 1;
                }
                Err(e) if is_busy(&e) => {
                    return Err(CgroupError::Busy {
                        path: dir.to_path_buf(),
                        source: e,
                    })
                }
                Err(e) => return Err(io_err("removing cgroup", dir)(e)),
            }
        }
    }
}

/// Polls `check` until it returns true or [`FREEZE_TIMEOUT`] passes.
fn wait_until(mut check: impl FnMut() -> Result<bool>) -> Result<bool> {
    let start = Instant::now();
    let mut pause = Duration::from_micros(200);
    loop {
        if check()? {
            return Ok(true);
        }
        if start.elapsed() >= FREEZE_TIMEOUT {
            return Ok(false);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn controller_set(text: &str) -> BTreeSet<String> {
    text.split_whitespace().map(str::to_string).collect()
}

#[cfg(test)]
mod tests;
