//! ADD's own sources: a URL (checked with `--checksum`), and a local
//! archive (gzip, zstd or plain tar) unpacked at the destination.

use std::io::Read;
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, OFlags, Stat};

use crate::fsroot::Root;
use crate::image::treetar::TarWriter;

/// One entry to write: where it is in the source root, where it goes.
pub(super) struct Item {
    pub src: PathBuf,
    pub dest: PathBuf,
    pub st: Stat,
    /// ADD of a local archive: its entries go under `dest`.
    pub archive: bool,
}

/// A file whose bytes the build has (a heredoc, an ADD of a URL).
pub(super) struct Inline {
    pub dest: PathBuf,
    pub body: Vec<u8>,
    pub mode: u32,
}

/// ADD of a URL: its bytes (0600, as docker makes them), checked against
/// `--checksum`.
pub(super) fn fetch(
    url: &str,
    dest: &Path,
    dest_is_dir: bool,
    checksum: Option<&str>,
) -> std::result::Result<Inline, String> {
    let mut body = Vec::new();
    crate::image::registry::fetch_url(url)?
        .read_to_end(&mut body)
        .map_err(|e| format!("reading {url}: {e}"))?;
    if let Some(want) = checksum {
        let got = crate::image::store::sha256_digest(&body);
        if got != want {
            return Err(format!("digest mismatch for {url}: {got}, expected {want}"));
        }
    }
    let name = url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or("__unnamed__");
    Ok(Inline {
        dest: if dest_is_dir {
            dest.join(name)
        } else {
            dest.to_owned()
        },
        body,
        mode: 0o600,
    })
}

/// Whether an ADD source is an archive to unpack (gzip, zstd or a plain
/// tar; bzip2 and xz are refused rather than copied as they are).
pub(super) fn is_archive(root: &Root, i: &Item) -> std::result::Result<bool, String> {
    if FileType::from_raw_mode(i.st.st_mode) != FileType::RegularFile {
        return Ok(false);
    }
    let mut head = [0u8; 512];
    let mut f = root
        .open_file(&i.src, OFlags::RDONLY)
        .map_err(|e| format!("{}: {e}", i.src.display()))?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(format!("{}: {e}", i.src.display())),
        }
    }
    let head = &head[..n];
    if head.starts_with(b"BZh") || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Err(format!(
            "{}: bzip2 and xz archives are not supported by ADD yet (gzip, zstd and plain tar are)",
            i.src.display()
        ));
    }
    use crate::image::layer::{detect_compression, Compression};
    Ok(detect_compression(head) != Compression::None || (n == 512 && &head[257..262] == b"ustar"))
}

/// An archive's entries, under the item's destination.
pub(super) fn append_archive<W: std::io::Write>(
    t: &mut TarWriter<W>,
    root: &Root,
    i: &Item,
) -> std::io::Result<()> {
    let f = root.open_file(&i.src, OFlags::RDONLY)?;
    let mut input = std::io::BufReader::new(f);
    let head = std::io::BufRead::fill_buf(&mut input)?.to_vec();
    let reader: Box<dyn Read> = match crate::image::layer::detect_compression(&head) {
        crate::image::layer::Compression::Gzip => {
            Box::new(flate2::read::MultiGzDecoder::new(input))
        }
        crate::image::layer::Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(input)?)
        }
        crate::image::layer::Compression::None => Box::new(input),
    };
    let mut a = tar::Archive::new(reader);
    for e in a.entries()? {
        let mut e = e?;
        let rel = clean_rel(&e.path()?);
        if rel.as_os_str().is_empty() {
            continue;
        }
        let mut h = e.header().clone();
        if let Some((u, g)) = t.owner {
            h.set_uid(u.into());
            h.set_gid(g.into());
        }
        let path = i.dest.join(&rel);
        match h.entry_type() {
            tar::EntryType::Link => {
                let target = e
                    .link_name()?
                    .map(|l| i.dest.join(clean_rel(&l)))
                    .unwrap_or_default();
                t.b.append_link(&mut h, &path, target)?;
            }
            tar::EntryType::Symlink => {
                let target = e.link_name()?.map(|l| l.into_owned()).unwrap_or_default();
                t.b.append_link(&mut h, &path, target)?;
            }
            _ => t.b.append_data(&mut h, &path, &mut e)?,
        }
    }
    Ok(())
}

/// A tar entry's path made relative, with no `..` above its top.
fn clean_rel(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::Normal(n) => out.push(n),
            std::path::Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}
