//! `skiff tag SOURCE TARGET`.

use crate::commands::context::Context;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Existing image: NAME[:TAG], digest reference or ID
    #[arg(value_name = "SOURCE_IMAGE[:TAG]")]
    pub source: String,
    /// New tag
    #[arg(value_name = "TARGET_IMAGE[:TAG]")]
    pub target: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    // docker's CLI checks the target before it asks the daemon.
    if let Err(e) = crate::image::reference::Reference::parse(&args.target) {
        return Err(crate::Error::Raw(format!(
            "Error parsing reference: {:?} is not a valid repository/tag: {e}",
            args.target
        )));
    }
    ctx.engine()?.tag_image(&args.source, &args.target)?;
    Ok(0)
}
