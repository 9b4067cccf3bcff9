//! The image side of the store (layout in design.md):
//! ```text
//! <root>/blobs/sha256/<hex>        verified blobs (configs, manifests, compressed layers)
//! <root>/blobs/partial/<hex>       a download in progress (never trusted; resumed by re-hashing)
//! <root>/layers/<chain-hex>/diff   an unpacked layer; the dir appears only after syncfs + rename
//! <root>/layers/<chain-hex>/layer.json
//! <root>/images/<id-hex>.json      image record (written after all its layers exist)
//! <root>/repositories.json         tag -> image id, under repositories.lock
//! <root>/leases/<id>.json          blobs and layers an unfinished pull holds (see [`Lease`])
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext, Result};
use crate::state::{atomic, ids, lock::LockGuard};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LayerInfo {
    /// `sha256:` of the uncompressed tar.
    pub diff_id: String,
    /// `sha256:` chain id (names the layer dir).
    pub chain_id: String,
    /// `sha256:` of the compressed blob as distributed, if we have it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    #[serde(default)]
    pub media_type: String,
    #[serde(default)]
    pub compressed_size: u64,
    /// Unpacked size in bytes.
    #[serde(default)]
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImageRecord {
    /// `sha256:<hex>` of the config blob.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_media_type: Option<String>,
    /// `name@sha256:...` (fully qualified names).
    #[serde(default)]
    pub repo_digests: Vec<String>,
    pub layers: Vec<LayerInfo>,
    /// Sum of the unpacked layer sizes.
    pub size: u64,
    /// When this record was written (unix nanos).
    #[serde(default)]
    pub stored_at: i128,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_tag_time: Option<i128>,
}

impl ImageRecord {
    pub fn hex(&self) -> &str {
        self.id.strip_prefix("sha256:").unwrap_or(&self.id)
    }
}

/// Tag → image id, fully qualified names (`docker.io/library/busybox:latest`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Repositories {
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl Repositories {
    pub fn tags_of(&self, id: &str) -> Vec<String> {
        self.tags
            .iter()
            .filter(|(_, v)| v.as_str() == id)
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// The chain id of a layer: `diff_id` for the bottom layer, else
/// `sha256(parent_chain + " " + diff_id)`.
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.clone(),
            Some(parent) => format!(
                "sha256:{}",
                ids::hex(&Sha256::digest(format!("{parent} {d}")))
            ),
        };
        out.push(next);
    }
    out
}

pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", ids::hex(&Sha256::digest(bytes)))
}

/// `sha256:<hex>` → `<hex>`, rejecting anything that is not a sha256 digest
/// (the hex becomes a path component).
pub fn digest_hex(digest: &str) -> Result<&str> {
    match digest.strip_prefix("sha256:") {
        Some(h) if ids::is_full_id(h) => Ok(h),
        _ => Err(Error::InvalidArgument(format!(
            "unsupported digest {digest:?}: only sha256 is supported"
        ))),
    }
}

#[derive(Debug, Clone)]
pub struct ImageStore {
    root: PathBuf,
}

impl ImageStore {
    pub fn new(root: &Path) -> ImageStore {
        ImageStore {
            root: root.to_path_buf(),
        }
    }

