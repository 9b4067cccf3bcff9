//! The `NETLINK_NETFILTER` socket, and a batch sent over it as one
//! transaction.

use super::batch::Batch;
use super::nft::NLMSG_ERROR;
use super::FirewallError;
use std::io;
use std::os::fd::AsRawFd;
use std::time::Duration;

use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

fn setsockopt_raw<T>(fd: i32, level: i32, name: i32, value: &T) -> io::Result<()> {
    // SAFETY: `value` points to a live `T` of the given size for the duration
    // of the call; the kernel only reads it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub(super) fn open_socket() -> Result<Socket, FirewallError> {
    let mut sock = Socket::new(NETLINK_NETFILTER).map_err(FirewallError::Socket)?;
    sock.bind_auto().map_err(FirewallError::Socket)?;
    sock.connect(&SocketAddr::new(0, 0))
        .map_err(FirewallError::Socket)?;
    // Keep ACKs short (no echo of the request) and never wait forever.
    let _ = sock.set_cap_ack(true);
    let _ = sock.set_rx_buf_sz(1usize << 20);
    let tv = libc::timeval {
        tv_sec: RECV_TIMEOUT.as_secs() as libc::time_t,
        tv_usec: 0,
    };
    setsockopt_raw(sock.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVTIMEO, &tv)
        .map_err(FirewallError::Socket)?;
    Ok(sock)
}

const RECV_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn transact(sock: &Socket, batch: &Batch) -> Result<(), FirewallError> {
    // Sequence numbers only need to be unique on this fresh socket, but use
    // the clock so that traces are easy to tell apart.
    let seq0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(1);
    let (buf, index) = batch.encode(seq0);
    let mut pending: Vec<u32> = index
        .iter()
        .filter(|(_, (_, acked))| *acked)
        .map(|(seq, _)| *seq)
        .collect();

    if buf.len() > 128 * 1024 {
        let size = (buf.len() + 4096) as libc::c_int;
        let _ = setsockopt_raw(sock.as_raw_fd(), libc::SOL_SOCKET, libc::SO_SNDBUF, &size);
    }
    let sent = sock.send(&buf, 0).map_err(FirewallError::Send)?;
    if sent != buf.len() {
        return Err(FirewallError::Send(io::Error::other(format!(
            "short send ({sent} of {} bytes)",
            buf.len()
        ))));
    }

    let mut rbuf: Vec<u8> = Vec::with_capacity(64 * 1024);
    while !pending.is_empty() {
        rbuf.clear();
        let n = match sock.recv(&mut rbuf, 0) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FirewallError::Receive(e)),
        };
        let data = &rbuf[..n.min(rbuf.len())];
        for (ty, seq, payload) in NlIter(data) {
            if ty != NLMSG_ERROR || payload.len() < 4 {
                continue;
            }
            let code = i32::from_ne_bytes(payload[..4].try_into().expect("4 bytes"));
            if code != 0 {
                return Err(FirewallError::Rejected {
                    err: io::Error::from_raw_os_error(-code),
                    at: index.get(&seq).map(|(what, _)| what.clone()),
                });
            }
            pending.retain(|s| *s != seq);
        }
    }
    Ok(())
}

/// Iterator over (type, seq, payload) of the netlink messages in a datagram.
pub(super) struct NlIter<'a>(pub(super) &'a [u8]);

impl<'a> Iterator for NlIter<'a> {
    type Item = (u16, u32, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.0;
        if b.len() < 16 {
            return None;
        }
        let len = u32::from_ne_bytes(b[0..4].try_into().ok()?) as usize;
        if len < 16 || len > b.len() {
            self.0 = &[];
            return None;
        }
        let ty = u16::from_ne_bytes(b[4..6].try_into().ok()?);
        let seq = u32::from_ne_bytes(b[8..12].try_into().ok()?);
        let payload = &b[16..len];
        let next = (len + 3) & !3;
        self.0 = if next >= b.len() { &[] } else { &b[next..] };
        Some((ty, seq, payload))
    }
}
