//! `skiff network create`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::network::NetworkCreate;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Driver to manage the Network (bridge or macvlan)
    #[arg(short, long, value_name = "DRIVER")]
    pub driver: Option<String>,
    /// Subnet in CIDR format that represents a network segment
    #[arg(long, value_name = "SUBNET")]
    pub subnet: Option<String>,
    /// Allocate container ip from a sub-range
    #[arg(long = "ip-range", value_name = "RANGE")]
    pub ip_range: Option<String>,
    /// IPv4 Gateway for the master subnet
    #[arg(long, value_name = "GATEWAY")]
    pub gateway: Option<String>,
    /// Restrict external access to the network
    #[arg(long)]
    pub internal: bool,
    /// Set driver specific options
    #[arg(short = 'o', long = "opt", value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    /// Set metadata on a network
    #[arg(long, value_name = "LABEL")]
    pub label: Vec<String>,
    /// Network name
    #[arg(value_name = "NETWORK")]
    pub name: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let n = ctx.engine()?.network_create(&NetworkCreate {
        name: args.name,
        driver: args.driver,
        subnet: args.subnet,
        ip_range: args.ip_range,
        gateway: args.gateway,
        internal: args.internal,
        options: args.opt,
        labels: args.label,
    })?;
    output::outln(&n.id)?;
    Ok(0)
}
