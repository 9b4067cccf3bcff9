//! The devices of a container, as moby's `WithDevices`: `--device`
//! mappings become nodes in the container plus cgroup rules with their
//! permissions; `--privileged` gets every host device in `/dev` (and its
//! mappings at other paths) and the rule `a *:* rwm`.

use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::runtime::cgroups::devices::{docker_rules, Access, DeviceKind, DeviceRule};
use crate::runtime::{DeviceNode, NodeKind};
use crate::state::container::DeviceMapping;

/// What a container gets: the nodes to make and the full rule list.
#[derive(Debug, Default)]
pub struct Devices {
    pub nodes: Vec<DeviceNode>,
    pub rules: Vec<DeviceRule>,
}

/// `/dev` dirs never copied into a privileged container (containerd's list).
const SKIPPED_DIRS: &[&str] = &["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];

/// The container's devices and rules; a mapping whose host path is no
/// device (nor a directory holding some) is docker's error.
pub fn resolve(
    privileged: bool,
    mappings: &[DeviceMapping],
    cgroup_rules: &[String],
) -> Result<Devices> {
    let mut nodes = Vec::new();
    let mut extra = Vec::new();
    if privileged {
        host_devices(Path::new("/dev"), Path::new("/dev"), &mut nodes)
            .map_err(|e| Error::Other(format!("listing the host's devices in /dev: {e}")))?;
    }
    for m in mappings {
        // privileged: the host's node is there already
        if privileged && m.path_on_host == m.path_in_container {
            continue;
        }
        let found = from_path(&m.path_on_host, &m.path_in_container)?;
        let access = Access::parse(&m.cgroup_permissions).unwrap_or(Access::RWM);
        extra.extend(found.iter().filter_map(|n| rule(n, access)));
        nodes.extend(found);
    }
    // `--device-cgroup-rule`s follow the mappings' rules, as moby's
    // WithDevices adds them.
    for r in cgroup_rules {
        extra.push(
            crate::runtime::cgroups::devices::parse_rule(true, r)
                .map_err(|e| Error::InvalidArgument(format!("--device-cgroup-rule: {e}")))?,
        );
    }
    Ok(Devices {
        nodes,
        rules: docker_rules(privileged, &extra),
    })
}

fn rule(n: &DeviceNode, access: Access) -> Option<DeviceRule> {
    let kind = match n.kind {
        NodeKind::Char => DeviceKind::Char,
        NodeKind::Block => DeviceKind::Block,
        NodeKind::Fifo => return None,
    };
    Some(DeviceRule::new(
        true,
        kind,
        Some(n.major),
        Some(n.minor),
        access,
    ))
}

/// moby's `DevicesFromPath`: the node at `host` (a symlink followed), or
/// every node beneath it when it is a directory.
fn from_path(host: &str, container: &str) -> Result<Vec<DeviceNode>> {
    let mut resolved = PathBuf::from(host);
    if std::fs::symlink_metadata(host).is_ok_and(|m| m.file_type().is_symlink()) {
        if let Ok(p) = std::fs::canonicalize(host) {
            resolved = p;
        }
    }
    let why = match node(&resolved, Path::new(container)) {
        Ok(Some(n)) => return Ok(vec![n]),
        Ok(None) => {
            let mut found = Vec::new();
            if resolved.is_dir() {
                walk(&resolved, Path::new(container), &mut found);
            }
            if !found.is_empty() {
                return Ok(found);
            }
            "not a device node".to_string()
        }
        Err(e) => crate::runtime::error::go_text(&e),
    };
    Err(Error::Other(format!(
        "error gathering device information while adding custom device {host:?}: {why}"
    )))
}

/// The device node at `host` (not followed), to go at `container`;
/// `None` when it is no device.
fn node(host: &Path, container: &Path) -> io::Result<Option<DeviceNode>> {
    let m = std::fs::symlink_metadata(host)?;
    let ft = m.file_type();
    let kind = if ft.is_char_device() {
        NodeKind::Char
    } else if ft.is_block_device() {
        NodeKind::Block
    } else if ft.is_fifo() {
        NodeKind::Fifo
    } else {
        return Ok(None);
    };
    Ok(Some(DeviceNode {
        path: container.to_path_buf(),
        kind,
        major: rustix::fs::major(m.rdev()),
        minor: rustix::fs::minor(m.rdev()),
        mode: m.permissions().mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
        host_path: host.to_path_buf(),
    }))
}

/// Every device beneath `dir` (errors skipped, as docker).
fn walk(dir: &Path, container: &Path, out: &mut Vec<DeviceNode>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let dest = container.join(e.file_name());
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&e.path(), &dest, out),
            Ok(_) => {
                if let Ok(Some(n)) = node(&e.path(), &dest) {
                    out.push(n);
                }
            }
            Err(_) => {}
        }
    }
}

