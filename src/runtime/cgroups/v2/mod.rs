//! cgroup v2 (unified): one leaf; controllers enabled top-down in
//! `cgroup.subtree_control` (see the module docs of `cgroups` for which
//! cgroups are written).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::bpf::device_program;
use super::devices::{DeviceRule, Policy};
use super::layout::{make_dirs, nearest_existing, remove_created, Parent};
use super::resources::{write_limit, Request};
use super::{
    blkio_to_io_weight, controller_set, is_permission, parse_flat_keyed, read_trimmed,
    shares_to_weight, wait_until, Cgroup, CgroupError, CgroupFs, Leaf, OwnCgroups, Resources,
    Result, Stats, Version,
};

/// Enabled besides the needed ones when possible: for stats and update.
const EXTRA: &[&str] = &["cpu", "cpuset", "io", "memory", "pids"];

/// Flags cgroup v2 has no equivalent for.
fn unsupported(res: &Resources) -> Result<()> {
    let flag = if res.memory_swappiness.is_some() {
        "--memory-swappiness"
    } else if res.kernel_memory.is_some_and(|k| k != 0) {
        "--kernel-memory"
    } else if res.oom_kill_disable == Some(true) {
        "--oom-kill-disable"
    } else {
        return Ok(());
    };
    Err(CgroupError::Limit {
        flag,
        reason: "not supported on cgroup v2".into(),
    })
}

fn no_cgroup(flag: &'static str, why: &str) -> CgroupError {
    CgroupError::Limit {
        flag,
        reason: why.to_string(),
    }
}

pub(super) fn create(
    fs: Arc<dyn CgroupFs>,
    mount: &Path,
    own: &OwnCgroups,
    leaf: &str,
    parent: &Parent,
    res: &Resources,
) -> Result<Cgroup> {
    unsupported(res)?;
    let reqs = res.requests();
    let fsr = fs.as_ref();
    let (anchor, missing) = nearest_ancestor(fsr, mount, own, leaf, parent)?;
    let anchor = if fsr.unprivileged() && parent.is_default() {
        delegated_anchor(fsr, mount, anchor)
    } else {
        anchor
    };
    // The one pre-existing cgroup we write: the leaf's nearest ancestor.
    enable(fsr, &anchor, &reqs)?;

    let mut created = Vec::new();
    let leaf_path = match make_dirs(fsr, &anchor, &missing, leaf, &mut created) {
        Ok(p) => p,
        Err(CgroupError::Io { source, path, .. }) if is_permission(&source) => {
            remove_created(fsr, &created);
            let reason = format!(
                "permission denied creating cgroup {} (rootless needs a delegated cgroup)",
                path.display()
            );
            if let Some(r) = reqs.first() {
                return Err(no_cgroup(r.flag, &reason));
            }
            if !parent.is_default() {
                return Err(CgroupError::Other(format!("--cgroup-parent: {reason}")));
            }
            return Ok(Cgroup {
                version: Version::V2,
                leaves: Vec::new(),
                parents: Vec::new(),
                warnings: vec![format!(
                    "{reason}; the container stays in skiff's own cgroup"
                )],
                fs,
            });
        }
        Err(e) => {
            remove_created(fsr, &created);
            return Err(e);
        }
    };
    let intermediates = &created[..created.len() - 1];
    for dir in intermediates {
        if let Err(e) = enable(fsr, dir, &reqs) {
            remove_created(fsr, &created);
            return Err(e);
        }
    }
    let mut parents = intermediates.to_vec();
    parents.reverse();
    let cg = Cgroup {
        version: Version::V2,
        leaves: vec![Leaf {
            path: leaf_path,
            controllers: Vec::new(),
        }],
        parents,
        warnings: Vec::new(),
        fs: fs.clone(),
    };
    if let Err(e) = apply(&cg, res, false) {
        let _ = cg.destroy();
        return Err(e);
    }
    Ok(cg)
}

