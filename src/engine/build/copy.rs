//! COPY and ADD: the sources (from the context, never outside it, less
//! what .dockerignore excludes; or from another stage or an image) written
//! as a layer tar at the destination, with docker's rules: a directory's
//! contents are copied, not the directory; a destination ending in `/`
//! (or several sources, or a wildcard) is a directory; a relative one is
//! under WORKDIR; missing parents are made (0755, root). Every path is
//! resolved inside its root by descriptor (RESOLVE_IN_ROOT): a symlink in
//! the context can't lead out of it. The cache key is the content (names,
//! modes, owners, bytes), not the mtimes.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, OFlags, Stat};
use sha2::{Digest, Sha256};

use super::add::{append_archive, fetch, is_archive, Inline, Item};
use super::stage::{line_err, Builder, State};
use crate::error::{Error, Result};
use crate::fsroot::Root;
use crate::image::build::dockerfile::{Args, Instruction};
use crate::image::treetar::{list, reopen_dir, TarWriter};

/// A uid and gid every entry gets, if any.
type Owner = Option<(u32, u32)>;

/// COPY/ADD's flags.
#[derive(Default)]
struct Flags {
    from: Option<String>,
    chown: Option<String>,
    chmod: Option<u32>,
    /// ADD --checksum=sha256:... of a URL.
    checksum: Option<String>,
}

fn flags(ins: &Instruction) -> Result<Flags> {
    let mut f = Flags::default();
    for (name, value) in &ins.flags {
        let v = value.clone().unwrap_or_default();
        match name.as_str() {
            "from" if ins.keyword == "COPY" || ins.keyword == "ADD" => f.from = Some(v),
            "chown" => f.chown = Some(v),
            "chmod" => {
                f.chmod = Some(
                    u32::from_str_radix(&v, 8)
                        .map_err(|_| line_err(ins, format!("invalid chmod parameter: {v}")))?,
                )
            }
            "link" => {}
            "checksum" if ins.keyword == "ADD" => f.checksum = Some(v),
            _ => return Err(line_err(ins, format!("unknown flag: {name}"))),
        }
    }
    Ok(f)
}

