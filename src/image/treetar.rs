//! A tar stream of a tree inside a [`Root`] (`cp` out of a container, and
//! of a host path into one): every directory is reached by descriptor
//! with `RESOLVE_IN_ROOT`, every entry read with `O_NOFOLLOW` relative to
//! its directory, so a symlink in the tree (or one swapped in while it is
//! read) is stored as a symlink and never leads out of the root. Owners,
//! modes, times, hard links (within the tree), device nodes and FIFOs are
//! kept; sockets are skipped, as docker's archiver does. Directories are
//! walked with a work list, never by recursion.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

use crate::fsroot::Root;

/// Writes `rel` (inside `root`; `""` is the root itself) as a tar to `w`,
/// its top entry named `top` (`.` puts the contents at the top). With
/// `follow`, a symlink at `rel` itself is followed (inside the root).
/// Returns the bytes of file content written.
pub fn write_tree(
    root: &Root,
    rel: &Path,
    top: &Path,
    follow: bool,
    w: impl Write,
) -> io::Result<u64> {
    let mut t = TarWriter::new(w);
    let flags = if follow {
        OFlags::PATH
    } else {
        OFlags::PATH | OFlags::NOFOLLOW
    };
    let start = root.resolve(rel, flags)?;
    let st = rustix::fs::fstat(&start)?;
    if FileType::from_raw_mode(st.st_mode) != FileType::Directory {
        let (parent, name) = if follow {
            // The link's target, by its own parent (resolved in the root).
            (start, None)
        } else {
            let (p, n) = root.open_parent(rel)?;
            (p, Some(n))
        };
        t.entry(parent.as_fd(), name.as_deref(), &st, top)?;
        t.b.finish()?;
        return Ok(t.bytes);
    }
    let mut work: Vec<(OwnedFd, PathBuf)> = Vec::new();
    let dir = reopen_dir(start.as_fd(), None)?;
    t.dir(&st, top)?;
    work.push((dir, top.to_owned()));
    while let Some((dir, name)) = work.pop() {
        for entry in list(&dir)? {
            let st = match rustix::fs::statat(&dir, entry.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                // Gone meanwhile (a running container's temp file).
                Err(rustix::io::Errno::NOENT) => continue,
                Err(e) => return Err(e.into()),
            };
            let path = name.join(&entry);
            if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
                let sub = match reopen_dir(dir.as_fd(), Some(entry.as_os_str())) {
                    Ok(fd) => fd,
                    Err(e) if e.raw_os_error() == Some(libc::ENOENT) => continue,
                    Err(e) => return Err(e),
                };
                t.dir(&rustix::fs::fstat(&sub)?, &path)?;
                work.push((sub, path));
            } else {
                t.entry(dir.as_fd(), Some(entry.as_os_str()), &st, &path)?;
            }
        }
    }
    t.b.finish()?;
    Ok(t.bytes)
}

/// Tar entries from what a descriptor walk finds (shared with
/// `image::changes`' layer writer).
pub(crate) struct TarWriter<W: Write> {
    pub(crate) b: tar::Builder<W>,
    /// (dev, ino) of a multiply linked file → its first name in the tar.
    links: HashMap<(u64, u64), PathBuf>,
    /// File content written.
    pub(crate) bytes: u64,
    /// Every entry's owner (`COPY --chown`), instead of its own.
    pub(crate) owner: Option<(u32, u32)>,
    /// Every entry's permission bits (`COPY --chmod`).
    pub(crate) chmod: Option<u32>,
    /// Rootless: the on-disk (host) owners taken back to the ids a
    /// container sees, through the user's maps (uid, gid).
    pub(crate) unmap: Option<crate::runtime::spec::IdMappings>,
}

/// A host id as a container of `maps` sees it (unmapped: as it is).
fn unmap_id(maps: &[crate::runtime::spec::IdMap], id: u32) -> u32 {
    maps.iter()
        .find_map(|m| {
            let off = id.checked_sub(m.host_id)?;
            (off < m.size).then(|| m.container_id + off)
        })
        .unwrap_or(id)
}

