//! `skiff network connect`.

use crate::commands::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Add network-scoped alias for the container
    #[arg(long, value_name = "ALIAS")]
    pub alias: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long, value_name = "ADDRESS")]
    pub ip: Option<String>,
    /// Network
    #[arg(value_name = "NETWORK")]
    pub network: String,
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let ip = args
        .ip
        .as_deref()
        .map(|ip| {
            ip.parse()
                .map_err(|_| Error::InvalidArgument(format!("invalid IPv4 address: {ip}")))
        })
        .transpose()?;
    ctx.engine()?
        .network_connect(&args.network, &args.container, &args.alias, ip)?;
    Ok(0)
}