impl Builder<'_> {
    pub(super) fn copy_step(&mut self, st: &mut State, ins: &Instruction) -> Result<()> {
        let f = flags(ins)?;
        let vars = st.vars();
        let mut words = match &ins.args {
            Args::Json(v) => v
                .iter()
                .map(|w| self.lx.process_word(w, &vars))
                .collect::<std::result::Result<Vec<_>, _>>(),
            Args::Text(t) => self.lx.process_words(t, &vars),
        }
        .map_err(|e| line_err(ins, e.0))?;
        if words.len() < 2 {
            return Err(line_err(
                ins,
                format!("{} requires at least two arguments", ins.keyword),
            ));
        }
        let dest_word = words.pop().unwrap_or_default();
        let (dest, dest_dir_syntax) = destination(st, &dest_word, words.len());
        let tmp = crate::image::archive::tmp_dir(&self.e.images)?;
        let (root, _source_copy) = self.copy_source(st, &f, ins, tmp.path())?;
        let chown = match &f.chown {
            Some(u) => Some(self.resolve_owner(st, u).map_err(|e| line_err(ins, e))?),
            None => None,
        };
        // docker: what comes from the context belongs to root unless
        // --chown says otherwise; what comes from a stage keeps its owners.
        let owner = chown.or(f.from.is_none().then_some((0, 0)));
        let wildcard = words.iter().any(|w| w.contains(['*', '?', '[']));
        let dest_is_dir = dest_dir_syntax || wildcard || self.lower_is_dir(st, &dest);
        let src = Sources {
            root: &root,
            dest: &dest,
            dest_is_dir,
            vars: &vars,
        };
        let (items, inline) = self.gather(ins, &f, &words, &src)?;
        let key = content_key(&root, &items, &inline, owner, f.chmod)
            .map_err(|e| Error::Other(format!("reading the build context: {e}")))?;
        st.chain(&format!(
            "{} {:?} {:?} {:?} {} {key}",
            ins.keyword,
            f.from,
            owner,
            f.chmod,
            dest.display()
        ));
        if self.cached(st)? {
            return Ok(());
        }
        let layer_path = tmp.path().join("layer.tar");
        let (diff_id, size) = self
            .write_layer(
                st,
                &root,
                &items,
                &inline,
                (owner, chown, f.chmod),
                &layer_path,
            )
            .map_err(|e| Error::Other(format!("writing the {} layer: {e}", ins.keyword)))?;
        let shown = format!("{} # buildkit", super::stage::shown(ins));
        st.history(shown, false);
        st.config.rootfs.diff_ids.push(diff_id.clone());
        self.add_layer(st, (&layer_path, &diff_id, size))?;
        self.remember(st)
    }

    /// The entries the sources name: files of the root, heredocs and
    /// downloads.
    fn gather(
        &self,
        ins: &Instruction,
        f: &Flags,
        words: &[String],
        src: &Sources,
    ) -> Result<(Vec<Item>, Vec<Inline>)> {
        let (dest, dest_is_dir) = (src.dest, src.dest_is_dir);
        let mut items = Vec::new();
        let mut inline = Vec::new();
        for w in words {
            let heredoc = w
                .strip_prefix("<<")
                .and_then(|name| ins.heredocs.iter().find(|h| h.name == name));
            if let Some(h) = heredoc {
                inline.push(Inline {
                    dest: if dest_is_dir {
                        dest.join(&h.name)
                    } else {
                        dest.to_owned()
                    },
                    body: self.heredoc_body(h, src.vars).into_bytes(),
                    mode: 0o644,
                });
                continue;
            }
            if ins.keyword == "ADD" && (w.starts_with("http://") || w.starts_with("https://")) {
                let got = fetch(w, dest, dest_is_dir, f.checksum.as_deref());
                inline.push(got.map_err(|e| line_err(ins, e))?);
                continue;
            }
            let first = items.len();
            self.collect(src.root, w, dest, dest_is_dir, &mut items)
                .map_err(|e| {
                    super::failed(format!(
                        "failed to compute cache key: failed to calculate checksum of ref: \"{}\": {e}",
                        w.trim_start_matches('/')
                    ))
                })?;
            if ins.keyword == "ADD" && f.from.is_none() {
                for i in &mut items[first..] {
                    i.archive = is_archive(src.root, i).map_err(|e| line_err(ins, e))?;
                    if i.archive {
                        // Unpacked into the destination directory.
                        i.dest = dest.to_owned();
                    }
                }
            }
        }
        Ok((items, inline))
    }

    /// A heredoc's content, expanded unless its delimiter was quoted.
    fn heredoc_body(
        &self,
        h: &crate::image::build::dockerfile::Heredoc,
        vars: &std::collections::BTreeMap<String, String>,
    ) -> String {
        if !h.expand {
            return h.content();
        }
        let quoted = format!("\"{}\"", h.content().replace('"', "\\\""));
        self.lx
            .process_word(&quoted, vars)
            .unwrap_or_else(|_| h.content())
    }

    /// The root the sources are read from: the context, or a copy of a
    /// stage's (or an image's) files.
    fn copy_source(
        &mut self,
        st: &State,
        f: &Flags,
        ins: &Instruction,
        tmp: &Path,
    ) -> Result<(Root, Option<PathBuf>)> {
        let Some(from) = &f.from else {
            let r =
                Root::open(&self.context).map_err(|e| Error::io("opening", &self.context, e))?;
            return Ok((r, None));
        };
        let copy = self.stage_copy(st, from, tmp).map_err(|e| match e {
            Error::Other(m) => line_err(ins, m),
            e => e,
        })?;
        let r = Root::open(&copy).map_err(|e| Error::io("opening", &copy, e))?;
        Ok((r, Some(copy)))
    }

    /// A copy of stage (or image) `from`'s files in `tmp` (`--from`).
    pub(super) fn stage_copy(&mut self, st: &State, from: &str, tmp: &Path) -> Result<PathBuf> {
        let from = self
            .lx
            .process_word(from, &st.vars())
            .map_err(|e| Error::Other(e.0))?;
        let layers = match super::find_stage(self.df, &from.to_ascii_lowercase()) {
            Some(i) if i < stage_count(self) => self.stage(i)?.layers,
            _ => {
                let src = crate::engine::run::ImageSource {
                    pull: crate::engine::run::PullPolicy::Missing,
                    registry: Default::default(),
                };
                self.e
                    .ensure_image(&from, &src, &Quiet)
                    .map_err(super::failed)?;
                self.e.image_lookup(&from)?.layers
            }
        };
        self.lease
            .hold([], layers.iter().map(|l| l.chain_id.clone()))?;
        let dirs: Vec<PathBuf> = layers
            .iter()
            .rev()
            .map(|l| self.e.images.layer_dir(&l.chain_id).map(|d| d.join("diff")))
            .collect::<Result<_>>()?;
        let copy = tmp.join("from");
        std::fs::create_dir(&copy).map_err(|e| Error::io("creating", &copy, e))?;
        // Rootless: copied in the user's namespace, so that the owners
        // stay (as subordinate ids on disk).
        if self.e.opts.rootless {
            crate::engine::userns::vfs_in_userns(&dirs, &copy)
        } else {
            crate::image::vfs::build(&dirs, &copy)
        }
        .map_err(|e| Error::Other(e.to_string()))?;
        Ok(copy)
    }

    /// Whether `dest` is a directory in the stage's layers.
    fn lower_is_dir(&self, st: &State, dest: &Path) -> bool {
        lower_stat(self, st, dest)
            .is_some_and(|s| FileType::from_raw_mode(s.st_mode) == FileType::Directory)
    }

    /// The items source `w` names (a wildcard: each match).
    fn collect(
        &self,
        root: &Root,
        w: &str,
        dest: &Path,
        dest_is_dir: bool,
        items: &mut Vec<Item>,
    ) -> std::io::Result<()> {
        let rel =
            PathBuf::from(crate::image::build::instr::workdir(None, w).trim_start_matches('/'));
        let matches = if w.contains(['*', '?', '[']) {
            glob(root, &rel)?
        } else {
            vec![rel]
        };
        if matches.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not found",
            ));
        }
        for m in matches {
            if self.ignored(&m) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not found",
                ));
            }
            let fd = root.resolve(&m, OFlags::PATH).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "not found")
                } else {
                    e
                }
            })?;
            let st = rustix::fs::fstat(&fd)?;
            if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
                self.walk(root, &m, dest, items)?;
            } else {
                let target = if dest_is_dir {
                    dest.join(m.file_name().unwrap_or_default())
                } else {
                    dest.to_owned()
                };
                items.push(Item {
                    src: m,
                    dest: target,
                    st,
                    archive: false,
                });
            }
        }
        Ok(())
    }

    /// A directory's contents under `dest` (the directory itself: `dest`).
    fn walk(
        &self,
        root: &Root,
        dir: &Path,
        dest: &Path,
        items: &mut Vec<Item>,
    ) -> std::io::Result<()> {
        let top = reopen_dir(root.open_dir(dir)?.as_fd(), None)?;
        let st = rustix::fs::fstat(&top)?;
        items.push(Item {
            src: dir.to_owned(),
            dest: dest.to_owned(),
            st,
            archive: false,
        });
        let mut work = vec![(top, dir.to_owned(), dest.to_owned())];
        while let Some((fd, src, dst)) = work.pop() {
            for name in list(&fd)? {
                let s = src.join(&name);
                if self.ignored(&s) && !self.may_reinclude(&s) {
                    continue;
                }
                let st = rustix::fs::statat(&fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)?;
                let d = dst.join(&name);
                if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
                    let sub = reopen_dir(fd.as_fd(), Some(name.as_os_str()))?;
                    if !self.ignored(&s) {
                        items.push(Item {
                            src: s.clone(),
                            dest: d.clone(),
                            st,
                            archive: false,
                        });
                    }
                    work.push((sub, s, d));
                } else if !self.ignored(&s) {
                    items.push(Item {
                        src: s,
                        dest: d,
                        st,
                        archive: false,
                    });
                }
            }
        }
        Ok(())
    }

    /// Writes the items as a layer tar at `path`: its diff id and size.
    fn write_layer(
        &self,
        st: &State,
        root: &Root,
        items: &[Item],
        inline: &[Inline],
        (owner, chown, chmod): (Owner, Owner, Option<u32>),
        path: &Path,
    ) -> std::io::Result<(String, u64)> {
        let f = std::fs::File::create(path)?;
        let mut hw = HashWriter::new(std::io::BufWriter::with_capacity(1 << 20, f));
        {
            let mut t = TarWriter::new(&mut hw);
            if self.e.opts.rootless {
                t.unmap = Some(crate::engine::userns::rootless_mappings().0);
            }
            let mut made = std::collections::BTreeSet::new();
            let targets = items
                .iter()
                .map(|i| i.dest.as_path())
                .chain(inline.iter().map(|i| i.dest.as_path()));
            for target in targets {
                for parent in target
                    .ancestors()
                    .skip(1)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                {
                    if parent.as_os_str().is_empty() || !made.insert(parent.to_owned()) {
                        continue;
                    }
                    let pst = lower_stat(self, st, parent).unwrap_or_else(default_dir);
                    t.dir(&pst, parent)?;
                }
            }
            t.owner = owner;
            t.chmod = chmod;
            for i in items {
                if i.archive {
                    // An archive's entries keep their owners, unless --chown.
                    t.owner = chown;
                    append_archive(&mut t, root, i)?;
                    t.owner = owner;
                } else if FileType::from_raw_mode(i.st.st_mode) == FileType::Directory {
                    t.dir(&i.st, &i.dest)?;
                } else {
                    let (pfd, name) = root.open_parent(&i.src)?;
                    t.entry(pfd.as_fd(), Some(name.as_os_str()), &i.st, &i.dest)?;
                }
            }
            for i in inline {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(chmod.unwrap_or(i.mode));
                let (u, g) = owner.unwrap_or((0, 0));
                h.set_uid(u.into());
                h.set_gid(g.into());
                h.set_size(i.body.len() as u64);
                t.b.append_data(&mut h, &i.dest, &i.body[..])?;
            }
            t.b.finish()?;
        }
        hw.w.flush()?;
        Ok((
            format!("sha256:{}", crate::state::ids::hex(&hw.h.finalize_reset())),
            hw.n,
        ))
    }

    fn ignored(&self, rel: &Path) -> bool {
        self.ignore
            .as_ref()
            .is_some_and(|i| i.excluded(&rel.to_string_lossy()))
    }

    fn may_reinclude(&self, rel: &Path) -> bool {
        self.ignore
            .as_ref()
            .is_some_and(|i| i.may_reinclude_below(&rel.to_string_lossy()))
    }

    /// `--chown` user[:group]: numbers, or names in the stage's
    /// /etc/passwd and /etc/group.
    fn resolve_owner(&self, st: &State, spec: &str) -> std::result::Result<(u32, u32), String> {
        let (u, g) = spec
            .split_once(':')
            .map(|(u, g)| (u, Some(g)))
            .unwrap_or((spec, None));
        let read = |p: &str| lower_file(self, st, Path::new(p)).unwrap_or_default();
        let find = |text: &str, name: &str| -> Option<(u32, u32)> {
            text.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 3 && f[0] == name)
                    .then(|| (f[2].parse().ok(), f[3].parse().ok()))
                    .and_then(|(a, b)| Some((a?, b?)))
            })
        };
        let (uid, primary) = match u.parse::<u32>() {
            Ok(n) => (n, n),
            Err(_) => find(&read("etc/passwd"), u).ok_or_else(|| {
                format!("unable to find user {u}: no matching entries in passwd file")
            })?,
        };
        let gid = match g {
            None => primary,
            Some(g) => match g.parse::<u32>() {
                Ok(n) => n,
                Err(_) => find(&read("etc/group"), g)
                    .map(|(gid, _)| gid)
                    .ok_or_else(|| {
                        format!("unable to find group {g}: no matching entries in group file")
                    })?,
            },
        };
        Ok((uid, gid))
    }
}

