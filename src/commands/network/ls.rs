//! `skiff network ls`.

use serde_json::{json, Value};

use crate::commands::container::ps::label_method;
use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::network::{NetworkEntry, NetworkFilter};
use crate::error::{Error, Result};
use crate::util::time;

const DEFAULT: &str = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Provide filter values (e.g. "driver=bridge")
    #[arg(short, long, value_name = "filter")]
    pub filter: Vec<String>,
    #[arg(long, value_name = "string", help = crate::commands::flags::TABLE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only display network IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not print the table's header (podman)
    #[arg(long)]
    pub noheading: bool,
}

fn row(e: &NetworkEntry, no_trunc: bool) -> Value {
    let id = e.id();
    let internal = matches!(e, NetworkEntry::Stored(n) if n.internal);
    let labels: Vec<String> = e.labels().iter().map(|(k, v)| format!("{k}={v}")).collect();
    json!({
        "ID": if no_trunc { id } else { id[..12].to_owned() },
        "Name": e.name(),
        "Driver": e.driver(),
        "Scope": "local",
        "IPv6": "false",
        "Internal": internal.to_string(),
        "Labels": labels.join(","),
        "CreatedAt": time::go_string(e.created()),
    })
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let filters = args
        .filter
        .iter()
        .map(|f| NetworkFilter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    let list = ctx.engine()?.network_list(&filters)?;
    let rows: Vec<Value> = list.iter().map(|e| row(e, args.no_trunc)).collect();
    let format = if args.quiet {
        Some("{{.ID}}")
    } else {
        args.format.as_deref()
    };
    let headers = json!({
        "ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE",
        "IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT"
    });
    let f = crate::template::Formatter::new(format.unwrap_or(DEFAULT), DEFAULT)
        .map_err(|e| Error::InvalidArgument(format!("template parsing error: {e}")))?
        .without_header(args.noheading);
    let text = f
        .render_with(&headers, &rows, &label_method)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    output::out(&text)?;
    Ok(0)
}
