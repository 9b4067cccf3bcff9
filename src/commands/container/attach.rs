//! `skiff attach` / `skiff container attach`.

use crate::cli::context::Context;
use crate::commands::container::start::attach_and_wait;
use crate::error::{Error, Result};

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
    let keys = crate::monitor::attach::parse_detach_keys(&args.detach_keys)
        .map_err(Error::InvalidArgument)?;
    let (started, c) = ctx.engine()?.attach_container(&args.container)?;
    let stdin = !args.no_stdin && c.config.config.open_stdin;
    attach_and_wait(
        ctx,
        started,
        stdin,
        c.config.config.tty,
        keys,
        args.sig_proxy && !c.config.config.tty,
    )
}
