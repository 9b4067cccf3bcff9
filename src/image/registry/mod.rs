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
//!
//! This file holds the client's public face; the rest is by concern:
//! `transport` (TLS material, requests, retries, the scheme probe), `token`
//! (challenges, Basic and bearer auth), `manifest`, `blob` (downloads),
//! `upload` (pushes and mounts), `names` (name, digest and URL checks) and
//! `error` (the error type and how responses become one).

mod blob;
mod catalog;
mod error;
mod manifest;
mod names;
mod token;
mod transport;
pub use transport::fetch_url;
mod upload;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::auth;
use token::Token;
use transport::Scheme;

pub use super::types::{
    MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_DOCKER_V1, MT_DOCKER_V1_SIGNED, MT_OCI_INDEX,
    MT_OCI_MANIFEST,
};
pub use error::RegistryError;
pub use names::{api_host, is_loopback_host, sha256_digest};
pub use token::{parse_www_authenticate, Challenge};

use error::Result;

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
        let tls = transport::tls_config(registry_host, &host, &opts)?;
        let agent = transport::agent(tls, &opts.user_agent, loopback);
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