/// The leaf's nearest existing ancestor beneath `parent`, and the
/// directories missing below it; an error when the base is missing or the
/// leaf exists already.
fn nearest_ancestor(
    fsr: &dyn CgroupFs,
    mount: &Path,
    own: &OwnCgroups,
    leaf: &str,
    parent: &Parent,
) -> Result<(PathBuf, Vec<String>)> {
    let Some((base, comps)) = parent.base(mount, own.v2.as_deref()) else {
        return Err(CgroupError::Other(
            "cannot find the invoking process's cgroup v2 (no 0:: line in /proc/self/cgroup)"
                .into(),
        ));
    };
    if !fsr.exists(&base) {
        return Err(CgroupError::Other(format!(
            "cgroup {} does not exist",
            base.display()
        )));
    }
    let (anchor, missing) = nearest_existing(fsr, &base, &comps);
    let leaf_path = missing
        .iter()
        .fold(anchor.clone(), |p, c| p.join(c))
        .join(leaf);
    if fsr.exists(&leaf_path) {
        return Err(CgroupError::Exists(leaf_path));
    }
    Ok((anchor, missing))
}

/// Rootless, without `--cgroup-parent`: the invoking process's own cgroup
/// holds processes (skiff's own, at least), and cgroup v2 gives no
/// controllers to the children of such a cgroup. The container goes
/// beside it instead, under the nearest ancestor that holds no processes
/// and is still delegated to the user (its `cgroup.procs` and
/// `cgroup.subtree_control` writable: systemd's `Delegate=` hands those
/// over), which is also the common ancestor the kernel needs writable to
/// move a process between the two. Without one, `own` (enabling
/// controllers there then fails with the reason).
fn delegated_anchor(fs: &dyn CgroupFs, mount: &Path, own: PathBuf) -> PathBuf {
    let delegated = |d: &Path| {
        fs.writable(&d.join("cgroup.procs")) && fs.writable(&d.join("cgroup.subtree_control"))
    };
    let mut dir = own.clone();
    while dir.starts_with(mount) && delegated(&dir) {
        let empty = read_opt(fs, &dir.join("cgroup.procs")).is_some_and(|p| p.trim().is_empty());
        if empty {
            return dir;
        }
        match dir.parent() {
            Some(p) if p.starts_with(mount) => dir = p.to_path_buf(),
            _ => break,
        }
    }
    own
}

/// Enables the controllers `reqs` need (else an error naming the flag) and,
/// best effort, [`EXTRA`], for the children of `dir`.
fn enable(fs: &dyn CgroupFs, dir: &Path, reqs: &[Request]) -> Result<()> {
    let avail = controller_set(&read_trimmed(fs, &dir.join("cgroup.controllers"))?);
    let ctl = dir.join("cgroup.subtree_control");
    let mut enabled = controller_set(&read_trimmed(fs, &ctl)?);
    for r in reqs {
        if enabled.contains(r.v2) {
            continue;
        }
        if !avail.contains(r.v2) {
            return Err(no_cgroup(
                r.flag,
                &format!(
                    "the {} cgroup controller is not available in {} (it is not delegated there, and skiff does not change the cgroups above)",
                    r.v2,
                    dir.display()
                ),
            ));
        }
        fs.write(&ctl, &format!("+{}", r.v2)).map_err(|e| {
            let reason = if e.raw_os_error() == Some(libc::EBUSY) {
                format!(
                    "cannot enable the {} controller in {}: that cgroup holds processes itself, and cgroup v2 allows controllers only for the children of cgroups without processes; run skiff from the root cgroup or use a --cgroup-parent that holds no processes",
                    r.v2,
                    ctl.display()
                )
            } else if is_permission(&e) {
                format!(
                    "permission denied enabling the {} controller in {} (rootless needs a delegated cgroup)",
                    r.v2,
                    ctl.display()
                )
            } else {
                format!("cannot enable the {} controller in {}: {e}", r.v2, ctl.display())
            };
            no_cgroup(r.flag, &reason)
        })?;
        enabled.insert(r.v2.to_string());
    }
    for x in EXTRA {
        if avail.contains(*x) && !enabled.contains(*x) {
            // Fails when `dir` holds processes; stats just lack it then.
            let _ = fs.write(&ctl, &format!("+{x}"));
        }
    }
    Ok(())
}

