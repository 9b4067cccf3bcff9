//! Removing a directory tree without recursion: at most two descriptors
//! and no stack growth however deep the tree (a container or a layer can
//! nest directories thousands deep, which exhausts the fds or the stack of
//! a recursive removal). Symlinks are removed, never followed.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use rustix::fs::{AtFlags, Mode, OFlags, CWD};

fn open_dir(at: impl std::os::fd::AsFd, name: &OsStr) -> io::Result<OwnedFd> {
    rustix::fs::openat(
        at,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(Into::into)
}

/// Removes every non-directory entry of `dir` and returns the names of its
/// subdirectories.
fn clear_files(dir: &OwnedFd) -> io::Result<Vec<OsString>> {
    let mut subdirs = Vec::new();
    let it = rustix::fs::Dir::read_from(dir)?;
    for e in it {
        let e = e?;
        let name = e.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let name = OsStr::from_bytes(name).to_os_string();
        let is_dir = match e.file_type() {
            rustix::fs::FileType::Directory => true,
            rustix::fs::FileType::Unknown => {
                rustix::fs::statat(dir, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)
                    .map(|st| rustix::fs::FileType::from_raw_mode(st.st_mode).is_dir())?
            }
            _ => false,
        };
        if is_dir {
            subdirs.push(name);
        } else {
            match rustix::fs::unlinkat(dir, name.as_os_str(), AtFlags::empty()) {
                Ok(()) | Err(rustix::io::Errno::NOENT) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(subdirs)
}

/// Where the caller can't remove what it owns (a rootless container's files
/// owned by the user's subordinate ids), who can: set once per process.
static FALLBACK: std::sync::OnceLock<fn(&Path) -> io::Result<()>> = std::sync::OnceLock::new();

/// Installs the remover [`remove_tree`] falls back to on EACCES/EPERM.
pub fn set_remove_fallback(f: fn(&Path) -> io::Result<()>) {
    let _ = FALLBACK.set(f);
}

/// `rm -rf path`: a missing path is fine; a symlink or file is unlinked.
/// Refused for lack of permission, the fallback (if any) tries.
pub fn remove_tree(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    match remove_tree_here(path) {
        Err(e) if matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM)) => {
            match FALLBACK.get() {
                Some(f) => f(path),
                None => Err(e),
            }
        }
        r => r,
    }
}

/// [`remove_tree`] with this process's own rights.
pub fn remove_tree_here(path: &Path) -> io::Result<()> {
    let (parent, name) = match (path.parent(), path.file_name()) {
        (Some(p), Some(n)) => (
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            },
            n,
        ),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to remove {}", path.display()),
            ))
        }
    };
    let top_parent = match open_dir(CWD, parent.as_os_str()) {
        Ok(fd) => fd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut cur = match open_dir(&top_parent, name) {
        Ok(fd) => fd,
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(()),
        // Not a directory (or a symlink to one): unlink it.
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOTDIR | libc::ELOOP)) => {
            return rustix::fs::unlinkat(&top_parent, name, AtFlags::empty()).map_err(Into::into)
        }
        Err(e) => return Err(e),
    };
    // One entry per level below the top: the dir's own name and the
    // subdirectories of it still to remove.
    let mut names: Vec<OsString> = Vec::new();
    let mut pending: Vec<Vec<OsString>> = vec![clear_files(&cur)?];
    loop {
        let level = pending.last_mut().expect("a level");
        if let Some(sub) = level.pop() {
            match open_dir(&cur, &sub) {
                Ok(fd) => {
                    cur = fd;
                    pending.push(clear_files(&cur)?);
                    names.push(sub);
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                Err(e) => return Err(e),
            }
            continue;
        }
        // This level is empty: remove it from its parent.
        pending.pop();
        let Some(me) = names.pop() else {
            drop(cur);
            return match rustix::fs::unlinkat(&top_parent, name, AtFlags::REMOVEDIR) {
                Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
                // Something appeared meanwhile: go again.
                Err(rustix::io::Errno::NOTEMPTY) => remove_tree(path),
                Err(e) => Err(e.into()),
            };
        };
        let up = open_dir(&cur, OsStr::new(".."))?;
        match rustix::fs::unlinkat(&up, me.as_os_str(), AtFlags::REMOVEDIR) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => {}
            Err(rustix::io::Errno::NOTEMPTY) => {
                // Refilled meanwhile: clear it again.
                let again = clear_files(&cur)?;
                pending.push(again);
                names.push(me);
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        cur = up;
    }
}

/// Whether the directory `dir` (any descriptor of it, `O_PATH` too) has
/// no entries.
pub fn is_empty_dir(dir: std::os::fd::BorrowedFd<'_>) -> io::Result<bool> {
    let fd = rustix::fs::openat(
        dir,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    for e in rustix::fs::Dir::read_from(&fd)? {
        let e = e?;
        if !matches!(e.file_name().to_bytes(), b"." | b"..") {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Bytes held by the regular files and symlinks under `dir` (each
/// hard-linked inode once), as docker counts a layer's or a volume's size.
/// Symlinks are not followed; unreadable entries are skipped.
pub fn disk_usage(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else if m.nlink() <= 1 || seen.insert((m.dev(), m.ino())) {
                total += m.len();
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_a_tree_far_deeper_than_the_fd_limit() {
        let t = tempfile::tempdir().unwrap();
        let top = t.path().join("top");
        std::fs::create_dir(&top).unwrap();
        // 3,000 levels: a recursive removal holding an fd per level would
        // need more than the usual 1,024 descriptors.
        let mut d = open_dir(CWD, top.as_os_str()).unwrap();
        for i in 0..3000 {
            std::fs::write(
                format!("/proc/self/fd/{}/f", std::os::fd::AsRawFd::as_raw_fd(&d)),
                b"x",
            )
            .unwrap();
            if i % 100 == 0 {
                rustix::fs::symlinkat("/", &d, "link").unwrap();
                rustix::fs::mkdirat(&d, "side", Mode::from_raw_mode(0o755)).unwrap();
            }
            rustix::fs::mkdirat(&d, "d", Mode::from_raw_mode(0o755)).unwrap();
            d = open_dir(&d, OsStr::new("d")).unwrap();
        }
        drop(d);
        let outside = t.path().join("outside");
        std::fs::write(&outside, b"keep").unwrap();
        remove_tree(&top).unwrap();
        assert!(!top.exists());
        assert!(outside.exists(), "a symlink was followed");
        // Missing is fine; a file or symlink is unlinked.
        remove_tree(&top).unwrap();
        std::os::unix::fs::symlink(t.path(), t.path().join("l")).unwrap();
        remove_tree(t.path().join("l")).unwrap();
        assert!(outside.exists() && !t.path().join("l").exists());
    }
}
