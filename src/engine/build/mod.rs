//! `build`: a Dockerfile made an image by skiff itself, no daemon. The
//! Dockerfile is parsed (`image::build::dockerfile`), the stages the
//! target needs are found, and each instruction is applied in order:
//! config instructions change the stage's config in memory
//! (`image::build::instr`), RUN runs in a container of skiff's own
//! runtime whose changes become a layer (`run.rs`), COPY and ADD write a
//! layer from the context or another stage (`copy.rs`). Every step has a
//! cache key (its parent's, the instruction expanded, the build args it
//! uses, the content it copies); a step whose key is in the build cache
//! (`cache.rs`) is taken from it, and makes no container. The engine
//! never prints: each step is reported to the caller as a [`BuildEvent`].

mod add;
pub(crate) mod cache;
mod copy;
mod run;
mod runmount;
mod stage;

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Engine;
use crate::error::{Error, Result};
use crate::image::build::dockerfile::{self, Dockerfile};

/// `build`'s options.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The context directory.
    pub context: PathBuf,
    /// `-f`: the Dockerfile's path; `None`: `<context>/Dockerfile`.
    pub dockerfile: Option<PathBuf>,
    /// `-f -`: the Dockerfile's text.
    pub dockerfile_text: Option<String>,
    pub tags: Vec<String>,
    /// `--build-arg NAME[=VALUE]` (no value: from the environment).
    pub build_args: Vec<(String, Option<String>)>,
    pub labels: Vec<(String, String)>,
    pub no_cache: bool,
    pub pull: bool,
    pub target: Option<String>,
    pub network: Option<String>,
    /// `--secret id=ID,src=FILE`: (id, file).
    pub secrets: Vec<(String, PathBuf)>,
    /// `-o`: the result's filesystem exported too.
    pub output: Option<Export>,
}

/// `-o type=local,dest=DIR` or `-o type=tar,dest=FILE` (`-`: stdout).
#[derive(Debug, Clone)]
pub enum Export {
    Local(PathBuf),
    Tar(PathBuf),
}

impl Export {
    /// Parses `-o`'s value.
    pub fn parse(spec: &str) -> Result<Export> {
        let mut kind = None;
        let mut dest = None;
        for f in spec.split(',') {
            match f.split_once('=') {
                Some(("type", t)) => kind = Some(t.to_owned()),
                Some(("dest", d)) => dest = Some(PathBuf::from(d)),
                _ if !f.contains('=') && kind.is_none() && dest.is_none() => {
                    dest = Some(PathBuf::from(f));
                    kind = Some("local".into());
                }
                _ => {
                    return Err(Error::InvalidArgument(format!(
                        "invalid output {spec:?}: type=local|tar,dest=PATH"
                    )))
                }
            }
        }
        let dest = dest
            .ok_or_else(|| Error::InvalidArgument(format!("output {spec:?}: dest is required")))?;
        match kind.as_deref() {
            Some("local") => Ok(Export::Local(dest)),
            Some("tar") => Ok(Export::Tar(dest)),
            Some(t) => Err(Error::InvalidArgument(format!(
                "output type {t:?} is not supported: local or tar"
            ))),
            None => Err(Error::InvalidArgument(format!(
                "output {spec:?}: type is required"
            ))),
        }
    }
}

