//! RAII flock guards. A guard that has to wait more than a second says so on
//! stderr ("waiting for lock on <path>"), like cargo, instead of hanging
//! silently. flock belongs to the open file description, so a forked child
//! inherits held locks: the monitor must close them after fork.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{IoContext, Result};

/// How long to wait quietly before telling the user.
const QUIET_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct LockGuard {
    file: File,
    path: PathBuf,
}

impl LockGuard {
    /// Take an exclusive lock on `path` (created if missing).
    pub fn exclusive(path: &Path) -> Result<LockGuard> {
        Self::take(path, false)
    }

    /// Take a shared lock on `path` (created if missing).
    pub fn shared(path: &Path) -> Result<LockGuard> {
        Self::take(path, true)
    }

    /// Exclusive lock without waiting; `None` when someone else holds it.
    pub fn try_exclusive(path: &Path) -> Result<Option<LockGuard>> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(LockGuard {
                file,
                path: path.into(),
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(crate::Error::io("locking", path, e)),
        }
    }

    fn take(path: &Path, shared: bool) -> Result<LockGuard> {
        let file = open(path)?;
        let attempt = |f: &File| {
            if shared {
                f.try_lock_shared()
            } else {
                f.try_lock()
            }
        };
        let start = Instant::now();
        // Short first: a holder is most often about to let go (a monitor
        // meets its starting command's lock for the last moments of a start).
        let mut pause = Duration::from_micros(50);
        loop {
            match attempt(&file) {
                Ok(()) => {
                    return Ok(LockGuard {
                        file,
                        path: path.into(),
                    })
                }
                Err(TryLockError::WouldBlock) if start.elapsed() < QUIET_WAIT => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => break,
                Err(TryLockError::Error(e)) => return Err(crate::Error::io("locking", path, e)),
            }
        }
        eprintln!("waiting for lock on {}", path.display());
        let r = if shared {
            file.lock_shared()
        } else {
            file.lock()
        };
        r.ctx("locking", path)?;
        Ok(LockGuard {
            file,
            path: path.into(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

fn open(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .ctx("opening lock", path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_excludes_and_releases() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.lock");
        let g = LockGuard::exclusive(&p).unwrap();
        assert!(LockGuard::try_exclusive(&p).unwrap().is_none());
        drop(g);
        assert!(LockGuard::try_exclusive(&p).unwrap().is_some());
    }

    #[test]
    fn shared_locks_coexist() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.lock");
        let _a = LockGuard::shared(&p).unwrap();
        let _b = LockGuard::shared(&p).unwrap();
        assert!(LockGuard::try_exclusive(&p).unwrap().is_none());
    }
}
