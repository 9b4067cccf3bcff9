//! The vfs storage driver's container root: a full copy of an image's
//! layers, applied bottom to top into one directory, as overlayfs would
//! show them merged. Used where overlayfs can't be mounted (a store on
//! overlayfs itself, as in a CI job inside a container) or when asked for
//! (`--storage-driver vfs`).
//!
//! A layer directory holds whiteouts in either form: overlayfs's (a 0/0
//! character device; `trusted.overlay.opaque` or `user.overlay.opaque`
//! `y` on a directory) or AUFS's, as in the tar (`.wh.NAME`,
//! `.wh..wh..opq`), which a store that can't hold overlayfs's keeps. A
//! whiteout removes what lower layers put there; an opaque directory hides
//! everything lower layers put in it.
//!
//! Nothing follows a symlink: entries are read with `O_NOFOLLOW` relative
//! to their directory's descriptor, directories are reached from the
//! layer's (or the destination's) root with `RESOLVE_IN_ROOT`, and an
//! entry a lower layer made (a symlink, say) is removed before a directory
//! of the same name is made. Owners, modes, extended attributes (not
//! overlayfs's own), times and hard links (within a layer) are kept.
//! Directories are walked with a work list, never by recursion, so a deep
//! tree costs memory for names, not descriptors.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Gid, Mode, OFlags, Stat, Timestamps, Uid, XattrFlags};
use rustix::io::Errno;

use crate::fsroot::{self, Root};

/// Fills `dest` (an existing empty directory) with `layers` (top first,
/// overlayfs's lowerdir order) merged.
pub fn build(layers: &[PathBuf], dest: &Path) -> io::Result<()> {
    let dst = Root::open(dest)?;
    for layer in layers.iter().rev() {
        apply(&Root::open(layer)?, &dst).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("copying layer {} (vfs): {e}", layer.display()),
            )
        })?;
    }
    Ok(())
}

/// Copies the tree `src` into `dst` (an existing directory, whose owner
/// and mode become `src`'s): a volume's copy-up.
pub fn copy_tree(src: &Root, dst: &Root) -> io::Result<()> {
    apply(src, dst)
}

/// One layer over what `dst` holds.
fn apply(src: &Root, dst: &Root) -> io::Result<()> {
    let mut work = vec![PathBuf::new()];
    let mut dirs: Vec<(PathBuf, Mode, Timestamps)> = Vec::new();
    // First copy of a multiply linked file: (dev, ino) → its path in dst.
    let mut links: HashMap<(u64, u64), PathBuf> = HashMap::new();
    while let Some(rel) = work.pop() {
        let s = open_dir(src.fd(), &rel)?;
        let d = open_dir(dst.fd(), &rel)?;
        let st = rustix::fs::fstat(&s)?;
        // The mode last: a read-only directory still gets its entries.
        copy_meta(s.as_fd(), &d, &st, false)?;
        dirs.push((rel.clone(), mode(&st), times(&st)));
        let names = list(&s)?;
        if opaque(&s, &names) {
            for n in list(&d)? {
                fsroot::remove_all_at(d.as_fd(), &n)?;
            }
        }
        for name in names {
            let child = rel.join(&name);
            if copy_entry(dst.fd(), (&s, &d), &name, &child, &mut links)? {
                work.push(child);
            }
        }
    }
    // Directory modes and times last (children changed them), deepest
    // first.
    for (rel, m, t) in dirs.iter().rev() {
        let d = open_dir(dst.fd(), rel)?;
        rustix::fs::fchmod(&d, *m)?;
        rustix::fs::futimens(&d, t)?;
    }
    Ok(())
}

