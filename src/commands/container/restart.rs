//! `skiff restart` / `skiff container restart`: stop, then start.

use crate::commands::container::stop::Args;
use crate::commands::context::Context;
use crate::commands::for_each_name;
use crate::error::Result;

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let timeout = args.timeout()?;
    let names = args.select.names(ctx, |_| true)?;
    for_each_name(ctx, &names, |name| {
        args.select.ignoring((|| {
            engine.stop_container(name, timeout, args.signal.as_deref())?;
            engine
                .start_container(name, false)
                .map(|_| Some(name.to_owned()))
        })())
    })
}
