//! `skiff attach` / `skiff container attach`.

use crate::commands::context::Context;
use crate::commands::relay::{attach_and_wait, parse_detach_keys, AttachOptions};
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Override the key sequence for detaching a container
    #[arg(
        long = "detach-keys",
        value_name = "KEYS",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub detach_keys: String,
    /// Do not attach STDIN
    #[arg(long = "no-stdin")]
    pub no_stdin: bool,
    /// Proxy all received signals to the process
    #[arg(long = "sig-proxy", default_value_t = true)]
    pub sig_proxy: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let detach_keys = parse_detach_keys(&args.detach_keys)?;
    let stream = ctx.engine()?.attach_container(&args.container)?;
    let o = AttachOptions {
        stdin: !args.no_stdin && stream.open_stdin(),
        detach_keys,
        sig_proxy: args.sig_proxy,
        ..Default::default()
    };
    attach_and_wait(ctx, stream, &o)
}
