//! A rootless container's published ports (`-p`), forwarded by skiff
//! itself, as rootless docker's builtin port driver and docker's userland
//! proxy do: the monitor binds each host port (in the host's network
//! namespace, as the user), and a small forwarder process, this binary
//! re-executed as `skiff __portfwd`, enters the container's user and
//! network namespaces and carries each connection (or UDP flow) to the
//! container's port on its loopback. pasta is then only the container's
//! way out: it forwards no port, so a stop doesn't wait for its slow exit
//! to free them; the forwarder's listeners are free as soon as it is
//! gone. The same forwarder serves a container on a rootless user
//! network (from any host address, not only the loopback).
//!
//! The forwarder lives as long as its monitor: it stops when the monitor
//! closes its control pipe, or is killed by it, or dies with it.

mod proxy;

use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

use super::ports::{PortBinding, Proto};
use crate::runtime::namespaces::{self, NsKind};

/// The argument that makes `skiff` a forwarder ([`main`]).
pub const ARG: &str = "__portfwd";

/// A bound host port and where it leads.
pub type Bound = (PortBinding, OwnedFd);

/// Binds the host side of `ports` (each ready for its forwarder). The
/// error is docker's, or says what stops the user.
pub fn bind(ports: &[PortBinding]) -> Result<Vec<Bound>, String> {
    ports
        .iter()
        .map(|p| {
            let ip = p.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED);
            let fd = match p.proto {
                Proto::Tcp => TcpListener::bind((ip, p.host_port)).and_then(|l| {
                    l.set_nonblocking(true)?;
                    Ok(OwnedFd::from(l))
                }),
                Proto::Udp => UdpSocket::bind((ip, p.host_port)).and_then(|l| {
                    l.set_nonblocking(true)?;
                    Ok(OwnedFd::from(l))
                }),
            };
            fd.map(|fd| (*p, fd)).map_err(|e| bind_error(p, ip, &e))
        })
        .collect()
}

fn bind_error(p: &PortBinding, ip: Ipv4Addr, e: &std::io::Error) -> String {
    let port = p.host_port;
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!("Bind for {ip}:{port} failed: port is already allocated")
        }
        std::io::ErrorKind::PermissionDenied => {
            let start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "1024".into());
            format!(
                "cannot expose privileged port {port}: a rootless container's host ports start at \
                 net.ipv4.ip_unprivileged_port_start ({start}); publish a higher one, or an \
                 administrator can run sysctl net.ipv4.ip_unprivileged_port_start={port}"
            )
        }
        _ => format!("publishing {ip}:{port}/{}: {e}", p.proto.as_str()),
    }
}

/// A running forwarder.
pub struct Forwarder {
    pidfd: OwnedFd,
    /// Its control pipe: closed (or the monitor gone), it stops.
    _ctl: OwnedFd,
}

