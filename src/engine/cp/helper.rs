//! The `cp` helper (`skiff __cp PLAN`): enters the plan's user namespace,
//! reaches the container's root, applies docker's path rules and copies
//! through a tar stream (one thread writes it, the other unpacks it).

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, OFlags};

use super::fail::{daemon, raw, Fail};
use super::{Access, CpOp, Plan, Userns};
use crate::error::{Error, Result};
use crate::fsroot::Root;
use crate::image::layer::{CopyRules, UnpackOptions};

/// The helper's argv[1].
pub const ARG: &str = "__cp";

/// Runs the helper for `plan` (stdio inherited: `-` streams pass
/// through) and turns its report into the result.
pub(super) fn spawn(
    plan: &Plan,
    sink: Option<&mut dyn FnMut(std::process::ChildStdout) -> Result<()>>,
) -> Result<u64> {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let json = serde_json::to_string(plan).map_err(|e| Error::Other(e.to_string()))?;
    let (r, w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|e| Error::Other(format!("pipe: {e}")))?;
    let raw_w = w.as_raw_fd();
    let mut cmd = std::process::Command::new("/proc/self/exe");
    cmd.arg(ARG).arg(json);
    if sink.is_some() {
        cmd.stdout(std::process::Stdio::piped());
    }
    // SAFETY: dup2 and prctl are async-signal-safe; the report pipe goes
    // to fd 3, and the helper dies with the command (a killed `cp` must
    // not leave it copying into a container it no longer holds locked).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1
                || libc::dup2(raw_w, 3) == -1
            {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::Other(format!("starting the cp helper: {e}")))?;
    drop(w);
    // What the helper writes is read while it works; a reader that gives
    // up closes the pipe (the helper then fails on it).
    let sunk = match (sink, child.stdout.take()) {
        (Some(f), Some(out)) => f(out),
        _ => Ok(()),
    };
    let mut report = String::new();
    let _ = File::from(r).read_to_string(&mut report);
    let status = child
        .wait()
        .map_err(|e| Error::Other(format!("waiting for the cp helper: {e}")))?;
    sunk?;
    let line = report.lines().next().unwrap_or_default();
    match line.split_once(' ') {
        Some(("OK", n)) if status.success() => Ok(n.parse().unwrap_or(0)),
        Some(("RAW", m)) => Err(Error::Raw(m.to_owned())),
        Some(("ERR", m)) => Err(Error::Other(m.to_owned())),
        _ => Err(Error::Other(format!("the cp helper failed ({status})"))),
    }
}

/// `skiff __cp PLAN`.
pub fn main() -> ! {
    // SAFETY: fd 3 is the report pipe spawn placed for this process.
    let mut report = unsafe { File::from_raw_fd(3) };
    let line = match std::env::args()
        .nth(2)
        .ok_or_else(|| daemon("no plan"))
        .and_then(|j| serde_json::from_str::<Plan>(&j).map_err(|e| daemon(e.to_string())))
        .and_then(|plan| run(&plan))
    {
        Ok(n) => format!("OK {n}\n"),
        Err(Fail { raw: true, msg }) => format!("RAW {msg}\n"),
        Err(Fail { raw: false, msg }) => format!("ERR {msg}\n"),
    };
    let ok = line.starts_with("OK");
    let _ = report.write_all(line.as_bytes());
    let _ = io::stdout().flush();
    std::process::exit(if ok { 0 } else { 1 })
}

