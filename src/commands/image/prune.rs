//! `skiff image prune`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::image::ImageFilter;
use crate::error::Result;
use crate::util::units;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Remove all unused images, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (label=..., before=..., since=...)
    #[arg(long, value_name = "filter")]
    pub filter: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let warning = if args.all {
        "WARNING! This will remove all images without at least one container associated to them."
    } else {
        "WARNING! This will remove all dangling images."
    };
    if !args.force && !ctx.confirm("image prune", warning)? {
        return Ok(0);
    }
    let filters = args
        .filter
        .iter()
        .map(|f| ImageFilter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    let report = ctx.engine()?.prune_images(args.all, &filters)?;
    if !report.events.is_empty() {
        output::outln("Deleted Images:")?;
        crate::commands::image::rm::print_events(&report.events, false)?;
        output::outln("")?;
    }
    output::outln(&format!(
        "Total reclaimed space: {}",
        units::human_size(report.reclaimed)
    ))?;
    Ok(0)
}
