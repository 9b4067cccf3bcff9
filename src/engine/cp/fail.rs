//! A `cp` helper's failure, as docker words it.

use std::io;

/// Why a copy failed: docker's daemon errors (`Error: ...`) or its CLI's
/// bare ones.
pub(super) struct Fail {
    pub(super) raw: bool,
    pub(super) msg: String,
}

pub(super) fn daemon(msg: impl Into<String>) -> Fail {
    Fail {
        raw: false,
        msg: msg.into(),
    }
}

pub(super) fn raw(msg: impl Into<String>) -> Fail {
    Fail {
        raw: true,
        msg: msg.into(),
    }
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        daemon(e.to_string())
    }
}
