//! `skiff pause` / `skiff unpause`.

use crate::cli::context::Context;
use crate::commands::for_each_name;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Context, args: Args, pause: bool) -> Result<u8> {
    let engine = ctx.engine()?;
    for_each_name(ctx, &args.containers, |name| {
        engine
            .set_paused(name, pause)
            .map(|_| Some(name.to_owned()))
    })
}
