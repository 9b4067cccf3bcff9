//! Pulling an image: resolve the manifest (picking a platform from an
//! index), fetch the config, fetch and unpack the layers in parallel (each
//! into its own layer dir), then write the image record and the tag.
//! A pull killed at any point leaves only partial downloads (resumed and
//! re-verified next time) and temp dirs (removed next time).
//!
//! Until its image record exists, a pull holds what it stores and what it
//! finds already stored in a [`Lease`](super::store::Lease), so that a
//! concurrent `rmi` or `image prune` (garbage collection) leaves them be.
//!
//! Test hook: with `SKIFF_TEST_PULL_PAUSE=<dir>` set, a pull that has all
//! its layers creates `<dir>/<pid>` and waits (up to a minute) for it to be
//! removed before it writes the image record, so that tests can run GC in
//! exactly that window (tests/images.rs).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::layer::{self, UnpackOptions};
use super::reference::Reference;
use super::registry::{Client, RegistryError};
use super::store::{chain_ids, digest_hex, ImageRecord, ImageStore, LayerInfo};
use super::types::{self, ImageConfig, Index, Manifest, PlatformWanted};
use crate::error::{Error, Result};

/// What a pull reports while it works (the engine never prints).
pub trait PullProgress: Sync {
    /// The registry has the manifest: the pull goes ahead (docker's
    /// `TAG: Pulling from REPO` line comes here, not before).
    fn pulling(&self, _reference: &Reference) {}
    /// The manifest is known: its digest and the layers (short id, size).
    fn resolved(&self, _digest: &str, _layers: &[(String, u64)]) {}
    fn layer(&self, _short_id: &str, _event: LayerEvent) {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerEvent {
    AlreadyExists,
    Downloading { done: u64, total: u64 },
    Downloaded,
    Extracting,
    Complete,
}

/// No progress reporting.
pub struct Silent;
impl PullProgress for Silent {}

#[derive(Debug, Clone)]
pub struct PullOptions {
    pub platform: PlatformWanted,
    /// How layers are unpacked (rootless, the store's whiteout form).
    pub unpack: UnpackOptions,
    /// Parallel layer downloads.
    pub jobs: usize,
}

#[derive(Debug, Clone)]
pub struct PullReport {
    pub id: String,
    /// The reference as pulled (with `:latest` added when neither tag nor digest was given).
    pub reference: Reference,
    pub manifest_digest: String,
    /// False when the tag already pointed at this image.
    pub changed: bool,
}

pub fn short_id(digest: &str) -> String {
    let h = digest.strip_prefix("sha256:").unwrap_or(digest);
    h[..h.len().min(12)].to_owned()
}

fn manifest_error(reference: &Reference, e: RegistryError) -> Error {
    if e.is_not_found() {
        // docker names the tag it looked for, `:latest` when none was given.
        let mut shown = reference.clone();
        if shown.tag.is_none() && shown.digest.is_none() {
            shown.tag = Some("latest".into());
        }
        return Error::NotFound(format!("manifest for {} not found: {e}", shown.familiar()));
    }
    Error::Registry(e)
}

/// Fetch the manifest for `reference`, descending into an index for `platform`.
pub fn resolve(
    client: &Client,
    reference: &Reference,
    platform: &PlatformWanted,
) -> Result<(Vec<u8>, String, String)> {
    let repo = &reference.path;
    let m = client
        .get_manifest(repo, reference.reference())
        .map_err(|e| manifest_error(reference, e))?;
    let mt = types::sniff_media_type(&m.media_type, &m.bytes);
    if types::is_index(&mt) {
        let index: Index = serde_json::from_slice(&m.bytes).map_err(|e| {
            Error::Other(format!(
                "parsing image index of {}: {e}",
                reference.familiar()
            ))
        })?;
        let pick = index
            .manifests
            .iter()
            .find(|d| d.platform.as_ref().is_some_and(|p| platform.matches(p)))
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no matching manifest for {platform} in the manifest list entries of {}",
                    reference.familiar()
                ))
            })?;
        let inner = client
            .get_manifest(repo, &pick.digest)
            .map_err(|e| manifest_error(reference, e))?;
        let imt = types::sniff_media_type(&inner.media_type, &inner.bytes);
        if types::is_index(&imt) {
            return Err(Error::Other(format!(
                "nested image index in {} is not supported",
                reference.familiar()
            )));
        }
        return Ok((inner.bytes, imt, inner.digest));
    }
    if mt == types::MT_DOCKER_V1 || mt == types::MT_DOCKER_V1_SIGNED {
        return Err(Error::Other(format!(
            "{}: docker schema 1 manifests are not supported",
            reference.familiar()
        )));
    }
    Ok((m.bytes, mt, m.digest))
}