    fn dir(&self, rel: &str) -> Result<PathBuf> {
        let p = self.root.join(rel);
        fs::create_dir_all(&p).ctx("creating", &p)?;
        Ok(p)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    // ---- blobs

    pub fn blob_path(&self, digest: &str) -> Result<PathBuf> {
        Ok(self.root.join("blobs/sha256").join(digest_hex(digest)?))
    }

    pub fn has_blob(&self, digest: &str) -> bool {
        self.blob_path(digest).map(|p| p.is_file()).unwrap_or(false)
    }

    /// Store small bytes as a blob after checking they hash to `digest`.
    pub fn put_blob(&self, digest: &str, bytes: &[u8]) -> Result<()> {
        let actual = sha256_digest(bytes);
        if actual != digest {
            return Err(Error::Other(format!(
                "digest mismatch for blob {digest}: got {actual}"
            )));
        }
        let path = self.blob_path(digest)?;
        if path.is_file() {
            return Ok(());
        }
        self.dir("blobs/sha256")?;
        atomic::write(&path, bytes)
    }

    pub fn read_blob(&self, digest: &str) -> Result<Vec<u8>> {
        let p = self.blob_path(digest)?;
        fs::read(&p).ctx("reading blob", &p)
    }

    pub fn open_blob(&self, digest: &str) -> Result<File> {
        let p = self.blob_path(digest)?;
        File::open(&p).ctx("opening blob", &p)
    }

    /// Exclusive lock for downloading one blob.
    pub fn lock_blob(&self, digest: &str) -> Result<LockGuard> {
        let dir = self.dir("blobs/partial")?;
        LockGuard::exclusive(&dir.join(format!("{}.lock", digest_hex(digest)?)))
    }

    /// Open (or create) the partial download of a blob for appending,
    /// returning it with a hasher already fed with what it holds. Call only
    /// while holding [`lock_blob`].
    pub fn open_partial(&self, digest: &str) -> Result<(File, u64, Sha256)> {
        let dir = self.dir("blobs/partial")?;
        let path = dir.join(digest_hex(digest)?);
        let mut f = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .ctx("opening", &path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut have = 0u64;
        loop {
            let n = f.read(&mut buf).ctx("reading", &path)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            have += n as u64;
        }
        Ok((f, have, hasher))
    }

    /// Throw away a partial download (after a digest mismatch).
    pub fn discard_partial(&self, digest: &str) -> Result<()> {
        let path = self.root.join("blobs/partial").join(digest_hex(digest)?);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::io("removing", &path, e))
            }
            _ => Ok(()),
        }
    }

    /// The partial download is complete and verified: fsync it and make it
    /// a blob by rename.
    pub fn commit_partial(&self, digest: &str, file: File) -> Result<()> {
        let hex = digest_hex(digest)?;
        let from = self.root.join("blobs/partial").join(hex);
        file.sync_all().ctx("syncing", &from)?;
        drop(file);
        let dir = self.dir("blobs/sha256")?;
        let to = dir.join(hex);
        fs::rename(&from, &to).ctx("renaming", &from)?;
        atomic::sync_dir(&dir)
    }

    pub fn remove_blob(&self, digest: &str) -> Result<()> {
        let p = self.blob_path(digest)?;
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("removing", &p, e)),
            _ => Ok(()),
        }
    }

    /// Every stored blob digest.
    pub fn blobs(&self) -> Result<Vec<String>> {
        list_names(&self.root.join("blobs/sha256")).map(|v| {
            v.into_iter()
                .filter(|n| ids::is_full_id(n))
                .map(|n| format!("sha256:{n}"))
                .collect()
        })
    }

    // ---- layers

    pub fn layer_dir(&self, chain_id: &str) -> Result<PathBuf> {
        Ok(self.root.join("layers").join(digest_hex(chain_id)?))
    }

    pub fn layer_info(&self, chain_id: &str) -> Option<LayerInfo> {
        let p = self.layer_dir(chain_id).ok()?.join("layer.json");
        serde_json::from_slice(&fs::read(p).ok()?).ok()
    }

    pub fn lock_layer(&self, chain_id: &str) -> Result<LockGuard> {
        let dir = self.dir("layers")?;
        LockGuard::exclusive(&dir.join(format!(".{}.lock", digest_hex(chain_id)?)))
    }

    /// Create a layer dir: `fill` unpacks into `<tmp>/diff` and returns the
    /// info to record; the dir becomes visible only after syncfs + rename.
    /// Leftovers of killed creators are removed first. Call while holding
    /// [`lock_layer`].
    pub fn create_layer(
        &self,
        chain_id: &str,
        fill: impl FnOnce(&Path) -> Result<LayerInfo>,
    ) -> Result<LayerInfo> {
        let hex = digest_hex(chain_id)?.to_owned();
        let layers = self.dir("layers")?;
        let tmp_prefix = format!(".tmp-{hex}-");
        for entry in fs::read_dir(&layers).ctx("reading", &layers)?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&tmp_prefix) {
                let _ = crate::util::tree::remove_tree(entry.path());
            }
        }
        let tmp = layers.join(format!("{tmp_prefix}{}", &ids::new_id()[..12]));
        let diff = tmp.join("diff");
        let result = (|| {
            // Inside: on a full disk `tmp` may be made and `diff` not.
            fs::create_dir_all(&diff).ctx("creating", &diff)?;
            let info = fill(&diff)?;
            atomic::write_json(&tmp.join("layer.json"), &info)?;
            syncfs(&tmp)?;
            let dest = layers.join(&hex);
            fs::rename(&tmp, &dest).ctx("renaming layer into", &dest)?;
            atomic::sync_dir(&layers)?;
            Ok(info)
        })();
        if result.is_err() {
            let _ = crate::util::tree::remove_tree(&tmp);
        }
        result
    }

    pub fn remove_layer(&self, chain_id: &str) -> Result<()> {
        let dir = self.layer_dir(chain_id)?;
        if !dir.exists() {
            return Ok(());
        }
        // Rename away first so a half-removed layer is never visible as a layer.
        let layers = self.root.join("layers");
        let doomed = layers.join(format!(".rm-{}", &ids::new_id()[..16]));
        fs::rename(&dir, &doomed).ctx("removing layer", &dir)?;
        crate::util::tree::remove_tree(&doomed).ctx("removing", &doomed)
    }

    /// Remove what killed `remove_layer` calls left (`layers/.rm-*`).
    pub fn clean_removed_layers(&self) {
        let layers = self.root.join("layers");
        for entry in fs::read_dir(&layers).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(".rm-") {
                let _ = crate::util::tree::remove_tree(entry.path());
            }
        }
    }

    /// Chain ids of every complete layer dir.
    pub fn layers(&self) -> Result<Vec<String>> {
        Ok(list_names(&self.root.join("layers"))?
            .into_iter()
            .filter(|n| ids::is_full_id(n))
            .map(|n| format!("sha256:{n}"))
            .collect())
    }

    // ---- images

    fn image_path(&self, id: &str) -> Result<PathBuf> {
        Ok(self
            .root
            .join("images")
            .join(format!("{}.json", digest_hex(id)?)))
    }

    pub fn image(&self, id: &str) -> Result<Option<ImageRecord>> {
        let p = self.image_path(id)?;
        match fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| Error::Other(format!("corrupt image record {}: {e}", p.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading", &p, e)),
        }
    }

    pub fn images(&self) -> Result<Vec<ImageRecord>> {
        let mut out = Vec::new();
        for name in list_names(&self.root.join("images"))? {
            if let Some(hex) = name.strip_suffix(".json") {
                if ids::is_full_id(hex) {
                    if let Some(r) = self.image(&format!("sha256:{hex}"))? {
                        out.push(r);
                    }
                }
            }
        }
        Ok(out)
    }

    pub fn put_image(&self, rec: &ImageRecord) -> Result<()> {
        self.dir("images")?;
        atomic::write_json(&self.image_path(&rec.id)?, rec)
    }

    pub fn remove_image(&self, id: &str) -> Result<()> {
        let p = self.image_path(id)?;
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("removing", &p, e)),
            _ => atomic::sync_dir(&self.root.join("images")),
        }
    }

    /// Exclusive lock for changes to images and tags (short: taken only
    /// around the final record/tag updates, never across downloads).
    pub fn lock(&self) -> Result<LockGuard> {
        self.dir("")?;
        LockGuard::exclusive(&self.root.join("repositories.lock"))
    }

    pub fn repositories(&self) -> Result<Repositories> {
        let p = self.root.join("repositories.json");
        match fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b)
                .map_err(|e| Error::Other(format!("corrupt {}: {e}", p.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Repositories::default()),
            Err(e) => Err(Error::io("reading", &p, e)),
        }
    }

    /// Remove temp files that killed writers left in the store's dirs.
    /// Readers ignore them anyway; this only reclaims the space.
    pub fn clean_leftovers(&self) -> Result<usize> {
        let mut n = atomic::clean_tmp(&self.root)?;
        n += atomic::clean_tmp(&self.root.join("images"))?;
        n += atomic::clean_tmp(&self.root.join("leases"))?;
        Ok(n)
    }

    // ---- leases

    /// Take a lease holding `blobs` and `layers` (more with
    /// [`Lease::hold`]) for this process. Do not call while holding
    /// [`lock`]: it takes it.
    pub fn lease(
        &self,
        blobs: impl IntoIterator<Item = String>,
        layers: impl IntoIterator<Item = String>,
    ) -> Result<Lease<'_>> {
        let pid = std::process::id() as i32;
        let mut lease = Lease {
            store: self,
            path: self
                .root
                .join("leases")
                .join(format!("{}.json", &ids::new_id()[..16])),
            rec: LeaseRecord {
                pid,
                start_time: crate::monitor::proc_start_time(pid).unwrap_or(0),
                ..Default::default()
            },
        };
        lease.hold(blobs, layers)?;
        Ok(lease)
    }

    /// The leases of live processes. Removes those of processes that are
    /// gone, and unreadable ones (a lease file is written whole, by
    /// rename). Call while holding [`lock`].
    /// Removes the leases of processes that are gone (a killed pull or
    /// build); how many. Call while holding [`lock`].
    pub fn drop_dead_leases(&self) -> Result<usize> {
        let before = list_names(&self.root.join("leases"))?.len();
        let live = self.live_leases()?.len();
        Ok(before.saturating_sub(live))
    }

    pub fn live_leases(&self) -> Result<Vec<LeaseRecord>> {
        let dir = self.root.join("leases");
        let mut out = Vec::new();
        for name in list_names(&dir)? {
            let p = dir.join(&name);
            let rec = fs::read(&p)
                .ok()
                .and_then(|b| serde_json::from_slice::<LeaseRecord>(&b).ok());
            match rec {
                Some(r) if r.is_live() => out.push(r),
                _ => match fs::remove_file(&p) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::io("removing stale lease", &p, e))
                    }
                    _ => {}
                },
            }
        }
        Ok(out)
    }

    /// Write repositories.json; call while holding [`lock`].
    pub fn put_repositories(&self, repos: &Repositories) -> Result<()> {
        self.dir("")?;
        atomic::write_json(&self.root.join("repositories.json"), repos)
    }
}

