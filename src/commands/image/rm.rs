//! `skiff rmi` / `skiff image rm`.

use crate::cli::context::Context;
use crate::cli::{output, report};
use crate::engine::image::RemoveEvent;
use crate::error::{code, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Images to remove: names, digest references or IDs
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Force removal of the image (also when it has several tags)
    #[arg(short, long)]
    pub force: bool,
    /// Do not delete untagged parents (accepted for docker compatibility)
    #[arg(long)]
    pub no_prune: bool,
}

pub fn print_events(events: &[RemoveEvent], capitalised: bool) -> Result<()> {
    let mut s = String::new();
    for e in events {
        let (word, what) = match e {
            RemoveEvent::Untagged(t) => ("untagged", t),
            RemoveEvent::Deleted(d) => ("deleted", d),
        };
        if capitalised {
            s.push_str(&word[..1].to_uppercase());
            s.push_str(&word[1..]);
        } else {
            s.push_str(word);
        }
        s.push_str(": ");
        s.push_str(what);
        s.push('\n');
    }
    output::out(&s)
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let mut status = 0;
    for name in &args.images {
        match engine.remove_image(name, args.force) {
            Ok(events) => print_events(&events, true)?,
            Err(e) => {
                report(&e, ctx.debug());
                status = code::FAILURE;
            }
        }
    }
    Ok(status)
}
