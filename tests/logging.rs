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
