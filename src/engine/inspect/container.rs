//! `container inspect`: docker's `container.InspectResponse`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::host_config::{self, HostConfig};
use super::net_settings::{self, NetworkSettings};
use super::{omitempty, ZERO_TIME};
use crate::state::container::{Container, Status};
use crate::state::network::Network;
use crate::util::time;

/// What the container's own records do not hold.
pub struct Context {
    /// `<root>/containers/<id>`.
    pub dir: PathBuf,
    /// `<runroot>/containers/<id>`.
    pub run_dir: PathBuf,
    /// The storage driver's name (`--storage-driver`).
    pub driver: String,
    /// Every stored network (the container's endpoints are in them).
    pub networks: Vec<Network>,
    /// The id skiff gives its network mode (`host`, `none`).
    pub mode_id: String,
    /// `--size`: (written, written + image) bytes.
    pub size: Option<(u64, u64)>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspect {
    #[serde(rename = "Id")]
    pub id: String,
    pub created: String,
    pub path: String,
    pub args: Vec<String>,
    pub state: State,
    pub image: String,
    pub resolv_conf_path: String,
    pub hostname_path: String,
    pub hosts_path: String,
    pub log_path: String,
    pub name: String,
    pub restart_count: u32,
    pub driver: String,
    pub platform: String,
    pub mount_label: String,
    pub process_label: String,
    pub app_armor_profile: String,
    #[serde(rename = "ExecIDs")]
    pub exec_ids: Option<Vec<String>>,
    pub host_config: HostConfig,
    pub graph_driver: GraphDriver,
    /// `--size`: bytes the container wrote, and that plus its image.
    #[serde(skip_serializing_if = "omitempty")]
    pub size_rw: Option<u64>,
    #[serde(skip_serializing_if = "omitempty")]
    pub size_root_fs: Option<u64>,
    pub mounts: Vec<Value>,
    pub config: Config,
    pub network_settings: NetworkSettings,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct State {
    pub status: &'static str,
    pub running: bool,
    pub paused: bool,
    pub restarting: bool,
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    pub dead: bool,
    pub pid: i32,
    pub exit_code: i32,
    pub error: String,
    pub started_at: String,
    pub finished_at: String,
}

/// `storage.DriverData`: Data's keys sort as Go's map keys do.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GraphDriver {
    /// `null` for vfs, as docker's vfs driver gives none.
    pub data: Option<BTreeMap<String, String>>,
    pub name: String,
}

/// docker's `container.Config` (omitempty fields are left out unset).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Config {
    pub hostname: String,
    pub domainname: String,
    pub user: String,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    #[serde(skip_serializing_if = "omitempty")]
    pub exposed_ports: BTreeMap<String, Value>,
    pub tty: bool,
    pub open_stdin: bool,
    pub stdin_once: bool,
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub image: String,
    pub volumes: Option<BTreeMap<String, Value>>,
    pub working_dir: String,
    pub entrypoint: Option<Vec<String>>,
    /// `--mac-address` on a bridge or user network (deprecated, still
    /// shown by docker 28).
    #[serde(skip_serializing_if = "omitempty")]
    pub mac_address: String,
    pub on_build: Option<Vec<String>>,
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "omitempty")]
    pub stop_signal: String,
    #[serde(skip_serializing_if = "omitempty")]
    pub stop_timeout: Option<i64>,
}

fn time_or_zero(t: Option<time::UnixNanos>) -> String {
    t.map(time::rfc3339_nano)
        .unwrap_or_else(|| ZERO_TIME.into())
}

fn state(c: &Container) -> State {
    let st = &c.state;
    let running = st.is_running();
    State {
        status: st.status.as_str(),
        running,
        paused: st.status == Status::Paused,
        restarting: st.status == Status::Restarting,
        oom_killed: st.oom_killed,
        dead: st.status == Status::Dead,
        pid: if running { st.pid } else { 0 },
        exit_code: st.exit_code,
        error: st.error.clone(),
        started_at: time_or_zero(st.started_at),
        finished_at: time_or_zero(st.finished_at),
    }
}

