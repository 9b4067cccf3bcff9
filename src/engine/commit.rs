//! A container's filesystem as a whole: `diff`, `export`, `commit`, and
//! `import` (a tarball made an image). The reading is the `cp` helper's
//! (`engine::cp`, in the user namespace that can read a rootless
//! container's files); the new layer and image are stored as `load`
//! stores them (under a lease, then tagged under the image lock).

use std::io::Read;
use std::path::Path;

use serde_json::{json, Value};

use super::cp::CpOp;
use super::Engine;
use crate::error::{Error, Result};
use crate::image::reference::Reference;
use crate::image::types::RunConfig;
use crate::util::time;

/// `commit`'s options.
#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    pub container: String,
    /// `REPOSITORY[:TAG]` (`latest` when no tag).
    pub reference: Option<String>,
    pub author: Option<String>,
    pub message: Option<String>,
    pub changes: Vec<String>,
    /// `-p` (default): freeze a running container meanwhile.
    pub pause: bool,
}

/// `import`'s options.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub reference: Option<String>,
    pub message: Option<String>,
    pub changes: Vec<String>,
    pub platform: Option<String>,
    /// What the history says it came from (`-`, a file, a URL).
    pub source: String,
}

impl Engine {
    /// `diff`: docker's (kind, path) lines, by path.
    pub fn container_diff(&self, name: &str) -> Result<Vec<String>> {
        let c = self.container_lookup(name)?;
        let mut out = String::new();
        let mut sink = |mut r: std::process::ChildStdout| {
            r.read_to_string(&mut out)
                .map(drop)
                .map_err(|e| Error::Other(format!("reading the changes: {e}")))
        };
        self.container_fs_op(&c, CpOp::Diff, Some(&mut sink))?;
        Ok(out.lines().map(str::to_owned).collect())
    }

    /// `export`: the container's filesystem as a tar, to `dest` (written
    /// whole or not at all) or to stdout.
    pub fn export_container(&self, name: &str, dest: Option<&Path>) -> Result<()> {
        let c = self.container_lookup(name)?;
        let dest = dest.map(|d| {
            std::env::current_dir()
                .map(|cwd| cwd.join(d))
                .unwrap_or_else(|_| d.to_path_buf())
        });
        self.container_fs_op(&c, CpOp::Export { dest }, None)
            .map(drop)
    }

