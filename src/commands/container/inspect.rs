//! `skiff container inspect`.

use crate::commands::context::Context;
use crate::commands::image::inspect::print;
use crate::engine::InspectView;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers to inspect
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
    #[arg(short, long, value_name = "string", help = crate::commands::flags::TEMPLATE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Display total file sizes
    #[arg(short, long)]
    pub size: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let view = InspectView::for_format(args.format.as_deref());
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for name in &args.containers {
        match engine.inspect_container(name, args.size, view) {
            Ok(v) => found.push(v),
            Err(e) => errors.push(e),
        }
    }
    print(ctx, found, errors, args.format.as_deref())
}