/// containerd's `HostDevices`: the char and block devices in the host's
/// `/dev`, without pts, shm, mqueue and the like, `console` and fifos.
fn host_devices(dir: &Path, container: &Path, out: &mut Vec<DeviceNode>) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let dest = container.join(&name);
        let t = e.file_type()?;
        if t.is_dir() {
            if !SKIPPED_DIRS.iter().any(|s| name == *s) {
                host_devices(&e.path(), &dest, out)?;
            }
            continue;
        }
        if name == "console" {
            continue;
        }
        match node(&e.path(), &dest) {
            Ok(Some(n)) if n.kind != NodeKind::Fifo => out.push(n),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::cgroups::devices::Policy;

    fn mapping(host: &str, container: &str, perms: &str) -> DeviceMapping {
        DeviceMapping {
            path_on_host: host.into(),
            path_in_container: container.into(),
            cgroup_permissions: perms.into(),
        }
    }

    #[test]
    fn a_device_mapping_is_a_node_and_a_rule() {
        let d = resolve(false, &[mapping("/dev/full", "/dev/myfull", "r")], &[]).unwrap();
        assert_eq!(d.nodes.len(), 1);
        let n = &d.nodes[0];
        assert_eq!(n.path, Path::new("/dev/myfull"));
        assert_eq!((n.kind, n.major, n.minor), (NodeKind::Char, 1, 7));
        assert_eq!(n.host_path, Path::new("/dev/full"));
        let m = std::fs::metadata("/dev/full").unwrap();
        assert_eq!(n.mode, m.permissions().mode() & 0o7777);
        assert_eq!((n.uid, n.gid), (m.uid(), m.gid()));
        assert_eq!(d.rules[8].to_string(), "c 1:7 r");
        assert!(!Policy::from_rules(&d.rules).default_allow);
    }

    #[test]
    fn device_cgroup_rules_follow_the_mappings() {
        let d = resolve(
            false,
            &[mapping("/dev/full", "/dev/myfull", "r")],
            &["c 42:* rmw".into()],
        )
        .unwrap();
        assert_eq!(d.rules[8].to_string(), "c 1:7 r");
        assert_eq!(d.rules[9].to_string(), "c 42:* rwm");
        let p = Policy::from_rules(&d.rules);
        assert!(p.exceptions.iter().any(|r| r.to_string() == "c 42:* rwm"));
    }

    #[test]
    fn missing_or_not_a_device_is_dockers_error() {
        let e = resolve(false, &[mapping("/nope", "/nope", "rwm")], &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "error gathering device information while adding custom device \"/nope\": no such file or directory"
        );
        let e = resolve(false, &[mapping("/etc/hostname", "/x", "rwm")], &[])
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("\"/etc/hostname\": not a device node"), "{e}");
        let empty = tempfile::tempdir().unwrap();
        let p = empty.path().display().to_string();
        let e = resolve(false, &[mapping(&p, "/x", "rwm")], &[])
            .unwrap_err()
            .to_string();
        assert!(e.ends_with(": not a device node"), "{e}");
    }

    #[test]
    fn a_directory_maps_the_devices_beneath_it() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("/dev/null", d.path().join("sub/null")).unwrap();
        std::fs::write(d.path().join("file"), b"").unwrap();
        // a symlink to a dir of devices is followed; nodes inside keep names
        let link = d.path().join("link");
        std::os::unix::fs::symlink("/dev", &link).unwrap();
        let r = resolve(
            false,
            &[mapping(&link.display().to_string(), "/hostdev", "rw")],
            &[],
        )
        .unwrap();
        assert!(r.nodes.iter().any(|n| n.path == Path::new("/hostdev/null")));
        // the dir with only a symlink and a file holds no device
        let e = resolve(
            false,
            &[mapping(&d.path().display().to_string(), "/x", "rw")],
            &[],
        );
        assert!(e.is_err());
    }

    #[test]
    fn privileged_gets_the_hosts_devices_and_every_rule() {
        let d = resolve(true, &[mapping("/dev/null", "/dev/null", "r")], &[]).unwrap();
        assert_eq!(d.rules, docker_rules(true, &[]));
        assert!(d.nodes.iter().any(|n| n.path == Path::new("/dev/null")));
        assert!(!d.nodes.iter().any(|n| n.path.starts_with("/dev/pts")
            || n.path.starts_with("/dev/shm")
            || n.path == Path::new("/dev/console")));
        // one node per path: the same-path mapping adds nothing
        let nulls = d
            .nodes
            .iter()
            .filter(|n| n.path == Path::new("/dev/null"))
            .count();
        assert_eq!(nulls, 1);
    }
}
