//! From a container's stored config to the runtime's spec: namespaces,
//! rootfs, mounts, user, capabilities, rlimits.

use crate::state::container::StorageDriver;
use std::path::Path;

use crate::error::{Error, Result};
use crate::runtime::spec::{ContainerSpec, Mount, MountKind, NamespaceMode, ProcessSpec, Rootfs};
use crate::state::container::{Container, ContainerStore};
use crate::state::mounts::{MountPoint, MountType};

/// docker's rule: defaults, minus --cap-drop (ALL empties), plus --cap-add
/// (ALL adds every one); --privileged is everything.
pub fn capabilities(privileged: bool, add: &[String], drop: &[String]) -> Result<Vec<String>> {
    crate::runtime::resolve_capabilities(privileged, add, drop)
        .map_err(|e| Error::InvalidArgument(e.to_string()))
}

fn ns_mode(store: &ContainerStore, mode: &str, what: &str) -> Result<NamespaceMode> {
    match mode {
        "" | "private" | "shareable" => Ok(NamespaceMode::New),
        "host" => Ok(NamespaceMode::Host),
        m if m.starts_with("container:") => {
            let (pid, start_time) = super::liveness::running_pid(store, &m["container:".len()..])?;
            Ok(NamespaceMode::Process { pid, start_time })
        }
        m => Err(Error::InvalidArgument(format!(
            "invalid --{what} mode {m:?}"
        ))),
    }
}

/// Build the runtime spec for `c`.
/// The container's `--security-opt`, parsed (create checked it already).
pub(super) fn security_opts(
    security_opt: &[String],
) -> Result<crate::runtime::security_opt::SecurityOpts> {
    crate::runtime::security_opt::SecurityOpts::parse(security_opt).map_err(Error::InvalidArgument)
}

pub fn build(store: &ContainerStore, c: &Container) -> Result<ContainerSpec> {
    let cfg = &c.config;
    let h = &cfg.host_config;
    let dir = store.dir(c.id());
    let rootfs = match cfg.storage_driver {
        StorageDriver::Overlay => Rootfs::Overlay {
            lowers: cfg.lowers.clone(),
            upper: dir.join("upper"),
            work: dir.join("work"),
            target: store.run_dir(c.id()).join("rootfs"),
        },
        StorageDriver::Vfs => Rootfs::Dir {
            path: dir.join("rootfs"),
        },
    };
    let mut args = vec![cfg.path.clone()];
    args.extend(cfg.args.iter().cloned());
    let mut spec = ContainerSpec::new(c.id(), rootfs, args);
    spec.namespaces.net = match h.network_mode.as_str() {
        "host" => NamespaceMode::Host,
        m if m.starts_with("container:") => ns_mode(store, m, "net")?,
        _ => NamespaceMode::New,
    };
    spec.namespaces.pid = ns_mode(store, &h.pid_mode, "pid")?;
    spec.namespaces.ipc = ns_mode(store, &h.ipc_mode, "ipc")?;
    spec.namespaces.uts = ns_mode(store, &h.uts_mode, "uts")?;
    if spec.namespaces.uts == NamespaceMode::New {
        spec.hostname = Some(cfg.config.hostname.clone());
    }
    spec.readonly_rootfs = h.readonly_rootfs;
    spec.shm_size = if h.shm_size > 0 {
        h.shm_size as u64
    } else {
        spec.shm_size
    };
    spec.init = h.init;
    // After the user's: a volume on /etc must not hide them.
    add_user_mounts(&mut spec, &cfg.mount_points);
    add_etc_mounts(&mut spec, &dir.join("userdata"), &cfg.mount_points);
    if h.privileged {
        spec.masked_paths.clear();
        spec.readonly_paths.clear();
    }
    spec.process = process(c, spec.process.args.clone())?;
    Ok(spec)
}

