//! `skiff pull` / `skiff image pull`.

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::image::RegistryOptions;
use crate::engine::run::{LayerEvent, PullProgress};
use crate::error::{Error, Result};
use crate::image::reference::Reference;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Image to pull: NAME[:TAG|@DIGEST]
    #[arg(value_name = "NAME[:TAG|@DIGEST]")]
    pub name: String,
    /// Suppress verbose output; print only the image ID
    #[arg(short, long)]
    pub quiet: bool,
    /// Pull for this platform (os/arch[/variant]) instead of the host's
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub tls_verify: Option<bool>,
    /// Credentials USERNAME[:PASSWORD] for the registry
    #[arg(long, value_name = "USER:PASS")]
    pub creds: Option<String>,
    /// Skip image verification (accepted for docker compatibility)
    #[arg(long, default_value_t = true)]
    pub disable_content_trust: bool,
}

/// docker's `TAG: Pulling from REPO` (the digest when pulled by digest).
pub fn pulling_line(r: &Reference) -> String {
    let shown = r.tag.as_deref().or(r.digest.as_deref()).unwrap_or("latest");
    format!("{shown}: Pulling from {}", r.path)
}

/// Plain lines (one per layer) when stdout is not a terminal.
struct Lines;

impl PullProgress for Lines {
    fn pulling(&self, r: &Reference) {
        let _ = output::outln(&pulling_line(r));
    }

    fn layer(&self, short: &str, event: LayerEvent) {
        let msg = match event {
            LayerEvent::AlreadyExists => "Already exists",
            LayerEvent::Complete => "Pull complete",
            _ => return,
        };
        let _ = output::outln(&format!("{short}: {msg}"));
    }
}

/// One line per layer on stderr (for the pull `run`/`create` do).
pub struct StderrLines;

impl PullProgress for StderrLines {
    fn pulling(&self, r: &Reference) {
        eprintln!("{}", pulling_line(r));
    }

    fn layer(&self, short: &str, event: LayerEvent) {
        match event {
            LayerEvent::AlreadyExists => eprintln!("{short}: Already exists"),
            LayerEvent::Complete => eprintln!("{short}: Pull complete"),
            _ => {}
        }
    }
}

/// indicatif bars on a terminal.
struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new() -> Bars {
        Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stdout()),
            bars: Mutex::new(HashMap::new()),
        }
    }
}

impl PullProgress for Bars {
    fn pulling(&self, r: &Reference) {
        let _ = output::outln(&pulling_line(r));
    }

    fn resolved(&self, _digest: &str, layers: &[(String, u64)]) {
        let style =
            ProgressStyle::with_template("{prefix}: {msg:<16} [{bar:30}] {bytes}/{total_bytes}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        let mut bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        for (short, size) in layers {
            let b = self.multi.add(ProgressBar::new(*size));
            b.set_style(style.clone());
            b.set_prefix(short.clone());
            b.set_message("Waiting");
            bars.insert(short.clone(), b);
        }
    }

    fn layer(&self, short: &str, event: LayerEvent) {
        let bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        let Some(b) = bars.get(short) else { return };
        let done_style = || {
            ProgressStyle::with_template("{prefix}: {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
        };
        match event {
            LayerEvent::AlreadyExists => {
                b.set_style(done_style());
                b.finish_with_message("Already exists")
            }
            LayerEvent::Downloading { done, .. } => {
                b.set_message("Downloading");
                b.set_position(done);
            }
            LayerEvent::Downloaded => b.set_message("Download complete"),
            LayerEvent::Extracting => b.set_message("Extracting"),
            LayerEvent::Complete => {
                b.set_style(done_style());
                b.finish_with_message("Pull complete")
            }
        }
    }
}

struct Quiet;
impl PullProgress for Quiet {}

pub fn parse_creds(s: &str) -> Result<(String, String)> {
    match s.split_once(':') {
        Some((u, p)) if !u.is_empty() => Ok((u.to_owned(), p.to_owned())),
        None if !s.is_empty() => Ok((s.to_owned(), String::new())),
        _ => Err(Error::InvalidArgument(format!(
            "invalid --creds {s:?}: expected USERNAME[:PASSWORD]"
        ))),
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    // docker prints the reference's error as it is.
    let reference = Reference::parse(&args.name).map_err(|e| Error::Raw(e.to_string()))?;
    let ro = RegistryOptions {
        tls_verify: args.tls_verify,
        creds: args.creds.as_deref().map(parse_creds).transpose()?,
        platform: args.platform.clone(),
    };
    let engine = ctx.engine()?;
    if args.quiet {
        // docker prints the fully qualified reference it pulled.
        let report = engine.pull(&args.name, &ro, &Quiet)?;
        output::outln(&report.reference.to_string())?;
        return Ok(0);
    }
    if reference.tag.is_none() && reference.digest.is_none() {
        output::outln("Using default tag: latest")?;
    }
    let report = if ctx.stdout_is_tty() {
        let bars = Bars::new();
        engine.pull(&args.name, &ro, &bars)?
    } else {
        engine.pull(&args.name, &ro, &Lines)?
    };
    output::outln(&format!("Digest: {}", report.manifest_digest))?;
    let status = if report.changed {
        "Downloaded newer image for"
    } else {
        "Image is up to date for"
    };
    output::outln(&format!("Status: {status} {}", report.reference.familiar()))?;
    output::outln(&report.reference.to_string())?;
    Ok(0)
}