/// Pull `reference` into `store` through `client`.
pub fn pull(
    store: &ImageStore,
    client: &Client,
    reference: &Reference,
    opts: &PullOptions,
    progress: &dyn PullProgress,
) -> Result<PullReport> {
    let (manifest_bytes, media_type, manifest_digest) = resolve(client, reference, &opts.platform)?;
    progress.pulling(reference);
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| Error::Other(format!("parsing manifest of {}: {e}", reference.familiar())))?;
    let repo = &reference.path;

    let config_digest = manifest.config.digest.clone();
    digest_hex(&config_digest)?;
    // Before anything is looked up or stored: from here GC keeps them.
    let mut lease = store.lease(
        [config_digest.clone(), manifest_digest.clone()]
            .into_iter()
            .chain(manifest.layers.iter().map(|l| l.digest.clone())),
        [],
    )?;
    let config = fetch_config(store, client, repo, &manifest)?;
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != manifest.layers.len() {
        return Err(Error::Other(format!(
            "{}: manifest has {} layers but the config lists {} diff ids",
            reference.familiar(),
            manifest.layers.len(),
            diff_ids.len()
        )));
    }
    let chains = chain_ids(diff_ids);
    lease.hold([], chains.iter().cloned())?;
    let listed: Vec<(String, u64)> = manifest
        .layers
        .iter()
        .map(|l| (short_id(&l.digest), l.size))
        .collect();
    progress.resolved(&manifest_digest, &listed);

    let layers = fetch_layers(
        store, client, repo, &manifest, diff_ids, &chains, opts, progress,
    )?;

    test_pause_hook();
    store.put_blob(&manifest_digest, &manifest_bytes)?;
    let tagged = if reference.tag.is_none() && reference.digest.is_none() {
        reference.with_tag(super::reference::DEFAULT_TAG)
    } else {
        reference.clone()
    };
    let changed = record(
        store,
        &config_digest,
        &manifest_digest,
        media_type,
        &tagged,
        layers,
    )?;
    // The record holds it all now: the lease can go.
    drop(lease);
    Ok(PullReport {
        id: config_digest,
        reference: tagged,
        manifest_digest,
        changed,
    })
}

/// The image config: fetched whole and verified unless the store has it.
fn fetch_config(
    store: &ImageStore,
    client: &Client,
    repo: &str,
    manifest: &Manifest,
) -> Result<ImageConfig> {
    let config_digest = &manifest.config.digest;
    if !store.has_blob(config_digest) {
        let mut buf = Vec::new();
        client
            .get_blob(
                repo,
                config_digest,
                Some(manifest.config.size),
                &mut buf,
                0,
                Default::default(),
                &mut |_| {},
            )
            .map_err(Error::Registry)?;
        store.put_blob(config_digest, &buf)?;
    }
    let config: ImageConfig = serde_json::from_slice(&store.read_blob(config_digest)?)
        .map_err(|e| Error::Other(format!("parsing image config {config_digest}: {e}")))?;
    Ok(config)
}

