//! `skiff network prune`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (e.g. "until=<timestamp>")
    #[arg(long, value_name = "filter")]
    pub filter: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let filters = args
        .filter
        .iter()
        .map(|f| crate::engine::prune::PruneFilter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    if !args.force
        && !ctx.confirm(
            "network prune",
            "WARNING! This will remove all custom networks not used by at least one container.",
        )?
    {
        return Ok(0);
    }
    let removed = ctx.engine()?.network_prune(&filters)?;
    if !removed.is_empty() {
        // docker's Fprintln of a text that ends in a newline: a blank line.
        let mut text = String::from("Deleted Networks:\n");
        for n in removed {
            text.push_str(&n);
            text.push('\n');
        }
        output::outln(&text)?;
    }
    Ok(0)
}
