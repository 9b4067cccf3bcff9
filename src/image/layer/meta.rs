//! An entry's metadata: ownership (id-mapped), mode, PAX xattrs and
//! times; directory times are set once the whole layer is unpacked.

use super::{Ctx, LayerError, Meta, Unpacker};
use std::ffi::OsStr;
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{AtFlags, FileType, Gid, Mode, Timespec, Timestamps, Uid, XattrFlags};
use rustix::io::Errno;

/// Parses a PAX time (`seconds[.fraction]`, maybe negative).
pub(super) fn parse_pax_time(v: &[u8]) -> Option<Timespec> {
    let s = std::str::from_utf8(v).ok()?;
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    let secs: i64 = secs.parse().ok()?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut nsec: i64 = 0;
    for i in 0..9 {
        nsec = nsec * 10 + frac.as_bytes().get(i).map_or(0, |d| i64::from(d - b'0'));
    }
    Some(if !neg {
        Timespec {
            tv_sec: secs,
            tv_nsec: nsec,
        }
    } else if nsec == 0 {
        Timespec {
            tv_sec: -secs,
            tv_nsec: 0,
        }
    } else {
        Timespec {
            tv_sec: -secs - 1,
            tv_nsec: 1_000_000_000 - nsec,
        }
    })
}

/// overlayfs's own attributes (`trusted.overlay.*`, and `user.overlay.*`
/// for rootless mounts): in a lower layer they would be obeyed (opaque,
/// redirect, metacopy…), so a layer's tar may not set them. Only `.wh..wh..opq`
/// marks a directory opaque.
fn is_overlay_xattr(name: &[u8]) -> bool {
    name.starts_with(b"trusted.overlay.") || name.starts_with(b"user.overlay.")
}

/// Which xattr failures are tolerated: any on `security.selinux`, `EPERM`
/// always (user.* on symlinks and devices, trusted.* without privileges, as
/// moby), and "not supported" on symlinks/special files or when /proc is
/// missing (`ENOENT` from the /proc path).
fn xattr_result(r: rustix::io::Result<()>, key: &[u8], at: bool) -> rustix::io::Result<()> {
    match r {
        Ok(()) => Ok(()),
        Err(_) if key == b"security.selinux" => Ok(()),
        Err(Errno::PERM) => Ok(()),
        Err(Errno::NOTSUP | Errno::NOENT) if at => Ok(()),
        Err(e) => Err(e),
    }
}

