//! A synchronous client for the OCI distribution (docker registry v2) API:
//! manifests, blobs (streamed, resumable, verified), uploads and auth.
//!
//! One [`Client`] talks to one registry host. It holds a ureq agent (a
//! connection pool), the scheme chosen for the host, the last auth challenge
//! seen, and bearer tokens by scope, so it is meant to live for a whole pull
//! or push and to be shared by its worker threads.
//!
//! * **Transport.** HTTPS with the system's root certificates plus any
//!   `*.crt` in `/etc/docker/certs.d/<host>/` and `/etc/containers/certs.d/<host>/`
//!   (or `ClientOptions::cert_dir`), and a client certificate from a
//!   `*.cert`/`*.key` pair there. Loopback registries (localhost,
//!   127.0.0.0/8, ::1) and `tls_verify: Some(false)` try HTTPS first and
//!   fall back to plain HTTP when the host does not speak TLS; the choice
//!   is made once per client by `GET /v2/`. `tls_verify: Some(false)` also
//!   skips certificate verification. Connect timeout 10 s, read-idle
//!   timeout 60 s, no overall timeout (blobs can be large).
//! * **Auth.** A request is tried; a 401 names the scheme in
//!   `WWW-Authenticate`. `Basic` is answered with the credentials, `Bearer`
//!   by fetching a token from the realm for `repository:<repo>:pull` (or
//!   `pull,push`), with the credentials if there are any. The challenge is
//!   remembered, so later requests authenticate up front. Credentials come
//!   from `ClientOptions::creds` or, only once a registry asks, from
//!   [`super::auth`]. They never travel over plain HTTP to a non-loopback
//!   host, and ureq drops `Authorization` on redirects to another host.
//! * **Retries.** Connection resets, timeouts, 429 and 5xx are retried 3
//!   times (100 ms, 400 ms, 1 s apart); other 4xx are not. A blob download
//!   cut off midway resumes with a Range request.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha512};
use ureq::http::{self, HeaderMap, Response, StatusCode};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use ureq::{Body, SendBody};

use super::auth;

pub use super::types::{
    MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_DOCKER_V1, MT_DOCKER_V1_SIGNED, MT_OCI_INDEX,
    MT_OCI_MANIFEST,
};

/// What `get_manifest` accepts. Schema 1 is listed last so that an old
/// registry answers with it rather than with an error, and the caller can
/// say it is not supported.
const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5, \
     application/vnd.docker.distribution.manifest.v1+json;q=0.5";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The wait before each retry of a transient failure.
const BACKOFF: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(400),
    Duration::from_secs(1),
];
/// How often an interrupted blob download may resume in all.
const MAX_RESUMES: usize = 10;
/// Manifests are at most 4 MiB by the distribution spec; allow some slack.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;
const MAX_SMALL_BODY: u64 = 1 << 20;
/// Progress is reported at most this often (and once at the end).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// How to reach a registry.
#[derive(Clone, Default)]
pub struct ClientOptions {
    /// `None`: verify certificates; loopback registries may also use plain
    /// HTTP. `Some(true)`: HTTPS with verification only. `Some(false)`: no
    /// verification, plain HTTP allowed.
    pub tls_verify: Option<bool>,
    /// Explicit `--creds`; else looked up with [`auth::try_lookup`] when the
    /// registry asks for credentials.
    pub creds: Option<(String, String)>,
    pub user_agent: String,
    /// Use the certificates in this directory instead of
    /// `/etc/{docker,containers}/certs.d/<host>/`.
    pub cert_dir: Option<PathBuf>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("tls_verify", &self.tls_verify)
            .field(
                "creds",
                &self.creds.as_ref().map(|(u, _)| (u, "<redacted>")),
            )
            .field("user_agent", &self.user_agent)
            .field("cert_dir", &self.cert_dir)
            .finish()
    }
}

/// A manifest or index as the registry served it.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub bytes: Vec<u8>,
    /// From Content-Type, or the body's `mediaType` when that is missing or generic.
    pub media_type: String,
    /// `sha256:<hex>` of `bytes` (the requested digest when it was asked for by a sha512 digest).
    pub digest: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// No such repository, manifest or blob (404, or MANIFEST_UNKNOWN, NAME_UNKNOWN, BLOB_UNKNOWN...).
    #[error("{}", api_text(code, message, "not found"))]
    NotFound { code: String, message: String },
    /// Credentials missing or wrong.
    #[error("{}", api_text(code, message, "unauthorized: authentication required"))]
    Unauthorized { code: String, message: String },
    /// Authenticated but not allowed.
    #[error(
        "{}",
        api_text(code, message, "denied: requested access to the resource is denied")
    )]
    Denied { code: String, message: String },
    /// Any other error the registry explained (MANIFEST_INVALID, TOOMANYREQUESTS, ...).
    #[error("{}", api_text(code, message, "registry error"))]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// An error status the registry did not explain.
    #[error("unexpected HTTP status {status} from {method} {url}")]
    Http {
        status: u16,
        method: String,
        url: String,
    },
    /// Nothing answers at that address.
    #[error("registry {host} is not reachable: {reason}")]
    Unreachable { host: String, reason: String },
    #[error("TLS error talking to registry {host}: {reason}")]
    Tls { host: String, reason: String },
    /// The connection failed midway (after retries) or the peer broke the protocol.
    #[error("error talking to registry {host}: {reason}")]
    Network { host: String, reason: String },
    #[error("digest mismatch for blob {expected}: got {actual}")]
    DigestMismatch { expected: String, actual: String },
    #[error("digest mismatch for manifest {expected}: got {actual}")]
    ManifestDigestMismatch { expected: String, actual: String },
    /// The registry answered something this client cannot use.
    #[error("registry {host}: {message}")]
    Protocol { host: String, message: String },
    #[error("writing blob {digest}: {source}")]
    Write {
        digest: String,
        #[source]
        source: io::Error,
    },
    #[error("reading the data of blob {digest}: {source}")]
    Read {
        digest: String,
        #[source]
        source: io::Error,
    },
    #[error("credentials for {host}: {message}")]
    Credentials { host: String, message: String },
    /// A bad argument (repository name, reference, digest) or local setup.
    #[error("{0}")]
    Invalid(String),
}

fn api_text(code: &str, message: &str, fallback: &str) -> String {
    let code_text = code.to_ascii_lowercase().replace('_', " ");
    match (code_text.is_empty(), message.is_empty()) {
        (true, true) => fallback.to_owned(),
        (true, false) => message.to_owned(),
        (false, true) => code_text,
        (false, false) => format!("{code_text}: {message}"),
    }
}

