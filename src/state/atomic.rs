//! The only way state files are written: temp file in the same directory,
//! flock on it while it is written, fsync, rename over the target, fsync of
//! the directory. A reader therefore sees the old or the new file, never a
//! torn one, whatever kills the writer. Leftover temp files (`.*.tmp`) of a
//! killed writer are ignored by readers and removed by [`clean_tmp`]; the
//! flock tells a live writer's temp file from a dead one's.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::error::{IoContext, Result};

/// Suffix every temp file carries; listings skip names ending in it.
pub const TMP_SUFFIX: &str = ".tmp";

/// Atomically replace `path` with `bytes`.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, |f| f.write_all(bytes))
}

/// Atomically replace `path` with pretty or compact JSON of `value`.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| crate::Error::Other(format!("encoding {}: {e}", path.display())))?;
    write(path, &bytes)
}

/// Atomically replace `path` with `bytes`: temp file, flock, rename, like
/// [`write`], but no fsync. Only for what means nothing after a crash of
/// the machine: files of the runroot (tmpfs by design, cleared at boot,
/// such as `<runroot>/containers/<id>/exit`) and facts that do not outlive
/// a boot (cgroup paths). Making those durable buys nothing; the rename
/// still keeps readers from a torn file and survives a killed writer.
pub fn write_volatile(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = fill_temp(path, |f| f.write_all(bytes))?;
    tmp.persist(path)
        .map_err(|e| crate::Error::io("renaming into", path, e.error))?;
    Ok(())
}

/// Atomically replace several files of one directory (temp, flock,
/// fsync, rename each in order), with one fsync of the directory at the
/// end instead of one per file.
pub fn write_all_json(dir: &Path, files: &[(&str, &dyn erased::Json)]) -> Result<()> {
    for (name, value) in files {
        let path = dir.join(name);
        let bytes = value.to_json(&path)?;
        let tmp = fill_temp(&path, |f| f.write_all(&bytes))?;
        tmp.as_file().sync_all().ctx("syncing", tmp.path())?;
        tmp.persist(&path)
            .map_err(|e| crate::Error::io("renaming into", &path, e.error))?;
    }
    sync_dir(dir)
}

/// Object-safe JSON encoding, for [`write_all_json`]'s mixed types.
pub mod erased {
    use std::path::Path;

    pub trait Json {
        fn to_json(&self, path: &Path) -> crate::Result<Vec<u8>>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self, path: &Path) -> crate::Result<Vec<u8>> {
            serde_json::to_vec(self)
                .map_err(|e| crate::Error::Other(format!("encoding {}: {e}", path.display())))
        }
    }
}

/// A locked temp file beside `path`, filled by `fill`.
fn fill_temp(
    path: &Path,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<tempfile::NamedTempFile> {
    let dir = parent(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TMP_SUFFIX)
        .tempfile_in(dir)
        .ctx("creating temp file in", dir)?;
    // Held until the fd closes, so clean_tmp never removes a live writer's file.
    tmp.as_file().lock().ctx("locking", tmp.path())?;
    fill(tmp.as_file_mut()).ctx("writing", tmp.path())?;
    Ok(tmp)
}

/// Atomically replace `path` with whatever `fill` writes.
pub fn write_with(path: &Path, fill: impl FnOnce(&mut File) -> std::io::Result<()>) -> Result<()> {
    let dir = parent(path);
    let tmp = fill_temp(path, fill)?;
    tmp.as_file().sync_all().ctx("syncing", tmp.path())?;
    tmp.persist(path)
        .map_err(|e| crate::Error::io("renaming into", path, e.error))?;
    sync_dir(dir)
}

/// fsync a directory so a rename or create in it is durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .ctx("syncing directory", dir)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Is this directory entry a temp file of [`write`]?
pub fn is_tmp(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TMP_SUFFIX)
}

/// Remove the temp files left in `dir` by writers that died. Returns how
/// many were removed. Live writers hold a lock on theirs and are skipped.
pub fn clean_tmp(dir: &Path) -> Result<usize> {
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(crate::Error::io("reading", dir, e)),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !is_tmp(&name.to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        let Ok(f) = File::open(&path) else { continue };
        if f.try_lock().is_ok() && fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("state.json");
        write(&p, b"{\"a\":1}").unwrap();
        write(&p, b"{\"a\":2}").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"{\"a\":2}");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn clean_tmp_skips_locked_and_real_files() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("keep.json"), b"{}").unwrap();
        fs::write(d.path().join(".keep.json.dead.tmp"), b"{").unwrap();
        let live = d.path().join(".keep.json.live.tmp");
        let f = File::create(&live).unwrap();
        f.lock().unwrap();
        assert_eq!(clean_tmp(d.path()).unwrap(), 1);
        assert!(live.exists());
        assert!(d.path().join("keep.json").exists());
        drop(f);
        assert_eq!(clean_tmp(d.path()).unwrap(), 1);
    }
}
