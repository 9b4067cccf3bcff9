//! `skiff run` / `skiff container run`: create + start, attached unless -d.

use crate::commands::container::create::{image_source, prepare, ContainerFlags, PullLines};
use crate::commands::context::Context;
use crate::commands::output;
use crate::commands::relay::{attach_and_wait, parse_detach_keys, AttachOptions};
use crate::error::Result;

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
    let mut opts = args.flags.to_options()?;
    opts.detach = args.detach;
    let attach = AttachOptions {
        stdin: opts.interactive,
        detach_keys: parse_detach_keys(&args.detach_keys)?,
        sig_proxy: args.sig_proxy,
        // docker's -a: only the streams listed (all without -a).
        skip_stdout: !opts.attaches("stdout"),
        skip_stderr: !opts.attaches("stderr"),
    };
    let source = image_source(&args.flags)?;
    prepare(ctx, &args.flags)?;
    let started = ctx
        .engine()?
        .run_container(&opts, &source, &PullLines, !args.detach)?;
    match started.attach {
        Some(stream) => attach_and_wait(ctx, stream, &attach),
        None => {
            output::outln(&started.id)?;
            Ok(0)
        }
    }
}