/// Where COPY sources go.
struct Sources<'a> {
    root: &'a Root,
    dest: &'a Path,
    dest_is_dir: bool,
    vars: &'a std::collections::BTreeMap<String, String>,
}

/// The destination (relative to the root, under WORKDIR), and whether
/// its syntax makes it a directory (a trailing `/`, `.`, several sources).
fn destination(st: &State, dest_word: &str, sources: usize) -> (PathBuf, bool) {
    let dest_abs = if dest_word.starts_with('/') {
        dest_word.to_owned()
    } else {
        format!(
            "{}/{dest_word}",
            st.run().working_dir.as_deref().unwrap_or("/")
        )
    };
    let dir_syntax = dest_word.ends_with('/')
        || dest_word == "."
        || dest_word == ".."
        || dest_word.ends_with("/.")
        || dest_word.ends_with("/..")
        || sources > 1;
    let dest =
        PathBuf::from(crate::image::build::instr::workdir(None, &dest_abs).trim_start_matches('/'));
    (dest, dir_syntax)
}

fn stage_count(b: &Builder) -> usize {
    super::stage::stage_starts(b.df).len()
}

/// A path's status in the stage's layers (the topmost that has it; a
/// whiteout above hides it).
fn lower_stat(b: &Builder, st: &State, rel: &Path) -> Option<Stat> {
    for l in st.layers.iter().rev() {
        let dir = b.e.images.layer_dir(&l.chain_id).ok()?.join("diff");
        let root = Root::open(&dir).ok()?;
        if let (Some(p), Some(n)) = (rel.parent(), rel.file_name()) {
            let mut wh = std::ffi::OsString::from(".wh.");
            wh.push(n);
            if root.symlink_metadata(&p.join(wh)).is_ok() {
                return None;
            }
        }
        if let Ok(s) = root.symlink_metadata(rel) {
            let whiteout =
                FileType::from_raw_mode(s.st_mode) == FileType::CharacterDevice && s.st_rdev == 0;
            return (!whiteout).then_some(s);
        }
    }
    None
}

