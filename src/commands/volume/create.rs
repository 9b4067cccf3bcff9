//! `skiff volume create`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::volume::VolumeCreate;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] [VOLUME]")]
pub struct Args {
    /// Specify volume driver name
    #[arg(short, long, value_name = "string", default_value = "local")]
    pub driver: String,
    /// Set metadata for a volume
    #[arg(long, value_name = "list")]
    pub label: Vec<String>,
    /// Set driver specific options
    #[arg(short = 'o', long = "opt", value_name = "map")]
    pub opt: Vec<String>,
    /// Specify volume name
    #[arg(long, value_name = "string", hide = true)]
    pub name: Option<String>,
    /// Volume name
    #[arg(value_name = "VOLUME")]
    pub volume: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let name =
        match (args.volume, args.name) {
            (Some(a), Some(b)) if a != b => return Err(Error::InvalidArgument(
                "conflicting options: either specify --name or provide positional arg, not both"
                    .into(),
            )),
            (a, b) => a.or(b),
        };
    let v = ctx.engine()?.volume_create(&VolumeCreate {
        name,
        driver: Some(args.driver),
        options: args.opt,
        labels: args.label,
    })?;
    output::outln(&v.name)?;
    Ok(0)
}
