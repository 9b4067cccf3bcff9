//! `skiff volume rm`.

use crate::commands::context::Context;
use crate::commands::for_each_name;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] VOLUME [VOLUME...]")]
pub struct Args {
    /// Force the removal of one or more volumes
    #[arg(short, long)]
    pub force: bool,
    /// Volumes to remove
    #[arg(value_name = "VOLUME", required = true)]
    pub volumes: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    for_each_name(ctx, &args.volumes, |name| {
        match engine.volume_remove(name) {
            Ok(()) => Ok(Some(name.to_owned())),
            // docker: -f forgives a missing volume (and still prints it).
            Err(Error::NotFound(_)) if args.force => Ok(Some(name.to_owned())),
            Err(e) => Err(e),
        }
    })
}
