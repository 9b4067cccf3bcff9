//! `skiff history` / `skiff image history`.

use serde_json::{json, Value};

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;
use crate::util::{time, units};

const DEFAULT: &str = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
/// docker's default with -H=false: the CREATED AT column.
const DEFAULT_NOT_HUMAN: &str =
    "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Image
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Print sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true)]
    pub human: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    #[arg(long, value_name = "string", help = crate::commands::flags::TABLE_FORMAT_HELP)]
    pub format: Option<String>,
}

fn rfc3339_secs(t: time::UnixNanos) -> String {
    time::rfc3339_nano(t - t.rem_euclid(1_000_000_000))
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let entries = ctx.engine()?.image_history(&args.image)?;
    let id = |e: &crate::engine::image::HistoryEntry| match &e.id {
        Some(id) if args.no_trunc => id.clone(),
        Some(id) => id.strip_prefix("sha256:").unwrap_or(id)[..12].to_owned(),
        None => "<missing>".into(),
    };
    if args.quiet {
        let s: String = entries.iter().map(|e| id(e) + "\n").collect();
        return output::out(&s).map(|_| 0);
    }
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let created_at = e.created.map(rfc3339_secs).unwrap_or_default();
            let by = e.created_by.replace('\t', " ");
            json!({
                "Comment": e.comment,
                "CreatedAt": created_at,
                "CreatedBy": if args.no_trunc { by } else { units::ellipsis(&by, 45) },
                "CreatedSince": if args.human { e.created.map(time::since).unwrap_or_else(|| "N/A".into()) } else { created_at.clone() },
                "ID": id(e),
                "Size": if args.human { units::human_size(e.size) } else { e.size.to_string() },
            })
        })
        .collect();
    let headers = json!({
        "Comment": "COMMENT", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
        "CreatedSince": "CREATED", "ID": "IMAGE", "Size": "SIZE"
    });
    output::out(&output::render_list(
        args.format.as_deref(),
        if args.human {
            DEFAULT
        } else {
            DEFAULT_NOT_HUMAN
        },
        &headers,
        &rows,
    )?)?;
    Ok(0)
}
