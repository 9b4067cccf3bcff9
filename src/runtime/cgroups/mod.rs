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

//! ## Files
//! `layout.rs` finds the layout and the invoking process's cgroups and
//! places the container's; `resources.rs` holds docker's resource flags;
//! `v1` and `v2` create, apply and read on each layout; `devices` and `bpf`
//! are the device rules; `fs` is the file access seam (with a fake for
//! tests). This file is the [`Cgroup`] handle.

mod bpf;
pub mod devices;
pub mod fs;
mod layout;
mod resources;
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
pub use layout::{
    detect, detect_from, find_leaves, own_leaves, Layout, OwnCgroups, Version, V1_CONTROLLERS,
};
pub use resources::{blkio_to_io_weight, shares_to_weight, Resources, CPU_PERIOD};

use layout::{check_id, detect_host, Parent};

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
