//! `skiff builder prune`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;
use crate::util::units;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Remove all unused build cache, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    if !args.force
        && !ctx.confirm(
            "builder prune",
            "WARNING! This will remove all dangling build cache.",
        )?
    {
        return Ok(0);
    }
    let freed = ctx.engine()?.prune_build_cache()?;
    output::outln(&format!("Total:\t{}", units::human_size(freed)))?;
    Ok(0)
}
