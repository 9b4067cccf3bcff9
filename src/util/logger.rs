//! skiff's logger for the `log` crate: to stderr for the CLI, at the level
//! of `--log-level` (default warn), and to `monitor.log` in the container's
//! directory for its monitor, which has no terminal.
//!
//! One line per record, written with a single write(2): the file is opened
//! O_APPEND, so lines from the monitor and a command never interleave.
//! Debug and info records of other crates (rustls, netlink) are dropped:
//! `--log-level debug` is about what skiff does.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use log::{Level, LevelFilter, Log, Metadata, Record};

/// `--log-level`'s values (docker's, from logrus) as a filter; docker's
/// `fatal` and `panic` keep only errors.
pub fn parse_level(s: &str) -> Option<LevelFilter> {
    Some(match s {
        "trace" => LevelFilter::Trace,
        "debug" => LevelFilter::Debug,
        "info" => LevelFilter::Info,
        "warn" | "warning" => LevelFilter::Warn,
        "error" | "fatal" | "panic" => LevelFilter::Error,
        _ => return None,
    })
}

enum Sink {
    Stderr,
    /// Opened at the first record, so a quiet monitor leaves no file.
    File(PathBuf, OnceLock<Option<File>>),
}

struct Logger {
    sink: Sink,
    level: LevelFilter,
    start: Instant,
}

/// Sends records at `level` and above to stderr, as
/// `DEBU[0.012] message` (docker's level tag, then seconds since start).
/// The first logger installed in a process stays; a second call is a no-op.
pub fn init_stderr(level: LevelFilter) {
    install(Sink::Stderr, level);
}

/// Sends records at `level` and above to `path` (created 0640 at the first
/// record, like the container's json-file log), each line stamped with the
/// RFC 3339 time.
pub fn init_file(path: &Path, level: LevelFilter) {
    install(Sink::File(path.to_owned(), OnceLock::new()), level);
}

fn open_append(path: &Path) -> Option<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)
        .ok()
}

fn install(sink: Sink, level: LevelFilter) {
    let logger = Box::new(Logger {
        sink,
        level,
        start: Instant::now(),
    });
    if log::set_boxed_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}

fn tag(level: Level) -> &'static str {
    match level {
        Level::Error => "ERRO",
        Level::Warn => "WARN",
        Level::Info => "INFO",
        Level::Debug => "DEBU",
        Level::Trace => "TRAC",
    }
}

impl Logger {
    fn line(&self, record: &Record) -> String {
        match self.sink {
            Sink::Stderr => format!(
                "{}[{:.3}] {}\n",
                tag(record.level()),
                self.start.elapsed().as_secs_f64(),
                record.args()
            ),
            Sink::File(..) => format!(
                "{} {} {}\n",
                crate::util::time::rfc3339_nano(crate::util::time::now()),
                tag(record.level()),
                record.args()
            ),
        }
    }
}

impl Log for Logger {
    fn enabled(&self, meta: &Metadata) -> bool {
        meta.level() <= self.level
            && (meta.level() <= Level::Warn || meta.target().starts_with("skiff"))
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = self.line(record);
        // One write per line; a logger has nowhere to report its own failure.
        let _ = match &self.sink {
            Sink::Stderr => io::stderr().lock().write_all(line.as_bytes()),
            Sink::File(path, file) => match file.get_or_init(|| open_append(path)) {
                Some(f) => (&*f).write_all(line.as_bytes()),
                None => Ok(()),
            },
        };
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn levels_parse_as_docker_names_them() {
        assert_eq!(parse_level("debug"), Some(LevelFilter::Debug));
        assert_eq!(parse_level("warn"), Some(LevelFilter::Warn));
        assert_eq!(parse_level("fatal"), Some(LevelFilter::Error));
        assert_eq!(parse_level("loud"), None);
    }

    /// The file logger writes whole stamped lines at its level and above,
    /// appends, and creates the file 0640. (A process has one logger, so
    /// this is the only test that installs one.)
    fn record(logger: &Logger, level: Level, target: &str, msg: std::fmt::Arguments) {
        logger.log(
            &Record::builder()
                .level(level)
                .target(target)
                .args(msg)
                .build(),
        );
    }

    /// The file logger writes whole stamped lines at its level and above,
    /// creates the file 0640 at the first record, and appends. (Tested on
    /// a logger of its own: the process-wide one is not installed here.)
    #[test]
    fn file_logger_appends_stamped_lines_at_its_level() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("monitor.log");
        let logger = Logger {
            sink: Sink::File(path.clone(), OnceLock::new()),
            level: LevelFilter::Info,
            start: Instant::now(),
        };
        record(
            &logger,
            Level::Debug,
            "skiff::monitor",
            format_args!("not at info"),
        );
        assert!(!path.exists(), "created before the first record");
        record(
            &logger,
            Level::Info,
            "skiff::monitor",
            format_args!("container {} exited", "abc"),
        );
        record(
            &logger,
            Level::Info,
            "rustls::client",
            format_args!("another crate's info"),
        );
        record(
            &logger,
            Level::Error,
            "netlink_packet_route",
            format_args!("its error"),
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // 0640, less if the umask says so.
        assert!(mode & !0o640 == 0 && mode & 0o600 == 0o600, "{mode:o}");
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].ends_with(" INFO container abc exited"), "{text}");
        assert!(lines[1].ends_with(" ERRO its error"), "{text}");
        let stamp = lines[0].split(' ').next().unwrap();
        assert!(crate::util::time::parse_rfc3339(stamp).is_some(), "{stamp}");
        // A second logger on the same file appends.
        let again = Logger {
            sink: Sink::File(path.clone(), OnceLock::new()),
            level: LevelFilter::Warn,
            start: Instant::now(),
        };
        record(
            &again,
            Level::Warn,
            "skiff::monitor::run",
            format_args!("later"),
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.ends_with(" WARN later\n"), "{text}");
    }

    #[test]
    fn stderr_lines_carry_the_level_and_seconds() {
        let logger = Logger {
            sink: Sink::Stderr,
            level: LevelFilter::Debug,
            start: Instant::now(),
        };
        let line = |msg: std::fmt::Arguments| {
            let r = Record::builder()
                .level(Level::Debug)
                .target("skiff::engine")
                .args(msg)
                .build();
            assert!(logger.enabled(r.metadata()));
            logger.line(&r)
        };
        let line = line(format_args!("start {}", "abc"));
        assert!(
            line.starts_with("DEBU[0.0") && line.ends_with("] start abc\n"),
            "{line}"
        );
        let trace = Metadata::builder()
            .level(Level::Trace)
            .target("skiff")
            .build();
        assert!(!logger.enabled(&trace));
    }
}