/// What a lease file holds: the process that owns it (pid and start time,
/// so a reused pid does not keep a dead puller's lease alive) and the
/// blobs and layers it holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LeaseRecord {
    pub pid: i32,
    /// Field 22 of `/proc/<pid>/stat`.
    pub start_time: u64,
    #[serde(default)]
    pub blobs: BTreeSet<String>,
    /// Chain ids.
    #[serde(default)]
    pub layers: BTreeSet<String>,
}

impl LeaseRecord {
    pub fn is_live(&self) -> bool {
        self.pid > 0 && crate::monitor::proc_start_time(self.pid) == Some(self.start_time)
    }
}

/// A pull's claim on blobs and layers that no image record names yet
/// (stored by it, or found in the store and counted on): garbage
/// collection keeps them while the lease lasts. The file
/// `<root>/leases/<id>.json` is written under the store lock, which GC
/// holds throughout, so a GC sees all of an addition or none of it, and
/// whatever a pull finds in the store after [`Lease::hold`] stays there.
/// Dropping the lease removes the file (after the image record is written,
/// which then holds everything); a killed puller's lease names a process
/// that is gone, and the next GC removes it.
#[derive(Debug)]
pub struct Lease<'s> {
    store: &'s ImageStore,
    path: PathBuf,
    rec: LeaseRecord,
}

