//! `skiff commit` / `skiff container commit`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::commit::CommitOptions;
use crate::error::Result;

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]")]
pub struct Args {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short, long, value_name = "string")]
    pub author: Option<String>,
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long, value_name = "list")]
    pub change: Vec<String>,
    /// Commit message
    #[arg(short, long, value_name = "string")]
    pub message: Option<String>,
    /// Pause container during commit
    #[arg(short, long, default_value_t = true)]
    pub pause: bool,
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Repository and tag of the new image
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let id = ctx.engine()?.commit_container(&CommitOptions {
        container: args.container,
        reference: args.reference,
        author: args.author,
        message: args.message,
        changes: args.change,
        pause: args.pause,
    })?;
    output::outln(&id)?;
    Ok(0)
}
