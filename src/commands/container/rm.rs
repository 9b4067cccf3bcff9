//! `skiff rm` / `skiff container rm`.

use crate::cli::context::Context;
use crate::commands::for_each_name;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to remove
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short, long, num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub force: bool,
    /// Remove anonymous volumes associated with the container
    #[arg(short, long, num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub volumes: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    for_each_name(ctx, &args.containers, |name| {
        match engine.remove_container(name, args.force) {
            Ok(_) => Ok(Some(name.to_owned())),
            Err(Error::NotFound(_)) if args.force => Ok(None),
            Err(e) => Err(e),
        }
    })
}
