//! `skiff volume ls`.

use serde_json::{json, Value};

use crate::commands::container::ps::label_method;
use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::volume::{VolumeEntry, VolumeFilter};
use crate::error::{Error, Result};

const DEFAULT: &str = "table {{.Driver}}\t{{.Name}}";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Provide filter values (e.g. "dangling=true")
    #[arg(short, long, value_name = "filter")]
    pub filter: Vec<String>,
    #[arg(long, value_name = "string", help = crate::commands::flags::TABLE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Only display volume names
    #[arg(short, long)]
    pub quiet: bool,
}

fn row(e: &VolumeEntry) -> Value {
    let v = &e.volume;
    let labels: Vec<String> = v.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    json!({
        "Availability": "N/A",
        "Driver": v.driver,
        "Group": "N/A",
        "Labels": labels.join(","),
        "Links": "N/A",
        "Mountpoint": e.mountpoint.to_string_lossy(),
        "Name": v.name,
        "Scope": "local",
        "Size": "N/A",
        "Status": "N/A",
    })
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let filters = args
        .filter
        .iter()
        .map(|f| VolumeFilter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    let list = ctx.engine()?.volume_list(&filters)?;
    let rows: Vec<Value> = list.iter().map(row).collect();
    let format = if args.quiet {
        Some("{{.Name}}")
    } else {
        args.format.as_deref()
    };
    let headers = json!({
        "Availability": "AVAILABILITY", "Driver": "DRIVER", "Group": "GROUP",
        "Labels": "LABELS", "Links": "LINKS", "Mountpoint": "MOUNTPOINT",
        "Name": "VOLUME NAME", "Scope": "SCOPE", "Size": "SIZE", "Status": "STATUS"
    });
    let f = crate::template::Formatter::new(format.unwrap_or(DEFAULT), DEFAULT)
        .map_err(|e| Error::InvalidArgument(format!("template parsing error: {e}")))?;
    let text = f
        .render_with(&headers, &rows, &label_method)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    output::out(&text)?;
    Ok(0)
}
