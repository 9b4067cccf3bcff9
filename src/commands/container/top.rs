//! `skiff top CONTAINER [ps OPTIONS]`: the host's ps, limited to the container's processes.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "CONTAINER [ps OPTIONS]")]
pub struct Args {
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// ps options (default -ef)
    #[arg(
        value_name = "PS_OPTIONS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub ps_args: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let (_, pids) = ctx.engine()?.container_pids(&args.container)?;
    let ps_args = if args.ps_args.is_empty() {
        vec!["-ef".to_owned()]
    } else {
        args.ps_args
    };
    let out = crate::engine::container::host_ps(&ps_args)?;
    let mut lines = out.lines();
    let header = lines
        .next()
        .ok_or_else(|| Error::Other("ps printed nothing".into()))?;
    let col = header
        .split_whitespace()
        .position(|h| h == "PID")
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "Couldn't find PID field in ps output (ps {})",
                ps_args.join(" ")
            ))
        })?;
    let mut s = format!("{header}\n");
    for l in lines {
        if l.split_whitespace()
            .nth(col)
            .and_then(|p| p.parse::<i32>().ok())
            .is_some_and(|p| pids.contains(&p))
        {
            s.push_str(l);
            s.push('\n');
        }
    }
    output::out(&s)?;
    Ok(0)
}
