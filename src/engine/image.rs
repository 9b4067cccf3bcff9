//! Image operations: pull, list, tag, remove, inspect, history, prune,
//! save and load.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::Engine;
use crate::error::{Error, Result};
use crate::image::pull::{self, PullOptions, PullProgress, PullReport};
use crate::image::reference::Reference;
use crate::image::registry::{Client, ClientOptions};
use crate::image::store::{ImageRecord, Repositories};
use crate::image::types::{ImageConfig, PlatformWanted};
use crate::state::ids;
use crate::util::{glob, time};

/// How to reach a registry (from `--tls-verify`, `--creds`, `--platform`).
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    pub tls_verify: Option<bool>,
    pub creds: Option<(String, String)>,
    pub platform: Option<String>,
}

/// One image as `images` lists it.
#[derive(Debug, Clone)]
pub struct ImageSummary {
    pub record: ImageRecord,
    pub config: ImageConfig,
    /// Fully qualified tags pointing at this image.
    pub tags: Vec<Reference>,
    pub created: Option<time::UnixNanos>,
}

impl ImageSummary {
    pub fn dangling(&self) -> bool {
        self.tags.is_empty()
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        self.config
            .config
            .as_ref()
            .and_then(|c| c.labels.clone())
            .unwrap_or_default()
    }

    /// Repo digests parsed as references (name@digest).
    pub fn digests(&self) -> Vec<Reference> {
        self.record
            .repo_digests
            .iter()
            .filter_map(|d| Reference::parse(d).ok())
            .collect()
    }
}

/// `images -f` filters.
#[derive(Debug, Clone)]
pub enum ImageFilter {
    Dangling(bool),
    Reference(String),
    Label(String, Option<String>),
    Before(String),
    Since(String),
}

impl ImageFilter {
    pub fn parse(s: &str) -> Result<ImageFilter> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            Error::InvalidArgument(format!("bad format of filter (expected name=value): {s}"))
        })?;
        Ok(match k {
            "dangling" => match v {
                "true" | "1" => ImageFilter::Dangling(true),
                "false" | "0" => ImageFilter::Dangling(false),
                _ => {
                    return Err(Error::InvalidArgument(format!(
                        "Invalid filter 'dangling={v}'"
                    )))
                }
            },
            "reference" => ImageFilter::Reference(v.to_owned()),
            "label" => match v.split_once('=') {
                Some((lk, lv)) => ImageFilter::Label(lk.to_owned(), Some(lv.to_owned())),
                None => ImageFilter::Label(v.to_owned(), None),
            },
            "before" => ImageFilter::Before(v.to_owned()),
            // `after` is podman's name for `since`.
            "since" | "after" => ImageFilter::Since(v.to_owned()),
            _ => return Err(Error::InvalidArgument(format!("Invalid filter '{k}'"))),
        })
    }
}

/// One line of `rmi`/`image prune` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoveEvent {
    Untagged(String),
    Deleted(String),
}

#[derive(Debug, Clone, Default)]
pub struct PruneReport {
    pub events: Vec<RemoveEvent>,
    pub reclaimed: u64,
}

/// One row of `history`.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The image id for the top entry, else None (`<missing>`).
    pub id: Option<String>,
    pub created: Option<time::UnixNanos>,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
    pub tags: Vec<String>,
}

/// docker names a missing image by its reference with the tag it
/// implies (`busybox:latest`); an id or digest as given.
fn no_such_image(name: &str) -> Error {
    let last = name.rsplit('/').next().unwrap_or(name);
    let is_id = name.len() >= 4
        && name
            .trim_start_matches("sha256:")
            .bytes()
            .all(|b| b.is_ascii_hexdigit());
    if last.contains(':') || name.contains('@') || is_id {
        return Error::NotFound(format!("No such image: {name}"));
    }
    Error::NotFound(format!("No such image: {name}:latest"))
}

impl Engine {
    pub(super) fn registry_client(
        &self,
        reference: &Reference,
        ro: &RegistryOptions,
    ) -> Result<Client> {
        let opts = ClientOptions {
            tls_verify: ro.tls_verify,
            creds: ro.creds.clone(),
            user_agent: format!("skiff/{}", env!("CARGO_PKG_VERSION")),
            cert_dir: None,
        };
        Client::new(reference.registry_host(), opts).map_err(Error::Registry)
    }

