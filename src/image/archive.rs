//! `save` and `load`: docker-archive format as docker 25+ writes it, which is
//! at the same time an OCI image layout (index.json, oci-layout,
//! blobs/sha256/...), plus docker's manifest.json. Layers are written
//! uncompressed so their digests are the diff ids and a save/load round trip
//! keeps every id. `load` also reads legacy docker archives
//! (`<id>/layer.tar`, symlinked duplicates) and plain OCI archives.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::layer::{self, UnpackOptions};
use super::reference::Reference;
use super::store::{
    chain_ids, digest_hex, sha256_digest, ImageRecord, ImageStore, LayerInfo, Lease,
};
use super::types::{self, Descriptor, ImageConfig, Index, Manifest, PlatformWanted};
use crate::error::{Error, IoContext, Result};
use crate::state::{atomic, ids};

#[derive(Debug, Serialize, Deserialize)]
struct DockerManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

pub(crate) fn tmp_dir(store: &ImageStore) -> Result<tempfile::TempDir> {
    let dir = store.root().join("tmp");
    fs::create_dir_all(&dir).ctx("creating", &dir)?;
    tempfile::Builder::new()
        .prefix("archive-")
        .tempdir_in(&dir)
        .ctx("creating temp dir in", &dir)
}

fn header(path: &str, size: u64, dir: bool) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_size(size);
    h.set_mode(if dir { 0o755 } else { 0o644 });
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(if dir {
        tar::EntryType::Directory
    } else {
        tar::EntryType::Regular
    });
    let _ = path;
    h
}

fn add_bytes<W: Write>(tw: &mut tar::Builder<W>, path: &str, bytes: &[u8]) -> Result<()> {
    let mut h = header(path, bytes.len() as u64, false);
    tw.append_data(&mut h, path, bytes)
        .map_err(|e| Error::Other(format!("writing archive entry {path}: {e}")))
}

/// Write `images` (record + familiar tags) as one archive.
pub fn save(
    store: &ImageStore,
    images: &[(ImageRecord, Vec<String>)],
    out: &mut dyn Write,
) -> Result<()> {
    let tmp = tmp_dir(store)?;
    let mut tw = tar::Builder::new(out);
    tw.mode(tar::HeaderMode::Deterministic);
    for d in ["blobs/", "blobs/sha256/"] {
        let mut h = header(d, 0, true);
        tw.append_data(&mut h, d, io::empty())
            .map_err(|e| Error::Other(format!("writing archive: {e}")))?;
    }
    let mut written: HashSet<String> = HashSet::new();
    let mut docker_manifest = Vec::new();
    let mut index_entries = Vec::new();
    for (rec, tags) in images {
        let (entries, docker_entry) =
            write_image(store, tmp.path(), &mut tw, &mut written, rec, tags)?;
        index_entries.extend(entries);
        docker_manifest.push(docker_entry);
    }
    let index = Index {
        schema_version: 2,
        media_type: Some(types::MT_OCI_INDEX.into()),
        manifests: index_entries,
        annotations: None,
    };
    add_bytes(
        &mut tw,
        "index.json",
        &serde_json::to_vec(&index).map_err(|e| Error::Other(e.to_string()))?,
    )?;
    add_bytes(
        &mut tw,
        "manifest.json",
        &serde_json::to_vec(&docker_manifest).map_err(|e| Error::Other(e.to_string()))?,
    )?;
    add_bytes(&mut tw, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    tw.into_inner()
        .and_then(|w| w.flush())
        .map_err(|e| Error::Other(format!("writing archive: {e}")))?;
    Ok(())
}

/// One image into the archive: its layers (decompressed), config and
/// manifest as blobs; returns its index entries (one per tag) and its
/// `manifest.json` entry.
fn write_image<W: Write>(
    store: &ImageStore,
    tmp: &Path,
    tw: &mut tar::Builder<W>,
    written: &mut HashSet<String>,
    rec: &ImageRecord,
    tags: &[String],
) -> Result<(Vec<Descriptor>, DockerManifestEntry)> {
    let config_bytes = store.read_blob(&rec.id)?;
    let config: ImageConfig = serde_json::from_slice(&config_bytes)
        .map_err(|e| Error::Other(format!("parsing config of {}: {e}", rec.id)))?;
    let mut layer_descs = Vec::new();
    let mut layer_paths = Vec::new();
    for (i, l) in rec.layers.iter().enumerate() {
        let diff_id = config
            .rootfs
            .diff_ids
            .get(i)
            .cloned()
            .unwrap_or_else(|| l.diff_id.clone());
        let (desc, path) = write_layer(store, tmp, tw, written, rec, l, diff_id)?;
        layer_descs.push(desc);
        layer_paths.push(path);
    }
    let config_path = format!("blobs/sha256/{}", rec.hex());
    if written.insert(config_path.clone()) {
        add_bytes(tw, &config_path, &config_bytes)?;
    }
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(types::MT_OCI_MANIFEST.into()),
        config: Descriptor {
            media_type: types::MT_OCI_CONFIG.into(),
            digest: rec.id.clone(),
            size: config_bytes.len() as u64,
            platform: None,
            annotations: None,
            urls: None,
        },
        layers: layer_descs,
        annotations: None,
    };
    let mbytes = serde_json::to_vec(&manifest).map_err(|e| Error::Other(e.to_string()))?;
    let mdigest = sha256_digest(&mbytes);
    let mpath = format!("blobs/sha256/{}", digest_hex(&mdigest)?);
    if written.insert(mpath.clone()) {
        add_bytes(tw, &mpath, &mbytes)?;
    }
    let entries = index_entries_of(&mdigest, mbytes.len() as u64, tags)?;
    Ok((
        entries,
        DockerManifestEntry {
            config: config_path,
            repo_tags: if tags.is_empty() {
                None
            } else {
                Some(tags.to_vec())
            },
            layers: layer_paths,
        },
    ))
}

