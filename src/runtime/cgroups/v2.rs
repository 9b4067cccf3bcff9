//! cgroup v2 (unified): one leaf; controllers enabled top-down in
//! `cgroup.subtree_control` (see the module docs of `cgroups` for which
//! cgroups are written).

use std::path::Path;
use std::sync::Arc;

use super::bpf::device_program;
use super::devices::{DeviceRule, Policy};
use super::{
    blkio_to_io_weight, controller_set, is_permission, make_dirs, nearest_existing,
    parse_flat_keyed, read_trimmed, remove_created, shares_to_weight, wait_until, write_limit,
    Cgroup, CgroupError, CgroupFs, Leaf, OwnCgroups, Parent, Request, Resources, Result, Stats,
    Version,
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

    // memory: swap first, as runc.
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

    // cpu
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
mod tests {
    use super::super::fs::fake::{v2_root, FakeFs};
    use super::super::*;
    use std::fs;
    use std::path::PathBuf;
    use std::sync::Arc;

    struct Env {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        fake: Arc<FakeFs>,
    }

    impl Env {
        fn new(controllers: &str) -> Env {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().join("cg");
            v2_root(&root, controllers);
            let fake = Arc::new(FakeFs::new(&root));
            Env {
                _tmp: tmp,
                root,
                fake,
            }
        }

        /// A cgroup that exists before skiff runs, below a root that
        /// delegates every controller.
        fn existing(&self, name: &str) {
            let all = fs::read_to_string(self.root.join("cgroup.controllers")).unwrap();
            fs::write(self.root.join("cgroup.subtree_control"), all.trim()).unwrap();
            self.fake.mkdir(&self.root.join(name)).unwrap();
        }

        fn layout(&self) -> Layout {
            Layout::V2 {
                mount: self.root.clone(),
            }
        }

        fn own(path: &str) -> OwnCgroups {
            OwnCgroups {
                v2: Some(path.into()),
                ..Default::default()
            }
        }

        fn create(
            &self,
            own: &str,
            id: &str,
            parent: Option<&str>,
            res: &Resources,
        ) -> Result<Cgroup> {
            Cgroup::create_with(
                self.fake.clone(),
                &self.layout(),
                &Env::own(own),
                id,
                parent,
                res,
            )
        }

        fn read(&self, rel: &str) -> String {
            fs::read_to_string(self.root.join(rel))
                .unwrap_or_else(|e| panic!("{rel}: {e}"))
                .trim()
                .to_string()
        }

        /// Every dir below the root, relative, sorted.
        fn dirs(&self) -> Vec<String> {
            fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
                for e in fs::read_dir(dir).unwrap().flatten() {
                    if e.path().is_dir() {
                        out.push(e.path().strip_prefix(base).unwrap().display().to_string());
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

    fn all_limits() -> Resources {
        Resources {
            memory: Some(64 << 20),
            memory_swap: Some(96 << 20),
            memory_reservation: Some(32 << 20),
            nano_cpus: Some(500_000_000),
            cpu_shares: Some(512),
            cpuset_cpus: Some("0".into()),
            cpuset_mems: Some("0".into()),
            pids_limit: Some(20),
            blkio_weight: Some(500),
            ..Default::default()
        }
    }

    #[test]
    fn create_in_root_writes_every_file() {
        let env = Env::new("cpuset cpu io memory hugetlb pids");
        let cg = env.create("/", "c1", None, &all_limits()).unwrap();
        assert_eq!(cg.version(), Version::V2);
        assert_eq!(cg.paths(), vec![env.root.join("skiff-c1")]);
        // needed controllers plus the extras; hugetlb untouched
        assert_eq!(
            env.read("cgroup.subtree_control"),
            "cpu cpuset io memory pids"
        );
        assert_eq!(env.read("skiff-c1/memory.max"), "67108864");
        assert_eq!(
            env.read("skiff-c1/memory.swap.max"),
            (32u64 << 20).to_string()
        );
        assert_eq!(env.read("skiff-c1/memory.low"), "33554432");
        assert_eq!(env.read("skiff-c1/cpu.max"), "50000 100000");
        assert_eq!(env.read("skiff-c1/cpu.weight"), "20"); // 1 + 510*9999/262142
        assert_eq!(env.read("skiff-c1/cpuset.cpus"), "0");
        assert_eq!(env.read("skiff-c1/cpuset.mems"), "0");
        assert_eq!(env.read("skiff-c1/pids.max"), "20");
        assert_eq!(env.read("skiff-c1/io.weight"), "4950");
        // swap is written before memory.max, as runc
        let files: Vec<String> = env
            .fake
            .writes
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let pos = |f: &str| files.iter().position(|x| x == f).unwrap();
        assert!(pos("memory.swap.max") < pos("memory.max"));
        // nothing outside the root's subtree_control and the leaf was written
        for (p, _) in env.fake.writes.lock().unwrap().iter() {
            assert!(
                p.starts_with(env.root.join("skiff-c1"))
                    || p == &env.root.join("cgroup.subtree_control"),
                "{}",
                p.display()
            );
        }
        cg.destroy().unwrap();
        assert!(env.dirs().is_empty(), "{:?}", env.dirs());
    }

    #[test]
    fn bfq_weight_is_written_as_is() {
        let env = Env::new("io");
        // the kernel shows io.bfq.weight when BFQ is in use
        let res = Resources {
            blkio_weight: Some(300),
            ..Default::default()
        };
        // create without limits, add the BFQ file, then update
        let cg = env.create("/", "b", None, &Resources::default()).unwrap();
        fs::write(env.root.join("skiff-b/io.bfq.weight"), "default 100\n").unwrap();
        cg.update(&res).unwrap();
        assert_eq!(env.read("skiff-b/io.bfq.weight"), "300");
        assert_eq!(env.read("skiff-b/io.weight"), "default 100");
        cg.destroy().unwrap();
    }

    #[test]
    fn missing_controller_is_a_clean_error() {
        let env = Env::new("cpu memory");
        let res = Resources {
            memory: Some(64 << 20),
            pids_limit: Some(10),
            ..Default::default()
        };
        let err = env.create("/", "c2", None, &res).unwrap_err().to_string();
        assert!(
            err.starts_with("--pids-limit: the pids cgroup controller is not available"),
            "{err}"
        );
        assert!(env.dirs().is_empty(), "{:?}", env.dirs());
        assert!(env.fake.writes_to("memory.max").is_empty());
    }

    #[test]
    fn own_cgroup_with_processes_cannot_delegate_controllers() {
        let env = Env::new("cpu memory pids");
        env.existing("session");
        fs::write(env.root.join("session/cgroup.procs"), "4242\n").unwrap();
        // without limits it works (no controllers for the leaf)
        let cg = env
            .create("/session", "free", None, &Resources::default())
            .unwrap();
        assert_eq!(cg.paths(), vec![env.root.join("session/skiff-free")]);
        assert_eq!(env.read("session/cgroup.subtree_control"), "");
        cg.destroy().unwrap();
        // with one, the error names the flag and explains
        let res = Resources {
            memory: Some(64 << 20),
            ..Default::default()
        };
        let err = env
            .create("/session", "lim", None, &res)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--memory: cannot enable the memory controller"),
            "{err}"
        );
        assert!(err.contains("--cgroup-parent"), "{err}");
        assert_eq!(env.dirs(), vec!["session".to_string()]);
    }

    #[test]
    fn absolute_parent_is_created_enabled_and_removed() {
        let env = Env::new("cpu memory pids");
        let res = Resources {
            memory: Some(1 << 30),
            ..Default::default()
        };
        let cg = env
            .create("/elsewhere", "p1", Some("/docker/nested"), &res)
            .unwrap();
        assert_eq!(
            cg.paths(),
            vec![
                env.root.join("docker/nested/skiff-p1"),
                env.root.join("docker/nested"),
                env.root.join("docker"),
            ]
        );
        for d in ["", "docker/", "docker/nested/"] {
            assert_eq!(
                env.read(&format!("{d}cgroup.subtree_control")),
                "cpu memory pids",
                "{d}"
            );
        }
        assert_eq!(env.read("docker/nested/skiff-p1/memory.max"), "1073741824");
        // a second container shares the parent; destroying the first keeps it
        let cg2 = env
            .create("/", "p2", Some("/docker/nested"), &Resources::default())
            .unwrap();
        assert_eq!(cg2.paths(), vec![env.root.join("docker/nested/skiff-p2")]);
        cg.destroy().unwrap();
        assert_eq!(
            env.dirs(),
            vec!["docker", "docker/nested", "docker/nested/skiff-p2"]
        );
        cg2.destroy().unwrap();
        // the parent dirs were made by cg, which is gone: they stay (empty)
        assert_eq!(env.dirs(), vec!["docker", "docker/nested"]);
        cg.destroy().unwrap(); // idempotent, and now removes them
        assert!(env.dirs().is_empty());
    }

    #[test]
    fn relative_parent_goes_beneath_own_cgroup() {
        let env = Env::new("cpu memory pids");
        env.existing("svc");
        let cg = env
            .create("/svc", "r", Some("jobs"), &Resources::default())
            .unwrap();
        assert_eq!(
            cg.paths(),
            vec![env.root.join("svc/jobs/skiff-r"), env.root.join("svc/jobs")]
        );
        cg.destroy().unwrap();
        assert_eq!(env.dirs(), vec!["svc"]);
    }

    #[test]
    fn kernel_rejection_names_flag_and_removes_everything() {
        let env = Env::new("cpuset cpu memory pids");
        env.fake.reject("cpuset.cpus", libc::EINVAL);
        let res = Resources {
            memory: Some(64 << 20),
            cpuset_cpus: Some("999".into()),
            ..Default::default()
        };
        let err = env
            .create("/", "bad", Some("/a/b"), &res)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--cpuset-cpus: the kernel rejected \"999\""),
            "{err}"
        );
        assert!(err.contains("cpuset.cpus"), "{err}");
        assert!(env.dirs().is_empty(), "{:?}", env.dirs());
    }

    #[test]
    fn unsupported_flags_fail_before_anything_is_created() {
        let env = Env::new("cpu memory pids");
        for (res, flag) in [
            (
                Resources {
                    memory_swappiness: Some(10),
                    ..Default::default()
                },
                "--memory-swappiness",
            ),
            (
                Resources {
                    oom_kill_disable: Some(true),
                    ..Default::default()
                },
                "--oom-kill-disable",
            ),
            (
                Resources {
                    kernel_memory: Some(1 << 20),
                    ..Default::default()
                },
                "--kernel-memory",
            ),
        ] {
            let err = env.create("/", "u", None, &res).unwrap_err().to_string();
            assert_eq!(err, format!("{flag}: not supported on cgroup v2"));
        }
        assert!(env.dirs().is_empty());
        assert!(env.fake.writes.lock().unwrap().is_empty());
    }

    #[test]
    fn tasks_freeze_kill_pids_stats() {
        let env = Env::new("cpu memory pids io");
        let cg = env.create("/", "t", None, &Resources::default()).unwrap();
        assert!(cg.clone_into_fd().is_some());
        cg.add_task(111).unwrap();
        cg.add_task(222).unwrap();
        assert_eq!(env.read("skiff-t/cgroup.procs"), "111\n222");
        assert_eq!(cg.pids().unwrap(), vec![111, 222]);

        assert!(!cg.is_frozen().unwrap());
        cg.freeze().unwrap();
        assert_eq!(env.read("skiff-t/cgroup.freeze"), "1");
        assert!(cg.is_frozen().unwrap());
        cg.thaw().unwrap();
        assert!(!cg.is_frozen().unwrap());

        cg.kill_all(libc::SIGTERM).unwrap();
        assert_eq!(
            *env.fake.kills.lock().unwrap(),
            vec![(111, libc::SIGTERM), (222, libc::SIGTERM)]
        );
        let st = cg.stats().unwrap();
        assert_eq!(st.memory_usage, Some(4096));
        assert_eq!(st.memory_limit, None);
        assert_eq!(st.memory_used(), Some(4096 - 2048));
        assert_eq!(st.cpu_usage_ns, Some(7000));
        assert_eq!(st.pids_limit, None);
        assert_eq!(st.io_read_bytes, Some(100));
        assert_eq!(st.io_write_bytes, Some(200));

        cg.kill_all(libc::SIGKILL).unwrap();
        assert_eq!(env.fake.writes_to("cgroup.kill"), vec!["1".to_string()]);
        assert!(cg.pids().unwrap().is_empty());
        cg.destroy().unwrap();
        assert!(env.dirs().is_empty());
    }

    #[test]
    fn destroy_kills_leftovers_and_nested_cgroups() {
        let env = Env::new("cpu memory pids");
        let cg = env.create("/", "d", None, &Resources::default()).unwrap();
        cg.add_task(7).unwrap();
        // the container made a cgroup of its own, with a process in it
        let nested = env.root.join("skiff-d/inner");
        env.fake.mkdir(&nested).unwrap();
        fs::write(nested.join("cgroup.procs"), "8\n").unwrap();
        // no cgroup.kill (kernel < 5.14): each pid gets SIGKILL
        fs::remove_file(env.root.join("skiff-d/cgroup.kill")).unwrap();
        cg.destroy().unwrap();
        let mut kills = env.fake.kills.lock().unwrap().clone();
        kills.sort();
        assert_eq!(kills, vec![(7, libc::SIGKILL), (8, libc::SIGKILL)]);
        assert!(env.dirs().is_empty());
        cg.destroy().unwrap();
    }

    #[test]
    fn from_paths_reloads_for_cleanup_and_update() {
        let env = Env::new("cpu memory pids");
        let cg = env
            .create("/", "f", Some("/x"), &Resources::default())
            .unwrap();
        assert!(!env.read("x/skiff-f/cgroup.controllers").contains("cpuset"));
        let json = serde_json::to_string(&cg).unwrap();
        let again = Cgroup::from_paths_with(env.fake.clone(), cg.paths());
        assert_eq!(again.version(), Version::V2);
        assert_eq!(again.paths(), cg.paths());

        // update: period only keeps the quota; swap alone uses memory.max
        again
            .update(&Resources {
                cpu_quota: Some(20_000),
                memory: Some(100 << 20),
                ..Default::default()
            })
            .unwrap();
        again
            .update(&Resources {
                cpu_period: Some(50_000),
                memory_swap: Some(300 << 20),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(env.read("x/skiff-f/cpu.max"), "20000 50000");
        assert_eq!(
            env.read("x/skiff-f/memory.swap.max"),
            (200u64 << 20).to_string()
        );
        // cpuset was not there at creation; once the root delegates it,
        // update enables it in the leaf's parent (which skiff created)
        fs::write(
            env.root.join("cgroup.controllers"),
            "cpu cpuset memory pids",
        )
        .unwrap();
        env.fake
            .write(&env.root.join("cgroup.subtree_control"), "+cpuset")
            .unwrap();
        again
            .update(&Resources {
                cpuset_cpus: Some("1".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(env.read("x/cgroup.subtree_control").contains("cpuset"));
        assert_eq!(env.read("x/skiff-f/cpuset.cpus"), "1");

        let back: Cgroup = serde_json::from_str(&json).unwrap();
        back.with_fs(env.fake.clone()).destroy().unwrap();
        assert!(env.dirs().is_empty());
    }

    #[test]
    fn rootless_without_delegation() {
        let env = Env::new("cpu memory pids");
        env.existing("user");
        *env.fake.mkdir_errno.lock().unwrap() = Some(libc::EACCES);
        let cg = env
            .create("/user", "rl", None, &Resources::default())
            .unwrap();
        assert!(cg.is_empty());
        assert!(
            cg.warnings()[0].contains("permission denied"),
            "{:?}",
            cg.warnings()
        );
        assert!(cg.clone_into_fd().is_none());
        cg.add_task(5).unwrap();
        cg.destroy().unwrap();
        let res = Resources {
            pids_limit: Some(5),
            ..Default::default()
        };
        // "user" has no processes, so pids can be enabled; mkdir then fails
        let err = env
            .create("/user", "rl", None, &res)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--pids-limit: permission denied creating cgroup"),
            "{err}"
        );
    }

    #[test]
    fn device_filter_is_attached_to_the_leaf() {
        use super::super::bpf::tests::run;
        use super::super::devices::{docker_rules, parse_rule, Access, DeviceKind};
        let env = Env::new("cpu memory pids");
        let extra = [parse_rule(true, "c 10:237 r").unwrap()];
        let res = Resources {
            devices: docker_rules(false, &extra),
            ..Default::default()
        };
        let cg = env.create("/", "d", None, &res).unwrap();
        let progs = env.fake.programs.lock().unwrap().clone();
        assert_eq!(progs.len(), 1);
        assert_eq!(progs[0].0, env.root.join("skiff-d"));
        let p = &progs[0].1;
        let rw = Access::READ | Access::WRITE;
        assert!(run(p, DeviceKind::Char, rw, 1, 3));
        assert!(run(p, DeviceKind::Char, Access::READ, 10, 237));
        assert!(!run(p, DeviceKind::Char, Access::WRITE, 10, 237));
        assert!(!run(p, DeviceKind::Block, Access::READ, 8, 0));
        assert!(run(p, DeviceKind::Block, Access::MKNOD, 8, 0));
        // update leaves it alone
        cg.update(&Resources {
            pids_limit: Some(3),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(env.fake.programs.lock().unwrap().len(), 1);
        cg.destroy().unwrap();

        // a kernel refusal as root is an error, and nothing is left
        env.fake.reject("bpf", libc::EINVAL);
        let err = env.create("/", "e", None, &res).unwrap_err().to_string();
        assert!(
            err.starts_with("attaching the device filter to cgroup "),
            "{err}"
        );
        assert!(err.contains("skiff-e"), "{err}");
        assert!(env.dirs().is_empty(), "{:?}", env.dirs());
    }
}