    /// `pull`: fetch `name` from its registry.
    pub fn pull(
        &self,
        name: &str,
        ro: &RegistryOptions,
        progress: &dyn PullProgress,
    ) -> Result<PullReport> {
        let reference = Reference::parse(name)?;
        let platform = match &ro.platform {
            Some(p) => PlatformWanted::parse(p)?,
            None => PlatformWanted::host(),
        };
        let client = self.registry_client(&reference, ro)?;
        let opts = PullOptions {
            platform,
            unpack: self.unpack_options()?,
            jobs: 3,
        };
        let t0 = std::time::Instant::now();
        log::debug!(
            "pull {name}: {reference} from {}",
            reference.registry_host()
        );
        let report = pull::pull(&self.images, &client, &reference, &opts, progress);
        log::debug!("pull {name}: done in {:?}", t0.elapsed());
        report
    }

    /// Find an image by reference, digest reference or id prefix.
    pub fn image_lookup(&self, name: &str) -> Result<ImageRecord> {
        let repos = self.images.repositories()?;
        self.lookup_in(&repos, name)?
            .ok_or_else(|| no_such_image(name))
    }

    fn lookup_in(&self, repos: &Repositories, name: &str) -> Result<Option<ImageRecord>> {
        let hexpart = name.strip_prefix("sha256:").unwrap_or(name);
        if name.starts_with("sha256:") {
            let all = self.images.images()?;
            let found = ids::match_prefix(all.iter().map(|r| r.hex()), hexpart, "image")?;
            return Ok(found.and_then(|h| all.into_iter().find(|r| r.hex() == h)));
        }
        if let Ok(r) = Reference::parse(name) {
            if r.digest.is_some() {
                let key = r.with_digest(r.digest.as_deref().unwrap_or_default());
                let want = format!("{}@{}", key.name(), r.digest.as_deref().unwrap_or_default());
                for rec in self.images.images()? {
                    if rec.repo_digests.contains(&want) {
                        return Ok(Some(rec));
                    }
                }
                return Ok(None);
            }
            let tagged = Reference::parse_tagged(name)?;
            if let Some(id) = repos.tags.get(&tagged.to_string()) {
                if let Some(rec) = self.images.image(id)? {
                    return Ok(Some(rec));
                }
            }
        }
        if ids::is_id_prefix(hexpart) {
            let all = self.images.images()?;
            let found = ids::match_prefix(all.iter().map(|r| r.hex()), hexpart, "image")?;
            return Ok(found.and_then(|h| all.into_iter().find(|r| r.hex() == h)));
        }
        Ok(None)
    }