/// One layer, decompressed and checked against its diff id, into the
/// archive (once); returns its descriptor and path there.
fn write_layer<W: Write>(
    store: &ImageStore,
    tmp: &Path,
    tw: &mut tar::Builder<W>,
    written: &mut HashSet<String>,
    rec: &ImageRecord,
    l: &LayerInfo,
    diff_id: String,
) -> Result<(Descriptor, String)> {
    let path = format!("blobs/sha256/{}", digest_hex(&diff_id)?);
    let blob = l.blob.as_deref().ok_or_else(|| {
        Error::Other(format!(
            "layer {} of image {} has no stored blob",
            l.chain_id, rec.id
        ))
    })?;
    // Decompress once into a temp file to learn its size for the tar header.
    let tpath = tmp.join(digest_hex(&diff_id)?);
    let mut tf = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tpath)
        .ctx("creating", &tpath)?;
    let mut r = decompressed(io::BufReader::new(store.open_blob(blob)?))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = r.read(&mut buf).ctx("decompressing", blob)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        tf.write_all(&buf[..n]).ctx("writing", &tpath)?;
        size += n as u64;
    }
    let got = format!("sha256:{}", ids::hex(&hasher.finalize()));
    if got != diff_id {
        return Err(Error::Other(format!(
            "layer {blob} of image {}: content has diff id {got}, expected {diff_id}",
            rec.id
        )));
    }
    if written.insert(path.clone()) {
        tf.rewind().ctx("reading", &tpath)?;
        let mut h = header(&path, size, false);
        tw.append_data(&mut h, &path, &mut tf)
            .map_err(|e| Error::Other(format!("writing archive entry {path}: {e}")))?;
    }
    drop(tf);
    let _ = fs::remove_file(&tpath);
    Ok((
        Descriptor {
            media_type: types::MT_OCI_LAYER.into(),
            digest: diff_id,
            size,
            platform: None,
            annotations: None,
            urls: None,
        },
        path,
    ))
}

/// The index entries of a manifest: one per tag, or one without a name.
fn index_entries_of(mdigest: &str, msize: u64, tags: &[String]) -> Result<Vec<Descriptor>> {
    let mut entries = Vec::new();
    let desc = |ann: Option<BTreeMap<String, String>>| Descriptor {
        media_type: types::MT_OCI_MANIFEST.into(),
        digest: mdigest.to_owned(),
        size: msize,
        platform: None,
        annotations: ann,
        urls: None,
    };
    if tags.is_empty() {
        entries.push(desc(None));
    }
    for t in tags {
        let r = Reference::parse_tagged(t)?;
        let mut ann = BTreeMap::new();
        ann.insert("io.containerd.image.name".to_owned(), r.to_string());
        ann.insert(
            "org.opencontainers.image.ref.name".to_owned(),
            r.tag.clone().unwrap_or_default(),
        );
        entries.push(desc(Some(ann)));
    }
    Ok(entries)
}

