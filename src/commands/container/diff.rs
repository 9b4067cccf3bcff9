//! `skiff diff` / `skiff container diff`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let lines = ctx.engine()?.container_diff(&args.container)?;
    let mut text = String::new();
    for l in lines {
        text.push_str(&l);
        text.push('\n');
    }
    output::out(&text)?;
    Ok(0)
}
