//! `skiff system check`: verifies the store and reports what is wrong;
//! with `repair`, fixes what it safely can. What a killed command leaves
//! (a name reserved for a container that was never written, a half
//! unpacked layer, a temp file, a container in the trash, a run dir of a
//! removed container, an endpoint of a removed container) is recognisable
//! and normal commands ignore it; this is where it is found and removed.
//! Objects another command is working on right now are left alone: their
//! locks are held (or, for a container being created, it is young).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Engine;
use crate::error::Result;
use crate::image::store::list_names;
use crate::state::lock::LockGuard;
use crate::state::{atomic, ids, names};

/// A create writes its dir and config.json within milliseconds; an
/// unlocked leftover (a dir without config.json, a name, a temp file)
/// older than this was left by a killed command.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(10);

/// One thing wrong with the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// What kind of object: container, name, image, tag, layer, network,
    /// volume, tempfile, trash, rundir.
    pub kind: &'static str,
    /// Which one (id, name, path).
    pub object: String,
    /// What is wrong.
    pub what: String,
    /// Whether `--repair` fixed it.
    pub repaired: bool,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.kind, self.object, self.what)?;
        if self.repaired {
            f.write_str(" (repaired)")?;
        }
        Ok(())
    }
}

struct Report {
    repair: bool,
    /// How old an unlocked leftover must be to count as abandoned.
    min_age: Duration,
    problems: Vec<Problem>,
}

impl Report {
    /// Records a problem; `fix` runs with `--repair` and says whether it
    /// worked.
    fn add(
        &mut self,
        kind: &'static str,
        object: impl Into<String>,
        what: impl Into<String>,
        fix: Option<&mut dyn FnMut() -> bool>,
    ) {
        let repaired = match fix {
            Some(f) if self.repair => f(),
            _ => false,
        };
        self.problems.push(Problem {
            kind,
            object: object.into(),
            what: what.into(),
            repaired,
        });
    }
}

fn older_than(path: &Path, age: Duration) -> bool {
    fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|d| d >= age)
}

fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect()
}

fn remove(path: &Path) -> bool {
    let r = if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        crate::util::tree::remove_tree(path)
    } else {
        fs::remove_file(path)
    };
    r.is_ok() || !path.exists()
}

impl Engine {
    /// Checks the whole store; with `repair`, fixes what it safely can.
    /// Every problem found is returned, repaired or not. Unlocked
    /// leftovers younger than `min_age` ([`ABANDONED_AFTER`] normally) may
    /// belong to a command still running and are left alone.
    pub fn system_check(&self, repair: bool, min_age: Duration) -> Result<Vec<Problem>> {
        let mut r = Report {
            repair,
            min_age,
            problems: Vec::new(),
        };
        self.check_temp_files(&mut r);
        self.check_containers(&mut r)?;
        self.check_names(&mut r)?;
        self.check_images(&mut r)?;
        self.check_layers(&mut r)?;
        self.check_leases(&mut r);
        self.check_networks(&mut r)?;
        self.check_volumes(&mut r)?;
        self.check_run_dirs(&mut r)?;
        self.check_cgroups(&mut r);
        Ok(r.problems)
    }

    /// Temp files of killed writers (`.*.tmp`): readers skip them; a live
    /// writer holds a lock on its own.
    fn check_temp_files(&self, r: &mut Report) {
        let root = self.opts.root.clone();
        let mut dirs = vec![
            root.clone(),
            root.join("images"),
            root.join("networks"),
            root.join("names"),
        ];
        for (name, path) in entries(&root.join("containers")) {
            if ids::is_full_id(&name) {
                dirs.push(path);
            }
        }
        for dir in dirs {
            for (name, path) in entries(&dir) {
                if !atomic::is_tmp(&name) {
                    continue;
                }
                let Ok(f) = fs::File::open(&path) else {
                    continue;
                };
                // A live writer's is locked (or, for a name's, young).
                if f.try_lock().is_err() || !older_than(&path, r.min_age) {
                    continue;
                }
                drop(f);
                r.add(
                    "tempfile",
                    path.display().to_string(),
                    "left by a writer that was killed",
                    Some(&mut || remove(&path)),
                );
            }
        }
    }