/// A small file's content in the stage's layers.
fn lower_file(b: &Builder, st: &State, rel: &Path) -> Option<String> {
    for l in st.layers.iter().rev() {
        let dir = b.e.images.layer_dir(&l.chain_id).ok()?.join("diff");
        let root = Root::open(&dir).ok()?;
        if let Ok(mut f) = root.open_file(rel, OFlags::RDONLY) {
            let mut s = String::new();
            f.read_to_string(&mut s).ok()?;
            return Some(s);
        }
    }
    None
}

/// A directory made for a destination's missing parent.
fn default_dir() -> Stat {
    // SAFETY: Stat is plain data; zeroed is a valid value.
    let mut s: Stat = unsafe { std::mem::zeroed() };
    s.st_mode = libc::S_IFDIR | 0o755;
    s
}

/// The content key of `source`'s tree in `root` (a bind mount's).
pub(super) fn tree_key(root: &Path, source: &str) -> std::io::Result<String> {
    let r = Root::open(root)?;
    let rel =
        PathBuf::from(crate::image::build::instr::workdir(None, source).trim_start_matches('/'));
    let st = rustix::fs::fstat(r.resolve(&rel, OFlags::PATH)?)?;
    let mut items = Vec::new();
    if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
        let top = reopen_dir(r.open_dir(&rel)?.as_fd(), None)?;
        let mut work = vec![(top, rel.clone())];
        while let Some((fd, dir)) = work.pop() {
            for name in list(&fd)? {
                let st = rustix::fs::statat(&fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)?;
                let p = dir.join(&name);
                if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
                    work.push((reopen_dir(fd.as_fd(), Some(name.as_os_str()))?, p.clone()));
                }
                items.push(Item {
                    src: p.clone(),
                    dest: p,
                    st,
                    archive: false,
                });
            }
        }
    } else {
        items.push(Item {
            src: rel.clone(),
            dest: rel,
            st,
            archive: false,
        });
    }
    items.sort_by(|a, b| a.src.cmp(&b.src));
    content_key(&r, &items, &[], None, None)
}

