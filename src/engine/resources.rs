//! A container's resource limits, in one place: the cgroup limits of
//! `--memory`, `--cpus` and `--pids-limit` (checked at create, applied at
//! start) and the rlimits of `--ulimit`.

use crate::error::{Error, Result};
use crate::runtime::cgroups::Resources;
use crate::runtime::spec::Rlimit;
use crate::state::container::Ulimit;

/// The cgroup limits of `--memory`, `--cpus`, `--pids-limit` (0: unset).
pub(crate) fn cgroup_limits(memory: i64, nano_cpus: i64, pids_limit: Option<i64>) -> Resources {
    Resources {
        memory: (memory > 0).then_some(memory),
        nano_cpus: (nano_cpus > 0).then_some(nano_cpus),
        pids_limit,
        ..Default::default()
    }
}

/// Refuse, at create, limits the start would refuse.
pub(crate) fn check_cgroup_limits(
    memory: Option<i64>,
    nano_cpus: Option<i64>,
    pids_limit: Option<i64>,
) -> Result<()> {
    cgroup_limits(memory.unwrap_or(0), nano_cpus.unwrap_or(0), pids_limit)
        .check()
        .map_err(|e| Error::InvalidArgument(e.to_string()))
}

/// Why an unprivileged user's containers can't have cgroup limits on
/// this host, or `None` where they can: cgroup v2 with the user's own
/// cgroup delegated to them (its `cgroup.subtree_control` writable).
/// `own_cgroup` is the v2 path of the calling process (`/proc/self/cgroup`'s
/// `0::` line).
pub(crate) fn rootless_limits_unavailable(
    layout: super::system::CgroupLayout,
    own_cgroup: Option<&std::path::Path>,
) -> Option<&'static str> {
    use super::system::CgroupLayout;
    if layout == CgroupLayout::Legacy {
        return Some("this host has cgroup v1, which gives unprivileged users no cgroups of their own (cgroup v2 with a delegated subtree does)");
    }
    let delegated = own_cgroup.is_some_and(|c| {
        rustix::fs::access(
            c.join("cgroup.subtree_control"),
            rustix::fs::Access::WRITE_OK,
        )
        .is_ok()
    });
    (!delegated).then_some(
        "your cgroup is not delegated to you (cgroup v2 without a writable cgroup.subtree_control: start a systemd user session, or run with Delegate=yes)",
    )
}

/// Rootless: the first limit flag given is refused (exit 125), naming the
/// flag and why, where limits can't be applied; podman ignores them there.
pub(crate) fn check_rootless_limits(
    memory: Option<i64>,
    nano_cpus: Option<i64>,
    pids_limit: Option<i64>,
) -> Result<()> {
    let asked = [
        ("--memory", memory.is_some()),
        ("--cpus", nano_cpus.is_some()),
        ("--pids-limit", pids_limit.is_some()),
    ];
    let Some((flag, _)) = asked.iter().find(|(_, given)| *given) else {
        return Ok(());
    };
    let own = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("0::").map(str::to_owned))
        })
        .map(|rel| std::path::Path::new("/sys/fs/cgroup").join(rel.trim_start_matches('/')));
    match rootless_limits_unavailable(super::system::cgroup_layout(), own.as_deref()) {
        Some(why) => Err(Error::InvalidArgument(format!(
            "{flag}: a rootless container can't have resource limits here: {why}"
        ))),
        None => Ok(()),
    }
}

/// `--ulimit NAME=SOFT:HARD` as the runtime's rlimits (-1: unlimited).
pub(crate) fn rlimits(ulimits: &[Ulimit]) -> Vec<Rlimit> {
    let limit = |v: i64| if v < 0 { u64::MAX } else { v as u64 };
    ulimits
        .iter()
        .map(|u| Rlimit {
            name: format!("RLIMIT_{}", u.name.to_ascii_uppercase()),
            soft: limit(u.soft),
            hard: limit(u.hard),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::system::CgroupLayout;
    use super::*;

    #[test]
    fn rootless_limits_need_a_delegated_v2_cgroup() {
        let v1 = rootless_limits_unavailable(CgroupLayout::Legacy, None).unwrap();
        assert!(v1.starts_with("this host has cgroup v1"), "{v1}");
        let d = tempfile::tempdir().unwrap();
        let not = rootless_limits_unavailable(CgroupLayout::Unified, Some(d.path())).unwrap();
        assert!(not.starts_with("your cgroup is not delegated"), "{not}");
        assert!(rootless_limits_unavailable(CgroupLayout::Unified, None).is_some());
        std::fs::write(d.path().join("cgroup.subtree_control"), "").unwrap();
        assert_eq!(
            rootless_limits_unavailable(CgroupLayout::Unified, Some(d.path())),
            None
        );
        assert!(check_rootless_limits(None, None, None).is_ok());
    }
}