fn config(c: &Container) -> Config {
    let rc = &c.config.config;
    Config {
        hostname: rc.hostname.clone(),
        domainname: rc.domainname.clone(),
        user: rc.user.clone(),
        attach_stdin: rc.attach_stdin,
        attach_stdout: rc.attach_stdout,
        attach_stderr: rc.attach_stderr,
        exposed_ports: rc.exposed_ports.clone().unwrap_or_default(),
        tty: rc.tty,
        open_stdin: rc.open_stdin,
        stdin_once: rc.stdin_once,
        env: rc.env.clone(),
        cmd: rc.cmd.clone(),
        image: rc.image.clone(),
        volumes: rc.volumes.clone(),
        working_dir: rc.working_dir.clone(),
        entrypoint: rc.entrypoint.clone(),
        mac_address: (c.config.net.mac.clone())
            .filter(|_| {
                let mode = c.config.host_config.network_mode.as_str();
                !matches!(mode, "host" | "none" | "") && !mode.starts_with("container:")
            })
            .unwrap_or_default(),
        on_build: None,
        labels: rc.labels.clone(),
        stop_signal: rc.stop_signal.clone().unwrap_or_default(),
        stop_timeout: rc.stop_timeout,
    }
}

fn graph_driver(c: &Container, ctx: &Context) -> GraphDriver {
    let path = |p: PathBuf| p.display().to_string();
    let lower: Vec<String> = c.config.lowers.iter().map(|p| path(p.clone())).collect();
    let data = BTreeMap::from([
        ("LowerDir".to_owned(), lower.join(":")),
        ("MergedDir".to_owned(), path(ctx.run_dir.join("rootfs"))),
        ("UpperDir".to_owned(), path(ctx.dir.join("upper"))),
        ("WorkDir".to_owned(), path(ctx.dir.join("work"))),
    ]);
    GraphDriver {
        data: c.config.storage_driver.is_overlay().then_some(data),
        name: ctx.driver.clone(),
    }
}

pub fn build(c: &Container, ctx: &Context) -> ContainerInspect {
    let cfg = &c.config;
    let h = &cfg.host_config;
    let userdata = |f: &str| ctx.dir.join("userdata").join(f).display().to_string();
    ContainerInspect {
        id: cfg.id.clone(),
        created: time::rfc3339_nano(cfg.created),
        path: cfg.path.clone(),
        args: cfg.args.clone(),
        state: state(c),
        image: cfg.image_id.clone(),
        resolv_conf_path: userdata("resolv.conf"),
        hostname_path: userdata("hostname"),
        hosts_path: userdata("hosts"),
        log_path: if h.log_driver == "none" {
            String::new()
        } else {
            ctx.dir
                .join(format!("{}-json.log", cfg.id))
                .display()
                .to_string()
        },
        name: format!("/{}", cfg.name),
        restart_count: c.state.restart_count,
        driver: ctx.driver.clone(),
        platform: "linux".into(),
        mount_label: String::new(),
        process_label: String::new(),
        app_armor_profile: String::new(),
        exec_ids: None,
        host_config: host_config::HostConfig {
            id_mappings: c
                .state
                .id_maps
                .clone()
                .map(|(uid_map, gid_map)| host_config::IdMappings { uid_map, gid_map }),
            ..host_config::build(h, &cfg.net)
        },
        graph_driver: graph_driver(c, ctx),
        size_rw: ctx.size.map(|(rw, _)| rw),
        size_root_fs: ctx.size.map(|(_, all)| all),
        mounts: mounts(&c.config.mount_points),
        config: config(c),
        network_settings: net_settings::build(c, &ctx.networks, &ctx.mode_id),
    }
}

/// docker's `Mounts`: every volume and bind, and the tmpfs mounts of
/// `--mount` (not `--tmpfs`'s), by destination.
fn mounts(points: &[crate::state::mounts::MountPoint]) -> Vec<Value> {
    use crate::state::mounts::MountType;
    points
        .iter()
        .filter(|m| !m.from_tmpfs_flag)
        .map(|m| {
            let mut v = serde_json::json!({ "Type": m.kind.as_str() });
            let o = v.as_object_mut().expect("an object");
            if m.kind == MountType::Volume {
                o.insert("Name".into(), m.name.clone().into());
            }
            o.insert("Source".into(), m.source.to_string_lossy().into());
            o.insert("Destination".into(), m.destination.clone().into());
            if m.kind == MountType::Volume {
                o.insert("Driver".into(), "local".into());
            }
            o.insert("Mode".into(), m.mode.clone().into());
            o.insert("RW".into(), m.rw.into());
            o.insert("Propagation".into(), m.propagation.clone().into());
            v
        })
        .collect()
}
