//! cgroup v1: one leaf per hierarchy (memory, cpu+cpuacct, cpuset, pids,
//! blkio, freezer, devices).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::devices::Policy;
use super::layout::{make_dirs, nearest_existing, remove_created, Parent};
use super::resources::{limit_write_error, write_limit, Request};
use super::{
    io_err, is_permission, parse_flat_keyed, read_trimmed, wait_until, Cgroup, CgroupError,
    CgroupFs, Leaf, OwnCgroups, Resources, Result, Stats, Version, V1_CONTROLLERS,
};

/// A file only that controller's dirs have, to tell a reloaded leaf's
/// controllers.
const MARKERS: &[(&str, &str)] = &[
    ("memory", "memory.limit_in_bytes"),
    ("cpu", "cpu.shares"),
    ("cpuacct", "cpuacct.usage"),
    ("cpuset", "cpuset.cpus"),
    ("pids", "pids.max"),
    ("blkio", "blkio.reset_stats"),
    ("freezer", "freezer.state"),
    ("devices", "devices.list"),
];

/// The v1 value the kernel shows for "no memory limit" (or more).
const MEMORY_UNLIMITED: u64 = 0x7FFF_FFFF_FFFF_F000;

pub(super) fn controllers_in(fs: &dyn CgroupFs, dir: &Path) -> Vec<String> {
    MARKERS
        .iter()
        .filter(|(_, f)| fs.exists(&dir.join(f)))
        .map(|(c, _)| c.to_string())
        .collect()
}

fn limit(flag: &'static str, reason: String) -> CgroupError {
    CgroupError::Limit { flag, reason }
}

pub(super) fn create(
    fs: Arc<dyn CgroupFs>,
    controllers: &BTreeMap<String, PathBuf>,
    own: &OwnCgroups,
    leaf: &str,
    parent: &Parent,
    res: &Resources,
) -> Result<Cgroup> {
    let reqs = res.requests();
    let hierarchies = hierarchies(controllers, &reqs)?;
    let fsr = fs.as_ref();
    let mut all_created: Vec<PathBuf> = Vec::new();
    let mut leaves = Vec::new();
    let mut parents = Vec::new();
    let mut warnings = Vec::new();
    let mut skipped: BTreeMap<String, String> = BTreeMap::new();
    let fail = |all_created: &[PathBuf], e: CgroupError| {
        remove_created(fsr, all_created);
        Err(e)
    };

    for (mount, ctrls) in &hierarchies {
        let needed_by = reqs.iter().find(|r| ctrls.iter().any(|c| c == r.v1));
        let (path, created) = match place(fsr, mount, ctrls, own, leaf, parent, needed_by) {
            Err(e) => return fail(&all_created, e),
            Ok(Placed::Skipped { warning, reason }) => {
                warnings.push(warning);
                for c in ctrls {
                    skipped.insert(c.clone(), reason.clone());
                }
                continue;
            }
            Ok(Placed::Leaf(path, created)) => (path, created),
        };
        all_created.extend(created.iter().cloned());
        if ctrls.iter().any(|c| c == "cpuset") {
            for dir in &created {
                if let Err(e) = copy_cpuset(fsr, dir) {
                    return fail(&all_created, e);
                }
            }
        }
        parents.extend(created[..created.len() - 1].iter().cloned());
        leaves.push(Leaf {
            path,
            controllers: ctrls.clone(),
        });
    }
    parents.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    let cg = Cgroup {
        version: Version::V1,
        leaves,
        parents,
        warnings,
        fs: fs.clone(),
    };
    if let Err(e) = apply(&cg, res, &skipped) {
        let _ = cg.destroy();
        return Err(e);
    }
    Ok(cg)
}

