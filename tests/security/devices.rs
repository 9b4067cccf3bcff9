//! Devices: a container opens only the device nodes docker lets it open
//! (null, zero, full, random, urandom, tty, console, ptmx, pts, tun), may
//! mknod any but open none of the others, gets `--device` nodes with their
//! permissions, and no image layer hands it a device node or an overlayfs
//! xattr.

use std::os::unix::fs::{FileTypeExt, MetadataExt};

use crate::common::*;
use crate::setup;

/// What `devices.list` shows in a default docker container on cgroup v1:
/// moby's rules, then runc's.
const DOCKER_LIST: &[&str] = &[
    "c 1:5 rwm",
    "c 1:3 rwm",
    "c 1:9 rwm",
    "c 1:8 rwm",
    "c 5:0 rwm",
    "c 5:1 rwm",
    "c *:* m",
    "b *:* m",
    "c 1:7 rwm",
    "c 136:* rwm",
    "c 5:2 rwm",
    "c 10:200 rwm",
];

/// The v1 devices cgroup dir of a running container, from its pid; `None`
/// (a skip, or a failure under SKIFF_TEST_STRICT=1) on a host without the
/// v1 devices controller.
fn devices_dir(s: &Skiff, name: &str) -> Option<std::path::PathBuf> {
    let pid = s.ok(&["inspect", "-f", "{{.State.Pid}}", name]);
    let cg = std::fs::read_to_string(format!("/proc/{}/cgroup", pid.trim())).unwrap();
    let Some(rel) = cg.lines().find_map(|l| {
        let mut p = l.splitn(3, ':');
        let (_, ctrls, path) = (p.next()?, p.next()?, p.next()?);
        ctrls
            .split(',')
            .any(|c| c == "devices")
            .then(|| path.to_string())
    }) else {
        skip("no v1 devices cgroup controller on this host");
        return None;
    };
    let dir = std::path::Path::new("/sys/fs/cgroup/devices").join(rel.trim_start_matches('/'));
    assert!(
        dir.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("skiff-"),
        "the container is not in a cgroup of its own: {}",
        dir.display()
    );
    Some(dir)
}

fn list(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("devices.list"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_kernel_holds_dockers_device_rules() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    s.ok(&["run", "-d", "--name", "plain", &env.img, "sleep", "300"]);
    s.ok(&[
        "run",
        "-d",
        "--name",
        "priv",
        "--privileged",
        &env.img,
        "sleep",
        "300",
    ]);
    let Some(plain) = devices_dir(s, "plain") else {
        return;
    };
    assert_eq!(list(&plain), DOCKER_LIST);
    let priv_dir = devices_dir(s, "priv").unwrap();
    assert_eq!(list(&priv_dir), ["a *:* rwm"]);
}

#[test]
fn a_default_container_can_mknod_a_disk_but_not_open_it() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let script = "busybox mknod /tmp/d b 7 0 && echo made; \
                  head -c1 /tmp/d >/dev/null && echo opened; \
                  head -c1 /dev/zero >/dev/null && echo zero";
    let (code, out, err) = s.run(&["run", "--rm", &env.img, "sh", "-c", script]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "made\nzero\n", "stderr: {err}");
    assert!(err.contains("Operation not permitted"), "{err}");

    // --privileged opens it
    let (code, out, err) = s.run(&["run", "--rm", "--privileged", &env.img, "sh", "-c", script]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "made\nopened\nzero\n", "stderr: {err}");
}

#[test]
fn a_device_cgroup_rule_opens_those_devices_and_no_others() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    // loop devices (b 7:*) are allowed; a SCSI disk (b 8:0) still is not.
    let script = "busybox mknod /tmp/l b 7 0 && busybox mknod /tmp/s b 8 0; \
                  (exec 3</tmp/l) 2>/dev/null; echo loop=$?; \
                  (exec 3</tmp/s) 2>/dev/null; echo sd=$?";
    let rule = ["--device-cgroup-rule", "b 7:* rmw"];
    let (code, out, err) =
        s.run(&[&["run", "--rm"], &rule[..], &[&env.img, "sh", "-c", script]].concat());
    assert_eq!(code, 0, "{out}{err}");
    // loop0 may be missing (ENXIO) but never refused (EPERM): the shell
    // says 1 either way, so look at what the kernel said.
    let script_errs = script.replace(" 2>/dev/null", "");
    let (_, out2, err2) = s.run(
        &[
            &["run", "--rm"],
            &rule[..],
            &[&env.img, "sh", "-c", &script_errs],
        ]
        .concat(),
    );
    let loop_line = err2.lines().find(|l| l.contains("/tmp/l")).unwrap_or("");
    assert!(!loop_line.contains("not permitted"), "{out2}{err2}");
    let sd_line = err2.lines().find(|l| l.contains("/tmp/s")).unwrap_or("");
    assert!(sd_line.contains("not permitted"), "{out2}{err2}");
    assert!(out.ends_with("sd=1\n"), "{out}");
    s.ok(&[&["create", "--name", "dcr"], &rule[..], &[&env.img, "true"]].concat());
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{json .HostConfig.DeviceCgroupRules}}",
            "dcr"
        ]),
        "[\"b 7:* rmw\"]\n"
    );
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--device-cgroup-rule",
            "b 7:2",
            &env.img,
            "true",
        ],
    );
    assert!(
        err.starts_with("invalid argument \"b 7:2\" for \"--device-cgroup-rule\" flag: invalid device cgroup format 'b 7:2'"),
        "{err}"
    );
}