impl RegistryError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }

    pub fn is_unauthorized(&self) -> bool {
        matches!(self, RegistryError::Unauthorized { .. })
    }

    pub fn is_denied(&self) -> bool {
        matches!(self, RegistryError::Denied { .. })
    }

    /// A blob or manifest whose content does not hash to its digest.
    pub fn is_digest_mismatch(&self) -> bool {
        matches!(
            self,
            RegistryError::DigestMismatch { .. } | RegistryError::ManifestDigestMismatch { .. }
        )
    }

    /// Writing the blob failed because the disk (or a quota) is full.
    pub fn is_out_of_space(&self) -> bool {
        matches!(self, RegistryError::Write { source, .. } if crate::error::out_of_space(source))
    }

    /// The registry's error code (`MANIFEST_UNKNOWN`, ...), if it gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            RegistryError::NotFound { code, .. }
            | RegistryError::Unauthorized { code, .. }
            | RegistryError::Denied { code, .. }
            | RegistryError::Api { code, .. } => Some(code.as_str()).filter(|c| !c.is_empty()),
            _ => None,
        }
    }

    /// The HTTP status behind the error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            RegistryError::Api { status, .. } | RegistryError::Http { status, .. } => Some(*status),
            RegistryError::NotFound { .. } => Some(404),
            RegistryError::Unauthorized { .. } => Some(401),
            RegistryError::Denied { .. } => Some(403),
            _ => None,
        }
    }
}

type Result<T, E = RegistryError> = std::result::Result<T, E>;

// ---------------------------------------------------------------- names and digests

/// Docker Hub's API lives on another host than its name.
pub fn api_host(registry_host: &str) -> &str {
    match registry_host {
        "docker.io" | "index.docker.io" => "registry-1.docker.io",
        h => h,
    }
}

/// localhost, 127.0.0.0/8 or ::1, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else if host.matches(':').count() == 1 {
        host.split(':').next().unwrap_or(host)
    } else {
        host
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

fn finish(hasher: Sha256) -> String {
    format!("sha256:{}", hex(&hasher.finalize()))
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A `sha256:` or `sha512:` digest?
fn is_digest(s: &str) -> bool {
    match s.split_once(':') {
        Some(("sha256", h)) => is_lower_hex(h, 64),
        Some(("sha512", h)) => is_lower_hex(h, 128),
        _ => false,
    }
}

fn check_sha256(digest: &str) -> Result<()> {
    match digest.strip_prefix("sha256:") {
        Some(h) if is_lower_hex(h, 64) => Ok(()),
        _ => Err(RegistryError::Invalid(format!(
            "invalid blob digest {digest:?}: expected sha256:<64 hex digits>"
        ))),
    }
}

/// The repository path goes into URLs: lowercase components of
/// `[a-z0-9]` with `.`, `_`, `-` separators, joined by `/`.
fn check_repo(repo: &str) -> Result<()> {
    let ok = !repo.is_empty()
        && repo.len() <= 255
        && repo.split('/').all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && c.as_bytes()[0].is_ascii_alphanumeric()
                && c.as_bytes()[c.len() - 1].is_ascii_alphanumeric()
        });
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "invalid repository name {repo:?}"
        )))
    }
}

/// A tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`) or a digest.
fn check_reference(reference: &str) -> Result<()> {
    let b = reference.as_bytes();
    let tag = !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c));
    if tag || is_digest(reference) {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "invalid tag or digest {reference:?}"
        )))
    }
}

/// Percent-encode a query value.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `scheme://authority` of an absolute URL, or None.
fn url_origin(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")?;
    let rest = &url[scheme_end + 3..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme_end + 3 + end])
}

fn url_host(url: &str) -> Option<&str> {
    url_origin(url)
        .and_then(|o| o.split_once("://"))
        .map(|(_, a)| a.rsplit('@').next().unwrap_or(a))
}

/// Resolve an upload `Location` against the URL of the request that returned it.
fn resolve_location(request_url: &str, location: &str) -> Result<String, String> {
    let location = location.trim();
    if location.starts_with("https://") || location.starts_with("http://") {
        return Ok(location.to_owned());
    }
    let origin = url_origin(request_url).ok_or_else(|| format!("bad request URL {request_url}"))?;
    if let Some(rest) = location.strip_prefix("//") {
        let scheme = &origin[..origin.find("://").unwrap_or(0)];
        return Ok(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Ok(format!("{origin}{location}"));
    }
    if location.is_empty() {
        return Err("empty Location header".into());
    }
    // A relative path: against the request path's directory.
    let path = &request_url[origin.len()..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let dir = &path[..path.rfind('/').map(|i| i + 1).unwrap_or(0)];
    let dir = if dir.is_empty() { "/" } else { dir };
    Ok(format!("{origin}{dir}{location}"))
}

fn with_query(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={}", query_escape(value))
}

// ---------------------------------------------------------------- WWW-Authenticate

/// One challenge of a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Lowercase: `basic`, `bearer`, ...
    pub scheme: String,
    /// Lowercase names, unquoted values, in order.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parse a `WWW-Authenticate` value (RFC 7235): one or more challenges,
/// each a scheme and `name=value` parameters, values plain or quoted
/// (quoted ones may hold commas and backslash escapes).
pub fn parse_www_authenticate(value: &str) -> Vec<Challenge> {
    let s = value.as_bytes();
    let mut i = 0;
    let mut out: Vec<Challenge> = Vec::new();
    let is_sep = |c: u8| c == b',' || c == b'=' || c == b'"' || c.is_ascii_whitespace();
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && s[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let token = |i: &mut usize| {
        let start = *i;
        while *i < s.len() && !is_sep(s[*i]) {
            *i += 1;
        }
        value[start..*i].to_owned()
    };
    while i < s.len() {
        while i < s.len() && (s[i] == b',' || s[i].is_ascii_whitespace()) {
            i += 1;
        }
        let scheme = token(&mut i);
        if scheme.is_empty() {
            // Stray punctuation: skip one byte and go on.
            i += 1;
            continue;
        }
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: Vec::new(),
        };
        loop {
            while i < s.len() && (s[i] == b',' || s[i].is_ascii_whitespace()) {
                i += 1;
            }
            let start = i;
            let name = token(&mut i);
            skip_ws(&mut i);
            if name.is_empty() || i >= s.len() || s[i] != b'=' {
                if name.is_empty() && i < s.len() && s[i] == b'"' {
                    // A quoted string with no name: skip it.
                    let _ = quoted(value, &mut i);
                    continue;
                }
                // The next challenge's scheme (or the end).
                i = start;
                break;
            }
            i += 1;
            skip_ws(&mut i);
            let v = if i < s.len() && s[i] == b'"' {
                quoted(value, &mut i)
            } else {
                token(&mut i)
            };
            challenge.params.push((name.to_ascii_lowercase(), v));
        }
        out.push(challenge);
    }
    out
}

/// The quoted string starting at `value[*i] == '"'`; leaves `*i` after it.
fn quoted(value: &str, i: &mut usize) -> String {
    let mut out = String::new();
    let mut chars = value[*i + 1..].char_indices();
    let base = *i + 1;
    while let Some((off, c)) = chars.next() {
        match c {
            '"' => {
                *i = base + off + 1;
                return out;
            }
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            }
            c => out.push(c),
        }
    }
    *i = value.len();
    out
}

// ---------------------------------------------------------------- errors from responses

#[derive(serde::Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
    /// Docker Hub's token server: `{"details": "incorrect username or password"}`.
    #[serde(default)]
    details: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// The registry's explanation in an error body: `(code, message)`.
fn parse_error_body(body: &[u8]) -> Option<(String, String)> {
    let b: ErrorBody = serde_json::from_slice(body).ok()?;
    if let Some(e) = b.errors.into_iter().next() {
        return Some((e.code, e.message));
    }
    let text = |v: Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        _ => None,
    };
    let msg = text(b.details)
        .or_else(|| text(b.message))
        .or_else(|| text(b.error))?;
    Some((String::new(), msg))
}

