//! A container's `HostConfig`, as docker's `container.HostConfig` (with
//! its embedded `Resources`) serializes it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::omitempty;

use crate::network::ports::PortBinding as Publish;
use crate::runtime::spec::{DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS};
use crate::state::container::NetRequest;
use crate::state::container::{DeviceMapping, HostSettings, RestartPolicy};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostConfig {
    pub binds: Option<Vec<String>>,
    #[serde(rename = "ContainerIDFile")]
    pub container_id_file: String,
    pub log_config: LogConfig,
    pub network_mode: String,
    pub port_bindings: BTreeMap<String, Vec<PortBinding>>,
    pub restart_policy: RestartPolicy,
    pub auto_remove: bool,
    pub volume_driver: String,
    pub volumes_from: Option<Vec<String>>,
    pub console_size: [u32; 2],
    pub cap_add: Option<Vec<String>>,
    pub cap_drop: Option<Vec<String>>,
    pub cgroupns_mode: String,
    pub dns: Vec<String>,
    pub dns_options: Vec<String>,
    pub dns_search: Vec<String>,
    pub extra_hosts: Option<Vec<String>>,
    pub group_add: Option<Vec<String>>,
    pub ipc_mode: String,
    pub cgroup: String,
    pub links: Option<Vec<String>>,
    pub oom_score_adj: i32,
    pub pid_mode: String,
    pub privileged: bool,
    pub publish_all_ports: bool,
    pub readonly_rootfs: bool,
    pub security_opt: Option<Vec<String>>,
    #[serde(skip_serializing_if = "omitempty")]
    pub storage_opt: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "omitempty")]
    pub tmpfs: BTreeMap<String, String>,
    #[serde(rename = "UTSMode")]
    pub uts_mode: String,
    pub userns_mode: String,
    pub shm_size: i64,
    pub runtime: String,
    pub isolation: String,
    #[serde(flatten)]
    pub resources: Resources,
    #[serde(skip_serializing_if = "omitempty")]
    pub mounts: Vec<crate::state::mounts::MountRequest>,
    pub masked_paths: Option<Vec<String>>,
    pub readonly_paths: Option<Vec<String>>,
    /// `*bool` with omitempty: shown only when `--init` was given.
    #[serde(skip_serializing_if = "omitempty")]
    pub init: Option<bool>,
    /// podman's: a rootless container's user namespace maps (docker has
    /// no such field; left out for root's containers).
    #[serde(rename = "IDMappings", skip_serializing_if = "Option::is_none")]
    pub id_mappings: Option<IdMappings>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogConfig {
    #[serde(rename = "Type")]
    pub kind: String,
    pub config: BTreeMap<String, String>,
}

/// One host side of a published port (`nat.PortBinding`).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

/// docker's `container.Resources` (flattened into HostConfig).
/// `KernelMemory` and `KernelMemoryTCP` are omitted when 0 (API 1.42+);
/// skiff never sets them.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resources {
    pub cpu_shares: i64,
    pub memory: i64,
    pub nano_cpus: i64,
    pub cgroup_parent: String,
    pub blkio_weight: u16,
    pub blkio_weight_device: Vec<Value>,
    pub blkio_device_read_bps: Vec<Value>,
    pub blkio_device_write_bps: Vec<Value>,
    #[serde(rename = "BlkioDeviceReadIOps")]
    pub blkio_device_read_iops: Vec<Value>,
    #[serde(rename = "BlkioDeviceWriteIOps")]
    pub blkio_device_write_iops: Vec<Value>,
    pub cpu_period: i64,
    pub cpu_quota: i64,
    pub cpu_realtime_period: i64,
    pub cpu_realtime_runtime: i64,
    pub cpuset_cpus: String,
    pub cpuset_mems: String,
    pub devices: Vec<DeviceMapping>,
    pub device_cgroup_rules: Option<Vec<String>>,
    pub device_requests: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "omitempty")]
    pub kernel_memory: i64,
    #[serde(rename = "KernelMemoryTCP", skip_serializing_if = "omitempty")]
    pub kernel_memory_tcp: i64,
    pub memory_reservation: i64,
    pub memory_swap: i64,
    pub memory_swappiness: Option<i64>,
    pub oom_kill_disable: Option<bool>,
    pub pids_limit: Option<i64>,
    pub ulimits: Vec<Ulimit>,
    pub cpu_count: i64,
    pub cpu_percent: i64,
    #[serde(rename = "IOMaximumIOps")]
    pub io_maximum_iops: u64,
    #[serde(rename = "IOMaximumBandwidth")]
    pub io_maximum_bandwidth: u64,
}

/// docker's `Ulimit` (Name, Hard, Soft: its field order).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ulimit {
    pub name: String,
    pub hard: i64,
    pub soft: i64,
}