/// The manifest's layers, in parallel (at most `opts.jobs`), each into its
/// own dir; the first failure stops the workers taking more.
#[allow(clippy::too_many_arguments)]
fn fetch_layers(
    store: &ImageStore,
    client: &Client,
    repo: &str,
    manifest: &Manifest,
    diff_ids: &[String],
    chains: &[String],
    opts: &PullOptions,
    progress: &dyn PullProgress,
) -> Result<Vec<LayerInfo>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<LayerInfo>>>> =
        Mutex::new((0..manifest.layers.len()).map(|_| None).collect());
    let jobs = opts.jobs.clamp(1, 8).min(manifest.layers.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= manifest.layers.len() {
                    break;
                }
                let r = ensure_layer(
                    store,
                    client,
                    repo,
                    &manifest.layers[i],
                    &diff_ids[i],
                    &chains[i],
                    opts,
                    progress,
                );
                let failed = r.is_err();
                results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
                if failed {
                    // Let the other workers finish their current layer, take no more.
                    next.store(usize::MAX / 2, Ordering::SeqCst);
                }
            });
        }
    });
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for r in results.into_inner().unwrap_or_else(|p| p.into_inner()) {
        match r {
            Some(Ok(info)) => layers.push(info),
            Some(Err(e)) => return Err(e),
            None => return Err(Error::Other("layer download aborted".into())),
        }
    }
    Ok(layers)
}

/// The image record (created, or given what it lacks) and the tag, under
/// the store's lock; whether anything changed.
fn record(
    store: &ImageStore,
    config_digest: &str,
    manifest_digest: &str,
    media_type: String,
    tagged: &Reference,
    layers: Vec<LayerInfo>,
) -> Result<bool> {
    let repo_digest = format!("{}@{}", tagged.name(), manifest_digest);
    let size = layers.iter().map(|l| l.size).sum();
    let _g = store.lock()?;
    let existing = store.image(config_digest)?;
    let mut dirty = existing.is_none();
    let mut rec = existing.unwrap_or(ImageRecord {
        id: config_digest.to_owned(),
        manifest_digest: Some(manifest_digest.to_owned()),
        manifest_media_type: Some(media_type.clone()),
        repo_digests: Vec::new(),
        layers: layers.clone(),
        size,
        stored_at: crate::util::time::now(),
        last_tag_time: None,
    });
    if !rec.repo_digests.contains(&repo_digest) {
        rec.repo_digests.push(repo_digest);
        dirty = true;
    }
    if rec.manifest_digest.is_none() {
        rec.manifest_digest = Some(manifest_digest.to_owned());
        rec.manifest_media_type = Some(media_type);
        dirty = true;
    }
    if rec.layers.iter().any(|l| l.blob.is_none()) {
        rec.layers = layers;
        dirty = true;
    }
    if dirty {
        store.put_image(&rec)?;
    }
    let mut changed = dirty;
    if tagged.tag.is_some() {
        let key = tagged
            .with_tag(tagged.tag.as_deref().unwrap_or("latest"))
            .to_string();
        let mut repos = store.repositories()?;
        if repos.tags.get(&key).map(String::as_str) != Some(config_digest) {
            repos.tags.insert(key, config_digest.to_owned());
            store.put_repositories(&repos)?;
            changed = true;
        }
    }
    Ok(changed)
}

