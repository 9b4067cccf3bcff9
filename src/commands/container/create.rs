//! `skiff create` / `skiff container create`.

use crate::cli::context::Context;
use crate::cli::output;
pub use crate::commands::container::options::ContainerFlags;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(
    disable_help_flag = true,
    override_usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]"
)]
pub struct Args {
    #[command(flatten)]
    pub flags: ContainerFlags,
    /// Print help (-h is --hostname, as in docker)
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

/// Pull the image when the policy says so, telling the user on stderr as
/// docker does ("Unable to find image ... locally").
pub fn ensure_image(ctx: &Context, flags: &ContainerFlags) -> Result<()> {
    let engine = ctx.engine()?;
    let present = match engine.image_lookup(&flags.image) {
        Ok(_) => true,
        Err(Error::NotFound(_)) => false,
        Err(e) => return Err(e),
    };
    if flags.pull == "always" || (!present && flags.pull == "missing") {
        if !present {
            let shown = crate::image::reference::Reference::parse_tagged(&flags.image)
                .map(|r| r.familiar())
                .unwrap_or_else(|_| flags.image.clone());
            eprintln!("Unable to find image '{shown}' locally");
        }
        let ro = crate::engine::image::RegistryOptions {
            platform: flags.platform.clone(),
            ..Default::default()
        };
        let report = engine.pull(
            &flags.image,
            &ro,
            &crate::commands::image::pull::StderrLines,
        )?;
        eprintln!("Digest: {}", report.manifest_digest);
        eprintln!(
            "Status: Downloaded newer image for {}",
            report.reference.familiar()
        );
    }
    Ok(())
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let opts = args.flags.to_options()?;
    ensure_image(ctx, &args.flags)?;
    let c = ctx.engine()?.create_container(&opts)?;
    output::outln(c.id())?;
    Ok(0)
}
