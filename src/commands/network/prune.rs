//! `skiff network prune`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::{Error, Result};

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
    if !args.force {
        // Never prompt without a terminal: a script must say -f.
        if !ctx.stdin_is_tty() {
            return Err(Error::InvalidArgument(
                "network prune asks for confirmation; stdin is not a terminal, so pass -f/--force"
                    .into(),
            ));
        }
        eprint!("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Error::Other(format!("reading answer: {e}")))?;
        if !matches!(line.trim(), "y" | "Y" | "yes" | "Yes") {
            return Ok(0);
        }
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