/// An archive unpacked into a temp dir: regular files only; symlinks are
/// remembered and resolved by name, never created on disk.
struct Unpacked {
    dir: tempfile::TempDir,
    links: HashMap<PathBuf, PathBuf>,
}

fn clean_rel(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(x) => out.push(x),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// A tar stream that can't be read, in docker's words (its daemon's
/// message, which docker's CLI prints as it is).
fn tar_error(e: io::Error) -> Error {
    let why = if e.kind() == io::ErrorKind::UnexpectedEof
        || e.to_string().contains("failed to read entire block")
    {
        "unexpected EOF".to_owned()
    } else {
        crate::runtime::error::go_text(&e)
    };
    Error::Raw(format!("Error processing tar file(exit status 1): {why}"))
}

impl Unpacked {
    fn read(store: &ImageStore, input: &mut dyn Read) -> Result<Unpacked> {
        let dir = tmp_dir(store)?;
        let mut links = HashMap::new();
        let mut ar = tar::Archive::new(input);
        let entries = ar.entries().map_err(tar_error)?;
        for entry in entries {
            let mut entry = entry.map_err(tar_error)?;
            let raw = entry.path().map_err(tar_error)?.into_owned();
            let Some(rel) = clean_rel(&raw) else {
                return Err(Error::Other(format!(
                    "archive entry {} points outside the archive",
                    raw.display()
                )));
            };
            if rel.as_os_str().is_empty() {
                continue;
            }
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let dest = dir.path().join(&rel);
                    if let Some(p) = dest.parent() {
                        fs::create_dir_all(p).ctx("creating", p)?;
                    }
                    let mut f = File::create(&dest).ctx("creating", &dest)?;
                    io::copy(&mut entry, &mut f).ctx("writing", &dest)?;
                }
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    let target = entry
                        .link_name()
                        .ok()
                        .flatten()
                        .map(|t| t.into_owned())
                        .unwrap_or_default();
                    let base = if entry.header().entry_type() == tar::EntryType::Link {
                        PathBuf::new()
                    } else {
                        rel.parent().map(Path::to_path_buf).unwrap_or_default()
                    };
                    links.insert(rel, base.join(target));
                }
                _ => {}
            }
        }
        Ok(Unpacked { dir, links })
    }

    /// The on-disk file for an archive path, following remembered links.
    fn file(&self, name: &str) -> Result<PathBuf> {
        let mut rel = clean_rel(Path::new(name)).ok_or_else(|| {
            Error::Other(format!("archive path {name} points outside the archive"))
        })?;
        for _ in 0..16 {
            let p = self.dir.path().join(&rel);
            if p.is_file() {
                return Ok(p);
            }
            match self.links.get(&rel) {
                Some(t) => {
                    rel = clean_rel(t).ok_or_else(|| {
                        Error::Other(format!("archive link {name} points outside the archive"))
                    })?;
                }
                None => break,
            }
        }
        Err(Error::Other(format!("archive is missing {name}")))
    }

    fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        let p = self.file(name)?;
        fs::read(&p).ctx("reading", &p)
    }

    fn has(&self, name: &str) -> bool {
        self.file(name).is_ok()
    }
}

