//! The embedded DNS server a container's monitor runs for it (docker's 127.0.0.11:53).
//!
//! It answers the names the engine knows (containers, aliases) itself and forwards every
//! other query, as the raw packet with a fresh id, to the host's resolvers. It is driven by
//! the monitor's single-threaded `poll(2)` loop: both sockets are nonblocking, and every
//! entry point returns as soon as there is nothing left to read.
//!
//! Files: this one is the UDP server and what it answers; `tcp.rs` is DNS over TCP (clients,
//! and forwards over TCP), `wire.rs` builds replies and scans raw questions, `resolv.rs`
//! reads the host's resolvers.

mod resolv;
mod tcp;
mod wire;

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io;
use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use simple_dns::rdata::{RData, A, PTR};
use simple_dns::{
    Name, Packet, PacketFlag, ResourceRecord, CLASS, OPCODE, QCLASS, QTYPE, RCODE, TYPE,
};

pub use resolv::parse_resolv_conf;
use tcp::{TcpConn, UpConn};
use wire::{build_reply, name_key, raw_reply, reverse_ip, scan_question};

/// TTL of the records we answer ourselves (docker uses 600 s).
const TTL: u32 = 600;
/// How long a forwarded query waits for its upstream reply.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this many forwards in flight; beyond that a query gets SERVFAIL.
const MAX_PENDING: usize = 1024;
/// At most this many datagrams per call, so a flood cannot starve the rest of the poll loop
/// (the fds are level-triggered: whatever is left is reported again).
const BUDGET: usize = 1024;
/// Largest UDP reply to a query without EDNS (RFC 1035).
const PLAIN_UDP_LIMIT: usize = 512;
/// The UDP payload size we advertise, and the largest reply we send, with EDNS.
const EDNS_UDP_SIZE: u16 = 1232;
/// Wire size of one compressed A record (pointer 2, type 2, class 2, ttl 4, len 2, addr 4).
const A_RECORD_SIZE: usize = 16;
/// Receive buffer: the largest UDP datagram.
const BUF_SIZE: usize = 65536;
/// Largest DNS message over TCP (its 2-byte length prefix).
const TCP_LIMIT: usize = 65535;
/// Our own address, never a resolver to forward to.
const EMBEDDED: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 11);

/// What the server answers itself.
pub trait Records {
    /// The IPv4 addresses of `name` (already lowercased, no trailing dot), or `None` when the
    /// name is not ours and must be forwarded.
    fn lookup(&self, name: &str) -> Option<Vec<Ipv4Addr>>;

    /// The name of ours that has address `ip` (a PTR answer), or `None` when the address is
    /// not ours and the reverse query must be forwarded.
    fn reverse(&self, _ip: Ipv4Addr) -> Option<String> {
        None
    }

    /// Whether names that are not ours may be forwarded upstream. A container with no way
    /// out (only on `--internal` networks) must not reach the host's resolvers through its
    /// DNS server (CVE-2024-29018): as docker, such queries get SERVFAIL.
    fn forwards(&self) -> bool {
        true
    }
}

/// Where a query came from, and so where its reply goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Client {
    Udp(SocketAddr),
    /// A TCP connection, by its serial.
    Tcp(u64),
}

/// A query forwarded upstream, keyed by the fresh id it was sent with.
struct Pending {
    client: Client,
    id: u16,
    upstream: SocketAddr,
    deadline: Instant,
}

/// A poll-driven DNS server: answers our names, forwards the rest.
pub struct DnsServer {
    listen: UdpSocket,
    upstream: UdpSocket,
    /// The TCP side (same address as `listen`), when given.
    tcp: Option<TcpListener>,
    conns: Vec<TcpConn>,
    up_conns: Vec<UpConn>,
    serial: u64,
    upstreams: Vec<SocketAddr>,
    pending: HashMap<u16, Pending>,
    /// Keyed hasher (random keys from the OS) that turns `seq` into unpredictable query ids.
    ids: RandomState,
    seq: u64,
    buf: Vec<u8>,
}

