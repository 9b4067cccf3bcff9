//! `skiff start` / `skiff container start`.

use crate::cli::context::Context;
use crate::commands::for_each_name;
use crate::engine::lifecycle::Started;
use crate::error::{Error, Result};
use crate::monitor::client::{relay, RelayEnd, RelayOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to start
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
    /// Attach STDOUT/STDERR and forward signals
    #[arg(short, long)]
    pub attach: bool,
    /// Attach container's STDIN
    #[arg(short, long)]
    pub interactive: bool,
    /// Override the key sequence for detaching a container
    #[arg(
        long = "detach-keys",
        value_name = "KEYS",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub detach_keys: String,
}

/// Relay a started container's stdio until it exits (its exit code) or the
/// user detaches (0).
pub fn attach_and_wait(
    ctx: &Context,
    started: Started,
    stdin: bool,
    tty: bool,
    keys: Vec<u8>,
    sig_proxy: bool,
) -> Result<u8> {
    let sock = started
        .attach
        .ok_or_else(|| Error::Other("no attach stream".into()))?;
    let opts = RelayOptions {
        stdin,
        tty,
        detach_keys: keys,
        sig_proxy: sig_proxy.then_some((started.pid, started.start_time)),
    };
    match relay(sock, &opts)
        .map_err(|e| Error::Other(format!("attaching to {}: {e}", started.id)))?
    {
        RelayEnd::Exited(code) => Ok(code.clamp(0, 255) as u8),
        RelayEnd::Detached => Ok(0),
        RelayEnd::Disconnected => {
            let code = ctx.engine()?.wait_container(&started.id).unwrap_or(125);
            Ok(code.clamp(0, 255) as u8)
        }
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    if args.attach || args.interactive {
        if args.containers.len() > 1 {
            return Err(Error::InvalidArgument(
                "you cannot start and attach multiple containers at once".into(),
            ));
        }
        let keys = crate::monitor::attach::parse_detach_keys(&args.detach_keys)
            .map_err(Error::InvalidArgument)?;
        let c = engine.container_lookup(&args.containers[0])?;
        let tty = c.config.config.tty;
        let started = engine.start_container(c.id(), true)?;
        return attach_and_wait(ctx, started, args.interactive, tty, keys, !tty);
    }
    for_each_name(ctx, &args.containers, |name| {
        engine
            .start_container(name, false)
            .map(|_| Some(name.to_owned()))
    })
}
