//! The command line itself: flags, errors, version and info.

mod common;

use common::*;

#[test]
fn unknown_flags_and_commands_exit_125() {
    let s = Skiff::new();
    assert_eq!(
        s.fails(125, &["images", "--foo"]),
        "Error: unknown flag: --foo\n"
    );
    assert_eq!(
        s.fails(125, &["images", "-Z"]),
        "Error: unknown shorthand flag: 'Z' in -Z\n"
    );
    assert_eq!(
        s.fails(125, &["frobnicate"]),
        "Error: unknown command \"frobnicate\" for \"skiff\"\n"
    );
    let err = s.fails(125, &["tag", "onlyone"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    let err = s.fails(125, &["--storage-driver", "vfs", "images"]);
    assert!(err.contains("vfs"), "{err}");
}

#[test]
fn docker_style_booleans() {
    let s = Skiff::new();
    s.ok(&["images", "-a", "-q"]);
    s.ok(&["images", "-aq"]);
    s.ok(&["images", "--all=true", "--quiet=false", "--no-trunc=true"]);
    let err = s.fails(125, &["images", "--all=maybe"]);
    assert!(err.contains("maybe"), "{err}");
}

#[test]
fn version_and_help() {
    let s = Skiff::new();
    let v = s.ok(&["-v"]);
    assert!(
        v.starts_with(&format!("skiff version {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    let v = s.ok(&["version"]);
    assert!(
        v.contains(&format!(
            " Version:           {}\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{v}"
    );
    assert_eq!(
        s.ok(&["version", "--format", "{{.Client.Version}}"]),
        format!("{}\n", env!("CARGO_PKG_VERSION"))
    );
    let h = s.ok(&["--help"]);
    for verb in [
        "image", "images", "pull", "rmi", "tag", "save", "load", "inspect", "history", "info",
        "version",
    ] {
        assert!(h.contains(&format!("  {verb} ")), "help lists {verb}: {h}");
    }
    let h = s.ok(&["image", "--help"]);
    assert!(h.contains("prune"), "{h}");
}

#[test]
fn info_reports_the_host() {
    let s = Skiff::new();
    let out = s.ok(&["info"]);
    assert!(out.contains(" Storage Driver: overlay\n"), "{out}");
    assert!(
        out.contains(&format!(" Docker Root Dir: {}\n", s.root().display())),
        "{out}"
    );
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let v2 = mountinfo
        .lines()
        .any(|l| l.contains(" /sys/fs/cgroup ") && l.contains(" - cgroup2 "));
    let want = if v2 { "2" } else { "1" };
    assert!(out.contains(&format!(" Cgroup Version: {want}\n")), "{out}");
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert!(
        out.contains(&format!(" Kernel Version: {}\n", kernel.trim())),
        "{out}"
    );
    assert_eq!(
        s.ok(&["system", "info", "--format", "{{.Driver}} {{.Images}}"]),
        "overlay 0\n"
    );
    let j: serde_json::Value =
        serde_json::from_str(&s.ok(&["info", "--format", "{{json .}}"])).unwrap();
    assert_eq!(j["CgroupVersion"], want);
}

/// Values the parsers once panicked on (see src/fuzz_tests.rs): each is a
/// one-line usage error with docker's exit code, not a crash (a debug
/// build reports a panic as exit 101, the release binary aborts).
#[test]
fn malformed_values_are_errors_not_panics() {
    let s = Skiff::new();
    let huge = format!("--until=-1{}h", "0".repeat(40));
    for (args, culprit) in [
        (
            vec!["logs", "--since", "2000-01-01T00:00:00+0é00", "c"],
            "2000-01-01T00:00:00+0é00",
        ),
        (
            vec!["logs", "--since", "2000-01-01T00:00:00+00é0", "c"],
            "2000-01-01T00:00:00+00é0",
        ),
        (vec!["logs", &huge, "c"], &huge[8..]),
        (vec!["logs", "--since", "1e400", "c"], "1e400"),
        (vec!["images", "--format", "{{\"\\é\"}}"], "template"),
        (
            vec!["kill", "-s", "RTMIN+2147483647", "c"],
            "RTMIN+2147483647",
        ),
        (vec!["create", "-m", "8192p", "busybox"], "8192p"),
        (vec!["create", "--cpus", "NaN", "busybox"], "NaN"),
        (
            vec!["create", "--shm-size", "99999999999999999999999", "busybox"],
            "99999999999999999999999",
        ),
    ] {
        let err = s.fails(125, &args);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("Error: "), "{args:?}: {err}");
        assert!(err.contains(culprit), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // A `*` width past Go's limit prints like Go, instead of allocating
    // past usize::MAX.
    assert_eq!(
        s.ok(&[
            "version",
            "--format",
            "{{printf \"%*d\" -9223372036854775807 1}}"
        ]),
        "%!(BADWIDTH)1\n"
    );
}
