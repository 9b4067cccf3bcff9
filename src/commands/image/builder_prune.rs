//! `skiff builder prune`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::{Error, Result};
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
    if !args.force {
        // Never prompt without a terminal: a script must say -f.
        if !ctx.stdin_is_tty() {
            return Err(Error::InvalidArgument(
                "builder prune asks for confirmation; stdin is not a terminal, so pass -f/--force"
                    .into(),
            ));
        }
        eprint!("WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] ");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Error::Other(format!("reading answer: {e}")))?;
        if !matches!(line.trim(), "y" | "Y" | "yes" | "Yes") {
            return Ok(0);
        }
    }
    let freed = ctx.engine()?.prune_build_cache()?;
    output::outln(&format!("Total:\t{}", units::human_size(freed)))?;
    Ok(0)
}
