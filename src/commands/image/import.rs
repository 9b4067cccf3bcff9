//! `skiff import` / `skiff image import`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::commit::ImportOptions;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]")]
pub struct Args {
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long, value_name = "list")]
    pub change: Vec<String>,
    /// Set commit message for imported image
    #[arg(short, long, value_name = "string")]
    pub message: Option<String>,
    /// Set platform if server is multi-platform capable
    #[arg(long, value_name = "string")]
    pub platform: Option<String>,
    /// The tarball: a file, an http(s) URL, or - for stdin
    #[arg(value_name = "file|URL|-")]
    pub source: String,
    /// Repository and tag of the new image
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let o = ImportOptions {
        reference: args.reference,
        message: args.message,
        changes: args.change,
        platform: args.platform,
        source: args.source.clone(),
    };
    let id = if args.source == "-" {
        engine.import_image(&mut std::io::stdin().lock(), &o)?
    } else if args.source.starts_with("http://") || args.source.starts_with("https://") {
        engine.import_image_url(&args.source, &o)?
    } else {
        let mut f = std::fs::File::open(&args.source).map_err(|e| {
            Error::Raw(format!(
                "open {}: {}",
                args.source,
                crate::runtime::error::go_text(&e)
            ))
        })?;
        engine.import_image(&mut f, &o)?
    };
    output::outln(&id)?;
    Ok(0)
}