/// A list docker prints as null when empty.
fn or_null<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// docker's capability names: upper case with the `CAP_` prefix (`ALL`
/// stays as it is).
pub fn normalize_caps(caps: &[String]) -> Option<Vec<String>> {
    or_null(
        caps.iter()
            .map(|c| {
                let c = c.to_ascii_uppercase();
                if c == "ALL" || c.starts_with("CAP_") {
                    c
                } else {
                    format!("CAP_{c}")
                }
            })
            .collect(),
    )
}

/// `-p` as the user asked for it: an unset host address or port is "".
pub fn port_bindings(publish: &[Publish]) -> BTreeMap<String, Vec<PortBinding>> {
    let mut m: BTreeMap<String, Vec<PortBinding>> = BTreeMap::new();
    for p in publish {
        m.entry(format!("{}/{}", p.container_port, p.proto.as_str()))
            .or_default()
            .push(PortBinding {
                host_ip: p.host_ip.map(|i| i.to_string()).unwrap_or_default(),
                host_port: match p.host_port {
                    0 => String::new(),
                    n => n.to_string(),
                },
            });
    }
    m
}

/// podman's `HostConfig.IDMappings`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdMappings {
    pub uid_map: Vec<String>,
    pub gid_map: Vec<String>,
}

pub fn build(h: &HostSettings, net: &NetRequest) -> HostConfig {
    let (masked, readonly) = if h.privileged {
        (None, None)
    } else {
        let owned = |l: &[&str]| Some(l.iter().map(|s| s.to_string()).collect());
        (owned(DEFAULT_MASKED_PATHS), owned(DEFAULT_READONLY_PATHS))
    };
    HostConfig {
        id_mappings: None,
        binds: or_null(h.binds.clone()),
        container_id_file: String::new(),
        log_config: LogConfig {
            kind: h.log_driver.clone(),
            config: h.log_opts.clone(),
        },
        network_mode: h.network_mode.clone(),
        port_bindings: port_bindings(&net.publish),
        restart_policy: h.restart_policy.clone(),
        auto_remove: h.auto_remove,
        volume_driver: String::new(),
        volumes_from: or_null(h.volumes_from.clone()),
        console_size: [0, 0],
        cap_add: normalize_caps(&h.cap_add),
        cap_drop: normalize_caps(&h.cap_drop),
        cgroupns_mode: "private".into(),
        dns: net.dns.iter().map(|a| a.to_string()).collect(),
        dns_options: net.dns_options.clone(),
        dns_search: net.dns_search.clone(),
        extra_hosts: or_null(
            net.extra_hosts
                .iter()
                .map(|(name, ip)| format!("{name}:{ip}"))
                .collect(),
        ),
        group_add: None,
        ipc_mode: h.ipc_mode.clone(),
        cgroup: String::new(),
        links: None,
        oom_score_adj: h.oom_score_adj,
        pid_mode: h.pid_mode.clone(),
        privileged: h.privileged,
        publish_all_ports: net.publish_all,
        readonly_rootfs: h.readonly_rootfs,
        security_opt: or_null(security_opt(h)),
        storage_opt: h.storage_opt.clone(),
        tmpfs: h.tmpfs.clone(),
        uts_mode: h.uts_mode.clone(),
        userns_mode: h.userns_mode.clone(),
        shm_size: h.shm_size,
        runtime: "skiff".into(),
        isolation: String::new(),
        resources: resources(h),
        mounts: h.mounts.clone(),
        masked_paths: masked,
        readonly_paths: readonly,
        init: h.init.then_some(true),
    }
}

/// `--security-opt`, with docker's `label=disable` where it turns SELinux
/// labels off (privileged, or the host's IPC or PID namespace) unless the
/// user gave a `label` option.
fn security_opt(h: &HostSettings) -> Vec<String> {
    let mut v = h.security_opt.clone();
    let shares_host = h.ipc_mode == "host" || h.pid_mode == "host";
    if (h.privileged || shares_host) && !v.iter().any(|o| o.starts_with("label")) {
        v.push("label=disable".into());
    }
    v
}

fn resources(h: &HostSettings) -> Resources {
    Resources {
        memory: h.memory,
        // skiff leaves swap unlimited under a memory limit: docker's -1.
        memory_swap: if h.memory > 0 { -1 } else { 0 },
        nano_cpus: h.nano_cpus,
        cgroup_parent: h.cgroup_parent.clone(),
        devices: h.devices.clone(),
        device_cgroup_rules: (!h.device_cgroup_rules.is_empty())
            .then(|| h.device_cgroup_rules.clone()),
        pids_limit: h.pids_limit,
        ulimits: h
            .ulimits
            .iter()
            .map(|u| Ulimit {
                name: u.name.clone(),
                hard: u.hard,
                soft: u.soft,
            })
            .collect(),
        ..Resources::default()
    }
}
