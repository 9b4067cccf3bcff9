//! `run` as one operation: the image (pulled when the policy says so),
//! then create and start; and the pull `create` does first.

use super::container::CreateOptions;
use super::image::RegistryOptions;
use super::lifecycle::Started;
use super::Engine;
use crate::error::{Error, Result};
pub use crate::image::pull::{LayerEvent, PullProgress, PullReport};

/// `--pull` of `create` and `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullPolicy {
    /// Pull when the image is not in the store (the default).
    Missing,
    Always,
    Never,
}

impl PullPolicy {
    pub fn parse(s: &str) -> Result<PullPolicy> {
        match s {
            "missing" => Ok(PullPolicy::Missing),
            "always" => Ok(PullPolicy::Always),
            "never" => Ok(PullPolicy::Never),
            _ => Err(Error::InvalidArgument(format!(
                "invalid pull policy {s:?}: missing, always or never"
            ))),
        }
    }
}

/// Where the image of a new container comes from.
#[derive(Debug, Clone)]
pub struct ImageSource {
    pub pull: PullPolicy,
    pub registry: RegistryOptions,
}

/// What `create` and `run` tell the user about their pull, besides each
/// layer's progress.
pub trait PullNotices: PullProgress {
    /// The image is not in the store (`shown`: its familiar name).
    fn missing(&self, _shown: &str) {}
    /// The pull is done.
    fn pulled(&self, _report: &PullReport) {}
}

impl Engine {
    /// The image `name`, pulled first when `src.pull` says so.
    pub fn ensure_image(
        &self,
        name: &str,
        src: &ImageSource,
        notices: &impl PullNotices,
    ) -> Result<()> {
        let present = match self.image_lookup(name) {
            Ok(_) => true,
            Err(Error::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        if src.pull == PullPolicy::Always || (!present && src.pull == PullPolicy::Missing) {
            if !present {
                // A name that is no reference fails before docker looks.
                let shown = crate::image::reference::Reference::parse_tagged(name)?.familiar();
                notices.missing(&shown);
            }
            let report = self.pull(name, &src.registry, notices)?;
            notices.pulled(&report);
        }
        Ok(())
    }

    /// `run`: the image (see [`Engine::ensure_image`]), a new container,
    /// started (with its attach stream when `attach`). A `--rm` container
    /// that fails to start is removed.
    pub fn run_container(
        &self,
        o: &CreateOptions,
        src: &ImageSource,
        notices: &impl PullNotices,
        attach: bool,
    ) -> Result<Started> {
        self.ensure_image(&o.image, src, notices)?;
        let c = self.create_container(o)?;
        self.start_container(c.id(), attach).inspect_err(|_| {
            if o.auto_remove {
                let _ = self.remove_container_with(c.id(), true, true);
            }
        })
    }
}
