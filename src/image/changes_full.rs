//! What a vfs container changed: its root (a full copy) against its
//! image's layers merged, as docker's naive differ (`archive.ChangesDirs`)
//! finds it.
//!
//! The layers are merged bottom to top into one table of path and status,
//! with whiteouts in either form (overlayfs's 0/0 character device and
//! opaque xattr, AUFS's `.wh.NAME` and `.wh..wh..opq`). The root is walked
//! into another. A path only the root has is added; one only the layers
//! have is deleted (the topmost such path alone); one both have is changed
//! when its type, mode, owner or device number differ, or, not being a
//! directory, its size or modification time (docker's rule: a directory's
//! size and time say nothing). A directory holding a change is changed
//! too. The runtime's empty mountpoints are left out, as in
//! [`super::changes::changes`]. Nothing follows a symlink.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Stat};

use super::changes::{Change, Kind};
use crate::fsroot::Root;
use crate::image::treetar::{list, reopen_dir};

type Tree = BTreeMap<PathBuf, Stat>;

/// The changes of the full copy `root` over `lowers` (top first), sorted
/// by path.
pub fn changes(root: &Root, lowers: &[Root], mountpoints: &[PathBuf]) -> io::Result<Vec<Change>> {
    let mut old = Tree::new();
    for l in lowers.iter().rev() {
        merge_layer(&mut old, l)?;
    }
    let new: Tree = walk(root, |_, _, _| Ok(()))?
        .into_iter()
        .map(|(p, st, ())| (p, st))
        .collect();
    Ok(compare(&old, &new, mountpoints))
}

fn compare(old: &Tree, new: &Tree, mountpoints: &[PathBuf]) -> Vec<Change> {
    let is_dir = |st: &Stat| FileType::from_raw_mode(st.st_mode) == FileType::Directory;
    let mut out: BTreeMap<PathBuf, Kind> = BTreeMap::new();
    for (p, st) in new {
        match old.get(p) {
            None => {
                let empty = if is_dir(st) {
                    new.range(p.clone()..)
                        .nth(1)
                        .is_none_or(|(q, _)| !q.starts_with(p))
                } else {
                    st.st_size == 0
                };
                if !(empty && mountpoints.contains(p)) {
                    out.insert(p.clone(), Kind::Added);
                }
            }
            Some(o) if differs(o, st) => {
                out.insert(p.clone(), Kind::Changed);
            }
            Some(_) => {}
        }
    }
    for p in old.keys() {
        let parent_is_dir = match p.parent() {
            Some(q) if q.as_os_str().is_empty() => true,
            Some(q) => new.get(q).is_some_and(is_dir) && old.get(q).is_some_and(is_dir),
            None => false,
        };
        if parent_is_dir && !new.contains_key(p) {
            out.insert(p.clone(), Kind::Deleted);
        }
    }
    // A directory holding a change is changed (docker lists it).
    let inner: Vec<PathBuf> = out.keys().cloned().collect();
    for p in inner {
        for a in p.ancestors().skip(1) {
            if a.as_os_str().is_empty() || out.contains_key(a) {
                break;
            }
            out.insert(a.to_owned(), Kind::Changed);
        }
    }
    out.into_iter()
        .map(|(path, kind)| Change {
            path,
            kind,
            opaque: false,
        })
        .collect()
}

/// docker's test of a path both trees have.
fn differs(o: &Stat, n: &Stat) -> bool {
    let dir = FileType::from_raw_mode(n.st_mode) == FileType::Directory;
    o.st_mode != n.st_mode
        || o.st_uid != n.st_uid
        || o.st_gid != n.st_gid
        || o.st_rdev != n.st_rdev
        || (!dir
            && (o.st_size != n.st_size
                || o.st_mtime != n.st_mtime
                || o.st_mtime_nsec != n.st_mtime_nsec))
}

/// What a layer's walk makes of an entry: whether it is content, and
/// what it hides of the layers below.
struct Judged {
    keep: bool,
    /// A path removed with what is below it (`true`), or only what is
    /// below it (an opaque directory, `false`).
    hides: Option<(PathBuf, bool)>,
}

