//! The one error type the engine returns. Every message names its culprit;
//! `exit_code` maps it to docker's codes (125 for skiff's own errors).

use std::fmt;
use std::path::Path;

/// Docker-compatible exit codes.
pub mod code {
    /// A verb failed (docker's CLI gives 1 for every verb but run/create).
    pub const FAILURE: u8 = 1;
    /// `run`/`create` failed before the container started, or a flag error.
    pub const ENGINE: u8 = 125;
    /// The container command cannot be invoked.
    pub const NOT_EXECUTABLE: u8 = 126;
    /// The container command was not found.
    pub const NOT_FOUND: u8 = 127;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A user-facing argument is malformed (flag value, reference, filter).
    #[error("{0}")]
    InvalidArgument(String),
    /// No object of that kind and name.
    #[error("{0}")]
    NotFound(String),
    /// The object exists but the operation conflicts with its state.
    #[error("{0}")]
    Conflict(String),
    /// A filesystem operation failed; names the path.
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Registry(#[from] crate::image::registry::RegistryError),
    #[error(transparent)]
    Layer(#[from] crate::image::layer::LayerError),
    /// The container could not be started; `code` is docker's 125/126/127.
    #[error("{message}")]
    Start { code: u8, message: String },
    /// Anything else, already phrased for the user.
    #[error("{0}")]
    Other(String),
    /// A message docker prints as it is, without `Error: ` (template
    /// errors of list verbs, attach to a stopped container).
    #[error("{0}")]
    Raw(String),
    /// docker's `cli.StatusError`: printed as it is, with its own exit
    /// code for every verb (64 for a template that does not parse).
    #[error("{message}")]
    Status { code: u8, message: String },
}

impl Error {
    pub fn io(op: &'static str, path: impl AsRef<Path>, source: std::io::Error) -> Error {
        Error::Io {
            op,
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Start { code, .. } | Error::Status { code, .. } => *code,
            _ => code::ENGINE,
        }
    }

    /// The disk (or quota) filled up: ENOSPC or EDQUOT from a write.
    pub fn is_out_of_space(&self) -> bool {
        match self {
            Error::Io { source, .. } => out_of_space(source),
            Error::Registry(e) => e.is_out_of_space(),
            _ => false,
        }
    }

    /// Prefix the message with what was being done: `pulling x: <msg>`.
    pub fn context(self, what: impl fmt::Display) -> Error {
        Error::Other(format!("{what}: {self}"))
    }
}

/// ENOSPC or EDQUOT: the disk, or the user's quota on it, is full.
pub fn out_of_space(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `io_ctx!(op, path)` helper: map an io::Error to Error::Io naming the path.
pub trait IoContext<T> {
    fn ctx(self, op: &'static str, path: impl AsRef<Path>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, op: &'static str, path: impl AsRef<Path>) -> Result<T> {
        self.map_err(|e| Error::io(op, path, e))
    }
}
