//! `cp`: files between a container and the host, with docker's path
//! rules. The copy runs in a helper (this binary re-executed as `skiff
//! __cp PLAN`) placed where it can see both sides with the right rights:
//! - a running container's root is `/proc/PID/root` (its volumes and
//!   binds mounted as the container sees them);
//! - a stopped one's is mounted by the helper in a mount namespace of its
//!   own (`runtime::view`: its rootfs, volumes and binds), under the
//!   container's lock so that no start meets it;
//! - rootless, the helper is first root of the container's user namespace
//!   (a running container's, else the user's pause process's), so files
//!   keep the container's owners and the user gets no right it lacks.
//!
//! Inside the container every path resolves in its root by descriptor
//! (`fsroot`): a symlink in the container never leads to the host. The
//! helper reports on fd 3: `OK BYTES`, or `ERR MESSAGE` / `RAW MESSAGE`
//! (docker's daemon errors and its CLI's bare ones).

mod fail;
mod fsops;
mod helper;

pub use helper::{main, ARG};

use serde::{Deserialize, Serialize};

use super::Engine;
use crate::error::{Error, Result};
use crate::runtime::ContainerSpec;

/// Which way, and the paths as the user gave them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum CpOp {
    /// Container path → host path (or `-`: a tar on stdout).
    Out { src: String, dest: String },
    /// Host path (or `-`: a tar on stdin) → container path.
    In { src: String, dest: String },
    /// `export`: the container's filesystem (no volumes) as a tar, to the
    /// file or to stdout.
    Export { dest: Option<std::path::PathBuf> },
    /// `diff`: docker's `C /path` lines on stdout.
    Diff,
    /// `commit`: the changes as a layer tar on stdout.
    Layer,
}

/// `cp`'s options.
#[derive(Debug, Clone)]
pub struct CpOptions {
    pub container: String,
    pub op: CpOp,
    /// `-L`: follow a symlink at the source path.
    pub follow: bool,
    /// `-a`: files copied in belong to the container's user.
    pub archive: bool,
}

/// How the helper reaches the container's root.
#[derive(Debug, Serialize, Deserialize)]
enum Access {
    /// `/proc/PID/root`.
    Running { pid: i32 },
    /// Mounted by the helper from this spec (rootfs target: a temp dir).
    Stopped { spec: Box<ContainerSpec> },
    /// An overlay container's layers, read directly.
    Layers(LayerPaths),
    /// A vfs container's root directory.
    Dir { rootfs: std::path::PathBuf },
}

/// An overlay container's upper dir (or a vfs container's root) and its
/// image's layers.
#[derive(Debug, Serialize, Deserialize)]
struct LayerPaths {
    upper: std::path::PathBuf,
    /// `upper` is a vfs container's root, a full copy of the layers.
    full_copy: bool,
    /// Top first.
    lowers: Vec<std::path::PathBuf>,
    /// Rootless: `user.overlay.*` xattrs (and mounts with `userxattr`).
    userxattr: bool,
    /// Mountpoints the runtime makes (left out of diff and commit).
    mountpoints: Vec<std::path::PathBuf>,
    /// Where `export` mounts the merged view.
    target: std::path::PathBuf,
}

/// The user namespace a rootless helper enters first.
#[derive(Debug, Serialize, Deserialize)]
enum Userns {
    /// The one of this process (the container's, or the pause process's).
    Join { pid: i32 },
    /// A new one mapping the user alone (no subordinate ids).
    Own { uid: u32, gid: u32 },
}

/// Everything the helper needs, as JSON in its argv.
#[derive(Debug, Serialize, Deserialize)]
struct Plan {
    /// The container as the user named it (for messages).
    name: String,
    access: Access,
    userns: Option<Userns>,
    op: CpOp,
    follow: bool,
    /// `-a` with a container user (`uid[:gid]` or names in its
    /// /etc/passwd and /etc/group): every copied-in entry's owner.
    owner_user: Option<String>,
    rootless: bool,
}

/// docker's `splitCpArg`: `CONTAINER:PATH`, unless the argument is a local
/// path (absolute, or starting with `.`: `./a:b` is a local file).
pub fn split_arg(arg: &str) -> (Option<&str>, &str) {
    if arg.starts_with('/') || arg.starts_with('.') {
        return (None, arg);
    }
    match arg.split_once(':') {
        Some((c, p)) if !c.is_empty() => (Some(c), p),
        _ => (None, arg),
    }
}

