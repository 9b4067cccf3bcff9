//! What a container changed: its overlay upper dir against its image's
//! layers (`diff`), and those changes as a layer tar (`commit`).
//!
//! An entry of the upper dir is a deletion when it is a whiteout (a 0/0
//! character device), an addition when no layer has it, else a change. A
//! directory the layers have counts as changed only when something below
//! it changed, when it is opaque, or when its mode or owner differ: a
//! copy-up alone (a mountpoint made in it) is no change. The mountpoints
//! the runtime makes (`/proc`, `/etc/hosts`, a volume's directory, ...)
//! are left out when they are empty and the image lacks them, as docker
//! keeps them in a separate init layer. Everything is read by descriptor
//! inside the upper dir's root, without following a symlink.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Stat};

use crate::fsroot::Root;
use crate::image::treetar::{list, reopen_dir, TarWriter};

/// docker's `A`, `C`, `D`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Changed,
    Deleted,
}

impl Kind {
    pub fn letter(self) -> char {
        match self {
            Kind::Added => 'A',
            Kind::Changed => 'C',
            Kind::Deleted => 'D',
        }
    }
}

/// One changed path (relative to the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    pub kind: Kind,
    /// An opaque directory (its lower contents are hidden).
    pub opaque: bool,
}

/// Paths every container's runtime makes as mountpoints.
pub const RUNTIME_MOUNTPOINTS: &[&str] = &[
    "proc",
    "sys",
    "dev",
    "etc/hosts",
    "etc/hostname",
    "etc/resolv.conf",
];

/// An entry of the upper dir, as the walk found it.
struct Seen {
    path: PathBuf,
    st: Stat,
    whiteout: bool,
    opaque: bool,
    empty_dir: bool,
}

fn is_whiteout(st: &Stat) -> bool {
    FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice && st.st_rdev == 0
}