#[test]
fn a_device_flag_makes_the_node_with_its_permissions() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let Ok(host) = std::fs::metadata("/dev/loop-control") else {
        skip("no /dev/loop-control on this host");
        return;
    };
    s.ok(&[
        "run",
        "-d",
        "--name",
        "dev",
        "--device",
        "/dev/loop-control:/dev/myloop:r",
        "--device",
        "/dev/full:/dev/sub/full",
        &env.img,
        "sleep",
        "300",
    ]);
    let devices = s.ok(&["inspect", "-f", "{{json .HostConfig.Devices}}", "dev"]);
    let devices: serde_json::Value = serde_json::from_str(&devices).unwrap();
    assert_eq!(
        devices,
        serde_json::json!([
            {"PathOnHost": "/dev/loop-control", "PathInContainer": "/dev/myloop", "CgroupPermissions": "r"},
            {"PathOnHost": "/dev/full", "PathInContainer": "/dev/sub/full", "CgroupPermissions": "rwm"},
        ])
    );
    // the node: the host's type, numbers and mode
    let stat = s.ok(&[
        "exec",
        "dev",
        "busybox",
        "stat",
        "-c",
        "%F %t:%T %a %u:%g",
        "/dev/myloop",
        "/dev/sub/full",
    ]);
    let rdev = host.rdev();
    assert_eq!(
        stat.lines().next().unwrap(),
        format!(
            "character special file {:x}:{:x} {:o} {}:{}",
            libc::major(rdev),
            libc::minor(rdev),
            host.mode() & 0o7777,
            host.uid(),
            host.gid()
        )
    );
    assert!(host.file_type().is_char_device());
    assert!(
        stat.lines()
            .nth(1)
            .unwrap()
            .starts_with("character special file 1:7 "),
        "{stat}"
    );
    // r: opens for reading, not for writing
    let script = "exec 3</dev/myloop && echo read; (exec 4>/dev/myloop) && echo write; \
                  echo x >/dev/sub/full; echo full=$?";
    let (code, out, err) = s.run(&["exec", "dev", "sh", "-c", script]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "read\nfull=1\n", "stderr: {err}");
    assert!(err.contains("Operation not permitted"), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    if let Some(dir) = devices_dir(s, "dev") {
        let l = list(&dir);
        assert!(
            l.contains(&format!("c {}:{} r", libc::major(rdev), libc::minor(rdev))),
            "{l:?}"
        );
    }
}

#[test]
fn a_device_flag_naming_no_device_is_dockers_error() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let err = s.fails(125, &["run", "--rm", "--device", "/nope", &env.img, "true"]);
    assert_eq!(
        run_error(&err),
        "error gathering device information while adding custom device \"/nope\": no such file or directory"
    );
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--device",
            "/etc/hostname:/x",
            &env.img,
            "true",
        ],
    );
    assert!(
        run_error(&err).ends_with("\"/etc/hostname\": not a device node"),
        "{err}"
    );
    let err = s.fails(125, &["create", "--device", "/dev/null:/x:rwx", &env.img]);
    assert!(err.contains("bad mode specified: rwx"), "{err}");
}

#[test]
fn layers_hold_no_disk_nodes_and_no_overlay_xattrs() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let host = env.img.split('/').next().unwrap();
    let layout = tempfile::tempdir().unwrap();
    let evil = [
        Entry::Dir("dev/", 0o755),
        Entry::Device("dev/sda", 'b', 8, 0),
        Entry::Device("dev/mem", 'c', 1, 1),
        Entry::Device("dev/keep-null", 'c', 1, 3),
        Entry::XattrDir("etc/", "trusted.overlay.opaque", b"y"),
        Entry::XattrDir("srv/", "trusted.overlay.redirect", b"/bin"),
    ];
    oci_layout(
        layout.path(),
        "latest",
        &[
            build_layer(&busybox_layer(), Compression::Gzip),
            build_layer(&evil, Compression::Gzip),
        ],
        &["sh"],
        serde_json::json!(null),
    );
    let img = format!("{host}/evil:latest");
    push(layout.path(), "latest", &img, &[]);
    s.ok(&["pull", "-q", &img]);
    let out = s.ok(&["image", "inspect", &img]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let top = std::path::PathBuf::from(v[0]["GraphDriver"]["Data"]["UpperDir"].as_str().unwrap());
    assert!(top.join("dev").is_dir(), "{}", top.display());
    for gone in ["dev/sda", "dev/mem"] {
        assert!(std::fs::symlink_metadata(top.join(gone)).is_err(), "{gone}");
    }
    let kept = std::fs::symlink_metadata(top.join("dev/keep-null")).unwrap();
    assert!(kept.file_type().is_char_device());
    assert_eq!(xattr(top.join("etc"), "trusted.overlay.opaque"), None);
    assert_eq!(xattr(top.join("srv"), "trusted.overlay.redirect"), None);
    // the lower layer's /etc still shows through
    let out = s.ok(&["run", "--rm", &img, "cat", "/etc/group"]);
    assert!(out.starts_with("root:x:0:"), "{out}");
}
