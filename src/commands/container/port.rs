//! `skiff port`: published ports (none until networking lands).

use crate::cli::context::Context;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// PRIVATE_PORT[/PROTO]
    #[arg(value_name = "PRIVATE_PORT[/PROTO]")]
    pub port: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    // Resolving the container is the check docker makes; no ports yet.
    ctx.engine()?.container_lookup(&args.container)?;
    if let Some(p) = args.port {
        return Err(crate::Error::NotFound(format!(
            "No public port '{p}' published for {}",
            args.container
        )));
    }
    Ok(0)
}
