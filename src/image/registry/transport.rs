//! Transport: TLS material, requests, retries of transient failures, the
//! scheme probe and authenticated sending.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ureq::http::{self, Response, StatusCode};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use ureq::{Body, SendBody};

use super::error::{classify, status_error, transient_status, RegistryError, Result};
use super::names::url_host;
use super::{lock, Client, ClientOptions};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const READ_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The wait before each retry of a transient failure.
pub(super) const BACKOFF: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(400),
    Duration::from_secs(1),
];

pub(super) const MAX_SMALL_BODY: u64 = 1 << 20;

/// The TLS setup for `registry_host` (reached at `host`): the system's roots
/// plus those of its certs.d directory (or `opts.cert_dir`), and a client
/// certificate from there.
pub(super) fn tls_config(
    registry_host: &str,
    host: &str,
    opts: &ClientOptions,
) -> Result<TlsConfig> {
    let insecure = opts.tls_verify == Some(false);

    let mut extra = CertDirContents::default();
    match &opts.cert_dir {
        Some(dir) => load_cert_dir(dir, &mut extra)?,
        None => {
            let mut names = vec![registry_host.to_owned()];
            if host != registry_host {
                names.push(host.to_owned());
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
    Ok(TlsConfig::builder()
        .root_certs(roots)
        .client_cert(extra.client)
        .disable_verification(insecure)
        .build())
}

/// A connection pool with our timeouts; loopback hosts bypass any proxy.
pub(super) fn agent(tls: TlsConfig, user_agent: &str, loopback: bool) -> ureq::Agent {
    let user_agent = if user_agent.is_empty() {
        "skiff".to_owned()
    } else {
        user_agent.to_owned()
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
    config.build().new_agent()
}

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

/// A request body: none, bytes (replayable) or a one-shot reader of a known length.
pub(super) enum Payload<'a> {
    None,
    Bytes(&'a [u8]),
    Reader(&'a mut dyn Read, u64),
}

impl Payload<'_> {
    fn replayable(&self) -> bool {
        !matches!(self, Payload::Reader(..))
    }
}

pub(super) struct Req<'a> {
    pub(super) method: http::Method,
    pub(super) url: String,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Payload<'a>,
    /// Token scopes this request needs (empty for `/v2/`).
    pub(super) scopes: Vec<String>,
    /// Send our credentials or tokens (false for URLs on other hosts).
    pub(super) auth: bool,
}

impl<'a> Req<'a> {
    pub(super) fn new(method: http::Method, url: String, scopes: Vec<String>) -> Req<'a> {
        Req {
            method,
            url,
            headers: Vec::new(),
            body: Payload::None,
            scopes,
            auth: true,
        }
    }

    pub(super) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(super) fn body(mut self, body: Payload<'a>) -> Self {
        self.body = body;
        self
    }
}

pub(super) fn pull_scope(repo: &str) -> Vec<String> {
    vec![format!("repository:{repo}:pull")]
}

pub(super) fn push_scope(repo: &str) -> Vec<String> {
    vec![format!("repository:{repo}:pull,push")]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scheme {
    Https,
    Http,
}

impl Scheme {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

enum SendError {
    Fatal(RegistryError),
    Transport(ureq::Error),
}

impl Client {
    /// `https://host` or `http://host`, choosing the first time.
    pub(super) fn base(&self) -> Result<String> {
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

    pub(super) fn probe(&self, scheme: Scheme) -> Result<()> {
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

    /// Send, retrying transient failures (replayable bodies only).
    pub(super) fn send(
        &self,
        req: &mut Req,
        authorization: Option<&str>,
    ) -> Result<Response<Body>> {
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
    pub(super) fn execute(&self, req: &mut Req) -> Result<Response<Body>> {
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
    pub(super) fn expect(
        &self,
        resp: Response<Body>,
        req: &Req,
        ok: &[u16],
    ) -> Result<Response<Body>> {
        if ok.contains(&resp.status().as_u16()) {
            Ok(resp)
        } else {
            Err(self.error_of(resp, req))
        }
    }

    /// The error an unwanted response explains.
    pub(super) fn error_of(&self, mut resp: Response<Body>, req: &Req) -> RegistryError {
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
}

/// A plain GET of `url` (`import URL`): its body, streamed. The
/// registry's TLS setup (system roots, certs.d) and timeouts apply; no
/// credentials are sent.
pub fn fetch_url(url: &str) -> std::result::Result<Box<dyn Read + Send>, String> {
    let host = url_host(url).ok_or_else(|| format!("bad URL {url}"))?;
    let tls = tls_config(host, host, &ClientOptions::default()).map_err(|e| e.to_string())?;
    let loopback = super::names::is_loopback_host(host);
    let resp = agent(tls, "", loopback)
        .get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("GET {url}: {}", resp.status()));
    }
    Ok(Box::new(resp.into_body().into_reader()))
}
