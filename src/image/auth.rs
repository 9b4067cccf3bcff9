//! Registry credentials: looked up for pulls and pushes, written by
//! `login` and removed by `logout`.
//!
//! Lookup reads, in order, and takes the first file that has an entry for
//! the registry:
//!
//! 1. `$REGISTRY_AUTH_FILE`
//! 2. `$XDG_RUNTIME_DIR/containers/auth.json` (`/run/containers/<uid>/auth.json`
//!    when `XDG_RUNTIME_DIR` is unset): podman's file, where `login` writes
//! 3. `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/containers/auth.json`)
//! 4. `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`
//!
//! Every file has docker's shape:
//! `{"auths": {"<key>": {"auth": base64("user:pass")}}, "credsStore": "<name>",
//! "credHelpers": {"<host>": "<name>"}}`. Keys may be `host`, `host:port`,
//! `https://host/v1/` or `http://host`; Docker Hub is `docker.io`,
//! `index.docker.io`, `registry-1.docker.io` or `https://index.docker.io/v1/`.
//! Within one file a `credHelpers` entry for the host wins, then
//! `credsStore`, then the `auths` entry. A helper is the program
//! `docker-credential-<name>`, run as `docker-credential-<name> get` with
//! the server URL on stdin; it answers `{"Username": .., "Secret": ..}`.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde_json::{Map, Value};

/// A user name and a password (or token).
pub type Credentials = (String, String);

/// Docker Hub's key in docker's config.json, and the server URL its
/// credential helpers know it by.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("parsing {path}: {source}")]
    Parse {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: invalid \"auth\" entry for {key}: {why}")]
    BadEntry {
        path: String,
        key: String,
        why: String,
    },
    #[error(
        "credential helper docker-credential-{helper} (configured in {path}) is not installed or not executable: {source}"
    )]
    HelperMissing {
        helper: String,
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("credential helper docker-credential-{helper} failed for {server}: {message}")]
    HelperFailed {
        helper: String,
        server: String,
        message: String,
    },
}

/// Credentials for `registry_host` from the auth files and credential
/// helpers, or None when there are none or they cannot be read (see
/// [`try_lookup`] for the reason).
pub fn lookup(registry_host: &str) -> Option<Credentials> {
    try_lookup(registry_host).ok().flatten()
}

/// Credentials for `registry_host`; a malformed file or a broken or missing
/// credential helper is an error naming the file or the helper.
pub fn try_lookup(registry_host: &str) -> Result<Option<Credentials>, AuthError> {
    lookup_in(&auth_file_paths(), registry_host)
}

/// Credentials for `registry_host` from these files, first match wins.
/// Credential helpers are looked up in `$PATH`.
pub fn lookup_in(paths: &[PathBuf], registry_host: &str) -> Result<Option<Credentials>, AuthError> {
    lookup_with(paths, registry_host, None)
}

fn lookup_with(
    paths: &[PathBuf],
    registry_host: &str,
    helper_dir: Option<&Path>,
) -> Result<Option<Credentials>, AuthError> {
    for path in paths {
        let Some(root) = read_config(path)? else {
            continue;
        };
        if let Some(creds) = lookup_file(path, &root, registry_host, helper_dir)? {
            return Ok(Some(creds));
        }
    }
    Ok(None)
}

/// The files lookup reads, in order (see the module doc).
pub fn auth_file_paths() -> Vec<PathBuf> {
    auth_file_paths_from(&|k| std::env::var_os(k))
}

/// The file `login` writes and `logout` edits by default:
/// `$REGISTRY_AUTH_FILE`, else `$XDG_RUNTIME_DIR/containers/auth.json`.
pub fn default_store_path() -> PathBuf {
    store_path_from(&|k| std::env::var_os(k))
}

pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

pub(crate) fn env_path(env: Env, key: &str) -> Option<PathBuf> {
    env(key).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn runtime_auth_path(env: Env) -> PathBuf {
    match env_path(env, "XDG_RUNTIME_DIR") {
        Some(dir) => dir.join("containers/auth.json"),
        // SAFETY: getuid cannot fail.
        None => PathBuf::from(format!("/run/containers/{}/auth.json", unsafe {
            libc::getuid()
        })),
    }
}

fn auth_file_paths_from(env: Env) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(p) = env_path(env, "REGISTRY_AUTH_FILE") {
        paths.push(p);
    }
    paths.push(runtime_auth_path(env));
    let home = env_path(env, "HOME");
    match (env_path(env, "XDG_CONFIG_HOME"), &home) {
        (Some(cfg), _) => paths.push(cfg.join("containers/auth.json")),
        (None, Some(home)) => paths.push(home.join(".config/containers/auth.json")),
        (None, None) => {}
    }
    match (env_path(env, "DOCKER_CONFIG"), &home) {
        (Some(dir), _) => paths.push(dir.join("config.json")),
        (None, Some(home)) => paths.push(home.join(".docker/config.json")),
        (None, None) => {}
    }
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| seen.insert(p.clone()));
    paths
}

