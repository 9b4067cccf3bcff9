//! `skiff cp` / `skiff container cp`.

use std::io::IsTerminal;

use crate::commands::context::Context;
use crate::engine::cp::{split_arg, CpOp, CpOptions};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(
    override_usage = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tskiff cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH"
)]
pub struct Args {
    /// Archive mode (copy all uid/gid information)
    #[arg(short, long)]
    pub archive: bool,
    /// Always follow symbol link in SRC_PATH
    #[arg(short = 'L', long = "follow-link")]
    pub follow_link: bool,
    /// Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached
    #[arg(short, long)]
    pub quiet: bool,
    /// Source
    #[arg(value_name = "SRC_PATH")]
    pub src: String,
    /// Destination
    #[arg(value_name = "DEST_PATH")]
    pub dest: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let (container, op, shown) = match (split_arg(&args.src), split_arg(&args.dest)) {
        ((Some(_), _), (Some(_), _)) => {
            return Err(Error::Raw(
                "copying between containers is not supported".into(),
            ))
        }
        ((None, _), (None, _)) => {
            return Err(Error::Raw(
                "must specify at least one container source".into(),
            ))
        }
        ((Some(c), src), (None, dest)) => (
            c,
            CpOp::Out {
                src: src.to_owned(),
                dest: dest.to_owned(),
            },
            dest.to_owned(),
        ),
        ((None, src), (Some(c), dest)) => (
            c,
            CpOp::In {
                src: src.to_owned(),
                dest: dest.to_owned(),
            },
            args.dest.clone(),
        ),
    };
    let bytes = ctx.engine()?.copy(&CpOptions {
        container: container.to_owned(),
        op,
        follow: args.follow_link,
        archive: args.archive,
    })?;
    // docker's progress line, only for a person watching.
    if !args.quiet && shown != "-" && std::io::stderr().is_terminal() {
        eprintln!(
            "Successfully copied {} to {shown}",
            crate::util::units::human_size(bytes)
        );
    }
    Ok(0)
}
