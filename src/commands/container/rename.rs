//! `skiff rename` / `skiff container rename`.

use crate::commands::context::Context;
use crate::commands::output::report;
use crate::error::{code, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// New name
    #[arg(value_name = "NEW_NAME")]
    pub new_name: String,
}

/// docker's CLI follows the daemon's error with its own line.
pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    match ctx
        .engine()?
        .rename_container(&args.container, &args.new_name)
    {
        Ok(()) => Ok(0),
        Err(e) => {
            report(&e, ctx.debug());
            eprintln!("Error: failed to rename container named {}", args.container);
            Ok(code::FAILURE)
        }
    }
}
