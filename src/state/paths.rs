//! Where the store lives: rootful `/var/lib/skiff` + `/run/skiff`; rootless
//! `$XDG_DATA_HOME/skiff` + `$XDG_RUNTIME_DIR/skiff`, falling back to
//! `/tmp/skiff-run-$UID` (0700, ours) where XDG_RUNTIME_DIR is unset or not
//! ours (cron, su).

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

pub fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

pub fn is_rootless() -> bool {
    euid() != 0
}

/// The default persistent root.
pub fn default_root() -> PathBuf {
    if !is_rootless() {
        return PathBuf::from("/var/lib/skiff");
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home_dir().join(".local/share"));
    data.join("skiff")
}

/// The default runtime root (tmpfs, cleared at boot).
pub fn default_runroot() -> Result<PathBuf> {
    if !is_rootless() {
        return Ok(PathBuf::from("/run/skiff"));
    }
    let uid = euid();
    if let Some(x) = std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        let x = PathBuf::from(x);
        if fs::metadata(&x).is_ok_and(|m| m.is_dir() && m.uid() == uid) {
            return Ok(x.join("skiff"));
        }
    }
    let dir = PathBuf::from(format!("/tmp/skiff-run-{uid}"));
    ensure_private_dir(&dir, uid)?;
    Ok(dir)
}

/// Create `dir` 0700 if missing; refuse one that is not ours or is open to others.
pub fn ensure_private_dir(dir: &Path, uid: u32) -> Result<()> {
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io("creating", dir, e)),
    }
    let m = fs::symlink_metadata(dir).ctx("checking", dir)?;
    if !m.is_dir() || m.uid() != uid {
        return Err(Error::Other(format!(
            "{} is not a directory owned by uid {uid}; refusing to use it",
            dir.display()
        )));
    }
    if m.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).ctx("chmod", dir)?;
    }
    Ok(())
}

/// Makes a store dir (root or runroot) private: created 0700 (its parents
/// as usual), and an existing one open to others tightened to 0700, since
/// anyone who can enter it reaches container upper dirs (setuid binaries a
/// container wrote, the CVE-2021-41091 class) and logs. Returns the notice
/// for the user when a looser store was tightened.
pub fn secure_store_dir(dir: &Path) -> Result<Option<String>> {
    let mut made = fs::DirBuilder::new().mode(0o700).create(dir);
    if matches!(&made, Err(e) if e.kind() == std::io::ErrorKind::NotFound) {
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).ctx("creating", parent)?;
        }
        made = fs::DirBuilder::new().mode(0o700).create(dir);
    }
    match made {
        Ok(()) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io("creating", dir, e)),
    }
    let m = fs::metadata(dir).ctx("checking", dir)?;
    if !m.is_dir() {
        return Err(Error::Other(format!(
            "{} is not a directory; refusing to use it as a store",
            dir.display()
        )));
    }
    let mode = m.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(None);
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(mode & 0o7700)).ctx("chmod", dir)?;
    Ok(Some(format!(
        "skiff: {} was open to other users (mode {mode:04o}); it is now {:04o}",
        dir.display(),
        mode & 0o7700
    )))
}

pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}