/// Classify an error status and its (possibly empty) body.
fn status_error(status: u16, body: &[u8], method: &str, url: &str) -> RegistryError {
    let Some((code, message)) = parse_error_body(body) else {
        let (code, message) = (String::new(), String::new());
        return match status {
            404 => RegistryError::NotFound { code, message },
            // Reads like docker's.
            401 => RegistryError::Unauthorized {
                code: "UNAUTHORIZED".into(),
                message: "authentication required".into(),
            },
            403 => RegistryError::Denied { code, message },
            _ => RegistryError::Http {
                status,
                method: method.to_owned(),
                url: url.to_owned(),
            },
        };
    };
    match code.as_str() {
        "MANIFEST_UNKNOWN" | "NAME_UNKNOWN" | "BLOB_UNKNOWN" | "BLOB_UPLOAD_UNKNOWN" => {
            RegistryError::NotFound { code, message }
        }
        "UNAUTHORIZED" => RegistryError::Unauthorized { code, message },
        "DENIED" => RegistryError::Denied { code, message },
        _ => match status {
            404 => RegistryError::NotFound { code, message },
            401 => RegistryError::Unauthorized {
                code: if code.is_empty() {
                    "UNAUTHORIZED".into()
                } else {
                    code
                },
                message,
            },
            403 => RegistryError::Denied { code, message },
            _ => RegistryError::Api {
                status,
                code,
                message,
            },
        },
    }
}

fn transient_status(status: StatusCode) -> bool {
    status.as_u16() == 429 || status.is_server_error()
}

/// Turn a ureq failure into an error naming the host; the bool says
/// whether it is worth retrying.
fn classify(host: &str, https: bool, e: ureq::Error) -> (RegistryError, bool) {
    use io::ErrorKind as K;
    let unreachable = |reason: &str| RegistryError::Unreachable {
        host: host.to_owned(),
        reason: reason.to_owned(),
    };
    let network = |reason: String| RegistryError::Network {
        host: host.to_owned(),
        reason,
    };
    let tls = |reason: String| RegistryError::Tls {
        host: host.to_owned(),
        reason: tls_hint(host, reason),
    };
    match e {
        ureq::Error::Io(io) => match io.kind() {
            K::ConnectionRefused => (unreachable("connection refused"), false),
            K::HostUnreachable => (unreachable("no route to host"), false),
            K::NetworkUnreachable => (unreachable("network is unreachable"), false),
            K::AddrNotAvailable => (unreachable("address not available"), false),
            K::TimedOut | K::WouldBlock => (network("timed out".into()), true),
            K::ConnectionReset => (network("connection reset by peer".into()), true),
            K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof | K::Interrupted => (
                network(format!("connection closed unexpectedly ({io})")),
                true,
            ),
            // rustls reports handshake and record errors as InvalidData.
            K::InvalidData if https => (tls(io.to_string()), false),
            _ => (network(io.to_string()), false),
        },
        ureq::Error::HostNotFound => (unreachable("no such host"), false),
        ureq::Error::ConnectionFailed => (unreachable("connection failed"), false),
        ureq::Error::Timeout(t) => match t {
            ureq::Timeout::Connect | ureq::Timeout::Resolve => {
                (unreachable("connection timed out"), true)
            }
            t => (network(format!("timed out ({t:?})")), true),
        },
        ureq::Error::Tls(m) => (tls(m.to_owned()), false),
        ureq::Error::Rustls(e) => (tls(e.to_string()), false),
        ureq::Error::Pem(e) => (tls(e.to_string()), false),
        ureq::Error::TooManyRedirects => (network("too many redirects".into()), false),
        ureq::Error::Protocol(p) => (network(format!("HTTP protocol error: {p}")), false),
        other => (network(other.to_string()), false),
    }
}

fn tls_hint(host: &str, reason: String) -> String {
    if reason.contains("UnknownIssuer") || reason.contains("certificate") {
        format!(
            "{reason} (put the registry's CA certificate in /etc/containers/certs.d/{host}/ca.crt, or use --tls-verify=false)"
        )
    } else {
        reason
    }
}

// ---------------------------------------------------------------- TLS material

fn native_roots() -> &'static [Certificate<'static>] {
    static ROOTS: OnceLock<Vec<Certificate<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        rustls_native_certs::load_native_certs()
            .certs
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect()
    })
}

/// Extra CA certificates and a client certificate from one certs.d-style directory.
#[derive(Default)]
struct CertDirContents {
    roots: Vec<Certificate<'static>>,
    client: Option<ClientCert>,
}

