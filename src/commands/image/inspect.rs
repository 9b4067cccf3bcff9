//! `skiff image inspect`.

use crate::commands::context::Context;
use crate::commands::output::{self, report};
use crate::engine::InspectView;
use crate::error::{code, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Images to inspect
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    #[arg(short, long, value_name = "string", help = crate::commands::flags::TEMPLATE_FORMAT_HELP)]
    pub format: Option<String>,
}

/// Print found objects, report missing ones; exit 1 if any was missing.
pub fn print(
    ctx: &Context,
    found: Vec<serde_json::Value>,
    errors: Vec<crate::Error>,
    format: Option<&str>,
) -> Result<u8> {
    let text = match format {
        Some(f) => output::inspect_format(f, &found)?,
        None => output::inspect_json(&found)?,
    };
    // docker's template inspector writes a newline when nothing was
    // found, the JSON one `[]`.
    output::out(if text.is_empty() { "\n" } else { &text })?;
    for e in &errors {
        report(e, ctx.debug());
    }
    Ok(if errors.is_empty() { 0 } else { code::FAILURE })
}

/// One image's inspect JSON; docker's CLI words a missing image as
/// `no such image: NAME: <the daemon's No such image: ...>`.
pub fn inspect_image(
    engine: &crate::engine::Engine,
    name: &str,
    view: InspectView,
) -> Result<serde_json::Value> {
    engine.inspect_image(name, view).map_err(|e| match e {
        crate::Error::NotFound(m) => crate::Error::NotFound(format!("no such image: {name}: {m}")),
        other => other,
    })
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let view = InspectView::for_format(args.format.as_deref());
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for name in &args.images {
        match inspect_image(engine, name, view) {
            Ok(v) => found.push(v),
            Err(e) => errors.push(e),
        }
    }
    print(ctx, found, errors, args.format.as_deref())
}
