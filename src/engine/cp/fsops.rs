//! The helper's whole-filesystem operations: `diff`, `commit`'s layer
//! and `export`, on an overlay container's layers (read directly, or
//! mounted read-only) or a vfs container's root.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::fail::{daemon, Fail};
use super::LayerPaths;
use crate::fsroot::Root;
use crate::image::changes;

type Res<T> = std::result::Result<T, Fail>;

fn roots(l: &LayerPaths) -> Res<(Root, Vec<Root>)> {
    let open = |p: &PathBuf| Root::open(p).map_err(|e| daemon(e.to_string()));
    let upper = open(&l.upper)?;
    let lowers = l.lowers.iter().map(open).collect::<Res<Vec<_>>>()?;
    Ok((upper, lowers))
}

fn opaque_xattr(l: &LayerPaths) -> &'static str {
    if l.userxattr {
        "user.overlay.opaque"
    } else {
        "trusted.overlay.opaque"
    }
}

fn list(l: &LayerPaths) -> Res<(Root, Vec<changes::Change>)> {
    let (upper, lowers) = roots(l)?;
    let c = if l.full_copy {
        crate::image::changes_full::changes(&upper, &lowers, &l.mountpoints)
    } else {
        changes::changes(&upper, &lowers, opaque_xattr(l), &l.mountpoints)
    }
    .map_err(|e| daemon(format!("reading the container's changes: {e}")))?;
    Ok((upper, c))
}

/// `diff`: one `K /path` line per change.
pub(super) fn diff(l: &LayerPaths) -> Res<u64> {
    let (_, c) = list(l)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for ch in &c {
        writeln!(out, "{} /{}", ch.kind.letter(), ch.path.display())?;
    }
    out.flush()?;
    Ok(c.len() as u64)
}

/// `commit`: the layer tar on stdout.
pub(super) fn layer(l: &LayerPaths) -> Res<u64> {
    let (upper, c) = list(l)?;
    let out = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
    Ok(changes::write_layer(&upper, &c, out)?)
}

/// `export` of an overlay container: its layers mounted read-only in a
/// mount namespace of this process's own.
pub(super) fn export_layers(l: &LayerPaths, dest: Option<&Path>) -> Res<u64> {
    // SAFETY: a fresh single-threaded process; NEWNS alone.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNS) }
        .map_err(|e| daemon(format!("a mount namespace for export: {e}")))?;
    rustix::mount::mount_change(
        "/",
        rustix::mount::MountPropagationFlags::DOWNSTREAM
            | rustix::mount::MountPropagationFlags::REC,
    )
    .map_err(|e| daemon(format!("making / a slave mount: {e}")))?;
    let mut layers = vec![l.upper.clone()];
    layers.extend(l.lowers.iter().cloned());
    crate::runtime::view::mount_layers_ro(&layers, &l.target, l.userxattr)
        .map_err(|e| daemon(e.message))?;
    export_dir(&l.target, dest)
}

/// `export` of a root directory: to the file (written beside it, renamed
/// when whole) or to stdout.
pub(super) fn export_dir(rootfs: &Path, dest: Option<&Path>) -> Res<u64> {
    let root = Root::open(rootfs).map_err(|e| daemon(e.to_string()))?;
    let write = |w: &mut dyn Write| {
        crate::image::treetar::write_tree(&root, Path::new(""), Path::new("."), false, w)
    };
    match dest {
        None => Ok(write(&mut io::BufWriter::with_capacity(
            1 << 20,
            io::stdout().lock(),
        ))?),
        Some(path) => {
            let mut n = 0;
            crate::state::atomic::write_with(path, |f| {
                // As a plain create would make it (0666 less the umask).
                use std::os::unix::fs::PermissionsExt;
                let umask = rustix::process::umask(rustix::fs::Mode::empty());
                rustix::process::umask(umask);
                f.set_permissions(std::fs::Permissions::from_mode(0o666 & !umask.bits()))?;
                let mut w = io::BufWriter::with_capacity(1 << 20, f);
                n = write(&mut w)?;
                w.flush()
            })
            .map_err(|e| daemon(e.to_string()))?;
            Ok(n)
        }
    }
}