fn run(plan: &Plan) -> std::result::Result<u64, Fail> {
    // A running container's root, opened before any namespace changes
    // (as the user, who owns its user namespace).
    let proc_root = match &plan.access {
        Access::Running { pid } => Some(PathBuf::from(format!("/proc/{pid}/root"))),
        _ => None,
    };
    match &plan.userns {
        Some(Userns::Join { pid }) => join_userns(*pid)?,
        Some(Userns::Own { uid, gid }) => own_userns(*uid, *gid)?,
        None => {}
    }
    match (&plan.access, &plan.op) {
        (Access::Layers(l), CpOp::Diff) => return super::fsops::diff(l),
        (Access::Layers(l), CpOp::Layer) => return super::fsops::layer(l),
        (Access::Layers(l), CpOp::Export { dest }) => {
            return super::fsops::export_layers(l, dest.as_deref())
        }
        (Access::Dir { rootfs }, CpOp::Export { dest }) => {
            return super::fsops::export_dir(rootfs, dest.as_deref())
        }
        (Access::Running { .. } | Access::Stopped { .. }, CpOp::In { .. } | CpOp::Out { .. }) => {}
        _ => return Err(daemon("the helper's plan does not fit its operation")),
    }
    let root_path = match (&plan.access, proc_root) {
        (_, Some(p)) => p,
        (Access::Stopped { spec }, None) => {
            // SAFETY: a fresh single-threaded process; NEWNS alone.
            unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNS) }
                .map_err(|e| daemon(format!("a mount namespace for cp: {e}")))?;
            crate::runtime::view::mount_view(spec)
                .map_err(|e| daemon(format!("mounting the container's files: {}", e.message)))?
        }
        _ => return Err(daemon("the helper's plan does not fit its operation")),
    };
    let root = Root::open(&root_path).map_err(|e| daemon(format!("the container's root: {e}")))?;
    let ctx = Ctx {
        plan,
        root: &root,
        root_path: &root_path,
    };
    match &plan.op {
        CpOp::Out { src, dest } => ctx.copy_out(src, dest),
        CpOp::In { src, dest } => ctx.copy_in(src, dest),
        _ => Err(daemon("the helper's plan does not fit its operation")),
    }
}

/// Enters the user namespace of process `pid` as its root.
fn join_userns(pid: i32) -> std::result::Result<(), Fail> {
    let fd = rustix::fs::open(
        format!("/proc/{pid}/ns/user"),
        OFlags::RDONLY | OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| daemon(format!("the container's user namespace: {e}")))?;
    rustix::thread::move_into_link_name_space(
        fd.as_fd(),
        Some(rustix::thread::LinkNameSpaceType::User),
    )
    .map_err(|e| daemon(format!("joining the container's user namespace: {e}")))?;
    become_root()
}

/// A new user namespace mapping the user alone to root.
fn own_userns(uid: u32, gid: u32) -> std::result::Result<(), Fail> {
    let fail = |e: &dyn std::fmt::Display| daemon(format!("a user namespace for cp: {e}"));
    // SAFETY: a fresh single-threaded process; NEWUSER alone.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWUSER) }
        .map_err(|e| fail(&e))?;
    std::fs::write("/proc/self/setgroups", "deny").map_err(|e| fail(&e))?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1")).map_err(|e| fail(&e))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1")).map_err(|e| fail(&e))?;
    become_root()
}

fn become_root() -> std::result::Result<(), Fail> {
    let (uid, gid) = (rustix::process::Uid::ROOT, rustix::process::Gid::ROOT);
    rustix::thread::set_thread_res_gid(gid, gid, gid)
        .and_then(|()| rustix::thread::set_thread_res_uid(uid, uid, uid))
        .map_err(|e| daemon(format!("becoming root of the user namespace: {e}")))
}

/// A container path: relative to the root (cleaned), whether it ends in
/// `/.` (the contents) or `/` (a directory).
fn container_path(p: &str) -> (PathBuf, bool, bool) {
    let dot = p.ends_with("/.") || p == ".";
    let slash = p.ends_with('/') || dot;
    let rel = crate::engine::mounts::clean_target(&format!("/{p}")).unwrap_or_default();
    (PathBuf::from(rel.trim_start_matches('/')), dot, slash)
}

/// The last component, or `.` for the root.
fn base(rel: &Path) -> PathBuf {
    rel.file_name()
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
}

struct Ctx<'a> {
    plan: &'a Plan,
    root: &'a Root,
    root_path: &'a Path,
}

