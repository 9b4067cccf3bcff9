//! The storage driver: `overlay` (the container's root is an overlay of
//! the image's layers and its own upper directory) or `vfs` (a full copy
//! of the layers per container, `image::vfs`).
//!
//! A store's driver is chosen once and written to `<root>/storage-driver`:
//! the one `--storage-driver` names, else `overlay` if a test mount of an
//! overlay in the store works (done once, in a child in its own mount
//! namespace), else `vfs` with a notice. It decides how layers keep their
//! whiteouts: overlayfs's (0/0 devices, `overlay.opaque` xattrs) in an
//! overlay store, AUFS's (plain `.wh.` files) in a vfs one, since a
//! filesystem overlay can't use (overlayfs itself) can't hold overlayfs's
//! either. So an overlay store can also run vfs containers
//! (`--storage-driver vfs`), but a vfs store can't run overlay ones.

use std::path::Path;

use super::Engine;
use crate::error::{Error, IoContext, Result};
use crate::image::layer::UnpackOptions;
use crate::state::container::{Container, StorageDriver};

/// The argument that makes `skiff` the overlay probe ([`probe_main`]).
pub const PROBE_ARG: &str = "__probe-overlay";

const RECORD: &str = "storage-driver";

impl Engine {
    /// The driver `info` shows: `--storage-driver`'s, else the store's.
    pub(super) fn shown_driver(&self) -> Result<StorageDriver> {
        match self.requested_driver()? {
            Some(d) => Ok(d),
            None => self.store_driver(),
        }
    }

    /// The driver `--storage-driver` asks for, if any.
    fn requested_driver(&self) -> Result<Option<StorageDriver>> {
        self.opts
            .storage_driver
            .as_deref()
            .map(|d| {
                StorageDriver::parse(d).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "unsupported storage driver {d:?}: overlay or vfs"
                    ))
                })
            })
            .transpose()
    }

    /// The store's driver (recorded, or chosen now and recorded).
    pub fn store_driver(&self) -> Result<StorageDriver> {
        if let Some(d) = self.driver.get() {
            return Ok(*d);
        }
        let path = self.opts.root.join(RECORD);
        let d = match std::fs::read_to_string(&path) {
            Ok(text) => StorageDriver::parse(text.trim()).ok_or_else(|| {
                Error::Other(format!(
                    "{}: unknown storage driver {text:?}",
                    path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let d = match self.requested_driver()? {
                    Some(d) => d,
                    None => self.probe()?,
                };
                std::fs::create_dir_all(&self.opts.root).ctx("creating", &self.opts.root)?;
                crate::state::atomic::write(&path, format!("{}\n", d.name()).as_bytes())?;
                d
            }
            Err(e) => return Err(e).ctx("reading", &path),
        };
        Ok(*self.driver.get_or_init(|| d))
    }

    /// The driver a new container gets: `--storage-driver`'s, which a vfs
    /// store can't make overlay, else the store's.
    pub(super) fn container_driver(&self) -> Result<StorageDriver> {
        let store = self.store_driver()?;
        match self.requested_driver()? {
            Some(StorageDriver::Overlay) if store == StorageDriver::Vfs => {
                Err(Error::InvalidArgument(format!(
                    "--storage-driver overlay: the store {} uses vfs, chosen when it was made; give another --root for overlay",
                    self.opts.root.display()
                )))
            }
            Some(d) => Ok(d),
            None => Ok(store),
        }
    }

    /// How layers are unpacked into this store.
    pub(super) fn unpack_options(&self) -> Result<UnpackOptions> {
        Ok(UnpackOptions {
            rootless: self.opts.rootless,
            aufs_whiteouts: self.store_driver()? == StorageDriver::Vfs,
            ..Default::default()
        })
    }

    /// A vfs container's root: `<dir>/rootfs`, copied from its layers the
    /// first time (into a temporary directory renamed into place, so a
    /// killed copy is redone).
    pub(super) fn vfs_rootfs(&self, c: &Container) -> Result<()> {
        let dir = self.containers.dir(c.id());
        let rootfs = dir.join("rootfs");
        if rootfs.is_dir() {
            return Ok(());
        }
        let tmp = dir.join(".rootfs-tmp");
        crate::util::tree::remove_tree(&tmp).ctx("removing", &tmp)?;
        std::fs::create_dir(&tmp).ctx("creating", &tmp)?;
        let t0 = std::time::Instant::now();
        let copied = if self.opts.rootless {
            super::userns::vfs_in_userns(&c.config.lowers, &tmp)
        } else {
            crate::image::vfs::build(&c.config.lowers, &tmp)
        }
        .map_err(|e| Error::Other(e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, &rootfs).ctx("renaming", &tmp));
        if let Err(e) = copied {
            let _ = crate::util::tree::remove_tree(&tmp);
            return Err(e);
        }
        log::debug!("vfs: {} copied in {:?}", c.id(), t0.elapsed());
        Ok(())
    }

    /// Can an overlay be mounted in this store? A child of this binary
    /// tries, in a mount namespace of its own (and rootless, a user
    /// namespace mapping only the user), so no mount can be left.
    fn probe(&self) -> Result<StorageDriver> {
        let dir = self.opts.root.join("containers");
        std::fs::create_dir_all(&dir).ctx("creating", &dir)?;
        let probe = tempfile::Builder::new()
            .prefix(".overlay-probe-")
            .tempdir_in(&dir)
            .ctx("creating a probe directory in", &dir)?;
        let out = std::process::Command::new("/proc/self/exe")
            .arg(PROBE_ARG)
            .arg(probe.path())
            .stdin(std::process::Stdio::null())
            .output()
            .ctx("running", Path::new("/proc/self/exe"))?;
        if out.status.success() {
            return Ok(StorageDriver::Overlay);
        }
        log::warn!(
            "overlay can't be mounted in {} ({}): using the vfs storage driver (a full copy per container)",
            self.opts.root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Ok(StorageDriver::Vfs)
    }
}

/// `skiff __probe-overlay DIR`: mounts an overlay of DIR's subdirectories
/// in a new mount namespace; exit 0 if it worked.
pub fn probe_main() -> ! {
    let dir = std::path::PathBuf::from(std::env::args_os().nth(2).unwrap_or_default());
    let r = (|| -> std::result::Result<(), String> {
        let rootless = !rustix::process::geteuid().is_root();
        if rootless {
            map_self().map_err(|e| format!("user namespace: {e}"))?;
        }
        // SAFETY: a fresh single-threaded process.
        unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNS) }
            .map_err(|e| format!("mount namespace: {e}"))?;
        for sub in ["l", "u", "w", "m"] {
            std::fs::create_dir(dir.join(sub)).map_err(|e| e.to_string())?;
        }
        let data = crate::runtime::rootfs::overlay_options(
            &[dir.join("l")],
            &dir.join("u"),
            &dir.join("w"),
            rootless,
        );
        let data = std::ffi::CString::new(data).map_err(|e| e.to_string())?;
        rustix::mount::mount(
            "overlay",
            dir.join("m"),
            "overlay",
            rustix::mount::MountFlags::empty(),
            data.as_c_str(),
        )
        .map_err(|e| e.to_string())
    })();
    match r {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}

/// A user namespace mapping only the caller (which it may write itself).
fn map_self() -> std::io::Result<()> {
    let (uid, gid) = (
        rustix::process::geteuid().as_raw(),
        rustix::process::getegid().as_raw(),
    );
    // SAFETY: a fresh single-threaded process.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWUSER) }?;
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1"))
}