/// One layer over the merged table.
fn merge_layer(tree: &mut Tree, layer: &Root) -> io::Result<()> {
    let found = walk(layer, |dir, path, st| {
        let name = path.file_name().unwrap_or_default().as_bytes();
        let parent = path.parent().unwrap_or(Path::new(""));
        let content = |hides| Judged { keep: true, hides };
        if let Some(orig) = name.strip_prefix(b".wh.") {
            let hides = if orig == b".wh..opq" {
                Some((parent.to_owned(), false))
            } else if orig.starts_with(b".wh.") {
                None
            } else {
                Some((parent.join(OsStr::from_bytes(orig)), true))
            };
            return Ok(Judged { keep: false, hides });
        }
        let kind = FileType::from_raw_mode(st.st_mode);
        if kind == FileType::CharacterDevice && st.st_rdev == 0 {
            let hides = Some((path.to_owned(), true));
            return Ok(Judged { keep: false, hides });
        }
        if kind == FileType::Directory && opaque(dir, path)? {
            return Ok(content(Some((path.to_owned(), false))));
        }
        Ok(content(None))
    })?;
    // What the layer hides goes first, then what it holds.
    for (_, _, j) in &found {
        match &j.hides {
            Some((p, true)) => {
                tree.remove(p);
                remove_below(tree, p);
            }
            Some((p, false)) => remove_below(tree, p),
            None => {}
        }
    }
    for (p, st, j) in found {
        if !j.keep {
            continue;
        }
        if FileType::from_raw_mode(st.st_mode) != FileType::Directory {
            remove_below(tree, &p);
        }
        tree.insert(p, st);
    }
    Ok(())
}

/// Removes everything strictly below `dir`.
fn remove_below(tree: &mut Tree, dir: &Path) {
    let below: Vec<PathBuf> = tree
        .range(dir.to_path_buf()..)
        .skip_while(|(p, _)| p.as_path() == dir)
        .take_while(|(p, _)| p.starts_with(dir))
        .map(|(p, _)| p.clone())
        .collect();
    for p in below {
        tree.remove(&p);
    }
}

/// Whether the directory `rel` (in `dir`, its parent) is opaque.
fn opaque(dir: &OwnedFd, rel: &Path) -> io::Result<bool> {
    let sub = reopen_dir(dir.as_fd(), rel.file_name())?;
    let mut buf = [0u8; 4];
    Ok(["trusted.overlay.opaque", "user.overlay.opaque"]
        .iter()
        .any(|x| matches!(rustix::fs::fgetxattr(&sub, *x, &mut buf), Ok(1) if buf[0] == b'y')))
}

