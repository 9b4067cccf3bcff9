//! `skiff stop` / `skiff container stop`.

use crate::cli::context::Context;
use crate::commands::for_each_name;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Containers
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
    /// Seconds to wait before killing the container
    #[arg(
        short,
        long = "time",
        visible_alias = "timeout",
        value_name = "SECONDS",
        allow_hyphen_values = true
    )]
    pub time: Option<i64>,
    /// Signal to send to the container
    #[arg(short, long, value_name = "SIGNAL")]
    pub signal: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    for_each_name(ctx, &args.containers, |name| {
        engine
            .stop_container(name, args.time, args.signal.as_deref())
            .map(|_| Some(name.to_owned()))
    })
}