/// The changes of `upper` over `lowers` (top first), sorted by path;
/// `opaque_xattr` is `trusted.overlay.opaque` (rootful) or
/// `user.overlay.opaque` (rootless); `mountpoints` are left out when empty
/// and absent from the layers.
pub fn changes(
    upper: &Root,
    lowers: &[Root],
    opaque_xattr: &str,
    mountpoints: &[PathBuf],
) -> io::Result<Vec<Change>> {
    let seen = walk(upper, opaque_xattr)?;
    let lower_stat = |p: &Path| -> Option<Stat> {
        for l in lowers {
            match l.symlink_metadata(p) {
                Ok(st) if is_whiteout(&st) => return None,
                Ok(st) => return Some(st),
                Err(_) => {}
            }
        }
        None
    };
    let mut out: Vec<Change> = Vec::new();
    let mut quiet_dirs: Vec<PathBuf> = Vec::new();
    for s in &seen {
        if s.whiteout {
            out.push(change(&s.path, Kind::Deleted, false));
            continue;
        }
        let lower = lower_stat(&s.path);
        let is_dir = FileType::from_raw_mode(s.st.st_mode) == FileType::Directory;
        let empty = s.empty_dir || (!is_dir && s.st.st_size == 0);
        if lower.is_none() && empty && mountpoints.contains(&s.path) {
            continue;
        }
        match lower {
            None => out.push(change(&s.path, Kind::Added, s.opaque)),
            Some(l) if is_dir => {
                let same =
                    l.st_mode == s.st.st_mode && l.st_uid == s.st.st_uid && l.st_gid == s.st.st_gid;
                if same && !s.opaque {
                    quiet_dirs.push(s.path.clone());
                } else {
                    out.push(change(&s.path, Kind::Changed, s.opaque));
                }
            }
            Some(_) => out.push(change(&s.path, Kind::Changed, false)),
        }
    }
    // A directory holding a change is changed (docker lists it).
    let listed: BTreeSet<PathBuf> = out.iter().map(|c| c.path.clone()).collect();
    for d in quiet_dirs {
        if listed.iter().any(|p| p.starts_with(&d) && *p != d) {
            out.push(change(&d, Kind::Changed, false));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn change(p: &Path, kind: Kind, opaque: bool) -> Change {
    Change {
        path: p.to_owned(),
        kind,
        opaque,
    }
}

/// Every entry of `upper` (not below a whiteout), parents first.
fn walk(upper: &Root, opaque_xattr: &str) -> io::Result<Vec<Seen>> {
    let mut out = Vec::new();
    let mut work = vec![(reopen_dir(upper.fd(), None)?, PathBuf::new())];
    while let Some((dir, rel)) = work.pop() {
        for name in list(&dir)? {
            let st = rustix::fs::statat(&dir, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)?;
            let path = rel.join(&name);
            let mut seen = Seen {
                path: path.clone(),
                st,
                whiteout: is_whiteout(&st),
                opaque: false,
                empty_dir: false,
            };
            if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
                let sub = reopen_dir(dir.as_fd(), Some(name.as_os_str()))?;
                seen.opaque = opaque(&sub, opaque_xattr);
                seen.empty_dir = list(&sub)?.is_empty();
                work.push((sub, path));
            }
            out.push(seen);
        }
    }
    Ok(out)
}

fn opaque(dir: &std::os::fd::OwnedFd, xattr: &str) -> bool {
    let mut buf = [0u8; 4];
    matches!(rustix::fs::fgetxattr(dir, xattr, &mut buf), Ok(1) if buf[0] == b'y')
}

/// The changes as a layer tar (docker's form: a deletion is an empty
/// `.wh.NAME`, an opaque directory holds `.wh..wh..opq`); what an added
/// or changed directory holds comes with it only as listed in `changes`.
/// Returns the bytes of file content written.
pub fn write_layer(upper: &Root, changes: &[Change], w: impl Write) -> io::Result<u64> {
    let mut t = TarWriter::new(w);
    for c in changes {
        let (parent, name) = match (c.path.parent(), c.path.file_name()) {
            (Some(p), Some(n)) => (p, n),
            _ => continue,
        };
        if c.kind == Kind::Deleted {
            let mut wh = std::ffi::OsString::from(".wh.");
            wh.push(name);
            t.marker(&parent.join(wh))?;
            continue;
        }
        let (pfd, n) = upper.open_parent(&c.path)?;
        let st = rustix::fs::statat(&pfd, n.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)?;
        if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
            t.dir(&st, &c.path)?;
            if c.opaque {
                t.marker(&c.path.join(".wh..wh..opq"))?;
            }
        } else {
            t.entry(pfd.as_fd(), Some(OsStr::new(&n)), &st, &c.path)?;
        }
    }
    t.b.finish()?;
    Ok(t.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn upper_against_lowers() {
        let t = tempfile::tempdir().unwrap();
        let (up, low) = (t.path().join("upper"), t.path().join("lower"));
        for d in ["etc", "tmp", "usr/lib", "proc"] {
            std::fs::create_dir_all(low.join(d)).unwrap();
        }
        std::fs::write(low.join("etc/passwd"), "root").unwrap();
        std::fs::write(low.join("usr/lib/gone"), "x").unwrap();
        // The container: a copied-up /etc with only a mountpoint in it, a
        // new file in /tmp, a changed passwd in /usr... a deletion, a new
        // dir with a symlink, and the runtime's mountpoints.
        for d in ["etc", "tmp", "usr/lib", "new", "dev", "proc"] {
            std::fs::create_dir_all(up.join(d)).unwrap();
        }
        std::fs::write(up.join("etc/hostname"), "").unwrap();
        std::fs::write(up.join("tmp/file"), "x").unwrap();
        symlink("/etc", up.join("new/link")).unwrap();
        let dev = rustix::fs::makedev(0, 0);
        if rustix::fs::mknodat(
            rustix::fs::CWD,
            up.join("usr/lib/gone"),
            FileType::CharacterDevice,
            rustix::fs::Mode::from_raw_mode(0),
            dev,
        )
        .is_err()
        {
            // Not root: no whiteout to make here (the integration tests
            // cover it).
            return;
        }
        let (u, l) = (Root::open(&up).unwrap(), Root::open(&low).unwrap());
        let mps: Vec<PathBuf> = RUNTIME_MOUNTPOINTS.iter().map(PathBuf::from).collect();
        let c = changes(&u, &[l], "trusted.overlay.opaque", &mps).unwrap();
        let shown: Vec<String> = c
            .iter()
            .map(|c| format!("{} /{}", c.kind.letter(), c.path.display()))
            .collect();
        assert_eq!(
            shown,
            [
                "A /new",
                "A /new/link",
                "C /tmp",
                "A /tmp/file",
                "C /usr",
                "C /usr/lib",
                "D /usr/lib/gone"
            ]
        );
        let mut tar_bytes = Vec::new();
        write_layer(&u, &c, &mut tar_bytes).unwrap();
        let names: Vec<String> = tar::Archive::new(&tar_bytes[..])
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "new/",
                "new/link",
                "tmp/",
                "tmp/file",
                "usr/",
                "usr/lib/",
                "usr/lib/.wh.gone"
            ]
        );
    }
}
