//! The build cache: `<root>/buildcache/<key>.json`, one entry per step, the
//! state after it (the image config, with its history, and the layers).
//! Entries are written whole (temp + rename); one that can't be read is a
//! miss. The layers they name are kept by garbage collection
//! ([`held_layers`]) until `builder prune` (or `system prune -a`) removes
//! the entries.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::Result;
use crate::image::store::LayerInfo;
use crate::image::types::ImageConfig;

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    config: ImageConfig,
    layers: Vec<LayerInfo>,
}

fn dir(e: &Engine) -> PathBuf {
    e.images.root().join("buildcache")
}

fn path(e: &Engine, key: &str) -> PathBuf {
    dir(e).join(format!("{key}.json"))
}

/// The state a step with `key` left, if cached.
pub(super) fn lookup(e: &Engine, key: &str) -> Option<(ImageConfig, Vec<LayerInfo>)> {
    let bytes = std::fs::read(path(e, key)).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    Some((entry.config, entry.layers))
}

/// Records the state after the step with `key`.
pub(super) fn store(
    e: &Engine,
    key: &str,
    config: &ImageConfig,
    layers: &[LayerInfo],
) -> Result<()> {
    let d = dir(e);
    std::fs::create_dir_all(&d).map_err(|err| crate::error::Error::io("creating", &d, err))?;
    let entry = Entry {
        config: config.clone(),
        layers: layers.to_vec(),
    };
    let bytes = serde_json::to_vec(&entry).unwrap_or_default();
    // A lost entry is a miss: no fsync.
    crate::state::atomic::write_volatile(&path(e, key), &bytes)
}

/// The layers the cache holds.
pub(crate) fn held_layers(e: &Engine) -> Vec<LayerInfo> {
    let Ok(rd) = std::fs::read_dir(dir(e)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in rd.flatten() {
        let Ok(bytes) = std::fs::read(f.path()) else {
            continue;
        };
        if let Ok(entry) = serde_json::from_slice::<Entry>(&bytes) {
            out.extend(entry.layers);
        }
    }
    out
}

/// `builder prune`: removes every entry; the entries removed and the
/// bytes of the layers only they held (which garbage collection then
/// removes).
pub fn prune_build_cache(e: &Engine) -> Result<(usize, u64)> {
    let Ok(rd) = std::fs::read_dir(dir(e)) else {
        return Ok((0, 0));
    };
    let images = e.images.images()?;
    let in_images: std::collections::HashSet<String> = images
        .iter()
        .flat_map(|r| r.layers.iter().map(|l| l.chain_id.clone()))
        .collect();
    let mut n = 0;
    let mut freed = std::collections::BTreeMap::new();
    for f in rd.flatten() {
        if let Ok(entry) =
            serde_json::from_slice::<Entry>(&std::fs::read(f.path()).unwrap_or_default())
        {
            for l in entry.layers {
                if !in_images.contains(&l.chain_id) {
                    freed.insert(l.chain_id, l.size);
                }
            }
        }
        if std::fs::remove_file(f.path()).is_ok() {
            n += 1;
        }
    }
    Ok((n, freed.values().sum()))
}
