//! The command line itself: flags, errors, version and info.

mod common;

use common::*;

/// Flag errors are cobra's: the message, the usage line, the help
/// pointer, exit 125 (docker's texts, recorded from docker 28).
#[test]
fn flag_errors_are_dockers() {
    let s = Skiff::new();
    assert_eq!(
        s.fails(125, &["images", "--foo"]),
        "unknown flag: --foo\n\nUsage:  skiff images [OPTIONS] [REPOSITORY[:TAG]]\n\n\
         Run 'skiff images --help' for more information\n"
    );
    assert!(s
        .fails(125, &["images", "-Z"])
        .starts_with("unknown shorthand flag: 'Z' in -Z\n\nUsage:  skiff images"));
    assert!(s
        .fails(125, &["ps", "--format"])
        .starts_with("flag needs an argument: --format\n\nUsage:  skiff ps [OPTIONS]\n"));
    assert!(s.fails(125, &["ps", "--last", "abc"]).starts_with(
        "invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax\n"
    ));
    let err = s.fails(125, &["--storage-driver", "zfs", "images"]);
    assert_eq!(
        err,
        "Error: unsupported storage driver \"zfs\": overlay or vfs\n"
    );
}

/// Wrong argument counts: docker's texts (cli/required.go), exit 1.
#[test]
fn argument_count_errors_are_dockers() {
    let s = Skiff::new();
    assert_eq!(
        s.fails(1, &["rm"]),
        "skiff: 'skiff rm' requires at least 1 argument\n\n\
         Usage:  skiff rm [OPTIONS] CONTAINER [CONTAINER...]\n\n\
         See 'skiff rm --help' for more information\n"
    );
    assert_eq!(
        s.fails(1, &["container", "rm"]).lines().next().unwrap(),
        "skiff: 'skiff container rm' requires at least 1 argument"
    );
    assert_eq!(
        s.fails(1, &["tag", "a"]),
        "skiff: 'skiff tag' requires 2 arguments\n\n\
         Usage:  skiff tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n\
         Run 'skiff tag --help' for more information\n"
    );
    assert!(s
        .fails(1, &["tag", "a", "b", "c"])
        .starts_with("skiff: 'skiff tag' requires 2 arguments\n"));
    assert!(s
        .fails(1, &["ps", "x"])
        .starts_with("skiff: 'skiff ps' accepts no arguments\n"));
    assert!(s
        .fails(1, &["images", "a", "b"])
        .starts_with("skiff: 'skiff images' requires at most 1 argument\n"));
    assert!(s
        .fails(1, &["port"])
        .starts_with("skiff: 'skiff port' requires at least 1 and at most 2 arguments\n"));
    assert_eq!(
        s.fails(1, &["frobnicate"]),
        "skiff: unknown command: skiff frobnicate\n\nRun 'skiff --help' for more information\n"
    );
    // A group without its verb prints its help, as docker does.
    assert!(s
        .ok(&["network"])
        .starts_with("Usage:  skiff network COMMAND\n\nManage networks\n"));
}

