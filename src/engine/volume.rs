//! Volumes: `volume create/ls/inspect/rm/prune`, and what a container's
//! mount flags come to at create (volumes made, bind sources checked or
//! made, everything resolved into `MountPoint`s).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::mounts::{self, Spec};
use super::Engine;
use crate::engine::container::CreateOptions;
use crate::error::{Error, Result};
use crate::state::lock::LockGuard;
use crate::state::mounts::{MountPoint, MountType};
use crate::state::volume::{self, Volume, ANONYMOUS_LABEL};
use crate::util::time;

/// `volume create`.
#[derive(Debug, Clone, Default)]
pub struct VolumeCreate {
    pub name: Option<String>,
    pub driver: Option<String>,
    pub options: Vec<String>,
    pub labels: Vec<String>,
}

/// `volume ls` filters.
#[derive(Debug, Clone)]
pub enum VolumeFilter {
    Dangling(bool),
    Name(String),
    Label(String, Option<String>),
    Driver(String),
}

impl VolumeFilter {
    pub fn parse(s: &str) -> Result<VolumeFilter> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            Error::InvalidArgument(format!("bad format of filter (expected name=value): {s}"))
        })?;
        Ok(match k {
            "dangling" => match crate::util::units::parse_go_bool(v) {
                Some(b) => VolumeFilter::Dangling(b),
                None => {
                    return Err(Error::InvalidArgument(format!(
                        "invalid filter 'dangling={v}'"
                    )))
                }
            },
            "name" => VolumeFilter::Name(v.to_owned()),
            "driver" => VolumeFilter::Driver(v.to_owned()),
            "label" => match v.split_once('=') {
                Some((k, v)) => VolumeFilter::Label(k.to_owned(), Some(v.to_owned())),
                None => VolumeFilter::Label(v.to_owned(), None),
            },
            _ => return Err(Error::InvalidArgument(format!("Invalid filter '{k}'"))),
        })
    }

    fn matches(&self, v: &Volume, used: bool) -> bool {
        match self {
            VolumeFilter::Dangling(d) => used != *d,
            VolumeFilter::Name(n) => v.name.contains(n.as_str()),
            VolumeFilter::Driver(d) => v.driver == *d,
            VolumeFilter::Label(k, want) => match (v.labels.get(k), want) {
                (Some(_), None) => true,
                (Some(have), Some(w)) => have == w,
                (None, _) => false,
            },
        }
    }
}

/// A listed volume and whether a container uses it.
#[derive(Debug, Clone)]
pub struct VolumeEntry {
    pub volume: Volume,
    pub mountpoint: PathBuf,
    pub in_use: bool,
}

fn kv_list(list: &[String]) -> BTreeMap<String, String> {
    list.iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (s.clone(), String::new()),
        })
        .collect()
}

fn no_such_volume(name: &str) -> Error {
    Error::NotFound(format!("get {name}: no such volume"))
}

fn check_driver(driver: Option<&str>) -> Result<()> {
    match driver {
        None | Some("" | "local") => Ok(()),
        Some(d) => Err(Error::InvalidArgument(format!(
            "error looking up volume plugin {d}: plugin \"{d}\" not found"
        ))),
    }
}

fn bad_name(name: &str) -> Error {
    Error::InvalidArgument(format!(
        "create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
    ))
}

impl Engine {
    /// Makes (or returns the existing) volume; call with the shared lock.
    fn make_volume(
        &self,
        name: Option<&str>,
        labels: BTreeMap<String, String>,
        options: BTreeMap<String, String>,
    ) -> Result<Volume> {
        let name = match name {
            Some(n) if !volume::valid_name(n) => return Err(bad_name(n)),
            Some(n) => n.to_owned(),
            None => crate::state::ids::new_id(),
        };
        if let Some(v) = self.volumes.load(&name)? {
            return Ok(v);
        }
        mounts::check_driver_options(&options)
            .map_err(|e| Error::InvalidArgument(format!("create {name}: {e}")))?;
        self.volumes.create(&Volume {
            name,
            driver: "local".into(),
            created: time::now(),
            labels,
            options,
        })
    }

