//! `skiff run` / `skiff container run`: create + start, attached unless -d.

use crate::cli::context::Context;
use crate::cli::output;
use crate::commands::container::create::{ensure_image, ContainerFlags};
use crate::commands::container::start::attach_and_wait;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(
    disable_help_flag = true,
    override_usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]"
)]
pub struct Args {
    /// Run container in background and print container ID
    #[arg(short, long)]
    pub detach: bool,
    /// Override the key sequence for detaching a container
    #[arg(
        long = "detach-keys",
        value_name = "KEYS",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub detach_keys: String,
    /// Proxy received signals to the process
    #[arg(long = "sig-proxy", default_value_t = true)]
    pub sig_proxy: bool,
    #[command(flatten)]
    pub flags: ContainerFlags,
    /// Print help (-h is --hostname, as in docker)
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let opts = args.flags.to_options()?;
    let keys = crate::monitor::attach::parse_detach_keys(&args.detach_keys)
        .map_err(Error::InvalidArgument)?;
    ensure_image(ctx, &args.flags)?;
    let engine = ctx.engine()?;
    let c = engine.create_container(&opts)?;
    if args.detach {
        match engine.start_container(c.id(), false) {
            Ok(_) => {
                output::outln(c.id())?;
                return Ok(0);
            }
            Err(e) => {
                if opts.auto_remove {
                    let _ = engine.remove_container(c.id(), true);
                }
                return Err(e);
            }
        }
    }
    let started = match engine.start_container(c.id(), true) {
        Ok(s) => s,
        Err(e) => {
            if opts.auto_remove {
                let _ = engine.remove_container(c.id(), true);
            }
            return Err(e);
        }
    };
    attach_and_wait(
        ctx,
        started,
        opts.interactive,
        opts.tty,
        keys,
        args.sig_proxy && !opts.tty,
    )
}
