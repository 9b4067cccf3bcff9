//! Image references with docker's normalisation (distribution/reference):
//! `busybox` → `docker.io/library/busybox:latest`, `host:5000/x`, `@sha256:`.

use std::fmt;

use crate::error::{Error, Result};

pub const DEFAULT_DOMAIN: &str = "docker.io";
pub const DEFAULT_TAG: &str = "latest";
const LEGACY_DOMAIN: &str = "index.docker.io";
const MAX_NAME: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// Registry host, e.g. `docker.io`, `127.0.0.1:5000`.
    pub domain: String,
    /// Repository path, e.g. `library/busybox`.
    pub path: String,
    pub tag: Option<String>,
    /// `sha256:<64 hex>`.
    pub digest: Option<String>,
}

/// distribution/reference's errors, as docker prints them: the bare
/// `invalid reference format`, or with why.
fn invalid(_input: &str, why: &str) -> Error {
    if why.is_empty() {
        Error::InvalidArgument("invalid reference format".into())
    } else {
        Error::InvalidArgument(format!("invalid reference format: {why}"))
    }
}

fn is_path_component(c: &str) -> bool {
    // [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn is_domain(d: &str) -> bool {
    // host[:port]; host = labels of [a-zA-Z0-9-] separated by dots, or [ipv6]
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return false,
        }
    } else {
        match d.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    if d.starts_with('[') {
        return host.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    }
    !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// docker's tag grammar: `[\w][\w.-]{0,127}`.
pub fn is_valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

pub fn is_valid_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some(("sha256", hex)) => crate::state::ids::is_full_id(hex),
        _ => false,
    }
}

impl Reference {
    /// Parse and normalise like `docker pull` does. Never consults a registry.
    pub fn parse(input: &str) -> Result<Reference> {
        if input.is_empty() {
            return Err(invalid(input, ""));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((r, d)) => {
                if !is_valid_digest(d) {
                    return Err(invalid(input, "invalid digest"));
                }
                (r, Some(d.to_owned()))
            }
            None => (input, None),
        };
        // A tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let t = &rest[last_slash + i + 1..];
                if !is_valid_tag(t) {
                    return Err(invalid(input, ""));
                }
                (&rest[..last_slash + i], Some(t.to_owned()))
            }
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(invalid(input, ""));
        }
        let (mut domain, mut path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.to_lowercase() != first =>
            {
                (first.to_owned(), rest.to_owned())
            }
            _ => (DEFAULT_DOMAIN.to_owned(), name.to_owned()),
        };
        if !is_domain(&domain) {
            return Err(invalid(input, ""));
        }
        if domain == LEGACY_DOMAIN {
            domain = DEFAULT_DOMAIN.to_owned();
        }
        if path.to_lowercase() != path {
            // docker names the path as it normalised it (`library/X`).
            let remote = if domain == DEFAULT_DOMAIN && !path.contains('/') {
                format!("library/{path}")
            } else {
                path.clone()
            };
            return Err(invalid(
                input,
                &format!("repository name ({remote}) must be lowercase"),
            ));
        }
        if !path.split('/').all(is_path_component) {
            return Err(invalid(input, ""));
        }
        if domain == DEFAULT_DOMAIN && !path.contains('/') {
            path = format!("library/{path}");
        }
        if domain.len() + 1 + path.len() > MAX_NAME {
            return Err(invalid(
                input,
                "repository name must not be more than 255 characters",
            ));
        }
        Ok(Reference {
            domain,
            path,
            tag,
            digest,
        })
    }

    /// Like [`parse`], adding `:latest` when there is neither tag nor digest.
    pub fn parse_tagged(input: &str) -> Result<Reference> {
        let mut r = Self::parse(input)?;
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some(DEFAULT_TAG.to_owned());
        }
        Ok(r)
    }

    /// `docker.io/library/busybox`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// `busybox`, `user/x`, `127.0.0.1:5000/x` (docker's familiar form).
    pub fn familiar_name(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            self.path
                .strip_prefix("library/")
                .unwrap_or(&self.path)
                .to_owned()
        } else {
            self.name()
        }
    }

    /// The tag or digest a registry is asked for (digest wins).
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or(DEFAULT_TAG)
    }

    /// `busybox:latest`, familiar form with tag (and digest if any).
    pub fn familiar(&self) -> String {
        self.render(&self.familiar_name())
    }

    fn render(&self, name: &str) -> String {
        let mut s = name.to_owned();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The same repository with another tag and no digest.
    pub fn with_tag(&self, tag: &str) -> Reference {
        Reference {
            tag: Some(tag.to_owned()),
            digest: None,
            ..self.clone()
        }
    }

    /// The same repository pinned to a digest and no tag.
    pub fn with_digest(&self, digest: &str) -> Reference {
        Reference {
            tag: None,
            digest: Some(digest.to_owned()),
            ..self.clone()
        }
    }

    /// The host to connect to for this reference's registry.
    pub fn registry_host(&self) -> &str {
        if self.domain == DEFAULT_DOMAIN {
            "registry-1.docker.io"
        } else {
            &self.domain
        }
    }
}

impl fmt::Display for Reference {
    /// Fully qualified: `docker.io/library/busybox:latest`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&self.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Reference::parse_tagged(s).unwrap().to_string()
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(norm("busybox"), "docker.io/library/busybox:latest");
        assert_eq!(norm("user/app:1.0"), "docker.io/user/app:1.0");
        assert_eq!(
            norm("index.docker.io/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(norm("localhost/x"), "localhost/x:latest");
        assert_eq!(norm("127.0.0.1:5000/a/b:v2"), "127.0.0.1:5000/a/b:v2");
        assert_eq!(norm("localhost:5000/x"), "localhost:5000/x:latest");
        assert_eq!(norm("Host/x"), "Host/x:latest");
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            norm(&format!("busybox@{d}")),
            format!("docker.io/library/busybox@{d}")
        );
        assert_eq!(
            norm(&format!("busybox:1@{d}")),
            format!("docker.io/library/busybox:1@{d}")
        );
    }

    #[test]
    fn familiar_forms() {
        let r = Reference::parse_tagged("busybox").unwrap();
        assert_eq!(r.familiar(), "busybox:latest");
        assert_eq!(r.familiar_name(), "busybox");
        let r = Reference::parse_tagged("127.0.0.1:5000/busybox:x").unwrap();
        assert_eq!(r.familiar(), "127.0.0.1:5000/busybox:x");
        assert_eq!(r.registry_host(), "127.0.0.1:5000");
        assert_eq!(
            Reference::parse("busybox").unwrap().registry_host(),
            "registry-1.docker.io"
        );
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "Busybox",
            "busy box",
            "busybox:",
            "busybox:-x",
            ":tag",
            "a//b",
            "-a",
            "a-",
            "busybox@sha256:abc",
            "busybox@md5:aaaa",
            "x:5000:x/y",
            "a/B",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let e = Reference::parse("Busybox").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid reference format: repository name (library/Busybox) must be lowercase"
        );
        let e = Reference::parse("Bad/Name").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid reference format: repository name (Name) must be lowercase"
        );
        assert!(Reference::parse(&format!("busybox:{}", "t".repeat(129))).is_err());
        assert!(Reference::parse(&format!("busybox:{}", "t".repeat(128))).is_ok());
    }
}
