use super::error::*;
use super::manifest::*;
use super::names::*;
use super::token::*;
use super::*;
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ureq::http::HeaderMap;

// ------------------------------------------------------------ pure parts

#[test]
fn www_authenticate_parsing() {
    let c = parse_www_authenticate(
        r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#,
    );
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].scheme, "bearer");
    assert_eq!(c[0].param("realm"), Some("https://auth.docker.io/token"));
    assert_eq!(c[0].param("service"), Some("registry.docker.io"));
    assert_eq!(
        c[0].param("scope"),
        Some("repository:samalba/my-app:pull,push")
    );

    let c = parse_www_authenticate(r#"Basic realm="Registry Realm""#);
    assert_eq!(
        c,
        vec![Challenge {
            scheme: "basic".into(),
            params: vec![("realm".into(), "Registry Realm".into())]
        }]
    );

    // Two challenges, spaces around '=', unquoted values, escapes, odd case.
    let c = parse_www_authenticate(
        r#"BASIC realm = "a \"quoted\", realm" , Bearer Realm=https://x/token, service=svc,scope="repository:a/b:pull""#,
    );
    assert_eq!(c.len(), 2, "{c:?}");
    assert_eq!(c[0].scheme, "basic");
    assert_eq!(c[0].param("realm"), Some(r#"a "quoted", realm"#));
    assert_eq!(c[1].scheme, "bearer");
    assert_eq!(c[1].param("realm"), Some("https://x/token"));
    assert_eq!(c[1].param("service"), Some("svc"));
    assert_eq!(c[1].param("scope"), Some("repository:a/b:pull"));

    assert_eq!(parse_www_authenticate("Bearer").len(), 1);
    assert!(parse_www_authenticate("").is_empty());
    assert!(parse_www_authenticate("  ,  ").is_empty());
    // Unterminated quote: take what is there.
    let c = parse_www_authenticate(r#"Bearer realm="https://x"#);
    assert_eq!(c[0].param("realm"), Some("https://x"));
}

#[test]
fn hosts_names_and_urls() {
    for h in [
        "localhost",
        "localhost:5000",
        "127.0.0.1",
        "127.0.0.1:5000",
        "127.1.2.3:80",
        "[::1]:5000",
        "::1",
        "LOCALHOST",
    ] {
        assert!(is_loopback_host(h), "{h}");
    }
    for h in [
        "docker.io",
        "10.0.0.1:5000",
        "[::2]:5000",
        "localhost.example:5000",
        "128.0.0.1",
    ] {
        assert!(!is_loopback_host(h), "{h}");
    }
    assert_eq!(api_host("docker.io"), "registry-1.docker.io");
    assert_eq!(api_host("quay.io"), "quay.io");

    for ok in ["library/busybox", "a", "a/b/c", "my-org/my_app.x", "a__b"] {
        check_repo(ok).unwrap();
    }
    for bad in ["", "A", "a//b", "/a", "a/", "a/../b", "-a", "a b", "a?b"] {
        assert!(
            matches!(check_repo(bad), Err(RegistryError::Invalid(_))),
            "{bad}"
        );
    }
    for ok in [
        "latest",
        "v1.2_3-rc",
        "_x",
        &format!("sha256:{}", "a".repeat(64)),
    ] {
        check_reference(ok).unwrap();
    }
    for bad in ["", ".x", "a/b", &"x".repeat(129), "sha256:abc", "a:b"] {
        assert!(check_reference(bad).is_err(), "{bad}");
    }

    let req = "http://127.0.0.1:5000/v2/a/b/blobs/uploads/";
    assert_eq!(
        resolve_location(req, "/v2/a/b/blobs/uploads/u1?_state=x").unwrap(),
        "http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?_state=x"
    );
    assert_eq!(
        resolve_location(req, "https://up.example/x?y=1").unwrap(),
        "https://up.example/x?y=1"
    );
    assert_eq!(
        resolve_location(req, "//up.example/x").unwrap(),
        "http://up.example/x"
    );
    assert_eq!(
        resolve_location(req, "u2").unwrap(),
        "http://127.0.0.1:5000/v2/a/b/blobs/uploads/u2"
    );
    assert!(resolve_location(req, "").is_err());
    assert_eq!(
        with_query("http://h/u?_state=a%2Bb", "digest", "sha256:ab"),
        "http://h/u?_state=a%2Bb&digest=sha256%3Aab"
    );
    assert_eq!(
        with_query("http://h/u", "digest", "sha256:ab"),
        "http://h/u?digest=sha256%3Aab"
    );
    assert_eq!(url_host("https://user@h:1/x?y"), Some("h:1"));
    assert_eq!(url_host("/relative"), None);
}

#[test]
fn error_bodies_and_messages() {
    let e = status_error(404, br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#, "GET", "u");
    assert!(e.is_not_found());
    assert_eq!(e.code(), Some("MANIFEST_UNKNOWN"));
    assert_eq!(e.to_string(), "manifest unknown: manifest unknown");
    let e = status_error(401, br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#, "GET", "u");
    assert!(e.is_unauthorized());
    assert_eq!(e.to_string(), "unauthorized: authentication required");
    let e = status_error(401, b"", "HEAD", "u");
    assert_eq!(e.to_string(), "unauthorized: authentication required");
    let e = status_error(
        401,
        br#"{"details":"incorrect username or password"}"#,
        "GET",
        "u",
    );
    assert_eq!(
        e.to_string(),
        "unauthorized: incorrect username or password"
    );
    let e = status_error(
        403,
        br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
        "GET",
        "u",
    );
    assert!(e.is_denied());
    assert_eq!(
        e.to_string(),
        "denied: requested access to the resource is denied"
    );
    let e = status_error(
        429,
        br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#,
        "GET",
        "u",
    );
    assert!(matches!(e, RegistryError::Api { status: 429, .. }));
    assert_eq!(e.to_string(), "toomanyrequests: slow down");
    let e = status_error(404, b"<html>nope</html>", "GET", "u");
    assert!(e.is_not_found());
    assert_eq!(e.to_string(), "not found");
    let e = status_error(500, b"oops", "PUT", "http://h/v2/x");
    assert!(matches!(e, RegistryError::Http { status: 500, .. }));
    assert_eq!(
        e.to_string(),
        "unexpected HTTP status 500 from PUT http://h/v2/x"
    );
    assert_eq!(e.status(), Some(500));

    let e = RegistryError::DigestMismatch {
        expected: "sha256:aa".into(),
        actual: "sha256:bb".into(),
    };
    assert_eq!(
        e.to_string(),
        "digest mismatch for blob sha256:aa: got sha256:bb"
    );
    assert!(e.is_digest_mismatch());

    let opts = ClientOptions {
        creds: Some(("me".into(), "hunter2".into())),
        ..Default::default()
    };
    let dbg = format!("{opts:?}");
    assert!(dbg.contains("me") && !dbg.contains("hunter2"), "{dbg}");
}

#[test]
fn media_type_from_header_or_body() {
    let mut h = HeaderMap::new();
    let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}"#;
    assert_eq!(media_type_of(&h, body), MT_OCI_INDEX);
    h.insert(
        "content-type",
        "application/json; charset=utf-8".parse().unwrap(),
    );
    assert_eq!(media_type_of(&h, body), MT_OCI_INDEX);
    h.insert(
        "content-type",
        "application/vnd.docker.distribution.manifest.v2+json"
            .parse()
            .unwrap(),
    );
    assert_eq!(media_type_of(&h, body), MT_DOCKER_MANIFEST);
    assert_eq!(media_type_of(&HeaderMap::new(), b"{}"), "");
}

#[test]
fn new_makes_no_request_and_maps_docker_hub() {
    // Never contacted: only the mapping is checked.
    let c = Client::new("docker.io", ClientOptions::default()).unwrap();
    assert_eq!(c.host(), "registry-1.docker.io");
    assert_eq!(c.scheme_chosen(), Some("https"));
    let c = Client::new("localhost:5000", ClientOptions::default()).unwrap();
    assert_eq!(c.scheme_chosen(), None);
    let c = Client::new(
        "localhost:5000",
        ClientOptions {
            tls_verify: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c.scheme_chosen(), Some("https"));
    assert!(Client::new("a/b", ClientOptions::default()).is_err());
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("ca.crt"), "not a certificate").unwrap();
    let e = Client::new(
        "127.0.0.1:1",
        ClientOptions {
            cert_dir: Some(d.path().into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("ca.crt"), "{e}");
}

// ------------------------------------------------------------ a real registry

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whatever answers `GET /v2/` in plain HTTP (a TLS registry answers 400).
fn http_answers(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("HTTP/")
}

/// `docker-registry` on 127.0.0.1 with a fresh store, killed on drop.
struct TestRegistry {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

#[derive(Clone, Copy)]
enum Mode<'a> {
    Plain,
    Htpasswd(&'a str, &'a str),
    Tls(&'a Path, &'a Path),
}

impl TestRegistry {
    fn start(mode: Mode) -> TestRegistry {
        let mut last = String::new();
        for _ in 0..5 {
            let dir = tempfile::Builder::new()
                .prefix("h-registry-")
                .tempdir()
                .unwrap();
            let port = free_port();
            let mut http = format!("{{addr: 127.0.0.1:{port}, secret: test-not-secret");
            let mut conf = format!(
                    "version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\nstorage: {{filesystem: {{rootdirectory: {}}}, delete: {{enabled: true}}}}\n",
                    dir.path().join("data").display()
                );
            match mode {
                Mode::Plain => {}
                Mode::Htpasswd(user, pass) => {
                    let out = Command::new("htpasswd")
                        .args(["-Bbn", user, pass])
                        .output()
                        .expect("htpasswd (apt-get install apache2-utils)");
                    assert!(out.status.success());
                    std::fs::write(dir.path().join("htpasswd"), &out.stdout).unwrap();
                    conf.push_str(&format!(
                        "auth: {{htpasswd: {{realm: test, path: {}}}}}\n",
                        dir.path().join("htpasswd").display()
                    ));
                }
                Mode::Tls(cert, key) => {
                    http.push_str(&format!(
                        ", tls: {{certificate: {}, key: {}}}",
                        cert.display(),
                        key.display()
                    ));
                }
            }
            conf.push_str(&format!("http: {http}}}\n"));
            let conf_path = dir.path().join("config.yml");
            std::fs::write(&conf_path, conf).unwrap();
            let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
            let child = Command::new("docker-registry")
                .arg("serve")
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("docker-registry (apt-get install docker-registry)");
            let mut reg = TestRegistry { child, port, dir };
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(15) {
                if let Ok(Some(status)) = reg.child.try_wait() {
                    last = format!(
                        "exited {status}: {}",
                        std::fs::read_to_string(reg.dir.path().join("registry.log"))
                            .unwrap_or_default()
                    );
                    break;
                }
                if http_answers(port) {
                    return reg;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            drop(reg);
        }
        panic!("could not start docker-registry: {last}");
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir.path().join(format!(
            "data/docker/registry/v2/blobs/sha256/{}/{hex}/data",
            &hex[..2]
        ))
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client_with(host: &str, opts: ClientOptions) -> Client {
    Client::new(
        host,
        ClientOptions {
            user_agent: "skiff-test".into(),
            ..opts
        },
    )
    .unwrap()
    .no_stored_creds()
}

fn client(host: &str) -> Client {
    client_with(host, ClientOptions::default())
}

fn creds(u: &str, p: &str) -> ClientOptions {
    ClientOptions {
        creds: Some((u.into(), p.into())),
        ..Default::default()
    }
}

/// Deterministic bytes that do not compress.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

struct Image {
    config: Vec<u8>,
    layer: Vec<u8>,
    manifest: Vec<u8>,
}

impl Image {
    fn new(seed: u64) -> Image {
        let layer = noise(300_000 + seed as usize, seed);
        let config = format!(
                r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{}"]}}}}"#,
                sha256_digest(&layer)
            )
            .into_bytes();
        let manifest = serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "mediaType": MT_OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256_digest(&config), "size": config.len()},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha256_digest(&layer), "size": layer.len()}],
            }))
            .unwrap();
        Image {
            config,
            layer,
            manifest,
        }
    }

    fn layer_digest(&self) -> String {
        sha256_digest(&self.layer)
    }

    fn push(&self, c: &Client, repo: &str, tag: &str) -> String {
        for blob in [&self.config, &self.layer] {
            let d = sha256_digest(blob);
            if !c.blob_exists(repo, &d).unwrap() {
                c.push_blob(repo, &d, blob.len() as u64, &mut blob.as_slice())
                    .unwrap();
            }
        }
        c.put_manifest(repo, tag, MT_OCI_MANIFEST, &self.manifest)
            .unwrap()
    }
}

fn fetch(
    c: &Client,
    repo: &str,
    digest: &str,
    size: Option<u64>,
    offset: u64,
    prefix: &[u8],
) -> Result<(Vec<u8>, u64, Vec<u64>)> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let mut h = Sha256::new();
    h.update(prefix);
    let n = c.get_blob(repo, digest, size, &mut out, offset, h, &mut |p| {
        seen.push(p)
    })?;
    Ok((out, n, seen))
}

/// `get_blob` of the image's layer: whole, resumed, already there, wrong.
fn blob_downloads(c: &Client, repo: &str, img: &Image) {
    let ld = img.layer_digest();
    let size = img.layer.len() as u64;
    // Whole blob.
    let (out, n, seen) = fetch(c, repo, &ld, Some(size), 0, &[]).unwrap();
    assert_eq!(n, size);
    assert!(out == img.layer);
    assert_eq!(seen.first(), Some(&0));
    assert_eq!(seen.last(), Some(&size));
    // Without a known size.
    let (out, n, _) = fetch(c, repo, &ld, None, 0, &[]).unwrap();
    assert!(n == size && out == img.layer);
    // Resumed: only the rest is written.
    let (out, n, seen) = fetch(c, repo, &ld, Some(size), 123_456, &img.layer[..123_456]).unwrap();
    assert_eq!(n, size);
    assert!(out == img.layer[123_456..]);
    assert_eq!(seen.first(), Some(&123_456));
    // Resumed on a bad prefix: the whole blob does not verify.
    let mut bad = img.layer[..1000].to_vec();
    bad[10] ^= 1;
    let e = fetch(c, repo, &ld, Some(size), 1000, &bad).unwrap_err();
    assert!(e.is_digest_mismatch(), "{e}");
    // Everything there already: verified without a download.
    let (out, n, _) = fetch(c, repo, &ld, Some(size), size, &img.layer).unwrap();
    assert!(out.is_empty() && n == size);
    // A wrong expected size.
    let e = fetch(c, repo, &ld, Some(size - 1), 0, &[]).unwrap_err();
    assert!(matches!(e, RegistryError::Protocol { .. }), "{e}");
}

/// Pushes the registry or the client must refuse, and a manifest by digest.
fn push_mistakes(c: &Client, repo: &str, img: &Image, digest: &str) {
    let ld = img.layer_digest();
    // Pushing data that is not what the digest says.
    let other = noise(1000, 99);
    let e = c
        .push_blob(repo, &ld, other.len() as u64, &mut other.as_slice())
        .unwrap_err();
    assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");
    // Pushing fewer bytes than announced.
    let small = noise(10, 5);
    let e = c
        .push_blob(repo, &sha256_digest(&small), 20, &mut small.as_slice())
        .unwrap_err();
    assert!(matches!(e, RegistryError::Read { .. }), "{e}");
    assert!(e.to_string().contains("ended after 10 of 20 bytes"), "{e}");
    // A manifest under a digest reference that is not its own.
    let e = c
        .put_manifest(repo, &ld, MT_OCI_MANIFEST, &img.manifest)
        .unwrap_err();
    assert!(e.is_digest_mismatch(), "{e}");
    // A manifest by digest.
    assert_eq!(
        c.put_manifest(repo, digest, MT_OCI_MANIFEST, &img.manifest)
            .unwrap(),
        digest
    );
    // A manifest whose blobs the repository lacks: the registry's words.
    let e = c
        .put_manifest("skiff/bydigest", "v1", MT_OCI_MANIFEST, &img.manifest)
        .unwrap_err();
    assert_eq!(e.code(), Some("MANIFEST_BLOB_UNKNOWN"), "{e:?}");
    assert!(e.to_string().starts_with("manifest blob unknown: "), "{e}");
}

#[test]
fn push_then_pull_roundtrip() {
    let reg = TestRegistry::start(Mode::Plain);
    let c = client(&reg.host());
    let img = Image::new(1);
    let repo = "skiff/test-image";
    let ld = img.layer_digest();

    assert!(!c.blob_exists(repo, &ld).unwrap());
    // Loopback and no TLS there: plain HTTP was chosen.
    assert_eq!(c.scheme_chosen(), Some("http"));
    let digest = img.push(&c, repo, "v1");
    assert_eq!(digest, sha256_digest(&img.manifest));
    assert!(c.blob_exists(repo, &ld).unwrap());
    c.ping().unwrap();

    for reference in ["v1", digest.as_str()] {
        let m = c.get_manifest(repo, reference).unwrap();
        assert_eq!(m.bytes, img.manifest);
        assert_eq!(m.media_type, MT_OCI_MANIFEST);
        assert_eq!(m.digest, digest);
    }

    blob_downloads(&c, repo, &img);

    // Cross-repository mount.
    assert!(!c.blob_exists("skiff/other", &ld).unwrap());
    assert!(c.mount_blob("skiff/other", &ld, repo).unwrap());
    assert!(c.blob_exists("skiff/other", &ld).unwrap());

    push_mistakes(&c, repo, &img, &digest);
}

#[test]
fn unknown_things_are_not_found() {
    let reg = TestRegistry::start(Mode::Plain);
    let c = client(&reg.host());
    let img = Image::new(2);
    img.push(&c, "present/repo", "v1");

    let e = c.get_manifest("present/repo", "nope").unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(e.code(), Some("MANIFEST_UNKNOWN"));
    assert_eq!(e.to_string(), "manifest unknown: manifest unknown");

    let e = c.get_manifest("absent/repo", "latest").unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    // distribution 2.8 says MANIFEST_UNKNOWN here, 3.x NAME_UNKNOWN.
    assert!(
        matches!(e.code(), Some("NAME_UNKNOWN" | "MANIFEST_UNKNOWN")),
        "{e}"
    );

    let missing = sha256_digest(b"missing");
    let e = c.get_manifest("present/repo", &missing).unwrap_err();
    assert!(e.is_not_found(), "{e:?}");

    let e = fetch(&c, "present/repo", &missing, Some(7), 0, &[]).unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(e.code(), Some("BLOB_UNKNOWN"));
    assert!(!c.blob_exists("absent/repo", &missing).unwrap());

    // Bad arguments never reach the registry.
    assert!(matches!(
        c.get_manifest("Bad/Repo", "x"),
        Err(RegistryError::Invalid(_))
    ));
    assert!(matches!(
        fetch(&c, "a", "md5:00", None, 0, &[]),
        Err(RegistryError::Invalid(_))
    ));
}

#[test]
fn basic_auth() {
    let reg = TestRegistry::start(Mode::Htpasswd("user", "pass"));
    let good = client_with(&reg.host(), creds("user", "pass"));
    good.ping().unwrap();
    let img = Image::new(3);
    let digest = img.push(&good, "auth/repo", "v1");
    let m = good.get_manifest("auth/repo", "v1").unwrap();
    assert_eq!(m.digest, digest);
    let (out, _, _) = fetch(
        &good,
        "auth/repo",
        &img.layer_digest(),
        Some(img.layer.len() as u64),
        0,
        &[],
    )
    .unwrap();
    assert!(out == img.layer);

    let wrong = client_with(&reg.host(), creds("user", "wrong"));
    let e = wrong.ping().unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.to_string(), "unauthorized: authentication required");
    let e = wrong.get_manifest("auth/repo", "v1").unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");

    let anonymous = client(&reg.host());
    let e = anonymous.get_manifest("auth/repo", "v1").unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.to_string(), "unauthorized: authentication required");
    let e = anonymous.blob_exists("auth/repo", &digest).unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
}

/// A port bound but not listening: connections are refused, and no
/// other test can take it meanwhile.
fn refusing_port() -> (std::os::fd::OwnedFd, u16) {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket calls on a fresh fd that the OwnedFd then owns.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0);
        let owned = std::os::fd::OwnedFd::from_raw_fd(fd);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len),
            0
        );
        let mut len = len;
        assert_eq!(
            libc::getsockname(fd, &mut addr as *mut _ as *mut libc::sockaddr, &mut len),
            0
        );
        (owned, u16::from_be(addr.sin_port))
    }
}

