//! docker's resource flags: which controller each needs, their checks, the
//! v1 -> v2 value conversions, and writing a limit with an error that
//! names the flag.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{devices, is_permission, CgroupError, CgroupFs, Result};

/// docker's resource flags. `None` leaves a setting alone; so do the values
/// docker treats as "unset" (0 for memory, swap, cpus, shares, period, quota
/// and blkio weight).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    /// `--memory`, bytes; -1 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
    /// `--memory-reservation`, bytes (v1 soft limit, v2 memory.low).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<i64>,
    /// `--memory-swap`: memory plus swap, bytes; -1 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<i64>,
    /// `--memory-swappiness`, 0-100 (v1 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swappiness: Option<u64>,
    /// `--kernel-memory`, bytes (v1 only; kernels >= 6.x ignore it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel_memory: Option<i64>,
    /// `--oom-kill-disable` (v1 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_kill_disable: Option<bool>,
    /// `--cpus` in billionths of a CPU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nano_cpus: Option<i64>,
    /// `--cpu-shares`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<u64>,
    /// `--cpu-period`, microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_period: Option<u64>,
    /// `--cpu-quota`, microseconds; -1 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_quota: Option<i64>,
    /// `--cpuset-cpus` (`0-2,4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_mems: Option<String>,
    /// `--pids-limit`; -1 or 0 unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    /// `--blkio-weight`, 10-1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_weight: Option<u16>,
    /// The device access rules ([`devices::docker_rules`]); empty leaves
    /// device access alone (a new cgroup allows every device).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<devices::DeviceRule>,
}

/// One requested setting: its flag and the controller it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Request {
    pub(super) flag: &'static str,
    pub(super) v1: &'static str,
    pub(super) v2: &'static str,
}

const fn req(flag: &'static str, v1: &'static str, v2: &'static str) -> Request {
    Request { flag, v1, v2 }
}

/// Default `cpu.cfs_period_us` for `--cpus`, as docker.
pub const CPU_PERIOD: u64 = 100_000;

impl Resources {
    /// The settings that need a controller, in the order they are applied.
    pub(super) fn requests(&self) -> Vec<Request> {
        let set = |v: Option<i64>| v.is_some_and(|v| v != 0);
        let nonempty = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        let (mem, cpu) = ("memory", "cpu");
        [
            (set(self.memory), req("--memory", mem, mem)),
            (
                set(self.memory_reservation),
                req("--memory-reservation", mem, mem),
            ),
            (set(self.memory_swap), req("--memory-swap", mem, mem)),
            (
                self.memory_swappiness.is_some(),
                req("--memory-swappiness", mem, mem),
            ),
            (set(self.kernel_memory), req("--kernel-memory", mem, mem)),
            (
                self.oom_kill_disable == Some(true),
                req("--oom-kill-disable", mem, mem),
            ),
            (set(self.nano_cpus), req("--cpus", cpu, cpu)),
            (
                self.cpu_shares.is_some_and(|v| v != 0),
                req("--cpu-shares", cpu, cpu),
            ),
            (
                self.cpu_period.is_some_and(|v| v != 0),
                req("--cpu-period", cpu, cpu),
            ),
            (set(self.cpu_quota), req("--cpu-quota", cpu, cpu)),
            (
                nonempty(&self.cpuset_cpus),
                req("--cpuset-cpus", "cpuset", "cpuset"),
            ),
            (
                nonempty(&self.cpuset_mems),
                req("--cpuset-mems", "cpuset", "cpuset"),
            ),
            (
                self.pids_limit.is_some(),
                req("--pids-limit", "pids", "pids"),
            ),
            (
                self.blkio_weight.is_some_and(|v| v != 0),
                req("--blkio-weight", "blkio", "io"),
            ),
        ]
        .into_iter()
        .filter_map(|(wanted, r)| wanted.then_some(r))
        .collect()
    }

    /// (period, quota, flag) for the CFS bandwidth settings: `--cpus N`
    /// becomes period 100000 and quota N*100000, as docker does.
    pub(super) fn cfs(&self) -> (Option<u64>, Option<i64>, &'static str) {
        if let Some(n) = self.nano_cpus.filter(|&n| n > 0) {
            let quota = (i128::from(n) * i128::from(CPU_PERIOD) / 1_000_000_000) as i64;
            return (Some(CPU_PERIOD), Some(quota), "--cpus");
        }
        let period = self.cpu_period.filter(|&p| p != 0);
        let quota = self.cpu_quota.filter(|&q| q != 0);
        let flag = if quota.is_some() {
            "--cpu-quota"
        } else {
            "--cpu-period"
        };
        (period, quota, flag)
    }

    /// docker's checks of a new container's limits (`create` runs them
    /// before writing anything).
    pub fn check(&self) -> Result<()> {
        self.validate(false)
    }

    /// docker's checks, before anything is created. `update` relaxes the
    /// ones that depend on settings already in place.
    pub(super) fn validate(&self, update: bool) -> Result<()> {
        self.validate_memory(update)?;
        self.validate_cpu()?;
        let bad = |flag: &'static str, reason: String| Err(CgroupError::Limit { flag, reason });
        if let Some(w) = self.blkio_weight.filter(|&w| w != 0) {
            if !(10..=1000).contains(&w) {
                return bad(
                    "--blkio-weight",
                    "Range of blkio weight is from 10 to 1000".into(),
                );
            }
        }
        Ok(())
    }

