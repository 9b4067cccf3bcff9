//! Path resolution confined to a directory tree ("in-root" resolution).
//!
//! A [`Root`] holds an `O_PATH | O_DIRECTORY` descriptor of a directory and
//! resolves paths *inside* it by descriptor with `openat2(2)` and
//! `RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS`: every symlink met on the way,
//! absolute or relative, is resolved as if the root were `/` (as under
//! `chroot`), and `..` never climbs above the root. An untrusted tree (an
//! image layer being unpacked, a container's rootfs for `cp`, a build
//! context) therefore can never redirect an operation to a file outside it.
//!
//! Operations that create or remove an entry first resolve its *parent*
//! directory this way and then act on the final name with an `*at` call that
//! does not follow a symlink in that last component.
//!
//! `openat2` needs Linux 5.6 or later. On an older kernel (or under a seccomp
//! filter that hides it) the calls fail with an [`io::ErrorKind::Unsupported`]
//! error saying so; there is no emulation.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// The resolution flags used for every lookup below the root.
const RESOLVE: ResolveFlags = ResolveFlags::IN_ROOT.union(ResolveFlags::NO_MAGICLINKS);

/// How many times a lookup is retried when `openat2` reports `EAGAIN` (a
/// concurrent rename anywhere on the system can make `RESOLVE_IN_ROOT`
/// lookups ask for a retry).
const EAGAIN_RETRIES: usize = 64;

/// A directory tree in which paths are resolved without escaping it.
#[derive(Debug)]
pub struct Root {
    fd: OwnedFd,
    path: PathBuf,
}

impl Root {
    /// Opens the directory `path` (which must exist) as a root. Fails with an
    /// [`io::ErrorKind::Unsupported`] error when the kernel lacks `openat2`
    /// (Linux < 5.6).
    pub fn open(path: impl AsRef<Path>) -> io::Result<Root> {
        let path = path.as_ref();
        let fd = rustix::fs::open(
            path,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| with_path(e.into(), "opening", path))?;
        let root = Root {
            fd,
            path: path.to_owned(),
        };
        // Probe openat2 once so that an old kernel is reported right away.
        root.resolve(Path::new(""), OFlags::PATH | OFlags::DIRECTORY)?;
        Ok(root)
    }

