//! The loop against real sockets on 127.0.0.1 (no namespaces: the
//! "container" is this process's loopback).

use super::*;
use std::net::{Ipv4Addr, SocketAddrV4};

fn connect_to(proto: Proto, port: u16) -> io::Result<OwnedFd> {
    use rustix::net::{AddressFamily, SocketFlags, SocketType};
    let ty = match proto {
        Proto::Tcp => SocketType::STREAM,
        Proto::Udp => SocketType::DGRAM,
    };
    let fd = rustix::net::socket_with(
        AddressFamily::INET,
        ty,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )?;
    match rustix::net::connect(&fd, &SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)) {
        Ok(()) | Err(rustix::io::Errno::INPROGRESS) => Ok(fd),
        Err(e) => Err(e.into()),
    }
}

/// Runs the loop on `fwds` in a thread; dropping the pipe's write end
/// stops it.
fn run(fwds: Vec<Forward>) -> (OwnedFd, std::thread::JoinHandle<io::Result<()>>) {
    let (r, w) = rustix::pipe::pipe().unwrap();
    let t = std::thread::spawn(move || serve(r.as_fd(), fwds, &connect_to));
    (w, t)
}

fn tcp_listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

#[test]
fn tcp_both_ways_with_half_close() {
    // The "container": an echo server that answers after the client's EOF.
    let backend = TcpListener::bind("127.0.0.1:0").unwrap();
    let bport = backend.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = backend.accept().unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        s.write_all(&got).unwrap();
        s.write_all(b"|done").unwrap();
    });
    let (l, port) = tcp_listener();
    let (stop, t) = run(vec![Forward {
        proto: Proto::Tcp,
        listener: l.into(),
        port: bport,
    }]);
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // More than one buffer's worth, so the loop has to flush and refill.
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let writer = {
        let mut c = c.try_clone().unwrap();
        let big = big.clone();
        std::thread::spawn(move || {
            c.write_all(&big).unwrap();
            c.shutdown(Shutdown::Write).unwrap();
        })
    };
    let mut back = Vec::new();
    c.read_to_end(&mut back).unwrap();
    writer.join().unwrap();
    server.join().unwrap();
    assert_eq!(back.len(), big.len() + 5);
    assert!(back.starts_with(&big) && back.ends_with(b"|done"));
    drop(stop);
    t.join().unwrap().unwrap();
}

#[test]
fn a_refused_upstream_ends_the_client() {
    // A port nothing listens on.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dport = dead.local_addr().unwrap().port();
    drop(dead);
    let (l, port) = tcp_listener();
    let (stop, t) = run(vec![Forward {
        proto: Proto::Tcp,
        listener: l.into(),
        port: dport,
    }]);
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 8];
    let n = c.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "closed, not answered");
    drop(stop);
    t.join().unwrap().unwrap();
}

#[test]
fn udp_answers_go_back_to_each_client() {
    let backend = UdpSocket::bind("127.0.0.1:0").unwrap();
    let bport = backend.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        for _ in 0..2 {
            let (n, from) = backend.recv_from(&mut buf).unwrap();
            let mut answer = b"re:".to_vec();
            answer.extend_from_slice(&buf[..n]);
            backend.send_to(&answer, from).unwrap();
        }
    });
    let l = UdpSocket::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let (stop, t) = run(vec![Forward {
        proto: Proto::Udp,
        listener: l.into(),
        port: bport,
    }]);
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    for s in [&a, &b] {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    a.send_to(b"a", ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 64];
    let n = a.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"re:a");
    b.send_to(b"b", ("127.0.0.1", port)).unwrap();
    let n = b.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"re:b");
    server.join().unwrap();
    drop(stop);
    t.join().unwrap().unwrap();
}

#[test]
fn it_stops_when_the_control_pipe_closes_and_frees_the_port() {
    let (l, port) = tcp_listener();
    let (stop, t) = run(vec![Forward {
        proto: Proto::Tcp,
        listener: l.into(),
        port: 9,
    }]);
    drop(stop);
    t.join().unwrap().unwrap();
    TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
}
