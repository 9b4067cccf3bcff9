//! The only API the commands call. It resolves names, locks, acts and
//! returns data; it never prints.

pub mod attach;
pub mod build;
pub mod check;
pub mod commit;
mod commit_changes;
pub mod container;
pub mod cp;
mod create;
mod devices;
pub mod exec;
pub mod image;
mod inspect;
mod launch;
pub mod lifecycle;
mod links;
mod liveness;
pub mod login;
pub mod mounts;
mod names_gen;
mod netsetup;
pub mod network;
pub mod pause;
pub mod prune;
pub mod push;
pub mod quota;
mod resources;
pub mod rootless_netns;
pub mod run;
pub mod search;
pub mod spec;
pub mod storage;
pub mod system;
pub mod userns;
pub mod volume;

pub use inspect::InspectView;
pub use launch::{monitor_main, MONITOR_ARG};

use std::path::{Path, PathBuf};

use crate::image::store::ImageStore;
use crate::state::container::ContainerStore;
use crate::state::network::NetworkStore;

/// Options every engine call shares (from the global flags).
#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub root: PathBuf,
    pub runroot: PathBuf,
    /// `--storage-driver`, if given (else the store's, see `storage`).
    pub storage_driver: Option<String>,
    pub rootless: bool,
}

pub struct Engine {
    opts: EngineOptions,
    images: ImageStore,
    containers: ContainerStore,
    networks: NetworkStore,
    volumes: crate::state::volume::VolumeStore,
    /// The store's storage driver, once known.
    driver: std::sync::OnceLock<crate::state::container::StorageDriver>,
}

impl Engine {
    pub fn new(opts: EngineOptions) -> Engine {
        if opts.rootless {
            userns::install_remove_fallback();
        }
        let images = ImageStore::new(&opts.root);
        let containers = ContainerStore::new(&opts.root, &opts.runroot);
        let networks = NetworkStore::new(&opts.root);
        let volumes = crate::state::volume::VolumeStore::new(&opts.root);
        Engine {
            opts,
            images,
            containers,
            networks,
            volumes,
            driver: std::sync::OnceLock::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.opts.root
    }

    pub fn runroot(&self) -> &Path {
        &self.opts.runroot
    }

    pub fn options(&self) -> &EngineOptions {
        &self.opts
    }

    pub fn image_store(&self) -> &ImageStore {
        &self.images
    }

    pub fn container_store(&self) -> &ContainerStore {
        &self.containers
    }
}