#[test]
fn unreachable_registry_is_named() {
    let (_reserved, port) = refusing_port();
    let c = client(&format!("127.0.0.1:{port}"));
    let t = Instant::now();
    let e = c.get_manifest("a/b", "latest").unwrap_err();
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("registry 127.0.0.1:{port} is not reachable: connection refused")
    );
    let e = c.ping().unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("registry 127.0.0.1:{port} is not reachable: connection refused")
    );
    // Not retried.
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    let c = client_with(
        &format!("127.0.0.1:{port}"),
        ClientOptions {
            tls_verify: Some(true),
            ..Default::default()
        },
    );
    let e = c.ping().unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("registry 127.0.0.1:{port} is not reachable: connection refused")
    );
}

#[test]
fn corrupt_blob_is_a_digest_mismatch() {
    let reg = TestRegistry::start(Mode::Plain);
    let c = client(&reg.host());
    let img = Image::new(4);
    img.push(&c, "corrupt/repo", "v1");
    let ld = img.layer_digest();
    let file = reg.blob_file(&ld);
    let mut data = std::fs::read(&file).unwrap();
    assert!(data == img.layer);
    data[1000] ^= 0xff;
    std::fs::write(&file, &data).unwrap();
    let e = fetch(
        &c,
        "corrupt/repo",
        &ld,
        Some(img.layer.len() as u64),
        0,
        &[],
    )
    .unwrap_err();
    let actual = sha256_digest(&data);
    match &e {
        RegistryError::DigestMismatch {
            expected,
            actual: got,
        } => {
            assert_eq!(expected, &ld);
            assert_eq!(got, &actual);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        format!("digest mismatch for blob {ld}: got {actual}")
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, and a server certificate for 127.0.0.1 it signed, made with
/// openssl in `p` (`server.pem`, `server.key`); returns a certs.d-style
/// directory holding the CA.
fn test_certificates(p: &Path) -> PathBuf {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=skiff test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(p, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(p, &csr);
    std::fs::write(
        p.join("ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        p,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext",
        ],
    );
    let certs = p.join("certs.d");
    std::fs::create_dir(&certs).unwrap();
    std::fs::copy(p.join("ca.pem"), certs.join("ca.crt")).unwrap();
    certs
}

#[test]
fn tls_registry() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let certs = test_certificates(p);

    let reg = TestRegistry::start(Mode::Tls(&p.join("server.pem"), &p.join("server.key")));
    let img = Image::new(5);

    // Trusted through the cert dir.
    let c = client_with(
        &reg.host(),
        ClientOptions {
            cert_dir: Some(certs),
            ..Default::default()
        },
    );
    let digest = img.push(&c, "tls/repo", "v1");
    assert_eq!(c.scheme_chosen(), Some("https"));
    assert_eq!(c.get_manifest("tls/repo", "v1").unwrap().digest, digest);

    // Not trusted: a TLS error, no fallback to plain HTTP.
    let c = client(&reg.host());
    let e = c.get_manifest("tls/repo", "v1").unwrap_err();
    assert!(matches!(e, RegistryError::Tls { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains(&reg.host()) && msg.contains("certificate"),
        "{msg}"
    );
    assert_eq!(c.scheme_chosen(), None);

    // --tls-verify=false: HTTPS without verification.
    let c = client_with(
        &reg.host(),
        ClientOptions {
            tls_verify: Some(false),
            ..Default::default()
        },
    );
    assert_eq!(c.get_manifest("tls/repo", "v1").unwrap().digest, digest);
    assert_eq!(c.scheme_chosen(), Some("https"));
}

#[test]
fn tls_verify_true_never_uses_plain_http() {
    let reg = TestRegistry::start(Mode::Plain);
    let c = client_with(
        &reg.host(),
        ClientOptions {
            tls_verify: Some(true),
            ..Default::default()
        },
    );
    let e = c.ping().unwrap_err();
    assert!(matches!(e, RegistryError::Tls { .. }), "{e:?}");
    // --tls-verify=false on a plain HTTP registry: falls back.
    let c = client_with(
        &reg.host(),
        ClientOptions {
            tls_verify: Some(false),
            ..Default::default()
        },
    );
    c.ping().unwrap();
    assert_eq!(c.scheme_chosen(), Some("http"));
}

// ------------------------------------------------------------ a fake server

struct FakeReq {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl FakeReq {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct FakeResp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Announce the whole body but hang up after this many bytes.
    cut_after: Option<usize>,
}

fn resp(status: u16, body: impl Into<Vec<u8>>) -> FakeResp {
    FakeResp {
        status,
        headers: Vec::new(),
        body: body.into(),
        cut_after: None,
    }
}

impl FakeResp {
    fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = dyn Fn(&FakeReq) -> FakeResp + Send + Sync;

/// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 that answers
/// every request with `Connection: close`; stops on drop.
struct FakeServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeServer {
    fn start(handler: impl Fn(&FakeReq) -> FakeResp + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(s) = conn {
                    let _ = serve(s, &*handler);
                }
            }
        });
        FakeServer {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut s: TcpStream, handler: &Handler) -> io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            return Ok(());
        }
        if head.is_empty() && byte[0] == 0x16 {
            // A TLS ClientHello: answer like Go's HTTP server does.
            s.write_all(
                b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            )?;
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_owned();
    let path = first.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let req = FakeReq {
        method,
        path,
        headers,
    };
    if let Some(n) = req
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        let mut body = vec![0; n];
        s.read_exact(&mut body)?;
    }
    let r = handler(&req);
    let mut out = format!(
        "HTTP/1.1 {} X\r\nConnection: close\r\nContent-Length: {}\r\n",
        r.status,
        r.body.len()
    );
    for (k, v) in &r.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    s.write_all(out.as_bytes())?;
    if req.method != "HEAD" {
        let n = r.cut_after.unwrap_or(r.body.len()).min(r.body.len());
        s.write_all(&r.body[..n])?;
    }
    s.flush()?;
    let _ = s.shutdown(Shutdown::Both);
    Ok(())
}

fn query_param<'a>(path: &'a str, name: &str) -> Vec<&'a str> {
    let q = path.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .collect()
}

/// The token requests a fake realm saw: path and query, Authorization.
type TokenLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A registry whose realm gives `anon-token` without credentials and
/// `user-token` for user:pass; it logs the token requests and counts the
/// 401s for `/v2/...`. `foo/bar` has `manifest` under every tag, but
/// `private` needs `user-token`.
fn bearer_registry(
    manifest: Vec<u8>,
    token_requests: TokenLog,
    unauthorized: Arc<AtomicUsize>,
) -> FakeServer {
    let port = Arc::new(AtomicUsize::new(0));
    let (tr, un, pt, body) = (token_requests, unauthorized, port.clone(), manifest);
    let server = FakeServer::start(move |req| {
        let challenge = |scope: &str| {
            let mut c = format!(
                r#"Bearer realm="http://127.0.0.1:{}/token",service="fake registry""#,
                pt.load(Ordering::SeqCst)
            );
            if !scope.is_empty() {
                c.push_str(&format!(r#",scope="{scope}""#));
            }
            c
        };
        let auth = req.header("authorization").unwrap_or("");
        if req.path.starts_with("/token") {
            tr.lock().unwrap().push((
                req.path.clone(),
                req.header("authorization").map(str::to_owned),
            ));
            return match auth {
                "" => resp(200, r#"{"token":"anon-token","expires_in":300}"#),
                a if a == basic("user", "pass") => resp(200, r#"{"access_token":"user-token"}"#),
                _ => resp(401, r#"{"details":"incorrect username or password"}"#),
            };
        }
        let authed = auth == "Bearer user-token" || auth == "Bearer anon-token";
        if req.path == "/v2/" {
            if authed {
                return resp(200, "{}");
            }
            un.fetch_add(1, Ordering::SeqCst);
            return resp(
                401,
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            )
            .header("WWW-Authenticate", challenge(""));
        }
        if req.path.starts_with("/v2/foo/bar/manifests/") {
            if !authed {
                un.fetch_add(1, Ordering::SeqCst);
                return resp(
                    401,
                    r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
                )
                .header("WWW-Authenticate", challenge("repository:foo/bar:pull"));
            }
            if auth == "Bearer anon-token" && req.path.ends_with("/private") {
                return resp(
                    401,
                    r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
                )
                .header("WWW-Authenticate", challenge("repository:foo/bar:pull"));
            }
            return resp(200, body.clone())
                .header("Content-Type", MT_OCI_MANIFEST)
                .header("Docker-Content-Digest", sha256_digest(&body));
        }
        resp(
            404,
            r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#,
        )
    });
    port.store(server.port as usize, Ordering::SeqCst);
    server
}

#[test]
fn bearer_token_flow() {
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}"#.to_vec();
    let digest = sha256_digest(&manifest);
    let token_requests = Arc::new(Mutex::new(Vec::<(String, Option<String>)>::new()));
    let unauthorized = Arc::new(AtomicUsize::new(0));
    let server = bearer_registry(
        manifest.clone(),
        token_requests.clone(),
        unauthorized.clone(),
    );

    let c = client_with(&server.host(), creds("user", "pass"));
    let m = c.get_manifest("foo/bar", "latest").unwrap();
    assert_eq!(m.bytes, manifest);
    assert_eq!(m.digest, digest);
    assert_eq!(m.media_type, MT_OCI_MANIFEST);
    assert_eq!(c.scheme_chosen(), Some("http"));
    {
        let t = token_requests.lock().unwrap();
        assert_eq!(t.len(), 1, "{t:?}");
        let (path, auth) = &t[0];
        assert_eq!(query_param(path, "service"), ["fake%20registry"]);
        assert_eq!(
            query_param(path, "scope"),
            ["repository%3Afoo%2Fbar%3Apull"]
        );
        assert_eq!(query_param(path, "account"), ["user"]);
        assert_eq!(auth.as_deref(), Some(basic("user", "pass").as_str()));
    }
    // Only the probe of /v2/ met a 401: the token was fetched up front.
    assert_eq!(unauthorized.load(Ordering::SeqCst), 1);
    // The token is cached for the scope.
    c.get_manifest("foo/bar", &digest).unwrap();
    c.get_manifest("foo/bar", "latest").unwrap();
    assert_eq!(token_requests.lock().unwrap().len(), 1);
    assert_eq!(unauthorized.load(Ordering::SeqCst), 1);
    // /v2/ takes a token without a scope.
    c.ping().unwrap();
    {
        let t = token_requests.lock().unwrap();
        assert_eq!(t.len(), 2);
        assert!(query_param(&t[1].0, "scope").is_empty(), "{:?}", t[1]);
    }

    // Anonymous: a token without credentials.
    token_requests.lock().unwrap().clear();
    let anon = client(&server.host());
    anon.get_manifest("foo/bar", "latest").unwrap();
    let t = token_requests.lock().unwrap().clone();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].1, None);
    assert!(query_param(&t[0].0, "account").is_empty());
    // A token that is not enough: a fresh one is tried once, then the 401 stands.
    let e = anon.get_manifest("foo/bar", "private").unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(token_requests.lock().unwrap().len(), 2);

    // Wrong password: the token server's words.
    let wrong = client_with(&server.host(), creds("user", "nope"));
    let e = wrong.get_manifest("foo/bar", "latest").unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "unauthorized: incorrect username or password"
    );
}

#[test]
fn transient_failures_are_retried_and_4xx_are_not() {
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}"#.to_vec();
    let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let (h, body) = (hits.clone(), manifest.clone());
    let server = FakeServer::start(move |req| {
        let n = {
            let mut m = h.lock().unwrap();
            let n = m.entry(req.path.clone()).or_default();
            *n += 1;
            *n
        };
        match req.path.as_str() {
            "/v2/" => resp(200, "{}"),
            "/v2/r/manifests/flaky" if n <= 2 => resp(503, "busy"),
            "/v2/r/manifests/flaky" => {
                resp(200, body.clone()).header("Content-Type", "application/json")
            }
            "/v2/r/manifests/limited" if n == 1 => resp(
                429,
                r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#,
            ),
            "/v2/r/manifests/limited" => resp(200, body.clone()),
            "/v2/r/manifests/down" => resp(
                500,
                r#"{"errors":[{"code":"UNKNOWN","message":"storage down"}]}"#,
            ),
            "/v2/r/manifests/bad" => resp(
                400,
                r#"{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}"#,
            ),
            _ => resp(
                404,
                r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            ),
        }
    });
    let c = client(&server.host());
    let m = c.get_manifest("r", "flaky").unwrap();
    // Generic Content-Type: the body's mediaType.
    assert_eq!(m.media_type, MT_DOCKER_MANIFEST);
    assert_eq!(hits.lock().unwrap()["/v2/r/manifests/flaky"], 3);
    c.get_manifest("r", "limited").unwrap();
    assert_eq!(hits.lock().unwrap()["/v2/r/manifests/limited"], 2);

    let t = Instant::now();
    let e = c.get_manifest("r", "down").unwrap_err();
    assert!(
        t.elapsed() >= Duration::from_millis(1500),
        "backoff 100+400+1000 ms: {:?}",
        t.elapsed()
    );
    assert_eq!(e.to_string(), "unknown: storage down");
    assert_eq!(e.status(), Some(500));
    assert_eq!(hits.lock().unwrap()["/v2/r/manifests/down"], 4);

    let e = c.get_manifest("r", "missing").unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(hits.lock().unwrap()["/v2/r/manifests/missing"], 1);
    let e = c.get_manifest("r", "bad").unwrap_err();
    assert_eq!(e.to_string(), "manifest invalid: manifest invalid");
    assert_eq!(hits.lock().unwrap()["/v2/r/manifests/bad"], 1);
}

#[test]
fn manifest_by_digest_is_verified() {
    let served = b"{\"schemaVersion\":2}".to_vec();
    let s2 = served.clone();
    let server = FakeServer::start(move |req| match req.path.as_str() {
        "/v2/" => resp(200, "{}"),
        _ => resp(200, s2.clone()).header("Content-Type", MT_OCI_MANIFEST),
    });
    let c = client(&server.host());
    let asked = sha256_digest(b"something else");
    let e = c.get_manifest("r", &asked).unwrap_err();
    assert!(e.is_digest_mismatch(), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "digest mismatch for manifest {asked}: got {}",
            sha256_digest(&served)
        )
    );
    assert_eq!(
        c.get_manifest("r", &sha256_digest(&served)).unwrap().bytes,
        served
    );
}

/// A blob server: `cut` says, per request number, where to hang up;
/// `ranges` whether to honour Range.
fn blob_server(
    data: Vec<u8>,
    ranges: bool,
    cut: fn(usize) -> Option<usize>,
) -> (FakeServer, Arc<Mutex<Vec<Option<String>>>>) {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let s2 = seen.clone();
    let server = FakeServer::start(move |req| {
        if req.path == "/v2/" {
            return resp(200, "{}");
        }
        let n = {
            let mut s = s2.lock().unwrap();
            s.push(req.header("range").map(str::to_owned));
            s.len()
        };
        let start = req
            .header("range")
            .filter(|_| ranges)
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|r| r.parse::<usize>().ok());
        let mut r = match start {
            Some(s) if s >= data.len() => resp(416, ""),
            Some(s) => resp(206, data[s..].to_vec()).header(
                "Content-Range",
                format!("bytes {s}-{}/{}", data.len() - 1, data.len()),
            ),
            None => resp(200, data.clone()),
        };
        r.cut_after = cut(n);
        r.header("Content-Type", "application/octet-stream")
    });
    (server, seen)
}