/// A directory's name in the tar: with a trailing `/`, as docker writes it.
fn dir_name(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().as_bytes().to_vec();
    if s != b"." && !s.ends_with(b"/") {
        s.push(b'/');
    }
    PathBuf::from(OsStr::from_bytes(&s))
}

/// An `O_RDONLY` descriptor of the directory `name` in `at` (or of `at`).
pub(crate) fn reopen_dir(
    at: std::os::fd::BorrowedFd<'_>,
    name: Option<&OsStr>,
) -> io::Result<OwnedFd> {
    Ok(rustix::fs::openat(
        at,
        name.unwrap_or(OsStr::new(".")),
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

/// A directory's entries, sorted (a stable tar).
pub(crate) fn list(dir: &OwnedFd) -> io::Result<Vec<std::ffi::OsString>> {
    let mut out = Vec::new();
    for e in rustix::fs::Dir::read_from(dir)? {
        let e = e?;
        let n = e.file_name().to_bytes();
        if n != b"." && n != b".." {
            out.push(OsStr::from_bytes(n).to_os_string());
        }
    }
    out.sort();
    Ok(out)
}

impl<W: Write> TarWriter<W> {
    pub(crate) fn new(w: W) -> TarWriter<W> {
        let mut b = tar::Builder::new(w);
        b.mode(tar::HeaderMode::Complete);
        b.follow_symlinks(false);
        TarWriter {
            b,
            links: HashMap::new(),
            bytes: 0,
            owner: None,
            chmod: None,
            unmap: None,
        }
    }

    /// A directory's header (its contents are the caller's).
    pub(crate) fn dir(&mut self, st: &Stat, path: &Path) -> io::Result<()> {
        let mut h = self.header(st, path, tar::EntryType::Directory, 0)?;
        self.b.append_data(&mut h, dir_name(path), io::empty())
    }

    /// An empty regular file `path` owned by root (a whiteout marker).
    pub(crate) fn marker(&mut self, path: &Path) -> io::Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(0);
        self.b.append_data(&mut h, path, io::empty())
    }

    fn header(
        &self,
        st: &Stat,
        _path: &Path,
        kind: tar::EntryType,
        size: u64,
    ) -> io::Result<tar::Header> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(self.chmod.unwrap_or(st.st_mode & 0o7777));
        let (uid, gid) = self.owner.unwrap_or_else(|| match &self.unmap {
            Some(m) => (unmap_id(&m.uid, st.st_uid), unmap_id(&m.gid, st.st_gid)),
            None => (st.st_uid, st.st_gid),
        });
        h.set_uid(uid.into());
        h.set_gid(gid.into());
        h.set_mtime(st.st_mtime.max(0) as u64);
        h.set_size(size);
        Ok(h)
    }

    /// One non-directory: `name` in `parent`, or `parent` itself (an
    /// `O_PATH` descriptor of a followed symlink's target) when `None`.
    pub(crate) fn entry(
        &mut self,
        parent: std::os::fd::BorrowedFd<'_>,
        name: Option<&OsStr>,
        st: &Stat,
        path: &Path,
    ) -> io::Result<()> {
        let ft = FileType::from_raw_mode(st.st_mode);
        if st.st_nlink > 1 && ft != FileType::Directory {
            let key = (st.st_dev, st.st_ino);
            if let Some(first) = self.links.get(&key) {
                let mut h = self.header(st, path, tar::EntryType::Link, 0)?;
                return self.b.append_link(&mut h, path, first.clone());
            }
            self.links.insert(key, path.to_owned());
        }
        match ft {
            FileType::RegularFile => {
                let fd = match name {
                    Some(n) => rustix::fs::openat(
                        parent,
                        n,
                        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                        Mode::empty(),
                    )?,
                    None => rustix::fs::openat(
                        parent,
                        "",
                        OFlags::RDONLY | OFlags::CLOEXEC,
                        Mode::empty(),
                    )
                    .or_else(|_| reopen_proc(parent))?,
                };
                let st = rustix::fs::fstat(&fd)?;
                let size = st.st_size.max(0) as u64;
                let mut h = self.header(&st, path, tar::EntryType::Regular, size)?;
                // Exactly `size` bytes, whatever the file does meanwhile.
                let data = std::fs::File::from(fd)
                    .take(size)
                    .chain(io::repeat(0))
                    .take(size);
                self.bytes += size;
                self.b.append_data(&mut h, path, data)
            }
            FileType::Symlink => {
                let target =
                    rustix::fs::readlinkat(parent, name.unwrap_or(OsStr::new("")), Vec::new())?;
                let mut h = self.header(st, path, tar::EntryType::Symlink, 0)?;
                self.b
                    .append_link(&mut h, path, OsStr::from_bytes(target.to_bytes()))
            }
            FileType::CharacterDevice | FileType::BlockDevice | FileType::Fifo => {
                let kind = match ft {
                    FileType::CharacterDevice => tar::EntryType::Char,
                    FileType::BlockDevice => tar::EntryType::Block,
                    _ => tar::EntryType::Fifo,
                };
                let mut h = self.header(st, path, kind, 0)?;
                if kind != tar::EntryType::Fifo {
                    h.set_device_major(rustix::fs::major(st.st_rdev))?;
                    h.set_device_minor(rustix::fs::minor(st.st_rdev))?;
                }
                self.b.append_data(&mut h, path, io::empty())
            }
            // Sockets (and anything else) are not archived.
            _ => Ok(()),
        }
    }
}

/// Opens the file an `O_PATH` descriptor names, for reading.
fn reopen_proc(fd: std::os::fd::BorrowedFd<'_>) -> rustix::io::Result<OwnedFd> {
    use std::os::fd::AsRawFd;
    rustix::fs::open(
        format!("/proc/self/fd/{}", fd.as_raw_fd()),
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(tar_bytes: &[u8]) -> Vec<String> {
        let mut a = tar::Archive::new(tar_bytes);
        a.entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let kind = e.header().entry_type();
                let link = e
                    .link_name()
                    .unwrap()
                    .map(|l| format!(" -> {}", l.display()))
                    .unwrap_or_default();
                format!("{:?} {}{link}", kind, e.path().unwrap().display())
            })
            .collect()
    }

    #[test]
    fn a_tree_with_links_stays_a_tree() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("d");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("f"), b"hello").unwrap();
        std::fs::hard_link(d.join("f"), d.join("sub/hard")).unwrap();
        symlink("/etc/passwd", d.join("abs")).unwrap();
        symlink("../../..", d.join("up")).unwrap();
        let root = Root::open(t.path()).unwrap();
        let mut out = Vec::new();
        let n = write_tree(&root, Path::new("d"), Path::new("d"), false, &mut out).unwrap();
        assert_eq!(n, 5);
        assert_eq!(
            names(&out),
            [
                "Directory d/",
                "Symlink d/abs -> /etc/passwd",
                "Regular d/f",
                "Directory d/sub/",
                "Symlink d/up -> ../../..",
                "Link d/sub/hard -> d/f",
            ]
        );
        // The contents at the top.
        let mut out = Vec::new();
        write_tree(&root, Path::new("d/sub"), Path::new("."), false, &mut out).unwrap();
        assert_eq!(names(&out), ["Directory .", "Regular hard"]);
    }

    #[test]
    fn a_symlink_is_followed_only_when_asked_and_only_inside() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("target"), b"in root").unwrap();
        // Absolute: resolved as if the root were `/`.
        symlink("/target", t.path().join("lnk")).unwrap();
        let root = Root::open(t.path()).unwrap();
        let mut out = Vec::new();
        write_tree(&root, Path::new("lnk"), Path::new("x"), false, &mut out).unwrap();
        assert_eq!(names(&out), ["Symlink x -> /target"]);
        let mut out = Vec::new();
        write_tree(&root, Path::new("lnk"), Path::new("x"), true, &mut out).unwrap();
        assert_eq!(names(&out), ["Regular x"]);
        let mut a = tar::Archive::new(&out[..]);
        let mut e = a.entries().unwrap().next().unwrap().unwrap();
        let mut s = String::new();
        e.read_to_string(&mut s).unwrap();
        assert_eq!(s, "in root");
    }
}
