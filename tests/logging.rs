//! `--log-level`: debug lines on stderr say what skiff does (as root, with
//! real containers); the default level prints none.

mod common;

use common::*;

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The debug lines of a command's stderr, each checked to be one.
fn debug_lines(stderr: &str) -> Vec<&str> {
    let lines: Vec<&str> = stderr.lines().collect();
    for l in &lines {
        assert!(
            l.starts_with("DEBU["),
            "not a debug line: {l:?} in\n{stderr}"
        );
    }
    lines
}

fn has(lines: &[&str], what: &str) -> bool {
    lines.iter().any(|l| l.contains(what))
}

#[test]
fn debug_level_says_what_skiff_does_and_the_default_says_nothing() {
    let Some(e) = TestEnv::new(&SERIAL) else {
        return;
    };
    let s = &e.s;
    // The default (warn): a quiet run prints the container's output only.
    let (code, out, err) = s.run(&["run", "--rm", "--network", "none", &e.img, "echo", "hi"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "hi\n", ""));

    // Debug: the steps on stderr, stdout untouched.
    let (code, out, err) = s.run(&[
        "--log-level",
        "debug",
        "run",
        "--name",
        "dbg",
        "--network",
        "none",
        &e.img,
        "echo",
        "hi",
    ]);
    assert_eq!((code, out.as_str()), (0, "hi\n"), "{err}");
    let lines = debug_lines(&err);
    assert!(has(&lines, "create: image "), "{err}");
    assert!(has(&lines, "monitor spawned at "), "{err}");
    assert!(has(&lines, "launch plan sent at "), "{err}");
    assert!(has(&lines, "monitor says \"OK "), "{err}");
    let id = s.ok(&["inspect", "--format", "{{.Id}}", "dbg"]);
    assert!(
        has(&lines, &format!("create: {} (dbg) written in ", id.trim())),
        "{err}"
    );
    // Its monitor had nothing to complain about: no monitor.log.
    let dir = s.root().join("containers").join(id.trim());
    assert!(dir.join("config.json").exists());
    assert!(
        !dir.join("monitor.log").exists(),
        "a quiet monitor wrote a log"
    );

    // exec and rm.
    s.ok(&[
        "run",
        "-d",
        "--name",
        "bg",
        "--network",
        "none",
        &e.img,
        "sleep",
        "1000",
    ]);
    let (code, out, err) = s.run(&["--log-level", "debug", "exec", "bg", "echo", "x"]);
    assert_eq!((code, out.as_str()), (0, "x\n"), "{err}");
    let lines = debug_lines(&err);
    assert!(has(&lines, "exec in ") && has(&lines, ": pid "), "{err}");
    let (code, _, err) = s.run(&["--log-level", "debug", "rm", "-f", "bg", "dbg"]);
    assert_eq!(code, 0, "{err}");
    let lines = debug_lines(&err);
    assert!(has(&lines, "rm bg: ") && has(&lines, "rm dbg: "), "{err}");
    assert!(has(&lines, ": removed"), "{err}");

    // info keeps the debug lines out.
    let (_, _, err) = s.run(&["--log-level", "info", "ps", "-a"]);
    assert_eq!(err, "");
}

/// The monitor's own problems go to monitor.log beside the container's
/// config. Here the container's json-file log is on a full disk (a link to
/// /dev/full, whose writes fail with ENOSPC): the container still runs and
/// its output still reaches the attached client, and monitor.log says what
/// failed, once, then how many lines were lost, not a line per line.
#[test]
fn a_log_on_a_full_disk_is_reported_in_monitor_log() {
    let Some(e) = TestEnv::new(&SERIAL) else {
        return;
    };
    let s = &e.s;
    let id = s
        .ok(&[
            "create",
            "--network",
            "none",
            &e.img,
            "sh",
            "-c",
            "echo one; echo two; echo three >&2",
        ])
        .trim()
        .to_string();
    let dir = s.root().join("containers").join(&id);
    let log = dir.join(format!("{id}-json.log"));
    match std::fs::remove_file(&log) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{e}"),
        _ => {}
    }
    std::os::unix::fs::symlink("/dev/full", &log).unwrap();
    let (code, out, err) = s.run(&["start", "-a", &id]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "one\ntwo\n", "three\n"),
        "the client still gets the output"
    );
    let text = std::fs::read_to_string(dir.join("monitor.log")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let first = format!(
        " ERRO writing the container's log {}: No space left on device",
        log.display()
    );
    assert!(lines[0].contains(&first), "{text}");
    assert!(
        lines[1].ends_with(&format!(
            " ERRO 3 lines in all could not be written to the container's log {}",
            log.display()
        )),
        "{text}"
    );
    // The exit was still recorded.
    let status = s.ok(&[
        "inspect",
        "--format",
        "{{.State.Status}} {{.State.ExitCode}}",
        &id,
    ]);
    assert_eq!(status.trim(), "exited 0");
    s.ok(&["rm", &id]);
    assert!(!dir.exists());
    assert!(
        std::fs::metadata("/dev/full")
            .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_char_device(&m.file_type())),
        "rm went through the link"
    );
}