/// Mount point -> the controllers mounted there, for the hierarchies of
/// our controllers; an error naming the flag when a request's controller
/// is not mounted at all.
fn hierarchies(
    controllers: &BTreeMap<String, PathBuf>,
    reqs: &[Request],
) -> Result<BTreeMap<PathBuf, Vec<String>>> {
    for r in reqs {
        if !controllers.contains_key(r.v1) {
            return Err(limit(
                r.flag,
                format!("the {} cgroup controller is not available", r.v1),
            ));
        }
    }
    // Ours first decide which hierarchies count.
    let mut hierarchies: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for c in V1_CONTROLLERS {
        if let Some(m) = controllers.get(*c) {
            hierarchies.entry(m.clone()).or_default();
        }
    }
    for (c, m) in controllers {
        if let Some(v) = hierarchies.get_mut(m) {
            if !c.starts_with("name=") {
                v.push(c.clone());
            }
        }
    }
    Ok(hierarchies)
}

/// What became of one hierarchy.
enum Placed {
    /// The leaf, and the dirs created for it (the leaf last).
    Leaf(PathBuf, Vec<PathBuf>),
    /// Left out: the warning, and the reason a limit there fails with.
    Skipped { warning: String, reason: String },
}

/// The container's leaf in the hierarchy mounted at `mount`, beneath
/// `parent`. When it cannot be made (no own cgroup there, or no permission
/// with the default parent) and no request (`needed_by`) needs it, the
/// hierarchy is skipped. On an error, nothing this made is left behind.
fn place(
    fs: &dyn CgroupFs,
    mount: &Path,
    ctrls: &[String],
    own: &OwnCgroups,
    leaf: &str,
    parent: &Parent,
    needed_by: Option<&Request>,
) -> Result<Placed> {
    let own_path = ctrls.iter().find_map(|c| own.v1_path(c));
    let Some((base, comps)) = parent.base(mount, own_path) else {
        let reason = format!(
            "the invoking process is in no cgroup of the {} hierarchy",
            ctrls.join(",")
        );
        if let Some(r) = needed_by {
            return Err(limit(r.flag, reason));
        }
        return Ok(Placed::Skipped {
            warning: reason.clone(),
            reason,
        });
    };
    if !fs.exists(&base) {
        return Err(CgroupError::Other(format!(
            "cgroup {} does not exist",
            base.display()
        )));
    }
    let (anchor, missing) = nearest_existing(fs, &base, &comps);
    let mut created = Vec::new();
    match make_dirs(fs, &anchor, &missing, leaf, &mut created) {
        Ok(path) => Ok(Placed::Leaf(path, created)),
        Err(CgroupError::Io { source, path, .. }) if is_permission(&source) => {
            remove_created(fs, &created);
            let reason = format!(
                "permission denied creating cgroup {} (rootless containers cannot set limits on cgroup v1)",
                path.display()
            );
            if let Some(r) = needed_by {
                return Err(limit(r.flag, reason));
            }
            if !parent.is_default() {
                return Err(CgroupError::Other(format!("--cgroup-parent: {reason}")));
            }
            Ok(Placed::Skipped {
                warning: format!(
                    "{reason}; the container stays in skiff's own {} cgroup",
                    ctrls.join(",")
                ),
                reason,
            })
        }
        Err(e) => {
            remove_created(fs, &created);
            Err(e)
        }
    }
}

/// A new cpuset starts with no CPUs and no memory nodes, and no task can
/// join it: give it its parent's.
fn copy_cpuset(fs: &dyn CgroupFs, dir: &Path) -> Result<()> {
    let Some(parent) = dir.parent() else {
        return Ok(());
    };
    for f in ["cpuset.cpus", "cpuset.mems"] {
        let path = dir.join(f);
        if read_trimmed(fs, &path)?.is_empty() {
            let value = read_trimmed(fs, &parent.join(f))?;
            fs.write(&path, &value).map_err(io_err("writing", &path))?;
        }
    }
    Ok(())
}