    fn check_containers(&self, r: &mut Report) -> Result<()> {
        let store = &self.containers;
        let cdir = self.opts.root.join("containers");
        for (id, path) in entries(&cdir) {
            if !ids::is_full_id(&id) {
                continue;
            }
            if !path.join("config.json").exists() {
                if !older_than(&path, r.min_age) {
                    continue; // a create in progress
                }
                let run = store.run_dir(&id);
                r.add(
                    "container",
                    id.clone(),
                    "has no config.json (a create that was killed)",
                    Some(&mut || {
                        // A create holding the container's lock is alive.
                        match LockGuard::try_exclusive(&path.join("lock")) {
                            Ok(Some(_g)) => remove(&path) && remove(&run),
                            _ => false,
                        }
                    }),
                );
                continue;
            }
            let c = match store.load(&id) {
                Ok(Some(c)) => c,
                Ok(None) => continue,
                Err(e) => {
                    r.add("container", id.clone(), e.to_string(), None);
                    continue;
                }
            };
            // Its name must point back at it.
            let name = c.name().to_owned();
            let names_dir = store.names_dir()?;
            match names::lookup(&names_dir, &name)? {
                Some(holder) if holder == id => {}
                Some(holder) => r.add(
                    "container",
                    id.clone(),
                    format!("its name {name:?} is reserved for {holder}"),
                    None,
                ),
                None => r.add(
                    "container",
                    id.clone(),
                    format!("its name {name:?} is not reserved"),
                    Some(&mut || names::reserve(&names_dir, &name, &id).unwrap_or(false)),
                ),
            }
            for lower in &c.config.lowers {
                if !lower.is_dir() {
                    r.add(
                        "container",
                        id.clone(),
                        format!("its image layer {} is missing", lower.display()),
                        None,
                    );
                }
            }
        }
        // What a killed rm left in the trash.
        for (name, path) in entries(&self.opts.root.join("trash")) {
            r.add(
                "trash",
                name,
                "a removed container's files were not purged",
                Some(&mut || remove(&path)),
            );
        }
        Ok(())
    }

    /// Name reservations whose container was never written (a killed
    /// create) or is gone.
    fn check_names(&self, r: &mut Report) -> Result<()> {
        let store = &self.containers;
        let dir = store.names_dir()?;
        for (name, _) in entries(&dir) {
            if name.starts_with('.') {
                continue;
            }
            let Some(id) = names::lookup(&dir, &name)? else {
                continue;
            };
            // A create or rename at work holds its reservation's lock.
            if store.holds(&id, &name) || names::in_progress(&dir, &name) {
                continue;
            }
            let what = if store.dir(&id).join("config.json").exists() {
                format!("reserved for {id}, which has another name")
            } else {
                format!("reserved for {id}, which does not exist")
            };
            r.add(
                "name",
                name.clone(),
                what,
                Some(&mut || names::release(&dir, &name, &id).is_ok()),
            );
        }
        Ok(())
    }

    fn check_images(&self, r: &mut Report) -> Result<()> {
        let images = self.image_store();
        for rec in images.images()? {
            for l in &rec.layers {
                let ok = images
                    .layer_dir(&l.chain_id)
                    .is_ok_and(|d| d.join("diff").is_dir());
                if !ok {
                    r.add(
                        "image",
                        rec.id.clone(),
                        format!("its layer {} is missing", l.chain_id),
                        None,
                    );
                }
            }
            if !images.has_blob(&rec.id) {
                r.add("image", rec.id.clone(), "its config blob is missing", None);
            }
        }
        let repos = images.repositories()?;
        let dangling: Vec<String> = repos
            .tags
            .iter()
            .filter(|(_, id)| images.image(id).ok().flatten().is_none())
            .map(|(t, _)| t.clone())
            .collect();
        for tag in dangling {
            r.add(
                "tag",
                tag.clone(),
                "names an image that does not exist",
                Some(&mut || {
                    let Ok(_g) = images.lock() else { return false };
                    let Ok(mut repos) = images.repositories() else {
                        return false;
                    };
                    if repos
                        .tags
                        .get(&tag)
                        .is_some_and(|id| images.image(id).ok().flatten().is_none())
                    {
                        repos.tags.remove(&tag);
                        return images.put_repositories(&repos).is_ok();
                    }
                    true
                }),
            );
        }
        Ok(())
    }

    /// Half-unpacked (`.tmp-*`) and half-removed (`.rm-*`) layer dirs, and
    /// layer dirs missing their contents.
    fn check_layers(&self, r: &mut Report) -> Result<()> {
        let images = self.image_store();
        let dir = self.opts.root.join("layers");
        // (Layer locks are files of this dir; the store makes it on use.)
        if !dir.exists() {
            return Ok(());
        }
        for (name, path) in entries(&dir) {
            if let Some(rest) = name.strip_prefix(".tmp-") {
                let hex = rest.split('-').next().unwrap_or_default();
                let lock = dir.join(format!(".{hex}.lock"));
                // The layer's lock held: a pull is unpacking it right now.
                let Ok(Some(_g)) = LockGuard::try_exclusive(&lock) else {
                    continue;
                };
                r.add(
                    "layer",
                    path.display().to_string(),
                    "a layer whose unpacking was killed",
                    Some(&mut || remove(&path)),
                );
            } else if name.starts_with(".rm-") && older_than(&path, r.min_age) {
                r.add(
                    "layer",
                    path.display().to_string(),
                    "a layer whose removal was killed",
                    Some(&mut || remove(&path)),
                );
            }
        }
        for chain in images.layers()? {
            let d = images.layer_dir(&chain)?;
            if !d.join("diff").is_dir() || images.layer_info(&chain).is_none() {
                r.add(
                    "layer",
                    chain.clone(),
                    "incomplete (no diff or layer.json)",
                    None,
                );
            }
        }
        Ok(())
    }