impl DnsServer {
    /// Wraps `listen` (a bound UDP socket, e.g. 127.0.0.11:53 in the container's netns) and
    /// creates the upstream socket in the caller's netns.
    ///
    /// The upstream socket is bound to `0.0.0.0:0` and IPv6 resolvers are dropped, unless all
    /// `upstreams` are IPv6: then it is bound to `[::]:0` (falling back to no upstream, and so
    /// SERVFAIL for foreign names, when IPv6 is unavailable).
    pub fn new(listen: UdpSocket, upstreams: Vec<SocketAddr>) -> io::Result<DnsServer> {
        listen.set_nonblocking(true)?;
        let any_v4 = upstreams.iter().any(SocketAddr::is_ipv4);
        let (upstream, upstreams) = if any_v4 || upstreams.is_empty() {
            let v4 = upstreams.into_iter().filter(SocketAddr::is_ipv4).collect();
            (UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?, v4)
        } else {
            match UdpSocket::bind((Ipv6Addr::UNSPECIFIED, 0)) {
                Ok(sock) => (sock, upstreams),
                Err(_) => (UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?, Vec::new()),
            }
        };
        upstream.set_nonblocking(true)?;
        Ok(DnsServer {
            listen,
            upstream,
            tcp: None,
            conns: Vec::new(),
            up_conns: Vec::new(),
            serial: 0,
            upstreams,
            pending: HashMap::new(),
            ids: RandomState::new(),
            seq: 0,
            buf: vec![0; BUF_SIZE],
        })
    }

    /// Serves TCP too, on `listener` (bound at the UDP socket's address): queries whose UDP
    /// answer was truncated, and clients that prefer TCP (`options use-vc`).
    pub fn with_tcp(mut self, listener: TcpListener) -> io::Result<DnsServer> {
        listener.set_nonblocking(true)?;
        self.tcp = Some(listener);
        Ok(self)
    }

    /// The fds to poll, each for POLLIN and, when the flag is set, POLLOUT too: the UDP
    /// socket, the upstream socket, then the TCP listener, its connections and the TCP
    /// forwards if any. [`DnsServer::on_ready`] takes the results in this order.
    pub fn fds(&self) -> Vec<(BorrowedFd<'_>, bool)> {
        let mut v = vec![(self.listen.as_fd(), false), (self.upstream.as_fd(), false)];
        if let Some(t) = &self.tcp {
            v.push((t.as_fd(), false));
            v.extend(self.conns.iter().map(|c| (c.stream.as_fd(), false)));
            v.extend(
                self.up_conns
                    .iter()
                    .map(|u| (u.stream.as_fd(), !u.out.is_empty())),
            );
        }
        v
    }

    /// Handles what poll reported readable, `ready[i]` for `fds()[i]`.
    pub fn on_ready(&mut self, ready: &[bool], records: &dyn Records) {
        let got = |i: usize| ready.get(i).copied().unwrap_or(false);
        if got(0) {
            self.on_query(records);
        }
        if got(1) {
            self.on_upstream();
        }
        if self.tcp.is_none() {
            return;
        }
        // Connections first (new ones would shift the indices), then new connections.
        let readable: Vec<u64> = self
            .conns
            .iter()
            .enumerate()
            .filter(|(k, _)| got(3 + k))
            .map(|(_, c)| c.serial)
            .collect();
        let base = 3 + self.conns.len();
        let mut ups: Vec<usize> = (0..self.up_conns.len()).filter(|k| got(base + k)).collect();
        // Forwards first (by index, from the last, as finished ones are removed).
        ups.reverse();
        for k in ups {
            self.on_up_conn(k);
        }
        for serial in readable {
            self.on_tcp(serial, records);
        }
        if got(2) {
            self.accept();
        }
    }

    /// Sends a reply to its client. A TCP reply that cannot be written whole at once closes
    /// the connection (the client retries); a full UDP send buffer drops the datagram.
    fn send(&mut self, client: Client, reply: &[u8]) {
        match client {
            Client::Udp(addr) => {
                let _ = self.listen.send_to(reply, addr);
            }
            Client::Tcp(serial) => {
                let Some(k) = self.conns.iter().position(|c| c.serial == serial) else {
                    return;
                };
                let Ok(len) = u16::try_from(reply.len()) else {
                    return;
                };
                let mut framed = Vec::with_capacity(reply.len() + 2);
                framed.extend_from_slice(&len.to_be_bytes());
                framed.extend_from_slice(reply);
                if self.conns[k].stream.write_all(&framed).is_err() {
                    self.conns.remove(k);
                }
            }
        }
    }