/// Every entry below `root` (parents before children) with what `judge`
/// makes of it; `judge` gets the entry's directory and its path.
fn walk<J>(
    root: &Root,
    judge: impl Fn(&OwnedFd, &Path, &Stat) -> io::Result<J>,
) -> io::Result<Vec<(PathBuf, Stat, J)>> {
    let mut out = Vec::new();
    let mut work = vec![(reopen_dir(root.fd(), None)?, PathBuf::new())];
    while let Some((dir, rel)) = work.pop() {
        for name in list(&dir)? {
            let st = rustix::fs::statat(&dir, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)?;
            let path = rel.join(&name);
            let j = judge(&dir, &path, &st)?;
            if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
                work.push((
                    reopen_dir(dir.as_fd(), Some(name.as_os_str()))?,
                    path.clone(),
                ));
            }
            out.push((path, st, j));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn shown(c: &[Change]) -> Vec<String> {
        c.iter()
            .map(|c| format!("{} /{}", c.kind.letter(), c.path.display()))
            .collect()
    }

    /// Two layers with AUFS whiteouts (an opaque directory, a deletion)
    /// against a copy that changed, added, deleted, retyped and left
    /// alone.
    #[test]
    fn a_full_copy_against_merged_layers() {
        let t = tempfile::tempdir().unwrap();
        let (bottom, top, root) = (t.path().join("b"), t.path().join("t"), t.path().join("r"));
        for d in ["etc", "opq/old", "usr/lib", "var/cache/x", "proc"] {
            fs::create_dir_all(bottom.join(d)).unwrap();
        }
        fs::write(bottom.join("etc/passwd"), "root").unwrap();
        fs::write(bottom.join("etc/group"), "root").unwrap();
        fs::write(bottom.join("usr/lib/gone-in-top"), "x").unwrap();
        fs::write(bottom.join("opq/old/f"), "x").unwrap();
        fs::write(bottom.join("var/cache/x/f"), "x").unwrap();
        for d in ["opq", "usr/lib"] {
            fs::create_dir_all(top.join(d)).unwrap();
        }
        fs::write(top.join("opq/.wh..wh..opq"), "").unwrap();
        fs::write(top.join("opq/kept"), "k").unwrap();
        fs::write(top.join("usr/lib/.wh.gone-in-top"), "").unwrap();
        // The copy, as the vfs driver makes it, then changed.
        crate::image::vfs::build(&[top.clone(), bottom.clone()], {
            fs::create_dir(&root).unwrap();
            &root
        })
        .unwrap();
        let base = shown(
            &changes(
                &Root::open(&root).unwrap(),
                &[Root::open(&top).unwrap(), Root::open(&bottom).unwrap()],
                &[],
            )
            .unwrap(),
        );
        assert!(base.is_empty(), "{base:?}");
        fs::write(root.join("etc/passwd"), "root:x").unwrap();
        fs::remove_dir_all(root.join("var/cache")).unwrap();
        fs::remove_file(root.join("etc/group")).unwrap();
        fs::create_dir(root.join("etc/group")).unwrap();
        fs::create_dir_all(root.join("new/sub")).unwrap();
        symlink("/etc", root.join("new/sub/link")).unwrap();
        fs::write(root.join("etc/hostname"), "").unwrap();
        let mps = vec![PathBuf::from("etc/hostname"), PathBuf::from("proc")];
        let c = changes(
            &Root::open(&root).unwrap(),
            &[Root::open(&top).unwrap(), Root::open(&bottom).unwrap()],
            &mps,
        )
        .unwrap();
        assert_eq!(
            shown(&c),
            [
                "C /etc",
                "C /etc/group",
                "C /etc/passwd",
                "A /new",
                "A /new/sub",
                "A /new/sub/link",
                "C /var",
                "D /var/cache",
            ]
        );
    }

    #[test]
    fn merging_obeys_whiteouts_in_either_form() {
        let t = tempfile::tempdir().unwrap();
        let (bottom, top) = (t.path().join("b"), t.path().join("t"));
        for d in ["a/deep", "o/old"] {
            fs::create_dir_all(bottom.join(d)).unwrap();
        }
        fs::write(bottom.join("a/deep/f"), "x").unwrap();
        fs::write(bottom.join("file-then-dir"), "x").unwrap();
        fs::create_dir_all(top.join("file-then-dir/in")).unwrap();
        fs::create_dir_all(top.join("o")).unwrap();
        fs::write(top.join("o/new"), "n").unwrap();
        let dev = rustix::fs::makedev(0, 0);
        let whiteout = rustix::fs::mknodat(
            rustix::fs::CWD,
            top.join("a"),
            FileType::CharacterDevice,
            rustix::fs::Mode::from_raw_mode(0),
            dev,
        );
        if whiteout.is_err() {
            // Not root: no device node to make (the integration tests
            // run as root).
            return;
        }
        rustix::fs::setxattr(
            top.join("o"),
            "trusted.overlay.opaque",
            b"y",
            rustix::fs::XattrFlags::empty(),
        )
        .unwrap();
        let mut tree = Tree::new();
        merge_layer(&mut tree, &Root::open(&bottom).unwrap()).unwrap();
        merge_layer(&mut tree, &Root::open(&top).unwrap()).unwrap();
        let paths: Vec<String> = tree.keys().map(|p| p.display().to_string()).collect();
        assert_eq!(paths, ["file-then-dir", "file-then-dir/in", "o", "o/new"]);
    }
}