impl Unpacker<'_> {
    /// chown, chmod and xattrs through an open (non-O_PATH) descriptor.
    pub(super) fn set_fd_meta(
        &self,
        fd: impl AsFd,
        meta: &Meta,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        let fd = fd.as_fd();
        self.chown_result(rustix::fs::fchown(
            fd,
            Some(Uid::from_raw(meta.uid)),
            Some(Gid::from_raw(meta.gid)),
        ))
        .map_err(ctx.errno("changing owner"))?;
        rustix::fs::fchmod(fd, Mode::from_raw_mode(meta.mode))
            .map_err(ctx.errno("changing mode"))?;
        for (k, v) in &meta.xattrs {
            let r = rustix::fs::fsetxattr(fd, OsStr::from_bytes(k), v, XattrFlags::empty());
            xattr_result(r, k, false).map_err(ctx.errno("setting extended attribute"))?;
        }
        Ok(())
    }

    /// chown, (chmod), xattrs and times of `name` in `parent` without
    /// opening it (symlinks, device nodes, fifos, hardlinks). `chmod` is
    /// false for symlinks. Xattrs go through `/proc/self/fd/<parent>/<name>`
    /// with `lsetxattr`; without /proc they are skipped.
    pub(super) fn set_at_meta(
        &self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        meta: &Meta,
        chmod: bool,
        ctx: &Ctx<'_>,
    ) -> Result<(), LayerError> {
        self.chown_result(rustix::fs::chownat(
            parent,
            name,
            Some(Uid::from_raw(meta.uid)),
            Some(Gid::from_raw(meta.gid)),
            AtFlags::SYMLINK_NOFOLLOW,
        ))
        .map_err(ctx.errno("changing owner"))?;
        if chmod {
            // The entry was just made by us and is not a symlink.
            rustix::fs::chmodat(
                parent,
                name,
                Mode::from_raw_mode(meta.mode),
                AtFlags::empty(),
            )
            .map_err(ctx.errno("changing mode"))?;
        }
        if !meta.xattrs.is_empty() {
            let mut path = format!("/proc/self/fd/{}/", parent.as_raw_fd()).into_bytes();
            path.extend_from_slice(name.as_bytes());
            let path = OsStr::from_bytes(&path);
            for (k, v) in &meta.xattrs {
                let r = rustix::fs::lsetxattr(path, OsStr::from_bytes(k), v, XattrFlags::empty());
                xattr_result(r, k, true).map_err(ctx.errno("setting extended attribute"))?;
            }
        }
        rustix::fs::utimensat(parent, name, &meta.times, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(ctx.errno("setting times"))
    }

    pub(super) fn chown_result(&self, r: rustix::io::Result<()>) -> rustix::io::Result<()> {
        match r {
            Err(Errno::PERM | Errno::INVAL) if self.opts.rootless => Ok(()),
            r => r,
        }
    }

    pub(super) fn meta<R: Read>(
        &self,
        entry: &mut tar::Entry<'_, R>,
        ctx: &Ctx<'_>,
    ) -> Result<Meta, LayerError> {
        let h = entry.header();
        let uid = h.uid().map_err(ctx.err("reading uid"))?;
        let gid = h.gid().map_err(ctx.err("reading gid"))?;
        let mode = h.mode().map_err(ctx.err("reading mode"))? & 0o7777;
        let mtime = h.mtime().map_err(ctx.err("reading mtime"))?;
        let gnu_atime = h.as_gnu().and_then(|g| g.atime().ok()).filter(|&t| t != 0);
        let uid = u32::try_from(uid).map_err(|_| ctx.invalid(format!("uid {uid} out of range")))?;
        let gid = u32::try_from(gid).map_err(|_| ctx.invalid(format!("gid {gid} out of range")))?;
        let secs = |t: u64| Timespec {
            tv_sec: i64::try_from(t).unwrap_or(i64::MAX),
            tv_nsec: 0,
        };
        let mut mtime = secs(mtime);
        let mut atime = gnu_atime.map(secs);
        let mut xattrs = Vec::new();
        if let Some(pax) = entry
            .pax_extensions()
            .map_err(ctx.err("reading PAX records"))?
        {
            for ext in pax {
                let ext = ext.map_err(ctx.err("reading PAX records"))?;
                let key = ext.key_bytes();
                if let Some(name) = key.strip_prefix(b"SCHILY.xattr.") {
                    if is_overlay_xattr(name) {
                        continue;
                    }
                    xattrs.push((name.to_vec(), ext.value_bytes().to_vec()));
                } else if key == b"mtime" {
                    mtime = parse_pax_time(ext.value_bytes())
                        .ok_or_else(|| ctx.invalid("bad PAX mtime"))?;
                } else if key == b"atime" {
                    atime = Some(
                        parse_pax_time(ext.value_bytes())
                            .ok_or_else(|| ctx.invalid("bad PAX atime"))?,
                    );
                }
            }
        }
        // As moby: the access time is never before the modification time.
        let atime = match atime {
            Some(a) if (a.tv_sec, a.tv_nsec) >= (mtime.tv_sec, mtime.tv_nsec) => a,
            _ => mtime,
        };
        let (uid, gid) = match (
            &self.opts.id_map,
            self.opts.copy.as_ref().and_then(|c| c.owner),
        ) {
            (_, Some(owner)) => owner,
            (None, None) => (uid, gid),
            (Some(m), None) => (
                m.map_uid(uid)
                    .ok_or_else(|| ctx.invalid(format!("uid {uid} is not in the id map")))?,
                m.map_gid(gid)
                    .ok_or_else(|| ctx.invalid(format!("gid {gid} is not in the id map")))?,
            ),
        };
        Ok(Meta {
            uid,
            gid,
            mode,
            times: Timestamps {
                last_access: atime,
                last_modification: mtime,
            },
            xattrs,
        })
    }

    /// Sets the directories' times, in archive order (the last entry for a
    /// directory wins). A directory that is gone or no longer a directory
    /// is skipped.
    pub(super) fn finish_dirs(&mut self) -> Result<(), LayerError> {
        for d in std::mem::take(&mut self.dirs) {
            let path = d.rel.display().to_string();
            let ctx = Ctx { path: &path };
            let r = if d.rel.as_os_str().is_empty() {
                rustix::fs::utimensat(self.root.fd(), ".", &d.times, AtFlags::empty())
            } else {
                let (parent, name) = match self.root.open_parent(&d.rel) {
                    Ok(v) => v,
                    Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => {
                        continue
                    }
                    Err(e) => return Err(ctx.err("setting directory times")(e)),
                };
                match rustix::fs::statat(&parent, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Directory => {}
                    Ok(_) | Err(Errno::NOENT) => continue,
                    Err(e) => return Err(ctx.errno("setting directory times")(e)),
                }
                rustix::fs::utimensat(
                    &parent,
                    name.as_os_str(),
                    &d.times,
                    AtFlags::SYMLINK_NOFOLLOW,
                )
            };
            r.map_err(ctx.errno("setting directory times"))?;
        }
        Ok(())
    }
}