    /// `volume create`: a name of an existing volume gives that volume.
    pub fn volume_create(&self, o: &VolumeCreate) -> Result<Volume> {
        check_driver(o.driver.as_deref())?;
        let _g = self.volumes.lock_shared()?;
        self.make_volume(o.name.as_deref(), kv_list(&o.labels), kv_list(&o.options))
    }

    pub fn volume_mountpoint(&self, name: &str) -> PathBuf {
        self.volumes.data(name)
    }

    pub fn volume_inspect(&self, name: &str) -> Result<Volume> {
        self.volumes.load(name)?.ok_or_else(|| no_such_volume(name))
    }

    /// `volume ls`, by name.
    pub fn volume_list(&self, filters: &[VolumeFilter]) -> Result<Vec<VolumeEntry>> {
        let configs: Vec<_> = self
            .containers
            .all()?
            .into_iter()
            .map(|c| c.config)
            .collect();
        Ok(self
            .volumes
            .list()?
            .into_iter()
            .map(|v| VolumeEntry {
                in_use: configs.iter().any(|c| c.uses_volume(&v.name)),
                mountpoint: self.volumes.data(&v.name),
                volume: v,
            })
            .filter(|e| filters.iter().all(|f| f.matches(&e.volume, e.in_use)))
            .collect())
    }

    /// `volume rm`: a volume a container uses (running or not) stays, with
    /// docker's error, even with `force` (docker's `-f` only forgives a
    /// missing volume).
    pub fn volume_remove(&self, name: &str) -> Result<()> {
        let _g = self.volumes.lock_exclusive()?;
        if self.volumes.load(name)?.is_none() {
            return Err(no_such_volume(name));
        }
        let users = self.volumes.users(&self.containers, name)?;
        if !users.is_empty() {
            return Err(Error::Conflict(format!(
                "remove {name}: volume is in use - [{}]",
                users.join(", ")
            )));
        }
        self.volumes.remove(name)?;
        Ok(())
    }

    /// `volume prune`: the unused volumes, only anonymous ones unless
    /// `all` (docker 23+); returns their names and the bytes freed.
    pub fn volume_prune(
        &self,
        all: bool,
        filters: &[super::prune::PruneFilter],
    ) -> Result<(Vec<String>, u64)> {
        let _g = self.volumes.lock_exclusive()?;
        let configs: Vec<_> = self
            .containers
            .all()?
            .into_iter()
            .map(|c| c.config)
            .collect();
        let mut removed = Vec::new();
        let mut bytes = 0;
        for v in self.volumes.list()? {
            if (!all && !v.is_anonymous())
                || configs.iter().any(|c| c.uses_volume(&v.name))
                || !super::prune::all_match(filters, &v.labels, v.created)
            {
                continue;
            }
            bytes += self.volumes.remove(&v.name)?;
            removed.push(v.name);
        }
        Ok((removed, bytes))
    }

    /// `rm -v`: the container's anonymous volumes no other container uses.
    pub(super) fn remove_anonymous_volumes(
        &self,
        c: &crate::state::container::ContainerConfig,
    ) -> Result<()> {
        for dir in self.volumes.release_anonymous(&self.containers, c)? {
            crate::util::tree::remove_tree(&dir).map_err(|e| Error::io("removing", &dir, e))?;
        }
        Ok(())
    }

