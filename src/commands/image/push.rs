//! `skiff push` / `skiff image push`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::image::RegistryOptions;
use crate::engine::push::PushEvent;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] NAME[:TAG]")]
pub struct Args {
    /// Push all tags of an image to the repository
    #[arg(short, long)]
    pub all_tags: bool,
    /// Skip image signing (accepted for docker compatibility)
    #[arg(long, default_value_t = true)]
    pub disable_content_trust: bool,
    /// Suppress verbose output
    #[arg(short, long)]
    pub quiet: bool,
    /// Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub tls_verify: Option<bool>,
    /// Credentials USERNAME[:PASSWORD] for the registry
    #[arg(long, value_name = "USER:PASS")]
    pub creds: Option<String>,
    /// Image to push
    #[arg(value_name = "NAME[:TAG]")]
    pub name: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let ro = RegistryOptions {
        tls_verify: args.tls_verify,
        creds: args
            .creds
            .as_deref()
            .map(super::pull::parse_creds)
            .transpose()?,
        platform: None,
    };
    let quiet = args.quiet;
    let mut event = |e: PushEvent<'_>| {
        let line = match e {
            _ if quiet => return,
            PushEvent::Repository(r) => format!("The push refers to repository [{r}]"),
            PushEvent::Preparing(s) => format!("{s}: Preparing"),
            PushEvent::Layer(s, how) => format!("{s}: {how}"),
            PushEvent::Digest { tag, digest, size } => {
                format!("{tag}: digest: {digest} size: {size}")
            }
        };
        let _ = output::outln(&line);
    };
    let pushed = ctx
        .engine()?
        .push(&args.name, args.all_tags, &ro, &mut event)
        .map_err(|e| match e {
            // docker prints it bare.
            Error::NotFound(m) if m.starts_with("An image does not exist") => Error::Raw(m),
            e => e,
        })?;
    if quiet {
        for (name, _) in pushed {
            output::outln(&name)?;
        }
    }
    Ok(0)
}