/// The cache key of a copy: names, modes, owners and contents.
fn content_key(
    root: &Root,
    items: &[Item],
    inline: &[Inline],
    owner: Option<(u32, u32)>,
    chmod: Option<u32>,
) -> std::io::Result<String> {
    let mut h = Sha256::new();
    h.update(format!("{owner:?} {chmod:?}\n"));
    let mut buf = vec![0u8; 1 << 16];
    for i in items {
        h.update(format!(
            "{}\0{}\0{}:{}\0{}\0",
            i.dest.display(),
            i.st.st_mode,
            i.st.st_uid,
            i.st.st_gid,
            i.st.st_size
        ));
        match FileType::from_raw_mode(i.st.st_mode) {
            FileType::RegularFile => {
                let (pfd, name) = root.open_parent(&i.src)?;
                let fd = rustix::fs::openat(
                    &pfd,
                    name.as_os_str(),
                    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    rustix::fs::Mode::empty(),
                )?;
                let mut f = std::fs::File::from(fd);
                loop {
                    let n = f.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    h.update(&buf[..n]);
                }
            }
            FileType::Symlink => {
                let (pfd, name) = root.open_parent(&i.src)?;
                let t = rustix::fs::readlinkat(&pfd, name.as_os_str(), Vec::new())?;
                h.update(t.to_bytes());
            }
            _ => {}
        }
    }
    for i in inline {
        h.update(format!("{}\0{}\0", i.dest.display(), i.mode));
        h.update(&i.body);
    }
    Ok(crate::state::ids::hex(&h.finalize()))
}