impl Ctx<'_> {
    /// What `rel` is inside the container (`follow`: a symlink at it is
    /// followed, inside the root).
    fn stat(&self, rel: &Path, follow: bool) -> io::Result<FileType> {
        let flags = if follow {
            OFlags::PATH
        } else {
            OFlags::PATH | OFlags::NOFOLLOW
        };
        let fd = self.root.resolve(rel, flags)?;
        Ok(FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode))
    }

    fn not_found(&self, path: &str) -> Fail {
        daemon(format!(
            "Could not find the file {path} in container {}",
            self.plan.name
        ))
    }

    fn copy_out(&self, src: &str, dest: &str) -> std::result::Result<u64, Fail> {
        let (rel, dot, slash) = container_path(src);
        let follow = self.plan.follow || slash;
        let is_dir = match self.stat(&rel, follow) {
            Ok(ft) => ft == FileType::Directory,
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Err(self.not_found(src)),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
                return Err(daemon(format!("lstat {src}: not a directory")))
            }
            Err(e) => return Err(e.into()),
        };
        if slash && !is_dir {
            return Err(daemon(format!("lstat {src}: not a directory")));
        }
        let contents = dot && is_dir;
        if dest == "-" {
            let top = if contents {
                PathBuf::from(".")
            } else {
                base(&rel)
            };
            let out = io::stdout().lock();
            return Ok(crate::image::treetar::write_tree(
                self.root, &rel, &top, follow, out,
            )?);
        }
        let (target, top) = host_target(dest, is_dir, contents, base(&rel))?;
        let own = (
            rustix::process::geteuid().as_raw(),
            rustix::process::getegid().as_raw(),
        );
        let opts = self.unpack_options(PathBuf::new(), Some(own));
        pipe_copy(
            |w| crate::image::treetar::write_tree(self.root, &rel, &top, follow, w),
            |r| crate::image::layer::unpack(r, &target, &opts),
        )
    }

    fn copy_in(&self, src: &str, dest: &str) -> std::result::Result<u64, Fail> {
        let (drel, _, dslash) = container_path(dest);
        let owner = match &self.plan.owner_user {
            Some(u) => Some(self.resolve_user(u)?),
            None => None,
        };
        let dest_kind = match self.stat(&drel, true) {
            Ok(ft) => Some(ft),
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT)) => None,
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
                return Err(self.not_found(dest));
            }
            Err(e) => return Err(e.into()),
        };
        if src == "-" {
            if dest_kind != Some(FileType::Directory) {
                return Err(raw(format!(
                    "destination \"{}:{dest}\" must be a directory",
                    self.plan.name
                )));
            }
            let opts = self.unpack_options(drel, owner);
            let r = crate::image::layer::unpack(io::stdin().lock(), self.root_path, &opts)
                .map_err(layer_fail)?;
            return Ok(r.size);
        }
        let abs = crate::engine::mounts::absolute(
            &std::env::current_dir().unwrap_or_else(|_| "/".into()),
            src,
        );
        let contents = src.ends_with("/.");
        let follow = self.plan.follow || src.ends_with('/') || contents;
        let meta = if follow {
            std::fs::metadata(&abs)
        } else {
            std::fs::symlink_metadata(&abs)
        };
        let is_dir = match meta {
            Ok(m) => m.is_dir(),
            Err(e) => return Err(raw(format!("lstat {src}: {}", io_text(&e)))),
        };
        let (target, top) = match dest_kind {
            Some(FileType::Directory) if is_dir && contents => (drel, PathBuf::from(".")),
            Some(FileType::Directory) => (drel, base(Path::new(&abs))),
            Some(_) if is_dir => return Err(raw("cannot copy directory")),
            Some(_) => (parent(&drel), base(&drel)),
            None if dslash && !is_dir => return Err(raw("no such directory")),
            None => {
                let p = parent(&drel);
                if self.stat(&p, true).ok() != Some(FileType::Directory) {
                    return Err(self.not_found(&format!("/{}", p.display())));
                }
                (p, base(&drel))
            }
        };
        let host = Root::open("/")?;
        let src_rel = PathBuf::from(abs.trim_start_matches('/'));
        let opts = self.unpack_options(target, owner);
        pipe_copy(
            |w| crate::image::treetar::write_tree(&host, &src_rel, &top, follow, w),
            |r| crate::image::layer::unpack(r, self.root_path, &opts),
        )
    }

    fn unpack_options(&self, prefix: PathBuf, owner: Option<(u32, u32)>) -> UnpackOptions {
        UnpackOptions {
            rootless: self.plan.rootless,
            copy: Some(CopyRules { prefix, owner }),
            ..Default::default()
        }
    }

    /// `uid[:gid]`, or names in the container's /etc/passwd and /etc/group
    /// (read inside its root).
    fn resolve_user(&self, user: &str) -> std::result::Result<(u32, u32), Fail> {
        let read = |f: &str| {
            self.root
                .open_file(Path::new(f), OFlags::RDONLY)
                .and_then(io::read_to_string)
                .unwrap_or_default()
        };
        let (u, g) = user.split_once(':').unwrap_or((user, ""));
        let passwd = read("etc/passwd");
        let (uid, primary) = match u.parse::<u32>() {
            Ok(n) => (
                n,
                lookup(&passwd, |f| f[2] == u).and_then(|f| f[3].parse().ok()),
            ),
            Err(_) => lookup(&passwd, |f| f[0] == u)
                .and_then(|f| Some((f[2].parse().ok()?, f[3].parse().ok())))
                .ok_or_else(|| {
                    daemon(format!(
                        "unable to find user {u}: no matching entries in passwd file"
                    ))
                })?,
        };
        let gid = match g {
            "" => primary.unwrap_or(uid),
            g => match g.parse::<u32>() {
                Ok(n) => n,
                Err(_) => lookup(&read("etc/group"), |f| f[0] == g)
                    .and_then(|f| f[2].parse().ok())
                    .ok_or_else(|| {
                        daemon(format!(
                            "unable to find group {g}: no matching entries in group file"
                        ))
                    })?,
            },
        };
        Ok((uid, gid))
    }
}

