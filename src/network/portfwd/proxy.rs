//! The forwarder's loop: one `poll` over the host listeners, the live TCP
//! connections (each a client on the host and its upstream in the
//! container) and the UDP flows (a socket in the container per client
//! address, as docker's userland proxy keeps them). No threads: the
//! forwarder is one small process per container.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};

use crate::network::ports::Proto;

/// One published port: its host listener (a bound TCP listener or UDP
/// socket, non-blocking) and the container port it leads to.
pub struct Forward {
    pub proto: Proto,
    pub listener: OwnedFd,
    pub port: u16,
}

/// A new non-blocking socket to the container's port (a TCP connect may
/// still be in progress).
pub type Connect<'a> = &'a dyn Fn(Proto, u16) -> io::Result<OwnedFd>;

const BUF: usize = 64 * 1024;
/// How long a UDP flow lives without traffic (docker's userland proxy).
pub const UDP_IDLE: Duration = Duration::from_secs(90);
const MAX_FLOWS: usize = 4096;
const MAX_CONNS: usize = 4096;

/// The bytes on their way in one direction.
struct Half {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// The sender closed its side.
    eof: bool,
    /// ... and that was passed on (shutdown of the receiver's write side).
    shut: bool,
}

impl Half {
    fn new() -> Half {
        Half {
            buf: vec![0; BUF].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            shut: false,
        }
    }

    fn pending(&self) -> bool {
        self.start < self.end
    }

    fn wants_read(&self) -> bool {
        !self.eof && self.end < self.buf.len()
    }

    /// Moves what it can from `from` to `to`; false on an error.
    fn pump(&mut self, from: &mut TcpStream, to: &mut TcpStream) -> bool {
        loop {
            let mut moved = false;
            while self.pending() {
                match to.write(&self.buf[self.start..self.end]) {
                    Ok(0) => return false,
                    Ok(n) => {
                        self.start += n;
                        moved = true;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => return false,
                }
            }
            if !self.pending() {
                (self.start, self.end) = (0, 0);
                if self.eof && !self.shut {
                    let _ = to.shutdown(Shutdown::Write);
                    self.shut = true;
                }
            }
            if self.wants_read() {
                match from.read(&mut self.buf[self.end..]) {
                    Ok(0) => {
                        self.eof = true;
                        moved = true;
                    }
                    Ok(n) => {
                        self.end += n;
                        moved = true;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => moved = true,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => return false,
                }
            }
            if !moved {
                return true;
            }
        }
    }
}

/// A TCP connection: the host's client and its upstream in the container.
struct Conn {
    client: TcpStream,
    upstream: TcpStream,
    connecting: bool,
    up: Half,
    down: Half,
}

impl Conn {
    fn interest(&self) -> (PollFlags, PollFlags) {
        let flag = |on: bool, f: PollFlags| if on { f } else { PollFlags::empty() };
        if self.connecting {
            return (PollFlags::empty(), PollFlags::OUT);
        }
        (
            flag(self.up.wants_read(), PollFlags::IN) | flag(self.down.pending(), PollFlags::OUT),
            flag(self.down.wants_read(), PollFlags::IN) | flag(self.up.pending(), PollFlags::OUT),
        )
    }

    /// One round after `poll` said something; false once it is over.
    fn step(&mut self, rc: PollFlags, ru: PollFlags) -> bool {
        if self.connecting {
            if ru.is_empty() {
                return !rc.intersects(PollFlags::ERR | PollFlags::HUP);
            }
            // The connect finished: refused (nothing listens there) ends
            // the client's connection too, as docker's proxy does.
            match self.upstream.take_error() {
                Ok(None) => self.connecting = false,
                _ => return false,
            }
        }
        let ok = self.up.pump(&mut self.client, &mut self.upstream)
            && self.down.pump(&mut self.upstream, &mut self.client);
        let broken = (rc | ru).intersects(PollFlags::ERR | PollFlags::HUP);
        ok && !broken && !(self.up.shut && self.down.shut)
    }
}

/// A host listener.
enum Listener {
    Tcp(TcpListener),
    Udp(UdpSocket),
}

impl AsFd for Listener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Listener::Tcp(l) => l.as_fd(),
            Listener::Udp(l) => l.as_fd(),
        }
    }
}

/// A UDP client of one listener, and its socket in the container.
struct Flow {
    listener: usize,
    peer: SocketAddr,
    sock: UdpSocket,
    last: Instant,
}

