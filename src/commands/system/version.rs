//! `skiff version`.

use serde_json::json;

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(short, long, value_name = "string", help = crate::commands::flags::TEMPLATE_FORMAT_HELP)]
    pub format: Option<String>,
}

pub fn run(_ctx: &Context, args: Args) -> Result<u8> {
    let v = crate::engine::system::version();
    let client = json!({
        "Version": v.version, "ApiVersion": v.api_version, "GitCommit": v.git_commit,
        "Os": v.os, "Arch": v.arch, "BuildTime": "", "GoVersion": "",
    });
    if let Some(f) = &args.format {
        // Daemonless: the "server" is this same binary.
        let data = json!({"Client": client, "Server": client});
        return output::out(&output::inspect_format_named("version", f, &[data])?).map(|_| 0);
    }
    output::out(&format!(
        "Client:\n Version:           {}\n API version:       {}\n Git commit:        {}\n OS/Arch:           {}/{}\n",
        v.version, v.api_version, v.git_commit, v.os, v.arch
    ))?;
    Ok(0)
}
