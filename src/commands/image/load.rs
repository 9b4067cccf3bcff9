//! `skiff load` / `skiff image load`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read from tar archive file, instead of STDIN
    #[arg(short, long, value_name = "FILE")]
    pub input: Option<std::path::PathBuf>,
    /// Suppress the load output
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let engine = ctx.engine()?;
    let bar = !args.quiet && ctx.stdout_is_tty();
    let loaded = match &args.input {
        Some(path) if bar => {
            // On a terminal: a bar over the archive as it is read.
            let f = std::fs::File::open(path).map_err(|e| {
                Error::Raw(format!(
                    "open {}: {}",
                    path.display(),
                    crate::runtime::error::go_text(&e)
                ))
            })?;
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let pb = indicatif::ProgressBar::with_draw_target(
                Some(len),
                indicatif::ProgressDrawTarget::stdout(),
            );
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "Loading {msg}[{bar:30}] {bytes}/{total_bytes}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let mut r = std::io::BufReader::with_capacity(1 << 20, pb.wrap_read(f));
            let loaded = engine.load_images(&mut r)?;
            pb.finish();
            output::outln("")?;
            loaded
        }
        Some(path) => engine.load_images_from(path)?,
        None => {
            if ctx.stdin_is_tty() {
                return Err(Error::InvalidArgument(
                    "requested load from stdin, but stdin is empty".into(),
                ));
            }
            let mut input = std::io::stdin().lock();
            engine.load_images(&mut input)?
        }
    };
    // docker prints what it loaded even with -q (which only silences the
    // progress it shows on a terminal).
    {
        let mut s = String::new();
        for l in loaded {
            if l.starts_with("sha256:") {
                s.push_str(&format!("Loaded image ID: {l}\n"));
            } else {
                s.push_str(&format!("Loaded image: {l}\n"));
            }
        }
        output::out(&s)?;
    }
    Ok(0)
}
