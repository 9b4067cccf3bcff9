//! The monitor's non-blocking queues: the output waiting for each attach
//! client, and the input waiting for the container's stdin. Neither ever
//! makes the monitor's loop wait (docs/architecture.md).

use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};

use super::attach::{Frame, FrameReader};

/// How much output may wait for one attach client. A client that falls
/// this far behind (stopped with ^Z, or not reading) is disconnected: the
/// container's output, its logs and everything else the monitor serves
/// never wait for a client.
pub const CLIENT_QUEUE_MAX: usize = 4 << 20;

/// How much input may wait for a container that does not read its stdin.
/// Beyond it the monitor stops reading from its clients (their writes
/// block, as on a pipe): input is delayed, never dropped.
pub const STDIN_QUEUE_MAX: usize = 1 << 20;

/// How long the output still queued for clients may take to drain after
/// the container exited.
pub(super) const FINAL_FLUSH: Duration = Duration::from_secs(2);

/// One attach client: a non-blocking socket, its unread frames and the
/// output waiting for it.
pub(super) struct Client {
    pub(super) sock: UnixStream,
    pub(super) frames: FrameReader,
    out: Vec<u8>,
    /// Where the unsent part of `out` starts.
    sent: usize,
}

impl Client {
    pub(super) fn new(sock: UnixStream) -> io::Result<Client> {
        sock.set_nonblocking(true)?;
        Ok(Client {
            sock,
            frames: FrameReader::default(),
            out: Vec::new(),
            sent: 0,
        })
    }

    pub(super) fn queued(&self) -> usize {
        self.out.len() - self.sent
    }

    /// Queues a frame and sends what the socket takes now. False: the
    /// client is gone or too far behind, drop it.
    pub(super) fn push(&mut self, f: &Frame) -> bool {
        if self.queued() + 5 + f.payload_len() > CLIENT_QUEUE_MAX {
            return false;
        }
        if self.sent == self.out.len() {
            self.out.clear();
            self.sent = 0;
        }
        f.encode_into(&mut self.out);
        self.flush()
    }

    /// Sends as much as the socket takes. False when the client is gone.
    pub(super) fn flush(&mut self) -> bool {
        while self.sent < self.out.len() {
            match (&self.sock).write(&self.out[self.sent..]) {
                Ok(0) => return false,
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if self.sent == self.out.len() {
            self.out.clear();
            self.sent = 0;
        } else if self.sent > (1 << 20) {
            self.out.drain(..self.sent);
            self.sent = 0;
        }
        true
    }
}

/// The container's stdin: a non-blocking pipe or pty master and the input
/// not yet written to it.
pub(super) struct Stdin {
    pub(super) fd: Option<OwnedFd>,
    queue: Vec<u8>,
    /// A client closed its input: close the pipe once the queue is written.
    pub(super) closing: bool,
}

impl Stdin {
    pub(super) fn new(fd: Option<OwnedFd>) -> Stdin {
        if let Some(fd) = &fd {
            set_nonblock(fd);
        }
        Stdin {
            fd,
            queue: Vec::new(),
            closing: false,
        }
    }

    pub(super) fn full(&self) -> bool {
        self.queue.len() >= STDIN_QUEUE_MAX
    }

    pub(super) fn wants_write(&self) -> bool {
        self.fd.is_some() && !self.queue.is_empty()
    }

    pub(super) fn push(&mut self, b: &[u8]) {
        if self.fd.is_some() {
            self.queue.extend_from_slice(b);
            self.flush();
        }
    }

    /// Writes what the container takes now; closes the pipe when asked to
    /// and everything is written, or when the container closed its end.
    pub(super) fn flush(&mut self) {
        let Some(fd) = &self.fd else { return };
        let mut done = 0;
        while done < self.queue.len() {
            match rustix::io::write(fd, &self.queue[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => break,
                // EPIPE/EIO: the container closed its stdin; the rest is moot.
                Err(_) => {
                    self.queue.clear();
                    self.fd = None;
                    return;
                }
            }
        }
        self.queue.drain(..done);
        if self.closing && self.queue.is_empty() {
            self.fd = None;
        }
    }
}

/// Gives the clients up to `limit` to take what is queued for them; those
/// that don't are dropped with it.
pub(super) fn flush_clients(clients: &mut Vec<Client>, limit: Duration) {
    let start = Instant::now();
    loop {
        clients.retain_mut(|c| c.flush() && c.queued() > 0);
        let left = limit.saturating_sub(start.elapsed());
        if clients.is_empty() || left.is_zero() {
            return;
        }
        let mut fds: Vec<PollFd> = clients
            .iter()
            .map(|c| PollFd::new(&c.sock, PollFlags::OUT))
            .collect();
        let t = rustix::event::Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: left.subsec_nanos() as i64,
        };
        let _ = poll(&mut fds, Some(&t));
    }
}

/// Makes one of the container's stdio fds non-blocking; should that fail,
/// the loop could stall on it, and the log says so.
pub(super) fn set_nonblock(fd: &OwnedFd) {
    let r = rustix::fs::fcntl_getfl(fd)
        .and_then(|fl| rustix::fs::fcntl_setfl(fd, fl | rustix::fs::OFlags::NONBLOCK));
    if let Err(e) = r {
        log::warn!("making the container's stdio non-blocking: {e}; the monitor may stall on it");
    }
}