/// Read an archive into the store's blobs and layers. The caller writes the
/// image records and tags.
/// Store the images of an archive; returns their records (for the caller
/// to write) and tags. Everything stored or found is added to `lease`,
/// which the caller keeps until the records are written.
pub fn load(
    store: &ImageStore,
    input: &mut dyn Read,
    unpack: &UnpackOptions,
    lease: &mut Lease<'_>,
) -> Result<Vec<(ImageRecord, Vec<String>)>> {
    let ar = Unpacked::read(store, input)?;
    let mut out = Vec::new();
    if ar.has("manifest.json") {
        let entries: Vec<DockerManifestEntry> =
            serde_json::from_slice(&ar.read_file("manifest.json")?)
                .map_err(|e| Error::Other(format!("parsing manifest.json of the archive: {e}")))?;
        for e in entries {
            let config = ar.read_file(&e.config)?;
            let layers: Vec<PathBuf> =
                e.layers.iter().map(|l| ar.file(l)).collect::<Result<_>>()?;
            let rec = import(store, &config, &layers, unpack, lease)?;
            out.push((rec, e.repo_tags.unwrap_or_default()));
        }
    } else if ar.has("index.json") {
        let index: Index = serde_json::from_slice(&ar.read_file("index.json")?)
            .map_err(|e| Error::Other(format!("parsing index.json of the archive: {e}")))?;
        for d in &index.manifests {
            let mut desc = d.clone();
            let mut bytes = blob_of(&ar, &desc.digest)?;
            if types::is_index(&types::sniff_media_type(&desc.media_type, &bytes)) {
                let inner: Index = serde_json::from_slice(&bytes)
                    .map_err(|e| Error::Other(format!("parsing index {}: {e}", desc.digest)))?;
                let host = PlatformWanted::host();
                let pick = inner
                    .manifests
                    .iter()
                    .find(|m| m.platform.as_ref().is_some_and(|p| host.matches(p)))
                    .or(inner.manifests.first())
                    .ok_or_else(|| {
                        Error::Other(format!("empty index {} in the archive", desc.digest))
                    })?;
                desc = Descriptor {
                    annotations: d.annotations.clone(),
                    ..pick.clone()
                };
                bytes = blob_of(&ar, &desc.digest)?;
            }
            let manifest: Manifest = serde_json::from_slice(&bytes)
                .map_err(|e| Error::Other(format!("parsing manifest {}: {e}", desc.digest)))?;
            let config = blob_of(&ar, &manifest.config.digest)?;
            let layers: Vec<PathBuf> = manifest
                .layers
                .iter()
                .map(|l| ar.file(&format!("blobs/sha256/{}", digest_hex(&l.digest)?)))
                .collect::<Result<_>>()?;
            let rec = import(store, &config, &layers, unpack, lease)?;
            let ann = desc.annotations.clone().unwrap_or_default();
            let name = ann.get("io.containerd.image.name").cloned().or_else(|| {
                ann.get("org.opencontainers.image.ref.name")
                    .filter(|n| n.contains([':', '/']))
                    .cloned()
            });
            out.push((rec, name.into_iter().collect()));
        }
    } else {
        return Err(Error::InvalidArgument(
            "the archive has neither manifest.json nor index.json: not a docker-archive or OCI archive".into(),
        ));
    }
    Ok(out)
}

fn blob_of(ar: &Unpacked, digest: &str) -> Result<Vec<u8>> {
    let bytes = ar.read_file(&format!("blobs/sha256/{}", digest_hex(digest)?))?;
    let got = sha256_digest(&bytes);
    if got != digest {
        return Err(Error::Other(format!(
            "digest mismatch for blob {digest} in the archive: got {got}"
        )));
    }
    Ok(bytes)
}

/// Store a config and its layer files; returns the image record.
fn import(
    store: &ImageStore,
    config_bytes: &[u8],
    layer_files: &[PathBuf],
    unpack: &UnpackOptions,
    lease: &mut Lease<'_>,
) -> Result<ImageRecord> {
    import_over(store, config_bytes, &[], layer_files, unpack, lease)
}