    /// The parsed config of an image.
    pub fn image_config(&self, rec: &ImageRecord) -> Result<ImageConfig> {
        let bytes = self.images.read_blob(&rec.id)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::Other(format!("parsing config of image {}: {e}", rec.id)))
    }

    pub(super) fn summarize(&self, rec: ImageRecord, repos: &Repositories) -> Result<ImageSummary> {
        let config = self.image_config(&rec)?;
        let tags = repos
            .tags_of(&rec.id)
            .iter()
            .filter_map(|t| Reference::parse(t).ok())
            .collect();
        let created = config.created.as_deref().and_then(time::parse_rfc3339);
        Ok(ImageSummary {
            record: rec,
            config,
            tags,
            created,
        })
    }

    /// `images`: every image, newest first, filtered.
    pub fn list_images(
        &self,
        filters: &[ImageFilter],
        reference: Option<&str>,
    ) -> Result<Vec<ImageSummary>> {
        let repos = self.images.repositories()?;
        let mut out = Vec::new();
        for rec in self.images.images()? {
            out.push(self.summarize(rec, &repos)?);
        }
        let mut filters = filters.to_vec();
        if let Some(r) = reference {
            filters.push(ImageFilter::Reference(r.to_owned()));
        }
        let bound = |name: &str| -> Result<Option<time::UnixNanos>> {
            let rec = self.image_lookup(name)?;
            Ok(out
                .iter()
                .find(|s| s.record.id == rec.id)
                .and_then(|s| s.created))
        };
        let mut before = None;
        let mut since = None;
        for f in &filters {
            match f {
                ImageFilter::Before(n) => before = bound(n)?,
                ImageFilter::Since(n) => since = bound(n)?,
                _ => {}
            }
        }
        out.retain_mut(|s| {
            filters.iter().all(|f| match f {
                ImageFilter::Dangling(d) => s.dangling() == *d,
                ImageFilter::Label(k, v) => {
                    let labels = s.labels();
                    match v {
                        Some(v) => labels.get(k) == Some(v),
                        None => labels.contains_key(k),
                    }
                }
                ImageFilter::Reference(pat) => {
                    let keep: Vec<Reference> = s
                        .tags
                        .iter()
                        .filter(|t| {
                            glob::path_match(pat, &t.familiar())
                                || glob::path_match(pat, &t.familiar_name())
                        })
                        .cloned()
                        .collect();
                    let any = !keep.is_empty();
                    if any {
                        s.tags = keep;
                    }
                    any
                }
                ImageFilter::Before(_) => {
                    matches!((s.created, before), (Some(c), Some(b)) if c < b)
                }
                ImageFilter::Since(_) => matches!((s.created, since), (Some(c), Some(b)) if c > b),
            })
        });
        out.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then_with(|| a.record.id.cmp(&b.record.id))
        });
        Ok(out)
    }

    /// `tag SOURCE TARGET`.
    pub fn tag_image(&self, source: &str, target: &str) -> Result<()> {
        let target = Reference::parse_tagged(target)?;
        if target.digest.is_some() {
            return Err(Error::InvalidArgument(format!(
                "refusing to create a tag with a digest reference: {}",
                target.familiar()
            )));
        }
        let _g = self.images.lock()?;
        let repos = self.images.repositories()?;
        let rec = self
            .lookup_in(&repos, source)?
            .ok_or_else(|| no_such_image(source))?;
        let mut repos = repos;
        repos.tags.insert(target.to_string(), rec.id.clone());
        self.images.put_repositories(&repos)?;
        let mut rec = rec;
        rec.last_tag_time = Some(time::now());
        self.images.put_image(&rec)
    }

    /// `rmi NAME`: untag, and delete the image once no tag is left.
    pub fn remove_image(&self, name: &str, force: bool) -> Result<Vec<RemoveEvent>> {
        let _g = self.images.lock()?;
        let mut repos = self.images.repositories()?;
        let rec = self
            .lookup_in(&repos, name)?
            .ok_or_else(|| no_such_image(name))?;
        let tags = repos.tags_of(&rec.id);
        let mut events = Vec::new();
        // By tag: drop just that tag while others remain.
        let by_tag = Reference::parse_tagged(name)
            .ok()
            .filter(|r| r.digest.is_none() && tags.contains(&r.to_string()));
        if let Some(r) = by_tag {
            if tags.len() > 1 {
                repos.tags.remove(&r.to_string());
                self.images.put_repositories(&repos)?;
                return Ok(vec![RemoveEvent::Untagged(r.familiar())]);
            }
            // docker's daemon: the last reference of an image a container
            // uses (running or not) needs force, and says so by name.
            if !force {
                if let Some(c) = self.containers_using_image(&rec.id)?.first() {
                    return Err(Error::Conflict(format!(
                        "conflict: unable to remove repository reference {name:?} (must force) - container {} is using its referenced image {}",
                        &c.id()[..12],
                        &rec.hex()[..12]
                    )));
                }
            }
        } else if tags.len() > 1 && !force {
            return Err(Error::Conflict(format!(
                "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                &rec.hex()[..12]
            )));
        }
        // An image a container was made from stays while the container does.
        let in_use = self.check_image_users(&rec, force)?;
        for t in &tags {
            repos.tags.remove(t);
            if let Ok(r) = Reference::parse(t) {
                events.push(RemoveEvent::Untagged(r.familiar()));
            }
        }
        if in_use {
            // Forced with only stopped users: untag, keep the image for them.
            self.images.put_repositories(&repos)?;
            return Ok(events);
        }
        for d in &rec.repo_digests {
            if let Ok(r) = Reference::parse(d) {
                events.push(RemoveEvent::Untagged(r.familiar()));
            }
        }
        let collected = self.delete_untagged(&repos, &rec)?;
        events.push(RemoveEvent::Deleted(rec.id.clone()));
        events.extend(collected.into_iter().map(RemoveEvent::Deleted));
        Ok(events)
    }

    /// Whether containers use the image (then `rmi` only untags it, and
    /// only when forced and none of them is running).
    fn check_image_users(&self, rec: &ImageRecord, force: bool) -> Result<bool> {
        let Some(c) = self.containers_using_image(&rec.id)?.into_iter().next() else {
            return Ok(false);
        };
        let short = &rec.hex()[..12];
        let cid = &c.id()[..12];
        let running = super::liveness::process_alive(c.state.pid, c.state.pid_start_time)
            && c.state.is_running();
        if !force || running {
            let (how, state) = if running {
                ("cannot be forced", "running")
            } else {
                ("must be forced", "stopped")
            };
            return Err(Error::Conflict(format!(
                "conflict: unable to delete {short} ({how}) - image is being used by {state} container {cid}"
            )));
        }
        Ok(true)
    }

    /// Write the tag list without the image's tags, delete the image and
    /// collect its layers: the removed layer chain ids.
    fn delete_untagged(&self, repos: &Repositories, rec: &ImageRecord) -> Result<Vec<String>> {
        match self.images.put_repositories(repos) {
            Ok(()) => {
                self.images.remove_image(&rec.id)?;
                self.collect_garbage()
            }
            // A full disk has no room for the new tag list: the image goes
            // first (its record, layers and blobs make the room), then its
            // tags. A crash in between leaves tags naming no image, which
            // lookups take as no image and a pull or tag overwrites.
            Err(e) if e.is_out_of_space() => {
                self.images.remove_image(&rec.id)?;
                let removed = self.collect_garbage()?;
                self.images.put_repositories(repos)?;
                Ok(removed)
            }
            Err(e) => Err(e),
        }
    }

    /// Remove layers and blobs no image refers to and no live lease (an
    /// unfinished pull) holds; returns removed layer chain ids.
    /// Call while holding the image store lock.
    pub(super) fn collect_garbage(&self) -> Result<Vec<String>> {
        let images = self.images.images()?;
        let mut keep_layers = HashSet::new();
        let mut keep_blobs = HashSet::new();
        for lease in self.images.live_leases()? {
            keep_blobs.extend(lease.blobs);
            keep_layers.extend(lease.layers);
        }
        // The build cache's layers, and their stored tars.
        for l in super::build::cache::held_layers(self) {
            keep_layers.insert(l.chain_id);
            keep_blobs.extend(l.blob);
        }
        for rec in &images {
            keep_blobs.insert(rec.id.clone());
            if let Some(m) = &rec.manifest_digest {
                keep_blobs.insert(m.clone());
            }
            for l in &rec.layers {
                keep_layers.insert(l.chain_id.clone());
                if let Some(b) = &l.blob {
                    keep_blobs.insert(b.clone());
                }
            }
        }
        self.images.clean_removed_layers();
        let mut removed = Vec::new();
        // Top-down so a half-done GC never leaves a child without its parent.
        let mut doomed: Vec<String> = self
            .images
            .layers()?
            .into_iter()
            .filter(|c| !keep_layers.contains(c))
            .collect();
        doomed.reverse();
        for chain in doomed {
            let Ok(_g) = self.images.lock_layer(&chain) else {
                continue;
            };
            self.images.remove_layer(&chain)?;
            removed.push(chain);
        }
        for b in self.images.blobs()? {
            if !keep_blobs.contains(&b) {
                self.images.remove_blob(&b)?;
            }
        }
        Ok(removed)
    }

    /// `image prune`: dangling images, or with `all` every image (no
    /// containers exist yet to keep one alive).
    pub fn prune_images(&self, all: bool, filters: &[ImageFilter]) -> Result<PruneReport> {
        {
            let _g = self.images.lock()?;
            self.images.clean_leftovers()?;
        }
        let doomed = self.list_images(filters, None)?;
        let mut report = PruneReport::default();
        let used: HashSet<String> = self
            .container_store()
            .all()?
            .into_iter()
            .map(|c| c.config.image_id)
            .collect();
        for s in doomed {
            if (!all && !s.dangling()) || used.contains(&s.record.id) {
                continue;
            }
            let events = self.remove_image(&s.record.id, true)?;
            report.reclaimed += s.record.size;
            report.events.extend(events);
        }
        Ok(report)
    }

    /// `history`: newest first.
    pub fn image_history(&self, name: &str) -> Result<Vec<HistoryEntry>> {
        let rec = self.image_lookup(name)?;
        let repos = self.images.repositories()?;
        let s = self.summarize(rec, &repos)?;
        let mut sizes = s.record.layers.iter().map(|l| l.size);
        let mut out: Vec<HistoryEntry> = Vec::new();
        if s.config.history.is_empty() {
            for l in &s.record.layers {
                out.push(HistoryEntry {
                    id: None,
                    created: s.created,
                    created_by: String::new(),
                    size: l.size,
                    comment: String::new(),
                    tags: Vec::new(),
                });
            }
        }
        for h in &s.config.history {
            let size = if h.empty_layer {
                0
            } else {
                sizes.next().unwrap_or(0)
            };
            out.push(HistoryEntry {
                id: None,
                created: h.created.as_deref().and_then(time::parse_rfc3339),
                created_by: h.created_by.clone().unwrap_or_default(),
                size,
                comment: h.comment.clone().unwrap_or_default(),
                tags: Vec::new(),
            });
        }
        out.reverse();
        if let Some(top) = out.first_mut() {
            top.id = Some(s.record.id.clone());
            top.tags = s.tags.iter().map(Reference::familiar).collect();
        }
        Ok(out)
    }

    /// Resolve names for `save`: (record, the familiar tags to write).
    pub fn images_for_save(&self, names: &[String]) -> Result<Vec<(ImageRecord, Vec<String>)>> {
        let repos = self.images.repositories()?;
        let mut out: Vec<(ImageRecord, Vec<String>)> = Vec::new();
        for name in names {
            // docker's save names a missing image as given.
            let rec = self
                .lookup_in(&repos, name)?
                .ok_or_else(|| Error::NotFound(format!("No such image: {name}")))?;
            let tags: Vec<String> = match Reference::parse_tagged(name) {
                Ok(r) if r.digest.is_none() && repos.tags.get(&r.to_string()) == Some(&rec.id) => {
                    vec![r.familiar()]
                }
                _ if ids::is_id_prefix(name.strip_prefix("sha256:").unwrap_or(name)) => Vec::new(),
                _ => repos
                    .tags_of(&rec.id)
                    .iter()
                    .filter_map(|t| Reference::parse(t).ok())
                    .map(|r| r.familiar())
                    .collect(),
            };
            match out.iter_mut().find(|(r, _)| r.id == rec.id) {
                Some((_, t)) => t.extend(tags),
                None => out.push((rec, tags)),
            }
        }
        Ok(out)
    }

    /// `save`: write a docker-archive (also an OCI layout) of `names` to `out`.
    pub fn save_images(&self, names: &[String], out: &mut dyn std::io::Write) -> Result<()> {
        let images = self.images_for_save(names)?;
        crate::image::archive::save(&self.images, &images, out)
    }

    /// `load`: read a docker-archive or OCI archive; returns what was loaded
    /// (familiar tags, or `sha256:` ids for untagged images).
    pub fn load_images(&self, input: &mut dyn std::io::Read) -> Result<Vec<String>> {
        // Held until the records are written: GC leaves what load stores.
        let mut lease = self.images.lease([], [])?;
        let loaded =
            crate::image::archive::load(&self.images, input, &self.unpack_options()?, &mut lease)?;
        let _g = self.images.lock()?;
        let mut repos = self.images.repositories()?;
        let mut out = Vec::new();
        for (rec, tags) in loaded {
            let existing = self.images.image(&rec.id)?;
            if existing.is_none() {
                self.images.put_image(&rec)?;
            }
            if tags.is_empty() {
                out.push(rec.id.clone());
            }
            for t in tags {
                let r = Reference::parse_tagged(&t)?;
                repos.tags.insert(r.to_string(), rec.id.clone());
                out.push(r.familiar());
            }
        }
        self.images.put_repositories(&repos)?;
        Ok(out)
    }

    /// Counts for `info`.
    pub fn image_count(&self) -> Result<usize> {
        Ok(self.images.images()?.len())
    }
}

