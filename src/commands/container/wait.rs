//! `skiff wait` / `skiff container wait`.

use crate::commands::context::Context;
use crate::commands::for_each_name;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to wait for
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    for_each_name(ctx, &args.containers, |name| {
        engine
            .wait_container(name)
            .map(|code| Some(code.to_string()))
    })
}