    /// `--memory` and the flags that go with it.
    fn validate_memory(&self, update: bool) -> Result<()> {
        let bad = |flag: &'static str, reason: String| Err(CgroupError::Limit { flag, reason });
        if let Some(m) = self.memory.filter(|&m| m < -1) {
            return bad("--memory", format!("invalid memory limit {m}"));
        }
        if self.memory.is_some_and(|m| m > 0 && m < MIN_MEMORY) {
            return bad("--memory", "Minimum memory limit allowed is 6MB".into());
        }
        if let Some(s) = self.memory_swap {
            if s < -1 {
                return bad("--memory-swap", format!("invalid memory+swap limit {s}"));
            }
            if s > 0 {
                match self.memory {
                    Some(m) if m > 0 && s < m => {
                        return bad(
                            "--memory-swap",
                            "Minimum memoryswap limit should be larger than memory limit, see usage"
                                .into(),
                        )
                    }
                    Some(m) if m > 0 => {}
                    None | Some(0) if update => {}
                    _ => {
                        return bad(
                            "--memory-swap",
                            "You should always set the Memory limit when using Memoryswap limit, see usage"
                                .into(),
                        )
                    }
                }
            }
        }
        if let Some(r) = self.memory_reservation {
            if r < 0 {
                return bad("--memory-reservation", format!("invalid value {r}"));
            }
            if self.memory.is_some_and(|m| m > 0 && r > m) {
                return bad(
                    "--memory-reservation",
                    "Minimum memory limit can not be less than memory reservation limit, see usage"
                        .into(),
                );
            }
        }
        if let Some(v) = self.memory_swappiness.filter(|&v| v > 100) {
            return bad(
                "--memory-swappiness",
                format!("Invalid value: {v}, valid memory swappiness range is 0-100"),
            );
        }
        if let Some(k) = self.kernel_memory.filter(|&k| k < -1) {
            return bad("--kernel-memory", format!("invalid value {k}"));
        }
        Ok(())
    }

    /// `--cpus`, `--cpu-period` and `--cpu-quota`.
    fn validate_cpu(&self) -> Result<()> {
        let bad = |flag: &'static str, reason: String| Err(CgroupError::Limit { flag, reason });
        if let Some(n) = self.nano_cpus.filter(|&n| n != 0) {
            if n < 0 {
                return bad("--cpus", format!("invalid value {n}"));
            }
            if self.cpu_period.is_some_and(|p| p != 0) || self.cpu_quota.is_some_and(|q| q != 0) {
                return bad(
                    "--cpus",
                    "Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set".into(),
                );
            }
            let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
            if n < 10_000_000 || n > ncpu * 1_000_000_000 {
                return bad(
                    "--cpus",
                    format!(
                        "range of CPUs is from 0.01 to {ncpu}.00, as there are only {ncpu} CPUs available"
                    ),
                );
            }
        }
        if let Some(p) = self.cpu_period.filter(|&p| p != 0) {
            if !(1000..=1_000_000).contains(&p) {
                return bad(
                    "--cpu-period",
                    "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
                        .into(),
                );
            }
        }
        if let Some(q) = self.cpu_quota.filter(|&q| q != 0 && q != -1) {
            if q < 1000 {
                return bad(
                    "--cpu-quota",
                    "CPU cfs quota can not be less than 1ms (i.e. 1000)".into(),
                );
            }
        }
        Ok(())
    }
}

/// docker's floor for `--memory` (6 MiB).
const MIN_MEMORY: i64 = 6 * 1024 * 1024;

/// runc's conversion of v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000].
pub fn shares_to_weight(shares: u64) -> u64 {
    if shares == 0 {
        return 0;
    }
    let s = shares.clamp(2, 262_144);
    1 + ((s - 2) * 9999) / 262_142
}

/// runc's conversion of blkio.weight [10, 1000] to io.weight [1, 10000].
pub fn blkio_to_io_weight(weight: u16) -> u64 {
    if weight == 0 {
        return 0;
    }
    let w = u64::from(weight.clamp(10, 1000));
    1 + (w - 10) * 9999 / 990
}

/// Writes a limit; failures name the flag and why.
pub(super) fn write_limit(
    fs: &dyn CgroupFs,
    flag: &'static str,
    dir: &Path,
    file: &str,
    value: &str,
) -> Result<()> {
    let path = dir.join(file);
    fs.write(&path, value)
        .map_err(|e| limit_write_error(flag, &path, value, e))
}

pub(super) fn limit_write_error(
    flag: &'static str,
    path: &Path,
    value: &str,
    e: io::Error,
) -> CgroupError {
    let reason = match e.raw_os_error() {
        Some(libc::ENOENT) => format!(
            "{} does not exist: this kernel does not support the setting",
            path.display()
        ),
        _ if is_permission(&e) => format!(
            "permission denied writing {} (rootless containers cannot set limits without a delegated cgroup)",
            path.display()
        ),
        _ => format!(
            "the kernel rejected {value:?} for {}: {e}",
            path.display()
        ),
    };
    CgroupError::Limit { flag, reason }
}
