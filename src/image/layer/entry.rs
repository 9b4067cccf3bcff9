//! One tar entry at a time: names cleaned, paths resolved inside the
//! destination, files, links, devices and whiteouts created.

use super::{Ctx, DirTimes, Kind, LayerError, Meta, Unpacker};
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Gid, Mode, OFlags, Uid, XattrFlags};
use rustix::io::Errno;
use tar::EntryType;

use crate::fsroot::{self};
use crate::runtime::cgroups::devices::{docker_rules, Access, DeviceKind, Policy};

/// Cleans a tar entry name into a relative path of normal components:
/// drops a leading `/`, `.` components and empty components, and applies
/// `..` lexically. `None` when a `..` would climb above the root; an empty
/// path is the root itself.
pub(super) fn clean_name(raw: &[u8]) -> Option<PathBuf> {
    let mut comps: Vec<&[u8]> = Vec::new();
    for c in raw.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                comps.pop()?;
            }
            c => comps.push(c),
        }
    }
    Some(comps.iter().map(|c| OsStr::from_bytes(c)).collect())
}

impl Unpacker<'_> {
    pub(super) fn entry<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
    ) -> Result<(), LayerError> {
        let raw_name = entry.path_bytes().into_owned();
        let display = String::from_utf8_lossy(&raw_name).into_owned();
        self.last = Some(display.clone());
        let ctx = Ctx { path: &display };

        let etype = entry.header().entry_type();
        // Old (v7) tars mark directories as regular files with a trailing
        // slash, as Go's archive/tar knows.
        let v7_dir = entry.header().as_bytes()[156] == 0 && raw_name.ends_with(b"/");
        let kind = match etype {
            EntryType::XGlobalHeader => return Ok(()),
            _ if v7_dir => Kind::Dir,
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => Kind::File,
            EntryType::Directory => Kind::Dir,
            EntryType::Symlink => Kind::Symlink,
            EntryType::Link => Kind::Hardlink,
            EntryType::Char => Kind::Char,
            EntryType::Block => Kind::Block,
            EntryType::Fifo => Kind::Fifo,
            other => {
                return Err(LayerError::Unsupported {
                    path: display,
                    kind: other,
                })
            }
        };
        if kind == Kind::File {
            self.size += entry.size();
        }
        let rel = self
            .copy_path(clean_name(&raw_name))
            .ok_or_else(|| LayerError::Escape {
                path: display.clone(),
            })?;
        let meta = self.meta(entry, &ctx)?;

        if rel.as_os_str().is_empty() {
            if kind != Kind::Dir {
                return Err(ctx.invalid("the layer root must be a directory"));
            }
            let fd = self
                .root
                .resolve(Path::new(""), OFlags::RDONLY | OFlags::DIRECTORY)
                .map_err(ctx.err("opening the layer root"))?;
            self.set_fd_meta(&fd, &meta, &ctx)?;
            self.dirs.push(DirTimes {
                rel,
                times: meta.times,
            });
            return Ok(());
        }

        let (parent_rel, name) = fsroot::split_parent(&rel).map_err(ctx.err("splitting path"))?;
        let parent = self.take_parent(&parent_rel, &ctx)?;
        let res = self.entry_in(entry, kind, &rel, &parent, &name, meta, &ctx);
        if !std::mem::take(&mut self.moved) {
            self.parent = Some((parent_rel, parent));
        }
        res
    }

    /// The O_PATH fd of `rel`, created if missing (mode 0755).
    fn take_parent(&mut self, rel: &Path, ctx: &Ctx<'_>) -> Result<OwnedFd, LayerError> {
        if let Some((p, fd)) = self.parent.take() {
            if p == rel {
                return Ok(fd);
            }
        }
        self.root
            .mkdir_all(rel, 0o755)
            .map_err(ctx.err("creating parent directories"))
    }

    #[allow(clippy::too_many_arguments)]
    fn entry_in<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        kind: Kind,
        rel: &Path,
        parent: &OwnedFd,
        name: &OsStr,
        meta: Meta,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        let parent = parent.as_fd();
        let name_b = name.as_bytes();
        if let Some(orig) = name_b.strip_prefix(b".wh.").filter(|_| !self.plain(name_b)) {
            if name_b == b".wh..wh..opq" {
                return self.opaque(parent, ctx);
            }
            if orig.starts_with(b".wh.") {
                // Other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs, …).
                return Ok(());
            }
            if !self.opts.aufs_whiteouts {
                return self.whiteout(parent, OsStr::from_bytes(orig), &meta, ctx);
            }
        }
        if matches!(kind, Kind::Char | Kind::Block) && !self.device_allowed(entry, kind, ctx)? {
            return Ok(());
        }

        // Resolve a hardlink's target before anything is removed.
        let link = if kind == Kind::Hardlink {
            let raw = entry
                .link_name_bytes()
                .ok_or_else(|| ctx.invalid("hardlink without a target"))?;
            let target_display = String::from_utf8_lossy(&raw).into_owned();
            let target =
                self.copy_path(clean_name(&raw))
                    .ok_or_else(|| LayerError::LinkEscape {
                        path: ctx.path.to_owned(),
                        target: target_display.clone(),
                    })?;
            if target == rel {
                // A link to itself: nothing to do.
                return Ok(());
            }
            let link_err = move |source: io::Error| LayerError::Link {
                path: ctx.path.to_owned(),
                target: target_display.clone(),
                source,
            };
            let (tparent, tname) = self.root.open_parent(&target).map_err(&link_err)?;
            Some((tparent, tname, link_err))
        } else {
            None
        };

        self.replace_existing(parent, name, kind, ctx)?;

        match kind {
            Kind::File => self.file(entry, parent, name, &meta, ctx),
            Kind::Dir => self.create_dir(parent, name, rel, meta, ctx),
            Kind::Symlink => self.create_symlink(entry, parent, name, &meta, ctx),
            Kind::Hardlink => {
                let Some((tparent, tname, link_err)) = link else {
                    unreachable!("hardlink target resolved above")
                };
                rustix::fs::linkat(&tparent, tname.as_os_str(), parent, name, AtFlags::empty())
                    .map_err(|e| link_err(e.into()))?;
                // Like moby: the header's metadata goes to the linked inode,
                // but mode and times only when it is not a symlink.
                let st = rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW)
                    .map_err(ctx.errno("checking the new hardlink"))?;
                let is_symlink = FileType::from_raw_mode(st.st_mode) == FileType::Symlink;
                self.set_at_meta(parent, name, &meta, !is_symlink, ctx)
            }
            Kind::Char | Kind::Block | Kind::Fifo => {
                self.create_node(entry, kind, parent, name, &meta, ctx)
            }
        }
    }

    /// A `.wh.` name that is a name, not a whiteout: any of `cp`'s, and an
    /// AUFS store's opaque marker.
    fn plain(&self, name: &[u8]) -> bool {
        self.opts.copy.is_some() || (self.opts.aufs_whiteouts && name == b".wh..wh..opq")
    }

    /// A cleaned entry name under `cp`'s prefix (unchanged for a layer).
    fn copy_path(&self, rel: Option<PathBuf>) -> Option<PathBuf> {
        match (&self.opts.copy, rel) {
            (Some(c), Some(rel)) => Some(c.prefix.join(rel)),
            (_, rel) => rel,
        }
    }

    /// Replace what is at `name`, unless a directory meets a directory.
    fn replace_existing(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        kind: Kind,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => {
                let ft = FileType::from_raw_mode(st.st_mode);
                let is_dir = ft == FileType::Directory;
                if self.opts.copy.is_some() && is_dir != (kind == Kind::Dir) {
                    let (what, with) = if is_dir {
                        ("directory", "non-directory")
                    } else {
                        ("non-directory", "directory")
                    };
                    return Err(
                        ctx.invalid(format!("cannot overwrite {what} {:?} with {with}", name))
                    );
                }
                self.moved |= ft == FileType::Symlink || (is_dir && kind != Kind::Dir);
                if is_dir && kind != Kind::Dir {
                    fsroot::remove_all_at(parent, name)
                        .map_err(ctx.err("removing the existing directory"))?;
                } else if !is_dir {
                    rustix::fs::unlinkat(parent, name, AtFlags::empty())
                        .map_err(ctx.errno("removing the existing entry"))?;
                }
            }
            Err(Errno::NOENT) => {}
            Err(e) => return Err(ctx.errno("checking for an existing entry")(e)),
        }
        Ok(())
    }

    /// A directory (or an existing one's new metadata); its times are set
    /// at the end.
    fn create_dir(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        rel: &Path,
        meta: Meta,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        match rustix::fs::mkdirat(parent, name, Mode::from_raw_mode(0o700)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(ctx.errno("creating directory")(e)),
        }
        let fd = rustix::fs::openat(
            parent,
            name,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(ctx.errno("opening directory"))?;
        self.set_fd_meta(&fd, &meta, ctx)?;
        self.dirs.push(DirTimes {
            rel: rel.to_owned(),
            times: meta.times,
        });
        Ok(())
    }

    /// A symlink to the entry's link name (never followed).
    fn create_symlink<R: Read>(
        &self,
        entry: &tar::Entry<'_, R>,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        meta: &Meta,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        let target = entry
            .link_name_bytes()
            .ok_or_else(|| ctx.invalid("symlink without a target"))?;
        rustix::fs::symlinkat(OsStr::from_bytes(&target), parent, name)
            .map_err(ctx.errno("creating symlink"))?;
        self.set_at_meta(parent, name, meta, false, ctx)
    }

    /// A device node or FIFO; device nodes are skipped when rootless and
    /// the kernel refuses them.
    fn create_node<R: Read>(
        &self,
        entry: &tar::Entry<'_, R>,
        kind: Kind,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        meta: &Meta,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        let (ft, dev) = match kind {
            Kind::Char => (FileType::CharacterDevice, self.dev(entry, ctx)?),
            Kind::Block => (FileType::BlockDevice, self.dev(entry, ctx)?),
            _ => (FileType::Fifo, 0),
        };
        match rustix::fs::mknodat(
            parent,
            name,
            ft,
            Mode::from_raw_mode(meta.mode & 0o777),
            dev,
        ) {
            Ok(()) => {}
            Err(Errno::PERM) if self.opts.rootless && kind != Kind::Fifo => return Ok(()),
            Err(e) => return Err(ctx.errno("creating device node")(e)),
        }
        self.set_at_meta(parent, name, meta, true, ctx)
    }

    /// Whether a device node may be created: a 0/0 character device (an
    /// overlayfs whiteout), or one docker's default device policy lets a
    /// container open. Block devices and other character devices are
    /// skipped, so no image hands a container a node to the host's disks.
    fn device_allowed<R: Read>(
        &self,
        entry: &tar::Entry<'_, R>,
        kind: Kind,
        ctx: &Ctx<'_>,
    ) -> Result<bool, LayerError> {
        let dev = self.dev(entry, ctx)?;
        let (major, minor) = (rustix::fs::major(dev), rustix::fs::minor(dev));
        Ok(match kind {
            Kind::Char if (major, minor) == (0, 0) => true,
            Kind::Char => {
                layer_policy().allows(DeviceKind::Char, major, minor, Access::READ | Access::WRITE)
            }
            _ => layer_policy().allows(
                DeviceKind::Block,
                major,
                minor,
                Access::READ | Access::WRITE,
            ),
        })
    }

    pub(super) fn dev<R: Read>(
        &self,
        entry: &tar::Entry<'_, R>,
        ctx: &Ctx<'_>,
    ) -> Result<u64, LayerError> {
        let h = entry.header();
        let major = h
            .device_major()
            .map_err(ctx.err("reading device major"))?
            .unwrap_or(0);
        let minor = h
            .device_minor()
            .map_err(ctx.err("reading device minor"))?
            .unwrap_or(0);
        Ok(rustix::fs::makedev(major, minor))
    }

    pub(super) fn file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        meta: &Meta,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        let fd = rustix::fs::openat(
            parent,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(ctx.errno("creating file"))?;
        let mut file = File::from(fd);
        let expected = entry.size();
        let sparse = entry.header().entry_type() == EntryType::GNUSparse;
        let mut written: u64 = 0;
        loop {
            let n = match entry.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ctx.err("reading file content")(e)),
            };
            file.write_all(&self.buf[..n])
                .map_err(ctx.err("writing file"))?;
            written += n as u64;
        }
        if !sparse && written < expected {
            return Err(ctx.err("reading file content")(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("stream ended after {written} of {expected} bytes"),
            )));
        }
        self.set_fd_meta(file.as_fd(), meta, ctx)?;
        rustix::fs::futimens(&file, &meta.times).map_err(ctx.errno("setting times"))
    }

    /// `.wh.NAME`: NAME becomes a 0/0 character device (an overlayfs
    /// whiteout), replacing whatever is there.
    pub(super) fn whiteout(
        &mut self,
        parent: BorrowedFd<'_>,
        orig: &OsStr,
        meta: &Meta,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        if matches!(orig.as_bytes(), b"" | b"." | b"..") {
            return Err(ctx.invalid("whiteout of an invalid name"));
        }
        self.moved = true;
        fsroot::remove_all_at(parent, orig).map_err(ctx.err("removing the whited-out entry"))?;
        rustix::fs::mknodat(parent, orig, FileType::CharacterDevice, Mode::empty(), 0)
            .map_err(ctx.errno("creating whiteout device"))?;
        self.chown_result(rustix::fs::chownat(
            parent,
            orig,
            Some(Uid::from_raw(meta.uid)),
            Some(Gid::from_raw(meta.gid)),
            AtFlags::SYMLINK_NOFOLLOW,
        ))
        .map_err(ctx.errno("changing owner of whiteout"))
    }

    /// `.wh..wh..opq`: mark the containing directory opaque.
    pub(super) fn opaque(&self, dir: BorrowedFd<'_>, ctx: &Ctx<'_>) -> Result<(), LayerError> {
        let fd = rustix::fs::openat(
            dir,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(ctx.errno("opening the opaque directory"))?;
        let key = if self.opts.rootless {
            "user.overlay.opaque"
        } else {
            "trusted.overlay.opaque"
        };
        rustix::fs::fsetxattr(&fd, key, b"y", XattrFlags::empty())
            .map_err(ctx.errno("marking the directory opaque"))
    }
}

/// docker's default device policy, which decides the device nodes a layer
/// may hold.
fn layer_policy() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| Policy::from_rules(&docker_rules(false, &[])))
}
