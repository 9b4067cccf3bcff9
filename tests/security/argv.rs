//! Secrets in argv: nothing a container runs with (its environment, its
//! command) shows in the command line of a long-lived host process.

use crate::setup;

/// Every process on the host whose command line or name holds `needle`.
fn processes_showing(needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = e.file_name().to_string_lossy().into_owned();
        if pid.parse::<u32>().is_err() {
            continue;
        }
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) {
            out.push(format!("{pid}: {cmd}"));
        }
    }
    out
}

#[test]
fn monitor_and_init_show_no_user_argument() {
    let Some(env) = setup() else { return };
    let s = &env.s;
    let secret = "hunter2-in-argv";
    for init in [false, true] {
        let mut args = vec!["run", "-d", "--network", "none"];
        if init {
            args.push("--init");
        }
        let env_arg = format!("DB_PASSWORD={secret}");
        args.extend(["-e", &env_arg, &env.img, "sleep", "60"]);
        let id = s.ok(&args).trim().to_string();
        // The CLI is gone; the monitor (and --init's PID 1) stay.
        let shown = processes_showing(secret);
        assert!(
            shown.is_empty(),
            "init={init}: the secret shows in {shown:?}"
        );
        // The monitor, and with --init the container's PID 1 (its clone).
        let monitors = processes_showing(&format!("__monitor {id}"));
        assert_eq!(
            monitors.len(),
            1 + usize::from(init),
            "init={init}: the monitor: {monitors:?}"
        );
        for m in &monitors {
            let pid = m.split(':').next().unwrap();
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
            assert!(environ.is_empty(), "{m}: its environment is not empty");
        }
        // Inside, PID 1's command line is the command (or the init's).
        let one = s.ok(&["exec", &id, "cat", "/proc/1/cmdline"]);
        assert!(
            !one.contains(secret) && !one.contains("DB_PASSWORD"),
            "{one}"
        );
        if init {
            assert!(one.contains("__monitor"), "--init's PID 1: {one:?}");
        } else {
            assert_eq!(one, "sleep\u{0}60\u{0}");
        }
        s.ok(&["rm", "-f", &id]);
    }
}
