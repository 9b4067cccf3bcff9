//! `skiff start` / `skiff container start`.

use crate::commands::context::Context;
use crate::commands::flags::Selection;
use crate::commands::output::{self, report};
use crate::commands::relay::{attach_and_wait, parse_detach_keys, AttachOptions};
use crate::error::{code, Error, Result};
use crate::state::container::Status;

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] CONTAINER [CONTAINER...]")]
pub struct Args {
    /// Containers to start
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "filter"])]
    pub containers: Vec<String>,
    /// Start all containers that are not running (podman)
    #[arg(long)]
    pub all: bool,
    /// Only the containers matching a filter, as ps's (podman)
    #[arg(short, long, value_name = "filter")]
    pub filter: Vec<String>,
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
            ..Default::default()
        };
        let stream = engine.start_attached(&args.containers[0])?;
        return attach_and_wait(ctx, stream, &o);
    }
    if args.all && !args.containers.is_empty() {
        return Err(Error::Status {
            code: code::ENGINE,
            message:
                "Error: either start all containers or the container(s) provided in the arguments"
                    .into(),
        });
    }
    let select = Selection {
        containers: args.containers.clone(),
        all: args.all || (!args.filter.is_empty() && args.containers.is_empty()),
        filter: args.filter.clone(),
        latest: false,
        ignore: false,
    };
    let names = select.names(ctx, |s| !matches!(s, Status::Running | Status::Paused))?;
    // docker: each failure reported, then one line naming them all.
    let mut failed = Vec::new();
    for name in &names {
        match engine.start_container(name, false) {
            Ok(_) => output::outln(name)?,
            Err(e) => {
                report(&e, ctx.debug());
                failed.push(name.as_str());
            }
        }
    }
    if failed.is_empty() {
        return Ok(0);
    }
    eprintln!("Error: failed to start containers: {}", failed.join(", "));
    Ok(code::FAILURE)
}