/// Starts the forwarder of `bound` into the namespaces of the container
/// `id`'s process `pid`: the caller's child, not reaped (its namespaces
/// are opened through /proc). The listeners are bound already: a client
/// that connects now waits in their backlog.
pub fn start(id: &str, pid: i32, bound: Vec<Bound>) -> std::io::Result<Forwarder> {
    use std::os::unix::process::CommandExt;
    let open = |kind: &str| {
        let path = format!("/proc/{pid}/ns/{kind}");
        namespaces::open_ns(std::path::Path::new(&path))
            .map_err(|e| std::io::Error::new(e.kind(), format!("opening {path}: {e}")))
    };
    let (user, net) = (open("user")?, open("net")?);
    let (ctl_r, ctl_w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    let mut raws = vec![ctl_r.as_raw_fd(), user.as_raw_fd(), net.as_raw_fd()];
    raws.extend(bound.iter().map(|(_, fd)| fd.as_raw_fd()));
    let mut high = vec![0; raws.len()];
    let mut cmd = Command::new("/proc/self/exe");
    cmd.args([ARG, id])
        .args(
            bound
                .iter()
                .map(|(p, _)| format!("{}:{}", p.proto.as_str(), p.container_port)),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: fcntl, dup2, close and close_range are async-signal-safe;
    // `high` was allocated before the fork. The fds are first copied above
    // every one of them, so that placing one at 3.. clobbers no other.
    unsafe {
        cmd.pre_exec(move || {
            let above = raws.iter().copied().max().unwrap_or(0).max(100) + 1;
            for (h, fd) in high.iter_mut().zip(&raws) {
                *h = libc::fcntl(*fd, libc::F_DUPFD, above);
                if *h < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            for (i, h) in high.iter().enumerate() {
                if libc::dup2(*h, 3 + i as i32) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            let from = 3 + high.len() as u32;
            libc::syscall(libc::SYS_close_range, from, u32::MAX, 0u32);
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("a child's pid");
    let pidfd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())?;
    // (The monitor reaps it with its other children.)
    drop(child);
    Ok(Forwarder { pidfd, _ctl: ctl_w })
}

impl Forwarder {
    /// Stops it; returns once it is gone, and its ports with it (a next
    /// `run -p` can bind them).
    pub fn stop(self) {
        use rustix::event::{poll, PollFd, PollFlags, Timespec};
        let _ = rustix::process::pidfd_send_signal(&self.pidfd, rustix::process::Signal::KILL);
        let second = Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        for _ in 0..3 {
            let mut fds = [PollFd::new(&self.pidfd, PollFlags::IN)];
            match poll(&mut fds, Some(&second)) {
                Err(rustix::io::Errno::INTR) => continue,
                _ => break,
            }
        }
    }
}

/// `skiff __portfwd ID PROTO:PORT...` (ID: the container's, for `ps`
/// readers): the control pipe at fd 3, the
/// container's user and network namespaces at 4 and 5, the listeners
/// from 6 on, one per argument. Never returns.
pub fn main() -> ! {
    let code = match forward() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("skiff {ARG}: {e}");
            1
        }
    };
    std::process::exit(code)
}

fn forward() -> Result<(), String> {
    let specs: Vec<(Proto, u16)> = std::env::args()
        .skip(3)
        .map(|a| parse_spec(&a).ok_or_else(|| format!("bad port {a:?}")))
        .collect::<Result<_, _>>()?;
    // SAFETY: fds 3.. were placed by `start` for this process alone.
    let take = |fd: i32| unsafe { OwnedFd::from_raw_fd(fd) };
    let (ctl, user, net) = (take(3), take(4), take(5));
    let fwds = specs
        .iter()
        .enumerate()
        .map(|(i, &(proto, port))| proxy::Forward {
            proto,
            port,
            listener: take(6 + i as i32),
        })
        .collect();
    namespaces::join(NsKind::User, &user)
        .and_then(|()| namespaces::join(NsKind::Net, &net))
        .map_err(|e| format!("entering the container's network namespace: {e}"))?;
    drop((user, net));
    use std::os::fd::AsFd;
    proxy::serve(ctl.as_fd(), fwds, &connect_local).map_err(|e| e.to_string())
}

fn parse_spec(s: &str) -> Option<(Proto, u16)> {
    let (proto, port) = s.split_once(':')?;
    let proto = match proto {
        "tcp" => Proto::Tcp,
        "udp" => Proto::Udp,
        _ => return None,
    };
    Some((proto, port.parse().ok()?))
}

/// A socket to `port` on the loopback of the namespace this process is
/// in (non-blocking; a TCP connect may be in progress).
fn connect_local(proto: Proto, port: u16) -> std::io::Result<OwnedFd> {
    use rustix::net::{AddressFamily, SocketFlags, SocketType};
    let ty = match proto {
        Proto::Tcp => SocketType::STREAM,
        Proto::Udp => SocketType::DGRAM,
    };
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    let fd = rustix::net::socket_with(AddressFamily::INET, ty, flags, None)?;
    let to = std::net::SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    match rustix::net::connect(&fd, &to) {
        Ok(()) | Err(rustix::io::Errno::INPROGRESS) => Ok(fd),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_the_protocol_and_container_port() {
        assert_eq!(parse_spec("tcp:80"), Some((Proto::Tcp, 80)));
        assert_eq!(parse_spec("udp:53"), Some((Proto::Udp, 53)));
        assert_eq!(parse_spec("sctp:1"), None);
        assert_eq!(parse_spec("tcp:x"), None);
    }

    #[test]
    fn a_taken_port_is_dockers_error() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let p = PortBinding {
            host_ip: Some(Ipv4Addr::LOCALHOST),
            host_port: port,
            container_port: 80,
            proto: Proto::Tcp,
        };
        let e = bind(&[p]).err().unwrap();
        assert_eq!(
            e,
            format!("Bind for 127.0.0.1:{port} failed: port is already allocated")
        );
        drop(l);
        let b = bind(&[p]).unwrap();
        assert_eq!(b.len(), 1);
    }
}
