//! `skiff pause` / `skiff unpause`.

use crate::commands::context::Context;
use crate::commands::flags::Selection;
use crate::commands::for_each_name;
use crate::error::Result;
use crate::state::container::Status;

#[derive(Debug, clap::Args)]
#[command(override_usage = "CONTAINER [CONTAINER...]")]
pub struct Args {
    #[command(flatten)]
    pub select: Selection,
}

pub fn run(ctx: &Context, args: Args, pause: bool) -> Result<u8> {
    let engine = ctx.engine()?;
    let names = if pause {
        args.select.names(ctx, |s| s == Status::Running)?
    } else {
        args.select.names(ctx, |s| s == Status::Paused)?
    };
    for_each_name(ctx, &names, |name| {
        args.select.ignoring(
            engine
                .set_paused(name, pause)
                .map(|_| Some(name.to_owned())),
        )
    })
}
