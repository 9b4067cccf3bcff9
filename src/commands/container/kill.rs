//! `skiff kill` / `skiff container kill`.

use crate::cli::context::Context;
use crate::cli::{output, report};
use crate::error::{code, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to signal
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
    /// Signal to send to the container
    #[arg(short, long, value_name = "SIGNAL", default_value = "KILL")]
    pub signal: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let mut status = 0;
    for name in &args.containers {
        match engine.kill_container(name, &args.signal) {
            Ok(()) => output::outln(name)?,
            Err(e) => {
                report(&e, ctx.debug());
                status = code::ENGINE;
            }
        }
    }
    Ok(status)
}