/// What the build reports as it goes. Every step has an id (BuildKit's
/// `#N`); stages built at once interleave their events.
#[derive(Debug)]
pub enum BuildEvent<'a> {
    /// A step begins: `[stage k/n]`-style position and its text.
    Step {
        id: usize,
        stage: &'a str,
        n: usize,
        total: usize,
        text: &'a str,
    },
    /// The step came from the cache.
    Cached { id: usize },
    /// Output of a RUN.
    Output { id: usize, bytes: &'a [u8] },
    /// The step is done.
    Done { id: usize, secs: f64 },
    /// A note (an unused build arg, say).
    Warning(&'a str),
}

/// The callback that gets the events (from several threads when stages
/// build at once).
pub type Events<'a> = &'a (dyn Fn(BuildEvent) + Sync);

/// Set by SIGINT, SIGTERM or SIGHUP during a build (see
/// [`cancel_on_signals`]): the build stops at the next step, a running
/// RUN's container is killed and removed.
static CANCELED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_cancel(_: libc::c_int) {
    CANCELED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Makes Ctrl-C (and SIGTERM, SIGHUP) cancel the build cleanly instead of
/// killing the process: the handler only sets a flag, and interrupts a
/// blocking read (no SA_RESTART).
pub fn cancel_on_signals() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a handler that only stores an
        // atomic (async-signal-safe).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_cancel as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Whether the build was canceled.
pub(crate) fn canceled() -> bool {
    CANCELED.load(std::sync::atomic::Ordering::SeqCst)
}

/// The error of a canceled build.
fn canceled_error() -> Error {
    failed("Canceled: context canceled")
}

/// A step's failure: docker's words, exit code 1.
fn failed(why: impl std::fmt::Display) -> Error {
    Error::Status {
        code: 1,
        message: format!("ERROR: failed to solve: {why}"),
    }
}

impl Engine {
    /// Builds; returns the image id (tagged as `o.tags` say).
    pub fn build(&self, o: &BuildOptions, ev: Events) -> Result<String> {
        let context = std::fs::canonicalize(&o.context).map_err(|e| {
            failed(format!(
                "unable to prepare context: path {:?} not found: {e}",
                o.context.display().to_string()
            ))
        })?;
        self.clean_after_killed_builds()?;
        let text = self.dockerfile_text(o, &context)?;
        let df = dockerfile::parse(&text).map_err(failed)?;
        let tags = o
            .tags
            .iter()
            .map(|t| crate::image::reference::Reference::parse_tagged(t))
            .collect::<Result<Vec<_>>>()?;
        let ignore = read_ignore(o, &context)?;
        let ids = std::sync::atomic::AtomicUsize::new(0);
        let mut b = stage::Builder::new(self, o, &df, context, ev, &ids)?;
        b.ignore = ignore;
        let (id, layers) = b.build_target()?;
        drop(b);
        if let Some(out) = &o.output {
            self.export_build(&layers, out)?;
        }
        self.tag_built(&id, &tags)?;
        Ok(id)
    }

    /// `builder prune`: the build cache emptied, then the layers only it
    /// held collected; the bytes freed.
    pub fn prune_build_cache(&self) -> Result<u64> {
        let (_, freed) = cache::prune_build_cache(self)?;
        let _g = self.images.lock()?;
        self.collect_garbage()?;
        Ok(freed)
    }

    /// What a killed build left: its RUN containers, its lease (and the
    /// layers only that held).
    fn clean_after_killed_builds(&self) -> Result<()> {
        let orphans = self.remove_orphan_build_containers();
        let _g = self.images.lock()?;
        let dead = self.images.drop_dead_leases()?;
        if orphans + dead > 0 {
            log::info!("build: cleaning after killed builds ({orphans} containers, {dead} leases)");
            self.collect_garbage()?;
        }
        Ok(())
    }

    /// `-o`: the built layers' files, merged, as a directory or a tar.
    fn export_build(&self, layers: &[crate::image::store::LayerInfo], out: &Export) -> Result<()> {
        let dirs: Vec<PathBuf> = layers
            .iter()
            .rev()
            .map(|l| self.images.layer_dir(&l.chain_id).map(|d| d.join("diff")))
            .collect::<Result<_>>()?;
        let fill = |dest: &std::path::Path| {
            crate::image::vfs::build(&dirs, dest)
                .map_err(|e| failed(format!("exporting to {}: {e}", dest.display())))
        };
        match out {
            Export::Local(dest) => {
                std::fs::create_dir_all(dest).map_err(|e| Error::io("creating", dest, e))?;
                fill(dest)
            }
            Export::Tar(dest) => {
                let tmp = self.build_scratch_dir()?;
                let tree = tmp.path().join("rootfs");
                std::fs::create_dir(&tree).map_err(|e| Error::io("creating", &tree, e))?;
                fill(&tree)?;
                let root =
                    crate::fsroot::Root::open(&tree).map_err(|e| Error::io("opening", &tree, e))?;
                let write = |w: &mut dyn std::io::Write| {
                    crate::image::treetar::write_tree(
                        &root,
                        std::path::Path::new(""),
                        std::path::Path::new("."),
                        false,
                        w,
                    )
                };
                if dest.as_os_str() == "-" {
                    write(&mut std::io::BufWriter::new(std::io::stdout().lock()))
                        .map(drop)
                        .map_err(|e| failed(format!("exporting: {e}")))
                } else {
                    crate::state::atomic::write_with(dest, |f| {
                        write(&mut std::io::BufWriter::new(f)).map(drop)
                    })
                }
            }
        }
    }

    /// A private directory in the store (a context from stdin goes there).
    pub fn build_scratch_dir(&self) -> Result<tempfile::TempDir> {
        crate::image::archive::tmp_dir(&self.images)
    }

    fn dockerfile_text(&self, o: &BuildOptions, context: &std::path::Path) -> Result<String> {
        if let Some(t) = &o.dockerfile_text {
            return Ok(t.clone());
        }
        let path = match &o.dockerfile {
            Some(p) => p.clone(),
            None => context.join("Dockerfile"),
        };
        std::fs::read_to_string(&path).map_err(|e| {
            failed(format!(
                "failed to read dockerfile: open {}: {}",
                path.display(),
                crate::runtime::error::go_text(&e)
            ))
        })
    }

    fn tag_built(&self, id: &str, tags: &[crate::image::reference::Reference]) -> Result<()> {
        if tags.is_empty() {
            return Ok(());
        }
        let _g = self.images.lock()?;
        let mut repos = self.images.repositories()?;
        for t in tags {
            repos.tags.insert(t.to_string(), id.to_owned());
        }
        self.images.put_repositories(&repos)
    }
}

/// The .dockerignore of the context (`<Dockerfile>.dockerignore` beside
/// a `-f` file first, as BuildKit looks).
fn read_ignore(
    o: &BuildOptions,
    context: &std::path::Path,
) -> Result<Option<crate::image::build::ignore::Ignore>> {
    let beside = o.dockerfile.as_ref().map(|f| {
        let mut s = f.as_os_str().to_owned();
        s.push(".dockerignore");
        PathBuf::from(s)
    });
    for p in beside.into_iter().chain([context.join(".dockerignore")]) {
        match std::fs::read_to_string(&p) {
            Ok(text) => {
                return crate::image::build::ignore::Ignore::parse(&text)
                    .map(Some)
                    .map_err(|e| failed(format!("failed to parse {}: {e}", p.display())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("reading", &p, e)),
        }
    }
    Ok(None)
}

/// The names a build-arg list gives values to (`None`: from the
/// environment, unset there: left out).
fn build_arg_values(args: &[(String, Option<String>)]) -> BTreeMap<String, String> {
    args.iter()
        .filter_map(|(k, v)| match v {
            Some(v) => Some((k.clone(), v.clone())),
            None => std::env::var(k).ok().map(|v| (k.clone(), v)),
        })
        .collect()
}

/// docker's predefined args: usable without an ARG, left out of the
/// image's history.
const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Where a stage's FROM points.
fn find_stage(df: &Dockerfile, name: &str) -> Option<usize> {
    stage::stage_starts(df)
        .iter()
        .position(|&i| stage::stage_name(&df.instructions[i]).as_deref() == Some(name))
        .or_else(|| name.parse().ok())
}
