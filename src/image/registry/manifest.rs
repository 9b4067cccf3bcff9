//! Manifests: fetched by tag or digest and verified, and pushed.

use sha2::{Digest, Sha512};
use ureq::http::{self, HeaderMap};

use super::error::{classify, RegistryError, Result};
use super::names::{check_reference, check_repo, hex, sha256_digest};
use super::transport::{pull_scope, push_scope, Payload, Req, BACKOFF};
use super::{Client, Manifest};

/// What `get_manifest` accepts. Schema 1 is listed last so that an old
/// registry answers with it rather than with an error, and the caller can
/// say it is not supported.
const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5, \
     application/vnd.docker.distribution.manifest.v1+json;q=0.5";

/// Manifests are at most 4 MiB by the distribution spec; allow some slack.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// Content-Type without parameters, unless missing or generic: then the body's `mediaType`.
pub(super) fn media_type_of(headers: &HeaderMap, bytes: &[u8]) -> String {
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

impl Client {
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
