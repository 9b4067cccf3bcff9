//! Layout detection (v1 or unified, from mountinfo), the invoking
//! process's own cgroups, and where a container's cgroups go: the
//! `--cgroup-parent` path, and the directories made for it.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{io_err, CgroupError, CgroupFs, Result, LEAF_PREFIX, UNIFIED_MOUNT};

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

    pub(super) fn v1_path(&self, controller: &str) -> Option<&str> {
        self.v1.get(controller).map(String::as_str)
    }
}

pub(super) struct MountEntry {
    pub(super) root: String,
    pub(super) mount_point: PathBuf,
    pub(super) fstype: String,
    pub(super) super_opts: String,
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
pub(super) fn unescape(s: &str) -> String {
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

pub(super) fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
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
pub(super) fn strip_mount_root(path: &str, root: &str) -> Option<String> {
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

pub(super) fn detect_host() -> Result<(Layout, OwnCgroups)> {
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

/// The `--cgroup-parent` value, checked and split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Parent {
    /// Relative to each hierarchy's root.
    Absolute(Vec<String>),
    /// Relative to the invoking process's own cgroup (empty: none given).
    Relative(Vec<String>),
}

impl Parent {
    pub(super) fn parse(parent: Option<&str>) -> Result<Parent> {
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

    pub(super) fn is_default(&self) -> bool {
        matches!(self, Parent::Relative(c) if c.is_empty())
    }

    /// (existing base dir, components to create beneath it) in a hierarchy
    /// mounted at `mount` where the invoking process is in `own`.
    pub(super) fn base(&self, mount: &Path, own: Option<&str>) -> Option<(PathBuf, Vec<String>)> {
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

pub(super) fn check_id(id: &str) -> Result<()> {
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
pub(super) fn nearest_existing(
    fs: &dyn CgroupFs,
    base: &Path,
    comps: &[String],
) -> (PathBuf, Vec<String>) {
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
pub(super) fn make_dirs(
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
pub(super) fn remove_created(fs: &dyn CgroupFs, created: &[PathBuf]) {
    let mut dirs = created.to_vec();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = fs.rmdir(&d);
    }
}
