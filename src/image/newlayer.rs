//! A new layer from a tar stream (`commit`, `import`): kept uncompressed
//! in a file of the store's temp dir, its digest computed on the way, then
//! moved into the store's blobs and unpacked once.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::layer::UnpackOptions;
use super::store::{chain_ids, sha256_digest, ImageRecord, ImageStore, LayerInfo, Lease};
use super::types::{ImageConfig, MT_OCI_LAYER};
use crate::error::{Error, Result};

/// A new layer blob kept uncompressed (`commit`: the changes are often
/// incompressible, and compressing is the slowest step; push sends it as
/// an OCI `tar` layer): written to `dir/layer.tar` and synced, its digest
/// (its diff id too) computed on the way. Returns the path, the digest
/// and the size.
pub fn tar_layer(dir: &Path, mut input: impl Read) -> Result<(PathBuf, String, u64)> {
    let path = dir.join("layer.tar");
    let f = std::fs::File::create(&path).map_err(|e| Error::io("creating", &path, e))?;
    let mut w = io::BufWriter::with_capacity(1 << 20, f);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Other(format!("reading the layer's tar: {e}"))),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
        w.write_all(&buf[..n])
            .map_err(|e| Error::io("writing", &path, e))?;
    }
    let f = w
        .into_inner()
        .map_err(|e| Error::io("writing", &path, e.into_error()))?;
    f.sync_all().map_err(|e| Error::io("syncing", &path, e))?;
    Ok((path, format!("sha256:{}", hex(&hasher.finalize())), size))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Stores an image whose config is `config_bytes`, its layers `base`
/// (stored) and the uncompressed layer file `file` of digest `digest`
/// (moved into the store's blobs, unpacked once, not hashed again).
pub fn import_local(
    store: &ImageStore,
    config_bytes: &[u8],
    base: &[LayerInfo],
    (file, digest, size): (&Path, &str, u64),
    unpack: &UnpackOptions,
    lease: &mut Lease<'_>,
) -> Result<ImageRecord> {
    let id = sha256_digest(config_bytes);
    let config: ImageConfig = serde_json::from_slice(config_bytes)
        .map_err(|e| Error::Other(format!("image config {id}: {e}")))?;
    let chains = chain_ids(&config.rootfs.diff_ids);
    let chain = chains
        .last()
        .cloned()
        .ok_or_else(|| Error::Other(format!("image {id}: no layer")))?;
    lease.hold(
        [id.clone(), digest.to_owned()],
        base.iter()
            .map(|l| l.chain_id.clone())
            .chain([chain.clone()]),
    )?;
    let blob = store.blob_path(digest)?;
    if !store.has_blob(digest) {
        if let Some(p) = blob.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io("creating", p, e))?;
        }
        std::fs::rename(file, &blob).map_err(|e| Error::io("storing", &blob, e))?;
        if let Some(p) = blob.parent() {
            crate::state::atomic::sync_dir(p)?;
        }
    }
    let info_of = |unpacked| LayerInfo {
        diff_id: digest.to_owned(),
        chain_id: chain.clone(),
        blob: Some(digest.to_owned()),
        media_type: MT_OCI_LAYER.to_owned(),
        compressed_size: size,
        size: unpacked,
    };
    let info = match store.layer_info(&chain) {
        Some(i) => info_of(i.size),
        None => {
            let _g = store.lock_layer(&chain)?;
            match store.layer_info(&chain) {
                Some(i) => info_of(i.size),
                None => store.create_layer(&chain, |diff| {
                    let opts = UnpackOptions {
                        digest_known: true,
                        ..unpack.clone()
                    };
                    let r = crate::image::layer::unpack_blob(&blob, diff, &opts)?;
                    Ok(info_of(r.size))
                })?,
            }
        }
    };
    store.put_blob(&id, config_bytes)?;
    let mut layers = base.to_vec();
    layers.push(info);
    Ok(ImageRecord {
        id,
        manifest_digest: None,
        manifest_media_type: None,
        repo_digests: Vec::new(),
        size: layers.iter().map(|l| l.size).sum(),
        layers,
        stored_at: crate::util::time::now(),
        last_tag_time: None,
    })
}
