//! The auth flow: `WWW-Authenticate` challenges, Basic credentials and
//! bearer tokens fetched from the realm a registry names.

use std::time::{Duration, Instant};

use base64::Engine as _;
use ureq::http::{self, HeaderMap};

use super::error::{classify, RegistryError, Result};
use super::names::{is_loopback_host, url_host, with_query};
use super::transport::{Req, MAX_SMALL_BODY};
use super::{auth, lock, Client};

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
pub(super) fn quoted(value: &str, i: &mut usize) -> String {
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

#[derive(Clone)]
pub(super) struct Token {
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

pub(super) fn basic(user: &str, pass: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

impl Client {
    pub(super) fn remember_challenge(&self, headers: &HeaderMap) {
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

    pub(super) fn creds(&self) -> Result<Option<(String, String)>> {
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
    pub(super) fn authorization(
        &self,
        url: &str,
        scopes: &[String],
        fresh: bool,
    ) -> Result<Option<String>> {
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

    /// A token for `scopes`: the cached one unless `fresh`, else one from
    /// the challenge's realm (cached for its lifetime).
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
        let (realm, url) = self.token_url(challenge, scopes)?;
        let t = self.fetch_token(realm, url)?;
        let value = if t.token.is_empty() {
            t.access_token
        } else {
            t.token
        };
        if value.is_empty() {
            return Err(self.protocol(format!("token server {realm} returned no token")));
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

    pub(super) fn protocol(&self, message: String) -> RegistryError {
        RegistryError::Protocol {
            host: self.host.clone(),
            message,
        }
    }

    /// The challenge's realm, and the URL asking it for a token: with its
    /// service, and our own scopes (the challenge's only when we have none,
    /// as for `/v2/`).
    fn token_url<'c>(
        &self,
        challenge: &'c Challenge,
        scopes: &[String],
    ) -> Result<(&'c str, String)> {
        let realm = challenge
            .param("realm")
            .filter(|r| !r.is_empty())
            .ok_or_else(|| self.protocol("bearer challenge without a realm".into()))?;
        if !(realm.starts_with("https://") || realm.starts_with("http://")) {
            return Err(self.protocol(format!("bearer realm {realm:?} is not an http(s) URL")));
        }
        let mut url = realm.to_owned();
        if let Some(service) = challenge.param("service") {
            url = with_query(&url, "service", service);
        }
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
        Ok((realm, url))
    }

    /// Ask the token server at `url` (with our credentials, if any, never
    /// over plain HTTP to another host) and read its answer.
    fn fetch_token(&self, realm: &str, url: String) -> Result<TokenResponse> {
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
        serde_json::from_slice(&body)
            .map_err(|e| self.protocol(format!("unreadable answer from token server {realm}: {e}")))
    }
}