    /// Every mount flag of a create, resolved: volumes made (anonymous
    /// ones named), bind sources checked (`--mount`) or made (`-v`), the
    /// image's VOLUMEs added where nothing else is mounted. The returned
    /// lock (held while volumes are used) must live until the container's
    /// config is written.
    pub(super) fn resolve_mounts(
        &self,
        o: &CreateOptions,
        image_volumes: &[String],
    ) -> Result<(Vec<MountPoint>, Option<LockGuard>)> {
        let mut specs: Vec<Spec> = Vec::new();
        for b in &o.binds {
            specs.push(mounts::parse_volume_flag(b, std::path::Path::new("/"))?);
        }
        for m in &o.mounts {
            specs.push(mounts::spec_of_request(m)?);
        }
        for t in &o.tmpfs {
            specs.push(mounts::parse_tmpfs_flag(t)?);
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(d) = specs.iter().find(|s| !seen.insert(s.target.clone())) {
            return Err(Error::InvalidArgument(format!(
                "Duplicate mount point: {}",
                d.target
            )));
        }
        let mut points: BTreeMap<String, MountPoint> = BTreeMap::new();
        for from in &o.volumes_from {
            for p in self.volumes_from(from)? {
                points.insert(p.destination.clone(), p);
            }
        }
        for v in image_volumes {
            match mounts::clean_target(v) {
                Some(t) if !seen.contains(&t) && !points.contains_key(&t) => {
                    seen.insert(t.clone());
                    specs.push(mounts::parse_volume_flag(&t, std::path::Path::new("/"))?)
                }
                _ => {}
            }
        }
        let lock = if specs.iter().any(|s| s.kind == MountType::Volume) {
            Some(self.volumes.lock_shared()?)
        } else {
            None
        };
        for s in specs {
            let p = self.mount_point(s)?;
            points.insert(p.destination.clone(), p);
        }
        Ok((points.into_values().collect(), lock))
    }

    /// One spec, made real.
    fn mount_point(&self, s: Spec) -> Result<MountPoint> {
        let mut p = MountPoint {
            kind: s.kind,
            name: String::new(),
            source: PathBuf::new(),
            destination: s.target.clone(),
            mode: s.mode.clone(),
            rw: !s.read_only,
            propagation: String::new(),
            copy_data: false,
            non_recursive: s.non_recursive,
            anonymous: false,
            driver_options: BTreeMap::new(),
            tmpfs_options: Vec::new(),
            from_tmpfs_flag: false,
        };
        match s.kind {
            MountType::Bind => {
                p.source = PathBuf::from(&s.source);
                p.propagation = if s.propagation.is_empty() {
                    "rprivate".into()
                } else {
                    s.propagation
                };
                check_bind_source(&p.source, s.create_source)?;
            }
            MountType::Volume => {
                let anonymous = s.source.is_empty();
                let mut labels = s.labels;
                if anonymous {
                    labels.insert(ANONYMOUS_LABEL.into(), String::new());
                }
                let name = (!anonymous).then_some(s.source.as_str());
                let v = self.make_volume(name, labels, s.driver_options)?;
                p.source = self.volumes.data(&v.name);
                p.name = v.name;
                p.anonymous = anonymous;
                p.copy_data = !s.no_copy;
                p.driver_options = v.options;
            }
            MountType::Tmpfs => {
                p.tmpfs_options = s.tmpfs_options;
                p.from_tmpfs_flag = s.tmpfs_flag;
                p.mode = String::new();
            }
        }
        Ok(p)
    }

    /// `--volumes-from ctr[:ro|rw]`: its volumes and binds (not its
    /// tmpfs mounts), with the mode said.
    fn volumes_from(&self, value: &str) -> Result<Vec<MountPoint>> {
        let (name, rw) = mounts::parse_volumes_from(value)?;
        let c = self.container_lookup(&name)?;
        Ok(c.config
            .mount_points
            .into_iter()
            .filter(|p| p.kind != MountType::Tmpfs)
            .map(|mut p| {
                if let Some(rw) = rw {
                    p.rw = rw;
                }
                p
            })
            .collect())
    }
}

/// A bind's source: made when missing (`-v`, as docker's daemon does), or
/// docker's error (`--mount`).
fn check_bind_source(src: &std::path::Path, create: bool) -> Result<()> {
    match std::fs::metadata(src) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            std::fs::create_dir_all(src).map_err(|e| Error::io("creating", src, e))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::InvalidArgument(format!(
            "invalid mount config for type \"bind\": bind source path does not exist: {}",
            src.display()
        ))),
        Err(e) => Err(Error::io("reading", src, e)),
    }
}
