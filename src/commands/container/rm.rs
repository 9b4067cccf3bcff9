//! `skiff rm` / `skiff container rm`.

use crate::commands::context::Context;
use crate::commands::for_each_name;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to remove
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
    /// Remove all containers (podman)
    #[arg(short, long, conflicts_with = "containers")]
    pub all: bool,
    /// Ignore errors when a named container does not exist (podman)
    #[arg(short, long)]
    pub ignore: bool,
    /// Seconds to wait for a running container to stop before killing it (podman; with --force)
    #[arg(short, long, value_name = "SECONDS")]
    pub time: Option<i64>,
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short, long)]
    pub force: bool,
    /// Remove anonymous volumes associated with the container
    #[arg(short, long)]
    pub volumes: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let names: Vec<String> = if args.all {
        engine
            .list_containers(true, &[])?
            .iter()
            .map(|c| c.id().to_owned())
            .collect()
    } else {
        args.containers.clone()
    };
    for_each_name(ctx, &names, |name| {
        if let (Some(t), true) = (args.time, args.force) {
            if t > 0 {
                engine.stop_container(name, Some(t), None)?;
            }
        }
        match engine.remove_container_with(name, args.force, args.volumes) {
            Ok(_) => Ok(Some(name.to_owned())),
            Err(Error::NotFound(_)) if args.ignore || args.all => Ok(None),
            // docker: rm -f of a missing container says so, and succeeds.
            Err(e @ Error::NotFound(_)) if args.force => {
                crate::commands::output::report(&e, ctx.debug());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    })
}
