//! `skiff volume prune`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::prune::PruneFilter;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Remove all unused volumes, not just anonymous ones
    #[arg(short, long)]
    pub all: bool,
    /// Provide filter values (e.g. "label=<label>")
    #[arg(long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let mut all = args.all;
    let mut filters = Vec::new();
    for f in &args.filter {
        // docker's API filter `all=true` is `-a`.
        if let Some(v) = f.strip_prefix("all=") {
            all |= crate::util::units::parse_go_bool(v).unwrap_or(false);
            continue;
        }
        match PruneFilter::parse(f)? {
            PruneFilter::Until(_) => {
                return Err(Error::InvalidArgument("Invalid filter 'until'".into()))
            }
            p => filters.push(p),
        }
    }
    let which = if all {
        "all local volumes"
    } else {
        "anonymous local volumes"
    };
    if !args.force
        && !ctx.confirm(
            "volume prune",
            &format!("WARNING! This will remove {which} not used by at least one container."),
        )?
    {
        return Ok(0);
    }
    let (removed, bytes) = ctx.engine()?.volume_prune(all, &filters)?;
    let mut text = String::new();
    if !removed.is_empty() {
        text.push_str("Deleted Volumes:\n");
        for n in removed {
            text.push_str(&n);
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Total reclaimed space: {}",
        crate::util::units::human_size(bytes)
    ));
    output::outln(&text)?;
    Ok(0)
}
