//! `skiff network disconnect`.

use crate::commands::context::Context;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Force the container to disconnect from a network (accepted)
    #[arg(short, long)]
    pub force: bool,
    /// Network
    #[arg(value_name = "NETWORK")]
    pub network: String,
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    ctx.engine()?
        .network_disconnect(&args.network, &args.container)?;
    Ok(0)
}
