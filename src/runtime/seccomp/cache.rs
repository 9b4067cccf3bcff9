//! The on-disk cache of compiled programs, keyed by everything a program
//! depends on.

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::compile::compiler_id;
use super::host::HostEnv;
use super::{INSN_LEN, MAX_INSNS};

/// Bump when the cache's format or key changes (the compiler's own changes
/// bump `compile::COMPILER_VERSION`): old cache entries then stop matching.
const CACHE_FORMAT: &str = "skiff-seccomp-v2";

const CACHE_MAGIC: &[u8; 8] = b"SKIFFBPF";

const CACHE_HEADER_LEN: usize = 8 + 4 + 32;

fn cache_key(text: &str, caps: &[String], env: &HostEnv) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(CACHE_FORMAT.as_bytes());
    field(text.as_bytes());
    field(&(caps.len() as u64).to_le_bytes());
    for c in caps {
        field(c.as_bytes());
    }
    field(env.scmp_arch_name.as_bytes());
    field(env.kernel_release.as_bytes());
    field(compiler_id().as_bytes());
    hex(&h.finalize())
}

pub(super) fn cache_path(cache_dir: &Path, text: &str, caps: &[String], env: &HostEnv) -> PathBuf {
    cache_dir
        .join("seccomp")
        .join(format!("{}.bpf", cache_key(text, caps, env)))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Cache file: `"SKIFFBPF" | u32 LE instruction count | sha256(program) | program`.
fn encode_cache(program: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(CACHE_HEADER_LEN + program.len());
    out.extend_from_slice(CACHE_MAGIC);
    out.extend_from_slice(&((program.len() / INSN_LEN) as u32).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(program));
    out.extend_from_slice(program);
    out
}

fn decode_cache(data: &[u8]) -> Option<Vec<u8>> {
    let (header, program) = data.split_at_checked(CACHE_HEADER_LEN)?;
    if &header[..8] != CACHE_MAGIC {
        return None;
    }
    let n = u32::from_le_bytes(header[8..12].try_into().ok()?) as usize;
    if n == 0 || n > MAX_INSNS || program.len() != n * INSN_LEN {
        return None;
    }
    if Sha256::digest(program).as_slice() != &header[12..44] {
        return None;
    }
    Some(program.to_vec())
}

pub(super) fn read_cache(path: &Path) -> Option<Vec<u8>> {
    let data = fs::read(path).ok()?;
    decode_cache(&data)
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// temp file in the same directory + fsync + rename + fsync(dir).
pub(super) fn write_cache(path: &Path, program: &[u8]) -> io::Result<()> {
    let dir = path.parent().ok_or(io::ErrorKind::InvalidInput)?;
    fs::create_dir_all(dir)?;
    let name = path.file_name().ok_or(io::ErrorKind::InvalidInput)?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(&encode_cache(program))?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
