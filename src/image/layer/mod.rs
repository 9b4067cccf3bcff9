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
//!
//! Files: this one is the API and the stream (decompression, hashing);
//! `entry.rs` creates each entry, `meta.rs` restores its metadata.

mod entry;
mod meta;

use std::io::{self, BufRead, BufReader, Read};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::Timestamps;
use rustix::io::Errno;
use sha2::{Digest, Sha256};
use tar::EntryType;

use crate::fsroot::Root;

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
    /// Keep AUFS whiteouts as the tar has them (`.wh.NAME`,
    /// `.wh..wh..opq` as empty files): for a store whose filesystem can't
    /// hold overlayfs's (a store on overlayfs; only the vfs driver reads
    /// it, see `image::vfs`).
    pub aufs_whiteouts: bool,
    /// `cp`'s extraction instead of a layer's ([`CopyRules`]).
    pub copy: Option<CopyRules>,
    /// The stream's digest is known already (a layer this store just
    /// wrote and hashed): not computed again (the report's `diff_id` is
    /// then empty).
    pub digest_known: bool,
}

/// How `cp` extracts a tar (docker's `archive.Untar` with
/// `NoOverwriteDirNonDir`): entries are plain files (a `.wh.` name is a
/// name, not a whiteout), every path is under `prefix`, a directory never
/// replaces a non-directory nor the reverse, and `owner` (when set) owns
/// every entry.
#[derive(Debug, Clone, Default)]
pub struct CopyRules {
    /// Where the entries go, relative to the root (cleaned).
    pub prefix: PathBuf,
    /// Every entry's uid and gid, instead of the header's.
    pub owner: Option<(u32, u32)>,
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
    /// The unpacker in a user namespace failed (its own one-line message).
    #[error("{0}")]
    Helper(String),
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

/// Unpacks a layer blob in a user namespace with the user's maps
/// (registered by a rootless engine); `None` when it can't map anyone but
/// the user.
pub type UsernsUnpacker = fn(&Path, &Path, &UnpackOptions) -> Option<Result<UnpackReport, String>>;

static USERNS_UNPACKER: std::sync::OnceLock<UsernsUnpacker> = std::sync::OnceLock::new();

/// Registers the unpacker [`unpack_blob`] uses when `rootless`.
pub fn set_userns_unpacker(f: UsernsUnpacker) {
    let _ = USERNS_UNPACKER.set(f);
}

/// Unpacks the blob file `blob` into `dest`. Rootless, with an unpacker
/// registered ([`set_userns_unpacker`]), that runs in a user namespace so
/// that files keep the image's owners as the container sees them.
pub fn unpack_blob(
    blob: &Path,
    dest: &Path,
    opts: &UnpackOptions,
) -> Result<UnpackReport, LayerError> {
    if opts.rootless && opts.id_map.is_none() {
        if let Some(r) = USERNS_UNPACKER.get().and_then(|f| f(blob, dest, opts)) {
            return r.map_err(LayerError::Helper);
        }
    }
    unpack_path(blob, dest, opts)
}

/// [`unpack`] of the file at `blob`.
pub fn unpack_path(
    blob: &Path,
    dest: &Path,
    opts: &UnpackOptions,
) -> Result<UnpackReport, LayerError> {
    let f = std::fs::File::open(blob).map_err(|source| LayerError::Read {
        after: None,
        source: io::Error::new(
            source.kind(),
            format!("opening {}: {source}", blob.display()),
        ),
    })?;
    unpack(BufReader::with_capacity(1 << 20, f), dest, opts)
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
    let read = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let mut hashed = HashingReader {
        inner: decoder,
        hasher: Sha256::new(),
        hash: opts.copy.is_none() && !opts.digest_known,
        count: read.clone(),
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
        // Where the last entry's data ends in the stream.
        let mut data_end = 0;
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                // A stream that ends right after its last entry's data (no
                // padding to the block, no end-of-archive blocks, as `umoci
                // insert` writes) is whole, as Go's archive/tar (docker,
                // podman) takes it; one cut inside the data is not.
                Err(e) if ends_in_padding(&e, data_end, read.get()) => break,
                Err(source) => {
                    return Err(LayerError::Read {
                        after: u.last.clone(),
                        source,
                    })
                }
            };
            data_end = entry.raw_file_position() + entry.size();
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

/// Whether the tar reader's error `e` is only the missing padding of the
/// last entry, whose data ended at `data_end`: the stream ended cleanly
/// (the reader's skip of the padding found end of file: not a decoder's
/// error) after `read` bytes, between the data's end and the block's.
fn ends_in_padding(e: &io::Error, data_end: u64, read: u64) -> bool {
    let block_end = data_end.div_ceil(512) * 512;
    data_end > 0
        && (data_end..=block_end).contains(&read)
        && e.to_string().contains("unexpected EOF during skip")
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

/// Hashes (and counts) every byte read through it.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    /// `cp`'s streams need no digest: not hashed.
    hash: bool,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.hash {
            self.hasher.update(&buf[..n]);
        }
        self.count.set(self.count.get() + n as u64);
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

/// The metadata of an entry, from its header and PAX records.
struct Meta {
    pub(super) uid: u32,
    pub(super) gid: u32,
    /// Permission bits with setuid/setgid/sticky (`mode & 0o7777`).
    pub(super) mode: u32,
    pub(super) times: Timestamps,
    /// `SCHILY.xattr.<name>` records: (name, value).
    pub(super) xattrs: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Where a directory's times go once everything is unpacked.
struct DirTimes {
    pub(super) rel: PathBuf,
    pub(super) times: Timestamps,
}

struct Unpacker<'o> {
    pub(super) root: Root,
    pub(super) opts: &'o UnpackOptions,
    /// The copy buffer, reused for every file.
    pub(super) buf: Vec<u8>,
    pub(super) dirs: Vec<DirTimes>,
    /// The last entry's parent directory: (cleaned relative path, O_PATH
    /// fd), saving a lookup for runs of entries in one directory. An entry
    /// only changes a name *inside* its parent, which can change how the
    /// parent's path resolves only when an existing directory or symlink is
    /// removed (a symlink target such as `d/sub/..` walks through `sub`);
    /// such entries set `moved` and the cache is dropped. Either way the fd
    /// is a directory inside the root.
    pub(super) parent: Option<(PathBuf, OwnedFd)>,
    /// The current entry removed an existing directory or symlink.
    pub(super) moved: bool,
    pub(super) size: u64,
    /// The last entry's name, for stream errors.
    pub(super) last: Option<String>,
}

/// An error context for one entry.
struct Ctx<'a> {
    pub(super) path: &'a str,
}

impl Ctx<'_> {
    pub(super) fn err(&self, op: &'static str) -> impl FnOnce(io::Error) -> LayerError + '_ {
        move |source| LayerError::Entry {
            path: self.path.to_owned(),
            op,
            source,
        }
    }

    pub(super) fn errno(&self, op: &'static str) -> impl FnOnce(Errno) -> LayerError + '_ {
        move |e| LayerError::Entry {
            path: self.path.to_owned(),
            op,
            source: e.into(),
        }
    }

    pub(super) fn invalid(&self, reason: impl Into<String>) -> LayerError {
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

impl Unpacker<'_> {}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[path = "tail_tests.rs"]
mod tail_tests;