fn max_or(v: i64) -> String {
    if v < 0 {
        "max".into()
    } else {
        v.to_string()
    }
}

/// memory.max as bytes; -1 for "max".
fn current_memory_max(fs: &dyn CgroupFs, leaf: &Path) -> Result<i64> {
    let v = read_trimmed(fs, &leaf.join("memory.max"))?;
    Ok(v.parse().unwrap_or(-1))
}

pub(super) fn apply(cg: &Cgroup, res: &Resources, update: bool) -> Result<()> {
    unsupported(res)?;
    if let (false, Some(l)) = (res.devices.is_empty(), cg.leaves.first()) {
        set_devices(cg.fs.as_ref(), &l.path, &res.devices)?;
    }
    let reqs = res.requests();
    let Some(first) = reqs.first() else {
        return Ok(());
    };
    let fs = cg.fs.as_ref();
    let leaf = match cg.leaves.first() {
        Some(l) => l.path.as_path(),
        None => {
            return Err(no_cgroup(
                first.flag,
                "the container has no cgroup of its own (rootless without a delegated cgroup)",
            ))
        }
    };
    ensure_enabled(fs, leaf, &reqs, update)?;
    apply_memory(fs, leaf, res)?;
    apply_cpu(fs, leaf, res)?;

    // cpuset
    if let Some(c) = res.cpuset_cpus.as_deref().filter(|c| !c.is_empty()) {
        write_limit(fs, "--cpuset-cpus", leaf, "cpuset.cpus", c)?;
    }
    if let Some(m) = res.cpuset_mems.as_deref().filter(|m| !m.is_empty()) {
        write_limit(fs, "--cpuset-mems", leaf, "cpuset.mems", m)?;
    }

    // pids
    if let Some(p) = res.pids_limit {
        let v = if p <= 0 { "max".into() } else { p.to_string() };
        write_limit(fs, "--pids-limit", leaf, "pids.max", &v)?;
    }

    // io: BFQ takes the blkio range as is; io.weight needs converting.
    if let Some(w) = res.blkio_weight.filter(|&w| w != 0) {
        if fs.exists(&leaf.join("io.bfq.weight")) {
            write_limit(fs, "--blkio-weight", leaf, "io.bfq.weight", &w.to_string())?;
        } else {
            let v = blkio_to_io_weight(w).to_string();
            write_limit(fs, "--blkio-weight", leaf, "io.weight", &v)?;
        }
    }
    Ok(())
}

