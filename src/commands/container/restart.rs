//! `skiff restart` / `skiff container restart`.

use crate::cli::context::Context;
use crate::cli::{output, report};
use crate::error::{code, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to restart
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
    /// Seconds to wait before killing the container
    #[arg(
        short,
        long = "time",
        visible_alias = "timeout",
        value_name = "SECONDS",
        allow_hyphen_values = true
    )]
    pub time: Option<i64>,
    /// Signal to send to the container
    #[arg(short, long, value_name = "SIGNAL")]
    pub signal: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let mut status = 0;
    for name in &args.containers {
        let r = engine
            .stop_container(name, args.time, args.signal.as_deref())
            .and_then(|_| engine.start_container(name, false));
        match r {
            Ok(_) => output::outln(name)?,
            Err(e) => {
                report(&e, ctx.debug());
                status = code::ENGINE;
            }
        }
    }
    Ok(status)
}
