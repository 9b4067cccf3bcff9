//! `skiff images` / `skiff image ls`.

use serde_json::{json, Value};

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::image::{ImageFilter, ImageSummary};
use crate::error::Result;
use crate::image::reference::Reference;
use crate::util::{time, units};

const DEFAULT: &str = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
const DEFAULT_DIGESTS: &str =
    "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show all images (default hides intermediate images)
    #[arg(short, long)]
    pub all: bool,
    /// Show digests
    #[arg(long)]
    pub digests: bool,
    /// Filter output based on conditions provided (dangling=, reference=, label=, before=, since=)
    #[arg(short, long, value_name = "filter")]
    pub filter: Vec<String>,
    #[arg(long, value_name = "string", help = crate::commands::flags::TABLE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not print the table's header (podman)
    #[arg(long)]
    pub noheading: bool,
    /// Sort by created, id, repository, size or tag (podman)
    #[arg(long, value_name = "string", default_value = "created",
          value_parser = ["created", "id", "repository", "size", "tag"])]
    pub sort: String,
    /// Only images matching REPOSITORY[:TAG]
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
}

pub fn headers() -> Value {
    json!({
        "Containers": "CONTAINERS", "CreatedAt": "CREATED AT", "CreatedSince": "CREATED",
        "Digest": "DIGEST", "ID": "IMAGE ID", "Repository": "REPOSITORY", "SharedSize": "SHARED SIZE",
        "Size": "SIZE", "Tag": "TAG", "UniqueSize": "UNIQUE SIZE", "VirtualSize": "VIRTUAL SIZE"
    })
}

fn image_id(s: &ImageSummary, no_trunc: bool) -> String {
    if no_trunc {
        s.record.id.clone()
    } else {
        s.record.hex()[..12].to_owned()
    }
}

/// docker's rows: one per tag; untagged images one per digest repo, or `<none>`.
pub fn rows(images: &[ImageSummary], no_trunc: bool) -> Vec<Value> {
    let mut out = Vec::new();
    for s in images {
        let digests = s.digests();
        let digest_for = |name: &str| {
            digests
                .iter()
                .find(|d| d.familiar_name() == name)
                .and_then(|d| d.digest.clone())
                .unwrap_or_else(|| "<none>".into())
        };
        let mut pairs: Vec<(String, String, String)> = Vec::new();
        for t in &s.tags {
            let name = t.familiar_name();
            pairs.push((
                name.clone(),
                t.tag.clone().unwrap_or_else(|| "<none>".into()),
                digest_for(&name),
            ));
        }
        if pairs.is_empty() {
            for d in &digests {
                pairs.push((
                    d.familiar_name(),
                    "<none>".into(),
                    d.digest.clone().unwrap_or_default(),
                ));
            }
        }
        if pairs.is_empty() {
            pairs.push(("<none>".into(), "<none>".into(), "<none>".into()));
        }
        let size = units::human_size(s.record.size);
        for (repo, tag, digest) in pairs {
            out.push(json!({
                "Containers": "N/A",
                "CreatedAt": s.created.map(time::go_string).unwrap_or_default(),
                "CreatedSince": s.created.map(time::since).unwrap_or_else(|| "N/A".into()),
                "Digest": digest,
                "ID": image_id(s, no_trunc),
                "Repository": repo,
                "SharedSize": "N/A",
                "Size": size,
                "Tag": tag,
                "UniqueSize": "N/A",
                "VirtualSize": size,
            }));
        }
    }
    out
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let filters = args
        .filter
        .iter()
        .map(|f| ImageFilter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    if let Some(r) = &args.reference {
        // Validate like docker: a bad pattern is an error, not an empty list.
        if !r.contains(['*', '?', '[']) {
            Reference::parse(r)?;
        }
    }
    let mut images = ctx
        .engine()?
        .list_images(&filters, args.reference.as_deref())?;
    match args.sort.as_str() {
        "id" => images.sort_by(|a, b| a.record.id.cmp(&b.record.id)),
        "size" => images.sort_by_key(|i| i.record.size),
        _ => {}
    }
    if args.quiet {
        let mut seen = std::collections::HashSet::new();
        let mut s = String::new();
        for i in &images {
            let id = image_id(i, args.no_trunc);
            if seen.insert(id.clone()) {
                s.push_str(&id);
                s.push('\n');
            }
        }
        return output::out(&s).map(|_| 0);
    }
    let default = if args.digests {
        DEFAULT_DIGESTS
    } else {
        DEFAULT
    };
    let mut rows = rows(&images, args.no_trunc);
    match args.sort.as_str() {
        "repository" => {
            rows.sort_by(|a, b| a["Repository"].as_str().cmp(&b["Repository"].as_str()))
        }
        "tag" => rows.sort_by(|a, b| a["Tag"].as_str().cmp(&b["Tag"].as_str())),
        _ => {}
    }
    let text = output::render_list_with(
        args.format.as_deref(),
        default,
        &headers(),
        &rows,
        args.noheading,
    )?;
    output::out(&text)?;
    Ok(0)
}
