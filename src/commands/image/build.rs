//! `skiff build` / `skiff image build`.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::build::{BuildEvent, BuildOptions, Export};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] PATH | URL | -")]
pub struct Args {
    /// Set build-time variables
    #[arg(long = "build-arg", value_name = "list")]
    pub build_arg: Vec<String>,
    /// Name of the Dockerfile (default: "PATH/Dockerfile")
    #[arg(short, long, value_name = "string")]
    pub file: Option<String>,
    /// Write the image ID to the file
    #[arg(long, value_name = "string")]
    pub iidfile: Option<PathBuf>,
    /// Set metadata for an image
    #[arg(long, value_name = "list")]
    pub label: Vec<String>,
    /// Output destination (format: "type=local,dest=path" or "type=tar,dest=file")
    #[arg(short, long, value_name = "stringArray")]
    pub output: Option<String>,
    /// Set the networking mode for the RUN instructions during build
    #[arg(long, value_name = "string")]
    pub network: Option<String>,
    /// Do not use cache when building the image
    #[arg(long)]
    pub no_cache: bool,
    /// Set type of progress output ("auto", "plain", "tty", "quiet")
    #[arg(long, value_name = "string", default_value = "auto")]
    pub progress: String,
    /// Always attempt to pull a newer version of the image
    #[arg(long)]
    pub pull: bool,
    /// Suppress the build output and print image ID on success
    #[arg(short, long)]
    pub quiet: bool,
    /// Name and optionally a tag in the "name:tag" format
    #[arg(short, long, value_name = "list")]
    pub tag: Vec<String>,
    /// Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")
    #[arg(long, value_name = "stringArray")]
    pub secret: Vec<String>,
    /// Set the target build stage to build
    #[arg(long, value_name = "string")]
    pub target: Option<String>,
    /// Set target platform for build (the host's only)
    #[arg(long, value_name = "string")]
    pub platform: Option<String>,
    /// The build context: a directory, or - for a tar on stdin
    #[arg(value_name = "PATH | URL | -")]
    pub context: String,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    if !matches!(args.progress.as_str(), "auto" | "plain" | "tty" | "quiet") {
        return Err(Error::InvalidArgument(format!(
            "invalid progress mode {:?}: auto, plain, tty or quiet",
            args.progress
        )));
    }
    if let Some(p) = &args.platform {
        let want = crate::image::types::PlatformWanted::parse(p)?;
        if want != crate::image::types::PlatformWanted::host() {
            return Err(Error::InvalidArgument(format!(
                "--platform {p}: skiff builds for the host's platform only"
            )));
        }
    }
    if args.context.starts_with("http://") || args.context.starts_with("https://") {
        return Err(Error::InvalidArgument(
            "a URL as the build context is not supported yet: give a directory or -".into(),
        ));
    }
    let engine = ctx.engine()?;
    // `-`: a tar context on stdin, unpacked into a private directory; or
    // (with -f -) ... a Dockerfile on stdin is read below.
    let stdin_context = (args.context == "-")
        .then(|| unpack_stdin_context(engine))
        .transpose()?;
    let context = match &stdin_context {
        Some(d) => d.path().to_owned(),
        None => PathBuf::from(&args.context),
    };
    let (dockerfile, dockerfile_text) = match args.file.as_deref() {
        Some("-") => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| Error::Other(format!("reading the Dockerfile from stdin: {e}")))?;
            (None, Some(s))
        }
        Some(f) if stdin_context.is_some() => (Some(context.join(f)), None),
        Some(f) => (Some(PathBuf::from(f)), None),
        None => (None, None),
    };
    let secret_dir = engine.build_scratch_dir()?;
    let secrets = secrets(&args.secret, secret_dir.path())?;
    let mut o = options(&args, context, dockerfile, dockerfile_text);
    o.secrets = secrets;
    o.output = args.output.as_deref().map(Export::parse).transpose()?;
    let quiet = args.quiet || args.progress == "quiet";
    let p = std::sync::Mutex::new(Printer::default());
    let ev = |e: BuildEvent| {
        if !quiet {
            p.lock().unwrap_or_else(|e| e.into_inner()).event(e);
        }
    };
    crate::engine::build::cancel_on_signals();
    let id = engine.build(&o, &ev)?;
    if let Some(f) = &args.iidfile {
        std::fs::write(f, &id).map_err(|e| Error::io("writing", f, e))?;
    }
    if quiet {
        output::outln(&id)?;
    } else {
        p.into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .finish(&id, &args.tag);
    }
    Ok(0)
}

