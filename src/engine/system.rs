//! `version` and `info`: facts about skiff and the host.

use crate::state::container::StorageDriver;
use std::fs;

use serde::Serialize;

use super::Engine;
use crate::error::Result;

pub const API_VERSION: &str = "1.43";

#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "ApiVersion")]
    pub api_version: String,
    #[serde(rename = "GitCommit")]
    pub git_commit: String,
    #[serde(rename = "Os")]
    pub os: String,
    #[serde(rename = "Arch")]
    pub arch: String,
}

pub fn version() -> VersionInfo {
    VersionInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        api_version: API_VERSION.to_owned(),
        git_commit: option_env!("SKIFF_GIT_COMMIT")
            .unwrap_or("unknown")
            .to_owned(),
        os: std::env::consts::OS.to_owned(),
        arch: crate::image::types::PlatformWanted::host().architecture,
    }
}

/// Which cgroup layout the host has, read from /proc/self/mountinfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupLayout {
    /// cgroup2 at /sys/fs/cgroup.
    Unified,
    /// v1 controllers (possibly with a cgroup2 mount beside them).
    Legacy,
}

impl CgroupLayout {
    pub fn version(self) -> &'static str {
        match self {
            CgroupLayout::Unified => "2",
            CgroupLayout::Legacy => "1",
        }
    }
}

pub fn cgroup_layout_from(mountinfo: &str) -> CgroupLayout {
    for line in mountinfo.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(sep) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let (mount_point, fstype) = (fields.get(4), fields.get(sep + 1));
        if mount_point == Some(&"/sys/fs/cgroup") && fstype == Some(&"cgroup2") {
            return CgroupLayout::Unified;
        }
    }
    CgroupLayout::Legacy
}

pub fn cgroup_layout() -> CgroupLayout {
    cgroup_layout_from(&fs::read_to_string("/proc/self/mountinfo").unwrap_or_default())
}

/// A helper program of rootless containers (`info`'s RootlessHelpers).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RootlessHelper {
    pub name: String,
    /// Where it is; empty when it is not installed.
    pub path: String,
    /// The Debian package that has it.
    pub package: String,
}

/// The helpers a rootless container runs: the id mappers (user
/// namespaces with the user's subordinate ids) and pasta (its network).
pub fn rootless_helpers() -> Vec<RootlessHelper> {
    [
        ("newuidmap", "uidmap"),
        ("newgidmap", "uidmap"),
        ("pasta", "passt"),
    ]
    .iter()
    .map(|(name, package)| RootlessHelper {
        name: (*name).into(),
        path: crate::util::program::find(name)
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        package: (*package).into(),
    })
    .collect()
}

/// docker info's fields (the subset skiff knows), in docker's key names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostInfo {
    #[serde(rename = "ID")]
    pub id: String,
    pub containers: usize,
    pub containers_running: usize,
    pub containers_paused: usize,
    pub containers_stopped: usize,
    pub images: usize,
    pub driver: String,
    pub driver_status: Vec<[String; 2]>,
    pub logging_driver: String,
    pub cgroup_driver: String,
    pub cgroup_version: String,
    pub kernel_version: String,
    pub operating_system: String,
    #[serde(rename = "OSType")]
    pub os_type: String,
    pub architecture: String,
    #[serde(rename = "NCPU")]
    pub ncpu: usize,
    pub mem_total: u64,
    pub name: String,
    pub docker_root_dir: String,
    pub run_root: String,
    pub rootless: bool,
    pub index_server_address: String,
    pub insecure_registries: Vec<String>,
    /// What rootless containers need, found or not.
    pub rootless_helpers: Vec<RootlessHelper>,
    pub server_version: String,
}

fn os_release() -> String {
    let text = fs::read_to_string("/etc/os-release").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_owned())
        .unwrap_or_else(|| "Linux".into())
}

fn mem_total() -> u64 {
    let text = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn read_trim(path: &str) -> String {
    fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

impl Engine {
    pub fn info(&self) -> Result<HostInfo> {
        let images = self.image_count()?;
        let backing = backing_fs(self.root());
        let driver = self.shown_driver()?;
        Ok(HostInfo {
            id: read_trim("/etc/machine-id"),
            containers: 0,
            containers_running: 0,
            containers_paused: 0,
            containers_stopped: 0,
            images,
            driver: driver.name().into(),
            driver_status: match driver {
                StorageDriver::Overlay => vec![
                    ["Backing Filesystem".into(), backing],
                    ["Supports d_type".into(), "true".into()],
                    ["Native Overlay Diff".into(), "true".into()],
                ],
                StorageDriver::Vfs => Vec::new(),
            },
            logging_driver: "json-file".into(),
            cgroup_driver: "cgroupfs".into(),
            cgroup_version: cgroup_layout().version().into(),
            kernel_version: read_trim("/proc/sys/kernel/osrelease"),
            operating_system: os_release(),
            os_type: "linux".into(),
            architecture: std::env::consts::ARCH.into(),
            ncpu: std::thread::available_parallelism().map_or(1, |n| n.get()),
            mem_total: mem_total(),
            name: read_trim("/proc/sys/kernel/hostname"),
            docker_root_dir: self.root().display().to_string(),
            run_root: self.runroot().display().to_string(),
            rootless: self.opts.rootless,
            index_server_address: "https://index.docker.io/v1/".into(),
            insecure_registries: vec!["127.0.0.0/8".into(), "::1/128".into()],
            rootless_helpers: rootless_helpers(),
            server_version: env!("CARGO_PKG_VERSION").into(),
        })
    }
}

/// The filesystem type under `path` (or its nearest existing parent).
fn backing_fs(path: &std::path::Path) -> String {
    let mut p = path.to_path_buf();
    while !p.exists() {
        if !p.pop() {
            break;
        }
    }
    #[allow(clippy::unnecessary_cast)] // f_type's type differs by arch
    let magic = rustix::fs::statfs(&p).map(|s| s.f_type as i64).unwrap_or(0);
    match magic {
        0xEF53 => "extfs",
        0x5846_5342 => "xfs",
        0x9123_683E => "btrfs",
        0x0102_1994 => "tmpfs",
        0x794C_7630 => "overlayfs",
        0x2FC1_2FC1 => "zfs",
        _ => "unknown",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_cgroup_layouts() {
        let hybrid = "30 23 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n\
                      31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n\
                      32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        assert_eq!(cgroup_layout_from(hybrid), CgroupLayout::Legacy);
        let unified = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(cgroup_layout_from(unified), CgroupLayout::Unified);
    }
}
