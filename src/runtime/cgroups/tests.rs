use super::layout::*;
use super::*;

const HOST_MOUNTINFO: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
const HOST_CGROUP: &str = "\
9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/abc
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
";

#[test]
fn detects_hybrid_as_v1() {
    let (layout, own) = detect_from(HOST_MOUNTINFO, HOST_CGROUP).unwrap();
    let Layout::V1 { controllers } = &layout else {
        panic!("{layout:?}")
    };
    assert_eq!(controllers["memory"], Path::new("/sys/fs/cgroup/memory"));
    assert_eq!(controllers["cpu"], Path::new("/sys/fs/cgroup/cpu"));
    assert_eq!(
        controllers["name=systemd"],
        Path::new("/sys/fs/cgroup/systemd")
    );
    assert!(!controllers.contains_key("rw"));
    assert_eq!(own.v1["memory"], "/process_api/abc");
    assert_eq!(own.v1["pids"], "/");
    assert_eq!(own.v2.as_deref(), Some("/"));
}

#[test]
fn detects_unified_v2() {
    let mi = "25 20 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
    let (layout, own) =
        detect_from(mi, "0::/user.slice/user-1000.slice/session-2.scope\n").unwrap();
    assert_eq!(
        layout,
        Layout::V2 {
            mount: "/sys/fs/cgroup".into()
        }
    );
    assert_eq!(
        own.v2.as_deref(),
        Some("/user.slice/user-1000.slice/session-2.scope")
    );
    assert!(own.v1.is_empty());
}

#[test]
fn co_mounted_and_mount_roots() {
    // cpu,cpuacct co-mounted; memory bind-mounted from /docker/x (no cgroupns).
    let mi = "\
1 0 0:1 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
2 0 0:2 /docker/x /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
3 0 0:3 / /mnt/with\\040space rw - cgroup cgroup rw,pids
";
    let cg = "3:pids:/a\n2:memory:/docker/x/inner\n1:cpu,cpuacct:/docker/x\n";
    let (layout, own) = detect_from(mi, cg).unwrap();
    let Layout::V1 { controllers } = layout else {
        panic!()
    };
    assert_eq!(controllers["cpu"], controllers["cpuacct"]);
    assert_eq!(controllers["pids"], Path::new("/mnt/with space"));
    assert_eq!(own.v1["memory"], "/inner");
    assert_eq!(own.v1["cpu"], "/docker/x");
    assert_eq!(own.v1["cpuacct"], "/docker/x");
}

#[test]
fn cgroup2_elsewhere_without_v1_is_v2_and_nothing_is_an_error() {
    let mi = "1 0 0:1 / /mnt/cg2 rw - cgroup2 none rw\n";
    let (layout, _) = detect_from(mi, "0::/\n").unwrap();
    assert_eq!(layout.version(), Version::V2);
    let err = detect_from("1 0 0:1 / / rw - ext4 /dev/sda rw\n", "0::/\n").unwrap_err();
    assert!(err.to_string().contains("no cgroup"), "{err}");
}

#[test]
fn conversions_match_runc() {
    assert_eq!(shares_to_weight(0), 0);
    assert_eq!(shares_to_weight(2), 1);
    assert_eq!(shares_to_weight(1024), 39);
    assert_eq!(shares_to_weight(262_144), 10_000);
    assert_eq!(shares_to_weight(1), 1); // clamped
    assert_eq!(blkio_to_io_weight(10), 1);
    assert_eq!(blkio_to_io_weight(500), 1 + 490 * 9999 / 990);
    assert_eq!(blkio_to_io_weight(1000), 10_000);
    let r = Resources {
        nano_cpus: Some(1_500_000_000),
        ..Default::default()
    };
    assert_eq!(r.cfs(), (Some(100_000), Some(150_000), "--cpus"));
}

#[test]
fn validation_names_the_flag() {
    let check = |r: Resources, flag: &str| {
        let e = r.validate(false).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{flag}: ")), "{e}");
    };
    check(
        Resources {
            memory_swap: Some(1 << 20),
            ..Default::default()
        },
        "--memory-swap",
    );
    check(
        Resources {
            memory: Some(64 << 20),
            memory_swap: Some(32 << 20),
            ..Default::default()
        },
        "--memory-swap",
    );
    check(
        Resources {
            nano_cpus: Some(1_000_000_000),
            cpu_quota: Some(50_000),
            ..Default::default()
        },
        "--cpus",
    );
    check(
        Resources {
            memory_swappiness: Some(101),
            ..Default::default()
        },
        "--memory-swappiness",
    );
    check(
        Resources {
            blkio_weight: Some(5),
            ..Default::default()
        },
        "--blkio-weight",
    );
    check(
        Resources {
            cpu_period: Some(10),
            ..Default::default()
        },
        "--cpu-period",
    );
    // update may set swap alone
    Resources {
        memory_swap: Some(1 << 30),
        ..Default::default()
    }
    .validate(true)
    .unwrap();
}

#[test]
fn parent_and_id_parsing() {
    assert_eq!(Parent::parse(None).unwrap(), Parent::Relative(vec![]));
    assert_eq!(
        Parent::parse(Some("/docker")).unwrap(),
        Parent::Absolute(vec!["docker".into()])
    );
    assert_eq!(
        Parent::parse(Some("a//b/")).unwrap(),
        Parent::Relative(vec!["a".into(), "b".into()])
    );
    assert!(Parent::parse(Some("/a/../b")).is_err());
    assert!(check_id("abc-123_x.y").is_ok());
    assert!(check_id("../x").is_err());
    assert!(check_id("").is_err());
    let (base, comps) = Parent::Relative(vec!["p".into()])
        .base(Path::new("/m"), Some("/own/x"))
        .unwrap();
    assert_eq!(base, Path::new("/m/own/x"));
    assert_eq!(comps, vec!["p".to_string()]);
}

#[test]
fn resources_and_cgroup_round_trip_through_json() {
    let r = Resources {
        memory: Some(1),
        cpuset_cpus: Some("0".into()),
        ..Default::default()
    };
    let s = serde_json::to_string(&r).unwrap();
    assert_eq!(s, r#"{"memory":1,"cpuset_cpus":"0"}"#);
    assert_eq!(serde_json::from_str::<Resources>(&s).unwrap(), r);
    let cg = Cgroup {
        version: Version::V1,
        leaves: vec![Leaf {
            path: "/x/skiff-a".into(),
            controllers: vec!["memory".into()],
        }],
        parents: vec!["/x".into()],
        warnings: vec![],
        fs: real_fs(),
    };
    let json = serde_json::to_string(&cg).unwrap();
    let back: Cgroup = serde_json::from_str(&json).unwrap();
    assert_eq!(back.paths(), cg.paths());
    assert_eq!(back.version(), Version::V1);
}

#[test]
fn unescape_octal() {
    assert_eq!(unescape(r"/a\040b\134c"), "/a b\\c");
    assert_eq!(unescape(r"/tail\04"), r"/tail\04");
}
