//! The global options, turned into what every command needs.

use std::cell::OnceCell;
use std::io::IsTerminal;
use std::path::PathBuf;

use crate::engine::{Engine, EngineOptions};
use crate::error::{Error, Result};
use crate::state::paths;

#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global Options")]
pub struct GlobalOpts {
    /// Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)
    #[arg(long, global = true, value_name = "DIR", env = "SKIFF_ROOT")]
    pub root: Option<PathBuf>,
    /// Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)
    #[arg(long, global = true, value_name = "DIR", env = "SKIFF_RUNROOT")]
    pub runroot: Option<PathBuf>,
    /// Set the logging level ("debug", "info", "warn", "error", "fatal")
    #[arg(long, global = true, value_name = "string", default_value = "warn")]
    pub log_level: String,
    /// Do not print to stdout (podman)
    #[arg(long, global = true)]
    pub noout: bool,
    /// Storage driver: overlay or vfs (default: the store's; a new store
    /// takes overlay where it can be mounted, else vfs)
    #[arg(
        long,
        global = true,
        value_name = "DRIVER",
        env = "SKIFF_STORAGE_DRIVER"
    )]
    pub storage_driver: Option<String>,
}

pub struct Context {
    pub global: GlobalOpts,
    engine: OnceCell<Engine>,
}

impl Context {
    pub fn new(global: GlobalOpts) -> Result<Context> {
        if let Some(d) = &global.storage_driver {
            if crate::state::container::StorageDriver::parse(d).is_none() {
                return Err(Error::InvalidArgument(format!(
                    "unsupported storage driver {d:?}: overlay or vfs"
                )));
            }
        }
        Ok(Context {
            global,
            engine: OnceCell::new(),
        })
    }

    pub fn debug(&self) -> bool {
        matches!(self.global.log_level.as_str(), "debug" | "trace")
    }

    /// The engine, built on first use (so `--help` and `version` touch no disk).
    pub fn engine(&self) -> Result<&Engine> {
        if let Some(e) = self.engine.get() {
            return Ok(e);
        }
        let root = self.global.root.clone().unwrap_or_else(paths::default_root);
        let runroot = match &self.global.runroot {
            Some(r) => r.clone(),
            None => paths::default_runroot()?,
        };
        for dir in [&root, &runroot] {
            if let Some(notice) = paths::secure_store_dir(dir)? {
                eprintln!("{notice}");
            }
        }
        let e = Engine::new(EngineOptions {
            root,
            runroot,
            storage_driver: self.global.storage_driver.clone(),
            rootless: paths::is_rootless(),
        });
        Ok(self.engine.get_or_init(|| e))
    }

    pub fn stdout_is_tty(&self) -> bool {
        std::io::stdout().is_terminal()
    }

    pub fn stdin_is_tty(&self) -> bool {
        std::io::stdin().is_terminal()
    }

    /// docker's prune prompt: `warning`, then "Are you sure you want to
    /// continue? [y/N]"; whether the answer was yes. Never prompts without
    /// a terminal: a script must say -f (`verb` names the command).
    pub fn confirm(&self, verb: &str, warning: &str) -> crate::error::Result<bool> {
        use crate::error::Error;
        if !self.stdin_is_tty() {
            return Err(Error::InvalidArgument(format!(
                "{verb} asks for confirmation; stdin is not a terminal, so pass -f/--force"
            )));
        }
        eprint!("{warning}\nAre you sure you want to continue? [y/N] ");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Error::Other(format!("reading answer: {e}")))?;
        Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
    }
}
