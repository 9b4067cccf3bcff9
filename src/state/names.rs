//! Atomic name reservation. A name file is created complete or not at all:
//! the id is written to a temp file, fsynced, then hard-linked to
//! `<dir>/<name>`; link(2) fails with EEXIST when the name is taken, so of
//! any number of racing processes exactly one wins (the same guarantee as
//! O_EXCL, without a window where the name file exists but is empty).

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use crate::error::{Error, IoContext, Result};

/// A won reservation, flock'ed for as long as the creator works on the
/// container: a reservation whose container has no config yet and whose
/// lock is free was left by a creator that died ([`in_progress`]).
#[derive(Debug)]
#[must_use = "the reservation is unlocked (abandoned) when dropped"]
pub struct Reservation(#[allow(dead_code)] fs::File);

/// Whether the creator of `name`'s reservation still holds it.
pub fn in_progress(dir: &Path, name: &str) -> bool {
    match fs::File::open(dir.join(name)) {
        Ok(f) => matches!(f.try_lock(), Err(fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

/// Reserve `name` for `id` in `dir`. `Ok(false)` when someone holds it.
pub fn reserve(dir: &Path, name: &str, id: &str) -> Result<bool> {
    Ok(reserve_locked(dir, name, id)?.is_some())
}

/// [`reserve`], keeping the reservation locked until the returned guard
/// is dropped. `Ok(None)` when someone holds the name.
pub fn reserve_locked(dir: &Path, name: &str, id: &str) -> Result<Option<Reservation>> {
    let target = dir.join(name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(super::atomic::TMP_SUFFIX)
        .tempfile_in(dir)
        .ctx("creating temp file in", dir)?;
    // Through the File: tempfile's own writer repeats the path in its errors.
    std::io::Write::write_all(tmp.as_file_mut(), id.as_bytes()).ctx("reserving name", &target)?;
    tmp.as_file().sync_all().ctx("reserving name", &target)?;
    // Locked before it becomes the name: no moment unlocked and unwritten.
    let held = tmp.as_file().try_clone().ctx("reserving name", &target)?;
    held.lock().ctx("reserving name", &target)?;
    let won = match fs::hard_link(tmp.path(), &target) {
        Ok(()) => true,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => false,
        Err(e) => return Err(Error::io("reserving name", &target, e)),
    };
    drop(tmp); // unlinks the temp name; the reservation keeps the inode
    if !won {
        return Ok(None);
    }
    super::atomic::sync_dir(dir)?;
    Ok(Some(Reservation(held)))
}

/// The id holding `name`, if any.
pub fn lookup(dir: &Path, name: &str) -> Result<Option<String>> {
    match fs::read_to_string(dir.join(name)) {
        Ok(s) => Ok(Some(s.trim().to_owned())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("reading name", dir.join(name), e)),
    }
}

/// Release `name` if it is still held by `id`.
pub fn release(dir: &Path, name: &str, id: &str) -> Result<()> {
    if lookup(dir, name)?.as_deref() == Some(id) {
        match fs::remove_file(dir.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("releasing name", dir.join(name), e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_wins_then_release() {
        let d = tempfile::tempdir().unwrap();
        assert!(reserve(d.path(), "web", "id1").unwrap());
        assert!(!reserve(d.path(), "web", "id2").unwrap());
        assert_eq!(lookup(d.path(), "web").unwrap().as_deref(), Some("id1"));
        release(d.path(), "web", "id2").unwrap();
        assert!(d.path().join("web").exists());
        release(d.path(), "web", "id1").unwrap();
        assert!(reserve(d.path(), "web", "id2").unwrap());
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