fn store_path_from(env: Env) -> PathBuf {
    env_path(env, "REGISTRY_AUTH_FILE").unwrap_or_else(|| runtime_auth_path(env))
}

/// Docker Hub's aliases all mean `docker.io`.
pub(crate) fn canonical_host(host: &str) -> &str {
    match host {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "docker.io",
        h => h,
    }
}

/// `https://host:port/v1/` → `host:port` (docker's ConvertToHostname).
fn key_host(key: &str) -> &str {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

pub(crate) fn key_matches(key: &str, host: &str) -> bool {
    canonical_host(key_host(key)) == canonical_host(host)
}

/// What a credential helper is asked for: Docker Hub as docker's v1 URL,
/// anything else by its host.
pub(crate) fn helper_server_url(host: &str) -> String {
    if canonical_host(host) == "docker.io" {
        DOCKER_HUB_KEY.to_owned()
    } else {
        host.to_owned()
    }
}

/// The file's JSON object, or None when it does not exist.
fn read_config(path: &Path) -> Result<Option<Map<String, Value>>, AuthError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory =>
        {
            return Ok(None);
        }
        Err(source) => {
            return Err(AuthError::Read {
                path: path.display().to_string(),
                source,
            });
        }
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Some(Map::new()));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(_) => Err(AuthError::Parse {
            path: path.display().to_string(),
            source: serde::de::Error::custom("expected a JSON object"),
        }),
        Err(source) => Err(AuthError::Parse {
            path: path.display().to_string(),
            source,
        }),
    }
}

fn lookup_file(
    path: &Path,
    root: &Map<String, Value>,
    host: &str,
    helper_dir: Option<&Path>,
) -> Result<Option<Credentials>, AuthError> {
    let helper_for_host = root
        .get("credHelpers")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().find(|(k, _)| key_matches(k, host)))
        .and_then(|(_, v)| v.as_str())
        .filter(|s| !s.is_empty());
    let store = root
        .get("credsStore")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    for helper in helper_for_host.into_iter().chain(store) {
        if let Some(c) = run_helper(helper, &helper_server_url(host), path, helper_dir)? {
            return Ok(Some(c));
        }
    }
    let Some(auths) = root.get("auths").and_then(Value::as_object) else {
        return Ok(None);
    };
    // An exact key first, then any key naming the same host.
    let entry = auths
        .get_key_value(host)
        .or_else(|| auths.iter().find(|(k, _)| key_matches(k, host)));
    let Some((key, entry)) = entry else {
        return Ok(None);
    };
    decode_entry(path, key, entry)
}

fn decode_entry(path: &Path, key: &str, entry: &Value) -> Result<Option<Credentials>, AuthError> {
    let bad = |why: &str| AuthError::BadEntry {
        path: path.display().to_string(),
        key: key.to_owned(),
        why: why.to_owned(),
    };
    if let Some(auth) = entry
        .get("auth")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        let auth = auth.trim();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(auth)
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD.decode(auth.trim_end_matches('='))
            })
            .map_err(|_| bad("not base64"))?;
        let text = String::from_utf8(raw).map_err(|_| bad("not UTF-8"))?;
        let (user, pass) = text
            .split_once(':')
            .ok_or_else(|| bad("expected user:password"))?;
        return Ok(Some((
            user.to_owned(),
            pass.trim_end_matches('\n').to_owned(),
        )));
    }
    // Some tools write the two fields in clear.
    let user = entry.get("username").and_then(Value::as_str).unwrap_or("");
    let pass = entry.get("password").and_then(Value::as_str).unwrap_or("");
    if !user.is_empty() && !pass.is_empty() {
        return Ok(Some((user.to_owned(), pass.to_owned())));
    }
    Ok(None)
}

#[derive(serde::Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

