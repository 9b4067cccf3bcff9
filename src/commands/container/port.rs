//! `skiff port`: a container's published ports, as docker prints them.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::{Error, Result};
use crate::network::ports::{self, Proto};

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
    let c = ctx.engine()?.container_lookup(&args.container)?;
    let bound = if c.state.is_running() {
        c.state.ports.clone()
    } else {
        Vec::new()
    };
    let Some(want) = args.port else {
        for line in ports::port_lines(&bound) {
            output::outln(&line)?;
        }
        return Ok(0);
    };
    // docker takes any protocol name here (one it never publishes is
    // simply not found) and names the port as it was given.
    let (port, proto) = match want.split_once('/') {
        Some((p, "udp")) => (p, Some(Proto::Udp)),
        Some((p, "tcp" | "")) => (p, Some(Proto::Tcp)),
        Some((p, _)) => (p, None),
        None => (want.as_str(), Some(Proto::Tcp)),
    };
    let port: u16 = port
        .parse()
        .map_err(|_| Error::InvalidArgument(format!("invalid port: {want}")))?;
    let hits: Vec<_> = bound
        .iter()
        .filter(|b| b.container_port == port && Some(b.proto) == proto)
        .collect();
    if hits.is_empty() {
        return Err(Error::NotFound(format!(
            "No public port '{want}' published for {}",
            args.container
        )));
    }
    for b in hits {
        let ip = b.host_ip.map_or("0.0.0.0".to_string(), |i| i.to_string());
        output::outln(&format!("{ip}:{}", b.host_port))?;
    }
    Ok(0)
}