    /// `commit`: a new image of the container's image and its changes;
    /// returns its id.
    pub fn commit_container(&self, o: &CommitOptions) -> Result<String> {
        let reference = o
            .reference
            .as_deref()
            .map(Reference::parse_tagged)
            .transpose()?;
        let c = self.container_lookup(&o.container)?;
        let base = self.images.image(&c.config.image_id)?.ok_or_else(|| {
            Error::NotFound(format!("the image of container {}: gone", o.container))
        })?;
        let base_config: Value = serde_json::from_slice(&self.images.read_blob(&base.id)?)
            .map_err(|e| Error::Other(format!("image {}: {e}", base.id)))?;
        let mut run = self.committed_run_config(&c, &base_config)?;
        super::commit_changes::apply(&mut run, &o.changes)?;
        let dir = crate::image::archive::tmp_dir(&self.images)?;
        // -p: no write lands half in the layer.
        let running = c.state.status == crate::state::container::Status::Running;
        let guard = if o.pause && running {
            self.freeze_for_commit(c.id())?
        } else {
            None
        };
        let mut layer = None;
        let mut sink = |r: std::process::ChildStdout| {
            layer = Some(crate::image::newlayer::tar_layer(dir.path(), r)?);
            Ok(())
        };
        let r = self.container_fs_op(&c, CpOp::Layer, Some(&mut sink));
        if let Some(g) = guard {
            g.thaw(self, c.id());
        }
        r?;
        let (path, diff_id, size) =
            layer.ok_or_else(|| Error::Other("the container's layer was not written".into()))?;
        let created_by = std::iter::once(c.config.path.as_str())
            .chain(c.config.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let mut cfg = base_config;
        let now = time::rfc3339_nano(time::now());
        cfg["config"] = serde_json::to_value(&run).map_err(|e| Error::Other(e.to_string()))?;
        cfg["container"] = json!(c.id());
        cfg["created"] = json!(now);
        set_or_remove(&mut cfg, "author", o.author.as_deref());
        set_or_remove(&mut cfg, "comment", o.message.as_deref());
        let mut entry = json!({"created": now, "created_by": created_by});
        add_some(&mut entry, "author", o.author.as_deref());
        add_some(&mut entry, "comment", o.message.as_deref());
        push_layer(&mut cfg, entry, &diff_id);
        self.store_image(&cfg, &base.layers, (&path, &diff_id, size), reference)
    }

    /// Freezes the container for a commit, with a watchdog (a forked
    /// child of this single-threaded command) that thaws it should the
    /// command be killed first. `None` when a rootless container has no
    /// cgroup to freeze (the commit goes on unfrozen).
    fn freeze_for_commit(&self, id: &str) -> Result<Option<FreezeGuard>> {
        use std::os::fd::AsRawFd;
        // The watchdog first: a kill at any point after the freeze (even
        // before the state says "paused") finds it there.
        let (r, w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
            .map_err(|e| Error::Other(format!("pipe: {e}")))?;
        // SAFETY: this command has no other thread: the child may run
        // Rust code; it only reads the pipe, then maybe thaws and exits.
        let pid = match unsafe { libc::fork() } {
            0 => {
                drop(w);
                let mut b = [0u8; 1];
                // EOF without the word "done": the command died.
                // SAFETY: reading into our own buffer.
                let n = unsafe { libc::read(r.as_raw_fd(), b.as_mut_ptr().cast(), 1) };
                if n != 1 {
                    self.force_thaw(id);
                }
                // SAFETY: the watchdog ends here, without running the
                // parent's destructors or atexit handlers.
                unsafe { libc::_exit(0) }
            }
            -1 => {
                return Err(Error::Other(format!(
                    "starting the commit's watchdog: {}",
                    std::io::Error::last_os_error()
                )))
            }
            pid => pid,
        };
        drop(r);
        let guard = FreezeGuard { pid, done: w };
        match self.set_paused(id, true) {
            Ok(()) => Ok(Some(guard)),
            Err(e) => {
                guard.release();
                match e {
                    Error::Other(m) if self.opts.rootless && m.contains("can't be paused") => {
                        log::debug!("commit {id}: not frozen: {m}");
                        Ok(None)
                    }
                    e => Err(e),
                }
            }
        }
    }

    /// docker's commit: the container's Config, with what only the
    /// image has (healthcheck, shell, onbuild) kept.
    fn committed_run_config(
        &self,
        c: &crate::state::container::Container,
        base: &Value,
    ) -> Result<RunConfig> {
        let mut run: RunConfig = serde_json::from_value(base["config"].clone()).unwrap_or_default();
        let rc = &c.config.config;
        let or_none = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        run.user = or_none(&rc.user);
        run.env = Some(rc.env.clone());
        run.cmd = rc.cmd.clone();
        run.entrypoint = rc.entrypoint.clone();
        run.working_dir = or_none(&rc.working_dir);
        run.labels = (!rc.labels.is_empty()).then(|| rc.labels.clone());
        run.exposed_ports = rc.exposed_ports.clone();
        run.volumes = rc.volumes.clone();
        run.stop_signal = rc.stop_signal.clone();
        Ok(run)
    }

    /// `import`: `input` (a tar, maybe compressed) as a one-layer image;
    /// returns its id.
    pub fn import_image(&self, input: &mut dyn Read, o: &ImportOptions) -> Result<String> {
        let reference = o
            .reference
            .as_deref()
            .map(Reference::parse_tagged)
            .transpose()?;
        let platform = match &o.platform {
            Some(p) => crate::image::types::PlatformWanted::parse(p)?,
            None => crate::image::types::PlatformWanted::host(),
        };
        let mut run = RunConfig::default();
        super::commit_changes::apply(&mut run, &o.changes)?;
        let dir = crate::image::archive::tmp_dir(&self.images)?;
        let plain =
            crate::image::archive::decompressed(std::io::BufReader::with_capacity(1 << 20, input))?;
        let (path, diff_id, size) = crate::image::newlayer::tar_layer(dir.path(), plain)?;
        let now = time::rfc3339_nano(time::now());
        let comment = o
            .message
            .clone()
            .unwrap_or_else(|| format!("Imported from {}", o.source));
        let mut cfg = json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "created": now,
            "config": run,
            "rootfs": {"type": "layers", "diff_ids": []},
            "history": [],
        });
        if let Some(v) = &platform.variant {
            cfg["variant"] = json!(v);
        }
        if o.message.is_some() {
            cfg["comment"] = json!(comment);
        }
        push_layer(
            &mut cfg,
            json!({"created": now, "comment": comment}),
            &diff_id,
        );
        self.store_image(&cfg, &[], (&path, &diff_id, size), reference)
    }