fn run_helper(
    helper: &str,
    server: &str,
    config: &Path,
    helper_dir: Option<&Path>,
) -> Result<Option<Credentials>, AuthError> {
    let failed = |message: String| AuthError::HelperFailed {
        helper: helper.to_owned(),
        server: server.to_owned(),
        message,
    };
    if helper.contains('/') {
        return Err(failed("invalid helper name".into()));
    }
    let program = format!("docker-credential-{helper}");
    let program = match helper_dir {
        Some(dir) => dir.join(program),
        None => PathBuf::from(program),
    };
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| AuthError::HelperMissing {
            helper: helper.to_owned(),
            path: config.display().to_string(),
            source,
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading its input is judged by its answer.
        let _ = stdin.write_all(server.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| failed(e.to_string()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let msg = if stdout.trim().is_empty() {
            stderr.trim()
        } else {
            stdout.trim()
        };
        if msg.to_ascii_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        let msg = if msg.is_empty() {
            out.status.to_string()
        } else {
            msg.to_owned()
        };
        return Err(failed(msg));
    }
    let answer: HelperAnswer = serde_json::from_str(stdout.trim())
        .map_err(|e| failed(format!("unreadable answer: {e}")))?;
    if answer.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some((answer.username, answer.secret)))
}

/// Save credentials for `registry_host` (for `login`) in `file`, or in
/// [`default_store_path`]. Other keys of the file are kept; entries naming
/// the same host under another key are replaced. The file is written
/// atomically with mode 0600. Returns the file written.
pub fn store(
    registry_host: &str,
    user: &str,
    pass: &str,
    file: Option<&Path>,
) -> io::Result<PathBuf> {
    let path = file
        .map(Path::to_path_buf)
        .unwrap_or_else(default_store_path);
    let mut root = read_for_edit(&path)?.unwrap_or_default();
    let auths = root
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(auths) = auths else {
        return Err(invalid(&path, "\"auths\" is not an object"));
    };
    // Keep the file's own key for the host when it has one (docker's
    // config.json uses https://index.docker.io/v1/ for Docker Hub).
    let key = if auths.contains_key(registry_host) {
        registry_host.to_owned()
    } else {
        auths
            .keys()
            .find(|k| key_matches(k, registry_host))
            .cloned()
            .unwrap_or_else(|| canonical_host(registry_host).to_owned())
    };
    auths.retain(|k, _| k == &key || !key_matches(k, registry_host));
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    let mut entry = Map::new();
    entry.insert("auth".into(), Value::String(encoded));
    auths.insert(key, Value::Object(entry));
    write_config(&path, &root)?;
    Ok(path)
}

/// Forget the credentials for `registry_host` (for `logout`) in `file`, or
/// in [`default_store_path`]. Returns whether there was anything to remove.
pub fn remove(registry_host: &str, file: Option<&Path>) -> io::Result<bool> {
    let path = file
        .map(Path::to_path_buf)
        .unwrap_or_else(default_store_path);
    let Some(mut root) = read_for_edit(&path)? else {
        return Ok(false);
    };
    let Some(Value::Object(auths)) = root.get_mut("auths") else {
        return Ok(false);
    };
    let before = auths.len();
    auths.retain(|k, _| !key_matches(k, registry_host));
    if auths.len() == before {
        return Ok(false);
    }
    write_config(&path, &root)?;
    Ok(true)
}

fn invalid(path: &Path, why: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {why}", path.display()),
    )
}

pub(crate) fn read_for_edit(path: &Path) -> io::Result<Option<Map<String, Value>>> {
    read_config(path).map_err(|e| match e {
        AuthError::Read { source, .. } => io::Error::new(
            source.kind(),
            format!("reading {}: {source}", path.display()),
        ),
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    })
}