/// See the module doc: tests only.
fn test_pause_hook() {
    let Some(dir) = std::env::var_os("SKIFF_TEST_PULL_PAUSE") else {
        return;
    };
    let marker = std::path::Path::new(&dir).join(std::process::id().to_string());
    if std::fs::write(&marker, b"").is_err() {
        return;
    }
    let start = std::time::Instant::now();
    while marker.exists() && start.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[allow(clippy::too_many_arguments)]
fn ensure_layer(
    store: &ImageStore,
    client: &Client,
    repo: &str,
    desc: &types::Descriptor,
    diff_id: &str,
    chain_id: &str,
    opts: &PullOptions,
    progress: &dyn PullProgress,
) -> Result<LayerInfo> {
    let short = short_id(&desc.digest);
    digest_hex(&desc.digest)?;
    let info_of = |size: u64| LayerInfo {
        diff_id: diff_id.to_owned(),
        chain_id: chain_id.to_owned(),
        blob: Some(desc.digest.clone()),
        media_type: desc.media_type.clone(),
        compressed_size: desc.size,
        size,
    };
    if let Some(info) = store.layer_info(chain_id) {
        if store.has_blob(&desc.digest) {
            progress.layer(&short, LayerEvent::AlreadyExists);
            return Ok(LayerInfo {
                ..info_of(info.size)
            });
        }
    }
    fetch_blob(
        store,
        client,
        repo,
        &desc.digest,
        desc.size,
        &short,
        progress,
    )?;
    if let Some(info) = store.layer_info(chain_id) {
        progress.layer(&short, LayerEvent::Complete);
        return Ok(info_of(info.size));
    }
    let _g = store.lock_layer(chain_id)?;
    if let Some(info) = store.layer_info(chain_id) {
        progress.layer(&short, LayerEvent::Complete);
        return Ok(info_of(info.size));
    }
    progress.layer(&short, LayerEvent::Extracting);
    let info = store.create_layer(chain_id, |diff| {
        let report = layer::unpack_blob(&store.blob_path(&desc.digest)?, diff, &opts.unpack)?;
        if report.diff_id != diff_id {
            return Err(Error::Other(format!(
                "layer {}: unpacked content has diff id {} but the image config says {diff_id}",
                desc.digest, report.diff_id
            )));
        }
        Ok(info_of(report.size))
    })?;
    progress.layer(&short, LayerEvent::Complete);
    Ok(info)
}

/// Download one blob into the store, resuming a partial download.
pub fn fetch_blob(
    store: &ImageStore,
    client: &Client,
    repo: &str,
    digest: &str,
    size: u64,
    short: &str,
    progress: &dyn PullProgress,
) -> Result<()> {
    if store.has_blob(digest) {
        progress.layer(short, LayerEvent::Downloaded);
        return Ok(());
    }
    let _g = store.lock_blob(digest)?;
    if store.has_blob(digest) {
        progress.layer(short, LayerEvent::Downloaded);
        return Ok(());
    }
    for attempt in 0..2 {
        let (mut file, have, hasher) = store.open_partial(digest)?;
        let (offset, hasher) = if have > size {
            (0, Default::default())
        } else {
            (have, hasher)
        };
        if offset == 0 && have > 0 {
            file.set_len(0)
                .map_err(|e| Error::io("truncating partial blob", digest, e))?;
        }
        let mut report =
            |done: u64| progress.layer(short, LayerEvent::Downloading { done, total: size });
        match client.get_blob(
            repo,
            digest,
            Some(size),
            &mut file,
            offset,
            hasher,
            &mut report,
        ) {
            Ok(_) => {
                if let Err(e) = store.commit_partial(digest, file) {
                    if e.is_out_of_space() {
                        let _ = store.discard_partial(digest);
                    }
                    return Err(e);
                }
                progress.layer(short, LayerEvent::Downloaded);
                return Ok(());
            }
            Err(e) if e.is_digest_mismatch() && offset > 0 && attempt == 0 => {
                // The partial prefix was bad: start over once.
                drop(file);
                store.discard_partial(digest)?;
            }
            Err(e) => {
                // A partial download is kept to be resumed, but not one
                // that filled the disk: that would keep the disk full.
                if e.is_digest_mismatch() || e.is_out_of_space() {
                    drop(file);
                    store.discard_partial(digest)?;
                }
                return Err(Error::Registry(e));
            }
        }
    }
    Err(Error::Other(format!("blob {digest}: download failed")))
}
