//! Volumes on disk, one directory each, in docker's layout:
//! ```text
//! <root>/volumes/<name>/_data          the volume's content (its Mountpoint)
//! <root>/volumes/<name>/volume.json    Volume
//! <root>/volumes/.tmp-<hex>/           a volume being made (renamed into place)
//! <root>/volumes/.rm-<hex>/            a volume being removed
//! <root>/volumes/.lock                  flock: shared to make or use a volume,
//!                                      exclusive to remove one
//! ```
//! A volume appears whole or not at all: it is made in a temp dir and
//! renamed to its name (a rename onto an existing volume fails, and the
//! existing one is used). It is removed by a rename to `.rm-*` first. A
//! container's use of a volume is its config (`mount_points`): `create`
//! holds the lock shared until that config is written, and a removal
//! holds it exclusively while it looks for users, so a volume is never
//! removed under a container being made with it. Dot-names are never
//! volumes (a volume name starts with a letter or digit); what a killed
//! command left under them is removed by the next exclusive holder.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::state::atomic;
use crate::state::container::{ContainerConfig, ContainerStore};
use crate::state::lock::LockGuard;
use crate::util::time::UnixNanos;

/// docker's label on the volumes it makes for a container (`-v /path`,
/// an image's VOLUME), which `volume prune` removes without `-a`.
pub const ANONYMOUS_LABEL: &str = "com.docker.volume.anonymous";

/// A stored volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub name: String,
    /// Always `local`.
    pub driver: String,
    pub created: UnixNanos,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The local driver's `-o` options (`type`, `device`, `o`).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

impl Volume {
    /// Made for a container, not by name (docker's anonymous label).
    pub fn is_anonymous(&self) -> bool {
        self.labels.contains_key(ANONYMOUS_LABEL)
    }
}

/// docker's rule for a local volume's name: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(c))
}

/// The volumes directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VolumeStore {
    dir: PathBuf,
}

impl VolumeStore {
    pub fn new(root: &Path) -> VolumeStore {
        VolumeStore {
            dir: root.join("volumes"),
        }
    }

