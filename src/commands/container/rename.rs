//! `skiff rename` / `skiff container rename`.

use crate::commands::context::Context;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// New name
    #[arg(value_name = "NEW_NAME")]
    pub new_name: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    ctx.engine()?
        .rename_container(&args.container, &args.new_name)?;
    Ok(0)
}
