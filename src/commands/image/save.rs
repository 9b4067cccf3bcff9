//! `skiff save` / `skiff image save`.

use crate::cli::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Images to save
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    match &args.output {
        Some(path) => engine.save_images_to(&args.images, path)?,
        None => {
            if ctx.stdout_is_tty() {
                return Err(Error::InvalidArgument(
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect".into(),
                ));
            }
            let mut out = std::io::stdout().lock();
            engine.save_images(&args.images, &mut out)?;
        }
    }
    Ok(0)
}