fn load_cert_dir(dir: &Path, into: &mut CertDirContents) -> Result<()> {
    let bad = |p: &Path, e: &dyn std::fmt::Display| {
        RegistryError::Invalid(format!("reading {}: {e}", p.display()))
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory =>
        {
            return Ok(());
        }
        Err(e) => return Err(bad(dir, &e)),
    };
    let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for path in &names {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".crt") {
            let pem = std::fs::read(path).map_err(|e| bad(path, &e))?;
            let before = into.roots.len();
            for item in ureq::tls::parse_pem(&pem) {
                if let PemItem::Certificate(c) = item.map_err(|e| bad(path, &e))? {
                    into.roots.push(c);
                }
            }
            if into.roots.len() == before {
                return Err(bad(path, &"no PEM certificate in file"));
            }
        } else if let Some(stem) = name.strip_suffix(".cert") {
            let key_path = dir.join(format!("{stem}.key"));
            let pem = std::fs::read(path).map_err(|e| bad(path, &e))?;
            let chain: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|i| match i {
                    Ok(PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            let key_pem = std::fs::read(&key_path)
                .map_err(|e| bad(&key_path, &format!("client key for {name}: {e}")))?;
            let key = PrivateKey::from_pem(&key_pem).map_err(|e| bad(&key_path, &e))?;
            if chain.is_empty() {
                return Err(bad(path, &"no PEM certificate in file"));
            }
            into.client = Some(ClientCert::new_with_certs(&chain, key));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- requests

/// A request body: none, bytes (replayable) or a one-shot reader of a known length.
enum Payload<'a> {
    None,
    Bytes(&'a [u8]),
    Reader(&'a mut dyn Read, u64),
}

impl Payload<'_> {
    fn replayable(&self) -> bool {
        !matches!(self, Payload::Reader(..))
    }
}

struct Req<'a> {
    method: http::Method,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Payload<'a>,
    /// Token scopes this request needs (empty for `/v2/`).
    scopes: Vec<String>,
    /// Send our credentials or tokens (false for URLs on other hosts).
    auth: bool,
}

impl<'a> Req<'a> {
    fn new(method: http::Method, url: String, scopes: Vec<String>) -> Req<'a> {
        Req {
            method,
            url,
            headers: Vec::new(),
            body: Payload::None,
            scopes,
            auth: true,
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn body(mut self, body: Payload<'a>) -> Self {
        self.body = body;
        self
    }
}

fn pull_scope(repo: &str) -> Vec<String> {
    vec![format!("repository:{repo}:pull")]
}

fn push_scope(repo: &str) -> Vec<String> {
    vec![format!("repository:{repo}:pull,push")]
}

#[derive(Clone)]
struct Token {
    value: String,
    expires: Instant,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: String,
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Https,
    Http,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// A registry client for one host; see the module doc.
pub struct Client {
    /// Where the API is (`registry-1.docker.io` for `docker.io`).
    host: String,
    /// The name credentials are stored under (`docker.io`).
    auth_host: String,
    agent: ureq::Agent,
    /// None until chosen by a probe (hosts that may fall back to plain HTTP).
    scheme: Mutex<Option<Scheme>>,
    explicit_creds: Option<(String, String)>,
    /// Looked up once, when a registry first asks for credentials.
    stored_creds: OnceLock<Result<Option<(String, String)>, String>>,
    /// The last auth challenge from this registry.
    challenge: Mutex<Option<Challenge>>,
    /// Bearer tokens by scope.
    tokens: Mutex<HashMap<String, Token>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.host)
            .field("scheme", &*lock(&self.scheme))
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Hashes and counts what a push reads, and keeps the reader's error. Data
/// that ends before `size` bytes is an error (else the server would wait
/// for the rest of the announced length).
struct HashingReader<'a> {
    inner: io::Take<&'a mut dyn Read>,
    size: u64,
    hasher: Sha256,
    count: u64,
    error: Option<io::Error>,
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(0) if self.count < self.size && !buf.is_empty() => {
                let msg = format!("data ended after {} of {} bytes", self.count, self.size);
                self.error = Some(io::Error::new(io::ErrorKind::UnexpectedEof, msg.clone()));
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, msg))
            }
            Ok(n) => {
                self.hasher.update(&buf[..n]);
                self.count += n as u64;
                Ok(n)
            }
            Err(e) => {
                let kind = e.kind();
                let msg = e.to_string();
                self.error = Some(e);
                Err(io::Error::new(kind, msg))
            }
        }
    }
}

