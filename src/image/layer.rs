//! Unpacking OCI/Docker image layer tarballs into a layer directory that
//! overlayfs later uses as a lower directory.
//!
//! The stream is decompressed (gzip or zstd, detected from its magic bytes),
//! hashed as read (the diff id is the sha256 of the *uncompressed* tar
//! stream, including the end-of-archive blocks and any padding after them:
//! the rest of the stream is read to EOF once the archive ends) and unpacked
//! entry by entry, following moby's and containers/storage's `pkg/archive`:
//!
//! * Names lose a leading `/` and `./` and are cleaned; a name whose `..`
//!   would climb above the root is refused. The root entry (`./`) only gives
//!   its metadata to the destination directory.
//! * Every path is resolved inside the destination with [`crate::fsroot`]
//!   (`openat2` + `RESOLVE_IN_ROOT`): a symlink planted by an earlier entry
//!   (`evil -> /`) is followed as if the destination were `/`, so
//!   `evil/etc/passwd` lands in `dest/etc/passwd`. Missing parents are
//!   created with mode 0755.
//! * An existing entry is replaced (a directory recursively), except a
//!   directory by a directory, which only gets the new metadata.
//! * AUFS whiteouts become overlayfs ones: `.wh.NAME` a 0/0 character device
//!   `NAME`, `.wh..wh..opq` the xattr `trusted.overlay.opaque=y` on its
//!   directory (`user.overlay.opaque` when rootless); other `.wh..wh.` names
//!   are skipped.
//! * Ownership (after the optional id map), the full mode (setuid, setgid and
//!   sticky included, set after chown since chown clears setuid), PAX
//!   `SCHILY.xattr.*` extended attributes, and access/modification times are
//!   restored. Directory times are set after the whole archive is unpacked,
//!   since later entries would otherwise change them.
//! * overlayfs's own xattrs (`trusted.overlay.*`, `user.overlay.*`) are
//!   dropped: overlayfs would obey them in a lower layer.
//! * Device nodes docker's default device policy would not let a container
//!   open (every block device, character devices other than null, zero,
//!   full, random, urandom, tty, console, ptmx, pts and tun) are skipped;
//!   0/0 character devices (whiteouts) are kept.
//!
//! Needs Linux 5.6+ (`openat2`).

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Gid, Mode, OFlags, Timespec, Timestamps, Uid, XattrFlags};
use rustix::io::Errno;
use sha2::{Digest, Sha256};
use tar::EntryType;

use crate::fsroot::{self, Root};
use crate::runtime::cgroups::devices::{docker_rules, Access, DeviceKind, Policy};

/// The compression of a layer blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Tells the compression of a stream from its first bytes (`1f 8b` gzip,
/// `28 b5 2f fd` zstd); anything else is taken as uncompressed.
pub fn detect_compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// One contiguous range of an id mapping, as in `/proc/PID/uid_map`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdMapping {
    /// First id inside the container (the id in the tar header).
    pub container_id: u32,
    /// The id it becomes on disk.
    pub host_id: u32,
    /// How many consecutive ids are mapped.
    pub size: u32,
}

/// Maps the uids and gids of the tar headers to the ids written on disk. An
/// empty list maps that kind of id unchanged; an id outside every range of
/// a non-empty list is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMap {
    pub uids: Vec<IdMapping>,
    pub gids: Vec<IdMapping>,
}

impl IdMap {
    fn map(list: &[IdMapping], id: u32) -> Option<u32> {
        if list.is_empty() {
            return Some(id);
        }
        list.iter().find_map(|m| {
            let off = id.checked_sub(m.container_id)?;
            (off < m.size).then(|| m.host_id.checked_add(off)).flatten()
        })
    }

    /// The on-disk uid for a header uid.
    pub fn map_uid(&self, id: u32) -> Option<u32> {
        Self::map(&self.uids, id)
    }

    /// The on-disk gid for a header gid.
    pub fn map_gid(&self, id: u32) -> Option<u32> {
        Self::map(&self.gids, id)
    }
}

/// How to unpack.
#[derive(Debug, Clone, Default)]
pub struct UnpackOptions {
    /// Unpacking without full privileges (in a user namespace): opaque
    /// directories are marked with `user.overlay.opaque`; a character or
    /// block device (other than a whiteout) whose `mknod` fails with `EPERM`
    /// is skipped; a chown failing with `EPERM`/`EINVAL` (id not mapped in
    /// the namespace) is skipped.
    pub rootless: bool,
    /// Maps header uids/gids before chown; `None` keeps them.
    pub id_map: Option<IdMap>,
}

/// What [`unpack`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackReport {
    /// `sha256:<hex>` of the uncompressed tar stream, every byte to EOF.
    pub diff_id: String,
    /// Like moby's layer size: the sum of the sizes of the regular files'
    /// contents as stored in the tar headers (a hardlink, symlink, directory
    /// or device adds nothing; a file written twice counts twice).
    pub size: u64,
}

