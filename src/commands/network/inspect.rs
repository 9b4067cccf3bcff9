//! `skiff network inspect`.

use crate::commands::context::Context;
use crate::commands::image::inspect::print;
use crate::engine::InspectView;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Networks to inspect
    #[arg(value_name = "NETWORK", required = true)]
    pub networks: Vec<String>,
    #[arg(short, long, value_name = "string", help = crate::commands::flags::TEMPLATE_FORMAT_HELP)]
    pub format: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let view = InspectView::for_format(args.format.as_deref());
    let (mut found, mut errors) = (Vec::new(), Vec::new());
    for name in &args.networks {
        match engine.network_inspect(name, view) {
            Ok(v) => found.push(v),
            Err(e) => errors.push(e),
        }
    }
    print(ctx, found, errors, args.format.as_deref())
}