impl Client {
    /// A client for `registry_host` (`host[:port]`; `docker.io` means
    /// Docker Hub's API host). Reads certificates; makes no request.
    pub fn new(registry_host: &str, opts: ClientOptions) -> Result<Client> {
        let registry_host = registry_host.trim_end_matches('/');
        if registry_host.is_empty()
            || registry_host.contains(['/', '@', '?', '#'])
            || registry_host.contains(char::is_whitespace)
        {
            return Err(RegistryError::Invalid(format!(
                "invalid registry host {registry_host:?}"
            )));
        }
        let host = api_host(registry_host).to_owned();
        let loopback = is_loopback_host(&host);
        let insecure = opts.tls_verify == Some(false);

        let mut extra = CertDirContents::default();
        match &opts.cert_dir {
            Some(dir) => load_cert_dir(dir, &mut extra)?,
            None => {
                let mut names = vec![registry_host.to_owned()];
                if host != registry_host {
                    names.push(host.clone());
                }
                for base in ["/etc/docker/certs.d", "/etc/containers/certs.d"] {
                    for name in &names {
                        load_cert_dir(&Path::new(base).join(name), &mut extra)?;
                    }
                }
            }
        }
        let native = native_roots();
        let roots = if native.is_empty() && extra.roots.is_empty() {
            RootCerts::WebPki
        } else {
            RootCerts::Specific(Arc::new(
                native.iter().cloned().chain(extra.roots).collect(),
            ))
        };
        let tls = TlsConfig::builder()
            .root_certs(roots)
            .client_cert(extra.client)
            .disable_verification(insecure)
            .build();
        let user_agent = if opts.user_agent.is_empty() {
            "skiff".to_owned()
        } else {
            opts.user_agent.clone()
        };
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(user_agent)
            .tls_config(tls)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_resolve(Some(CONNECT_TIMEOUT))
            .timeout_per_read(Some(READ_IDLE_TIMEOUT))
            .timeout_per_write(Some(READ_IDLE_TIMEOUT))
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .max_idle_connections_per_host(8);
        if loopback {
            // Like Go's ProxyFromEnvironment: loopback never goes through a proxy.
            config = config.proxy(None);
        }
        let agent = config.build().new_agent();
        let scheme = match opts.tls_verify {
            Some(true) => Some(Scheme::Https),
            Some(false) => None,
            None if loopback => None,
            None => Some(Scheme::Https),
        };
        Ok(Client {
            auth_host: registry_host.to_owned(),
            host,
            agent,
            scheme: Mutex::new(scheme),
            explicit_creds: opts.creds,
            stored_creds: OnceLock::new(),
            challenge: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// The host the API is reached at.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `https://host` or `http://host`, choosing the first time.
    fn base(&self) -> Result<String> {
        let mut g = lock(&self.scheme);
        let scheme = match *g {
            Some(s) => s,
            None => {
                let s = self.probe_scheme()?;
                *g = Some(s);
                s
            }
        };
        Ok(format!("{}://{}", scheme.as_str(), self.host))
    }

    /// HTTPS if the host answers it, else plain HTTP if that answers `/v2/`
    /// like a registry, else the HTTPS error. Learns the auth challenge too.
    fn probe_scheme(&self) -> Result<Scheme> {
        let https_err = match self.probe(Scheme::Https) {
            Ok(()) => return Ok(Scheme::Https),
            Err(e) => e,
        };
        if matches!(https_err, RegistryError::Unreachable { .. }) {
            return Err(https_err);
        }
        match self.probe(Scheme::Http) {
            Ok(()) => Ok(Scheme::Http),
            Err(_) => Err(https_err),
        }
    }

    fn probe(&self, scheme: Scheme) -> Result<()> {
        let url = format!("{}://{}/v2/", scheme.as_str(), self.host);
        let req = http::Request::get(&url)
            .body(())
            .map_err(|e| RegistryError::Invalid(format!("{url}: {e}")))?;
        let req = self
            .agent
            .configure_request(req)
            .timeout_per_call(Some(CONNECT_TIMEOUT))
            .build();
        let mut resp = self
            .agent
            .run(req)
            .map_err(|e| classify(&self.host, scheme == Scheme::Https, e).0)?;
        let status = resp.status().as_u16();
        let _ = resp
            .body_mut()
            .with_config()
            .limit(MAX_SMALL_BODY)
            .read_to_vec();
        // A TLS-only Go server answers plain HTTP with 400 ("Client sent an
        // HTTP request to an HTTPS server"); a registry says 200 or 401.
        if scheme == Scheme::Http && !(status == 200 || status == 401) {
            return Err(RegistryError::Http {
                status,
                method: "GET".into(),
                url,
            });
        }
        if status == 401 {
            self.remember_challenge(resp.headers());
        }
        Ok(())
    }

    fn remember_challenge(&self, headers: &HeaderMap) {
        let mut all: Vec<Challenge> = headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse_www_authenticate)
            .collect();
        // Bearer is preferred when both are offered.
        all.sort_by_key(|c| match c.scheme.as_str() {
            "bearer" => 0,
            "basic" => 1,
            _ => 2,
        });
        if let Some(c) = all
            .into_iter()
            .find(|c| c.scheme == "bearer" || c.scheme == "basic")
        {
            *lock(&self.challenge) = Some(c);
        }
    }

    fn creds(&self) -> Result<Option<(String, String)>> {
        if let Some(c) = &self.explicit_creds {
            return Ok(Some(c.clone()));
        }
        let found = self
            .stored_creds
            .get_or_init(|| auth::try_lookup(&self.auth_host).map_err(|e| e.to_string()));
        found.clone().map_err(|message| RegistryError::Credentials {
            host: self.auth_host.clone(),
            message,
        })
    }

    fn is_plain_http_remote(&self, url: &str) -> bool {
        url.starts_with("http://") && !url_host(url).is_some_and(is_loopback_host)
    }

    /// The Authorization header for a request with these scopes, from the
    /// remembered challenge: Basic credentials, or a (cached or new) token.
    fn authorization(&self, url: &str, scopes: &[String], fresh: bool) -> Result<Option<String>> {
        let Some(challenge) = lock(&self.challenge).clone() else {
            return Ok(None);
        };
        match challenge.scheme.as_str() {
            "basic" => {
                let Some((user, pass)) = self.creds()? else {
                    return Ok(None);
                };
                if self.is_plain_http_remote(url) {
                    return Err(RegistryError::Credentials {
                        host: self.auth_host.clone(),
                        message: "refusing to send credentials over plain HTTP".into(),
                    });
                }
                Ok(Some(basic(&user, &pass)))
            }
            "bearer" => self
                .bearer_token(&challenge, scopes, fresh)
                .map(|t| Some(format!("Bearer {t}"))),
            _ => Ok(None),
        }
    }

    fn bearer_token(
        &self,
        challenge: &Challenge,
        scopes: &[String],
        fresh: bool,
    ) -> Result<String> {
        let key = scopes.join(" ");
        if !fresh {
            if let Some(t) = lock(&self.tokens).get(&key) {
                if t.expires > Instant::now() {
                    return Ok(t.value.clone());
                }
            }
        }
        let protocol = |message: String| RegistryError::Protocol {
            host: self.host.clone(),
            message,
        };
        let realm = challenge
            .param("realm")
            .filter(|r| !r.is_empty())
            .ok_or_else(|| protocol("bearer challenge without a realm".into()))?;
        if !(realm.starts_with("https://") || realm.starts_with("http://")) {
            return Err(protocol(format!(
                "bearer realm {realm:?} is not an http(s) URL"
            )));
        }
        let mut url = realm.to_owned();
        if let Some(service) = challenge.param("service") {
            url = with_query(&url, "service", service);
        }
        // Our own scopes; the challenge's only when we have none (`/v2/`).
        let challenge_scope: Vec<String> = challenge
            .param("scope")
            .map(|s| {
                s.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        for scope in if scopes.is_empty() {
            &challenge_scope
        } else {
            scopes
        } {
            url = with_query(&url, "scope", scope);
        }
        let creds = self.creds()?;
        let mut req = Req::new(http::Method::GET, url.clone(), Vec::new());
        req.auth = false;
        if let Some((user, pass)) = &creds {
            if self.is_plain_http_remote(&url) {
                return Err(RegistryError::Credentials {
                    host: self.auth_host.clone(),
                    message: format!(
                        "refusing to send credentials over plain HTTP to the token server {realm}"
                    ),
                });
            }
            req.url = with_query(&req.url, "account", user);
            req = req.header("Authorization", basic(user, pass));
        }
        let resp = self.send(&mut req, None)?;
        let mut resp = self.expect(resp, &req, &[200])?;
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_SMALL_BODY)
            .read_to_vec()
            .map_err(|e| {
                classify(
                    url_host(&req.url).unwrap_or(&self.host),
                    req.url.starts_with("https"),
                    e,
                )
                .0
            })?;
        let t: TokenResponse = serde_json::from_slice(&body)
            .map_err(|e| protocol(format!("unreadable answer from token server {realm}: {e}")))?;
        let value = if t.token.is_empty() {
            t.access_token
        } else {
            t.token
        };
        if value.is_empty() {
            return Err(protocol(format!("token server {realm} returned no token")));
        }
        let lifetime = t.expires_in.unwrap_or(60).max(60);
        let expires = Instant::now() + Duration::from_secs(lifetime.saturating_sub(10));
        lock(&self.tokens).insert(
            key,
            Token {
                value: value.clone(),
                expires,
            },
        );
        Ok(value)
    }

    /// Send, retrying transient failures (replayable bodies only).
    fn send(&self, req: &mut Req, authorization: Option<&str>) -> Result<Response<Body>> {
        let host = url_host(&req.url).unwrap_or(&self.host).to_owned();
        let https = req.url.starts_with("https://");
        let mut attempt = 0;
        loop {
            let can_retry = attempt < BACKOFF.len() && req.body.replayable();
            match self.send_once(req, authorization) {
                Ok(resp) if can_retry && transient_status(resp.status()) => drop(resp),
                Ok(resp) => return Ok(resp),
                Err(SendError::Fatal(e)) => return Err(e),
                Err(SendError::Transport(e)) => {
                    let (err, retry) = classify(&host, https, e);
                    if !(retry && can_retry) {
                        return Err(err);
                    }
                }
            }
            std::thread::sleep(BACKOFF[attempt]);
            attempt += 1;
        }
    }

    fn send_once(
        &self,
        req: &mut Req,
        authorization: Option<&str>,
    ) -> Result<Response<Body>, SendError> {
        let mut b = http::Request::builder()
            .method(req.method.clone())
            .uri(&req.url);
        for (k, v) in &req.headers {
            b = b.header(*k, v);
        }
        if let Some(a) = authorization {
            b = b.header("Authorization", a);
        }
        let bad = |e: http::Error| {
            SendError::Fatal(RegistryError::Invalid(format!(
                "bad request {}: {e}",
                req.url
            )))
        };
        let result = match &mut req.body {
            Payload::None => self.agent.run(b.body(()).map_err(bad)?),
            Payload::Bytes(bytes) => self.agent.run(b.body(*bytes).map_err(bad)?),
            Payload::Reader(r, len) => {
                b = b.header("Content-Length", len.to_string());
                self.agent
                    .run(b.body(SendBody::from_reader(&mut **r)).map_err(bad)?)
            }
        };
        result.map_err(SendError::Transport)
    }

    /// Send with auth: up front from what the registry asked before, and on
    /// a 401 once more after reading its challenge.
    fn execute(&self, req: &mut Req) -> Result<Response<Body>> {
        let mut retried = false;
        loop {
            let authorization = if req.auth {
                self.authorization(&req.url, &req.scopes, retried)?
            } else {
                None
            };
            let resp = self.send(req, authorization.as_deref())?;
            if resp.status() != StatusCode::UNAUTHORIZED
                || !req.auth
                || retried
                || !req.body.replayable()
            {
                return Ok(resp);
            }
            self.remember_challenge(resp.headers());
            let Some(challenge) = lock(&self.challenge).clone() else {
                return Ok(resp);
            };
            match challenge.scheme.as_str() {
                // Another try only with credentials we have not sent yet.
                "basic" if authorization.is_some() || self.creds()?.is_none() => return Ok(resp),
                "basic" => {}
                // A fresh token, with any scope the challenge adds.
                _ => {
                    for scope in challenge
                        .param("scope")
                        .unwrap_or("")
                        .split(' ')
                        .filter(|s| !s.is_empty())
                    {
                        if !req.scopes.iter().any(|s| s == scope) {
                            req.scopes.push(scope.to_owned());
                        }
                    }
                }
            }
            retried = true;
        }
    }

    /// `resp` if its status is one of `ok`, else the error it explains.
    fn expect(&self, resp: Response<Body>, req: &Req, ok: &[u16]) -> Result<Response<Body>> {
        if ok.contains(&resp.status().as_u16()) {
            Ok(resp)
        } else {
            Err(self.error_of(resp, req))
        }
    }

    /// The error an unwanted response explains.
    fn error_of(&self, mut resp: Response<Body>, req: &Req) -> RegistryError {
        let status = resp.status().as_u16();
        let body = if req.method == http::Method::HEAD {
            Vec::new()
        } else {
            resp.body_mut()
                .with_config()
                .limit(MAX_SMALL_BODY)
                .read_to_vec()
                .unwrap_or_default()
        };
        status_error(status, &body, req.method.as_str(), &req.url)
    }

    /// `GET /v2/`: reachable, and the credentials (if any) are accepted.
    pub fn ping(&self) -> Result<()> {
        let url = format!("{}/v2/", self.base()?);
        let mut req = Req::new(http::Method::GET, url, Vec::new());
        let resp = self.execute(&mut req)?;
        self.expect(resp, &req, &[200]).map(drop)
    }

    /// Fetch a manifest or index by tag or digest; see [`Manifest`].
    pub fn get_manifest(&self, repo: &str, reference: &str) -> Result<Manifest> {
        check_repo(repo)?;
        check_reference(reference)?;
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base()?);
        let mut attempt = 0;
        let (headers, bytes) = loop {
            let mut req = Req::new(http::Method::GET, url.clone(), pull_scope(repo))
                .header("Accept", ACCEPT_MANIFESTS);
            let resp = self.execute(&mut req)?;
            let mut resp = self.expect(resp, &req, &[200])?;
            match resp
                .body_mut()
                .with_config()
                .limit(MAX_MANIFEST_BYTES)
                .read_to_vec()
            {
                Ok(bytes) => break (resp.headers().clone(), bytes),
                Err(ureq::Error::BodyExceedsLimit(n)) => {
                    return Err(RegistryError::Protocol {
                        host: self.host.clone(),
                        message: format!("manifest {repo}:{reference} is larger than {n} bytes"),
                    });
                }
                Err(e) => {
                    let (err, retry) = classify(&self.host, url.starts_with("https"), e);
                    if !retry || attempt >= BACKOFF.len() {
                        return Err(err);
                    }
                    std::thread::sleep(BACKOFF[attempt]);
                    attempt += 1;
                }
            }
        };
        let digest = sha256_digest(&bytes);
        let digest = match reference.split_once(':') {
            Some(("sha256", _)) => {
                if digest != reference {
                    return Err(RegistryError::ManifestDigestMismatch {
                        expected: reference.to_owned(),
                        actual: digest,
                    });
                }
                digest
            }
            Some(("sha512", _)) => {
                let actual = format!("sha512:{}", hex(&Sha512::digest(&bytes)));
                if actual != reference {
                    return Err(RegistryError::ManifestDigestMismatch {
                        expected: reference.to_owned(),
                        actual,
                    });
                }
                actual
            }
            _ => digest,
        };
        let media_type = media_type_of(&headers, &bytes);
        Ok(Manifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// Stream blob `digest` into `out`, from byte `offset` on.
    ///
    /// `hasher` must already hold the blob's first `offset` bytes (those the
    /// caller has); `out` receives exactly the bytes after them, so a
    /// partial file is simply appended to. When `offset > 0` the request
    /// asks for a Range; a server that ignores it and sends the whole blob
    /// has its first `offset` bytes skipped, so `out` never needs
    /// truncating. A connection cut midway resumes the same way. The whole
    /// blob is verified against `digest` at the end
    /// ([`RegistryError::DigestMismatch`]: the caller should discard what it
    /// wrote). `progress` gets the bytes so far (offset included), about
    /// every 100 ms and at the end. Returns the blob's size.
    #[allow(clippy::too_many_arguments)]
    pub fn get_blob(
        &self,
        repo: &str,
        digest: &str,
        expected_size: Option<u64>,
        out: &mut dyn Write,
        offset: u64,
        mut hasher: Sha256,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        check_repo(repo)?;
        check_sha256(digest)?;
        let verify = |hasher: Sha256, size: u64| {
            let actual = finish(hasher);
            if actual != digest {
                return Err(RegistryError::DigestMismatch {
                    expected: digest.to_owned(),
                    actual,
                });
            }
            if let Some(want) = expected_size {
                if want != size {
                    return Err(RegistryError::Protocol {
                        host: self.host.clone(),
                        message: format!("blob {digest} is {size} bytes, but {want} were expected"),
                    });
                }
            }
            Ok(size)
        };
        if let Some(size) = expected_size {
            if offset > size {
                return Err(RegistryError::Invalid(format!(
                    "blob {digest}: cannot resume at byte {offset} of a {size}-byte blob"
                )));
            }
            if offset == size && offset > 0 {
                progress(offset);
                return verify(hasher, offset);
            }
        }
        let url = format!("{}/v2/{repo}/blobs/{digest}", self.base()?);
        let mut state = BlobState {
            pos: offset,
            last_report: Instant::now(),
            whole: false,
        };
        progress(offset);
        let mut failures = 0;
        let mut resumes = 0;
        loop {
            let before = state.pos;
            match self.blob_attempt(
                &url,
                repo,
                digest,
                expected_size,
                out,
                &mut hasher,
                progress,
                &mut state,
            ) {
                Ok(()) => break,
                Err(BlobError::Fatal(e)) => return Err(e),
                Err(BlobError::Again) => {}
                Err(BlobError::Retry(e)) => {
                    if state.pos > before {
                        failures = 0;
                    }
                    if failures >= BACKOFF.len() || resumes >= MAX_RESUMES {
                        return Err(e);
                    }
                    std::thread::sleep(BACKOFF[failures]);
                    failures += 1;
                    resumes += 1;
                }
            }
        }
        progress(state.pos);
        verify(hasher, state.pos)
    }

    #[allow(clippy::too_many_arguments)]
    fn blob_attempt(
        &self,
        url: &str,
        repo: &str,
        digest: &str,
        expected_size: Option<u64>,
        out: &mut dyn Write,
        hasher: &mut Sha256,
        progress: &mut dyn FnMut(u64),
        state: &mut BlobState,
    ) -> Result<(), BlobError> {
        let ranged = state.pos > 0 && !state.whole;
        let mut req = Req::new(http::Method::GET, url.to_owned(), pull_scope(repo));
        if ranged {
            req = req.header("Range", format!("bytes={}-", state.pos));
        }
        let resp = self.execute(&mut req).map_err(BlobError::Fatal)?;
        let status = resp.status().as_u16();
        let skip = match status {
            206 if ranged => {
                let start = resp
                    .headers()
                    .get(http::header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().strip_prefix("bytes "))
                    .and_then(|v| v.split('-').next())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                if start != Some(state.pos) {
                    // Not the range asked for: take the whole blob instead.
                    state.whole = true;
                    return Err(BlobError::Again);
                }
                0
            }
            200 => state.pos,
            416 if ranged => {
                state.whole = true;
                return Err(BlobError::Again);
            }
            _ => return Err(BlobError::Fatal(self.error_of(resp, &req))),
        };
        let https = req.url.starts_with("https");
        let mut reader = resp.into_body().into_reader();
        let transport = |e: io::Error| {
            let (err, retry) = classify(&self.host, https, ureq::Error::from(e));
            if retry {
                BlobError::Retry(err)
            } else {
                BlobError::Fatal(err)
            }
        };
        let mut buf = vec![0u8; 256 << 10];
        let mut to_skip = skip;
        while to_skip > 0 {
            let want = to_skip.min(buf.len() as u64) as usize;
            let n = reader.read(&mut buf[..want]).map_err(transport)?;
            if n == 0 {
                return Err(BlobError::Retry(self.cut_off(
                    digest,
                    state.pos - to_skip + n as u64,
                    expected_size,
                )));
            }
            to_skip -= n as u64;
        }
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(transport(e)),
            };
            if let Some(size) = expected_size {
                if state.pos + n as u64 > size {
                    return Err(BlobError::Fatal(RegistryError::Protocol {
                        host: self.host.clone(),
                        message: format!("blob {digest} is larger than the expected {size} bytes"),
                    }));
                }
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|source| {
                BlobError::Fatal(RegistryError::Write {
                    digest: digest.to_owned(),
                    source,
                })
            })?;
            state.pos += n as u64;
            if state.last_report.elapsed() >= PROGRESS_EVERY {
                progress(state.pos);
                state.last_report = Instant::now();
            }
        }
        if let Some(size) = expected_size {
            if state.pos < size {
                // A body without a length that ended early: resume.
                return Err(BlobError::Retry(self.cut_off(
                    digest,
                    state.pos,
                    expected_size,
                )));
            }
        }
        Ok(())
    }

    fn cut_off(&self, digest: &str, at: u64, size: Option<u64>) -> RegistryError {
        let of = size.map(|s| format!(" of {s}")).unwrap_or_default();
        RegistryError::Network {
            host: self.host.clone(),
            reason: format!("blob {digest} cut off after {at}{of} bytes"),
        }
    }

    /// `HEAD` the blob: does the repository have it?
    pub fn blob_exists(&self, repo: &str, digest: &str) -> Result<bool> {
        check_repo(repo)?;
        if !is_digest(digest) {
            return Err(RegistryError::Invalid(format!("invalid digest {digest:?}")));
        }
        let url = format!("{}/v2/{repo}/blobs/{digest}", self.base()?);
        let mut req = Req::new(http::Method::HEAD, url, pull_scope(repo));
        let resp = self.execute(&mut req)?;
        match resp.status().as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.error_of(resp, &req)),
        }
    }