/// Forwards until `ctl` is readable (the monitor closed it, or is gone).
pub fn serve(ctl: BorrowedFd<'_>, fwds: Vec<Forward>, connect: Connect<'_>) -> io::Result<()> {
    let listeners: Vec<(u16, Listener)> = fwds
        .into_iter()
        .map(|f| {
            let l = match f.proto {
                Proto::Tcp => Listener::Tcp(TcpListener::from(f.listener)),
                Proto::Udp => Listener::Udp(UdpSocket::from(f.listener)),
            };
            (f.port, l)
        })
        .collect();
    let mut conns: Vec<Conn> = Vec::new();
    let mut flows: Vec<Flow> = Vec::new();
    let mut buf = vec![0u8; BUF];
    loop {
        let now = Instant::now();
        flows.retain(|f| now.duration_since(f.last) < UDP_IDLE);
        let mut fds = vec![PollFd::new(&ctl, PollFlags::IN)];
        for (_, l) in &listeners {
            fds.push(PollFd::new(l, PollFlags::IN));
        }
        for c in &conns {
            let (a, b) = c.interest();
            fds.push(PollFd::new(&c.client, a));
            fds.push(PollFd::new(&c.upstream, b));
        }
        for f in &flows {
            fds.push(PollFd::new(&f.sock, PollFlags::IN));
        }
        // UDP flows expire: wake once a second while there are any.
        let tick = rustix::event::Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        match poll(&mut fds, (!flows.is_empty()).then_some(&tick)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        let ev: Vec<PollFlags> = fds.iter().map(PollFd::revents).collect();
        drop(fds);
        if !ev[0].is_empty() {
            return Ok(());
        }
        let (conns_at, flows_at) = (1 + listeners.len(), 1 + listeners.len() + 2 * conns.len());
        let mut k = 0;
        conns.retain_mut(|c| {
            let (rc, ru) = (ev[conns_at + 2 * k], ev[conns_at + 2 * k + 1]);
            k += 1;
            rc.is_empty() && ru.is_empty() || c.step(rc, ru)
        });
        let mut k = 0;
        flows.retain_mut(|f| {
            let e = ev[flows_at + k];
            k += 1;
            match &listeners[f.listener].1 {
                Listener::Udp(l) if !e.is_empty() => udp_back(f, l, &mut buf),
                _ => true,
            }
        });
        for (i, (port, l)) in listeners.iter().enumerate() {
            if ev[1 + i].is_empty() {
                continue;
            }
            match l {
                Listener::Tcp(l) => accept_all(l, *port, connect, &mut conns),
                Listener::Udp(l) => udp_in(i, l, *port, connect, &mut flows, &mut buf),
            }
        }
    }
}

/// Takes every pending client of a TCP listener and connects each to the
/// container's port.
fn accept_all(l: &TcpListener, port: u16, connect: Connect<'_>, conns: &mut Vec<Conn>) {
    while let Ok((client, _)) = l.accept() {
        if conns.len() >= MAX_CONNS {
            continue;
        }
        let upstream = match connect(Proto::Tcp, port) {
            Ok(fd) => TcpStream::from(fd),
            Err(e) => {
                log::debug!("port {port}: connecting into the container: {e}");
                continue;
            }
        };
        if client.set_nonblocking(true).is_err() {
            continue;
        }
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        conns.push(Conn {
            client,
            upstream,
            connecting: true,
            up: Half::new(),
            down: Half::new(),
        });
    }
}

/// Datagrams from the host's clients: each client's go out of its own
/// socket in the container (made on its first).
fn udp_in(
    i: usize,
    l: &UdpSocket,
    port: u16,
    connect: Connect<'_>,
    flows: &mut Vec<Flow>,
    buf: &mut [u8],
) {
    while let Ok((n, peer)) = l.recv_from(buf) {
        let at = flows.iter().position(|f| f.listener == i && f.peer == peer);
        let at = match at {
            Some(at) => at,
            None if flows.len() < MAX_FLOWS => match connect(Proto::Udp, port) {
                Ok(fd) => {
                    flows.push(Flow {
                        listener: i,
                        peer,
                        sock: UdpSocket::from(fd),
                        last: Instant::now(),
                    });
                    flows.len() - 1
                }
                Err(_) => continue,
            },
            None => continue,
        };
        let f = &mut flows[at];
        f.last = Instant::now();
        let _ = f.sock.send(&buf[..n]);
    }
}

/// Answers from the container back to the flow's client; false if the
/// flow is dead (its port refused).
fn udp_back(f: &mut Flow, l: &UdpSocket, buf: &mut [u8]) -> bool {
    loop {
        match f.sock.recv(buf) {
            Ok(n) => {
                f.last = Instant::now();
                let _ = l.send_to(&buf[..n], f.peer);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
