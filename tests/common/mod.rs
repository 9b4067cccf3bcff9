//! Shared test fixtures: a temp skiff store, a real docker-registry on
//! 127.0.0.1, and an image builder that makes OCI layouts from
//! busybox-static and pushes them with skopeo.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

pub fn have(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether a missing prerequisite must fail the test instead of skipping
/// it (`SKIFF_TEST_STRICT=1`, set by CI).
pub fn strict() -> bool {
    std::env::var("SKIFF_TEST_STRICT").is_ok_and(|v| v == "1")
}

/// Reports a test that cannot run here: a skip, or under
/// `SKIFF_TEST_STRICT=1` a failure.
pub fn skip(why: &str) {
    if strict() {
        panic!("SKIFF_TEST_STRICT=1 and a prerequisite is missing: {why}");
    }
    eprintln!("SKIP: {why}");
}

/// Skip the calling test (with a message) when a tool is missing; fail it
/// under `SKIFF_TEST_STRICT=1`.
#[macro_export]
macro_rules! require {
    ($($cmd:expr),*) => {
        $(if !$crate::common::have($cmd) { $crate::common::skip(&format!("{} not installed (make test-deps)", $cmd)); return; })*
    };
}

pub fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------- skiff

/// A private store (root + runroot + HOME) for one test.
pub struct Skiff {
    pub dir: tempfile::TempDir,
    /// Run as this unprivileged user (`SKIFF_TEST_ROOTLESS=1`).
    pub user: Option<(u32, u32)>,
}

/// `SKIFF_TEST_ROOTLESS=1` (`make test` sets it for a second run of the
/// lifecycle suite): every `Skiff` runs as the test user `skiff-rootless`
/// (made by `make test-deps`, with subordinate ids) in cron's environment
/// (no login session: PATH and HOME only).
pub fn rootless_mode() -> bool {
    std::env::var_os("SKIFF_TEST_ROOTLESS").is_some_and(|v| v == "1")
}

/// The uid and gid of `skiff-rootless`, if it exists.
pub fn rootless_test_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f[0] == "skiff-rootless").then(|| (f[2].parse().unwrap(), f[3].parse().unwrap()))
    })
}

/// The binary, copied once where any user can run it (a checkout under
/// /root is not reachable for the test user).
pub fn shared_binary() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let dir = std::env::temp_dir().join("skiff-test-bin");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Copies of test processes that are gone.
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if !Path::new("/proc").join(e.file_name()).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        // Named skiff: errors name the program as docker's name docker.
        let own = dir.join(std::process::id().to_string());
        std::fs::create_dir_all(&own).unwrap();
        std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = own.join("skiff");
        let tmp = own.join(".skiff.tmp");
        std::fs::copy(env!("CARGO_BIN_EXE_skiff"), &tmp).unwrap();
        std::fs::rename(&tmp, &bin).unwrap();
        bin
    })
}

