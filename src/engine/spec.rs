//! From a container's stored config to the runtime's spec: namespaces,
//! rootfs, mounts, user, capabilities, rlimits.

use std::path::Path;

use crate::error::{Error, Result};
use crate::runtime::spec::{
    ContainerSpec, Mount, MountKind, NamespaceMode, ProcessSpec, Rlimit, Rootfs,
};
use crate::state::container::{Container, ContainerStore};

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
            let (pid, start_time) = running_pid(store, &m["container:".len()..])?;
            Ok(NamespaceMode::Process { pid, start_time })
        }
        m => Err(Error::InvalidArgument(format!(
            "invalid --{what} mode {m:?}"
        ))),
    }
}

/// The pid and start time of the running container `name` (for
/// `container:` modes).
pub fn running_pid(store: &ContainerStore, name: &str) -> Result<(i32, u64)> {
    let id = store
        .find(name)?
        .ok_or_else(|| Error::NotFound(format!("No such container: {name}")))?;
    let st = store.load_state(&id)?;
    if !st.is_running() || !super::container::process_alive(st.pid, st.pid_start_time) {
        return Err(Error::Conflict(format!(
            "cannot join the namespaces of container {name}: it is not running"
        )));
    }
    Ok((st.pid, st.pid_start_time))
}

/// Build the runtime spec for `c`.
pub fn build(store: &ContainerStore, c: &Container) -> Result<ContainerSpec> {
    let cfg = &c.config;
    let h = &cfg.host_config;
    let dir = store.dir(c.id());
    let rootfs = Rootfs::Overlay {
        lowers: cfg.lowers.clone(),
        upper: dir.join("upper"),
        work: dir.join("work"),
        target: store.run_dir(c.id()).join("rootfs"),
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
    let ud = dir.join("userdata");
    let bind = |dest: &str, src: &Path| Mount {
        destination: dest.into(),
        kind: MountKind::Bind {
            source: src.to_path_buf(),
            readonly: false,
            recursive: false,
        },
    };
    spec.mounts
        .push(bind("/etc/resolv.conf", &ud.join("resolv.conf")));
    spec.mounts.push(bind("/etc/hosts", &ud.join("hosts")));
    if spec.namespaces.uts == NamespaceMode::New {
        spec.mounts
            .push(bind("/etc/hostname", &ud.join("hostname")));
    }
    if h.privileged {
        spec.masked_paths.clear();
        spec.readonly_paths.clear();
    }
    let mut p = ProcessSpec::new(spec.process.args.clone());
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
    p.no_new_privileges = h.security_opt.iter().any(|o| {
        matches!(
            o.as_str(),
            "no-new-privileges" | "no-new-privileges=true" | "no-new-privileges:true"
        )
    });
    p.rlimits = h
        .ulimits
        .iter()
        .map(|u| Rlimit {
            name: format!("RLIMIT_{}", u.name.to_ascii_uppercase()),
            soft: if u.soft < 0 { u64::MAX } else { u.soft as u64 },
            hard: if u.hard < 0 { u64::MAX } else { u.hard as u64 },
        })
        .collect();
    if h.oom_score_adj != 0 {
        p.oom_score_adj = Some(h.oom_score_adj);
    }
    spec.process = p;
    Ok(spec)
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
