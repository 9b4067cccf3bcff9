//! `skiff volume inspect`.

use crate::commands::context::Context;
use crate::commands::image::inspect::print;
use crate::engine::InspectView;
use crate::error::Result;

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] VOLUME [VOLUME...]")]
pub struct Args {
    #[arg(short, long, value_name = "string", help = crate::commands::flags::TEMPLATE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Volumes to inspect
    #[arg(value_name = "VOLUME", required = true)]
    pub volumes: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let view = InspectView::for_format(args.format.as_deref());
    let (mut found, mut errors) = (Vec::new(), Vec::new());
    for name in &args.volumes {
        match engine.volume_inspect_value(name, view) {
            Ok(v) => found.push(v),
            Err(e) => errors.push(e),
        }
    }
    print(ctx, found, errors, args.format.as_deref())
}
