//! `skiff pause` / `skiff unpause`.

use crate::cli::context::Context;
use crate::cli::{output, report};
use crate::error::{code, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Context, args: Args, pause: bool) -> Result<u8> {
    let engine = ctx.engine()?;
    let mut status = 0;
    for name in &args.containers {
        match engine.set_paused(name, pause) {
            Ok(()) => output::outln(name)?,
            Err(e) => {
                report(&e, ctx.debug());
                status = code::ENGINE;
            }
        }
    }
    Ok(status)
}