    /// The path the root was opened at (for messages only: operations go
    /// through the descriptor).
    /// A root from an `O_PATH` descriptor of a directory (one resolved
    /// inside another root, say); `path` is only for messages.
    pub fn from_fd(fd: OwnedFd, path: PathBuf) -> Root {
        Root { fd, path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The root's own `O_PATH` descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Resolves `rel` inside the root and opens it with `flags` (`O_CLOEXEC`
    /// is always added). Symlinks are followed, but only inside the root;
    /// pass `O_NOFOLLOW` to refuse a symlink as the final component (with
    /// `O_PATH | O_NOFOLLOW` the symlink itself is opened). An empty `rel`,
    /// `.` or `/` is the root itself.
    pub fn resolve(&self, rel: &Path, flags: OFlags) -> io::Result<OwnedFd> {
        let rel = if rel.as_os_str().is_empty() {
            Path::new(".")
        } else {
            rel
        };
        self.openat2(rel, flags, Mode::empty())
    }

    fn openat2(&self, rel: &Path, flags: OFlags, mode: Mode) -> io::Result<OwnedFd> {
        let mut tries = 0;
        loop {
            match rustix::fs::openat2(&self.fd, rel, flags | OFlags::CLOEXEC, mode, RESOLVE) {
                Ok(fd) => return Ok(fd),
                Err(Errno::AGAIN) if tries < EAGAIN_RETRIES => tries += 1,
                Err(Errno::NOSYS) => {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "openat2(2) is not available: Linux 5.6 or later is required",
                    ))
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Opens the directory `rel` (following symlinks inside the root) as an
    /// `O_PATH` descriptor, suitable as the `dirfd` of `*at` calls. This is
    /// how the parent directory of an entry is reached.
    pub fn open_dir(&self, rel: &Path) -> io::Result<OwnedFd> {
        self.resolve(rel, OFlags::PATH | OFlags::DIRECTORY)
    }

    /// Like `mkdir -p`: creates the missing directories of `rel` with `mode`
    /// (subject to the umask) and returns an `O_PATH` descriptor of the last.
    /// Every prefix is resolved from the root, so a symlink on the way is
    /// followed inside the root only. A dangling symlink on the way is
    /// followed too: the directory it names (inside the root) is created,
    /// as a layer entry `link/x` after `link -> ../../tmp` needs. A prefix
    /// that exists and is not a directory is an error (`ENOTDIR`), and so
    /// are more than 40 dangling symlinks (`ELOOP`).
    pub fn mkdir_all(&self, rel: &Path, mode: u32) -> io::Result<OwnedFd> {
        let mut rel = rel.to_owned();
        let mut hops = 0;
        'restart: loop {
            match self.open_dir(&rel) {
                Ok(fd) => return Ok(fd),
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                Err(e) => return Err(e),
            }
            let comps: Vec<&OsStr> = rel
                .components()
                .filter_map(|c| match c {
                    Component::Normal(name) => Some(name),
                    Component::ParentDir => Some(OsStr::new("..")),
                    Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
                })
                .collect();
            let mut prefix = PathBuf::new();
            let mut parent = self.open_dir(Path::new(""))?;
            for (i, &name) in comps.iter().enumerate() {
                prefix.push(name);
                match self.open_dir(&prefix) {
                    Ok(fd) => {
                        parent = fd;
                        continue;
                    }
                    Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                    Err(e) => return Err(e),
                }
                match rustix::fs::mkdirat(&parent, name, Mode::from_raw_mode(mode)) {
                    Ok(()) => {}
                    Err(Errno::EXIST) => {
                        // Raced, or a dangling symlink: follow the latter.
                        let st = rustix::fs::statat(&parent, name, AtFlags::SYMLINK_NOFOLLOW)?;
                        if FileType::from_raw_mode(st.st_mode) == FileType::Symlink {
                            hops += 1;
                            if hops > 40 {
                                return Err(Errno::LOOP.into());
                            }
                            let target = rustix::fs::readlinkat(&parent, name, Vec::new())?;
                            let mut next = prefix.parent().unwrap_or(Path::new("")).to_owned();
                            next.push(OsStr::from_bytes(target.as_bytes()));
                            next.extend(&comps[i + 1..]);
                            rel = next;
                            continue 'restart;
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
                parent = self.open_dir(&prefix)?;
            }
            return Ok(parent);
        }
    }

    /// Opens the parent directory of `rel` and returns it with the final
    /// name (see [`split_parent`]).
    pub fn open_parent(&self, rel: &Path) -> io::Result<(OwnedFd, OsString)> {
        let (parent, name) = split_parent(rel)?;
        Ok((self.open_dir(&parent)?, name))
    }

    /// Removes `rel` and, if it is a directory, everything below it
    /// (`rm -rf`). Symlinks are removed, never followed, and the walk goes
    /// by descriptor, so nothing outside the root is touched. A missing
    /// entry (or missing parent) is not an error; removing the root itself
    /// is refused.
    pub fn remove_all(&self, rel: &Path) -> io::Result<()> {
        let (parent, name) = match self.open_parent(rel) {
            Ok(v) => v,
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(()),
            Err(e) => return Err(e),
        };
        remove_all_at(parent.as_fd(), &name)
    }

    /// Opens an existing file `rel` with `flags` (e.g. `OFlags::RDONLY`),
    /// following symlinks inside the root only.
    pub fn open_file(&self, rel: &Path, flags: OFlags) -> io::Result<File> {
        Ok(File::from(self.resolve(rel, flags)?))
    }

    /// Creates (or truncates) the regular file `rel` for writing, with
    /// `mode` (subject to the umask) when it is new. The parent must exist.
    /// A symlink as the final component is not followed: that is an error
    /// (`ELOOP`), so the write cannot land anywhere but at `rel`.
    pub fn create_file(&self, rel: &Path, mode: u32) -> io::Result<File> {
        let (parent, name) = self.open_parent(rel)?;
        let fd = rustix::fs::openat(
            &parent,
            name.as_os_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        )?;
        Ok(File::from(fd))
    }

    /// `lstat` of `rel`: the parent is resolved inside the root, the final
    /// component is not followed.
    pub fn symlink_metadata(&self, rel: &Path) -> io::Result<rustix::fs::Stat> {
        let (parent, name) = self.open_parent(rel)?;
        Ok(rustix::fs::statat(
            &parent,
            name.as_os_str(),
            AtFlags::SYMLINK_NOFOLLOW,
        )?)
    }
}

/// Splits `rel` into its parent directory and final name, after dropping
/// `.` components, a leading `/` and trailing slashes. Fails with
/// [`io::ErrorKind::InvalidInput`] when there is no final name (`""`, `/`,
/// `.`) or it is `..`.
pub fn split_parent(rel: &Path) -> io::Result<(PathBuf, OsString)> {
    let mut comps: Vec<&OsStr> = Vec::new();
    for comp in rel.components() {
        match comp {
            Component::Normal(n) => comps.push(n),
            Component::ParentDir => comps.push(OsStr::new("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    match comps.pop() {
        Some(name) if name.as_bytes() != b".." => {
            Ok((comps.iter().collect::<PathBuf>(), name.to_owned()))
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: path has no final name", rel.display()),
        )),
    }
}

/// Removes `name` in the directory `dirfd` recursively, without following
/// symlinks. Missing is fine. Holds one descriptor per directory level.
pub fn remove_all_at(dirfd: BorrowedFd<'_>, name: &OsStr) -> io::Result<()> {
    let st = match rustix::fs::statat(dirfd, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => st,
        Err(Errno::NOENT) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if FileType::from_raw_mode(st.st_mode) != FileType::Directory {
        return match rustix::fs::unlinkat(dirfd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
        };
    }
    let fd = rustix::fs::openat(
        dirfd,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    // Collect the names first: removing while reading can skip entries.
    let mut names: Vec<(OsString, FileType)> = Vec::new();
    {
        let mut dir = rustix::fs::Dir::read_from(&fd)?;
        while let Some(ent) = dir.read() {
            let ent = ent?;
            let n = ent.file_name().to_bytes();
            if n == b"." || n == b".." {
                continue;
            }
            names.push((OsStr::from_bytes(n).to_owned(), ent.file_type()));
        }
    }
    for (n, ft) in names {
        if ft == FileType::Directory || ft == FileType::Unknown {
            remove_all_at(fd.as_fd(), &n)?;
        } else {
            match rustix::fs::unlinkat(&fd, n.as_os_str(), AtFlags::empty()) {
                Ok(()) | Err(Errno::NOENT) => {}
                // Raced into a directory, or the type was wrong: go slowly.
                Err(Errno::ISDIR) | Err(Errno::PERM) => remove_all_at(fd.as_fd(), &n)?,
                Err(e) => return Err(e.into()),
            }
        }
    }
    drop(fd);
    match rustix::fs::unlinkat(dirfd, name, AtFlags::REMOVEDIR) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn with_path(e: io::Error, op: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{op} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::fs::symlink;

    #[test]
    fn split_parent_cases() {
        let (p, n) = split_parent(Path::new("/a/b/./c/")).unwrap();
        assert_eq!(p, Path::new("a/b"));
        assert_eq!(n, "c");
        let (p, n) = split_parent(Path::new("x")).unwrap();
        assert_eq!(p, Path::new(""));
        assert_eq!(n, "x");
        assert!(split_parent(Path::new("")).is_err());
        assert!(split_parent(Path::new("/")).is_err());
        assert!(split_parent(Path::new("a/..")).is_err());
    }

    #[test]
    fn symlinks_stay_inside() {
        let outer = tempfile::tempdir().unwrap();
        let base = outer.path().join("root");
        std::fs::create_dir(&base).unwrap();
        std::fs::write(outer.path().join("secret"), b"outside").unwrap();
        symlink("/", base.join("abs")).unwrap();
        symlink("../../../..", base.join("rel")).unwrap();
        symlink("/secret", base.join("leaf")).unwrap();
        let root = Root::open(&base).unwrap();

        // Creating through symlinks lands inside.
        let d = root.mkdir_all(Path::new("abs/x/y"), 0o755).unwrap();
        drop(d);
        assert!(base.join("x/y").is_dir());
        root.mkdir_all(Path::new("rel/z"), 0o755).unwrap();
        assert!(base.join("z").is_dir());
        assert!(!outer.path().join("z").exists());
        let mut f = root.create_file(Path::new("rel/../x/f"), 0o644).unwrap();
        f.write_all(b"hi").unwrap();
        drop(f);
        assert_eq!(std::fs::read(base.join("x/f")).unwrap(), b"hi");

        // Reading through a symlink to "/secret" resolves inside the root.
        assert_eq!(
            root.open_file(Path::new("leaf"), OFlags::RDONLY)
                .unwrap_err()
                .raw_os_error(),
            Some(libc::ENOENT)
        );
        std::fs::write(base.join("secret"), b"inside").unwrap();
        let mut s = String::new();
        root.open_file(Path::new("leaf"), OFlags::RDONLY)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "inside");

        // create_file refuses a final symlink.
        assert!(root.create_file(Path::new("leaf"), 0o644).is_err());

        // remove_all through symlinks removes inside only, and removes a
        // symlink without following it.
        root.remove_all(Path::new("abs")).unwrap();
        assert!(!base.join("abs").exists());
        assert!(std::fs::symlink_metadata(base.join("abs")).is_err());
        root.remove_all(Path::new("rel/x")).unwrap();
        assert!(!base.join("x").exists());
        assert_eq!(
            std::fs::read(outer.path().join("secret")).unwrap(),
            b"outside"
        );
        root.remove_all(Path::new("missing/also")).unwrap();
        assert!(root.remove_all(Path::new("/")).is_err());
    }

    #[test]
    fn mkdir_all_follows_dangling_symlinks_inside() {
        let outer = tempfile::tempdir().unwrap();
        let base = outer.path().join("r");
        std::fs::create_dir(&base).unwrap();
        symlink("../../../nowhere/deeper", base.join("rel")).unwrap();
        symlink("/other/target", base.join("abs")).unwrap();
        symlink("loop2", base.join("loop1")).unwrap();
        symlink("loop1", base.join("loop2")).unwrap();
        std::fs::write(base.join("file"), b"").unwrap();
        let root = Root::open(&base).unwrap();
        root.mkdir_all(Path::new("rel/x"), 0o755).unwrap();
        assert!(base.join("nowhere/deeper/x").is_dir());
        assert!(!outer.path().join("nowhere").exists());
        root.mkdir_all(Path::new("abs/y"), 0o755).unwrap();
        assert!(base.join("other/target/y").is_dir());
        let e = root.mkdir_all(Path::new("loop1/z"), 0o755).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ELOOP));
        let e = root.mkdir_all(Path::new("file/z"), 0o755).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOTDIR));
    }

    #[test]
    fn remove_all_deep_tree() {
        let outer = tempfile::tempdir().unwrap();
        let root = Root::open(outer.path()).unwrap();
        root.mkdir_all(Path::new("t/a/b/c/d"), 0o755).unwrap();
        std::fs::write(outer.path().join("t/a/b/f"), b"").unwrap();
        symlink("/etc", outer.path().join("t/a/l")).unwrap();
        // An unreadable directory is still removed (we may be root).
        std::fs::create_dir(outer.path().join("t/a/b/c/d/locked")).unwrap();
        root.remove_all(Path::new("t")).unwrap();
        assert!(!outer.path().join("t").exists());
        assert!(Path::new("/etc").is_dir());
    }
}