/// The controllers of `reqs` must be enabled for the leaf; `docker
/// update` enables a missing one in the leaf's parent.
fn ensure_enabled(fs: &dyn CgroupFs, leaf: &Path, reqs: &[Request], update: bool) -> Result<()> {
    let avail = controller_set(&read_trimmed(fs, &leaf.join("cgroup.controllers"))?);
    let missing: Vec<Request> = reqs
        .iter()
        .filter(|r| !avail.contains(r.v2))
        .copied()
        .collect();
    if let Some(r) = missing.first() {
        match leaf.parent() {
            // docker update: enable it now in the leaf's parent.
            Some(parent) if update => enable(fs, parent, &missing)?,
            _ => {
                return Err(no_cgroup(
                    r.flag,
                    &format!(
                        "the {} cgroup controller is not enabled for {}",
                        r.v2,
                        leaf.display()
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// memory.swap.max (first, as runc), memory.max and memory.low.
fn apply_memory(fs: &dyn CgroupFs, leaf: &Path, res: &Resources) -> Result<()> {
    let mem = res.memory.filter(|&m| m != 0);
    if let Some(s) = res.memory_swap.filter(|&s| s != 0) {
        let value = if s < 0 {
            "max".to_string()
        } else {
            let m = match mem {
                Some(m) => m,
                None => current_memory_max(fs, leaf)?,
            };
            if m <= 0 {
                return Err(no_cgroup(
                    "--memory-swap",
                    "a swap limit needs a memory limit (--memory)",
                ));
            }
            if s < m {
                return Err(no_cgroup(
                    "--memory-swap",
                    "Minimum memoryswap limit should be larger than memory limit, see usage",
                ));
            }
            (s - m).to_string()
        };
        if fs.exists(&leaf.join("memory.swap.max")) {
            write_limit(fs, "--memory-swap", leaf, "memory.swap.max", &value)?;
        } else if s > 0 {
            return Err(no_cgroup(
                "--memory-swap",
                "swap accounting is not enabled in this kernel (no memory.swap.max)",
            ));
        }
    }
    if let Some(m) = mem {
        write_limit(fs, "--memory", leaf, "memory.max", &max_or(m))?;
    }
    if let Some(r) = res.memory_reservation.filter(|&r| r != 0) {
        write_limit(
            fs,
            "--memory-reservation",
            leaf,
            "memory.low",
            &r.to_string(),
        )?;
    }
    Ok(())
}

/// cpu.weight and cpu.max.
fn apply_cpu(fs: &dyn CgroupFs, leaf: &Path, res: &Resources) -> Result<()> {
    if let Some(s) = res.cpu_shares.filter(|&s| s != 0) {
        let w = shares_to_weight(s).to_string();
        write_limit(fs, "--cpu-shares", leaf, "cpu.weight", &w)?;
    }
    let (period, quota, flag) = res.cfs();
    if period.is_some() || quota.is_some() {
        // Keep the half that is not being set.
        let cur = fs.read(&leaf.join("cpu.max")).unwrap_or_default();
        let mut it = cur.split_whitespace();
        let cur_quota = it.next().unwrap_or("max").to_string();
        let cur_period = it.next().unwrap_or("100000").to_string();
        let q = match quota {
            Some(q) => max_or(q),
            None => cur_quota,
        };
        let p = period.map_or(cur_period, |p| p.to_string());
        write_limit(fs, flag, leaf, "cpu.max", &format!("{q} {p}"))?;
    }
    Ok(())
}

/// Attaches the device filter for `rules` to the leaf. Without privileges
/// (a user namespace, or not root) a refused load or attach is skipped, as
/// runc does: such a container cannot reach host devices anyway.
fn set_devices(fs: &dyn CgroupFs, leaf: &Path, rules: &[DeviceRule]) -> Result<()> {
    let prog = device_program(&Policy::from_rules(rules));
    match fs.attach_device_program(leaf, &prog) {
        Ok(()) => Ok(()),
        Err(e) if is_permission(&e) && !fully_privileged() => Ok(()),
        Err(e) => Err(CgroupError::Other(format!(
            "attaching the device filter to cgroup {}: {e}",
            leaf.display()
        ))),
    }
}

/// Root in the initial user namespace.
fn fully_privileged() -> bool {
    rustix::process::geteuid().is_root()
        && std::fs::read_to_string("/proc/self/uid_map")
            .is_ok_and(|m| m.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"])
}

fn events_frozen(fs: &dyn CgroupFs, leaf: &Path) -> Result<bool> {
    let events = read_trimmed(fs, &leaf.join("cgroup.events"))?;
    match events.lines().find_map(|l| l.strip_prefix("frozen ")) {
        Some(v) => Ok(v.trim() == "1"),
        None => Ok(read_trimmed(fs, &leaf.join("cgroup.freeze"))? == "1"),
    }
}

pub(super) fn set_frozen(cg: &Cgroup, frozen: bool) -> Result<()> {
    let fs = cg.fs.as_ref();
    let leaf = cg.v2_leaf()?;
    let path = leaf.join("cgroup.freeze");
    if !fs.exists(&path) {
        return Err(CgroupError::Other(format!(
            "{} is missing: this kernel cannot freeze cgroup v2 (needs 5.2)",
            path.display()
        )));
    }
    fs.write(&path, if frozen { "1" } else { "0" })
        .map_err(super::io_err("writing", &path))?;
    if wait_until(|| Ok(events_frozen(fs, leaf)? == frozen))? {
        return Ok(());
    }
    if frozen {
        let _ = fs.write(&path, "0");
    }
    Err(CgroupError::Other(format!(
        "timed out waiting for cgroup {} to {}",
        leaf.display(),
        if frozen { "freeze" } else { "thaw" }
    )))
}

pub(super) fn is_frozen(cg: &Cgroup) -> Result<bool> {
    events_frozen(cg.fs.as_ref(), cg.v2_leaf()?)
}

pub(super) fn kill_all(cg: &Cgroup, sig: i32) -> Result<()> {
    let fs = cg.fs.as_ref();
    let Some(leaf) = cg.leaves.first() else {
        return Ok(());
    };
    let kill = leaf.path.join("cgroup.kill");
    if sig == libc::SIGKILL && fs.exists(&kill) {
        // Kills the whole subtree, frozen or not, and races no fork.
        return fs
            .write(&kill, "1")
            .map_err(super::io_err("writing", &kill));
    }
    cg.signal_pids(sig)
}

fn read_opt(fs: &dyn CgroupFs, path: &Path) -> Option<String> {
    fs.read(path).ok().map(|s| s.trim().to_string())
}

fn read_u64(fs: &dyn CgroupFs, path: &Path) -> Option<u64> {
    read_opt(fs, path)?.parse().ok()
}

/// A limit file: `None` for "max".
fn read_limit(fs: &dyn CgroupFs, path: &Path) -> Option<u64> {
    read_opt(fs, path)?.parse().ok()
}

pub(super) fn stats(cg: &Cgroup) -> Result<Stats> {
    let fs = cg.fs.as_ref();
    let leaf = cg.v2_leaf()?;
    let f = |name: &str| leaf.join(name);
    let mut st = Stats {
        memory_usage: read_u64(fs, &f("memory.current")),
        memory_limit: read_limit(fs, &f("memory.max")),
        memory_max_usage: read_u64(fs, &f("memory.peak")),
        memory_stat: read_opt(fs, &f("memory.stat"))
            .map(|t| parse_flat_keyed(&t))
            .unwrap_or_default(),
        pids_current: read_u64(fs, &f("pids.current")),
        pids_limit: read_limit(fs, &f("pids.max")),
        ..Stats::default()
    };
    if let Some(cpu) = read_opt(fs, &f("cpu.stat")).map(|t| parse_flat_keyed(&t)) {
        let ns = |k: &str| cpu.get(k).map(|us| us.saturating_mul(1000));
        st.cpu_usage_ns = ns("usage_usec");
        st.cpu_user_ns = ns("user_usec");
        st.cpu_system_ns = ns("system_usec");
    }
    if let Some(io) = read_opt(fs, &f("io.stat")) {
        let (mut r, mut w) = (0u64, 0u64);
        for kv in io.split_whitespace() {
            if let Some(v) = kv.strip_prefix("rbytes=") {
                r = r.saturating_add(v.parse().unwrap_or(0));
            } else if let Some(v) = kv.strip_prefix("wbytes=") {
                w = w.saturating_add(v.parse().unwrap_or(0));
            }
        }
        st.io_read_bytes = Some(r);
        st.io_write_bytes = Some(w);
    }
    Ok(st)
}

#[cfg(test)]
mod tests;