pub(crate) fn write_config(path: &Path, root: &Map<String, Value>) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(root).map_err(|e| invalid(path, e))?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// Write `bytes` to `path` through a temp file in the same directory:
/// fsync, rename, fsync the directory. The file gets mode 0600.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let ctx = |what: &str, p: &Path, e: io::Error| {
        io::Error::new(e.kind(), format!("{what} {}: {e}", p.display()))
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| ctx("creating", &dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "auth.json".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(".{name}.tmp-{}-{nanos}", std::process::id()));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| ctx("creating", &tmp, e))?;
        f.write_all(bytes).map_err(|e| ctx("writing", &tmp, e))?;
        f.sync_all().map_err(|e| ctx("syncing", &tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| ctx("renaming to", path, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    fs::File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| ctx("syncing", &dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn write(dir: &Path, name: &str, json: &str) -> PathBuf {
        let p = dir.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, json).unwrap();
        p
    }

    fn creds(u: &str, p: &str) -> Option<Credentials> {
        Some((u.to_owned(), p.to_owned()))
    }

    #[test]
    fn docker_config_keys() {
        let d = tempfile::tempdir().unwrap();
        let cfg = write(
            d.path(),
            "config.json",
            &format!(
                r#"{{"auths": {{
                    "https://index.docker.io/v1/": {{"auth": "{}"}},
                    "http://127.0.0.1:5000": {{"auth": "{}"}},
                    "https://quay.io/v1/": {{"auth": "{}"}},
                    "ghcr.io": {{"username": "gh", "password": "tok"}},
                    "empty.example": {{}}
                }}, "HttpHeaders": {{"X-Foo": "bar"}}}}"#,
                b64("hub:hubpass"),
                b64("local:lp:with:colons"),
                b64("q:qp")
            ),
        );
        let paths = vec![cfg];
        assert_eq!(
            lookup_in(&paths, "docker.io").unwrap(),
            creds("hub", "hubpass")
        );
        assert_eq!(
            lookup_in(&paths, "registry-1.docker.io").unwrap(),
            creds("hub", "hubpass")
        );
        assert_eq!(
            lookup_in(&paths, "127.0.0.1:5000").unwrap(),
            creds("local", "lp:with:colons")
        );
        assert_eq!(lookup_in(&paths, "quay.io").unwrap(), creds("q", "qp"));
        assert_eq!(lookup_in(&paths, "ghcr.io").unwrap(), creds("gh", "tok"));
        assert_eq!(lookup_in(&paths, "empty.example").unwrap(), None);
        assert_eq!(lookup_in(&paths, "127.0.0.1:5001").unwrap(), None);
        assert_eq!(lookup_in(&paths, "other.example").unwrap(), None);
    }

    #[test]
    fn files_in_order_and_missing_files_skipped() {
        let d = tempfile::tempdir().unwrap();
        let first = write(
            d.path(),
            "run/containers/auth.json",
            &format!(
                r#"{{"auths":{{"reg.example":{{"auth":"{}"}}}}}}"#,
                b64("a:1")
            ),
        );
        let second = write(
            d.path(),
            "home/.docker/config.json",
            &format!(
                r#"{{"auths":{{"reg.example":{{"auth":"{}"}},"other.example":{{"auth":"{}"}}}}}}"#,
                b64("b:2"),
                b64("c:3")
            ),
        );
        let paths = vec![d.path().join("nope/auth.json"), first, second];
        assert_eq!(lookup_in(&paths, "reg.example").unwrap(), creds("a", "1"));
        assert_eq!(lookup_in(&paths, "other.example").unwrap(), creds("c", "3"));
    }

    #[test]
    fn malformed_files_are_errors_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        let bad = write(d.path(), "auth.json", "{not json");
        let e = lookup_in(std::slice::from_ref(&bad), "x.example").unwrap_err();
        assert!(e.to_string().contains(&bad.display().to_string()), "{e}");
        let bad_b64 = write(
            d.path(),
            "b.json",
            r#"{"auths":{"x.example":{"auth":"%%%"}}}"#,
        );
        let e = lookup_in(&[bad_b64], "x.example").unwrap_err();
        assert!(e.to_string().contains("not base64"), "{e}");
        let empty = write(d.path(), "e.json", "\n");
        assert_eq!(lookup_in(&[empty], "x.example").unwrap(), None);
    }

    #[test]
    fn env_paths() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let all = env(&[
            ("REGISTRY_AUTH_FILE", "/a/auth.json"),
            ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ("XDG_CONFIG_HOME", "/cfg"),
            ("DOCKER_CONFIG", "/dock"),
            ("HOME", "/home/u"),
        ]);
        let p: Vec<PathBuf> = [
            "/a/auth.json",
            "/run/user/1000/containers/auth.json",
            "/cfg/containers/auth.json",
            "/dock/config.json",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(auth_file_paths_from(&all), p);
        assert_eq!(store_path_from(&all), PathBuf::from("/a/auth.json"));
        let home_only = env(&[("HOME", "/home/u"), ("XDG_RUNTIME_DIR", "/run/user/1000")]);
        assert_eq!(
            auth_file_paths_from(&home_only),
            vec![
                PathBuf::from("/run/user/1000/containers/auth.json"),
                PathBuf::from("/home/u/.config/containers/auth.json"),
                PathBuf::from("/home/u/.docker/config.json"),
            ]
        );
        assert_eq!(
            store_path_from(&home_only),
            PathBuf::from("/run/user/1000/containers/auth.json")
        );
        let nothing = env(&[]);
        let uid = unsafe { libc::getuid() };
        assert_eq!(
            auth_file_paths_from(&nothing),
            vec![PathBuf::from(format!("/run/containers/{uid}/auth.json"))]
        );
    }

    fn fake_helper(dir: &Path, name: &str, script: &str) {
        let p = dir.join(format!("docker-credential-{name}"));
        fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn credential_helpers() {
        let d = tempfile::tempdir().unwrap();
        let bin = d.path().join("bin");
        fs::create_dir(&bin).unwrap();
        // Echoes the server URL it was asked for back as the user name.
        fake_helper(
            &bin,
            "store",
            r#"[ "$1" = get ] || exit 3; read -r url; case "$url" in *nothing*) echo "credentials not found in native keychain"; exit 1;; *broken*) echo "boom" >&2; exit 2;; esac; printf '{"ServerURL":"%s","Username":"%s","Secret":"s3cret"}' "$url" "$url""#,
        );
        fake_helper(
            &bin,
            "special",
            r#"read -r url; printf '{"Username":"special","Secret":"sp"}'"#,
        );
        let cfg = write(
            d.path(),
            "config.json",
            &format!(
                r#"{{"credsStore":"store","credHelpers":{{"special.example":"special","missing.example":"nosuchhelper"}},
                   "auths":{{"nothing.example":{{"auth":"{}"}}}}}}"#,
                b64("fallback:fb")
            ),
        );
        let paths = vec![cfg.clone()];
        let look = |h: &str| lookup_with(&paths, h, Some(&bin));
        assert_eq!(
            look("reg.example:5000").unwrap(),
            creds("reg.example:5000", "s3cret")
        );
        assert_eq!(look("docker.io").unwrap(), creds(DOCKER_HUB_KEY, "s3cret"));
        assert_eq!(look("special.example").unwrap(), creds("special", "sp"));
        // The store has nothing: the auths entry is used.
        assert_eq!(look("nothing.example").unwrap(), creds("fallback", "fb"));
        let e = look("broken.example").unwrap_err();
        assert!(matches!(e, AuthError::HelperFailed { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("docker-credential-store failed for broken.example: boom"),
            "{e}"
        );
        let e = look("missing.example").unwrap_err();
        assert!(matches!(e, AuthError::HelperMissing { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("docker-credential-nosuchhelper")
                && msg.contains(&cfg.display().to_string()),
            "{msg}"
        );
    }

    #[test]
    fn store_and_remove_keep_other_keys() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("sub/dir/auth.json");
        // A new file, created with its directories.
        let written = store("127.0.0.1:5000", "u", "p", Some(&file)).unwrap();
        assert_eq!(written, file);
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            lookup_in(std::slice::from_ref(&file), "127.0.0.1:5000").unwrap(),
            creds("u", "p")
        );

        // An existing file with unknown keys and docker's hub key.
        fs::write(
            &file,
            format!(
                r#"{{"psFormat":"table","auths":{{"https://index.docker.io/v1/":{{"auth":"{}","identitytoken":"x"}},"http://127.0.0.1:5000":{{"auth":"{}"}},"keep.example":{{"auth":"{}"}}}},"credHelpers":{{"a":"b"}}}}"#,
                b64("old:old"),
                b64("old:old"),
                b64("k:k")
            ),
        )
        .unwrap();
        store("docker.io", "hub", "new", Some(&file)).unwrap();
        store("127.0.0.1:5000", "u2", "p2", Some(&file)).unwrap();
        let v: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
        assert_eq!(v["psFormat"], "table");
        assert_eq!(v["credHelpers"]["a"], "b");
        let keys: Vec<&String> = v["auths"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "https://index.docker.io/v1/",
                "http://127.0.0.1:5000",
                "keep.example"
            ]
        );
        assert!(v["auths"]["https://index.docker.io/v1/"]
            .get("identitytoken")
            .is_none());
        let paths = vec![file.clone()];
        assert_eq!(lookup_in(&paths, "docker.io").unwrap(), creds("hub", "new"));
        assert_eq!(
            lookup_in(&paths, "127.0.0.1:5000").unwrap(),
            creds("u2", "p2")
        );

        assert!(remove("docker.io", Some(&file)).unwrap());
        assert!(!remove("docker.io", Some(&file)).unwrap());
        assert_eq!(lookup_in(&paths, "docker.io").unwrap(), None);
        assert_eq!(lookup_in(&paths, "keep.example").unwrap(), creds("k", "k"));
        let v: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
        assert_eq!(v["psFormat"], "table");
        assert!(!remove("x.example", Some(&d.path().join("absent.json"))).unwrap());
        // No temp files left behind.
        let names: Vec<_> = fs::read_dir(file.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![OsString::from("auth.json")]);
    }

    #[test]
    fn store_refuses_to_clobber_a_malformed_file() {
        let d = tempfile::tempdir().unwrap();
        let file = write(d.path(), "auth.json", "{oops");
        let e = store("r.example", "u", "p", Some(&file)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(fs::read_to_string(&file).unwrap(), "{oops");
    }
}