    /// Start an upload: `POST /v2/<repo>/blobs/uploads/` (with `query`), returning the response.
    fn start_upload(
        &self,
        repo: &str,
        scopes: Vec<String>,
        query: &str,
    ) -> Result<(Response<Body>, String)> {
        let url = format!("{}/v2/{repo}/blobs/uploads/{query}", self.base()?);
        let mut req = Req::new(http::Method::POST, url.clone(), scopes).body(Payload::Bytes(&[]));
        let resp = self.execute(&mut req)?;
        Ok((self.expect(resp, &req, &[201, 202])?, url))
    }

    fn upload_location(&self, resp: &Response<Body>, request_url: &str) -> Result<String> {
        let loc = resp
            .headers()
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| RegistryError::Protocol {
                host: self.host.clone(),
                message: "upload started without a Location".into(),
            })?;
        resolve_location(request_url, loc).map_err(|message| RegistryError::Protocol {
            host: self.host.clone(),
            message,
        })
    }

    /// Is `url` on this registry (so our credentials may go there)?
    fn same_registry(&self, url: &str) -> bool {
        url_host(url).is_some_and(|h| h.eq_ignore_ascii_case(&self.host))
    }

    /// Upload a blob in one piece: `POST` to start, `PUT ?digest=` with the
    /// `size` bytes of `data`. The data is hashed on the way and checked
    /// against `digest`. A one-shot reader cannot be replayed, so the PUT is
    /// not retried (the POST is); callers check [`Client::blob_exists`] first.
    pub fn push_blob(
        &self,
        repo: &str,
        digest: &str,
        size: u64,
        data: &mut dyn Read,
    ) -> Result<()> {
        check_repo(repo)?;
        check_sha256(digest)?;
        let (resp, post_url) = self.start_upload(repo, push_scope(repo), "")?;
        let location = self.upload_location(&resp, &post_url)?;
        drop(resp);
        let put_url = with_query(&location, "digest", digest);
        let mut reader = HashingReader {
            inner: data.take(size),
            size,
            hasher: Sha256::new(),
            count: 0,
            error: None,
        };
        let mut req = Req::new(http::Method::PUT, put_url, push_scope(repo))
            .header("Content-Type", "application/octet-stream")
            .body(Payload::Reader(&mut reader, size));
        req.auth = self.same_registry(&req.url);
        let result = self
            .execute(&mut req)
            .and_then(|resp| self.expect(resp, &req, &[201]));
        drop(req);
        if let Some(source) = reader.error.take() {
            return Err(RegistryError::Read {
                digest: digest.to_owned(),
                source,
            });
        }
        if reader.count < size {
            return Err(RegistryError::Read {
                digest: digest.to_owned(),
                source: io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("data ended after {} of {size} bytes", reader.count),
                ),
            });
        }
        let actual = finish(reader.hasher);
        if actual != digest {
            return Err(RegistryError::DigestMismatch {
                expected: digest.to_owned(),
                actual,
            });
        }
        result.map(drop)
    }

    /// Cross-repository mount: make `digest` from `from` (same registry)
    /// part of `repo` without uploading it. Returns false when the registry
    /// declined (the caller then pushes the blob).
    pub fn mount_blob(&self, repo: &str, digest: &str, from: &str) -> Result<bool> {
        check_repo(repo)?;
        check_repo(from)?;
        check_sha256(digest)?;
        let mut scopes = push_scope(repo);
        scopes.push(format!("repository:{from}:pull"));
        let query = format!(
            "?mount={}&from={}",
            query_escape(digest),
            query_escape(from)
        );
        let (resp, post_url) = self.start_upload(repo, scopes, &query)?;
        if resp.status().as_u16() == 201 {
            return Ok(true);
        }
        // An upload was started instead: cancel it.
        if let Ok(location) = self.upload_location(&resp, &post_url) {
            drop(resp);
            let mut req = Req::new(http::Method::DELETE, location, push_scope(repo));
            req.auth = self.same_registry(&req.url);
            let _ = self.execute(&mut req);
        }
        Ok(false)
    }

    /// `PUT` a manifest under a tag or digest; returns its digest.
    pub fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String> {
        check_repo(repo)?;
        check_reference(reference)?;
        let digest = sha256_digest(bytes);
        if reference.starts_with("sha256:") && reference != digest {
            return Err(RegistryError::ManifestDigestMismatch {
                expected: reference.to_owned(),
                actual: digest,
            });
        }
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base()?);
        let mut req = Req::new(http::Method::PUT, url, push_scope(repo))
            .header("Content-Type", media_type)
            .body(Payload::Bytes(bytes));
        let resp = self.execute(&mut req)?;
        self.expect(resp, &req, &[200, 201, 202])?;
        Ok(digest)
    }
}

