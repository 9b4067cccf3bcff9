//! `skiff rmi` / `skiff image rm`.

use crate::commands::context::Context;
use crate::commands::output::{self, report};
use crate::engine::image::RemoveEvent;
use crate::engine::Engine;
use crate::error::{code, Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Images to remove: names, digest references or IDs
    #[arg(value_name = "IMAGE", required_unless_present = "all")]
    pub images: Vec<String>,
    /// Remove all images (podman)
    #[arg(short, long)]
    pub all: bool,
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

/// podman's `--all`: every tag of every image, then the untagged images
/// by ID, so an image goes with its last tag as a plain `rmi` of it would.
fn all_images(engine: &Engine) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for image in engine.list_images(&[], None)? {
        if image.tags.is_empty() {
            names.push(image.record.id.clone());
        }
        names.extend(image.tags.iter().map(|t| t.familiar()));
    }
    Ok(names)
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    if args.all && !args.images.is_empty() {
        return Err(Error::InvalidArgument(
            "when using the --all switch, you may not pass any images names or IDs".into(),
        ));
    }
    let engine = ctx.engine()?;
    let names = if args.all {
        all_images(engine)?
    } else {
        args.images
    };
    let mut status = 0;
    for name in &names {
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
