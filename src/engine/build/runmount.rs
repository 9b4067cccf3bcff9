//! BuildKit's `RUN --mount`: `type=cache` (a directory kept in the store
//! across builds, `<root>/buildcache-mounts/<id>`), `type=bind` (from the
//! context, read-only unless `rw`, or from a stage or image), `type=tmpfs`,
//! and `type=secret` (a `--secret` file bound read-only at
//! `/run/secrets/<id>`; never in a layer, nor in the cache key). What a
//! mount brings is not part of the step's layer: the runtime's mountpoint
//! is left out of the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::stage::{line_err, Builder, State};
use crate::error::{Error, Result};
use crate::image::build::dockerfile::Instruction;
use crate::state::mounts::{MountRequest, TmpfsOptions};

/// The mounts of one RUN, ready for its container; and what goes into the
/// cache key.
#[derive(Default)]
pub(super) struct RunMounts {
    pub mounts: Vec<MountRequest>,
    pub key: String,
    /// Copies made for `rw` binds and stage binds (removed with it).
    pub _tmp: Vec<tempfile::TempDir>,
}

/// `k=v,k2,...` of one --mount.
fn fields(spec: &str) -> BTreeMap<String, String> {
    spec.split(',')
        .filter(|f| !f.is_empty())
        .map(|f| match f.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_owned()),
            None => (f.trim().to_ascii_lowercase(), "true".to_owned()),
        })
        .collect()
}

impl Builder<'_> {
    /// The `--mount` flags of `ins`.
    pub(super) fn run_mounts(&mut self, st: &State, ins: &Instruction) -> Result<RunMounts> {
        let mut out = RunMounts::default();
        for (name, value) in &ins.flags {
            if name != "mount" {
                continue;
            }
            let spec = value.clone().unwrap_or_default();
            let f = fields(&spec);
            let target = f
                .get("target")
                .or_else(|| f.get("dst"))
                .or_else(|| f.get("destination"))
                .cloned();
            let kind = f.get("type").map(String::as_str).unwrap_or("bind");
            let m = match (kind, target) {
                ("secret", t) => self.secret_mount(&f, t).map_err(|e| line_err(ins, e))?,
                (_, None) => {
                    return Err(line_err(ins, format!("--mount={spec}: target is required")))
                }
                ("cache", Some(t)) => self.cache_mount(&f, &t)?,
                ("tmpfs", Some(t)) => tmpfs_mount(&f, &t).map_err(|e| line_err(ins, e))?,
                ("bind", Some(t)) => self
                    .bind_mount(st, &f, &t, &mut out)
                    .map_err(|e| line_err(ins, e))?,
                (other, _) => {
                    return Err(line_err(
                        ins,
                        format!("--mount: unsupported mount type {other:?}"),
                    ))
                }
            };
            if kind != "secret" {
                out.key.push_str(&spec);
                out.key.push('\n');
            }
            out.mounts.push(m);
        }
        Ok(out)
    }

    fn cache_mount(&self, f: &BTreeMap<String, String>, target: &str) -> Result<MountRequest> {
        let id = f.get("id").cloned().unwrap_or_else(|| target.to_owned());
        let hex = crate::state::ids::hex(&<sha2::Sha256 as sha2::Digest>::digest(id.as_bytes()));
        let dir = self
            .e
            .images
            .root()
            .join("buildcache-mounts")
            .join(&hex[..32]);
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
            let num = |k: &str| f.get(k).and_then(|v| v.parse::<u32>().ok());
            if !self.e.opts.rootless && (num("uid").is_some() || num("gid").is_some()) {
                let _ = std::os::unix::fs::chown(&dir, num("uid"), num("gid"));
            }
            if let Some(m) = f.get("mode").and_then(|m| u32::from_str_radix(m, 8).ok()) {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(m));
            }
        }
        Ok(bind(&dir, target, false))
    }

    /// A secret: the `--secret` file of that id, read-only.
    fn secret_mount(
        &self,
        f: &BTreeMap<String, String>,
        target: Option<String>,
    ) -> std::result::Result<MountRequest, String> {
        let id = f
            .get("id")
            .cloned()
            .or_else(|| {
                target
                    .as_deref()
                    .and_then(|t| t.rsplit('/').next())
                    .map(str::to_owned)
            })
            .ok_or("--mount=type=secret: id or target is required")?;
        let target = target.unwrap_or_else(|| format!("/run/secrets/{id}"));
        let Some(src) = self
            .o
            .secrets
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, p)| p)
        else {
            if f.get("required").is_some_and(|v| v == "true") {
                return Err(format!(
                    "secret {id}: not provided (give --secret id={id},src=FILE)"
                ));
            }
            // Not required: docker mounts nothing.
            return Ok(tmpfs(&target, 0, 0));
        };
        Ok(bind(src, &target, true))
    }

    /// A bind from the context (inside it) or from a stage or image.
    fn bind_mount(
        &mut self,
        st: &State,
        f: &BTreeMap<String, String>,
        target: &str,
        out: &mut RunMounts,
    ) -> std::result::Result<MountRequest, String> {
        let source = f
            .get("source")
            .or_else(|| f.get("src"))
            .cloned()
            .unwrap_or_default();
        let rw = f
            .get("rw")
            .or_else(|| f.get("readwrite"))
            .is_some_and(|v| v == "true");
        let root = match f.get("from") {
            Some(from) => {
                let tmp =
                    crate::image::archive::tmp_dir(&self.e.images).map_err(|e| e.to_string())?;
                let copy = self
                    .stage_copy(st, from, tmp.path())
                    .map_err(|e| e.to_string())?;
                out._tmp.push(tmp);
                copy
            }
            None => self.context.clone(),
        };
        let path = inside(&root, &source)?;
        out.key
            .push_str(&super::copy::tree_key(&root, &source).map_err(|e| e.to_string())?);
        if rw {
            let tmp = crate::image::archive::tmp_dir(&self.e.images).map_err(|e| e.to_string())?;
            let copy = tmp.path().join("rw");
            std::fs::create_dir(&copy).map_err(|e| e.to_string())?;
            let from = crate::fsroot::Root::open(&path).map_err(|e| e.to_string())?;
            let to = crate::fsroot::Root::open(&copy).map_err(|e| e.to_string())?;
            crate::image::vfs::copy_tree(&from, &to).map_err(|e| e.to_string())?;
            out._tmp.push(tmp);
            return Ok(bind(&copy, target, false));
        }
        Ok(bind(&path, target, true))
    }
}