/// Copies `name` from `s` into `d` (replacing what is there); true when it
/// is a directory to walk.
fn copy_entry(
    root: BorrowedFd<'_>,
    (s, d): (&OwnedFd, &OwnedFd),
    name: &OsStr,
    rel: &Path,
    links: &mut HashMap<(u64, u64), PathBuf>,
) -> io::Result<bool> {
    let b = name.as_bytes();
    if let Some(orig) = b.strip_prefix(b".wh.") {
        // AUFS form: `.wh.NAME` removes NAME; other `.wh..wh.` names (the
        // opaque marker, aufs's own) are metadata.
        if !orig.starts_with(b".wh.") {
            fsroot::remove_all_at(d.as_fd(), OsStr::from_bytes(orig))?;
        }
        return Ok(false);
    }
    let st = rustix::fs::statat(s, name, AtFlags::SYMLINK_NOFOLLOW)?;
    let kind = FileType::from_raw_mode(st.st_mode);
    if kind == FileType::CharacterDevice && st.st_rdev == 0 {
        fsroot::remove_all_at(d.as_fd(), name)?;
        return Ok(false);
    }
    if kind == FileType::Directory {
        match rustix::fs::statat(d, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(t) if FileType::from_raw_mode(t.st_mode) == FileType::Directory => {}
            _ => {
                fsroot::remove_all_at(d.as_fd(), name)?;
                rustix::fs::mkdirat(d, name, Mode::from_raw_mode(0o700))?;
            }
        }
        return Ok(true);
    }
    fsroot::remove_all_at(d.as_fd(), name)?;
    if st.st_nlink > 1 && kind == FileType::RegularFile {
        let key = (st.st_dev, st.st_ino);
        if let Some(first) = links.get(&key) {
            return link(root, d, name, first).map(|()| false);
        }
        links.insert(key, rel.to_owned());
    }
    match kind {
        FileType::RegularFile => copy_file(s, d, name, &st)?,
        FileType::Symlink => {
            let target = rustix::fs::readlinkat(s, name, Vec::new())?;
            rustix::fs::symlinkat(target.as_c_str(), d, name)?;
            set_at_meta(d.as_fd(), name, &st, false)?;
        }
        FileType::Fifo | FileType::CharacterDevice | FileType::BlockDevice => {
            match rustix::fs::mknodat(d, name, kind, mode(&st), st.st_rdev) {
                // A device node an unprivileged user may not make.
                Err(Errno::PERM) if kind != FileType::Fifo => return Ok(false),
                r => r?,
            }
            set_at_meta(d.as_fd(), name, &st, true)?;
        }
        // Sockets and unknown types are not image content.
        _ => {}
    }
    Ok(false)
}

