//! `skiff wait` / `skiff container wait`.

use crate::cli::context::Context;
use crate::cli::{output, report};
use crate::error::{code, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to wait for
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let mut status = 0;
    for name in &args.containers {
        match engine.wait_container(name) {
            Ok(code) => output::outln(&code.to_string())?,
            Err(e) => {
                report(&e, ctx.debug());
                status = code::ENGINE;
            }
        }
    }
    Ok(status)
}