/// Why unpacking failed. Each message is one line and names the entry.
#[derive(thiserror::Error, Debug)]
pub enum LayerError {
    /// The destination directory could not be opened (or `openat2` is
    /// missing: Linux < 5.6).
    #[error("opening layer directory {path}: {source}")]
    Dest {
        path: String,
        #[source]
        source: io::Error,
    },
    /// The stream could not be decompressed or parsed as tar.
    #[error("reading layer tar stream{}: {source}", after_entry(.after))]
    Read {
        /// The last entry read successfully, if any.
        after: Option<String>,
        #[source]
        source: io::Error,
    },
    /// The entry's name climbs above the layer root.
    #[error("layer entry {path:?}: path escapes the layer root")]
    Escape { path: String },
    /// A hardlink's target climbs above the layer root.
    #[error("layer entry {path:?}: hardlink target {target:?} escapes the layer root")]
    LinkEscape { path: String, target: String },
    /// A hardlink's target could not be linked (missing, a directory, …).
    #[error("layer entry {path:?}: hardlink to {target:?}: {source}")]
    Link {
        path: String,
        target: String,
        #[source]
        source: io::Error,
    },
    /// The entry's type is not one a layer may hold.
    #[error("layer entry {path:?}: unsupported tar entry type {kind:?}")]
    Unsupported { path: String, kind: EntryType },
    /// A header field or name is unusable.
    #[error("layer entry {path:?}: {reason}")]
    Invalid { path: String, reason: String },
    /// A filesystem operation on the entry failed.
    #[error("layer entry {path:?}: {op}: {source}")]
    Entry {
        path: String,
        op: &'static str,
        #[source]
        source: io::Error,
    },
}

fn after_entry(after: &Option<String>) -> String {
    match after {
        Some(p) => format!(" after entry {p:?}"),
        None => String::new(),
    }
}

/// Decompresses `stream` (compression detected from its magic bytes) and
/// unpacks it into `dest`, an existing (normally empty) directory. See the
/// module documentation for the rules.
pub fn unpack(
    stream: impl Read,
    dest: &Path,
    opts: &UnpackOptions,
) -> Result<UnpackReport, LayerError> {
    let read_err = |source| LayerError::Read {
        after: None,
        source,
    };
    let mut input = BufReader::with_capacity(128 << 10, stream);
    let kind = detect_compression(input.fill_buf().map_err(read_err)?);
    let decoder = Decoder::new(input, kind).map_err(read_err)?;
    let mut hashed = HashingReader {
        inner: decoder,
        hasher: Sha256::new(),
    };
    let root = Root::open(dest).map_err(|source| LayerError::Dest {
        path: dest.display().to_string(),
        source,
    })?;
    let mut u = Unpacker {
        root,
        opts,
        buf: vec![0; 256 << 10],
        dirs: Vec::new(),
        parent: None,
        moved: false,
        size: 0,
        last: None,
    };
    {
        let mut archive = tar::Archive::new(&mut hashed);
        let entries = archive.entries().map_err(read_err)?;
        for entry in entries {
            let mut entry = entry.map_err(|source| LayerError::Read {
                after: u.last.clone(),
                source,
            })?;
            u.entry(&mut entry)?;
        }
    }
    // The tar reader stops at the first zero block: hash the rest too.
    io::copy(&mut hashed, &mut io::sink()).map_err(|source| LayerError::Read {
        after: u.last.clone(),
        source,
    })?;
    u.finish_dirs()?;
    Ok(UnpackReport {
        diff_id: format!("sha256:{}", hex(&hashed.hasher.finalize())),
        size: u.size,
    })
}

/// A decompressing reader chosen by [`Compression`].
enum Decoder<R: BufRead> {
    Plain(R),
    Gzip(Box<flate2::bufread::MultiGzDecoder<R>>),
    Zstd(zstd::stream::read::Decoder<'static, R>),
}

impl<R: BufRead> Decoder<R> {
    fn new(r: R, kind: Compression) -> io::Result<Self> {
        Ok(match kind {
            Compression::None => Decoder::Plain(r),
            Compression::Gzip => Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(r))),
            Compression::Zstd => {
                let mut d = zstd::stream::read::Decoder::with_buffer(r)?;
                // Accept `zstd --long` windows up to 2 GiB (the default
                // limit is 128 MiB); memory is only used as a frame asks.
                d.window_log_max(31)?;
                Decoder::Zstd(d)
            }
        })
    }
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }
}