struct BlobState {
    /// Bytes of the blob hashed (and the caller holds) so far.
    pos: u64,
    last_report: Instant,
    /// Ask for the whole blob (Range did not work out).
    whole: bool,
}

enum BlobError {
    Fatal(RegistryError),
    /// Transient: resume from where we are after a pause.
    Retry(RegistryError),
    /// Ask again at once (differently).
    Again,
}

enum SendError {
    Fatal(RegistryError),
    Transport(ureq::Error),
}

fn basic(user: &str, pass: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

/// Content-Type without parameters, unless missing or generic: then the body's `mediaType`.
fn media_type_of(headers: &HeaderMap, bytes: &[u8]) -> String {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let generic = ct.is_empty()
        || ct == "application/json"
        || ct == "text/plain"
        || ct == "application/octet-stream";
    if !generic {
        return ct;
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType", default)]
        media_type: String,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(p) if !p.media_type.is_empty() => p.media_type,
        _ => ct,
    }
}

#[cfg(test)]
impl Client {
    /// Never read the user's auth files (tests run with the real $HOME).
    fn no_stored_creds(self) -> Client {
        let _ = self.stored_creds.set(Ok(None));
        self
    }

    fn scheme_chosen(&self) -> Option<&'static str> {
        lock(&self.scheme).map(Scheme::as_str)
    }
}

#[cfg(test)]
mod tests;
