//! cgroup v1: one leaf per hierarchy (memory, cpu+cpuacct, cpuset, pids,
//! blkio, freezer, devices).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::devices::Policy;
use super::{
    io_err, is_permission, limit_write_error, make_dirs, nearest_existing, parse_flat_keyed,
    read_trimmed, remove_created, wait_until, write_limit, Cgroup, CgroupError, CgroupFs, Leaf,
    OwnCgroups, Parent, Request, Resources, Result, Stats, Version, V1_CONTROLLERS,
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
    for r in &reqs {
        if !controllers.contains_key(r.v1) {
            return Err(limit(
                r.flag,
                format!("the {} cgroup controller is not available", r.v1),
            ));
        }
    }
    // mount point -> the controllers there (ours first decide which).
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
        let own_path = ctrls.iter().find_map(|c| own.v1_path(c));
        let Some((base, comps)) = parent.base(mount, own_path) else {
            let reason = format!(
                "the invoking process is in no cgroup of the {} hierarchy",
                ctrls.join(",")
            );
            if let Some(r) = needed_by {
                return fail(&all_created, limit(r.flag, reason));
            }
            warnings.push(reason.clone());
            for c in ctrls {
                skipped.insert(c.clone(), reason.clone());
            }
            continue;
        };
        if !fsr.exists(&base) {
            let e = CgroupError::Other(format!("cgroup {} does not exist", base.display()));
            return fail(&all_created, e);
        }
        let (anchor, missing) = nearest_existing(fsr, &base, &comps);
        let mut created = Vec::new();
        let path = match make_dirs(fsr, &anchor, &missing, leaf, &mut created) {
            Ok(p) => p,
            Err(CgroupError::Io { source, path, .. }) if is_permission(&source) => {
                remove_created(fsr, &created);
                let reason = format!(
                    "permission denied creating cgroup {} (rootless containers cannot set limits on cgroup v1)",
                    path.display()
                );
                if let Some(r) = needed_by {
                    return fail(&all_created, limit(r.flag, reason));
                }
                if !parent.is_default() {
                    let e = CgroupError::Other(format!("--cgroup-parent: {reason}"));
                    return fail(&all_created, e);
                }
                warnings.push(format!(
                    "{reason}; the container stays in skiff's own {} cgroup",
                    ctrls.join(",")
                ));
                for c in ctrls {
                    skipped.insert(c.clone(), reason.clone());
                }
                continue;
            }
            Err(e) => {
                remove_created(fsr, &created);
                return fail(&all_created, e);
            }
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
mod fake_tests {
    //! v1 logic against the fake cgroupfs.
    use super::super::fs::fake::{v1_root, FakeFs};
    use super::super::*;
    use std::fs;
    use std::path::PathBuf;
    use std::sync::Arc;

    struct Env {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        fake: Arc<FakeFs>,
        layout: Layout,
        own: OwnCgroups,
    }

    const UNLIMITED: &str = "9223372036854771712\n";

    impl Env {
        /// memory (own cgroup /sup/x, with or without memsw), cpu,cpuacct
        /// co-mounted, cpuset, pids, freezer, blkio (no weight file).
        fn new(memsw: bool) -> Env {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().to_path_buf();
            let mut mem = vec![
                ("memory.limit_in_bytes", UNLIMITED),
                ("memory.soft_limit_in_bytes", UNLIMITED),
                ("memory.usage_in_bytes", "8192\n"),
                ("memory.max_usage_in_bytes", "9000\n"),
                ("memory.swappiness", "60\n"),
                ("memory.oom_control", "oom_kill_disable 0\n"),
                ("memory.stat", "cache 100\ntotal_inactive_file 4096\n"),
            ];
            if memsw {
                mem.push(("memory.memsw.limit_in_bytes", UNLIMITED));
            }
            v1_root(&root.join("memory"), "memory", &mem);
            v1_root(
                &root.join("cpu,cpuacct"),
                "cpu,cpuacct",
                &[
                    ("cpu.shares", "1024\n"),
                    ("cpu.cfs_period_us", "100000\n"),
                    ("cpu.cfs_quota_us", "-1\n"),
                    ("cpuacct.usage", "5000\n"),
                ],
            );
            v1_root(
                &root.join("cpuset"),
                "cpuset",
                &[("cpuset.cpus", "0-1\n"), ("cpuset.mems", "0\n")],
            );
            v1_root(&root.join("pids"), "pids", &[("pids.current", "3\n")]);
            v1_root(&root.join("freezer"), "freezer", &[]);
            v1_root(&root.join("blkio"), "blkio", &[("blkio.reset_stats", "")]);
            let fake = Arc::new(FakeFs::new(&root));
            // the supervisor's memory cgroup, which holds us
            fake.mkdir(&root.join("memory/sup")).unwrap();
            fake.mkdir(&root.join("memory/sup/x")).unwrap();
            fs::write(root.join("memory/sup/x/cgroup.procs"), "1\n").unwrap();
            let mut controllers = BTreeMap::new();
            for (c, d) in [
                ("memory", "memory"),
                ("cpu", "cpu,cpuacct"),
                ("cpuacct", "cpu,cpuacct"),
                ("cpuset", "cpuset"),
                ("pids", "pids"),
                ("freezer", "freezer"),
                ("blkio", "blkio"),
                ("name=systemd", "systemd"),
            ] {
                controllers.insert(c.to_string(), root.join(d));
            }
            let mut own = OwnCgroups::default();
            for c in controllers.keys() {
                own.v1.insert(c.clone(), "/".into());
            }
            own.v1.insert("memory".into(), "/sup/x".into());
            Env {
                _tmp: tmp,
                root,
                fake,
                layout: Layout::V1 { controllers },
                own,
            }
        }

        fn create(&self, id: &str, parent: Option<&str>, res: &Resources) -> Result<Cgroup> {
            Cgroup::create_with(self.fake.clone(), &self.layout, &self.own, id, parent, res)
        }

        fn read(&self, rel: &str) -> String {
            fs::read_to_string(self.root.join(rel))
                .unwrap_or_else(|e| panic!("{rel}: {e}"))
                .trim()
                .to_string()
        }

        /// Every skiff dir anywhere.
        fn skiff_dirs(&self) -> Vec<String> {
            fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
                for e in fs::read_dir(dir).unwrap().flatten() {
                    if e.path().is_dir() {
                        let rel = e.path().strip_prefix(base).unwrap().display().to_string();
                        if rel.contains("skiff") || rel.contains("par") {
                            out.push(rel);
                        }
                        walk(base, &e.path(), out);
                    }
                }
            }
            let mut v = Vec::new();
            walk(&self.root, &self.root, &mut v);
            v.sort();
            v
        }
    }

    #[test]
    fn create_beneath_own_cgroups_and_apply() {
        let env = Env::new(true);
        let res = Resources {
            memory: Some(64 << 20),
            memory_swap: Some(128 << 20),
            memory_reservation: Some(16 << 20),
            memory_swappiness: Some(0),
            oom_kill_disable: Some(true),
            nano_cpus: Some(500_000_000),
            cpu_shares: Some(512),
            cpuset_mems: Some("0".into()),
            pids_limit: Some(0),
            ..Default::default()
        };
        let cg = env.create("v1", None, &res).unwrap();
        let mut paths = cg.paths();
        paths.sort();
        let want: Vec<PathBuf> = [
            "blkio/skiff-v1",
            "cpu,cpuacct/skiff-v1",
            "cpuset/skiff-v1",
            "freezer/skiff-v1",
            "memory/sup/x/skiff-v1",
            "pids/skiff-v1",
        ]
        .iter()
        .map(|p| env.root.join(p))
        .collect();
        assert_eq!(paths, want);
        assert_eq!(
            cg.dir("cpuacct"),
            Some(env.root.join("cpu,cpuacct/skiff-v1").as_path())
        );
        let m = "memory/sup/x/skiff-v1/";
        assert_eq!(env.read(&format!("{m}memory.limit_in_bytes")), "67108864");
        assert_eq!(
            env.read(&format!("{m}memory.memsw.limit_in_bytes")),
            "134217728"
        );
        assert_eq!(
            env.read(&format!("{m}memory.soft_limit_in_bytes")),
            "16777216"
        );
        assert_eq!(env.read(&format!("{m}memory.swappiness")), "0");
        assert_eq!(env.read(&format!("{m}memory.oom_control")), "1");
        assert_eq!(env.read("cpu,cpuacct/skiff-v1/cpu.cfs_quota_us"), "50000");
        assert_eq!(env.read("cpu,cpuacct/skiff-v1/cpu.cfs_period_us"), "100000");
        assert_eq!(env.read("cpu,cpuacct/skiff-v1/cpu.shares"), "512");
        assert_eq!(env.read("cpuset/skiff-v1/cpuset.cpus"), "0-1"); // copied
        assert_eq!(env.read("cpuset/skiff-v1/cpuset.mems"), "0");
        assert_eq!(env.read("pids/skiff-v1/pids.max"), "max");
        // memory before memsw from unlimited (the fake enforces the order)
        assert_eq!(
            env.fake.writes_to("memory.limit_in_bytes"),
            vec!["67108864"]
        );

        // docker update raising both: memsw must go first
        cg.update(&Resources {
            memory: Some(256 << 20),
            memory_swap: Some(512 << 20),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(env.read(&format!("{m}memory.limit_in_bytes")), "268435456");
        // and lowering: memory first
        cg.update(&Resources {
            memory: Some(32 << 20),
            memory_swap: Some(48 << 20),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            env.read(&format!("{m}memory.memsw.limit_in_bytes")),
            "50331648"
        );

        // the supervisor's cgroup was never written
        for (p, _) in env.fake.writes.lock().unwrap().iter() {
            assert!(
                p.parent().unwrap().file_name().unwrap() == "skiff-v1",
                "{}",
                p.display()
            );
        }
        cg.destroy().unwrap();
        assert!(env.skiff_dirs().is_empty(), "{:?}", env.skiff_dirs());
        assert!(env.root.join("memory/sup/x").is_dir());
    }

    #[test]
    fn missing_memsw_and_blkio_weight_are_errors() {
        let env = Env::new(false);
        let res = Resources {
            memory: Some(64 << 20),
            memory_swap: Some(128 << 20),
            ..Default::default()
        };
        let err = env.create("s", None, &res).unwrap_err().to_string();
        assert!(
            err.starts_with("--memory-swap: swap accounting is not enabled"),
            "{err}"
        );
        assert!(env.skiff_dirs().is_empty(), "{:?}", env.skiff_dirs());
        // -1 (unlimited) is fine without memsw
        let cg = env
            .create(
                "s",
                None,
                &Resources {
                    memory: Some(64 << 20),
                    memory_swap: Some(-1),
                    ..Default::default()
                },
            )
            .unwrap();
        cg.destroy().unwrap();
        let err = env
            .create(
                "b",
                None,
                &Resources {
                    blkio_weight: Some(300),
                    ..Default::default()
                },
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--blkio-weight: the blkio controller has no weight file"),
            "{err}"
        );
        assert!(env.skiff_dirs().is_empty(), "{:?}", env.skiff_dirs());
    }

    #[test]
    fn unmounted_controller_fails_before_creating() {
        let mut env = Env::new(true);
        if let Layout::V1 { controllers } = &mut env.layout {
            controllers.remove("pids");
        }
        let err = env
            .create(
                "p",
                None,
                &Resources {
                    pids_limit: Some(5),
                    ..Default::default()
                },
            )
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "--pids-limit: the pids cgroup controller is not available"
        );
        assert!(env.fake.writes.lock().unwrap().is_empty());
        assert!(env.skiff_dirs().is_empty());
    }

    #[test]
    fn rootless_skips_hierarchies_unless_a_limit_needs_them() {
        let env = Env::new(true);
        *env.fake.mkdir_errno.lock().unwrap() = Some(libc::EACCES);
        let cg = env.create("r", None, &Resources::default()).unwrap();
        assert!(cg.is_empty());
        assert_eq!(cg.warnings().len(), 6, "{:?}", cg.warnings());
        assert!(cg.warnings()[0].contains("permission denied"));
        let err = env
            .create(
                "r2",
                None,
                &Resources {
                    memory: Some(64 << 20),
                    ..Default::default()
                },
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--memory: permission denied creating cgroup"),
            "{err}"
        );
        assert!(err.contains("rootless"), "{err}");
    }

    #[test]
    fn parent_dirs_get_cpuset_and_go_away() {
        let env = Env::new(true);
        let cg = env
            .create("n", Some("par/deep"), &Resources::default())
            .unwrap();
        assert_eq!(env.read("cpuset/par/cpuset.cpus"), "0-1");
        assert_eq!(env.read("cpuset/par/deep/cpuset.cpus"), "0-1");
        assert_eq!(env.read("cpuset/par/deep/skiff-n/cpuset.mems"), "0");
        assert!(env.root.join("memory/sup/x/par/deep/skiff-n").is_dir());
        let reloaded = Cgroup::from_paths_with(env.fake.clone(), cg.paths());
        assert_eq!(reloaded.version(), Version::V1);
        assert!(reloaded.dir("freezer").is_some());
        assert!(reloaded.dir("cpuacct").is_some());
        reloaded.destroy().unwrap();
        assert!(env.skiff_dirs().is_empty(), "{:?}", env.skiff_dirs());
    }

    impl Env {
        /// Adds a devices hierarchy (allow-all at the root, as the kernel).
        fn with_devices(mut self) -> Env {
            let dir = self.root.join("devices");
            v1_root(
                &dir,
                "devices",
                &[
                    ("devices.allow", ""),
                    ("devices.deny", ""),
                    ("devices.list", "a *:* rwm\n"),
                ],
            );
            if let Layout::V1 { controllers } = &mut self.layout {
                controllers.insert("devices".into(), dir);
            }
            self.own.v1.insert("devices".into(), "/".into());
            self
        }
    }

    #[test]
    fn device_rules_are_written_before_anyone_joins() {
        use super::super::devices::{docker_rules, parse_rule};
        let env = Env::new(true).with_devices();
        let extra = [parse_rule(true, "c 10:237 r").unwrap()];
        let res = Resources {
            devices: docker_rules(false, &extra),
            ..Default::default()
        };
        let cg = env.create("d", None, &res).unwrap();
        let dir = cg.dir("devices").unwrap().to_path_buf();
        assert_eq!(dir, env.root.join("devices/skiff-d"));
        // deny-all first, then each exception
        let writes: Vec<(String, String)> = env
            .fake
            .writes
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p.starts_with(&dir))
            .map(|(p, d)| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    d.clone(),
                )
            })
            .collect();
        assert_eq!(writes[0], ("devices.deny".to_string(), "a".to_string()));
        assert!(writes[1..].iter().all(|(f, _)| f == "devices.allow"));
        let list = env.read("devices/skiff-d/devices.list");
        let list: Vec<&str> = list.lines().collect();
        assert_eq!(list[..6], super::super::devices::tests::DOCKER_V1_LIST[..6]);
        assert_eq!(list[6], "c 10:237 r");
        assert_eq!(list.len(), 13);
        // nobody is in the cgroup while the rules go in
        assert_eq!(env.read("devices/skiff-d/cgroup.procs"), "");
        // the root's list is untouched; update leaves devices alone
        assert_eq!(env.read("devices/devices.list"), "a *:* rwm");
        let before = (
            env.fake.writes_to("devices.allow"),
            env.fake.writes_to("devices.deny"),
        );
        cg.update(&Resources {
            pids_limit: Some(5),
            ..Default::default()
        })
        .unwrap();
        let after = (
            env.fake.writes_to("devices.allow"),
            env.fake.writes_to("devices.deny"),
        );
        assert_eq!(before, after);

        let cg = env
            .create(
                "p",
                None,
                &Resources {
                    devices: docker_rules(true, &[]),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(env.read("devices/skiff-p/devices.list"), "a *:* rwm");
        assert_eq!(env.fake.writes_to("devices.allow").last().unwrap(), "a");
        cg.destroy().unwrap();
    }

    #[test]
    fn a_refused_device_rule_names_it_and_leaves_nothing() {
        use super::super::devices::docker_rules;
        let env = Env::new(true).with_devices();
        env.fake.reject("devices.allow", libc::EPERM);
        let err = env
            .create(
                "d",
                None,
                &Resources {
                    devices: docker_rules(false, &[]),
                    ..Default::default()
                },
            )
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("writing \"c 1:5 rwm\" to "), "{err}");
        assert!(err.contains("skiff-d/devices.allow"), "{err}");
        assert!(env.skiff_dirs().is_empty(), "{:?}", env.skiff_dirs());
    }

    #[test]
    fn kill_all_freezes_signals_thaws() {
        let env = Env::new(true);
        let cg = env.create("k", None, &Resources::default()).unwrap();
        cg.add_task(31).unwrap();
        assert_eq!(env.read("memory/sup/x/skiff-k/cgroup.procs"), "31");
        assert_eq!(cg.pids().unwrap(), vec![31]);
        cg.kill_all(libc::SIGTERM).unwrap();
        assert_eq!(*env.fake.kills.lock().unwrap(), vec![(31, libc::SIGTERM)]);
        assert_eq!(
            env.fake.writes_to("freezer.state"),
            vec!["FROZEN", "THAWED"]
        );
        // paused: a SIGTERM leaves it paused, SIGKILL thaws
        cg.freeze().unwrap();
        cg.kill_all(libc::SIGTERM).unwrap();
        assert!(cg.is_frozen().unwrap());
        cg.kill_all(libc::SIGKILL).unwrap();
        assert!(!cg.is_frozen().unwrap());
        let st = cg.stats().unwrap();
        assert_eq!(st.memory_limit, None);
        cg.destroy().unwrap();
        assert!(env.skiff_dirs().is_empty());
    }
}

/// Real cgroup v1 on this host, beneath the test process's own cgroups.
/// Skipped (with a message) when not root or not on v1.
#[cfg(test)]
mod host_tests {
    use super::super::*;
    use std::process::{Child, Command};
    use std::sync::atomic::{AtomicU32, Ordering};

    fn unique(tag: &str) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        format!(
            "test-{tag}-{}-{}-{nanos:x}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// The host's v1 layout, or None (with the reason printed).
    fn host() -> Option<(Layout, OwnCgroups)> {
        if rustix::process::geteuid().as_raw() != 0 {
            crate::util::test_skip("cgroup v1 host tests need root");
            return None;
        }
        let (layout, own) = match detect_from(
            &std::fs::read_to_string("/proc/self/mountinfo").unwrap(),
            &std::fs::read_to_string("/proc/self/cgroup").unwrap(),
        ) {
            Ok(x) => x,
            Err(e) => {
                crate::util::test_skip(&e.to_string());
                return None;
            }
        };
        let Layout::V1 { controllers } = &layout else {
            crate::util::test_skip("the host is not on cgroup v1");
            return None;
        };
        for c in ["memory", "cpu", "pids", "freezer", "cpuset"] {
            if !controllers.contains_key(c) {
                crate::util::test_skip(&format!("the {c} cgroup controller is not mounted"));
                return None;
            }
        }
        Some((layout, own))
    }

    /// Kills the child and destroys the cgroup even when the test fails.
    #[derive(Default)]
    struct Guard {
        cg: Option<Cgroup>,
        child: Option<Child>,
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            if let Some(c) = self.child.as_mut() {
                let _ = c.kill();
            }
            // destroy thaws a frozen cgroup, so the SIGKILL can land
            if let Some(cg) = &self.cg {
                if let Err(e) = cg.destroy() {
                    eprintln!("cleanup: {e}");
                }
            }
            if let Some(c) = self.child.as_mut() {
                // bounded: never hang a failing test on a stuck child
                for _ in 0..500 {
                    if !matches!(c.try_wait(), Ok(None)) {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
            }
        }
    }

    fn sleep30() -> Child {
        Command::new("sleep").arg("30").spawn().unwrap()
    }

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .trim()
            .to_string()
    }

    /// The dir of `leaf` name in every hierarchy we use.
    fn expected_dirs(layout: &Layout, own: &OwnCgroups, sub: &str) -> Vec<PathBuf> {
        let Layout::V1 { controllers } = layout else {
            unreachable!()
        };
        let mut v: Vec<PathBuf> = V1_CONTROLLERS
            .iter()
            .filter_map(|c| {
                let m = controllers.get(*c)?;
                let own = own.v1.get(*c)?.trim_start_matches('/');
                Some(m.join(own).join(sub))
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn limits_tasks_freeze_kill_destroy() {
        let Some((layout, own)) = host() else { return };
        assert_eq!(detect().unwrap(), layout);
        let id = unique("full");
        let res = Resources {
            memory: Some(64 << 20),
            nano_cpus: Some(500_000_000),
            pids_limit: Some(20),
            ..Default::default()
        };
        let mut g = Guard::default();
        let cg = Cgroup::create_in(&layout, &own, &id, None, &res).unwrap();
        g.cg = Some(cg.clone());
        let leaf = format!("skiff-{id}");
        let mut paths = cg.paths();
        paths.sort();
        assert_eq!(paths, expected_dirs(&layout, &own, &leaf));

        let mem = cg.dir("memory").unwrap();
        assert_eq!(read(&mem.join("memory.limit_in_bytes")), "67108864");
        assert_eq!(
            read(&cg.dir("cpu").unwrap().join("cpu.cfs_quota_us")),
            "50000"
        );
        assert_eq!(
            read(&cg.dir("cpu").unwrap().join("cpu.cfs_period_us")),
            "100000"
        );
        assert_eq!(read(&cg.dir("pids").unwrap().join("pids.max")), "20");
        let cpuset = cg.dir("cpuset").unwrap();
        assert_eq!(
            read(&cpuset.join("cpuset.cpus")),
            read(&cpuset.parent().unwrap().join("cpuset.cpus"))
        );

        g.child = Some(sleep30());
        let pid = g.child.as_ref().unwrap().id() as i32;
        cg.add_task(pid).unwrap();
        let proc_cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
        let mine = OwnCgroups::parse(&proc_cg).unwrap();
        let own_mem = own.v1["memory"].trim_end_matches('/');
        assert_eq!(mine.v1["memory"], format!("{own_mem}/{leaf}"));
        for c in ["cpu", "pids", "freezer", "cpuset", "blkio", "devices"] {
            if let Some(p) = mine.v1.get(c) {
                assert!(p.ends_with(&format!("/{leaf}")), "{c}: {p}");
            }
        }
        // the test process itself stayed where it was
        assert_eq!(OwnCgroups::current().unwrap().v1, own.v1);

        assert_eq!(cg.pids().unwrap(), vec![pid]);
        let st = cg.stats().unwrap();
        assert_eq!(st.pids_current, Some(1));
        assert_eq!(st.pids_limit, Some(20));
        assert_eq!(st.memory_limit, Some(64 << 20));
        assert!(st.cpu_usage_ns.is_some());

        cg.freeze().unwrap();
        assert!(cg.is_frozen().unwrap());
        assert_eq!(
            read(&cg.dir("freezer").unwrap().join("freezer.state")),
            "FROZEN"
        );
        cg.thaw().unwrap();
        assert!(!cg.is_frozen().unwrap());

        cg.update(&Resources {
            memory: Some(128 << 20),
            pids_limit: Some(-1),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(read(&mem.join("memory.limit_in_bytes")), "134217728");
        assert_eq!(read(&cg.dir("pids").unwrap().join("pids.max")), "max");

        cg.kill_all(libc::SIGKILL).unwrap();
        let status = g.child.take().unwrap().wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        cg.destroy().unwrap();
        for p in &paths {
            assert!(!p.exists(), "{} still exists", p.display());
        }
        cg.destroy().unwrap(); // idempotent
    }

    #[test]
    fn swap_order_on_the_real_kernel() {
        let Some((layout, own)) = host() else { return };
        let id = unique("swap");
        let mut g = Guard::default();
        let res = Resources {
            memory: Some(64 << 20),
            memory_swap: Some(128 << 20),
            ..Default::default()
        };
        let cg = match Cgroup::create_in(&layout, &own, &id, None, &res) {
            Ok(cg) => cg,
            Err(e) if e.to_string().contains("swap accounting") => {
                eprintln!("skipping: {e}");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        g.cg = Some(cg.clone());
        let mem = cg.dir("memory").unwrap();
        assert_eq!(read(&mem.join("memory.memsw.limit_in_bytes")), "134217728");
        // raising both needs memsw first; lowering needs memory first
        cg.update(&Resources {
            memory: Some(256 << 20),
            memory_swap: Some(512 << 20),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(read(&mem.join("memory.limit_in_bytes")), "268435456");
        assert_eq!(read(&mem.join("memory.memsw.limit_in_bytes")), "536870912");
        cg.update(&Resources {
            memory: Some(32 << 20),
            memory_swap: Some(48 << 20),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(read(&mem.join("memory.limit_in_bytes")), "33554432");
        assert_eq!(read(&mem.join("memory.memsw.limit_in_bytes")), "50331648");
    }

    #[test]
    fn kernel_rejection_leaves_nothing() {
        let Some((layout, own)) = host() else { return };
        let id = unique("reject");
        let res = Resources {
            memory: Some(64 << 20),
            cpuset_cpus: Some("999".into()),
            ..Default::default()
        };
        let err = Cgroup::create_in(&layout, &own, &id, None, &res).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("--cpuset-cpus: the kernel rejected \"999\""),
            "{msg}"
        );
        for p in expected_dirs(&layout, &own, &format!("skiff-{id}")) {
            assert!(!p.exists(), "{} left behind", p.display());
        }
    }

    #[test]
    fn destroy_kills_remaining_tasks_and_removes_parents() {
        let Some((layout, own)) = host() else { return };
        let id = unique("busy");
        let parent = unique("par");
        let mut g = Guard::default();
        let cg = Cgroup::create_in(
            &layout,
            &own,
            &id,
            Some(&format!("{parent}/deeper")),
            &Resources::default(),
        )
        .unwrap();
        g.cg = Some(cg.clone());
        let paths = cg.paths();
        assert!(paths
            .iter()
            .any(|p| p.ends_with(format!("{parent}/deeper"))));
        let Layout::V1 { controllers } = &layout else {
            unreachable!()
        };
        let own_mem = controllers["memory"].join(own.v1["memory"].trim_start_matches('/'));
        assert_eq!(
            cg.dir("memory").unwrap(),
            own_mem
                .join(&parent)
                .join("deeper")
                .join(format!("skiff-{id}"))
        );
        g.child = Some(sleep30());
        let pid = g.child.as_ref().unwrap().id() as i32;
        cg.add_task(pid).unwrap();
        // destroy with the process still running: it is killed first
        cg.destroy().unwrap();
        let status = g.child.take().unwrap().wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        for p in &paths {
            assert!(!p.exists(), "{} still exists", p.display());
        }
        // reloading from the paths and destroying again is fine
        Cgroup::from_paths(paths).destroy().unwrap();
    }
}