/// Hashes every byte read through it.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Cleans a tar entry name into a relative path of normal components:
/// drops a leading `/`, `.` components and empty components, and applies
/// `..` lexically. `None` when a `..` would climb above the root; an empty
/// path is the root itself.
fn clean_name(raw: &[u8]) -> Option<PathBuf> {
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

/// The metadata of an entry, from its header and PAX records.
struct Meta {
    uid: u32,
    gid: u32,
    /// Permission bits with setuid/setgid/sticky (`mode & 0o7777`).
    mode: u32,
    times: Timestamps,
    /// `SCHILY.xattr.<name>` records: (name, value).
    xattrs: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Parses a PAX time (`seconds[.fraction]`, maybe negative).
fn parse_pax_time(v: &[u8]) -> Option<Timespec> {
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

/// Where a directory's times go once everything is unpacked.
struct DirTimes {
    rel: PathBuf,
    times: Timestamps,
}

struct Unpacker<'o> {
    root: Root,
    opts: &'o UnpackOptions,
    /// The copy buffer, reused for every file.
    buf: Vec<u8>,
    dirs: Vec<DirTimes>,
    /// The last entry's parent directory: (cleaned relative path, O_PATH
    /// fd), saving a lookup for runs of entries in one directory. An entry
    /// only changes a name *inside* its parent, which can change how the
    /// parent's path resolves only when an existing directory or symlink is
    /// removed (a symlink target such as `d/sub/..` walks through `sub`);
    /// such entries set `moved` and the cache is dropped. Either way the fd
    /// is a directory inside the root.
    parent: Option<(PathBuf, OwnedFd)>,
    /// The current entry removed an existing directory or symlink.
    moved: bool,
    size: u64,
    /// The last entry's name, for stream errors.
    last: Option<String>,
}

/// An error context for one entry.
struct Ctx<'a> {
    path: &'a str,
}

impl Ctx<'_> {
    fn err(&self, op: &'static str) -> impl FnOnce(io::Error) -> LayerError + '_ {
        move |source| LayerError::Entry {
            path: self.path.to_owned(),
            op,
            source,
        }
    }

    fn errno(&self, op: &'static str) -> impl FnOnce(Errno) -> LayerError + '_ {
        move |e| LayerError::Entry {
            path: self.path.to_owned(),
            op,
            source: e.into(),
        }
    }

    fn invalid(&self, reason: impl Into<String>) -> LayerError {
        LayerError::Invalid {
            path: self.path.to_owned(),
            reason: reason.into(),
        }
    }
}

/// The kinds of entry the unpacker creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Char,
    Block,
    Fifo,
}

impl Unpacker<'_> {
    fn entry<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Result<(), LayerError> {
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
        let rel = clean_name(&raw_name).ok_or_else(|| LayerError::Escape {
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
        if let Some(orig) = name_b.strip_prefix(b".wh.") {
            if name_b == b".wh..wh..opq" {
                return self.opaque(parent, ctx);
            }
            if orig.starts_with(b".wh.") {
                // Other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs, …).
                return Ok(());
            }
            return self.whiteout(parent, OsStr::from_bytes(orig), &meta, ctx);
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
            let target = clean_name(&raw).ok_or_else(|| LayerError::LinkEscape {
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

        // Replace what is there, unless a directory meets a directory.
        match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => {
                let ft = FileType::from_raw_mode(st.st_mode);
                let is_dir = ft == FileType::Directory;
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

        match kind {
            Kind::File => self.file(entry, parent, name, &meta, ctx),
            Kind::Dir => {
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
            Kind::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .ok_or_else(|| ctx.invalid("symlink without a target"))?;
                rustix::fs::symlinkat(OsStr::from_bytes(&target), parent, name)
                    .map_err(ctx.errno("creating symlink"))?;
                self.set_at_meta(parent, name, &meta, false, ctx)
            }
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
                self.set_at_meta(parent, name, &meta, true, ctx)
            }
        }
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

    fn dev<R: Read>(&self, entry: &tar::Entry<'_, R>, ctx: &Ctx<'_>) -> Result<u64, LayerError> {
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

    fn file<R: Read>(
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

    /// chown, chmod and xattrs through an open (non-O_PATH) descriptor.
    fn set_fd_meta(&self, fd: impl AsFd, meta: &Meta, ctx: &Ctx<'_>) -> Result<(), LayerError> {
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
    fn set_at_meta(
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

    fn chown_result(&self, r: rustix::io::Result<()>) -> rustix::io::Result<()> {
        match r {
            Err(Errno::PERM | Errno::INVAL) if self.opts.rootless => Ok(()),
            r => r,
        }
    }

    /// `.wh.NAME`: NAME becomes a 0/0 character device (an overlayfs
    /// whiteout), replacing whatever is there.
    fn whiteout(
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
    fn opaque(&self, dir: BorrowedFd<'_>, ctx: &Ctx<'_>) -> Result<(), LayerError> {
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

    fn meta<R: Read>(
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
        let (uid, gid) = match &self.opts.id_map {
            None => (uid, gid),
            Some(m) => (
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
    fn finish_dirs(&mut self) -> Result<(), LayerError> {
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

/// overlayfs's own attributes (`trusted.overlay.*`, and `user.overlay.*`
/// for rootless mounts): in a lower layer they would be obeyed (opaque,
/// redirect, metacopy…), so a layer's tar may not set them. Only `.wh..wh..opq`
/// marks a directory opaque.
fn is_overlay_xattr(name: &[u8]) -> bool {
    name.starts_with(b"trusted.overlay.") || name.starts_with(b"user.overlay.")
}

/// docker's default device policy, which decides the device nodes a layer
/// may hold.
fn layer_policy() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| Policy::from_rules(&docker_rules(false, &[])))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    use tar::Header;

    fn is_root() -> bool {
        if rustix::process::geteuid().is_root() {
            true
        } else {
            crate::util::test_skip("needs root");
            false
        }
    }

    /// Builds test archives with explicit headers; names are written raw so
    /// that hostile names (`../x`, `/x`) can be made.
    struct Tb {
        b: tar::Builder<Vec<u8>>,
    }

    const MTIME: u64 = 1_600_000_000;

    impl Tb {
        fn new() -> Tb {
            Tb {
                b: tar::Builder::new(Vec::new()),
            }
        }

        fn header(kind: EntryType, name: &str, mode: u32, size: u64) -> Header {
            let mut h = Header::new_gnu();
            h.set_entry_type(kind);
            let field = &mut h.as_old_mut().name;
            assert!(name.len() < field.len());
            field[..name.len()].copy_from_slice(name.as_bytes());
            h.set_mode(mode);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(MTIME);
            h.set_size(size);
            h
        }

        fn add(&mut self, mut h: Header, data: &[u8]) -> &mut Self {
            h.set_cksum();
            self.b.append(&h, data).unwrap();
            self
        }

        fn file(&mut self, name: &str, mode: u32, data: &[u8]) -> &mut Self {
            let h = Self::header(EntryType::Regular, name, mode, data.len() as u64);
            self.add(h, data)
        }

        fn dir(&mut self, name: &str, mode: u32) -> &mut Self {
            let h = Self::header(EntryType::Directory, name, mode, 0);
            self.add(h, b"")
        }

        fn link(&mut self, kind: EntryType, name: &str, target: &str) -> &mut Self {
            let mut h = Self::header(kind, name, 0o777, 0);
            h.set_link_name(target).unwrap();
            self.add(h, b"")
        }

        fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
            let mut data = Vec::new();
            for (k, v) in records {
                let body = 1 + k.len() + 1 + v.len() + 1;
                let mut len = body + 1;
                while len != body + len.to_string().len() {
                    len = body + len.to_string().len();
                }
                data.extend_from_slice(format!("{len} {k}=").as_bytes());
                data.extend_from_slice(v);
                data.push(b'\n');
            }
            let h = Self::header(EntryType::XHeader, "PaxHeader", 0o644, data.len() as u64);
            self.add(h, &data)
        }

        fn bytes(&mut self) -> Vec<u8> {
            let b = std::mem::replace(&mut self.b, tar::Builder::new(Vec::new()));
            b.into_inner().unwrap()
        }
    }

    fn sha(data: &[u8]) -> String {
        format!("sha256:{}", hex(&Sha256::digest(data)))
    }

    fn unpack_into(data: &[u8], dest: &Path) -> Result<UnpackReport, LayerError> {
        unpack(data, dest, &UnpackOptions::default())
    }

    fn lmeta(p: impl AsRef<Path>) -> std::fs::Metadata {
        std::fs::symlink_metadata(p).unwrap()
    }

    fn getxattr(p: &Path, name: &str) -> Option<Vec<u8>> {
        let mut buf = vec![0u8; 256];
        let n = rustix::fs::lgetxattr(p, name, &mut buf).ok()?;
        buf.truncate(n);
        Some(buf)
    }

    #[test]
    fn detects_compression() {
        assert_eq!(detect_compression(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            detect_compression(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Compression::Zstd
        );
        assert_eq!(detect_compression(b"ustar"), Compression::None);
        assert_eq!(detect_compression(&[0x1f]), Compression::None);
        assert_eq!(detect_compression(&[]), Compression::None);
    }

    #[test]
    fn cleans_names() {
        let c = |s: &str| clean_name(s.as_bytes()).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(c("./a/b/").as_deref(), Some("a/b"));
        assert_eq!(c("/a//./b").as_deref(), Some("a/b"));
        assert_eq!(c("a/../b").as_deref(), Some("b"));
        assert_eq!(c("./").as_deref(), Some(""));
        assert_eq!(c("../x"), None);
        assert_eq!(c("/../x"), None);
        assert_eq!(c("a/../../x"), None);
    }

    #[test]
    fn parses_pax_times() {
        let t = parse_pax_time(b"1600000000.5").unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (1_600_000_000, 500_000_000));
        let t = parse_pax_time(b"-1.25").unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (-2, 750_000_000));
        assert!(parse_pax_time(b"x").is_none());
    }

    #[test]
    fn id_map_maps_ranges() {
        let m = IdMap {
            uids: vec![IdMapping {
                container_id: 0,
                host_id: 100_000,
                size: 65536,
            }],
            gids: vec![],
        };
        assert_eq!(m.map_uid(0), Some(100_000));
        assert_eq!(m.map_uid(1000), Some(101_000));
        assert_eq!(m.map_uid(70000), None);
        assert_eq!(m.map_gid(5), Some(5));
    }

    #[test]
    fn regular_files_modes_owner_mtime() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        let mut h = Tb::header(EntryType::Regular, "bin/su", 0o4755, 5);
        h.set_uid(1000);
        h.set_gid(1001);
        h.set_mtime(1_234_567_890);
        tb.add(h, b"hello");
        tb.file("etc/shadow", 0o640, b"secret");
        tb.file("tmpdir-file", 0o1777, b"");
        let data = tb.bytes();
        let r = unpack_into(&data, d.path()).unwrap();
        assert_eq!(r.size, 11);
        let m = lmeta(d.path().join("bin/su"));
        assert!(m.file_type().is_file());
        assert_eq!(m.mode() & 0o7777, 0o4755);
        assert_eq!((m.uid(), m.gid()), (1000, 1001));
        assert_eq!(m.mtime(), 1_234_567_890);
        assert_eq!(std::fs::read(d.path().join("bin/su")).unwrap(), b"hello");
        assert_eq!(lmeta(d.path().join("etc/shadow")).mode() & 0o7777, 0o640);
        assert_eq!(lmeta(d.path().join("tmpdir-file")).mode() & 0o7777, 0o1777);
        // Implicit parents get 0755.
        assert_eq!(lmeta(d.path().join("bin")).mode() & 0o7777, 0o755);
    }

    #[test]
    fn large_file_streams() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let content: Vec<u8> = (0..3_000_001u32).map(|i| (i % 251) as u8).collect();
        let data = Tb::new().file("big", 0o644, &content).bytes();
        let r = unpack_into(&data, d.path()).unwrap();
        assert_eq!(r.size, content.len() as u64);
        assert_eq!(std::fs::read(d.path().join("big")).unwrap(), content);
    }

    #[test]
    fn nested_dir_mtimes_preserved() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        let mut h = Tb::header(EntryType::Directory, "a/", 0o750, 0);
        h.set_mtime(1_000_000_000);
        tb.add(h, b"");
        let mut h = Tb::header(EntryType::Directory, "a/b/", 0o700, 0);
        h.set_mtime(1_100_000_000);
        tb.add(h, b"");
        tb.file("a/b/f", 0o644, b"x");
        tb.file("a/g", 0o644, b"y");
        tb.dir("a/b/c/", 0o755);
        let data = tb.bytes();
        unpack_into(&data, d.path()).unwrap();
        let a = lmeta(d.path().join("a"));
        assert_eq!(a.mtime(), 1_000_000_000);
        assert_eq!(a.mode() & 0o7777, 0o750);
        let b = lmeta(d.path().join("a/b"));
        assert_eq!(b.mtime(), 1_100_000_000);
        assert_eq!(b.mode() & 0o7777, 0o700);
        assert_eq!(lmeta(d.path().join("a/b/c")).mtime(), MTIME as i64);
    }

    #[test]
    fn root_entry_sets_dest_metadata() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        let mut h = Tb::header(EntryType::Directory, "./", 0o711, 0);
        h.set_mtime(1_111_111_111);
        tb.add(h, b"");
        tb.file("./f", 0o644, b"x");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let m = lmeta(d.path());
        assert_eq!(m.mode() & 0o7777, 0o711);
        assert_eq!(m.mtime(), 1_111_111_111);
        assert!(d.path().join("f").is_file());
    }

    #[test]
    fn symlink_and_hardlink() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        tb.file("usr/bin/true", 0o755, b"#!");
        tb.link(EntryType::Symlink, "bin", "usr/bin");
        tb.link(EntryType::Symlink, "abs", "/does/not/exist");
        tb.link(EntryType::Link, "usr/bin/alias", "usr/bin/true");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let p = d.path();
        assert!(lmeta(p.join("bin")).file_type().is_symlink());
        assert_eq!(
            std::fs::read_link(p.join("bin")).unwrap(),
            Path::new("usr/bin")
        );
        assert_eq!(
            std::fs::read_link(p.join("abs")).unwrap(),
            Path::new("/does/not/exist")
        );
        assert_eq!(lmeta(p.join("abs")).mtime(), MTIME as i64);
        let a = lmeta(p.join("usr/bin/true"));
        let b = lmeta(p.join("usr/bin/alias"));
        assert_eq!(a.ino(), b.ino());
        assert_eq!(a.nlink(), 2);
        assert_eq!(
            a.mode() & 0o7777,
            0o777,
            "hardlink header mode applies, as moby"
        );
    }

    #[test]
    fn devices_and_fifo() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        let mut h = Tb::header(EntryType::Char, "dev/null", 0o666, 0);
        h.set_device_major(1).unwrap();
        h.set_device_minor(3).unwrap();
        tb.add(h, b"");
        let mut h = Tb::header(EntryType::Block, "dev/loop9", 0o660, 0);
        h.set_device_major(7).unwrap();
        h.set_device_minor(9).unwrap();
        tb.add(h, b"");
        let h = Tb::header(EntryType::Fifo, "run/fifo", 0o620, 0);
        tb.add(h, b"");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let m = lmeta(d.path().join("dev/null"));
        assert!(m.file_type().is_char_device());
        assert_eq!(m.rdev(), rustix::fs::makedev(1, 3));
        assert_eq!(m.mode() & 0o7777, 0o666);
        // a block device is never created (see below)
        assert!(std::fs::symlink_metadata(d.path().join("dev/loop9")).is_err());
        let m = lmeta(d.path().join("run/fifo"));
        assert!(m.file_type().is_fifo());
        assert_eq!(m.mode() & 0o7777, 0o620);
        assert_eq!(m.mtime(), MTIME as i64);
    }

    #[test]
    fn denied_devices_are_skipped() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        // an existing node is not replaced by a skipped one
        std::fs::create_dir(d.path().join("dev")).unwrap();
        std::fs::write(d.path().join("dev/sda"), b"old").unwrap();
        let mut tb = Tb::new();
        for (kind, name, major, minor) in [
            (EntryType::Block, "dev/sda", 8, 0),
            (EntryType::Block, "dev/loop0", 7, 0),
            (EntryType::Char, "dev/mem", 1, 1),
            (EntryType::Char, "dev/fuse", 10, 229),
            (EntryType::Char, "dev/kmsg", 1, 11),
            (EntryType::Char, "dev/zero", 1, 5),
            (EntryType::Char, "dev/pts/3", 136, 3),
            (EntryType::Char, "dev/net/tun", 10, 200),
            (EntryType::Char, "overlay-whiteout", 0, 0),
        ] {
            let mut h = Tb::header(kind, name, 0o600, 0);
            h.set_device_major(major).unwrap();
            h.set_device_minor(minor).unwrap();
            tb.add(h, b"");
        }
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let p = d.path();
        for gone in ["dev/loop0", "dev/mem", "dev/fuse", "dev/kmsg"] {
            assert!(std::fs::symlink_metadata(p.join(gone)).is_err(), "{gone}");
        }
        assert_eq!(std::fs::read(p.join("dev/sda")).unwrap(), b"old");
        for (kept, dev) in [
            ("dev/zero", (1, 5)),
            ("dev/pts/3", (136, 3)),
            ("dev/net/tun", (10, 200)),
            ("overlay-whiteout", (0, 0)),
        ] {
            let m = lmeta(p.join(kept));
            assert!(m.file_type().is_char_device(), "{kept}");
            assert_eq!(m.rdev(), rustix::fs::makedev(dev.0, dev.1), "{kept}");
        }
    }

    #[test]
    fn overlay_xattrs_are_dropped() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        tb.pax(&[
            ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
            ("SCHILY.xattr.trusted.overlay.redirect", b"/etc"),
            ("SCHILY.xattr.user.overlay.opaque", b"y"),
            ("SCHILY.xattr.user.kept", b"1"),
        ]);
        tb.dir("d/", 0o755);
        tb.pax(&[
            ("SCHILY.xattr.trusted.overlay.metacopy", b""),
            ("SCHILY.xattr.trusted.other", b"2"),
        ]);
        tb.file("f", 0o644, b"x");
        // a real opaque marker still works
        tb.file("o/.wh..wh..opq", 0o644, b"");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let p = d.path();
        for x in [
            "trusted.overlay.opaque",
            "trusted.overlay.redirect",
            "user.overlay.opaque",
        ] {
            assert_eq!(getxattr(&p.join("d"), x), None, "{x}");
        }
        assert_eq!(
            getxattr(&p.join("d"), "user.kept").as_deref(),
            Some(&b"1"[..])
        );
        assert_eq!(getxattr(&p.join("f"), "trusted.overlay.metacopy"), None);
        assert_eq!(
            getxattr(&p.join("f"), "trusted.other").as_deref(),
            Some(&b"2"[..])
        );
        assert_eq!(
            getxattr(&p.join("o"), "trusted.overlay.opaque").as_deref(),
            Some(&b"y"[..])
        );
    }

    #[test]
    fn whiteouts_and_opaque() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc/gone-dir/sub")).unwrap();
        let mut tb = Tb::new();
        tb.dir("etc/", 0o755);
        tb.file("etc/.wh.passwd", 0o644, b"");
        tb.file("etc/.wh.gone-dir", 0o644, b"");
        tb.file("fresh/.wh.x", 0o644, b"");
        tb.dir("opq/", 0o755);
        tb.file("opq/.wh..wh..opq", 0o644, b"");
        tb.file("opq/keep", 0o644, b"k");
        tb.file(".wh..wh.plnk", 0o644, b"");
        tb.file("etc/.wh..wh.aufs", 0o644, b"");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let p = d.path();
        for w in ["etc/passwd", "etc/gone-dir", "fresh/x"] {
            let m = lmeta(p.join(w));
            assert!(m.file_type().is_char_device(), "{w}");
            assert_eq!(m.rdev(), 0, "{w}");
        }
        assert!(!p.join("etc/.wh.passwd").exists());
        assert!(std::fs::symlink_metadata(p.join(".wh..wh.plnk")).is_err());
        assert!(std::fs::symlink_metadata(p.join("etc/.wh..wh.aufs")).is_err());
        assert!(std::fs::symlink_metadata(p.join("opq/.wh..wh..opq")).is_err());
        assert_eq!(
            getxattr(&p.join("opq"), "trusted.overlay.opaque").as_deref(),
            Some(&b"y"[..])
        );
        assert_eq!(getxattr(&p.join("etc"), "trusted.overlay.opaque"), None);
        assert!(p.join("opq/keep").is_file());
    }

    #[test]
    fn rootless_opaque_uses_user_xattr() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let data = Tb::new().file("o/.wh..wh..opq", 0o644, b"").bytes();
        let opts = UnpackOptions {
            rootless: true,
            ..Default::default()
        };
        unpack(&data[..], d.path(), &opts).unwrap();
        let o = d.path().join("o");
        assert_eq!(
            getxattr(&o, "user.overlay.opaque").as_deref(),
            Some(&b"y"[..])
        );
        assert_eq!(getxattr(&o, "trusted.overlay.opaque"), None);
    }

    #[test]
    fn compressed_streams_and_diff_id() {
        if !is_root() {
            return;
        }
        let mut tb = Tb::new();
        tb.dir("d/", 0o755).file("d/f", 0o644, b"some content");
        let mut plain = tb.bytes();
        // Extra padding after the end of the archive is hashed too.
        plain.extend_from_slice(&[0u8; 4096]);
        let want = sha(&plain);

        let d = tempfile::tempdir().unwrap();
        let r = unpack_into(&plain, d.path()).unwrap();
        assert_eq!(r.diff_id, want);

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&plain).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(detect_compression(&gz), Compression::Gzip);
        let d = tempfile::tempdir().unwrap();
        let r = unpack_into(&gz, d.path()).unwrap();
        assert_eq!(r.diff_id, want);
        assert_eq!(
            std::fs::read(d.path().join("d/f")).unwrap(),
            b"some content"
        );

        let zs = zstd::encode_all(&plain[..], 3).unwrap();
        assert_eq!(detect_compression(&zs), Compression::Zstd);
        let d = tempfile::tempdir().unwrap();
        let r = unpack_into(&zs, d.path()).unwrap();
        assert_eq!(r.diff_id, want);
        assert_eq!(r.size, 12);
        assert_eq!(
            std::fs::read(d.path().join("d/f")).unwrap(),
            b"some content"
        );
    }

    #[test]
    fn dotdot_escape_rejected() {
        if !is_root() {
            return;
        }
        let outer = tempfile::tempdir().unwrap();
        let dest = outer.path().join("dest");
        std::fs::create_dir(&dest).unwrap();
        let data = Tb::new().file("../escape", 0o644, b"pwned").bytes();
        let err = unpack_into(&data, &dest).unwrap_err();
        assert!(matches!(err, LayerError::Escape { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("../escape"), "{msg}");
        assert!(!msg.contains('\n'));
        assert!(!outer.path().join("escape").exists());
        assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 0);

        let data = Tb::new().file("a/../../escape2", 0o644, b"pwned").bytes();
        assert!(unpack_into(&data, &dest).is_err());
        assert!(!outer.path().join("escape2").exists());
    }

    #[test]
    fn absolute_names_land_inside() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let data = Tb::new().file("/abs/file", 0o644, b"x").bytes();
        unpack_into(&data, d.path()).unwrap();
        assert!(d.path().join("abs/file").is_file());
    }

    #[test]
    fn symlink_to_root_does_not_escape() {
        if !is_root() {
            return;
        }
        let before = std::fs::read("/etc/passwd").unwrap();
        let before_m = lmeta("/etc/passwd");
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        tb.link(EntryType::Symlink, "evil", "/");
        tb.file("evil/etc/passwd", 0o644, b"root::0:0::/:/bin/sh\n");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        assert_eq!(
            std::fs::read(d.path().join("etc/passwd")).unwrap(),
            b"root::0:0::/:/bin/sh\n"
        );
        assert!(lmeta(d.path().join("evil")).file_type().is_symlink());
        assert_eq!(std::fs::read("/etc/passwd").unwrap(), before);
        let after_m = lmeta("/etc/passwd");
        assert_eq!(after_m.mtime(), before_m.mtime());
        assert_eq!(after_m.mtime_nsec(), before_m.mtime_nsec());
        assert_eq!(after_m.ino(), before_m.ino());
    }

    #[test]
    fn relative_symlink_does_not_escape() {
        if !is_root() {
            return;
        }
        let outer = tempfile::tempdir().unwrap();
        let dest = outer.path().join("a/b/dest");
        std::fs::create_dir_all(&dest).unwrap();
        let name = format!("x-{}", std::process::id());
        let mut tb = Tb::new();
        tb.link(EntryType::Symlink, "link", "../../../../tmp");
        tb.file(&format!("link/{name}"), 0o644, b"inside");
        tb.link(EntryType::Symlink, "up", "../..");
        tb.file("up/y", 0o644, b"inside too");
        unpack_into(&tb.bytes(), &dest).unwrap();
        assert_eq!(
            std::fs::read(dest.join("tmp").join(&name)).unwrap(),
            b"inside"
        );
        assert!(!Path::new("/tmp").join(&name).exists());
        assert_eq!(std::fs::read(dest.join("y")).unwrap(), b"inside too");
        assert!(!outer.path().join("a/y").exists());
        assert!(!outer.path().join("y").exists());
    }

    #[test]
    fn hardlink_escape_rejected() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let data = Tb::new()
            .link(EntryType::Link, "passwd", "../../etc/passwd")
            .bytes();
        let err = unpack_into(&data, d.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, LayerError::LinkEscape { .. }), "{msg}");
        assert!(
            msg.contains("passwd") && msg.contains("../../etc/passwd"),
            "{msg}"
        );
        assert!(std::fs::symlink_metadata(d.path().join("passwd")).is_err());

        // An absolute target is resolved inside: missing there, an error
        // naming both.
        let data = Tb::new().link(EntryType::Link, "pw", "/etc/passwd").bytes();
        let err = unpack_into(&data, d.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, LayerError::Link { .. }), "{msg}");
        assert!(
            msg.contains("\"pw\"") && msg.contains("/etc/passwd"),
            "{msg}"
        );
    }

    #[test]
    fn hardlink_to_symlink_does_not_link_outside() {
        if !is_root() {
            return;
        }
        let host = lmeta("/etc/passwd");
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        tb.link(EntryType::Symlink, "sym", "/etc/passwd");
        tb.link(EntryType::Link, "hard", "sym");
        tb.link(EntryType::Symlink, "etcdir", "/etc");
        let data = tb.bytes();
        unpack_into(&data, d.path()).unwrap();
        let m = lmeta(d.path().join("hard"));
        assert!(m.file_type().is_symlink());
        assert_ne!(m.ino(), host.ino());
        assert_eq!(m.ino(), lmeta(d.path().join("sym")).ino());
        assert_eq!(lmeta("/etc/passwd").nlink(), host.nlink());

        // Through a symlinked parent: resolved inside, so missing.
        let data = Tb::new()
            .link(EntryType::Symlink, "etcdir", "/etc")
            .link(EntryType::Link, "hard2", "etcdir/passwd")
            .bytes();
        let d = tempfile::tempdir().unwrap();
        let err = unpack_into(&data, d.path()).unwrap_err();
        assert!(matches!(err, LayerError::Link { .. }), "{err}");
        assert_eq!(lmeta("/etc/passwd").nlink(), host.nlink());
    }

    #[test]
    fn later_entries_replace_earlier() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        tb.file("x", 0o644, b"file");
        tb.dir("x/", 0o755);
        tb.file("x/inner", 0o644, b"in");
        tb.dir("y/", 0o755);
        tb.dir("y/sub/", 0o755);
        tb.file("y/sub/f", 0o644, b"deep");
        tb.file("y", 0o600, b"now a file");
        tb.link(EntryType::Symlink, "z", "/etc");
        tb.dir("z/", 0o700);
        tb.file("w", 0o644, b"old");
        tb.file("w", 0o600, b"new");
        tb.dir("v/", 0o755);
        tb.dir("v/", 0o700);
        tb.file("v/keep", 0o644, b"k");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let p = d.path();
        assert!(lmeta(p.join("x")).is_dir());
        assert_eq!(std::fs::read(p.join("x/inner")).unwrap(), b"in");
        assert!(lmeta(p.join("y")).is_file());
        assert_eq!(std::fs::read(p.join("y")).unwrap(), b"now a file");
        let z = lmeta(p.join("z"));
        assert!(z.is_dir());
        assert_eq!(z.mode() & 0o7777, 0o700);
        assert_eq!(std::fs::read(p.join("w")).unwrap(), b"new");
        assert_eq!(lmeta(p.join("w")).mode() & 0o7777, 0o600);
        assert_eq!(lmeta(p.join("v")).mode() & 0o7777, 0o700);
        assert!(p.join("v/keep").is_file());
    }

    #[test]
    fn parent_resolution_follows_replaced_symlinks() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        tb.dir("b/", 0o755).dir("b/c/", 0o755).dir("b/c/z/", 0o755);
        tb.link(EntryType::Symlink, "a", "b/c/z/..");
        tb.file("a/f", 0o644, b"1");
        tb.link(EntryType::Symlink, "a/z", "/");
        tb.file("a/w", 0o644, b"2");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        assert_eq!(std::fs::read(d.path().join("b/c/f")).unwrap(), b"1");
        // "a" now resolves through the new symlink b/c/z -> / to the root.
        assert_eq!(std::fs::read(d.path().join("w")).unwrap(), b"2");
        assert!(!d.path().join("b/c/w").exists());
    }

    #[test]
    fn pax_xattrs_and_times() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        tb.pax(&[
            ("SCHILY.xattr.user.foo", b"bar"),
            (
                "SCHILY.xattr.security.selinux",
                b"system_u:object_r:bin_t:s0",
            ),
            ("mtime", b"1500000000.123456789"),
        ]);
        tb.file("f", 0o644, b"x");
        tb.pax(&[("SCHILY.xattr.user.dir", b"d")]);
        tb.dir("dir/", 0o755);
        tb.pax(&[("SCHILY.xattr.user.sym", b"s")]);
        tb.link(EntryType::Symlink, "sym", "f");
        unpack_into(&tb.bytes(), d.path()).unwrap();
        let f = d.path().join("f");
        assert_eq!(getxattr(&f, "user.foo").as_deref(), Some(&b"bar"[..]));
        let m = lmeta(&f);
        assert_eq!((m.mtime(), m.mtime_nsec()), (1_500_000_000, 123_456_789));
        assert_eq!(
            getxattr(&d.path().join("dir"), "user.dir").as_deref(),
            Some(&b"d"[..])
        );
        // user.* xattrs are not allowed on symlinks: skipped.
        assert!(lmeta(d.path().join("sym")).file_type().is_symlink());
    }

    #[test]
    fn id_map_applied() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let mut tb = Tb::new();
        let mut h = Tb::header(EntryType::Regular, "f", 0o644, 0);
        h.set_uid(5);
        h.set_gid(6);
        tb.add(h, b"");
        let opts = UnpackOptions {
            rootless: false,
            id_map: Some(IdMap {
                uids: vec![IdMapping {
                    container_id: 0,
                    host_id: 100_000,
                    size: 65536,
                }],
                gids: vec![IdMapping {
                    container_id: 0,
                    host_id: 200_000,
                    size: 65536,
                }],
            }),
        };
        unpack(&tb.bytes()[..], d.path(), &opts).unwrap();
        let m = lmeta(d.path().join("f"));
        assert_eq!((m.uid(), m.gid()), (100_005, 200_006));
    }

    #[test]
    fn truncated_stream_is_an_error() {
        if !is_root() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let data = Tb::new().file("f", 0o644, &[7u8; 5000]).bytes();
        let err = unpack_into(&data[..512 + 1000], d.path()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"f\""), "{msg}");
    }

    #[test]
    fn missing_dest_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let data = Tb::new().file("f", 0o644, b"").bytes();
        let err = unpack_into(&data, &d.path().join("nope")).unwrap_err();
        assert!(matches!(err, LayerError::Dest { .. }), "{err}");
    }
}
