//! `skiff kill` / `skiff container kill`.

use crate::commands::context::Context;
use crate::commands::flags::Selection;
use crate::commands::for_each_name;
use crate::error::Result;
use crate::state::container::Status;

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] CONTAINER [CONTAINER...]")]
pub struct Args {
    #[command(flatten)]
    pub select: Selection,
    /// Signal to send to the container
    #[arg(short, long, value_name = "string", default_value = "KILL")]
    pub signal: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let names = args
        .select
        .names(ctx, |s| matches!(s, Status::Running | Status::Paused))?;
    for_each_name(ctx, &names, |name| {
        args.select.ignoring(
            engine
                .kill_container(name, &args.signal)
                .map(|_| Some(name.to_owned())),
        )
    })
}
