//! `skiff search`.

use serde_json::{json, Value};

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::search::SearchFilter;
use crate::error::{Error, Result};

const DEFAULT: &str = "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}";

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] TERM")]
pub struct Args {
    /// Filter output based on conditions provided
    #[arg(short, long, value_name = "filter")]
    pub filter: Vec<String>,
    #[arg(long, value_name = "string", help = crate::commands::flags::TABLE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Max number of search results
    #[arg(long, value_name = "int", default_value_t = 25)]
    pub limit: usize,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub tls_verify: Option<bool>,
    /// REGISTRY/TERM
    #[arg(value_name = "TERM")]
    pub term: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let filters = args
        .filter
        .iter()
        .map(|f| SearchFilter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    let found = ctx
        .engine()?
        .search(&args.term, args.limit, &filters, args.tls_verify)?;
    let rows: Vec<Value> = found
        .iter()
        .map(|r| {
            let desc = if args.no_trunc {
                r.description.clone()
            } else {
                crate::util::units::ellipsis(&r.description, 45)
            };
            json!({
                "Name": r.name,
                "Description": desc,
                "StarCount": r.stars.to_string(),
                "IsOfficial": if r.official { "[OK]" } else { "" },
                "IsAutomated": "",
            })
        })
        .collect();
    let headers = json!({
        "Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS",
        "IsOfficial": "OFFICIAL", "IsAutomated": "AUTOMATED"
    });
    let f = crate::template::Formatter::new(args.format.as_deref().unwrap_or(DEFAULT), DEFAULT)
        .map_err(|e| Error::InvalidArgument(format!("template parsing error: {e}")))?;
    let text = f
        .render(&headers, &rows)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    output::out(&text)?;
    Ok(0)
}
