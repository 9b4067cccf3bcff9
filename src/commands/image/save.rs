//! `skiff save` / `skiff image save`.

use crate::commands::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Images to save
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Archive format: docker-archive or oci-archive, one and the same
    /// archive (podman)
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Save several images into one archive, as always (podman)
    #[arg(short = 'm', long)]
    pub multi_image_archive: bool,
    /// Keep layers uncompressed, as always (podman)
    #[arg(long)]
    pub uncompressed: bool,
}

/// podman's `--format`: skiff's archive is docker 25's, which is at the
/// same time an OCI image layout, so both archive formats are the same
/// bytes; the directory formats are not written.
fn check_format(format: Option<&str>) -> Result<()> {
    match format {
        None | Some("docker-archive") | Some("oci-archive") => Ok(()),
        Some(other) => Err(Error::InvalidArgument(format!(
            "unsupported format {other:?}: only docker-archive and oci-archive (one archive, both formats)"
        ))),
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    check_format(args.format.as_deref())?;
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
