//! Blob downloads: streamed, resumed with Range after a cut, verified
//! against their digest.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use ureq::http::{self, Response};
use ureq::Body;

use super::error::{classify, RegistryError, Result};
use super::names::{check_repo, check_sha256, finish, is_digest};
use super::transport::{pull_scope, Req, BACKOFF};
use super::Client;

/// How often an interrupted blob download may resume in all.
const MAX_RESUMES: usize = 10;

/// Progress is reported at most this often (and once at the end).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

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

impl Client {
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
        let verify = |hasher, size| self.verify_blob(digest, expected_size, hasher, size);
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
        let (resp, skip) = self.bytes_to_skip(resp, &req, ranged, state)?;
        let https = req.url.starts_with("https");
        let mut reader = resp.into_body().into_reader();
        let transport = |e: io::Error| self.read_error(https, e);
        let mut buf = vec![0u8; 256 << 10];
        self.skip_held(
            &mut reader,
            &mut buf,
            skip,
            https,
            digest,
            expected_size,
            state.pos,
        )?;
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

    /// The bytes at the start of the answer's body that the caller already
    /// has: none for the range asked for, `state.pos` when the server sent
    /// the whole blob. `Again` (asking for the whole blob) when a range
    /// did not work out.
    fn bytes_to_skip(
        &self,
        resp: Response<Body>,
        req: &Req,
        ranged: bool,
        state: &mut BlobState,
    ) -> Result<(Response<Body>, u64), BlobError> {
        match resp.status().as_u16() {
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
                Ok((resp, 0))
            }
            200 => Ok((resp, state.pos)),
            416 if ranged => {
                state.whole = true;
                Err(BlobError::Again)
            }
            _ => Err(BlobError::Fatal(self.error_of(resp, req))),
        }
    }

    /// Read past the first `skip` bytes of a body that ends at `pos`.
    #[allow(clippy::too_many_arguments)]
    fn skip_held(
        &self,
        reader: &mut impl Read,
        buf: &mut [u8],
        skip: u64,
        https: bool,
        digest: &str,
        expected_size: Option<u64>,
        pos: u64,
    ) -> Result<(), BlobError> {
        let mut to_skip = skip;
        while to_skip > 0 {
            let want = to_skip.min(buf.len() as u64) as usize;
            let n = reader
                .read(&mut buf[..want])
                .map_err(|e| self.read_error(https, e))?;
            if n == 0 {
                return Err(BlobError::Retry(self.cut_off(
                    digest,
                    pos - to_skip + n as u64,
                    expected_size,
                )));
            }
            to_skip -= n as u64;
        }
        Ok(())
    }

    /// A failed read of the body: worth resuming, or not.
    fn read_error(&self, https: bool, e: io::Error) -> BlobError {
        let (err, retry) = classify(&self.host, https, ureq::Error::from(e));
        if retry {
            BlobError::Retry(err)
        } else {
            BlobError::Fatal(err)
        }
    }

    /// The downloaded blob, `size` bytes, against its digest and expected size.
    fn verify_blob(
        &self,
        digest: &str,
        expected_size: Option<u64>,
        hasher: Sha256,
        size: u64,
    ) -> Result<u64> {
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
}
