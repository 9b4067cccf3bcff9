//! `push`: an image's blobs, then its manifest, to its registry. A blob
//! the registry has is skipped (HEAD), one it has in another repository
//! this image came from is mounted, the rest uploaded from the store's
//! blobs: the exact compressed bytes pulled, so a pulled image keeps its
//! manifest and digest (its stored manifest is pushed as it was).
//! Images made here (commit, import, load) get a docker schema2 manifest,
//! or an OCI one when a layer is OCI-only (zstd, uncompressed).

use serde_json::json;

use super::image::RegistryOptions;
use super::Engine;
use crate::error::{Error, Result};
use crate::image::reference::Reference;
use crate::image::registry::Client;
use crate::image::store::{ImageRecord, LayerInfo};
use crate::image::types::{
    MT_DOCKER_CONFIG, MT_DOCKER_LAYER, MT_DOCKER_MANIFEST, MT_OCI_CONFIG, MT_OCI_LAYER_GZIP,
    MT_OCI_MANIFEST,
};

/// Blobs this big are uploaded in chunks of [`CHUNK`] bytes.
const CHUNKED_FROM: u64 = 32 << 20;
const CHUNK: usize = 16 << 20;

/// What a push reports as it goes (docker's lines).
pub enum PushEvent<'a> {
    /// `The push refers to repository [NAME]`.
    Repository(&'a str),
    /// A layer (short id) is looked at.
    Preparing(&'a str),
    /// Bytes of a layer sent so far, of its size.
    Pushing(&'a str, u64, u64),
    /// `Layer already exists`, `Pushed`, `Mounted from REPO`.
    Layer(&'a str, String),
    /// `TAG: digest: DIGEST size: N`.
    Digest {
        tag: &'a str,
        digest: &'a str,
        size: usize,
    },
}

impl Engine {
    /// `push NAME[:TAG]` (every local tag of NAME with `all_tags`): each
    /// reference pushed and its manifest's digest.
    pub fn push(
        &self,
        name: &str,
        all_tags: bool,
        ro: &RegistryOptions,
        event: &mut dyn FnMut(PushEvent<'_>),
    ) -> Result<Vec<(String, String)>> {
        let parsed = Reference::parse(name)?;
        if all_tags && (parsed.tag.is_some() || parsed.digest.is_some()) {
            return Err(Error::InvalidArgument(
                "tag can't be used with --all-tags/-a".into(),
            ));
        }
        let repos = self.images.repositories()?;
        let targets: Vec<(Reference, String)> = if all_tags {
            let prefix = format!("{}:", parsed.name());
            repos
                .tags
                .iter()
                .filter(|(t, _)| t.starts_with(&prefix))
                .map(|(t, id)| Ok((Reference::parse_tagged(t)?, id.clone())))
                .collect::<Result<_>>()?
        } else {
            let r = Reference::parse_tagged(name)?;
            repos
                .tags
                .get(&r.to_string())
                .map(|id| vec![(r.clone(), id.clone())])
                .unwrap_or_default()
        };
        event(PushEvent::Repository(&parsed.familiar_name()));
        if targets.is_empty() {
            return Err(Error::NotFound(format!(
                "An image does not exist locally with the tag: {}",
                parsed.familiar_name()
            )));
        }
        let client = self.registry_client(&parsed, ro)?;
        let mut digests = Vec::new();
        for (r, id) in targets {
            let rec = self
                .images
                .image(&id)?
                .ok_or_else(|| Error::NotFound(format!("image {id} is gone")))?;
            let digest = self.push_one(&client, &r, &rec, event)?;
            self.note_repo_digest(&rec.id, &format!("{}@{digest}", r.name()))?;
            digests.push((r.familiar(), digest));
        }
        Ok(digests)
    }

    fn push_one(
        &self,
        client: &Client,
        r: &Reference,
        rec: &ImageRecord,
        event: &mut dyn FnMut(PushEvent<'_>),
    ) -> Result<String> {
        let repo = r.path.as_str();
        let sources = mount_sources(rec, r);
        let shorts: Vec<String> = rec.layers.iter().rev().map(|l| short(&l.diff_id)).collect();
        for s in &shorts {
            event(PushEvent::Preparing(s));
        }
        for (l, s) in rec.layers.iter().rev().zip(&shorts) {
            let digest = l.blob.as_deref().ok_or_else(|| {
                Error::Other(format!(
                    "layer {} of image {} has no stored blob to push: pull or load the image again",
                    l.diff_id, rec.id
                ))
            })?;
            let how = self.push_blob(
                client,
                repo,
                (digest, l.compressed_size),
                &sources,
                &mut |done, total| event(PushEvent::Pushing(s, done, total)),
            )?;
            event(PushEvent::Layer(s, how));
        }
        let config = self.images.read_blob(&rec.id)?;
        if !client.blob_exists(repo, &rec.id).map_err(Error::Registry)? {
            client
                .push_blob(repo, &rec.id, config.len() as u64, &mut &config[..])
                .map_err(Error::Registry)?;
        }
        let (bytes, media_type) = self.manifest_for(rec, config.len())?;
        let tag = r.tag.as_deref().unwrap_or("latest");
        let digest = client
            .put_manifest(repo, tag, &media_type, &bytes)
            .map_err(Error::Registry)?;
        event(PushEvent::Digest {
            tag,
            digest: &digest,
            size: bytes.len(),
        });
        Ok(digest)
    }

    /// One blob: skipped, mounted or uploaded; docker's word for it.
    fn push_blob(
        &self,
        client: &Client,
        repo: &str,
        (digest, size): (&str, u64),
        sources: &[String],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<String> {
        if client.blob_exists(repo, digest).map_err(Error::Registry)? {
            return Ok("Layer already exists".into());
        }
        for from in sources {
            if client
                .mount_blob(repo, digest, from)
                .map_err(Error::Registry)?
            {
                return Ok(format!("Mounted from {from}"));
            }
        }
        let path = self.images.blob_path(digest)?;
        let mut f = std::fs::File::open(&path).map_err(|e| Error::io("opening", &path, e))?;
        let size = if size > 0 {
            size
        } else {
            f.metadata()
                .map_err(|e| Error::io("reading", &path, e))?
                .len()
        };
        let mut r = Counting {
            inner: std::io::BufReader::with_capacity(1 << 20, &mut f),
            done: 0,
            total: size,
            progress,
        };
        // Big blobs go in chunks (a failed chunk is sent again, not the
        // whole blob); the rest in one piece.
        if size >= CHUNKED_FROM {
            client.push_blob_chunked(repo, digest, size, &mut r, CHUNK)
        } else {
            client.push_blob(repo, digest, size, &mut r)
        }
        .map_err(Error::Registry)?;
        Ok("Pushed".into())
    }

    /// The manifest to push: the stored one when the image was pulled
    /// (same digest as its registry's), else one made from the record.
    fn manifest_for(&self, rec: &ImageRecord, config_size: usize) -> Result<(Vec<u8>, String)> {
        if let (Some(d), Some(mt)) = (&rec.manifest_digest, &rec.manifest_media_type) {
            if let Ok(b) = self.images.read_blob(d) {
                return Ok((b, mt.clone()));
            }
        }
        let docker = rec
            .layers
            .iter()
            .all(|l| l.media_type == MT_DOCKER_LAYER || l.media_type == MT_OCI_LAYER_GZIP);
        let layer = |l: &LayerInfo| {
            let mt = if docker {
                MT_DOCKER_LAYER
            } else {
                l.media_type.as_str()
            };
            json!({"mediaType": mt, "size": l.compressed_size, "digest": l.blob})
        };
        let (mt, cfg_mt) = if docker {
            (MT_DOCKER_MANIFEST, MT_DOCKER_CONFIG)
        } else {
            (MT_OCI_MANIFEST, MT_OCI_CONFIG)
        };
        let m = json!({
            "schemaVersion": 2,
            "mediaType": mt,
            "config": {"mediaType": cfg_mt, "size": config_size, "digest": rec.id},
            "layers": rec.layers.iter().map(layer).collect::<Vec<_>>(),
        });
        let bytes = serde_json::to_vec(&m).map_err(|e| Error::Other(e.to_string()))?;
        Ok((bytes, mt.to_owned()))
    }

    /// docker's RepoDigests gain the pushed manifest.
    fn note_repo_digest(&self, id: &str, repo_digest: &str) -> Result<()> {
        let _g = self.images.lock()?;
        if let Some(mut rec) = self.images.image(id)? {
            if !rec.repo_digests.iter().any(|d| d == repo_digest) {
                rec.repo_digests.push(repo_digest.to_owned());
                self.images.put_image(&rec)?;
            }
        }
        Ok(())
    }
}

/// Reports the bytes read through it.
struct Counting<'a, R> {
    inner: R,
    done: u64,
    total: u64,
    progress: &'a mut dyn FnMut(u64, u64),
}

impl<R: std::io::Read> std::io::Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        (self.progress)(self.done, self.total);
        Ok(n)
    }
}

/// The image's other repositories on the same registry (from its repo
/// digests): where a blob can be mounted from.
fn mount_sources(rec: &ImageRecord, target: &Reference) -> Vec<String> {
    let mut out = Vec::new();
    for rd in &rec.repo_digests {
        let Some((name, _)) = rd.split_once('@') else {
            continue;
        };
        if let Ok(r) = Reference::parse(name) {
            if r.domain == target.domain && r.path != target.path && !out.contains(&r.path) {
                out.push(r.path);
            }
        }
    }
    out
}

/// docker's short layer id: 12 hex digits of the diff id.
fn short(digest: &str) -> String {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    hex.chars().take(12).collect()
}