/// A user network's bridge lives as long as the network (`br-<id>`, made
/// by `network create`): a store dropped with networks in it (a test that
/// failed midway, or one that never removed them) takes them along.
/// Kills the process a pid file names, if its command line names the
/// file (a rootless store's pause process: `<runroot>/userns/pause.pid`).
pub fn kill_pid_file(f: &Path) {
    let Some(pid) = std::fs::read_to_string(f)
        .ok()
        .and_then(|s| s.trim().parse::<i32>().ok())
    else {
        return;
    };
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let named = cmdline
        .split(|&b| b == 0)
        .any(|a| a == f.as_os_str().as_encoded_bytes());
    if named {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
}

impl Drop for Skiff {
    fn drop(&mut self) {
        // Containers a test left running (its monitor and processes would
        // outlive the store's directory): removed as a user would.
        let ids = self.containers_dir_names();
        if !ids.is_empty() {
            let _ = self
                .cmd()
                .args(["rm", "-f", "-v"])
                .args(&ids)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        if self.user.is_some() {
            kill_pid_file(&self.dir.path().join("run/userns/pause.pid"));
        }
        let Ok(dir) = std::fs::read_dir(self.root().join("networks")) else {
            return;
        };
        for e in dir.flatten() {
            let Ok(bytes) = std::fs::read(e.path()) else {
                continue;
            };
            let Ok(n) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                continue;
            };
            let Some(br) = n["interface"].as_str().filter(|b| b.starts_with("br-")) else {
                continue;
            };
            if std::path::Path::new("/sys/class/net").join(br).exists() {
                let _ = Command::new("ip").args(["link", "del", br]).output();
            }
        }
    }
}

impl Skiff {
    pub fn new() -> Skiff {
        let dir = tempfile::Builder::new()
            .prefix("skiff-test-")
            .tempdir()
            .unwrap();
        let user = rootless_mode().then(|| {
            let user = rootless_test_user()
                .expect("SKIFF_TEST_ROOTLESS=1 needs the skiff-rootless user (make test-deps)");
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            for d in ["root", "run", "home", "xdg"] {
                let p = dir.path().join(d);
                std::fs::create_dir(&p).unwrap();
                std::os::unix::fs::chown(&p, Some(user.0), Some(user.1)).unwrap();
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700)).unwrap();
            }
            user
        });
        Skiff { dir, user }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// The ids of the store's containers (its `containers/` entries).
    fn containers_dir_names(&self) -> Vec<String> {
        std::fs::read_dir(self.root().join("containers"))
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn home(&self) -> PathBuf {
        let h = self.dir.path().join("home");
        std::fs::create_dir_all(&h).unwrap();
        h
    }

    pub fn cmd(&self) -> Command {
        let mut c = match self.user {
            Some((uid, gid)) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .args(["--clear-groups", "--"])
                    .arg(shared_binary())
                    .env_clear()
                    .env("PATH", "/usr/bin:/bin");
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_skiff")),
        };
        c.arg("--root")
            .arg(self.root())
            .arg("--runroot")
            .arg(self.dir.path().join("run"));
        c.env("HOME", self.home());
        if self.user.is_none() {
            c.env("XDG_RUNTIME_DIR", self.dir.path().join("xdg"));
        }
        c.env_remove("DOCKER_CONFIG")
            .env_remove("REGISTRY_AUTH_FILE")
            .env_remove("SKIFF_ROOT")
            .env_remove("SKIFF_RUNROOT")
            .env_remove("SKIFF_STORAGE_DRIVER")
            .stdin(Stdio::null());
        c
    }

    /// Does this store run as the unprivileged test user?
    pub fn rootless(&self) -> bool {
        self.user.is_some()
    }

    /// Rootless on a host that gives users no cgroups of their own
    /// (cgroup v1, as here): limits and pause are refused.
    pub fn rootless_without_cgroups(&self) -> bool {
        self.rootless() && !Path::new("/sys/fs/cgroup/cgroup.controllers").exists()
    }

    /// `cmd()` as a shell command line (for script(1)).
    pub fn cmdline(&self) -> String {
        let store = format!(
            "--root {} --runroot {}",
            self.root().display(),
            self.dir.path().join("run").display()
        );
        match self.user {
            Some((uid, gid)) => format!(
                "setpriv --reuid={uid} --regid={gid} --clear-groups -- env -i PATH=/usr/bin:/bin HOME={} {} {store}",
                self.home().display(),
                shared_binary().display()
            ),
            None => format!("{} {store}", env!("CARGO_BIN_EXE_skiff")),
        }
    }

    /// Run; return (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Run and expect success; return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(
            code, 0,
            "skiff {args:?} failed ({code}):\nstdout: {out}\nstderr: {err}"
        );
        out
    }

    /// Run and expect failure with `code`; return stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let (c, out, err) = self.run(args);
        assert_eq!(
            c, code,
            "skiff {args:?}: expected exit {code}, got {c}:\nstdout: {out}\nstderr: {err}"
        );
        err
    }
}

// ---------------------------------------------------------------- registry

pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Registry {
    pub fn start() -> Registry {
        Self::start_with(None)
    }

    /// With htpasswd basic auth for `user:pass`.
    pub fn start_auth(user: &str, pass: &str) -> Registry {
        Self::start_with(Some((user, pass)))
    }

    fn start_with(auth: Option<(&str, &str)>) -> Registry {
        let mut last_err = String::new();
        for _ in 0..5 {
            let dir = tempfile::Builder::new()
                .prefix("skiff-registry-")
                .tempdir()
                .unwrap();
            let port = free_port();
            let mut conf = format!(
                "version: 0.1\nlog: {{level: error, accesslog: {{disabled: true}}}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\n  delete: {{enabled: true}}\n  maintenance: {{uploadpurging: {{enabled: false}}}}\nhttp: {{addr: 127.0.0.1:{port}, secret: skiff-test-not-secret}}\n",
                dir.path().join("data").display()
            );
            if let Some((u, p)) = auth {
                let out = Command::new("htpasswd")
                    .args(["-Bbn", u, p])
                    .output()
                    .expect("htpasswd (apache2-utils)");
                std::fs::write(dir.path().join("htpasswd"), &out.stdout).unwrap();
                conf.push_str(&format!(
                    "auth:\n  htpasswd: {{realm: skiff-test, path: {}}}\n",
                    dir.path().join("htpasswd").display()
                ));
            }
            let conf_path = dir.path().join("config.yml");
            std::fs::write(&conf_path, conf).unwrap();
            let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
            let child = Command::new("docker-registry")
                .arg("serve")
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("docker-registry");
            let mut reg = Registry { child, port, dir };
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(status)) = reg.child.try_wait() {
                    last_err = format!("docker-registry exited: {status}");
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return reg;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            drop(reg);
        }
        panic!("could not start docker-registry: {last_err}");
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The registry's on-disk file for a blob (to corrupt it in tests).
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir.path().join(format!(
            "data/docker/registry/v2/blobs/sha256/{}/{hex}/data",
            &hex[..2]
        ))
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- images

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

pub enum Entry {
    Dir(&'static str, u32),
    File(String, Vec<u8>, u32),
    Owned(String, Vec<u8>, u32, u64, u64),
    Symlink(&'static str, &'static str),
    Hardlink(&'static str, &'static str),
    /// `.wh.<name>` for the path.
    Whiteout(&'static str),
    /// `<dir>/.wh..wh..opq`.
    Opaque(&'static str),
    /// A device node: path, `b` or `c`, major, minor.
    Device(&'static str, char, u32, u32),
    /// A directory with a PAX record `SCHILY.xattr.<name>=<value>`.
    XattrDir(&'static str, &'static str, &'static [u8]),
}

const EPOCH: u64 = 946_684_800; // 2000-01-01T00:00:00Z

pub fn layer_tar(entries: &[Entry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let hdr = |path: &str, kind: tar::EntryType, size: u64, mode: u32| {
        let mut h = tar::Header::new_gnu();
        h.set_path(path).unwrap();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(mode);
        h.set_mtime(EPOCH);
        h.set_uid(0);
        h.set_gid(0);
        h
    };
    // A hard link's header carries its target's owner and mode, as real tars do.
    let mut meta: std::collections::HashMap<String, (u32, u64, u64)> =
        std::collections::HashMap::new();
    for e in entries {
        match e {
            Entry::Dir(p, m) => {
                let mut h = hdr(p, tar::EntryType::Directory, 0, *m);
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::File(p, data, m) => {
                meta.insert(p.clone(), (*m, 0, 0));
                let mut h = hdr(p, tar::EntryType::Regular, data.len() as u64, *m);
                h.set_cksum();
                b.append(&h, data.as_slice()).unwrap();
            }
            Entry::Owned(p, data, m, uid, gid) => {
                meta.insert(p.clone(), (*m, *uid, *gid));
                let mut h = hdr(p, tar::EntryType::Regular, data.len() as u64, *m);
                h.set_uid(*uid);
                h.set_gid(*gid);
                h.set_cksum();
                b.append(&h, data.as_slice()).unwrap();
            }
            Entry::Symlink(p, t) => {
                let mut h = hdr(p, tar::EntryType::Symlink, 0, 0o777);
                h.set_link_name(t).unwrap();
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::Hardlink(p, t) => {
                let (m, uid, gid) = meta.get(*t).copied().unwrap_or((0o644, 0, 0));
                let mut h = hdr(p, tar::EntryType::Link, 0, m);
                h.set_uid(uid);
                h.set_gid(gid);
                h.set_link_name(t).unwrap();
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::Whiteout(p) => {
                let path = Path::new(p);
                let name = path.file_name().unwrap().to_str().unwrap();
                let wh = match path.parent().filter(|x| !x.as_os_str().is_empty()) {
                    Some(dir) => format!("{}/.wh.{name}", dir.display()),
                    None => format!(".wh.{name}"),
                };
                let mut h = hdr(&wh, tar::EntryType::Regular, 0, 0o644);
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::Device(p, kind, major, minor) => {
                let t = if *kind == 'b' {
                    tar::EntryType::Block
                } else {
                    tar::EntryType::Char
                };
                let mut h = hdr(p, t, 0, 0o660);
                h.set_device_major(*major).unwrap();
                h.set_device_minor(*minor).unwrap();
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::XattrDir(p, name, value) => {
                let key = format!("SCHILY.xattr.{name}");
                b.append_pax_extensions([(key.as_str(), *value)]).unwrap();
                let mut h = hdr(p, tar::EntryType::Directory, 0, 0o755);
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            Entry::Opaque(d) => {
                let mut h = hdr(
                    &format!("{d}/.wh..wh..opq"),
                    tar::EntryType::Regular,
                    0,
                    0o644,
                );
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

pub fn compress(data: &[u8], c: Compression) -> Vec<u8> {
    match c {
        Compression::None => data.to_vec(),
        Compression::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Compression::Zstd => zstd::encode_all(data, 3).unwrap(),
    }
}

/// The busybox-static base layer: /bin/busybox, applet symlinks, /etc files.
pub fn busybox_layer() -> Vec<Entry> {
    let bb = std::fs::read("/bin/busybox").expect("/bin/busybox (busybox-static)");
    let mut v = vec![
        Entry::Dir("bin/", 0o755),
        Entry::File("bin/busybox".into(), bb, 0o755),
        Entry::Dir("etc/", 0o755),
        Entry::File(
            "etc/passwd".into(),
            b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                .to_vec(),
            0o644,
        ),
        Entry::File(
            "etc/group".into(),
            b"root:x:0:\nnogroup:x:65534:\n".to_vec(),
            0o644,
        ),
        Entry::Dir("tmp/", 0o1777),
        Entry::Dir("root/", 0o700),
    ];
    for applet in [
        "sh", "ls", "cat", "echo", "true", "false", "sleep", "env", "id", "wget", "httpd", "ps",
        "stty", "grep", "mkdir", "head", "readlink", "ip", "nslookup", "ping", "tail", "chmod",
        "hostname", "printf",
    ] {
        v.push(Entry::Symlink(
            Box::leak(format!("bin/{applet}").into_boxed_str()),
            "busybox",
        ));
    }
    v
}

pub struct BuiltLayer {
    pub blob: Vec<u8>,
    pub diff_id: String,
    pub compression: Compression,
}

pub fn build_layer(entries: &[Entry], c: Compression) -> BuiltLayer {
    let tar = layer_tar(entries);
    BuiltLayer {
        diff_id: format!("sha256:{}", sha256_hex(&tar)),
        blob: compress(&tar, c),
        compression: c,
    }
}

/// Write `layers` + a config as an OCI image layout at `dir` under `tag`;
/// returns the config digest (the image id).
pub fn oci_layout(
    dir: &Path,
    tag: &str,
    layers: &[BuiltLayer],
    cmd: &[&str],
    labels: Value,
) -> String {
    oci_layout_arch(dir, tag, layers, cmd, labels, "amd64")
}

pub fn oci_layout_arch(
    dir: &Path,
    tag: &str,
    layers: &[BuiltLayer],
    cmd: &[&str],
    labels: Value,
    arch: &str,
) -> String {
    let cfg = json!({
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Cmd": cmd,
        "Labels": labels,
    });
    oci_layout_config(dir, tag, layers, cfg, arch)
}

/// An OCI layout whose image config's `config` object is `cfg`.
pub fn oci_layout_config(
    dir: &Path,
    tag: &str,
    layers: &[BuiltLayer],
    cfg: Value,
    arch: &str,
) -> String {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |b: &[u8]| {
        let h = sha256_hex(b);
        std::fs::write(blobs.join(&h), b).unwrap();
        format!("sha256:{h}")
    };
    let mut history = Vec::new();
    for i in 0..layers.len() {
        history.push(json!({"created": "2000-01-01T00:00:00Z", "created_by": format!("/bin/sh -c #(nop) layer {i} of a skiff test image built from busybox-static")}));
    }
    history.push(json!({"created": "2000-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]", "empty_layer": true}));
    let config = json!({
        "created": "2000-01-01T00:00:00Z",
        "architecture": arch,
        "os": "linux",
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
        "history": history,
    });
    let config_bytes = serde_json::to_vec(&config).unwrap();
    let config_digest = put(&config_bytes);
    let layer_descs: Vec<Value> = layers
        .iter()
        .map(|l| {
            let mt = match l.compression {
                Compression::None => "application/vnd.oci.image.layer.v1.tar",
                Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
                Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            };
            json!({"mediaType": mt, "digest": put(&l.blob), "size": l.blob.len()})
        })
        .collect();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_bytes.len()},
        "layers": layer_descs,
    });
    let mbytes = serde_json::to_vec(&manifest).unwrap();
    let mdigest = put(&mbytes);
    add_to_index(
        dir,
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest, "size": mbytes.len(), "platform": {"architecture": arch, "os": "linux"}, "annotations": {"org.opencontainers.image.ref.name": tag}}),
    );
    config_digest
}

fn read_index(dir: &Path) -> Value {
    std::fs::read(dir.join("index.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}))
}

fn add_to_index(dir: &Path, desc: Value) {
    let mut index = read_index(dir);
    index["manifests"].as_array_mut().unwrap().push(desc);
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}

/// Add a multi-arch image index named `tag` over the manifests named `tags`.
pub fn oci_multiarch(dir: &Path, tag: &str, tags: &[&str]) {
    let index = read_index(dir);
    let entries: Vec<Value> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| tags.contains(&m["annotations"]["org.opencontainers.image.ref.name"].as_str().unwrap_or("")))
        .map(|m| json!({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"], "platform": m["platform"]}))
        .collect();
    let inner = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries});
    let bytes = serde_json::to_vec(&inner).unwrap();
    let h = sha256_hex(&bytes);
    std::fs::write(dir.join("blobs/sha256").join(&h), &bytes).unwrap();
    add_to_index(
        dir,
        json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": format!("sha256:{h}"), "size": bytes.len(), "annotations": {"org.opencontainers.image.ref.name": tag}}),
    );
}

/// skopeo copy an OCI layout tag to the registry.
pub fn push(layout: &Path, tag: &str, dest: &str, extra: &[&str]) {
    let out = Command::new("skopeo")
        .args(["copy", "-q", "--dest-tls-verify=false"])
        .args(extra)
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{dest}"))
        .output()
        .expect("skopeo");
    assert!(
        out.status.success(),
        "skopeo copy {tag} -> {dest}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The manifest digest the registry serves for `repo:tag` (read with skopeo).
pub fn remote_digest(reference: &str) -> String {
    let out = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{reference}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("sha256:{}", sha256_hex(&out.stdout))
}

/// A standard two-layer test image (busybox base + a layer with a whiteout,
/// an opaque dir, a hardlink and a symlink) pushed as `<host>/<name>:<tag>`.
pub struct TestImage {
    pub id: String,
    pub reference: String,
    pub layout: tempfile::TempDir,
}

pub fn standard_layers(c2: Compression) -> Vec<BuiltLayer> {
    let mut base = busybox_layer();
    base.push(Entry::File(
        "etc/remove-me".into(),
        b"gone in layer 2\n".to_vec(),
        0o644,
    ));
    base.push(Entry::Dir("opq/", 0o755));
    base.push(Entry::File("opq/a".into(), b"a\n".to_vec(), 0o644));
    base.push(Entry::File("opq/b".into(), b"b\n".to_vec(), 0o644));
    let top = vec![
        Entry::Dir("etc/", 0o755),
        Entry::Whiteout("etc/remove-me"),
        Entry::Dir("opq/", 0o755),
        Entry::Opaque("opq"),
        Entry::File("opq/c".into(), b"c\n".to_vec(), 0o644),
        Entry::Owned(
            "srv/data.txt".into(),
            b"hello from layer 2\n".to_vec(),
            0o4755,
            1000,
            1000,
        ),
        Entry::Hardlink("srv/data-link.txt", "srv/data.txt"),
        Entry::Symlink("srv/latest", "/srv/data.txt"),
    ];
    vec![build_layer(&base, Compression::Gzip), build_layer(&top, c2)]
}

pub fn push_standard(reg: &Registry, name: &str, tag: &str) -> TestImage {
    let layout = tempfile::Builder::new()
        .prefix("skiff-oci-")
        .tempdir()
        .unwrap();
    let id = oci_layout(
        layout.path(),
        tag,
        &standard_layers(Compression::Gzip),
        &["sh"],
        json!({"org.skiff.test": "standard"}),
    );
    let reference = format!("{}/{name}:{tag}", reg.host());
    push(layout.path(), tag, &reference, &[]);
    TestImage {
        id,
        reference,
        layout,
    }
}

/// A throttling TCP proxy in front of a registry (to catch a pull mid-way).
pub struct SlowProxy {
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SlowProxy {
    pub fn start(target_port: u16, bytes_per_sec: usize) -> SlowProxy {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        l.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s2 = stop.clone();
        std::thread::spawn(move || {
            while !s2.load(std::sync::atomic::Ordering::SeqCst) {
                match l.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)) else {
                            continue;
                        };
                        let (c2, s3) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                        std::thread::spawn(move || pipe(c2, s3, usize::MAX));
                        std::thread::spawn(move || pipe(server, client, bytes_per_sec));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        SlowProxy { port, stop }
    }
}

impl Drop for SlowProxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream, rate: usize) {
    let chunk = if rate == usize::MAX {
        64 * 1024
    } else {
        (rate / 100).max(1024)
    };
    let mut buf = vec![0u8; chunk];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if rate != usize::MAX {
            std::thread::sleep(Duration::from_secs_f64(n as f64 / rate as f64));
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// Deterministic incompressible bytes.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// Read an extended attribute without following a symlink.
pub fn xattr(path: std::path::PathBuf, name: &str) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let p = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    let n = std::ffi::CString::new(name).unwrap();
    let mut buf = vec![0u8; 256];
    // SAFETY: valid C strings and a buffer of the stated length.
    let r = unsafe { libc::lgetxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    (r >= 0).then(|| buf[..r as usize].to_vec())
}

/// Whether a link is one skiff makes, by its exact name pattern: the
/// default bridge `skiff0`, a user bridge `br-<12 hex>` as docker names
/// it (or `sk-<12 hex>`, made by an older skiff, or a test's own `sk-`
/// name), a veth's host end `veth<8 hex>`. Another engine's links
/// (`veth0`, docker's `veth<7 hex>`) are not skiff's; docker's own user
/// bridges are `br-<12 hex>` too, so those already on the host when the
/// tests began (a host running docker) are not counted.
pub fn is_skiff_link(n: &str) -> bool {
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    let user_bridge = n.strip_prefix("br-").is_some_and(|h| hex(h, 12))
        && !foreign_bridges().iter().any(|b| b == n);
    n == "skiff0"
        || n.starts_with("sk-")
        || user_bridge
        || n.strip_prefix("veth").is_some_and(|h| hex(h, 8))
}

/// The `br-<12 hex>` links on the host when the tests began (another
/// engine's; see [`is_skiff_link`]).
pub fn foreign_bridges() -> &'static [String] {
    static BEFORE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    BEFORE.get_or_init(|| {
        std::fs::read_dir("/sys/class/net")
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("br-"))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// skiff's links on the host (its bridges and the host ends of veths).
pub fn skiff_links() -> Vec<String> {
    std::fs::read_dir("/sys/class/net")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| is_skiff_link(n))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the host has skiff's nftables table.
pub fn skiff_table() -> bool {
    Command::new("nft")
        .args(["list", "table", "ip", "skiff"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether skiff's nftables table outlived its users: given 3 s to go
/// (a `run --rm` returns before its monitor tears the network down), then
/// deleted if still there (a failed test may leave it).
pub fn drop_skiff_table() -> bool {
    let start = std::time::Instant::now();
    while skiff_table() {
        if start.elapsed() > std::time::Duration::from_secs(3) {
            let _ = Command::new("nft")
                .args(["delete", "table", "ip", "skiff"])
                .output();
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// The default bridge outlives its containers (as docker0 does): a test
/// that used it removes it, then waits for the veths of dead containers,
/// which the kernel frees with their network namespaces, to go. Returns
/// what is left.
pub fn remove_default_bridge() -> Vec<String> {
    let _ = Command::new("ip").args(["link", "del", "skiff0"]).output();
    let start = std::time::Instant::now();
    while !skiff_links().is_empty() && start.elapsed() < std::time::Duration::from_secs(5) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    skiff_links()
}

/// A registry with the busybox test image pushed, and a store that pulled
/// it: what the tests that run real containers start from. `None` (with a
/// note) when they cannot run here.
pub fn with_busybox() -> Option<(Registry, Skiff, String)> {
    if !is_root() {
        skip("real containers need root here");
        return None;
    }
    if !have("docker-registry") || !have("skopeo") {
        skip("docker-registry/skopeo not installed (make test-deps)");
        return None;
    }
    let (reg, img) = registry_with_busybox();
    let s = Skiff::new();
    s.ok(&["pull", "-q", &img]);
    Some((reg, s, img))
}

/// A registry holding the busybox test image; its reference.
pub fn registry_with_busybox() -> (Registry, String) {
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    oci_layout(
        layout.path(),
        "latest",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        serde_json::json!(null),
    );
    let img = format!("{}/busybox:latest", reg.host());
    push(layout.path(), "latest", &img, &[]);
    (reg, img)
}

/// Processes whose command line mentions this test's store.
pub fn leftover_monitors(root: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.parse::<u32>().is_err() {
            continue;
        }
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(root) && cmd.contains("skiff") {
                out.push(format!("{name}: {cmd}"));
            }
        }
    }
    out
}

/// The skiff-* cgroups beneath our own cgroups that were not there at
/// `before` (what this test made and left).
pub fn new_cgroups(before: &[String]) -> Vec<String> {
    leftover_cgroups()
        .into_iter()
        .filter(|c| !before.contains(c))
        .collect()
}

/// skiff-* cgroups beneath our own cgroups.
pub fn leftover_cgroups() -> Vec<String> {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut out = Vec::new();
    for line in own.lines() {
        let parts: Vec<&str> = line.splitn(3, ':').collect();
        if parts.len() != 3 || parts[1].is_empty() {
            continue;
        }
        let ctrl = parts[1]
            .split(',')
            .next()
            .unwrap()
            .trim_start_matches("name=");
        let dir = std::path::Path::new("/sys/fs/cgroup")
            .join(ctrl)
            .join(parts[2].trim_start_matches('/'));
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("skiff-") {
                out.push(e.path().display().to_string());
            }
        }
    }
    out
}

pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The reply to `GET /` from `to`, retried for ~5 s while the server
/// starts; "" if nothing answered.
pub fn try_http_get(to: std::net::SocketAddr) -> String {
    for _ in 0..50 {
        if let Ok(mut c) = TcpStream::connect_timeout(&to, Duration::from_millis(500)) {
            c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            let _ = c.write_all(b"GET / HTTP/1.0\r\n\r\n");
            let mut out = String::new();
            if c.read_to_string(&mut out).is_ok() && !out.is_empty() {
                return out;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    String::new()
}

/// Runs `cmd` with `sh -c`; panics (with its stderr) when it fails.
pub fn sh(cmd: &str) {
    let out = Command::new("sh").args(["-c", cmd]).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fake DNS resolver at `addr`, UDP and TCP, on a thread: 10.1.2.3 for
/// names with "outside" in them, NXDOMAIN for others. It counts what it is
/// asked (datagrams and connections), and stops when dropped.
pub struct FakeUpstream {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    asked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeUpstream {
    pub fn start(addr: &str) -> FakeUpstream {
        let sock = std::net::UdpSocket::bind(addr).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        // TCP too, at the same address.
        let tcp = std::net::TcpListener::bind(addr).unwrap();
        tcp.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = asked.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((mut c, _)) = tcp.accept() {
                    count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    c.set_nonblocking(false).unwrap();
                    c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                    let mut len = [0u8; 2];
                    if c.read_exact(&mut len).is_ok() {
                        let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                        if c.read_exact(&mut q).is_ok() {
                            if let Some(r) = fake_answer(&q) {
                                let mut out = (r.len() as u16).to_be_bytes().to_vec();
                                out.extend(r);
                                let _ = c.write_all(&out);
                            }
                        }
                    }
                }
                let Ok((n, peer)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Some(r) = fake_answer(&buf[..n]) {
                    let _ = sock.send_to(&r, peer);
                }
            }
        });
        FakeUpstream {
            stop,
            asked,
            thread: Some(thread),
        }
    }

    /// How many queries (or TCP connections) it got so far.
    pub fn asked(&self) -> usize {
        self.asked.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for FakeUpstream {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The fake upstream's answer: 10.1.2.3 for names with "outside" in
/// them, NXDOMAIN for others.
fn fake_answer(q: &[u8]) -> Option<Vec<u8>> {
    let n = q.len();
    if n < 12 {
        return None;
    }
    // Question name ends at the first zero byte after the header.
    let qend = 12 + q[12..].iter().position(|&b| b == 0).unwrap_or(0) + 5;
    let name_is_ours = q[12..].windows(7).any(|w| w == b"outside");
    let qtype_a = q.get(qend - 4..qend - 2) == Some(&[0, 1]);
    let mut r = q[..qend.min(n)].to_vec();
    r[2] = 0x81; // QR, RD
    r[3] = if name_is_ours { 0x80 } else { 0x83 }; // RA, NXDOMAIN
    r[6] = 0;
    r[7] = u8::from(name_is_ours && qtype_a);
    r[8..12].fill(0);
    if name_is_ours && qtype_a {
        r.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3]);
    }
    Some(r)
}

/// A test's store with the busybox image, holding its suite's mutex (the
/// suites that check the host for leftovers run one test at a time). On
/// drop, every container and custom network is removed, and nothing the
/// test made may be left: no monitor, mount, link, nftables table or
/// cgroup of its own (cgroups are compared with a snapshot from setup).
pub struct TestEnv {
    _serial: std::sync::MutexGuard<'static, ()>,
    cgroups_before: Vec<String>,
    pub reg: Registry,
    pub s: Skiff,
    pub img: String,
}

impl TestEnv {
    /// `None` (a skip, or a failure under SKIFF_TEST_STRICT=1) where real
    /// containers can't run.
    pub fn new(serial: &'static std::sync::Mutex<()>) -> Option<TestEnv> {
        let serial = serial.lock().unwrap_or_else(|p| p.into_inner());
        foreign_bridges();
        let (reg, s, img) = with_busybox()?;
        Some(TestEnv {
            _serial: serial,
            cgroups_before: leftover_cgroups(),
            reg,
            s,
            img,
        })
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        for id in self.s.run(&["ps", "-aq", "--no-trunc"]).1.lines() {
            let _ = self.s.run(&["rm", "-f", id]);
        }
        for n in self
            .s
            .run(&["network", "ls", "-q", "-f", "type=custom"])
            .1
            .lines()
        {
            let _ = self.s.run(&["network", "rm", n]);
        }
        // A rootless store's pause process lives as long as its user's
        // runroot: the test's goes with the test.
        if self.s.rootless() {
            kill_pid_file(&self.s.dir.path().join("run/userns/pause.pid"));
        }
        let root = self.s.dir.path().display().to_string();
        // Monitors exit right after they report; give them a moment.
        let mut procs = leftover_monitors(&root);
        wait_until(Duration::from_secs(3), || {
            procs = leftover_monitors(&root);
            procs.is_empty()
        });
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let left: Vec<&str> = mounts.lines().filter(|l| l.contains(&root)).collect();
        let had_table = drop_skiff_table();
        let links = remove_default_bridge();
        if !std::thread::panicking() {
            assert!(links.is_empty(), "links left behind: {links:?}");
            assert!(
                !had_table,
                "the skiff nftables table outlived its last user"
            );
            assert!(left.is_empty(), "mounts left behind: {left:?}");
            assert!(procs.is_empty(), "processes left behind: {procs:?}");
            let cgroups = new_cgroups(&self.cgroups_before);
            assert!(cgroups.is_empty(), "cgroups left behind: {cgroups:?}");
        }
    }
}

/// The one-line error inside docker's frame around a `run`/`create`
/// error (`skiff: <error>`, a blank line, `Run 'skiff run --help' for more
/// information`); panics if the frame is not exactly that.
#[allow(dead_code)]
pub fn run_error(err: &str) -> String {
    let lines: Vec<&str> = err.lines().collect();
    let ok = lines.len() == 3
        && lines[0].starts_with("skiff: ")
        && lines[1].is_empty()
        && lines[2].starts_with("Run 'skiff ")
        && lines[2].ends_with(" --help' for more information");
    assert!(ok, "docker's frame of a run/create error expected:\n{err}");
    lines[0]["skiff: ".len()..].to_owned()
}

/// Serves `body` once on 127.0.0.1; the port.
pub fn serve_once(body: Vec<u8>) -> (u16, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut req = [0u8; 4096];
        let _ = c.read(&mut req);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        c.write_all(head.as_bytes()).unwrap();
        c.write_all(&body).unwrap();
    });
    (port, h)
}
