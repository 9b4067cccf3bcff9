//! The json-file log driver, in docker's exact line format:
//! `{"log":"hi\n","stream":"stdout","time":"2026-01-01T00:00:00.123456789Z"}`.
//! Lines are split at '\n'; a line longer than 16 KiB is written in
//! partial pieces (without the trailing newline), as docker does.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::util::time::{self, UnixNanos};

const MAX_LINE: usize = 16 * 1024;

/// Go's encoding/json string escaping (HTML-safe, as docker's jsonlog).
pub fn go_json_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    let text = String::from_utf8_lossy(s);
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '<' => out.extend_from_slice(b"\\u003c"),
            '>' => out.extend_from_slice(b"\\u003e"),
            '&' => out.extend_from_slice(b"\\u0026"),
            '\u{2028}' => out.extend_from_slice(b"\\u2028"),
            '\u{2029}' => out.extend_from_slice(b"\\u2029"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

pub fn format_line(stream: &str, msg: &[u8], at: UnixNanos) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 80);
    out.extend_from_slice(b"{\"log\":");
    go_json_string(&mut out, msg);
    out.extend_from_slice(b",\"stream\":\"");
    out.extend_from_slice(stream.as_bytes());
    out.extend_from_slice(b"\",\"time\":\"");
    out.extend_from_slice(time::rfc3339_nano(at).as_bytes());
    out.extend_from_slice(b"\"}\n");
    out
}

/// Splits one stream's bytes into log lines.
#[derive(Default)]
pub struct LineBuffer {
    pending: Vec<u8>,
}

impl LineBuffer {
    /// Feed bytes; return the complete (or over-long partial) messages.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(i) = self.pending.iter().position(|&b| b == b'\n') {
            out.push(self.pending.drain(..=i).collect());
        }
        while self.pending.len() >= MAX_LINE {
            out.push(self.pending.drain(..MAX_LINE).collect());
        }
        out
    }

    /// What is left at the end of the stream.
    pub fn flush(&mut self) -> Option<Vec<u8>> {
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
    }
}

pub struct JsonFileWriter {
    file: File,
    path: PathBuf,
    /// Entries whose write failed.
    lost: u64,
}

impl JsonFileWriter {
    pub fn open(path: &Path) -> std::io::Result<JsonFileWriter> {
        // 0640 as docker's: the container's output is not for every user.
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o640)
            .open(path)?;
        Ok(JsonFileWriter {
            file,
            path: path.to_owned(),
            lost: 0,
        })
    }

    pub fn write(&mut self, stream: &str, msg: &[u8]) -> std::io::Result<()> {
        self.file.write_all(&format_line(stream, msg, time::now()))
    }

    /// Writes one entry. A failure is logged (to the monitor's log) the
    /// first time only, since a full disk fails every line after it; the
    /// others are counted, and [`close`](Self::close) says how many.
    pub fn write_entry(&mut self, stream: &str, msg: &[u8]) {
        if let Err(e) = self.write(stream, msg) {
            if self.lost == 0 {
                log::error!(
                    "writing the container's log {}: {e} (the line is lost)",
                    self.path.display()
                );
            }
            self.lost += 1;
        }
    }

    /// How many entries could not be written.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Done writing: reports how many entries were lost, if more than the
    /// one already reported.
    pub fn close(self) {
        if self.lost > 1 {
            log::error!(
                "{} lines in all could not be written to the container's log {}",
                self.lost,
                self.path.display()
            );
        }
    }
}

/// One entry read back from a json-file log.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub stream: String,
    pub log: String,
    pub time: UnixNanos,
}

#[derive(serde::Deserialize)]
struct Raw {
    log: String,
    stream: String,
    time: String,
}

pub fn parse_line(line: &str) -> Option<Entry> {
    let r: Raw = serde_json::from_str(line).ok()?;
    Some(Entry {
        stream: r.stream,
        log: r.log,
        time: time::parse_rfc3339(&r.time)?,
    })
}

/// Every entry of a log file (a missing file is an empty log).
pub fn read_all(path: &Path) -> std::io::Result<Vec<Entry>> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for line in BufReader::new(f).lines() {
        if let Some(e) = parse_line(&line?) {
            out.push(e);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_line_format() {
        let at = time::parse_rfc3339("2026-01-02T03:04:05.5Z").unwrap();
        let l = format_line("stdout", b"a<b> & \"c\"\ttab\n", at);
        assert_eq!(
            String::from_utf8(l).unwrap(),
            "{\"log\":\"a\\u003cb\\u003e \\u0026 \\\"c\\\"\\ttab\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-02T03:04:05.5Z\"}\n"
        );
        let e = parse_line(
            "{\"log\":\"x\\n\",\"stream\":\"stderr\",\"time\":\"2026-01-02T03:04:05Z\"}",
        )
        .unwrap();
        assert_eq!((e.stream.as_str(), e.log.as_str()), ("stderr", "x\n"));
    }

    #[test]
    fn lines_and_partials() {
        let mut b = LineBuffer::default();
        assert!(b.push(b"ab").is_empty());
        assert_eq!(b.push(b"c\nd\ne"), vec![b"abc\n".to_vec(), b"d\n".to_vec()]);
        assert_eq!(b.flush(), Some(b"e".to_vec()));
        let long = vec![b'x'; MAX_LINE + 10];
        let parts = b.push(&long);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].len(), MAX_LINE);
        assert_eq!(b.flush().unwrap().len(), 10);
    }

    /// A log on a full disk loses its lines without stopping the monitor,
    /// and counts them (the first failure alone is logged).
    #[test]
    fn failed_writes_are_counted_not_returned() {
        let dir = tempfile::tempdir().unwrap();
        let mut ok = JsonFileWriter::open(&dir.path().join("c-json.log")).unwrap();
        ok.write_entry("stdout", b"kept\n");
        assert_eq!(ok.lost(), 0);
        let mut full = JsonFileWriter::open(Path::new("/dev/full")).unwrap();
        full.write_entry("stdout", b"a\n");
        full.write_entry("stderr", b"b\n");
        assert_eq!(full.lost(), 2);
        let back = read_all(&dir.path().join("c-json.log")).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].log, "kept\n");
    }
}