/// `source` in `root`, resolved inside it (a symlink can't lead out): its
/// real path.
fn inside(root: &Path, source: &str) -> std::result::Result<PathBuf, String> {
    let r = crate::fsroot::Root::open(root).map_err(|e| e.to_string())?;
    let rel = Path::new(source.trim_start_matches('/'));
    let fd = r
        .resolve(rel, rustix::fs::OFlags::PATH)
        .map_err(|e| format!("bind source {source:?}: {e}"))?;
    let real = std::fs::read_link(format!(
        "/proc/self/fd/{}",
        std::os::fd::AsRawFd::as_raw_fd(&fd)
    ))
    .map_err(|e| e.to_string())?;
    let top = std::fs::canonicalize(root).map_err(|e| e.to_string())?;
    if !real.starts_with(&top) {
        return Err(format!(
            "bind source {source:?} is outside the build context"
        ));
    }
    Ok(real)
}

fn bind(src: &Path, target: &str, read_only: bool) -> MountRequest {
    MountRequest {
        kind: "bind".into(),
        source: src.display().to_string(),
        target: target.to_owned(),
        read_only,
        ..Default::default()
    }
}

fn tmpfs(target: &str, size: i64, mode: u32) -> MountRequest {
    MountRequest {
        kind: "tmpfs".into(),
        target: target.to_owned(),
        tmpfs_options: Some(TmpfsOptions {
            size_bytes: size,
            mode,
        }),
        ..Default::default()
    }
}

fn tmpfs_mount(
    f: &BTreeMap<String, String>,
    target: &str,
) -> std::result::Result<MountRequest, String> {
    let size = match f.get("size") {
        Some(s) => crate::util::units::parse_ram(s)
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(|| format!("--mount: invalid size {s:?}"))?,
        None => 0,
    };
    Ok(tmpfs(target, size, 0))
}
