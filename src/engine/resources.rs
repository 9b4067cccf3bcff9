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
