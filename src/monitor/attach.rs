//! The attach protocol between a monitor and its clients (`run`,
//! `start -a`, `attach`): frames of `[kind u8][len u32 BE][payload]` over a
//! unix stream socket.

use std::io::{self, Read, Write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Stdin(Vec<u8>),
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The client has no more input.
    StdinClose,
    Resize {
        rows: u16,
        cols: u16,
    },
    /// The container exited with this code (last frame).
    Exit(i32),
}

impl Frame {
    /// The payload's length in bytes.
    pub fn payload_len(&self) -> usize {
        match self {
            Frame::Stdin(b) | Frame::Stdout(b) | Frame::Stderr(b) => b.len(),
            Frame::StdinClose => 0,
            Frame::Resize { .. } | Frame::Exit(_) => 4,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + self.payload_len());
        self.encode_into(&mut out);
        out
    }

    /// Appends the encoded frame to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let (kind, payload): (u8, std::borrow::Cow<[u8]>) = match self {
            Frame::Stdin(b) => (0, b.into()),
            Frame::Stdout(b) => (1, b.into()),
            Frame::Stderr(b) => (2, b.into()),
            Frame::StdinClose => (3, (&[][..]).into()),
            Frame::Resize { rows, cols } => {
                let mut v = rows.to_be_bytes().to_vec();
                v.extend_from_slice(&cols.to_be_bytes());
                (4, v.into())
            }
            Frame::Exit(code) => (5, code.to_be_bytes().to_vec().into()),
        };
        out.push(kind);
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&payload);
    }

    /// Parse one frame from the front of `buf`; returns it and its length.
    pub fn decode(buf: &[u8]) -> io::Result<Option<(Frame, usize)>> {
        if buf.len() < 5 {
            return Ok(None);
        }
        let len = u32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
        if len > 16 << 20 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "attach frame too large",
            ));
        }
        if buf.len() < 5 + len {
            return Ok(None);
        }
        let p = &buf[5..5 + len];
        let bad = || io::Error::new(io::ErrorKind::InvalidData, "malformed attach frame");
        let f = match buf[0] {
            0 => Frame::Stdin(p.to_vec()),
            1 => Frame::Stdout(p.to_vec()),
            2 => Frame::Stderr(p.to_vec()),
            3 => Frame::StdinClose,
            4 if len == 4 => Frame::Resize {
                rows: u16::from_be_bytes([p[0], p[1]]),
                cols: u16::from_be_bytes([p[2], p[3]]),
            },
            5 if len == 4 => Frame::Exit(i32::from_be_bytes([p[0], p[1], p[2], p[3]])),
            _ => return Err(bad()),
        };
        Ok(Some((f, 5 + len)))
    }
}

/// Accumulates bytes read from a socket and yields whole frames.
#[derive(Default)]
pub struct FrameReader {
    buf: Vec<u8>,
}

impl FrameReader {
    /// Read once from `r`; `Ok(None)` at EOF.
    pub fn fill(&mut self, r: &mut impl Read) -> io::Result<Option<usize>> {
        let mut tmp = [0u8; 32 * 1024];
        let n = r.read(&mut tmp)?;
        if n == 0 {
            return Ok(None);
        }
        self.buf.extend_from_slice(&tmp[..n]);
        Ok(Some(n))
    }

    pub fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        match Frame::decode(&self.buf)? {
            Some((f, used)) => {
                self.buf.drain(..used);
                Ok(Some(f))
            }
            None => Ok(None),
        }
    }
}

pub fn send(w: &mut impl Write, f: &Frame) -> io::Result<()> {
    w.write_all(&f.encode())
}

/// Whether the peer of an attach connection may use it: the engine's own
/// user, or root. Anyone else is refused (the socket's mode is the first
/// line of defence; this one does not depend on the dir's). The error
/// says who was refused, and why.
pub fn check_peer(sock: &std::os::unix::net::UnixStream) -> Result<(), String> {
    let me = rustix::process::geteuid().as_raw();
    match rustix::net::sockopt::socket_peercred(sock) {
        Ok(cred) => peer_verdict(me, cred.uid.as_raw(), cred.pid.as_raw_pid()),
        Err(e) => Err(format!("reading its credentials (SO_PEERCRED): {e}")),
    }
}

fn peer_verdict(me: u32, uid: u32, pid: i32) -> Result<(), String> {
    if uid == me || uid == 0 {
        return Ok(());
    }
    Err(format!(
        "pid {pid} runs as uid {uid}; only uid {me} (the engine's) and root may attach"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let frames = [
            Frame::Stdin(b"in".to_vec()),
            Frame::Stdout(b"out".to_vec()),
            Frame::Stderr(vec![]),
            Frame::StdinClose,
            Frame::Resize { rows: 24, cols: 80 },
            Frame::Exit(-3),
        ];
        let mut bytes = Vec::new();
        for f in &frames {
            bytes.extend(f.encode());
        }
        let mut r = FrameReader::default();
        r.fill(&mut &bytes[..]).unwrap();
        for f in &frames {
            assert_eq!(r.next_frame().unwrap().as_ref(), Some(f));
        }
        assert_eq!(r.next_frame().unwrap(), None);
    }

    #[test]
    fn only_the_engines_user_and_root_may_attach() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert_eq!(check_peer(&a), Ok(()));
        assert_eq!(peer_verdict(1000, 0, 7), Ok(()));
        assert_eq!(peer_verdict(1000, 1000, 7), Ok(()));
        assert_eq!(
            peer_verdict(0, 65534, 7).unwrap_err(),
            "pid 7 runs as uid 65534; only uid 0 (the engine's) and root may attach"
        );
    }
}
