//! `skiff stop` / `skiff container stop`.

use crate::commands::context::Context;
use crate::commands::flags::Selection;
use crate::commands::for_each_name;
use crate::error::Result;
use crate::state::container::Status;

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] CONTAINER [CONTAINER...]")]
pub struct Args {
    #[command(flatten)]
    pub select: Selection,
    /// Seconds to wait before killing the container
    #[arg(
        short = 't',
        long = "timeout",
        value_name = "int",
        allow_hyphen_values = true
    )]
    pub timeout: Option<i64>,
    /// Seconds to wait before killing the container (deprecated: --timeout)
    #[arg(long = "time", hide = true, allow_hyphen_values = true)]
    pub time: Option<i64>,
    /// Signal to send to the container
    #[arg(short, long, value_name = "string")]
    pub signal: Option<String>,
}

impl Args {
    /// `--timeout`, or the deprecated `--time` with docker's warning.
    pub fn timeout(&self) -> Result<Option<i64>> {
        if self.time.is_some() {
            crate::commands::output::outln(
                "Flag --time has been deprecated, use --timeout instead",
            )?;
        }
        Ok(self.timeout.or(self.time))
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let timeout = args.timeout()?;
    let names = args.select.names(ctx, |s| {
        matches!(s, Status::Running | Status::Paused | Status::Restarting)
    })?;
    for_each_name(ctx, &names, |name| {
        args.select.ignoring(
            engine
                .stop_container(name, timeout, args.signal.as_deref())
                .map(|_| Some(name.to_owned())),
        )
    })
}