    /// Leases of pulls that were killed (their process is gone): garbage
    /// collection drops them too.
    fn check_leases(&self, r: &mut Report) {
        let dir = self.opts.root.join("leases");
        for (name, path) in entries(&dir) {
            if name.starts_with('.') {
                continue;
            }
            let live = fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<crate::image::store::LeaseRecord>(&b).ok())
                .is_some_and(|l| l.is_live());
            if !live {
                r.add(
                    "lease",
                    name,
                    "held by a pull that is gone",
                    Some(&mut || remove(&path)),
                );
            }
        }
    }

    /// Endpoints of containers that no longer exist (a killed rm).
    fn check_networks(&self, r: &mut Report) -> Result<()> {
        for n in self.networks.list()? {
            for id in n.endpoints.keys() {
                if self.containers.dir(id).join("config.json").exists()
                    || !older_than(&self.containers.dir(id), r.min_age)
                        && self.containers.dir(id).exists()
                {
                    continue;
                }
                let (net, id) = (n.name.clone(), id.clone());
                r.add(
                    "network",
                    net.clone(),
                    format!("holds an address for {id}, which does not exist"),
                    Some(&mut || self.networks.release(&net, &id).is_ok()),
                );
            }
        }
        Ok(())
    }

    /// Volumes half made or half removed by killed commands (`.tmp-*`,
    /// `.rm-*`), and containers that use a volume that is gone.
    fn check_volumes(&self, r: &mut Report) -> Result<()> {
        let dir = self.opts.root.join("volumes");
        for (name, path) in entries(&dir) {
            let what = if name.starts_with(".tmp-") {
                "a volume a killed command was making"
            } else if name.starts_with(".rm-") {
                "a volume a killed command was removing"
            } else {
                continue;
            };
            if older_than(&path, r.min_age) {
                r.add(
                    "volume",
                    path.display().to_string(),
                    what,
                    Some(&mut || remove(&path)),
                );
            }
        }
        for c in self.containers.all()? {
            for m in &c.config.mount_points {
                if m.kind == crate::state::mounts::MountType::Volume
                    && self.volumes.load(&m.name)?.is_none()
                {
                    r.add(
                        "container",
                        c.id(),
                        format!("uses volume {}, which does not exist", m.name),
                        None,
                    );
                }
            }
        }
        Ok(())
    }

    /// Container cgroups (beneath this process's own) of this store's
    /// containers that don't run: a start killed before it recorded them,
    /// or a monitor killed before its cleanup.
    fn check_cgroups(&self, r: &mut Report) {
        let mut by_id: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
        for (id, path) in crate::runtime::cgroups::own_leaves() {
            by_id.entry(id).or_default().push(path);
        }
        for (id, paths) in by_id {
            // Only this store's containers: another store (--root) on the
            // host has its own, which are not ours to judge.
            let dir = self.containers.dir(&id);
            if !dir.join("config.json").exists() {
                continue;
            }
            // One being started or stopped right now holds its lock.
            let Ok(Some(_guard)) = LockGuard::try_exclusive(&dir.join("lock")) else {
                continue;
            };
            let running = self.containers.load_state(&id).is_ok_and(|st| {
                st.is_running() && super::liveness::process_alive(st.pid, st.pid_start_time)
            });
            if running {
                continue;
            }
            r.add(
                "cgroup",
                paths[0].display().to_string(),
                format!("container {id} is not running"),
                Some(&mut || {
                    crate::runtime::cgroups::Cgroup::from_paths(paths.clone())
                        .destroy()
                        .is_ok()
                }),
            );
        }
    }

    /// Run dirs of containers that no longer exist (a killed rm or
    /// monitor).
    fn check_run_dirs(&self, r: &mut Report) -> Result<()> {
        let dir = self.opts.runroot.join("containers");
        for name in list_names(&dir)? {
            if !ids::is_full_id(&name) || self.containers.dir(&name).exists() {
                continue;
            }
            let path = dir.join(&name);
            r.add(
                "rundir",
                path.display().to_string(),
                "belongs to a container that does not exist",
                Some(&mut || {
                    // A rootfs still mounted there stays (a live monitor's).
                    let busy = fs::read_to_string("/proc/self/mountinfo")
                        .map(|m| m.contains(&format!(" {} ", path.display())))
                        .unwrap_or(true);
                    !busy && remove(&path)
                }),
            );
        }
        // A killed `cp`'s mountpoint (its mounts died with its helper).
        for (_, path) in entries(&self.opts.runroot.join("cp")) {
            if older_than(&path, r.min_age) {
                r.add(
                    "rundir",
                    path.display().to_string(),
                    "a mountpoint a killed cp left",
                    Some(&mut || fs::remove_dir(&path).is_ok()),
                );
            }
        }
        Ok(())
    }
}
