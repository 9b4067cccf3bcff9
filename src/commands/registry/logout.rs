//! `skiff logout`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;

#[derive(Debug, clap::Args)]
#[command(override_usage = "[SERVER]")]
pub struct Args {
    /// Registry
    #[arg(value_name = "SERVER")]
    pub server: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let (host, had) = ctx.engine()?.logout(args.server.as_deref())?;
    if had {
        output::outln(&format!("Removing login credentials for {host}"))?;
    } else {
        output::outln(&format!("Not logged in to {host}"))?;
    }
    Ok(0)
}
