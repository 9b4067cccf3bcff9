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
mod tests;
