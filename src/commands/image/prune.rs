//! `skiff image prune`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::image::ImageFilter;
use crate::error::{Error, Result};
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

fn confirm(all: bool) -> Result<bool> {
    let warning = if all {
        "WARNING! This will remove all images without at least one container associated to them."
    } else {
        "WARNING! This will remove all dangling images."
    };
    eprint!("{warning}\nAre you sure you want to continue? [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::Other(format!("reading answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    if !args.force {
        // Never prompt without a terminal: a script must say -f.
        if !ctx.stdin_is_tty() {
            return Err(Error::InvalidArgument(
                "image prune asks for confirmation; stdin is not a terminal, so pass -f/--force"
                    .into(),
            ));
        }
        if !confirm(args.all)? {
            return Ok(0);
        }
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
