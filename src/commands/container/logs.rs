//! `skiff logs` / `skiff container logs`.

use std::io::Write;

use crate::commands::context::Context;
use crate::engine::lifecycle::{parse_time_arg, LogOptions};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Follow log output
    #[arg(short, long)]
    pub follow: bool,
    /// Number of lines to show from the end of the logs ("all" for all)
    #[arg(short = 'n', long, value_name = "N", default_value = "all")]
    pub tail: String,
    /// Show timestamps
    #[arg(short, long)]
    pub timestamps: bool,
    /// Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Show logs before a timestamp or relative time
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Show extra details (accepted)
    #[arg(long)]
    pub details: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    // docker's daemon: anything but a count >= 0 ("all", "-1", "x") is
    // the whole log.
    let tail = args.tail.parse::<usize>().ok();
    let opts = LogOptions {
        follow: args.follow,
        tail,
        timestamps: args.timestamps,
        since: args.since.as_deref().map(parse_time_arg).transpose()?,
        until: args.until.as_deref().map(parse_time_arg).transpose()?,
    };
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let mut write = |stream: &str, bytes: &[u8]| -> std::io::Result<()> {
        if stream == "stderr" {
            err.write_all(bytes)
        } else {
            out.write_all(bytes)?;
            out.flush()
        }
    };
    match ctx
        .engine()?
        .container_logs(&args.container, &opts, &mut write)
    {
        Err(Error::Other(m)) if m.contains("Broken pipe") => Ok(0),
        r => r.map(|_| 0),
    }
}