fn copy_file(s: &OwnedFd, d: &OwnedFd, name: &OsStr, st: &Stat) -> io::Result<()> {
    let from = rustix::fs::openat(
        s,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let to = rustix::fs::openat(
        d,
        name,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )?;
    let (mut from, mut to) = (std::fs::File::from(from), std::fs::File::from(to));
    io::copy(&mut from, &mut to)?;
    copy_meta(from.as_fd(), &to, st, true)?;
    rustix::fs::futimens(&to, &times(st))?;
    Ok(())
}

/// A hard link `name` in `d` to `first`, the path (in the destination
/// root `root`) of the first copy of the same file, its parent reached
/// inside the root.
fn link(root: BorrowedFd<'_>, d: &OwnedFd, name: &OsStr, first: &Path) -> io::Result<()> {
    let (parent, base) = fsroot::split_parent(first)?;
    let parent = open_dir(root, &parent)?;
    rustix::fs::linkat(&parent, &base, d, name, AtFlags::empty())?;
    Ok(())
}

/// Owner, mode and xattrs from `from` (an open descriptor) onto `to`.
fn copy_meta(from: BorrowedFd<'_>, to: &impl AsFd, st: &Stat, chmod: bool) -> io::Result<()> {
    let to = to.as_fd();
    chown_ok(rustix::fs::fchown(
        to,
        Some(Uid::from_raw(st.st_uid)),
        Some(Gid::from_raw(st.st_gid)),
    ))?;
    if chmod {
        rustix::fs::fchmod(to, mode(st))?;
    }
    for (k, v) in xattrs(from)? {
        match rustix::fs::fsetxattr(to, &k, &v, XattrFlags::empty()) {
            Ok(()) | Err(Errno::PERM | Errno::NOTSUP) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Owner, mode (unless a symlink) and times of `name` in `d`, not opened.
fn set_at_meta(d: BorrowedFd<'_>, name: &OsStr, st: &Stat, chmod: bool) -> io::Result<()> {
    chown_ok(rustix::fs::chownat(
        d,
        name,
        Some(Uid::from_raw(st.st_uid)),
        Some(Gid::from_raw(st.st_gid)),
        AtFlags::SYMLINK_NOFOLLOW,
    ))?;
    if chmod {
        rustix::fs::chmodat(d, name, mode(st), AtFlags::empty())?;
    }
    rustix::fs::utimensat(d, name, &times(st), AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(())
}

/// A chown refused because the id is not mapped (an unprivileged copy
/// without subordinate ids) leaves the copier's own.
fn chown_ok(r: rustix::io::Result<()>) -> io::Result<()> {
    match r {
        Err(Errno::PERM | Errno::INVAL) if !rustix::process::geteuid().is_root() => Ok(()),
        r => Ok(r?),
    }
}

/// The extended attributes to copy: all but overlayfs's own.
fn xattrs(fd: BorrowedFd<'_>) -> io::Result<Vec<(OsString, Vec<u8>)>> {
    let mut names = vec![0u8; 4096];
    let n = match rustix::fs::flistxattr(fd, &mut names) {
        Ok(n) => n,
        Err(Errno::NOTSUP) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for key in names[..n].split(|&c| c == 0).filter(|k| !k.is_empty()) {
        if key.starts_with(b"trusted.overlay.") || key.starts_with(b"user.overlay.") {
            continue;
        }
        let key = OsStr::from_bytes(key);
        let mut value = vec![0u8; 65536];
        match rustix::fs::fgetxattr(fd, key, &mut value) {
            Ok(len) => {
                value.truncate(len);
                out.push((key.to_owned(), value));
            }
            Err(Errno::NODATA) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// Is the directory opaque (overlayfs's xattr, or AUFS's marker)?
fn opaque(dir: &OwnedFd, names: &[OsString]) -> bool {
    if names.iter().any(|n| n.as_bytes() == b".wh..wh..opq") {
        return true;
    }
    ["trusted.overlay.opaque", "user.overlay.opaque"]
        .iter()
        .any(|k| {
            let mut v = [0u8; 2];
            matches!(rustix::fs::fgetxattr(dir, *k, &mut v), Ok(1) if v[0] == b'y')
        })
}

/// A readable descriptor of the directory `rel` under `root`.
fn open_dir(root: BorrowedFd<'_>, rel: &Path) -> io::Result<OwnedFd> {
    let rel: &Path = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    Ok(rustix::fs::openat2(
        root,
        rel,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
        rustix::fs::ResolveFlags::IN_ROOT | rustix::fs::ResolveFlags::NO_MAGICLINKS,
    )?)
}

/// The names in a directory, without `.` and `..`, sorted (so a copy is
/// the same each time).
fn list(dir: &OwnedFd) -> io::Result<Vec<OsString>> {
    let mut names = Vec::new();
    let mut d = rustix::fs::Dir::read_from(dir)?;
    while let Some(ent) = d.read() {
        let ent = ent?;
        let n = ent.file_name().to_bytes();
        if n != b"." && n != b".." {
            names.push(OsStr::from_bytes(n).to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn mode(st: &Stat) -> Mode {
    Mode::from_raw_mode(st.st_mode & 0o7777)
}

fn times(st: &Stat) -> Timestamps {
    Timestamps {
        last_access: rustix::fs::Timespec {
            tv_sec: st.st_atime,
            tv_nsec: st.st_atime_nsec as _,
        },
        last_modification: rustix::fs::Timespec {
            tv_sec: st.st_mtime,
            tv_nsec: st.st_mtime_nsec as _,
        },
    }
}

#[cfg(test)]
#[path = "vfs_tests.rs"]
mod tests;
