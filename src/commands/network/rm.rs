//! `skiff network rm`.

use crate::commands::context::Context;
use crate::commands::for_each_name;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "NETWORK [NETWORK...]")]
pub struct Args {
    /// Also remove the containers on the network (as podman does); a
    /// missing network is not an error (as docker does)
    #[arg(short, long)]
    pub force: bool,
    /// Networks to remove
    #[arg(value_name = "NETWORK", required = true)]
    pub networks: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    for_each_name(ctx, &args.networks, |name| {
        match engine.network_remove(name, args.force) {
            Ok(()) => Ok(Some(name.to_owned())),
            Err(Error::NotFound(_)) if args.force => Ok(None),
            Err(e) => Err(e),
        }
    })
}
