//! `skiff system check`: verify the store; `--repair` fixes what it safely
//! can. Prints one line per problem; exits 0 when the store is clean (or
//! every problem was repaired), 1 otherwise.

use std::time::Duration;

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fix what can be fixed safely (leftovers of killed commands)
    #[arg(short, long)]
    pub repair: bool,
    /// Treat unlocked leftovers younger than this many milliseconds as a
    /// command still at work (default 10000)
    #[arg(long = "min-age-ms", value_name = "MS", hide = true)]
    pub min_age_ms: Option<u64>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let min_age = args
        .min_age_ms
        .map_or(crate::engine::check::ABANDONED_AFTER, Duration::from_millis);
    let problems = ctx.engine()?.system_check(args.repair, min_age)?;
    let mut text = String::new();
    for p in &problems {
        text.push_str(&p.to_string());
        text.push('\n');
    }
    output::out(&text)?;
    Ok(if problems.iter().all(|p| p.repaired) {
        0
    } else {
        1
    })
}
