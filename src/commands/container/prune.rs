//! `skiff container prune`.

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
            "container prune",
            "WARNING! This will remove all stopped containers.",
        )?
    {
        return Ok(0);
    }
    let ids = ctx.engine()?.prune_containers(&filters)?;
    let mut s = String::new();
    if !ids.is_empty() {
        s.push_str("Deleted Containers:\n");
        for id in ids {
            s.push_str(&id);
            s.push('\n');
        }
        s.push('\n');
    }
    s.push_str("Total reclaimed space: 0B\n");
    output::out(&s)?;
    Ok(0)
}
