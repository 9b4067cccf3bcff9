//! `skiff kill` / `skiff container kill`.

use crate::cli::context::Context;
use crate::commands::for_each_name;
use crate::error::Result;

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
    for_each_name(ctx, &args.containers, |name| {
        engine
            .kill_container(name, &args.signal)
            .map(|_| Some(name.to_owned()))
    })
}
