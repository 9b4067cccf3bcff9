//! Uploads: blobs pushed in one piece or mounted from another
//! repository.

use std::io::{self, Read};

use sha2::{Digest, Sha256};
use ureq::http::{self, Response};
use ureq::Body;

use super::error::{RegistryError, Result};
use super::names::{
    check_repo, check_sha256, finish, query_escape, resolve_location, url_host, with_query,
};
use super::transport::{push_scope, Payload, Req};
use super::Client;

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

    /// Upload a blob in chunks of `chunk` bytes: `POST` to start, one
    /// `PATCH` per chunk (`Content-Range`, each to the `Location` the last
    /// answer gave), then `PUT ?digest=` with no body. Each chunk is read
    /// into memory, so a failed chunk could be sent again; the digest is
    /// checked as in [`Client::push_blob`].
    pub fn push_blob_chunked(
        &self,
        repo: &str,
        digest: &str,
        size: u64,
        data: &mut dyn Read,
        chunk: usize,
    ) -> Result<()> {
        check_repo(repo)?;
        check_sha256(digest)?;
        let (resp, post_url) = self.start_upload(repo, push_scope(repo), "")?;
        let mut location = self.upload_location(&resp, &post_url)?;
        drop(resp);
        let mut hasher = Sha256::new();
        let mut sent = 0u64;
        let mut buf = vec![0u8; chunk.max(1)];
        while sent < size {
            let want = (size - sent).min(buf.len() as u64) as usize;
            data.read_exact(&mut buf[..want])
                .map_err(|source| RegistryError::Read {
                    digest: digest.to_owned(),
                    source,
                })?;
            hasher.update(&buf[..want]);
            let range = format!("{sent}-{}", sent + want as u64 - 1);
            let mut req = Req::new(http::Method::PATCH, location.clone(), push_scope(repo))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", range)
                .body(Payload::Bytes(&buf[..want]));
            req.auth = self.same_registry(&req.url);
            let resp = self.execute(&mut req)?;
            let resp = self.expect(resp, &req, &[202])?;
            location = self.upload_location(&resp, &location)?;
            sent += want as u64;
        }
        let actual = finish(hasher);
        if actual != digest {
            return Err(RegistryError::DigestMismatch {
                expected: digest.to_owned(),
                actual,
            });
        }
        let put_url = with_query(&location, "digest", digest);
        let mut req =
            Req::new(http::Method::PUT, put_url, push_scope(repo)).body(Payload::Bytes(&[]));
        req.auth = self.same_registry(&req.url);
        let resp = self.execute(&mut req)?;
        self.expect(resp, &req, &[201]).map(drop)
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
}