impl Lease<'_> {
    /// Add blobs (digests) and layers (chain ids) to the lease.
    pub fn hold(
        &mut self,
        blobs: impl IntoIterator<Item = String>,
        layers: impl IntoIterator<Item = String>,
    ) -> Result<()> {
        let _g = self.store.lock()?;
        self.rec.blobs.extend(blobs);
        self.rec.layers.extend(layers);
        self.store.dir("leases")?;
        atomic::write_volatile(
            &self.path,
            &serde_json::to_vec(&self.rec).unwrap_or_default(),
        )
    }

    pub fn record(&self) -> &LeaseRecord {
        &self.rec
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Names in a directory, skipping dot files; a missing dir is empty.
pub fn list_names(dir: &Path) -> Result<Vec<String>> {
    match fs::read_dir(dir) {
        Ok(rd) => Ok(rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("reading", dir, e)),
    }
}

/// Flush the filesystem holding `path` (one syscall for a whole layer,
/// instead of an fsync per file).
fn syncfs(path: &Path) -> Result<()> {
    let f = File::open(path).ctx("opening", path)?;
    rustix::fs::syncfs(&f).map_err(|e| Error::io("syncing", path, e.into()))
}

/// Copy `r` to `w`, returning bytes copied.
pub fn copy_all(r: &mut dyn Read, w: &mut dyn Write) -> std::io::Result<u64> {
    std::io::copy(r, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_follow_the_spec() {
        let a = format!("sha256:{}", "a".repeat(64));
        let b = format!("sha256:{}", "b".repeat(64));
        let c = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(c[0], a);
        assert_eq!(c[1], sha256_digest(format!("{a} {b}").as_bytes()));
    }

    #[test]
    fn blobs_are_verified() {
        let d = tempfile::tempdir().unwrap();
        let s = ImageStore::new(d.path());
        let dg = sha256_digest(b"hello");
        assert!(s.put_blob(&dg, b"hellO").is_err());
        assert!(!s.has_blob(&dg));
        s.put_blob(&dg, b"hello").unwrap();
        assert_eq!(s.read_blob(&dg).unwrap(), b"hello");
        assert_eq!(s.blobs().unwrap(), vec![dg]);
        assert!(s.blob_path("sha256:../../etc").is_err());
    }

    #[test]
    fn layer_appears_only_when_complete() {
        let d = tempfile::tempdir().unwrap();
        let s = ImageStore::new(d.path());
        let chain = format!("sha256:{}", "c".repeat(64));
        let err = s.create_layer(&chain, |_| Err(Error::Other("boom".into())));
        assert!(err.is_err());
        assert!(s.layers().unwrap().is_empty());
        assert_eq!(fs::read_dir(d.path().join("layers")).unwrap().count(), 0);
        s.create_layer(&chain, |diff| {
            fs::write(diff.join("f"), b"x").unwrap();
            Ok(LayerInfo {
                diff_id: chain.clone(),
                chain_id: chain.clone(),
                blob: None,
                media_type: String::new(),
                compressed_size: 0,
                size: 1,
            })
        })
        .unwrap();
        assert_eq!(s.layers().unwrap(), vec![chain.clone()]);
        assert_eq!(s.layer_info(&chain).unwrap().size, 1);
        // A killed creator's temp dir is removed by the next creator of that layer.
        let other = format!("sha256:{}", "d".repeat(64));
        let stale = d
            .path()
            .join(format!("layers/.tmp-{}-dead", "d".repeat(64)));
        fs::create_dir_all(stale.join("diff")).unwrap();
        assert!(
            s.layers().unwrap() == vec![chain.clone()],
            "temp dirs are not layers"
        );
        s.create_layer(&other, |_| {
            Ok(LayerInfo {
                diff_id: other.clone(),
                chain_id: other.clone(),
                blob: None,
                media_type: String::new(),
                compressed_size: 0,
                size: 0,
            })
        })
        .unwrap();
        assert!(!stale.exists());
        s.remove_layer(&chain).unwrap();
        s.remove_layer(&other).unwrap();
        assert!(s.layers().unwrap().is_empty());
    }

    #[test]
    fn leases_of_gone_processes_are_removed() {
        let d = tempfile::tempdir().unwrap();
        let s = ImageStore::new(d.path());
        let blob = format!("sha256:{}", "b".repeat(64));
        let layer = format!("sha256:{}", "c".repeat(64));
        let mut lease = s.lease([blob.clone()], []).unwrap();
        lease.hold([], [layer.clone()]).unwrap();
        // Stale: a pid that cannot exist, and this pid with another start time.
        let leases = d.path().join("leases");
        let dead = LeaseRecord {
            pid: i32::MAX,
            start_time: 1,
            ..lease.record().clone()
        };
        let reused = LeaseRecord {
            start_time: lease.record().start_time + 1,
            ..lease.record().clone()
        };
        fs::write(leases.join("dead.json"), serde_json::to_vec(&dead).unwrap()).unwrap();
        fs::write(
            leases.join("reused.json"),
            serde_json::to_vec(&reused).unwrap(),
        )
        .unwrap();
        fs::write(leases.join("torn.json"), b"{\"pid\": ").unwrap();
        let live = s.live_leases().unwrap();
        assert_eq!(live.len(), 1, "{live:?}");
        assert!(live[0].blobs.contains(&blob) && live[0].layers.contains(&layer));
        assert_eq!(
            fs::read_dir(&leases).unwrap().count(),
            1,
            "stale ones removed"
        );
        drop(lease);
        assert!(s.live_leases().unwrap().is_empty());
        assert_eq!(fs::read_dir(&leases).unwrap().count(), 0);
    }
}
