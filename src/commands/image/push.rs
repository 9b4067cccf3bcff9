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
    let bars = (!quiet && ctx.stdout_is_tty()).then(Bars::new);
    let mut event = |e: PushEvent<'_>| {
        if let Some(b) = &bars {
            match e {
                PushEvent::Repository(_) => {}
                // Below the bars, on a line of its own.
                PushEvent::Digest { .. } => b.end_line(),
                e => return b.event(e),
            }
        }
        let line = match e {
            _ if quiet => return,
            PushEvent::Repository(r) => format!("The push refers to repository [{r}]"),
            PushEvent::Preparing(s) => format!("{s}: Preparing"),
            // docker's plain output has no byte counts.
            PushEvent::Pushing(..) => return,
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

/// indicatif bars on a terminal, one per layer, as docker draws them.
struct Bars {
    multi: indicatif::MultiProgress,
    bars: std::cell::RefCell<std::collections::HashMap<String, indicatif::ProgressBar>>,
}

impl Bars {
    fn new() -> Bars {
        Bars {
            multi: indicatif::MultiProgress::with_draw_target(
                indicatif::ProgressDrawTarget::stdout(),
            ),
            bars: Default::default(),
        }
    }

    /// Ends the bars' last line (once), for a line below them.
    fn end_line(&self) {
        let mut bars = self.bars.borrow_mut();
        if !bars.is_empty() {
            bars.clear();
            let _ = output::outln("");
        }
    }

    fn event(&self, e: PushEvent<'_>) {
        use indicatif::{ProgressBar, ProgressStyle};
        let multi = &self.multi;
        let mut bars = self.bars.borrow_mut();
        match e {
            PushEvent::Preparing(s) => {
                let b = multi.add(ProgressBar::new(0));
                b.set_style(
                    ProgressStyle::with_template("{prefix}: {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                b.set_prefix(s.to_owned());
                b.set_message("Preparing");
                bars.insert(s.to_owned(), b);
            }
            PushEvent::Pushing(s, done, total) => {
                if let Some(b) = bars.get(s) {
                    if b.length() == Some(0) {
                        b.set_style(
                            ProgressStyle::with_template(
                                "{prefix}: {msg:<10} [{bar:30}] {bytes}/{total_bytes}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar())
                            .progress_chars("=> "),
                        );
                    }
                    b.set_length(total.max(1));
                    b.set_position(done);
                    b.set_message("Pushing");
                }
            }
            PushEvent::Layer(s, how) => {
                if let Some(b) = bars.get(s) {
                    b.set_style(
                        ProgressStyle::with_template("{prefix}: {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    b.finish_with_message(how);
                }
            }
            _ => {}
        }
    }
}
