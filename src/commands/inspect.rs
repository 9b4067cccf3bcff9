//! `skiff inspect`: any object by name: containers, images, networks,
//! volumes.

use crate::commands::context::Context;
use crate::commands::image::inspect::{inspect_image, print};
use crate::engine::InspectView;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Objects to inspect
    #[arg(value_name = "NAME|ID", required = true)]
    pub names: Vec<String>,
    #[arg(short, long, value_name = "string", help = crate::commands::flags::TEMPLATE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Only this type of object: container, image, network, volume
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// Display total file sizes (accepted; sizes are always shown for images)
    #[arg(short, long)]
    pub size: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    match args.kind.as_deref() {
        None | Some("image") | Some("container") | Some("network") | Some("volume") => {}
        Some(other @ ("config" | "node" | "plugin" | "secret" | "service" | "task")) => {
            return Err(Error::InvalidArgument(format!(
                "--type {other}: skiff has no {other} objects"
            )))
        }
        Some(other) => {
            return Err(Error::Raw(format!(
                "unknown type: {other:?}: must be one of \"config\", \"container\", \"image\", \"network\", \"node\", \"plugin\", \"secret\", \"service\", \"task\", \"volume\""
            )))
        }
    }
    let engine = ctx.engine()?;
    let view = InspectView::for_format(args.format.as_deref());
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for name in &args.names {
        let r = match args.kind.as_deref() {
            Some("container") => engine.inspect_container(name, args.size, view),
            Some("image") => inspect_image(engine, name, view),
            Some("network") => engine.network_inspect(name, view),
            Some("volume") => engine.volume_inspect_value(name, view),
            _ => inspect_any(engine, name, args.size, view),
        };
        match r {
            Ok(v) => found.push(v),
            Err(e) => errors.push(e),
        }
    }
    print(ctx, found, errors, args.format.as_deref())
}

/// docker's order: containers, images, networks, then volumes.
fn inspect_any(
    engine: &crate::engine::Engine,
    name: &str,
    size: bool,
    view: InspectView,
) -> Result<serde_json::Value> {
    let tries: [&dyn Fn() -> Result<serde_json::Value>; 4] = [
        &|| engine.inspect_container(name, size, view),
        &|| engine.inspect_image(name, view),
        &|| engine.network_inspect(name, view),
        &|| engine.volume_inspect_value(name, view),
    ];
    for t in tries {
        match t() {
            Err(Error::NotFound(_)) => {}
            other => return other,
        }
    }
    Err(Error::NotFound(format!("No such object: {name}")))
}
