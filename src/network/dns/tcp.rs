//! DNS over TCP: clients sending length-prefixed queries, and queries of
//! TCP clients forwarded upstream over TCP (so long answers are not
//! truncated).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::{Client, DnsServer, Records, BUDGET, BUF_SIZE, FORWARD_TIMEOUT, TCP_LIMIT};

/// At most this many TCP clients at once; more are closed at once.
const MAX_TCP: usize = 64;

/// A TCP client idle this long is closed.
pub(super) const TCP_IDLE: Duration = Duration::from_secs(10);

/// A query of a TCP client forwarded over TCP (so a long answer is not truncated): one
/// connection per query, with the client's own id.
pub(super) struct UpConn {
    pub(super) stream: TcpStream,
    /// The TCP client's serial.
    pub(super) client: u64,
    /// The framed query, what is left of it to write.
    pub(super) out: Vec<u8>,
    pub(super) inbuf: Vec<u8>,
    pub(super) deadline: Instant,
}

/// A TCP client: length-prefixed queries in, replies out.
pub(super) struct TcpConn {
    pub(super) serial: u64,
    pub(super) stream: TcpStream,
    /// Bytes read and not yet a whole query.
    pub(super) inbuf: Vec<u8>,
    pub(super) deadline: Instant,
}

impl DnsServer {
    /// Starts a TCP forward of a TCP client's query to the first upstream that takes a
    /// connection attempt. False when there is none (or too many are in flight).
    pub(super) fn forward_tcp(&mut self, pkt: &[u8], client: u64) -> bool {
        use rustix::net::{AddressFamily, SocketFlags, SocketType};
        if self.up_conns.len() >= MAX_TCP {
            return false;
        }
        let Ok(len) = u16::try_from(pkt.len()) else {
            return false;
        };
        for &up in &self.upstreams {
            let family = if up.is_ipv4() {
                AddressFamily::INET
            } else {
                AddressFamily::INET6
            };
            let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
            let Ok(fd) = rustix::net::socket_with(family, SocketType::STREAM, flags, None) else {
                continue;
            };
            match rustix::net::connect(&fd, &up) {
                Ok(()) | Err(rustix::io::Errno::INPROGRESS) => {}
                Err(_) => continue,
            }
            let mut out = len.to_be_bytes().to_vec();
            out.extend_from_slice(pkt);
            self.up_conns.push(UpConn {
                stream: TcpStream::from(fd),
                client,
                out,
                inbuf: Vec::new(),
                deadline: Instant::now() + FORWARD_TIMEOUT,
            });
            return true;
        }
        false
    }

    /// Progress on a TCP forward: the query written once connected, the answer read and
    /// passed to its client whole. A failed or closed connection ends the forward (the
    /// client's own timeout takes it from there).
    pub(super) fn on_up_conn(&mut self, k: usize) {
        let done = {
            let u = &mut self.up_conns[k];
            let mut failed = false;
            while !u.out.is_empty() {
                match u.stream.write(&u.out) {
                    Ok(0) => {
                        failed = true;
                        break;
                    }
                    Ok(n) => {
                        u.out.drain(..n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            let mut buf = [0u8; 4096];
            while !failed && u.out.is_empty() {
                match u.stream.read(&mut buf) {
                    Ok(0) => {
                        failed = true;
                    }
                    Ok(n) => {
                        u.inbuf.extend_from_slice(&buf[..n]);
                        if u.inbuf.len() > 2 + TCP_LIMIT {
                            failed = true;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => failed = true,
                }
            }
            let whole = u.inbuf.len() >= 2
                && u.inbuf.len() >= 2 + usize::from(u16::from_be_bytes([u.inbuf[0], u.inbuf[1]]));
            if whole {
                let len = usize::from(u16::from_be_bytes([u.inbuf[0], u.inbuf[1]]));
                Some(Some((u.client, u.inbuf[2..2 + len].to_vec())))
            } else if failed {
                Some(None)
            } else {
                None
            }
        };
        if let Some(answer) = done {
            self.up_conns.remove(k);
            if let Some((client, reply)) = answer {
                if reply.len() >= 12 && reply[2] & 0x80 != 0 {
                    self.send(Client::Tcp(client), &reply);
                }
            }
        }
    }

    /// Takes every pending TCP connection (closing those beyond the limit).
    pub(super) fn accept(&mut self) {
        let Some(l) = &self.tcp else { return };
        for _ in 0..BUDGET {
            match l.accept() {
                Ok((stream, _)) => {
                    if self.conns.len() >= MAX_TCP || stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    self.serial += 1;
                    self.conns.push(TcpConn {
                        serial: self.serial,
                        stream,
                        inbuf: Vec::new(),
                        deadline: Instant::now() + TCP_IDLE,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => continue,
            }
        }
    }

    /// Reads what a TCP client sent and answers each whole query in it; closes it at EOF,
    /// on error, or when it sends more than one query's worth of garbage.
    pub(super) fn on_tcp(&mut self, serial: u64, records: &dyn Records) {
        let Some(k) = self.conns.iter().position(|c| c.serial == serial) else {
            return;
        };
        let mut buf = std::mem::take(&mut self.buf);
        let mut open = true;
        loop {
            match self.conns[k].stream.read(&mut buf) {
                Ok(0) => {
                    open = false;
                    break;
                }
                Ok(n) => {
                    let c = &mut self.conns[k];
                    c.inbuf.extend_from_slice(&buf[..n]);
                    c.deadline = Instant::now() + TCP_IDLE;
                    if c.inbuf.len() > 2 + TCP_LIMIT + BUF_SIZE {
                        open = false;
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    open = false;
                    break;
                }
            }
        }
        self.buf = buf;
        let mut inbuf = std::mem::take(&mut self.conns[k].inbuf);
        let mut used = 0;
        while inbuf.len() - used >= 2 {
            let len = usize::from(u16::from_be_bytes([inbuf[used], inbuf[used + 1]]));
            if inbuf.len() - used - 2 < len {
                break;
            }
            let msg = inbuf[used + 2..used + 2 + len].to_vec();
            used += 2 + len;
            if let Some(reply) = self.handle_query(&msg, Client::Tcp(serial), records) {
                self.send(Client::Tcp(serial), &reply);
            }
        }
        inbuf.drain(..used);
        // The connection may have been closed by a failed send.
        match self.conns.iter().position(|c| c.serial == serial) {
            Some(k) if open => self.conns[k].inbuf = inbuf,
            Some(k) => {
                self.conns.remove(k);
            }
            None => {}
        }
    }
}
