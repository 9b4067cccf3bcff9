//! `skiff export` / `skiff container export`.

use crate::commands::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "string")]
    pub output: Option<std::path::PathBuf>,
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    if args.output.is_none() && ctx.stdout_is_tty() {
        return Err(Error::InvalidArgument(
            "cowardly refusing to save to a terminal. Use the -o flag or redirect".into(),
        ));
    }
    ctx.engine()?
        .export_container(&args.container, args.output.as_deref())?;
    Ok(0)
}