fn options(
    args: &Args,
    context: PathBuf,
    dockerfile: Option<PathBuf>,
    dockerfile_text: Option<String>,
) -> BuildOptions {
    BuildOptions {
        context,
        dockerfile,
        dockerfile_text,
        tags: args.tag.clone(),
        build_args: args
            .build_arg
            .iter()
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (a.clone(), None),
            })
            .collect(),
        labels: args
            .label
            .iter()
            .map(|l| {
                let (k, v) = l.split_once('=').unwrap_or((l, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        no_cache: args.no_cache,
        pull: args.pull,
        target: args.target.clone(),
        network: args.network.clone(),
        secrets: Vec::new(),
        output: None,
    }
}

/// `--secret id=ID[,src=FILE|,env=VAR]`: (id, file). An env secret is
/// written to a 0600 file in `dir` (never to argv or a layer).
fn secrets(specs: &[String], dir: &std::path::Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for spec in specs {
        let mut id = None;
        let mut src = None;
        let mut env = None;
        for f in spec.split(',') {
            match f.split_once('=') {
                Some(("id", v)) => id = Some(v.to_owned()),
                Some(("src" | "source", v)) => src = Some(PathBuf::from(v)),
                Some(("env", v)) => env = Some(v.to_owned()),
                Some(("type", "file" | "env")) => {}
                _ => {
                    return Err(Error::InvalidArgument(format!(
                        "invalid secret {spec:?}: id=ID,src=FILE or id=ID,env=VAR"
                    )))
                }
            }
        }
        let id =
            id.ok_or_else(|| Error::InvalidArgument(format!("secret {spec:?}: id is required")))?;
        let path = match (src, env) {
            (Some(p), _) => {
                std::fs::canonicalize(&p).map_err(|e| Error::io("reading secret", &p, e))?
            }
            (None, Some(var)) => {
                let value = std::env::var(&var).map_err(|_| {
                    Error::InvalidArgument(format!(
                        "secret {id}: environment variable {var} is not set"
                    ))
                })?;
                let p = dir.join(format!("secret-{}", out.len()));
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&p)
                    .map_err(|e| Error::io("writing", &p, e))?;
                f.write_all(value.as_bytes())
                    .map_err(|e| Error::io("writing", &p, e))?;
                p
            }
            (None, None) => {
                return Err(Error::InvalidArgument(format!(
                    "secret {id}: give src=FILE or env=VAR"
                )))
            }
        };
        out.push((id, path));
    }
    Ok(out)
}

fn unpack_stdin_context(engine: &crate::engine::Engine) -> Result<tempfile::TempDir> {
    let dir = engine.build_scratch_dir()?;
    let mut a = tar::Archive::new(std::io::stdin().lock());
    a.set_preserve_permissions(true);
    a.unpack(dir.path())
        .map_err(|e| Error::Other(format!("unpacking the build context from stdin: {e}")))?;
    Ok(dir)
}

/// BuildKit's plain progress, on stderr: each step's lines carry its
/// `#N` (steps of stages built at once interleave).
#[derive(Default)]
struct Printer {
    /// The highest step id seen.
    n: usize,
    started: std::collections::HashMap<usize, std::time::Instant>,
    cached: std::collections::HashSet<usize>,
    /// The step whose output line is open (no newline yet).
    open_line: Option<usize>,
}

impl Printer {
    fn event(&mut self, e: BuildEvent) {
        let mut err = std::io::stderr().lock();
        if let (Some(open), BuildEvent::Output { id, .. }) = (self.open_line, &e) {
            if open != *id {
                let _ = writeln!(err);
                self.open_line = None;
            }
        } else if self.open_line.is_some() && !matches!(e, BuildEvent::Output { .. }) {
            let _ = writeln!(err);
            self.open_line = None;
        }
        match e {
            BuildEvent::Step {
                id,
                stage,
                n,
                total,
                text,
            } => {
                self.n = self.n.max(id);
                self.started.insert(id, std::time::Instant::now());
                let _ = writeln!(err, "#{id} [{stage} {n}/{total}] {text}");
            }
            BuildEvent::Cached { id } => {
                self.cached.insert(id);
                let _ = writeln!(err, "#{id} CACHED\n");
            }
            BuildEvent::Output { id, bytes } => {
                let t = self
                    .started
                    .get(&id)
                    .map(|s| s.elapsed().as_secs_f64())
                    .unwrap_or(0.0);
                for chunk in bytes.split_inclusive(|&c| c == b'\n') {
                    if self.open_line != Some(id) {
                        let _ = write!(err, "#{id} {t:.3} ");
                    }
                    let _ = err.write_all(chunk);
                    self.open_line = (!chunk.ends_with(b"\n")).then_some(id);
                }
            }
            BuildEvent::Done { id, secs } => {
                if !self.cached.contains(&id) {
                    let _ = writeln!(err, "#{id} DONE {secs:.1}s\n");
                }
            }
            BuildEvent::Warning(w) => {
                let _ = writeln!(err, "{w}");
            }
        }
    }

    fn finish(&mut self, id: &str, tags: &[String]) {
        let mut err = std::io::stderr().lock();
        self.n += 1;
        let _ = writeln!(err, "#{} exporting to image", self.n);
        let _ = writeln!(err, "#{} writing image {id} done", self.n);
        for t in tags {
            let full = crate::image::reference::Reference::parse_tagged(t)
                .map(|r| r.to_string())
                .unwrap_or_else(|_| t.clone());
            let _ = writeln!(err, "#{} naming to {full} done", self.n);
        }
        let _ = writeln!(err, "#{} DONE 0.0s", self.n);
    }
}
