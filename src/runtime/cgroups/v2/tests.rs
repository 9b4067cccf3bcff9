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

    fn create(&self, own: &str, id: &str, parent: Option<&str>, res: &Resources) -> Result<Cgroup> {
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

/// A systemd-like user tree: the user's manager cgroup and below are
/// delegated to the user; the invoking process sits in a scope that holds
/// processes. Every level enables every controller for its children.
fn user_tree(env: &Env) -> PathBuf {
    let mut dir = env.root.clone();
    let all = fs::read_to_string(env.root.join("cgroup.controllers")).unwrap();
    for name in [
        "user.slice",
        "user-1000.slice",
        "user@1000.service",
        "app.slice",
        "run-7.scope",
    ] {
        fs::write(dir.join("cgroup.subtree_control"), all.trim()).unwrap();
        dir = dir.join(name);
        env.fake.mkdir(&dir).unwrap();
    }
    fs::write(dir.join("cgroup.procs"), "4242\n").unwrap();
    env.root
        .join("user.slice/user-1000.slice/user@1000.service")
}

#[test]
fn rootless_with_a_delegated_subtree_applies_limits_beside_its_own_cgroup() {
    let env = Env::new("cpu io memory pids");
    let manager = user_tree(&env);
    *env.fake.rootless.lock().unwrap() = Some(vec![manager.clone()]);
    let res = Resources {
        memory: Some(64 << 20),
        pids_limit: Some(20),
        ..Default::default()
    };
    let own = "/user.slice/user-1000.slice/user@1000.service/app.slice/run-7.scope";
    let cg = env.create(own, "c1", None, &res).unwrap();
    // Not under the scope (it holds processes): beside it, in app.slice.
    let leaf = manager.join("app.slice/skiff-c1");
    assert_eq!(cg.paths(), vec![leaf.clone()]);
    let rel = |p: &Path| p.strip_prefix(&env.root).unwrap().display().to_string();
    assert_eq!(env.read(&rel(&leaf.join("memory.max"))), "67108864");
    assert_eq!(env.read(&rel(&leaf.join("pids.max"))), "20");
    // Every write stayed inside the delegated subtree.
    for (p, _) in env.fake.writes.lock().unwrap().iter() {
        assert!(p.starts_with(&manager), "{}", p.display());
    }
    cg.destroy().unwrap();
    assert!(!leaf.exists());
}

#[test]
fn rootless_without_delegation_names_the_flag_and_the_reason() {
    let env = Env::new("cpu io memory pids");
    user_tree(&env);
    // Nothing delegated (a login session's scope belongs to root).
    *env.fake.rootless.lock().unwrap() = Some(Vec::new());
    let res = Resources {
        memory: Some(64 << 20),
        ..Default::default()
    };
    let own = "/user.slice/user-1000.slice/user@1000.service/app.slice/run-7.scope";
    let err = env.create(own, "c1", None, &res).unwrap_err().to_string();
    assert!(err.contains("--memory"), "{err}");
    assert!(err.contains("rootless needs a delegated cgroup"), "{err}");
    assert!(!env.dirs().iter().any(|d| d.contains("skiff-")));
}
