//! The only API the commands call. It resolves names, locks, acts and
//! returns data; it never prints.

pub mod image;
pub mod system;

use std::path::{Path, PathBuf};

use crate::image::store::ImageStore;

/// Options every engine call shares (from the global flags).
#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub root: PathBuf,
    pub runroot: PathBuf,
    pub storage_driver: String,
    pub rootless: bool,
}

pub struct Engine {
    opts: EngineOptions,
    images: ImageStore,
}

impl Engine {
    pub fn new(opts: EngineOptions) -> Engine {
        let images = ImageStore::new(&opts.root);
        Engine { opts, images }
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
}