/// The first line of a passwd/group text whose fields `pick` accepts.
fn lookup(text: &str, pick: impl Fn(&[&str]) -> bool) -> Option<Vec<&str>> {
    text.lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 4 && pick(f))
}

fn parent(rel: &Path) -> PathBuf {
    rel.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// An io error's text without Rust's " (os error N)".
fn io_text(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s,
    }
}

/// docker's rules for the host side of `cp` out: the directory the copy
/// lands in and the name of its top entry.
fn host_target(
    dest: &str,
    src_dir: bool,
    contents: bool,
    src_base: PathBuf,
) -> std::result::Result<(PathBuf, PathBuf), Fail> {
    let d = Path::new(dest);
    let parent_of = || {
        let p = d
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => Ok(p.to_path_buf()),
            Ok(_) => Err(raw(format!("lstat {}: not a directory", p.display()))),
            Err(e) => Err(raw(format!("lstat {}: {}", p.display(), io_text(&e)))),
        }
    };
    let name = || base(d);
    match std::fs::metadata(d) {
        Ok(m) if m.is_dir() && contents => Ok((d.to_path_buf(), PathBuf::from("."))),
        Ok(m) if m.is_dir() => Ok((d.to_path_buf(), src_base)),
        Ok(_) if src_dir => Err(raw("cannot copy directory")),
        Ok(_) => Ok((parent_of()?, name())),
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(raw(format!("lstat {dest}: {}", io_text(&e))))
        }
        Err(_) if dest.ends_with('/') && !src_dir => Err(raw("no such directory")),
        Err(_) => Ok((parent_of()?, name())),
    }
}

fn layer_fail(e: crate::image::layer::LayerError) -> Fail {
    use crate::image::layer::LayerError;
    match e {
        LayerError::Invalid { path, reason } => daemon(format!("{path:?}: {reason}")),
        LayerError::Entry { path, op, source } => daemon(format!("{path:?}: {op}: {source}")),
        other => daemon(other.to_string()),
    }
}

/// Runs `produce` (writing a tar) on a thread and `consume` (unpacking
/// it) here, through a pipe; the bytes the tar's files held.
fn pipe_copy(
    produce: impl FnOnce(&mut dyn Write) -> io::Result<u64> + Send,
    consume: impl FnOnce(
        File,
    ) -> std::result::Result<
        crate::image::layer::UnpackReport,
        crate::image::layer::LayerError,
    >,
) -> std::result::Result<u64, Fail> {
    let (r, w): (OwnedFd, OwnedFd) =
        rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(io::Error::from)?;
    // A big pipe and a big write buffer: fewer switches between the two
    // threads (a cp is mostly a few large files).
    let _ = rustix::pipe::fcntl_setpipe_size(&w, 1 << 20);
    std::thread::scope(|s| {
        let writer = s.spawn(move || {
            let mut out = io::BufWriter::with_capacity(1 << 20, File::from(w));
            let n = produce(&mut out)?;
            out.flush()?;
            Ok::<u64, io::Error>(n)
        });
        let unpacked = consume(File::from(r));
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the tar writer panicked")));
        match (written, unpacked) {
            (Ok(n), Ok(_)) => Ok(n),
            // The reader's error explains a writer's broken pipe; else
            // the writer's explains a cut stream.
            (Err(w), Err(_)) if w.kind() != io::ErrorKind::BrokenPipe => Err(w.into()),
            (_, Err(e)) => Err(layer_fail(e)),
            (Err(e), Ok(_)) => Err(e.into()),
        }
    })
}