    /// Handles everything readable on the listening socket: answers our names, forwards the
    /// rest. Returns at WouldBlock (or after a bounded number of datagrams).
    pub fn on_query(&mut self, records: &dyn Records) {
        let mut buf = std::mem::take(&mut self.buf);
        for _ in 0..BUDGET {
            match self.listen.recv_from(&mut buf) {
                Ok((n, client)) => {
                    let client = Client::Udp(client);
                    if let Some(reply) = self.handle_query(&buf[..n], client, records) {
                        // A full send buffer drops the reply; the client retries.
                        self.send(client, &reply);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // Interrupted, or a queued socket error (consumed by this recv): go on.
                Err(_) => continue,
            }
        }
        self.buf = buf;
    }

    /// Relays upstream replies back to their clients, restoring the client's query id.
    /// Returns at WouldBlock (or after a bounded number of datagrams).
    pub fn on_upstream(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        for _ in 0..BUDGET {
            match self.upstream.recv_from(&mut buf) {
                Ok((n, from)) => self.relay(&mut buf[..n], from),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => continue,
            }
        }
        self.buf = buf;
    }

    /// Drops forwards older than 5 s; returns the time until the next deadline (for the poll
    /// timeout), `None` when nothing is pending.
    pub fn expire(&mut self, now: Instant) -> Option<Duration> {
        self.pending.retain(|_, p| p.deadline > now);
        self.conns.retain(|c| c.deadline > now);
        self.up_conns.retain(|u| u.deadline > now);
        self.pending
            .values()
            .map(|p| p.deadline)
            .chain(self.conns.iter().map(|c| c.deadline))
            .chain(self.up_conns.iter().map(|u| u.deadline))
            .map(|d| d - now)
            .min()
    }

    /// The reply to send to `client` for the datagram `pkt`, if any.
    fn handle_query(
        &mut self,
        pkt: &[u8],
        client: Client,
        records: &dyn Records,
    ) -> Option<Vec<u8>> {
        match Packet::parse(pkt) {
            Ok(query) => self.handle_parsed(&query, pkt, client, records),
            Err(_) => self.handle_raw(pkt, client, records),
        }
    }

    fn handle_parsed(
        &mut self,
        query: &Packet<'_>,
        pkt: &[u8],
        client: Client,
        records: &dyn Records,
    ) -> Option<Vec<u8>> {
        if query.has_flags(PacketFlag::RESPONSE)
            || query.opcode() != OPCODE::StandardQuery
            || query.questions.len() != 1
        {
            return None;
        }
        let question = &query.questions[0];
        let tcp = matches!(client, Client::Tcp(_));
        let name = name_key(question.qname.get_labels().iter().map(|l| l.as_ref()));
        // Reverse lookups of our addresses.
        if let Some(host) = name
            .as_deref()
            .and_then(reverse_ip)
            .and_then(|ip| records.reverse(ip))
        {
            let host = format!("{host}.");
            let answers = if question.qtype == QTYPE::TYPE(TYPE::PTR) {
                match Name::new(&host) {
                    Ok(target) => vec![ResourceRecord::new(
                        question.qname.clone(),
                        CLASS::IN,
                        TTL,
                        RData::PTR(PTR(target)),
                    )],
                    Err(_) => Vec::new(),
                }
            } else {
                Vec::new()
            };
            return build_reply(query, RCODE::NoError, answers, true, tcp);
        }
        match name.and_then(|n| records.lookup(&n)) {
            Some(addrs) => {
                let wants_a = question.qtype == QTYPE::TYPE(TYPE::A)
                    && matches!(question.qclass, QCLASS::CLASS(CLASS::IN) | QCLASS::ANY);
                let answers = if wants_a {
                    self.shuffle(addrs)
                        .into_iter()
                        .map(|ip| {
                            let rdata = RData::A(A {
                                address: u32::from(ip),
                            });
                            ResourceRecord::new(question.qname.clone(), CLASS::IN, TTL, rdata)
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                build_reply(query, RCODE::NoError, answers, true, tcp)
            }
            None if records.forwards() && self.forward(pkt, query.id(), client) => None,
            None => build_reply(query, RCODE::ServerFailure, Vec::new(), false, tcp),
        }
    }

    /// Packets simple-dns cannot parse: only a well-formed single question of a type it does
    /// not know is served (raw); anything else is malformed and ignored.
    fn handle_raw(&mut self, pkt: &[u8], client: Client, records: &dyn Records) -> Option<Vec<u8>> {
        let q = scan_question(pkt)?;
        if QTYPE::try_from(q.qtype).is_ok() && QCLASS::try_from(q.qclass).is_ok() {
            return None;
        }
        let ours = q.name.as_deref().and_then(|n| records.lookup(n)).is_some();
        if ours {
            // Not an A question: an empty NOERROR, so the client does not go elsewhere.
            Some(raw_reply(pkt, &q, RCODE::NoError, true))
        } else if records.forwards() && self.forward(pkt, q.id, client) {
            None
        } else {
            Some(raw_reply(pkt, &q, RCODE::ServerFailure, false))
        }
    }

    /// `addrs` in a random order, as docker's embedded DNS answers
    /// (libnetwork's `shuffleAddr`): every container's server starts from
    /// its own random keys, so a script's first lookup of an alias does not
    /// always reach the same backend.
    fn shuffle(&mut self, mut addrs: Vec<Ipv4Addr>) -> Vec<Ipv4Addr> {
        for i in (1..addrs.len()).rev() {
            self.seq = self.seq.wrapping_add(1);
            let j = (self.ids.hash_one(self.seq) % (i as u64 + 1)) as usize;
            addrs.swap(i, j);
        }
        addrs
    }

    /// Sends `pkt` upstream with a fresh id, trying the resolvers in order until one send
    /// succeeds. False when there is no upstream, too much in flight, or every send failed.
    fn forward(&mut self, pkt: &[u8], id: u16, client: Client) -> bool {
        if self.upstreams.is_empty() || self.pending.len() >= MAX_PENDING || pkt.len() < 2 {
            return false;
        }
        if let Client::Tcp(serial) = client {
            return self.forward_tcp(pkt, serial);
        }
        let fresh = self.fresh_id();
        let mut out = pkt.to_vec();
        out[..2].copy_from_slice(&fresh.to_be_bytes());
        let Some(&upstream) = self
            .upstreams
            .iter()
            .find(|&&up| self.upstream.send_to(&out, up).is_ok())
        else {
            return false;
        };
        let deadline = Instant::now() + FORWARD_TIMEOUT;
        self.pending.insert(
            fresh,
            Pending {
                client,
                id,
                upstream,
                deadline,
            },
        );
        true
    }

    /// An unpredictable id not used by any pending forward.
    fn fresh_id(&mut self) -> u16 {
        loop {
            self.seq = self.seq.wrapping_add(1);
            // Truncation intended: 16 bits of a keyed SipHash.
            let id = self.ids.hash_one(self.seq) as u16;
            if !self.pending.contains_key(&id) {
                return id;
            }
        }
    }

    /// Sends an upstream reply on to its client, if it answers a pending forward and comes
    /// from the resolver that forward went to.
    fn relay(&mut self, reply: &mut [u8], from: SocketAddr) {
        if reply.len() < 12 || reply[2] & 0x80 == 0 {
            return;
        }
        let fresh = u16::from_be_bytes([reply[0], reply[1]]);
        match self.pending.get(&fresh) {
            Some(p) if same_endpoint(p.upstream, from) => {}
            _ => return,
        }
        let Some(p) = self.pending.remove(&fresh) else {
            return;
        };
        reply[..2].copy_from_slice(&p.id.to_be_bytes());
        self.send(p.client, reply);
    }
}

/// Same address (IPv4-mapped IPv6 folded to IPv4) and port.
fn same_endpoint(a: SocketAddr, b: SocketAddr) -> bool {
    a.ip().to_canonical() == b.ip().to_canonical() && a.port() == b.port()
}

#[cfg(test)]
mod tests;