/// Matches of a wildcard path, component by component, in the root.
fn glob(root: &Root, pattern: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = vec![PathBuf::new()];
    for comp in pattern.components() {
        let c = comp.as_os_str().to_string_lossy().into_owned();
        let mut next = Vec::new();
        for base in &found {
            if !c.contains(['*', '?', '[']) {
                next.push(base.join(&c));
                continue;
            }
            let Ok(fd) = root
                .open_dir(base)
                .and_then(|d| reopen_dir(d.as_fd(), None))
            else {
                continue;
            };
            for name in list(&fd)? {
                if crate::image::build::glob::glob_match(&c, &name.to_string_lossy()) {
                    next.push(base.join(&name));
                }
            }
        }
        found = next;
    }
    found.retain(|p| root.symlink_metadata(p).is_ok());
    found.sort();
    Ok(found)
}

/// A writer that hashes and counts what goes through.
struct HashWriter<W: Write> {
    w: W,
    h: Sha256,
    n: u64,
}

impl<W: Write> HashWriter<W> {
    fn new(w: W) -> Self {
        HashWriter {
            w,
            h: Sha256::new(),
            n: 0,
        }
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.w.write(buf)?;
        self.h.update(&buf[..n]);
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// Pull notices a build does not show.
struct Quiet;
impl crate::image::pull::PullProgress for Quiet {}
impl crate::engine::run::PullNotices for Quiet {}