/// The leaf for a request's controller, or an error naming the flag.
fn need<'a>(cg: &'a Cgroup, r: &Request, skipped: &BTreeMap<String, String>) -> Result<&'a Path> {
    cg.dir(r.v1).ok_or_else(|| {
        limit(
            r.flag,
            skipped
                .get(r.v1)
                .cloned()
                .unwrap_or_else(|| format!("the {} cgroup controller is not available", r.v1)),
        )
    })
}

pub(super) fn apply(
    cg: &Cgroup,
    res: &Resources,
    skipped: &BTreeMap<String, String>,
) -> Result<()> {
    let fs = cg.fs.as_ref();
    let reqs = res.requests();
    let mut dirs: BTreeMap<&str, &Path> = BTreeMap::new();
    for r in &reqs {
        dirs.insert(r.v1, need(cg, r, skipped)?);
    }

    if let Some(&dir) = dirs.get("memory") {
        apply_memory(fs, dir, res)?;
    }
    if let Some(disable) = res.oom_kill_disable {
        // Some(false) only resets an existing cgroup (docker update).
        if let Some(dir) = cg.dir("memory") {
            let v = if disable { "1" } else { "0" };
            write_limit(fs, "--oom-kill-disable", dir, "memory.oom_control", v)?;
        }
    }

    if let Some(&dir) = dirs.get("cpu") {
        if let Some(s) = res.cpu_shares.filter(|&s| s != 0) {
            write_limit(fs, "--cpu-shares", dir, "cpu.shares", &s.to_string())?;
        }
        set_cfs(fs, dir, res)?;
    }

    if let Some(&dir) = dirs.get("cpuset") {
        if let Some(c) = res.cpuset_cpus.as_deref().filter(|c| !c.is_empty()) {
            write_limit(fs, "--cpuset-cpus", dir, "cpuset.cpus", c)?;
        }
        if let Some(m) = res.cpuset_mems.as_deref().filter(|m| !m.is_empty()) {
            write_limit(fs, "--cpuset-mems", dir, "cpuset.mems", m)?;
        }
    }

    if let (Some(&dir), Some(p)) = (dirs.get("pids"), res.pids_limit) {
        let v = if p <= 0 { "max".into() } else { p.to_string() };
        write_limit(fs, "--pids-limit", dir, "pids.max", &v)?;
    }

    if let (Some(&dir), Some(w)) = (dirs.get("blkio"), res.blkio_weight) {
        let file = ["blkio.weight", "blkio.bfq.weight"]
            .into_iter()
            .find(|f| fs.exists(&dir.join(f)))
            .ok_or_else(|| {
                limit(
                    "--blkio-weight",
                    "the blkio controller has no weight file here (blkio.weight needs the CFQ I/O scheduler, blkio.bfq.weight needs BFQ)"
                        .into(),
                )
            })?;
        write_limit(fs, "--blkio-weight", dir, file, &w.to_string())?;
    }

    // Devices: none without the hierarchy (rootless skipped it).
    if let (false, Some(dir)) = (res.devices.is_empty(), cg.dir("devices")) {
        for (file, line) in Policy::from_rules(&res.devices).v1_writes() {
            let path = dir.join(file);
            fs.write(&path, &line).map_err(|e| {
                CgroupError::Other(format!("writing {line:?} to {}: {e}", path.display()))
            })?;
        }
    }
    Ok(())
}

/// The memory controller's limits but `--oom-kill-disable`.
fn apply_memory(fs: &dyn CgroupFs, dir: &Path, res: &Resources) -> Result<()> {
    set_memory_and_swap(fs, dir, res)?;
    if let Some(r) = res.memory_reservation.filter(|&r| r != 0) {
        let v = r.to_string();
        write_limit(
            fs,
            "--memory-reservation",
            dir,
            "memory.soft_limit_in_bytes",
            &v,
        )?;
    }
    if let Some(s) = res.memory_swappiness {
        let v = s.to_string();
        write_limit(fs, "--memory-swappiness", dir, "memory.swappiness", &v)?;
    }
    if let Some(k) = res.kernel_memory.filter(|&k| k != 0) {
        let v = k.to_string();
        write_limit(fs, "--kernel-memory", dir, "memory.kmem.limit_in_bytes", &v)?;
    }
    Ok(())
}

