//! The registry client's error, and how HTTP statuses, error bodies and
//! transport failures become one.

use std::io;

use ureq::http::StatusCode;

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

    /// Writing the blob failed because the disk (or a quota) is full:
    /// ENOSPC or EDQUOT (as `crate::error::out_of_space`, which this module
    /// does not import: `crate::error` wraps this error).
    pub fn is_out_of_space(&self) -> bool {
        matches!(
            self,
            RegistryError::Write { source, .. }
                if matches!(source.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
        )
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

pub(super) type Result<T, E = RegistryError> = std::result::Result<T, E>;

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
pub(super) fn status_error(status: u16, body: &[u8], method: &str, url: &str) -> RegistryError {
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

pub(super) fn transient_status(status: StatusCode) -> bool {
    status.as_u16() == 429 || status.is_server_error()
}

/// Turn a ureq failure into an error naming the host; the bool says
/// whether it is worth retrying.
pub(super) fn classify(host: &str, https: bool, e: ureq::Error) -> (RegistryError, bool) {
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
