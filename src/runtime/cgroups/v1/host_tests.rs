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

/// `pid` is in the leaf of every hierarchy; the test process stayed put.
fn assert_joined(pid: i32, own: &OwnCgroups, leaf: &str) {
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
    assert_joined(pid, &own, &leaf);

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