/// memory.limit_in_bytes and memory.memsw.limit_in_bytes, in the order the
/// kernel accepts (memory <= memsw at every step), as runc.
fn set_memory_and_swap(fs: &dyn CgroupFs, dir: &Path, res: &Resources) -> Result<()> {
    let mem = res.memory.filter(|&m| m != 0);
    let mut swap = res.memory_swap.filter(|&s| s != 0);
    let has_memsw = fs.exists(&dir.join("memory.memsw.limit_in_bytes"));
    if mem == Some(-1) && swap.is_none() && has_memsw {
        swap = Some(-1); // docker: unlimited memory means unlimited swap too
    }
    if let Some(s) = swap {
        if !has_memsw {
            if s > 0 {
                return Err(limit(
                    "--memory-swap",
                    "swap accounting is not enabled in this kernel (no memory.memsw.limit_in_bytes; boot with swapaccount=1)"
                        .into(),
                ));
            }
            swap = None; // unlimited is all there is
        }
    }
    let write_mem =
        |m: i64| write_limit(fs, "--memory", dir, "memory.limit_in_bytes", &m.to_string());
    let write_swap = |s: i64| {
        write_limit(
            fs,
            "--memory-swap",
            dir,
            "memory.memsw.limit_in_bytes",
            &s.to_string(),
        )
    };
    match (mem, swap) {
        (Some(m), Some(s)) => {
            let cur: i128 = read_trimmed(fs, &dir.join("memory.limit_in_bytes"))?
                .parse()
                .unwrap_or(i128::MAX);
            if s == -1 || cur < i128::from(s) {
                write_swap(s)?;
                write_mem(m)?;
            } else {
                write_mem(m)?;
                write_swap(s)?;
            }
        }
        (Some(m), None) => write_mem(m)?,
        (None, Some(s)) => write_swap(s)?,
        (None, None) => {}
    }
    Ok(())
}

/// cpu.cfs_period_us and cpu.cfs_quota_us, with runc's retry: a smaller
/// period can be refused (EINVAL) until the new quota is in place.
fn set_cfs(fs: &dyn CgroupFs, dir: &Path, res: &Resources) -> Result<()> {
    let (period, quota, flag) = res.cfs();
    let period_flag = if flag == "--cpus" {
        "--cpus"
    } else {
        "--cpu-period"
    };
    let period_path = dir.join("cpu.cfs_period_us");
    let mut retry_period = None;
    if let Some(p) = period {
        let v = p.to_string();
        match fs.write(&period_path, &v) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) && quota.is_some() => {
                retry_period = Some(v)
            }
            Err(e) => return Err(limit_write_error(period_flag, &period_path, &v, e)),
        }
    }
    if let Some(q) = quota {
        write_limit(fs, flag, dir, "cpu.cfs_quota_us", &q.to_string())?;
        if let Some(v) = retry_period {
            write_limit(fs, period_flag, dir, "cpu.cfs_period_us", &v)?;
        }
    }
    Ok(())
}

fn freezer(cg: &Cgroup) -> Result<&Path> {
    cg.dir("freezer")
        .ok_or_else(|| CgroupError::Other("the freezer cgroup controller is not available".into()))
}