/// pflag's grammar: a repeated flag takes its last value, `--flag=value`,
/// combined short flags, Go booleans, `--` ends the flags.
#[test]
fn docker_flag_grammar() {
    let s = Skiff::new();
    s.ok(&["images", "-a", "-q"]);
    s.ok(&["images", "-aq"]);
    s.ok(&[
        "images",
        "--all=true",
        "--quiet=false",
        "--no-trunc=1",
        "-a=F",
    ]);
    let err = s.fails(125, &["images", "--all=maybe"]);
    assert!(err.starts_with("invalid argument \"maybe\" for \"-a, --all\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n"), "{err}");
    assert_eq!(
        s.ok(&[
            "version",
            "--format",
            "a",
            "--format",
            "{{.Client.Version}}"
        ]),
        format!("{}\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(s.ok(&["version", "--format={{.Client.Os}}"]), "linux\n");
    // After `--`, a word that looks like a flag is an argument.
    let err = s.fails(1, &["rm", "--", "--force"]);
    assert_eq!(err, "Error: No such container: --force\n");
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

    // The rootless helpers: found in $PATH first, then the system dirs,
    // or named with their Debian package.
    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("pasta");
    std::fs::write(&fake, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = s
        .cmd()
        .env("PATH", bin.path())
        .arg("info")
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("\n Rootless Helpers:\n"), "{out}");
    assert!(
        out.contains(&format!("\n  pasta: {}\n", fake.display())),
        "{out}"
    );
    for (name, package) in [("newuidmap", "uidmap"), ("newgidmap", "uidmap")] {
        let line = match [
            "/usr/local/sbin",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/bin",
            "/sbin",
            "/bin",
        ]
        .iter()
        .map(|d| std::path::Path::new(d).join(name))
        .find(|p| p.exists())
        {
            Some(p) => format!("\n  {name}: {}\n", p.display()),
            None => format!("\n  {name}: not found (Debian package {package})\n"),
        };
        assert!(out.contains(&line), "{line} in {out}");
    }
    let j: serde_json::Value =
        serde_json::from_str(&s.ok(&["info", "--format", "{{json .RootlessHelpers}}"])).unwrap();
    assert_eq!(j[2]["Name"], "pasta");
    assert_eq!(j[2]["Package"], "passt");
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
        let err = if args[0] == "create" {
            // A bad value is a flag error (docker's opts parse sizes and
            // numbers), or the client's one-line error in docker's frame.
            let err = s.fails(125, &args);
            if err.starts_with("invalid argument") {
                assert!(err.contains("\n\nUsage:  skiff create"), "{err}");
                err.lines().next().unwrap().to_owned()
            } else {
                run_error(&err)
            }
        } else {
            let err = s.fails(1, &args);
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(err.starts_with("Error: "), "{args:?}: {err}");
            err
        };
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

/// Every command's `--help` in docker's layout, compared with the
/// snapshots in tests/snapshots/help/ (`SKIFF_UPDATE_SNAPSHOTS=1 cargo
/// test --test cli help_snapshots` rewrites them after a deliberate change).
#[test]
fn help_snapshots() {
    let s = Skiff::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/help");
    let update = std::env::var_os("SKIFF_UPDATE_SNAPSHOTS").is_some();
    let mut paths: Vec<Vec<String>> = vec![vec![]];
    fn walk(cmd: &clap::Command, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
            let mut p = at.clone();
            p.push(sub.get_name().to_owned());
            out.push(p.clone());
            walk(sub, p, out);
        }
    }
    walk(&skiff::cli::command(), vec![], &mut paths);
    assert!(paths.len() > 60, "{} commands", paths.len());
    let mut expected = std::collections::BTreeSet::new();
    let mut stale = Vec::new();
    for p in &paths {
        let name = if p.is_empty() {
            "skiff".to_owned()
        } else {
            format!("skiff-{}", p.join("-"))
        };
        let file = dir.join(format!("{name}.txt"));
        expected.insert(format!("{name}.txt"));
        let mut args: Vec<&str> = p.iter().map(String::as_str).collect();
        args.push("--help");
        let out = s.ok(&args);
        let shown = if p.is_empty() {
            "skiff".to_owned()
        } else {
            format!("skiff {}", p.join(" "))
        };
        assert!(
            out.starts_with(&format!("Usage:  {shown}")),
            "{shown}: {out}"
        );
        assert!(
            out.ends_with('\n') && !out.ends_with("\n\n"),
            "{shown}: {out:?}"
        );
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &out).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(out.as_str()) {
            stale.push(name);
        }
    }
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let extra: Vec<_> = on_disk.difference(&expected).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "help texts differ from tests/snapshots/help/ for {stale:?}, no command for {extra:?}: \
         rerun with SKIFF_UPDATE_SNAPSHOTS=1 after checking the change"
    );
}