impl Engine {
    /// `cp`: returns the bytes of file content copied.
    pub fn copy(&self, o: &CpOptions) -> Result<u64> {
        let c = self.container_lookup(&o.container)?;
        let running = c.state.is_running()
            && super::liveness::process_alive(c.state.pid, c.state.pid_start_time);
        // A stopped container stays stopped while its files are mounted.
        let _lock = if running {
            None
        } else {
            Some(self.containers.lock(c.id())?)
        };
        let view_dir = self
            .opts
            .runroot
            .join("cp")
            .join(&crate::state::ids::new_id()[..16]);
        let access = if running {
            Access::Running { pid: c.state.pid }
        } else {
            // A container never started has no upper dir (nor hosts file)
            // yet: made as its start would.
            self.prepare_dirs(&c)?;
            let mut spec = super::spec::build(&self.containers, &c)?;
            if let crate::runtime::spec::Rootfs::Overlay { target, .. } = &mut spec.rootfs {
                *target = view_dir.clone();
            }
            if self.opts.rootless {
                spec.id_mappings = Some(super::userns::rootless_mappings().0);
            }
            Access::Stopped {
                spec: Box::new(spec),
            }
        };
        let userns = if self.opts.rootless {
            Some(self.cp_userns(&access)?)
        } else {
            None
        };
        // docker's -a: copied-in files belong to the container's user, if
        // it has one (else the archive's owners stay, as without -a).
        let user = &c.config.config.user;
        let owner_user = (o.archive && !user.is_empty()).then(|| user.clone());
        let plan = Plan {
            name: o.container.clone(),
            access,
            userns,
            op: o.op.clone(),
            follow: o.follow,
            owner_user,
            rootless: self.opts.rootless,
        };
        std::fs::create_dir_all(&view_dir).map_err(|e| Error::io("creating", &view_dir, e))?;
        let r = helper::spawn(&plan, None);
        let _ = std::fs::remove_dir(&view_dir);
        r
    }

    /// Runs a whole-filesystem operation (`Diff`, `Layer`, `Export`) of
    /// container `c` in the helper; `sink` reads what it writes to stdout.
    pub(crate) fn container_fs_op(
        &self,
        c: &crate::state::container::Container,
        op: CpOp,
        sink: Option<&mut dyn FnMut(std::process::ChildStdout) -> Result<()>>,
    ) -> Result<u64> {
        use crate::state::container::StorageDriver;
        let dir = self.containers.dir(c.id());
        let view_dir = self
            .opts
            .runroot
            .join("cp")
            .join(&crate::state::ids::new_id()[..16]);
        let vfs = c.config.storage_driver == StorageDriver::Vfs;
        let upper = dir.join(if vfs { "rootfs" } else { "upper" });
        if vfs && !upper.is_dir() {
            // A container never started has no root yet: made as its
            // start would, under its lock.
            let _lock = self.containers.lock(c.id())?;
            self.vfs_rootfs(c)?;
        } else {
            std::fs::create_dir_all(&upper).map_err(|e| Error::io("creating", &upper, e))?;
        }
        let access = match &op {
            CpOp::Export { .. } if vfs => Access::Dir { rootfs: upper },
            _ => {
                let mut mountpoints: Vec<std::path::PathBuf> =
                    crate::image::changes::RUNTIME_MOUNTPOINTS
                        .iter()
                        .map(Into::into)
                        .collect();
                mountpoints.extend(
                    c.config
                        .mount_points
                        .iter()
                        .map(|m| m.destination.trim_start_matches('/').into()),
                );
                Access::Layers(LayerPaths {
                    upper,
                    full_copy: vfs,
                    lowers: c.config.lowers.clone(),
                    userxattr: self.opts.rootless,
                    mountpoints,
                    target: view_dir.clone(),
                })
            }
        };
        // Not the container's: the pause process's (or the user's own).
        let userns = if self.opts.rootless {
            Some(self.stopped_userns()?)
        } else {
            None
        };
        let plan = Plan {
            name: c.name().to_owned(),
            access,
            userns,
            op,
            follow: false,
            owner_user: None,
            rootless: self.opts.rootless,
        };
        std::fs::create_dir_all(&view_dir).map_err(|e| Error::io("creating", &view_dir, e))?;
        let r = helper::spawn(&plan, sink);
        let _ = std::fs::remove_dir(&view_dir);
        r
    }

    fn cp_userns(&self, access: &Access) -> Result<Userns> {
        match access {
            Access::Running { pid } => Ok(Userns::Join { pid: *pid }),
            _ => self.stopped_userns(),
        }
    }

    /// The user namespace with the user's maps: the pause process's, or
    /// (no subordinate ids) one of the helper's own.
    fn stopped_userns(&self) -> Result<Userns> {
        let (maps, _) = super::userns::rootless_mappings();
        if maps.uid.len() > 1 || maps.gid.len() > 1 {
            let (pid, _) = super::pause::ensure(&self.opts.runroot, &maps)?;
            return Ok(Userns::Join { pid });
        }
        Ok(Userns::Own {
            uid: rustix::process::geteuid().as_raw(),
            gid: rustix::process::getegid().as_raw(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp_arguments_split_as_dockers() {
        assert_eq!(split_arg("c:/etc"), (Some("c"), "/etc"));
        assert_eq!(split_arg("c:"), (Some("c"), ""));
        assert_eq!(split_arg("/tmp/a:b"), (None, "/tmp/a:b"));
        assert_eq!(split_arg("./a:b"), (None, "./a:b"));
        assert_eq!(split_arg("file"), (None, "file"));
        assert_eq!(split_arg("-"), (None, "-"));
        assert_eq!(split_arg(":x"), (None, ":x"));
    }
}