pub(super) fn set_frozen(cg: &Cgroup, frozen: bool) -> Result<()> {
    let fs = cg.fs.as_ref();
    let dir = freezer(cg)?;
    let state = dir.join("freezer.state");
    let want = if frozen { "FROZEN" } else { "THAWED" };
    // FREEZING can stick when a task is in an uninterruptible sleep;
    // writing FROZEN again retries, as runc does.
    let done = wait_until(|| {
        fs.write(&state, want).map_err(io_err("writing", &state))?;
        Ok(read_trimmed(fs, &state)? == want)
    })?;
    if done {
        return Ok(());
    }
    if frozen {
        let _ = fs.write(&state, "THAWED");
    }
    Err(CgroupError::Other(format!(
        "timed out waiting for cgroup {} to become {want}",
        dir.display()
    )))
}

pub(super) fn is_frozen(cg: &Cgroup) -> Result<bool> {
    let dir = freezer(cg)?;
    Ok(read_trimmed(cg.fs.as_ref(), &dir.join("freezer.state"))? == "FROZEN")
}

pub(super) fn kill_all(cg: &Cgroup, sig: i32) -> Result<()> {
    let can_freeze = cg.dir("freezer").is_some_and(|d| cg.fs.exists(d));
    let was_frozen = can_freeze && is_frozen(cg).unwrap_or(false);
    // Frozen, nothing forks between reading the pids and signalling them.
    let froze = can_freeze && !was_frozen && set_frozen(cg, true).is_ok();
    let result = cg.signal_pids(sig);
    // Thaw what we froze; a paused container is thawed for SIGKILL only,
    // since frozen tasks cannot die.
    if froze || (was_frozen && sig == libc::SIGKILL) {
        set_frozen(cg, false)?;
    }
    result
}

fn read_u64(fs: &dyn CgroupFs, path: &Path) -> Option<u64> {
    fs.read(path).ok()?.trim().parse().ok()
}

pub(super) fn stats(cg: &Cgroup) -> Result<Stats> {
    let fs = cg.fs.as_ref();
    let mut st = Stats::default();
    if let Some(d) = cg.dir("memory") {
        st.memory_usage = read_u64(fs, &d.join("memory.usage_in_bytes"));
        st.memory_limit =
            read_u64(fs, &d.join("memory.limit_in_bytes")).filter(|&l| l < MEMORY_UNLIMITED);
        st.memory_max_usage = read_u64(fs, &d.join("memory.max_usage_in_bytes"));
        if let Ok(t) = fs.read(&d.join("memory.stat")) {
            st.memory_stat = parse_flat_keyed(&t);
        }
    }
    if let Some(d) = cg.dir("cpuacct") {
        st.cpu_usage_ns = read_u64(fs, &d.join("cpuacct.usage"));
        st.cpu_user_ns = read_u64(fs, &d.join("cpuacct.usage_user"));
        st.cpu_system_ns = read_u64(fs, &d.join("cpuacct.usage_sys"));
    }
    if let Some(d) = cg.dir("pids") {
        st.pids_current = read_u64(fs, &d.join("pids.current"));
        st.pids_limit = read_u64(fs, &d.join("pids.max"));
    }
    if let Some(d) = cg.dir("blkio") {
        let text = [
            "blkio.throttle.io_service_bytes_recursive",
            "blkio.io_service_bytes_recursive",
        ]
        .iter()
        .find_map(|f| fs.read(&d.join(f)).ok());
        if let Some(text) = text {
            let (mut r, mut w) = (0u64, 0u64);
            for line in text.lines() {
                let f: Vec<&str> = line.split_whitespace().collect();
                if let [_, op, v] = f[..] {
                    let v: u64 = v.parse().unwrap_or(0);
                    match op {
                        "Read" => r = r.saturating_add(v),
                        "Write" => w = w.saturating_add(v),
                        _ => {}
                    }
                }
            }
            st.io_read_bytes = Some(r);
            st.io_write_bytes = Some(w);
        }
    }
    Ok(st)
}

#[cfg(test)]
mod fake_tests;

/// Real cgroup v1 on this host, beneath the test process's own cgroups.
/// Skipped (with a message) when not root or not on v1.
#[cfg(test)]
mod host_tests;