#[test]
fn blob_download_resumes_after_a_cut() {
    let data = noise(200_000, 7);
    let digest = sha256_digest(&data);
    let (server, seen) = blob_server(data.clone(), true, |n| match n {
        1 => Some(50_000),
        2 => Some(70_000),
        _ => None,
    });
    let c = client(&server.host());
    let (out, n, _) = fetch(&c, "r", &digest, Some(data.len() as u64), 0, &[]).unwrap();
    assert_eq!(n, data.len() as u64);
    assert!(out == data);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            None,
            Some("bytes=50000-".to_owned()),
            Some("bytes=120000-".to_owned())
        ]
    );
}

#[test]
fn blob_server_ignoring_range_is_handled() {
    let data = noise(100_000, 8);
    let digest = sha256_digest(&data);
    let (server, seen) = blob_server(data.clone(), false, |_| None);
    let c = client(&server.host());
    let (out, n, _) = fetch(
        &c,
        "r",
        &digest,
        Some(data.len() as u64),
        40_000,
        &data[..40_000],
    )
    .unwrap();
    assert_eq!(n, data.len() as u64);
    assert!(
        out == data[40_000..],
        "only the bytes after the offset are written"
    );
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![Some("bytes=40000-".to_owned())]
    );
    // And cut midway, without Range support: starts over, skipping again.
    let (server, seen) = blob_server(data.clone(), false, |n| (n == 1).then_some(60_000));
    let c = client(&server.host());
    let (out, _, _) = fetch(&c, "r", &digest, Some(data.len() as u64), 0, &[]).unwrap();
    assert!(out == data);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn blob_download_gives_up_on_a_dead_server() {
    let data = noise(10_000, 9);
    let digest = sha256_digest(&data);
    let (server, seen) = blob_server(data.clone(), true, |_| Some(0));
    let c = client(&server.host());
    let e = fetch(&c, "r", &digest, Some(data.len() as u64), 0, &[]).unwrap_err();
    assert!(matches!(e, RegistryError::Network { .. }), "{e:?}");
    assert_eq!(seen.lock().unwrap().len(), 4, "one try and 3 retries");
}

#[test]
fn credentials_are_not_sent_to_another_host_on_redirect() {
    let data = noise(5000, 10);
    let digest = sha256_digest(&data);
    let cdn_auth: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let (seen, d2) = (cdn_auth.clone(), data.clone());
    let cdn = FakeServer::start(move |req| {
        seen.lock()
            .unwrap()
            .push(req.header("authorization").map(str::to_owned));
        resp(200, d2.clone())
    });
    let cdn_port = cdn.port;
    let registry = FakeServer::start(move |req| {
        if req.header("authorization") != Some(basic("user", "pass").as_str()) {
            return resp(401, "").header("WWW-Authenticate", r#"Basic realm="fake""#);
        }
        match req.path.as_str() {
            "/v2/" => resp(200, "{}"),
            // "localhost" is another host name than "127.0.0.1".
            _ => resp(307, "").header(
                "Location",
                format!("http://localhost:{cdn_port}/blob?sig=x"),
            ),
        }
    });
    let c = client_with(&registry.host(), creds("user", "pass"));
    let (out, _, _) = fetch(&c, "r", &digest, Some(data.len() as u64), 0, &[]).unwrap();
    assert!(out == data);
    assert_eq!(cdn_auth.lock().unwrap().clone(), vec![None]);
}