    fn ensure_dir(&self) -> Result<()> {
        match fs::DirBuilder::new().mode(0o700).create(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&self.dir).ctx("creating", &self.dir)?;
                fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
                    .ctx("setting the mode of", &self.dir)
            }
            Err(e) => Err(Error::io("creating", &self.dir, e)),
        }
    }

    /// The lock for making or using volumes (shared).
    pub fn lock_shared(&self) -> Result<LockGuard> {
        self.ensure_dir()?;
        LockGuard::shared(&self.dir.join(".lock"))
    }

    /// The lock for removing volumes (exclusive). What killed commands
    /// left (`.tmp-*`, `.rm-*`) is removed on the way: no one else is at
    /// work.
    pub fn lock_exclusive(&self) -> Result<LockGuard> {
        self.ensure_dir()?;
        let g = LockGuard::exclusive(&self.dir.join(".lock"))?;
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let n = e.file_name();
                let n = n.to_string_lossy();
                if n.starts_with(".tmp-") || n.starts_with(".rm-") {
                    let _ = crate::util::tree::remove_tree(e.path());
                }
            }
        }
        Ok(g)
    }

    /// A volume's directory.
    pub fn dir(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A volume's content (docker's `Mountpoint`).
    pub fn data(&self, name: &str) -> PathBuf {
        self.dir.join(name).join("_data")
    }

    pub fn load(&self, name: &str) -> Result<Option<Volume>> {
        if !valid_name(name) {
            return Ok(None);
        }
        let path = self.dir(name).join("volume.json");
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| Error::Other(format!("reading {}: {e}", path.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(None),
            Err(e) => Err(Error::io("reading", &path, e)),
        }
    }

    /// Makes `v` (call with a lock held); when a volume of that name
    /// exists already, returns that one instead (docker's `volume
    /// create` of an existing name succeeds).
    pub fn create(&self, v: &Volume) -> Result<Volume> {
        if let Some(old) = self.load(&v.name)? {
            return Ok(old);
        }
        self.ensure_dir()?;
        let tmp = self
            .dir
            .join(format!(".tmp-{}", &crate::state::ids::new_id()[..16]));
        let made = (|| -> Result<()> {
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&tmp)
                .ctx("creating", &tmp)?;
            let data = tmp.join("_data");
            fs::DirBuilder::new()
                .mode(0o755)
                .create(&data)
                .ctx("creating", &data)?;
            fs::set_permissions(&data, fs::Permissions::from_mode(0o755))
                .ctx("setting the mode of", &data)?;
            atomic::write_json(&tmp.join("volume.json"), v)?;
            atomic::sync_dir(&tmp)
        })();
        if let Err(e) = made {
            let _ = crate::util::tree::remove_tree(&tmp);
            return Err(e);
        }
        let to = self.dir(&v.name);
        match fs::rename(&tmp, &to) {
            Ok(()) => {
                atomic::sync_dir(&self.dir)?;
                Ok(v.clone())
            }
            Err(e) => {
                let _ = crate::util::tree::remove_tree(&tmp);
                // Made meanwhile by another command: that one is it.
                match self.load(&v.name)? {
                    Some(old) => Ok(old),
                    None => Err(Error::io("creating", &to, e)),
                }
            }
        }
    }

    /// Every volume, by name.
    pub fn list(&self) -> Result<Vec<Volume>> {
        let mut out = Vec::new();
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io("reading", &self.dir, e)),
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(v) = self.load(&name)? {
                out.push(v);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Removes a volume (call with the exclusive lock held): it leaves
    /// the view in one rename, then its files go. Returns the bytes its
    /// content held.
    pub fn remove(&self, name: &str) -> Result<u64> {
        let Some(to) = self.remove_deferred(name)? else {
            return Ok(0);
        };
        let size = crate::util::tree::disk_usage(&to.join("_data"));
        crate::util::tree::remove_tree(&to).ctx("removing", &to)?;
        Ok(size)
    }

    /// Takes a volume out of view (one rename, under the exclusive lock)
    /// and returns where its files wait for [`crate::util::tree::remove_tree`]
    /// (the next exclusive holder removes them if no one does); `None` when
    /// it was gone.
    pub fn remove_deferred(&self, name: &str) -> Result<Option<PathBuf>> {
        if !valid_name(name) {
            return Ok(None);
        }
        let dir = self.dir(name);
        let to = self
            .dir
            .join(format!(".rm-{}", &crate::state::ids::new_id()[..16]));
        match fs::rename(&dir, &to) {
            Ok(()) => Ok(Some(to)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("removing", &dir, e)),
        }
    }

    /// The ids of the containers whose mounts use volume `name`.
    pub fn users(&self, containers: &ContainerStore, name: &str) -> Result<Vec<String>> {
        Ok(containers
            .all()?
            .into_iter()
            .filter(|c| c.config.uses_volume(name))
            .map(|c| c.config.id)
            .collect())
    }

    /// `rm -v`, `run --rm`: takes the anonymous volumes of the removed
    /// container `c` that no other container uses out of view; returns
    /// their dirs, to purge.
    pub fn release_anonymous(
        &self,
        containers: &ContainerStore,
        c: &ContainerConfig,
    ) -> Result<Vec<PathBuf>> {
        let names: Vec<&str> = c
            .mount_points
            .iter()
            .filter(|m| m.anonymous)
            .map(|m| m.name.as_str())
            .collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let _g = self.lock_exclusive()?;
        let others: Vec<ContainerConfig> = containers
            .all()?
            .into_iter()
            .map(|o| o.config)
            .filter(|o| o.id != c.id)
            .collect();
        let mut out = Vec::new();
        for n in names {
            if others.iter().any(|o| o.uses_volume(n)) {
                continue;
            }
            out.extend(self.remove_deferred(n)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(name: &str) -> Volume {
        Volume {
            name: name.into(),
            driver: "local".into(),
            created: 1,
            labels: BTreeMap::new(),
            options: BTreeMap::new(),
        }
    }

    #[test]
    fn names_follow_dockers_rule() {
        for ok in ["ab", "a1", "data_1.x-y", "0a"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["a", "", "_a", ".a", "-a", "a/b", "x!", "a b", "é1"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn create_is_whole_or_the_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let s = VolumeStore::new(dir.path());
        let _g = s.lock_shared().unwrap();
        let v = s.create(&vol("data")).unwrap();
        assert_eq!(v.name, "data");
        assert!(s.data("data").is_dir());
        let mut other = vol("data");
        other.labels.insert("a".into(), "b".into());
        // The existing volume is returned, not replaced.
        assert_eq!(s.create(&other).unwrap(), v);
        assert_eq!(s.list().unwrap(), vec![v]);
        let mode = fs::metadata(s.dir("data")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(
            fs::metadata(s.data("data")).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }

    #[test]
    fn removal_cleans_leftovers_of_killed_commands() {
        let dir = tempfile::tempdir().unwrap();
        let s = VolumeStore::new(dir.path());
        {
            let _g = s.lock_shared().unwrap();
            s.create(&vol("gone")).unwrap();
        }
        fs::write(s.data("gone").join("f"), b"12345").unwrap();
        fs::create_dir_all(dir.path().join("volumes/.tmp-dead/_data")).unwrap();
        fs::create_dir_all(dir.path().join("volumes/.rm-dead/_data")).unwrap();
        let _g = s.lock_exclusive().unwrap();
        assert!(!dir.path().join("volumes/.tmp-dead").exists());
        assert!(!dir.path().join("volumes/.rm-dead").exists());
        assert!(s.remove("gone").unwrap() >= 5);
        assert_eq!(s.load("gone").unwrap(), None);
        assert_eq!(s.remove("gone").unwrap(), 0);
        assert!(s.list().unwrap().is_empty());
    }

    #[test]
    fn a_bad_name_is_never_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let s = VolumeStore::new(dir.path());
        assert_eq!(s.load("../x").unwrap(), None);
        assert_eq!(s.load(".tmp-x").unwrap(), None);
    }
}
