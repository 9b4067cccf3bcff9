//! Errors: [`RuntimeError`] for callers, [`SetupError`] inside the child
//! (sent to the caller over the channel and turned into a `RuntimeError`).

use std::io;

use serde::{Deserialize, Serialize};

/// Why a container process (or an exec) could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The command could not be started: not found, or not executable.
    /// The message reads like docker's, e.g. `exec: "/nonexistent": stat
    /// /nonexistent: no such file or directory`.
    #[error("{message}")]
    Exec {
        /// The errno behind it (`ENOENT` also for "not found in $PATH").
        errno: i32,
        /// What failed, naming the culprit.
        message: String,
    },
    /// Setting up the container failed inside the new process (a mount, the
    /// user, a capability...).
    #[error("{message}")]
    Setup {
        /// The errno behind it.
        errno: i32,
        /// What failed, naming the culprit.
        message: String,
    },
    /// The runtime's own work in the calling process failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The spec cannot be run as given.
    #[error("invalid container spec: {0}")]
    InvalidSpec(String),
}

impl RuntimeError {
    /// Docker's exit code for this error: 127 when the command was not
    /// found, 126 when it cannot be invoked, 125 for anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            RuntimeError::Exec { errno, .. } => match *errno {
                libc::ENOENT | libc::ENOTDIR => 127,
                libc::EACCES | libc::EISDIR | libc::ENOEXEC | libc::EPERM | libc::ETXTBSY => 126,
                _ => 125,
            },
            _ => 125,
        }
    }

    /// The errno behind the error, when there is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            RuntimeError::Exec { errno, .. } | RuntimeError::Setup { errno, .. } => Some(*errno),
            RuntimeError::Io { source, .. } => source.raw_os_error(),
            RuntimeError::InvalidSpec(_) => None,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: impl Into<io::Error>) -> RuntimeError {
        RuntimeError::Io {
            context: context.into(),
            source: source.into(),
        }
    }
}

/// Which step failed in the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// Namespaces, mounts, user, capabilities...
    Setup,
    /// Finding or executing the command.
    Exec,
}

/// A failure inside the child: what it sends to the caller before exiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupError {
    /// The errno.
    pub errno: i32,
    /// `<what>: <why>`, naming the culprit.
    pub message: String,
    /// Setup or exec.
    pub stage: Stage,
}

impl SetupError {
    /// A setup failure with `errno`.
    pub fn new(errno: i32, message: impl Into<String>) -> SetupError {
        SetupError {
            errno,
            message: message.into(),
            stage: Stage::Setup,
        }
    }

    /// An exec failure with `errno`.
    pub fn exec(errno: i32, message: impl Into<String>) -> SetupError {
        SetupError {
            errno,
            message: message.into(),
            stage: Stage::Exec,
        }
    }

    /// The exit code of the child after reporting this error.
    pub fn exit_code(&self) -> i32 {
        RuntimeError::from(self.clone()).exit_code()
    }
}

impl From<SetupError> for RuntimeError {
    fn from(e: SetupError) -> RuntimeError {
        match e.stage {
            Stage::Setup => RuntimeError::Setup {
                errno: e.errno,
                message: e.message,
            },
            Stage::Exec => RuntimeError::Exec {
                errno: e.errno,
                message: e.message,
            },
        }
    }
}

/// An I/O error as Go prints it: the errno's text, or the error's own.
pub fn go_text(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => errno_text(n),
        None => e.to_string(),
    }
}

/// The text of an errno as Go prints it ("no such file or directory"):
/// docker's messages are matched on these words.
pub fn errno_text(errno: i32) -> String {
    let text = io::Error::from_raw_os_error(errno).to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("errno {errno}"),
    }
}

/// Adds the culprit to a failing system call's error.
pub(crate) trait Context<T> {
    /// Turns the error into a [`SetupError`] reading `<what>: <errno text>`.
    fn ctx<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T, SetupError>;
}

impl<T, E: Into<io::Error>> Context<T> for Result<T, E> {
    fn ctx<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T, SetupError> {
        self.map_err(|e| {
            let e: io::Error = e.into();
            let errno = e.raw_os_error().unwrap_or(libc::EINVAL);
            let why = match e.raw_os_error() {
                Some(n) => errno_text(n),
                None => e.to_string(),
            };
            SetupError::new(errno, format!("{}: {why}", what().into()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_docker() {
        let exec = |errno| RuntimeError::Exec {
            errno,
            message: String::new(),
        };
        assert_eq!(exec(libc::ENOENT).exit_code(), 127);
        assert_eq!(exec(libc::EACCES).exit_code(), 126);
        assert_eq!(exec(libc::EISDIR).exit_code(), 126);
        assert_eq!(exec(libc::ENOEXEC).exit_code(), 126);
        assert_eq!(exec(libc::ENOMEM).exit_code(), 125);
        let setup = RuntimeError::Setup {
            errno: libc::ENOENT,
            message: String::new(),
        };
        assert_eq!(setup.exit_code(), 125);
        assert_eq!(RuntimeError::InvalidSpec("x".into()).exit_code(), 125);
    }

    #[test]
    fn errno_text_is_lowercase_like_go() {
        assert_eq!(errno_text(libc::ENOENT), "no such file or directory");
        assert_eq!(errno_text(libc::EACCES), "permission denied");
        let e: Result<(), _> = Err(rustix::io::Errno::PERM);
        let err = e.ctx(|| "mounting proc on /proc").unwrap_err();
        assert_eq!(
            err.message,
            "mounting proc on /proc: operation not permitted"
        );
        assert_eq!(err.errno, libc::EPERM);
    }
}