/// The container's own resolv.conf, hosts and (with its own UTS
/// namespace) hostname, bound over the image's.
/// A user's mount on one of these paths replaces skiff's.
fn add_etc_mounts(spec: &mut ContainerSpec, userdata: &Path, users: &[MountPoint]) {
    let mut files = vec!["resolv.conf", "hosts"];
    if spec.namespaces.uts == NamespaceMode::New {
        files.push("hostname");
    }
    for f in files {
        let dest = format!("/etc/{f}");
        if users.iter().any(|m| m.destination == dest) {
            continue;
        }
        spec.mounts.push(Mount {
            destination: dest.into(),
            kind: MountKind::Bind {
                source: userdata.join(f),
                readonly: false,
                recursive: false,
                propagation: String::new(),
                copy_up: false,
            },
        });
    }
}

/// The container's volumes, binds and tmpfs mounts, parents before what
/// is mounted inside them.
fn add_user_mounts(spec: &mut ContainerSpec, points: &[MountPoint]) {
    let mut sorted: Vec<&MountPoint> = points.iter().collect();
    sorted.sort_by_key(|m| (m.destination.matches('/').count(), m.destination.clone()));
    for m in sorted {
        let tmpfs = |mut options: Vec<String>| {
            if !m.rw && !options.iter().any(|o| o == "ro") {
                options.push("ro".into());
            }
            MountKind::Tmpfs { options }
        };
        let bind = |source: &Path, copy_up: bool| MountKind::Bind {
            source: source.to_path_buf(),
            readonly: !m.rw,
            recursive: !m.non_recursive,
            propagation: m.propagation.clone(),
            copy_up,
        };
        let opt = |k: &str| m.driver_options.get(k).map(String::as_str).unwrap_or("");
        let kind = match m.kind {
            MountType::Tmpfs => tmpfs(m.tmpfs_options.clone()),
            MountType::Bind => bind(&m.source, false),
            // The local driver's options say how a volume is mounted.
            MountType::Volume => match opt("type") {
                // Not --tmpfs's noexec,nosuid,nodev: the driver's mount.
                "tmpfs" => tmpfs(
                    ["exec", "suid", "dev"]
                        .into_iter()
                        .chain(opt("o").split(',').filter(|w| !w.is_empty()))
                        .map(str::to_owned)
                        .collect(),
                ),
                "none" => bind(Path::new(opt("device")), false),
                _ => bind(&m.source, m.copy_data),
            },
        };
        spec.mounts.push(Mount {
            destination: m.destination.clone().into(),
            kind,
        });
    }
}

/// The container's first process: command, environment, user,
/// capabilities and limits.
fn process(c: &Container, args: Vec<String>) -> Result<ProcessSpec> {
    let cfg = &c.config;
    let h = &cfg.host_config;
    let mut p = ProcessSpec::new(args);
    p.env = cfg.config.env.clone();
    if !p.env.iter().any(|e| e.starts_with("HOSTNAME=")) {
        p.env.insert(0, format!("HOSTNAME={}", cfg.config.hostname));
    }
    p.cwd = if cfg.config.working_dir.is_empty() {
        "/".into()
    } else {
        cfg.config.working_dir.clone().into()
    };
    p.user = cfg.config.user.clone();
    p.terminal = cfg.config.tty;
    p.capabilities = capabilities(h.privileged, &h.cap_add, &h.cap_drop)?;
    p.no_new_privileges = security_opts(&h.security_opt)?.no_new_privileges;
    p.rlimits = super::resources::rlimits(&h.ulimits);
    if h.oom_score_adj != 0 {
        p.oom_score_adj = Some(h.oom_score_adj);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_rules() {
        let d = capabilities(false, &[], &[]).unwrap();
        assert_eq!(d.len(), 14);
        let c = capabilities(false, &["net_admin".into()], &["CHOWN".into()]).unwrap();
        assert!(c.contains(&"CAP_NET_ADMIN".to_string()) && !c.contains(&"CAP_CHOWN".to_string()));
        assert_eq!(
            capabilities(false, &[], &["ALL".into()]).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            capabilities(false, &["kill".into()], &["all".into()]).unwrap(),
            vec!["CAP_KILL".to_string()]
        );
        assert!(capabilities(true, &[], &["ALL".into()]).unwrap().len() > 38);
        assert!(capabilities(false, &["FLY".into()], &[]).is_err());
    }
}