    /// `import URL`: the body of an http(s) GET.
    pub fn import_image_url(&self, url: &str, o: &ImportOptions) -> Result<String> {
        let mut body = crate::image::registry::fetch_url(url).map_err(Error::Other)?;
        self.import_image(&mut body, o)
    }

    /// Stores an image of `config` whose layers are `base` (stored) and
    /// the uncompressed layer file (path, digest, size), tagged
    /// `reference` if given; its id.
    fn store_image(
        &self,
        config: &Value,
        base: &[crate::image::store::LayerInfo],
        layer: (&Path, &str, u64),
        reference: Option<Reference>,
    ) -> Result<String> {
        let bytes = serde_json::to_vec(config).map_err(|e| Error::Other(e.to_string()))?;
        let id = crate::image::store::sha256_digest(&bytes);
        // Held until the record is written: GC leaves what is stored.
        let mut lease = self.images.lease([id], [])?;
        let rec = crate::image::newlayer::import_local(
            &self.images,
            &bytes,
            base,
            layer,
            &self.unpack_options()?,
            &mut lease,
        )?;
        let _g = self.images.lock()?;
        if self.images.image(&rec.id)?.is_none() {
            self.images.put_image(&rec)?;
        }
        if let Some(r) = reference {
            let mut repos = self.images.repositories()?;
            repos.tags.insert(r.to_string(), rec.id.clone());
            self.images.put_repositories(&repos)?;
        }
        Ok(rec.id)
    }
}

/// A container frozen for a commit, and its watchdog.
struct FreezeGuard {
    pid: libc::pid_t,
    /// Written "d" once thawed: the watchdog then leaves it.
    done: std::os::fd::OwnedFd,
}

impl FreezeGuard {
    fn thaw(self, e: &Engine, id: &str) {
        if let Err(err) = e.set_paused(id, false) {
            log::warn!("commit: unpausing {id}: {err}");
        }
        self.release();
    }

    /// Tells the watchdog it is not needed, and reaps it.
    fn release(self) {
        let _ = rustix::io::write(&self.done, b"d");
        drop(self.done);
        // SAFETY: reaping our own child.
        unsafe { libc::waitpid(self.pid, std::ptr::null_mut(), 0) };
    }
}

fn set_or_remove(cfg: &mut Value, key: &str, v: Option<&str>) {
    match v {
        Some(v) => cfg[key] = json!(v),
        None => {
            if let Some(o) = cfg.as_object_mut() {
                o.remove(key);
            }
        }
    }
}

fn add_some(v: &mut Value, key: &str, s: Option<&str>) {
    if let Some(s) = s {
        v[key] = json!(s);
    }
}

/// Appends the layer's history entry and diff id.
fn push_layer(cfg: &mut Value, entry: Value, diff_id: &str) {
    if !cfg["history"].is_array() {
        cfg["history"] = json!([]);
    }
    if let Some(h) = cfg["history"].as_array_mut() {
        h.push(entry);
    }
    if !cfg["rootfs"]["diff_ids"].is_array() {
        cfg["rootfs"] = json!({"type": "layers", "diff_ids": []});
    }
    if let Some(d) = cfg["rootfs"]["diff_ids"].as_array_mut() {
        d.push(json!(diff_id));
    }
}
