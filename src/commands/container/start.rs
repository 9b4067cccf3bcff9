//! `skiff start` / `skiff container start`.

use crate::commands::context::Context;
use crate::commands::for_each_name;
use crate::commands::relay::{attach_and_wait, parse_detach_keys, AttachOptions};
use crate::error::{Error, Result};

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

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    if args.attach || args.interactive {
        if args.containers.len() > 1 {
            return Err(Error::InvalidArgument(
                "you cannot start and attach multiple containers at once".into(),
            ));
        }
        let o = AttachOptions {
            stdin: args.interactive,
            detach_keys: parse_detach_keys(&args.detach_keys)?,
            sig_proxy: true,
        };
        let stream = engine.start_attached(&args.containers[0])?;
        return attach_and_wait(ctx, stream, &o);
    }
    for_each_name(ctx, &args.containers, |name| {
        engine
            .start_container(name, false)
            .map(|_| Some(name.to_owned()))
    })
}