impl crate::image::store::ImageStore {
    /// Lower dirs of an image, top first (overlay's lowerdir order).
    pub fn layer_dir_paths(&self, rec: &ImageRecord) -> Vec<String> {
        rec.layers
            .iter()
            .rev()
            .filter_map(|l| self.layer_dir(&l.chain_id).ok())
            .map(|p| p.join("diff").display().to_string())
            .collect()
    }
}

/// Unique tag names, for messages.
pub fn familiar_tags(tags: &[Reference]) -> BTreeSet<String> {
    tags.iter().map(Reference::familiar).collect()
}

impl Engine {
    /// `save -o FILE`: written to a temp file beside FILE, renamed when complete.
    pub fn save_images_to(&self, names: &[String], path: &std::path::Path) -> Result<()> {
        let images = self.images_for_save(names)?;
        crate::state::atomic::write_with(path, |f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            crate::image::archive::save(&self.images, &images, &mut w)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            std::io::Write::flush(&mut w)
        })
    }

    /// `load -i FILE`.
    pub fn load_images_from(&self, path: &std::path::Path) -> Result<Vec<String>> {
        // docker prints Go's error as it is.
        let f = std::fs::File::open(path).map_err(|e| {
            let why = crate::runtime::error::go_text(&e);
            Error::Raw(format!("open {}: {why}", path.display()))
        })?;
        let mut r = std::io::BufReader::with_capacity(1 << 20, f);
        self.load_images(&mut r)
    }
}
