//! Names, digests and URLs: checks of what goes into a request URL, and
//! the small URL arithmetic the protocol needs.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use super::error::{RegistryError, Result};

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

pub(super) fn hex(bytes: &[u8]) -> String {
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

pub(super) fn finish(hasher: Sha256) -> String {
    format!("sha256:{}", hex(&hasher.finalize()))
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A `sha256:` or `sha512:` digest?
pub(super) fn is_digest(s: &str) -> bool {
    match s.split_once(':') {
        Some(("sha256", h)) => is_lower_hex(h, 64),
        Some(("sha512", h)) => is_lower_hex(h, 128),
        _ => false,
    }
}

pub(super) fn check_sha256(digest: &str) -> Result<()> {
    match digest.strip_prefix("sha256:") {
        Some(h) if is_lower_hex(h, 64) => Ok(()),
        _ => Err(RegistryError::Invalid(format!(
            "invalid blob digest {digest:?}: expected sha256:<64 hex digits>"
        ))),
    }
}

/// The repository path goes into URLs: lowercase components of
/// `[a-z0-9]` with `.`, `_`, `-` separators, joined by `/`.
pub(super) fn check_repo(repo: &str) -> Result<()> {
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
pub(super) fn check_reference(reference: &str) -> Result<()> {
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
pub(super) fn query_escape(s: &str) -> String {
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

pub(super) fn url_host(url: &str) -> Option<&str> {
    url_origin(url)
        .and_then(|o| o.split_once("://"))
        .map(|(_, a)| a.rsplit('@').next().unwrap_or(a))
}

/// Resolve an upload `Location` against the URL of the request that returned it.
pub(super) fn resolve_location(request_url: &str, location: &str) -> Result<String, String> {
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

pub(super) fn with_query(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={}", query_escape(value))
}
