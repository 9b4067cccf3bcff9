//! One file per CLI verb: `Args` (clap derive; doc comments are the --help
//! text) and `run(&Context, Args) -> Result<exit code>`. Commands parse,
//! make one engine call, and print; they never make syscalls themselves.

pub mod container;
pub mod context;
pub mod flags;
pub mod image;
pub mod inspect;
pub mod network;
pub mod output;
pub mod registry;
pub mod relay;
pub mod system;
pub mod terminal;
pub mod volume;

use crate::commands::context::Context;
use crate::commands::output::report;
use crate::error::{code, Result};

/// Docker's way with several names: act on each, print what `act` returns
/// (one line) for successes, report failures, and exit 1 if any failed.
pub fn for_each_name(
    ctx: &Context,
    names: &[String],
    mut act: impl FnMut(&str) -> Result<Option<String>>,
) -> Result<u8> {
    let mut status = 0;
    for name in names {
        match act(name) {
            Ok(Some(line)) => output::outln(&line)?,
            Ok(None) => {}
            Err(e) => {
                report(&e, ctx.debug());
                status = code::FAILURE;
            }
        }
    }
    Ok(status)
}
