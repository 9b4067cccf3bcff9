//! A new layer blob from a tar stream (`commit`, `import`): gzipped
//! (fast level: the container's changes are often incompressible) into a
//! file of the store's temp dir, with the uncompressed stream's digest
//! (its diff id) computed on the way.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A layer written to `dir/layer.tar.gz`: its path and diff id.
pub fn gzip_layer(dir: &Path, mut input: impl Read) -> Result<(PathBuf, String)> {
    let path = dir.join("layer.tar.gz");
    let f = std::fs::File::create(&path).map_err(|e| Error::io("creating", &path, e))?;
    let mut gz = flate2::write::GzEncoder::new(
        io::BufWriter::with_capacity(1 << 20, f),
        flate2::Compression::fast(),
    );
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Other(format!("reading the layer's tar: {e}"))),
        };
        hasher.update(&buf[..n]);
        gz.write_all(&buf[..n])
            .map_err(|e| Error::io("writing", &path, e))?;
    }
    let mut w = gz.finish().map_err(|e| Error::io("writing", &path, e))?;
    w.flush().map_err(|e| Error::io("writing", &path, e))?;
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((path, format!("sha256:{hex}")))
}
