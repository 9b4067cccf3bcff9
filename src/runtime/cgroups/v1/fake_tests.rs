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

/// `docker update` of memory and swap: the fake refuses the writes in the
/// wrong order.
fn update_orders_memory_writes(env: &Env, cg: &Cgroup, m: &str) {
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

    update_orders_memory_writes(&env, &cg, m);

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
