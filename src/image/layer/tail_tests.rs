//! Layer streams that end early: right after the last entry's data (no
//! padding, no end-of-archive blocks, as `umoci insert` writes them),
//! which Go's archive/tar takes, and cut inside the data, which stays an
//! error.

use super::*;
use std::io::Write;

/// A directory `d` and a 700-byte file `d/f` (its data ends at byte 1724:
/// two headers and the data, before the padding to 2048).
fn layer() -> (Vec<u8>, Vec<u8>) {
    let data: Vec<u8> = (0..700u32).map(|i| (i % 251) as u8).collect();
    let mut b = tar::Builder::new(Vec::new());
    let header = || {
        let mut h = tar::Header::new_ustar();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_600_000_000);
        h
    };
    let mut h = header();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_size(0);
    b.append_data(&mut h, "d", &b""[..]).unwrap();
    let mut h = header();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_size(700);
    b.append_data(&mut h, "d/f", &data[..]).unwrap();
    (b.into_inner().unwrap(), data)
}

const DATA_END: usize = 512 + 512 + 700;

fn digest(b: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(b)))
}

#[test]
fn a_stream_that_ends_right_after_the_last_data_is_whole() {
    let (full, data) = layer();
    assert!(
        full.len() > DATA_END + 1024,
        "padding and end blocks follow"
    );
    for cut in [DATA_END, DATA_END + 100, 2048] {
        let t = tempfile::tempdir().unwrap();
        let stream = &full[..cut];
        let r = unpack(stream, t.path(), &UnpackOptions::default())
            .unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert_eq!(std::fs::read(t.path().join("d/f")).unwrap(), data);
        // The diff id is the digest of the stream as it is.
        assert_eq!(r.diff_id, digest(stream));
    }
}

#[test]
fn a_compressed_stream_without_its_tail_is_whole_too() {
    let (full, data) = layer();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&full[..DATA_END]).unwrap();
    let gz = gz.finish().unwrap();
    let t = tempfile::tempdir().unwrap();
    let r = unpack(&gz[..], t.path(), &UnpackOptions::default()).unwrap();
    assert_eq!(std::fs::read(t.path().join("d/f")).unwrap(), data);
    assert_eq!(r.diff_id, digest(&full[..DATA_END]));
}

#[test]
fn a_stream_cut_inside_the_data_is_an_error() {
    let (full, _) = layer();
    for cut in [DATA_END - 1, DATA_END - 300, 1024 + 1] {
        let t = tempfile::tempdir().unwrap();
        let e = unpack(&full[..cut], t.path(), &UnpackOptions::default())
            .err()
            .unwrap_or_else(|| panic!("cut at {cut} taken as whole"));
        let e = e.to_string();
        assert!(
            e.contains("EOF") || e.contains("ended"),
            "cut at {cut}: {e}"
        );
    }
    // ... inside a header, and in a header after the padding.
    let mut more = full[..2048].to_vec();
    more.extend_from_slice(&[b'x'; 100]);
    for stream in [&full[..700], &more[..]] {
        let t = tempfile::tempdir().unwrap();
        assert!(unpack(stream, t.path(), &UnpackOptions::default()).is_err());
    }
}