/// [`import`] of an image whose first layers are `base` (stored already,
/// as an image's record has them: `commit`) and the rest `layer_files`.
pub(crate) fn import_over(
    store: &ImageStore,
    config_bytes: &[u8],
    base: &[LayerInfo],
    layer_files: &[PathBuf],
    unpack: &UnpackOptions,
    lease: &mut Lease<'_>,
) -> Result<ImageRecord> {
    let id = sha256_digest(config_bytes);
    lease.hold([id.clone()], [])?;
    let config: ImageConfig = serde_json::from_slice(config_bytes)
        .map_err(|e| Error::Other(format!("parsing image config {id}: {e}")))?;
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != base.len() + layer_files.len() {
        return Err(Error::Other(format!(
            "image {id}: the archive has {} layers, the config lists {}",
            base.len() + layer_files.len(),
            diff_ids.len()
        )));
    }
    let chains = chain_ids(diff_ids);
    lease.hold([], base.iter().map(|l| l.chain_id.clone()))?;
    let mut layers = base.to_vec();
    for (i, path) in layer_files.iter().enumerate() {
        let i = i + base.len();
        let blob = file_digest(path)?;
        // Before looking: what is found from here on stays.
        lease.hold([blob.clone()], [chains[i].clone()])?;
        if !store.has_blob(&blob) {
            store_blob_file(store, &blob, path)?;
        }
        let media_type = layer_media_type(path)?;
        let compressed_size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let info_of = |size| LayerInfo {
            diff_id: diff_ids[i].clone(),
            chain_id: chains[i].clone(),
            blob: Some(blob.clone()),
            media_type: media_type.to_owned(),
            compressed_size,
            size,
        };
        if let Some(info) = store.layer_info(&chains[i]) {
            layers.push(info_of(info.size));
            continue;
        }
        let _g = store.lock_layer(&chains[i])?;
        if let Some(info) = store.layer_info(&chains[i]) {
            layers.push(info_of(info.size));
            continue;
        }
        let info = store.create_layer(&chains[i], |diff| {
            let size = unpack_checked(store, &blob, diff, unpack, path, &diff_ids[i])?;
            Ok(info_of(size))
        })?;
        layers.push(info);
    }
    store.put_blob(&id, config_bytes)?;
    let size = layers.iter().map(|l| l.size).sum();
    Ok(ImageRecord {
        id,
        manifest_digest: None,
        manifest_media_type: None,
        repo_digests: Vec::new(),
        layers,
        size,
        stored_at: crate::util::time::now(),
        last_tag_time: None,
    })
}

/// Copy a layer file into the store as blob `blob`.
fn store_blob_file(store: &ImageStore, blob: &str, path: &Path) -> Result<()> {
    let dest = store.blob_path(blob)?;
    if let Some(p) = dest.parent() {
        fs::create_dir_all(p).ctx("creating", p)?;
    }
    let mut src = File::open(path).ctx("opening", path)?;
    atomic::write_with(&dest, |f| io::copy(&mut src, f).map(|_| ()))
}

/// The OCI media type of a layer file, from its compression.
fn layer_media_type(path: &Path) -> Result<&'static str> {
    let head = {
        let mut f = File::open(path).ctx("opening", path)?;
        let mut b = [0u8; 4];
        let n = f.read(&mut b).ctx("reading", path)?;
        layer::detect_compression(&b[..n])
    };
    Ok(match head {
        layer::Compression::Gzip => types::MT_OCI_LAYER_GZIP,
        layer::Compression::Zstd => types::MT_OCI_LAYER_ZSTD,
        layer::Compression::None => types::MT_OCI_LAYER,
    })
}

/// Unpack blob `blob` (the archive's layer file `path`) into `diff`, which
/// must give `want` as its diff id; returns its unpacked size.
fn unpack_checked(
    store: &ImageStore,
    blob: &str,
    diff: &Path,
    unpack: &UnpackOptions,
    path: &Path,
    want: &str,
) -> Result<u64> {
    let report = layer::unpack_blob(&store.blob_path(blob)?, diff, unpack)?;
    if report.diff_id != want {
        return Err(Error::Other(format!(
            "layer {} in the archive has diff id {} but the image config says {}",
            path.display(),
            report.diff_id,
            want
        )));
    }
    Ok(report.size)
}

fn file_digest(path: &Path) -> Result<String> {
    let mut f = File::open(path).ctx("opening", path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).ctx("reading", path)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", ids::hex(&h.finalize())))
}

/// A reader of the uncompressed content of a (maybe gzip/zstd) layer blob.
pub fn decompressed<'a, R: io::BufRead + 'a>(mut r: R) -> Result<Box<dyn Read + 'a>> {
    let head = r
        .fill_buf()
        .map_err(|e| Error::Other(format!("reading layer: {e}")))?;
    Ok(match layer::detect_compression(head) {
        layer::Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(r)),
        layer::Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(r)
                .map_err(|e| Error::Other(format!("reading zstd layer: {e}")))?,
        ),
        layer::Compression::None => Box::new(r),
    })
}
