use super::batch::{build_batch, nft_msg, BatchMsg};
use super::nft::jump;
use super::socket::{open_socket, transact, NlIter};
use super::*;
use netlink_packet_core::{NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_REQUEST};
use netlink_packet_netfilter::nftables::{NfTablesMessage, RuleAttribute, RuleMessage};
use netlink_packet_netfilter::NetfilterProtoFamily;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Duration;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A fresh network namespace, kept alive by its fd; it (and all its
/// interfaces and nftables tables) disappears when dropped.
struct Netns(OwnedFd);

impl Netns {
    fn new() -> Netns {
        let fd = std::thread::spawn(|| {
            // SAFETY: unshare only changes this helper thread's netns.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                panic!("unshare(CLONE_NEWNET): {}", io::Error::last_os_error());
            }
            OwnedFd::from(File::open("/proc/thread-self/ns/net").expect("open netns"))
        })
        .join()
        .expect("netns thread");
        Netns(fd)
    }

    fn path(&self) -> String {
        format!("/proc/{}/fd/{}", std::process::id(), self.0.as_raw_fd())
    }

    /// Run `f` on a thread inside this namespace.
    fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let raw = self.0.as_raw_fd();
        std::thread::scope(|s| {
            s.spawn(move || {
                // SAFETY: `raw` stays open for the scope; only this
                // scoped thread changes namespace.
                assert_eq!(unsafe { libc::setns(raw, libc::CLONE_NEWNET) }, 0);
                f()
            })
            .join()
            .expect("thread in netns panicked")
        })
    }

    /// Run a command inside this namespace; returns stdout, panics on failure.
    fn cmd(&self, prog: &str, args: &[&str]) -> String {
        let raw = self.0.as_raw_fd();
        let mut c = Command::new(prog);
        c.args(args);
        // SAFETY: the closure only calls setns, an async-signal-safe
        // syscall, on an fd inherited across fork.
        unsafe {
            c.pre_exec(move || {
                if libc::setns(raw, libc::CLONE_NEWNET) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = c.output().unwrap_or_else(|e| panic!("running {prog}: {e}"));
        assert!(
            out.status.success(),
            "{prog} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn ip(&self, args: &str) {
        self.cmd("ip", &args.split_whitespace().collect::<Vec<_>>());
    }

    fn nft_list(&self) -> Option<String> {
        let raw = self.0.as_raw_fd();
        let mut c = Command::new("nft");
        c.args(["list", "table", "ip", TABLE]);
        // SAFETY: as in `cmd`.
        unsafe {
            c.pre_exec(move || {
                if libc::setns(raw, libc::CLONE_NEWNET) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = c.output().expect("running nft");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

fn have_nft() -> bool {
    Command::new("nft").arg("--version").output().is_ok()
}

macro_rules! require_env {
    () => {
        if !is_root() || !have_nft() {
            crate::util::test_skip("needs root and the nft binary");
            return;
        }
    };
}

fn net(bridge: &str, subnet: &str, internal: bool) -> Network {
    Network {
        bridge: bridge.into(),
        subnet: subnet.parse().unwrap(),
        internal,
    }
}

fn port(host_ip: Option<&str>, host_port: u16, proto: Proto, cip: &str, cport: u16) -> PortMap {
    PortMap {
        host_ip: host_ip.map(|s| s.parse().unwrap()),
        host_port,
        proto,
        container_ip: cip.parse().unwrap(),
        container_port: cport,
        bridge: "skiff0".into(),
    }
}

fn full() -> Ruleset {
    Ruleset {
        networks: vec![
            net("skiff0", "10.88.0.0/16", false),
            net("skiffint", "10.89.0.0/24", true),
        ],
        ports: vec![
            port(None, 8080, Proto::Tcp, "10.88.0.2", 80),
            port(Some("192.0.2.10"), 5353, Proto::Udp, "10.88.0.3", 53),
        ],
    }
}

fn norm(listing: &str) -> Vec<String> {
    listing.lines().map(|l| l.trim().to_string()).collect()
}

fn assert_has(listing: &str, line: &str) {
    assert!(
        norm(listing).iter().any(|l| l == line),
        "missing {line:?} in:\n{listing}"
    );
}

#[test]
fn batch_structure() {
    let b = build_batch(&full()).unwrap();
    let whats: Vec<_> = b.msgs.iter().map(|m| m.what.as_str()).collect();
    assert_eq!(whats[0], "beginning the batch");
    assert_eq!(whats[1], "adding table ip skiff");
    assert!(whats[2].starts_with("adding chain "), "{whats:?}");
    assert!(whats.iter().any(|w| w.starts_with("flushing chain ")));
    assert!(
        !whats.contains(&"deleting table ip skiff"),
        "chains are kept"
    );
    assert_eq!(*whats.last().unwrap(), "ending the batch");
    let (buf, index) = b.encode(100);
    assert_eq!(index.len(), b.msgs.len());
    // First message: batch begin, type NFNL_MSG_BATCH_BEGIN (16), res_id 10 BE.
    assert_eq!(u16::from_ne_bytes([buf[4], buf[5]]), 16);
    assert_eq!(&buf[18..20], &10u16.to_be_bytes());
    assert_eq!(NlIter(&buf).count(), b.msgs.len());

    let empty = build_batch(&Ruleset::default()).unwrap();
    assert_eq!(empty.msgs.len(), 4, "begin, add table, delete table, end");
}

#[test]
fn rejects_bad_ifname() {
    let mut r = full();
    r.networks[0].bridge = "a-very-long-bridge-name".into();
    let e = apply_in(Netns::new().0.as_fd(), &r).unwrap_err();
    assert!(matches!(e, FirewallError::Invalid(_)), "{e}");
    assert!(e
        .to_string()
        .starts_with("invalid skiff firewall ruleset: "));
}

#[test]
fn error_display_is_one_line() {
    let e = FirewallError::Rejected {
        err: io::Error::from_raw_os_error(libc::EPERM),
        at: None,
    };
    assert_eq!(
        e.to_string(),
        "applying the skiff nftables ruleset: Operation not permitted (os error 1)"
    );
    assert_eq!(e.errno(), Some(libc::EPERM));
}

#[test]
fn apply_lists_expected_rules() {
    require_env!();
    let ns = Netns::new();
    apply_in(ns.0.as_fd(), &full()).unwrap();
    let l = ns.nft_list().expect("table exists");
    for line in [
            "type nat hook postrouting priority srcnat; policy accept;",
            "type nat hook prerouting priority dstnat; policy accept;",
            "type nat hook output priority -100; policy accept;",
            "type filter hook forward priority filter; policy accept;",
            "ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 masquerade",
            "ip saddr 127.0.0.0/8 oifname \"skiff0\" masquerade",
            "fib daddr type local jump ports",
            "tcp dport 8080 dnat to 10.88.0.2:80",
            "ip daddr 192.0.2.10 udp dport 5353 dnat to 10.88.0.3:53",
            "iifname \"skiffint\" oifname != \"skiffint\" drop",
            "oifname \"skiffint\" iifname != \"skiffint\" drop",
            "type filter hook prerouting priority raw; policy accept;",
            "iifname != \"lo\" ip daddr 127.0.0.0/8 drop",
            "oifname \"skiff0\" iifname != \"skiff0\" ct state ! established,related ct status ! dnat drop",
        ] {
            assert_has(&l, line);
        }
    // The forward chain only drops: no accept there would let a
    // packet skip a later drop (those of a network added later).
    assert!(!l.contains("accept\n"), "{l}");
    assert_eq!(l.matches("drop").count(), 4, "{l}");
    // The internal network is not masqueraded.
    assert!(!l.contains("ip saddr 10.89.0.0/24"), "{l}");
    assert_eq!(l.matches("fib daddr type local jump ports").count(), 2);
}

#[test]
fn replace_shrink_empty_and_idempotent() {
    require_env!();
    let ns = Netns::new();
    // Empty ruleset on a namespace with no table: fine, still no table.
    apply_in(ns.0.as_fd(), &Ruleset::default()).unwrap();
    assert!(ns.nft_list().is_none());

    apply_in(ns.0.as_fd(), &full()).unwrap();
    let first = ns.nft_list().unwrap();
    apply_in(ns.0.as_fd(), &full()).unwrap();
    assert_eq!(
        ns.nft_list().unwrap(),
        first,
        "applying twice is idempotent"
    );

    let small = Ruleset {
        networks: vec![net("skiff0", "10.88.0.0/16", false)],
        ports: vec![],
    };
    apply_in(ns.0.as_fd(), &small).unwrap();
    let l = ns.nft_list().unwrap();
    assert_has(
        &l,
        "ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 masquerade",
    );
    for gone in ["dnat to", "skiffint", "ip saddr 127.0.0.0/8", "dport"] {
        assert!(!l.contains(gone), "{gone:?} should be gone:\n{l}");
    }

    apply_in(ns.0.as_fd(), &Ruleset::default()).unwrap();
    assert!(ns.nft_list().is_none(), "table should be gone");
    apply_in(ns.0.as_fd(), &Ruleset::default()).unwrap();
    assert!(ns.nft_list().is_none());
}

#[test]
fn appended_networks_get_their_drops_and_one_loopback_rule() {
    require_env!();
    let ns = Netns::new();
    let one = Ruleset {
        networks: vec![net("skiff0", "10.88.0.0/16", false)],
        ports: vec![port(None, 8080, Proto::Tcp, "10.88.0.2", 80)],
    };
    apply_in(ns.0.as_fd(), &one).unwrap();
    let conn = ns.run(|| Conn(open_socket().unwrap()));
    conn.apply_changes(Some(&one), &full()).unwrap();
    let appended = ns.nft_list().unwrap();
    apply_in(ns.0.as_fd(), &full()).unwrap();
    assert_eq!(appended, ns.nft_list().unwrap(), "same as a full apply");
    assert_eq!(appended.matches("ip daddr 127.0.0.0/8 drop").count(), 1);
    assert_has(
        &appended,
        "oifname \"skiffint\" iifname != \"skiffint\" drop",
    );
}

#[test]
fn failure_changes_nothing() {
    require_env!();
    let ns = Netns::new();
    apply_in(ns.0.as_fd(), &full()).unwrap();
    let before = ns.nft_list().unwrap();
    // Append a rule the kernel rejects (a jump to a chain that does not
    // exist) to an otherwise valid replacement batch.
    let mut batch = build_batch(&Ruleset {
        networks: vec![net("other0", "10.90.0.0/16", false)],
        ports: vec![],
    })
    .unwrap();
    let end = batch.msgs.pop().unwrap();
    let bad = RuleMessage {
        attributes: vec![
            RuleAttribute::Table(TABLE.to_string()),
            RuleAttribute::Chain("forward".to_string()),
            RuleAttribute::Expressions(vec![jump("no-such-chain")]),
        ],
    };
    batch.msgs.push(BatchMsg {
        msg: nft_msg(
            NetfilterProtoFamily::IPv4,
            0,
            NfTablesMessage::NewRule(bad),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND,
        ),
        what: "adding a bad rule".into(),
    });
    batch.msgs.push(end);
    let sock = Netns::socket_in(&ns);
    let err = transact(&sock, &batch).unwrap_err();
    assert!(matches!(err, FirewallError::Rejected { .. }), "{err}");
    assert_eq!(err.errno(), Some(libc::ENOENT), "{err}");
    assert_eq!(
            err.to_string(),
            "applying the skiff nftables ruleset: No such file or directory (os error 2) (while adding a bad rule)"
        );
    assert_eq!(
        ns.nft_list().unwrap(),
        before,
        "aborted batch changed nothing"
    );
}

impl Netns {
    fn socket_in(&self) -> Socket {
        self.run(|| open_socket().unwrap())
    }
}

#[test]
fn unprivileged_gets_eperm() {
    require_env!();
    let ns = Netns::new();
    let r = ns.run(|| {
        // Drop CAP_NET_ADMIN from this thread only: switch the thread's
        // effective uid (raw syscall, not the process-wide libc wrapper).
        // SAFETY: raw setresuid on this thread only; it exits afterwards.
        let rc = unsafe { libc::syscall(libc::SYS_setresuid, 65534, 65534, 65534) };
        assert_eq!(rc, 0);
        let sock = open_socket().unwrap();
        transact(&sock, &build_batch(&full()).unwrap())
    });
    let e = r.unwrap_err();
    assert_eq!(e.errno(), Some(libc::EPERM), "{e}");
    assert_eq!(
            e.to_string(),
            "applying the skiff nftables ruleset: Operation not permitted (os error 1) (while beginning the batch)"
        );
    assert!(ns.nft_list().is_none());
}

#[test]
fn port_forward_functional() {
    require_env!();
    let host = Netns::new();
    let ctr = Netns::new();
    host.ip("link set lo up");
    host.ip("link add skiff0 type bridge");
    host.ip("addr add 10.88.0.1/16 dev skiff0");
    host.ip("link set skiff0 up");
    // The "host's own address" (TEST-NET-2, only inside this netns).
    host.ip("addr add 198.51.100.1/32 dev lo");
    host.ip("link add vh0 type veth peer name vc0");
    host.ip("link set vh0 master skiff0 up");
    host.ip(&format!("link set vc0 netns {}", ctr.path()));
    ctr.ip("link set lo up");
    ctr.ip("addr add 10.88.0.2/16 dev vc0");
    ctr.ip("link set vc0 up");
    ctr.ip("route add default via 10.88.0.1");

    let listener = ctr.run(|| TcpListener::bind("10.88.0.2:80").expect("bind in container"));
    let server = std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        let (mut s, peer) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        s.write_all(b"pong").unwrap();
        peer
    });

    apply_in(
        host.0.as_fd(),
        &Ruleset {
            networks: vec![net("skiff0", "10.88.0.0/16", false)],
            ports: vec![port(None, 8080, Proto::Tcp, "10.88.0.2", 80)],
        },
    )
    .unwrap();

    let reply = host.run(|| {
        let addr = SocketAddrV4::new("198.51.100.1".parse().unwrap(), 8080);
        let mut s = TcpStream::connect_timeout(&addr.into(), Duration::from_secs(5))
            .expect("connect to published port");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).unwrap();
        buf
    });
    assert_eq!(&reply, b"pong");
    let peer = server.join().expect("server thread");
    assert_eq!(peer.ip().to_string(), "198.51.100.1");
}

/// Accepts on `addr` inside `ns` and answers each connection with "k",
/// until dropped.
struct Server {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(ns: &Netns, addr: &str) -> Server {
        let l = ns.run(|| TcpListener::bind(addr).expect("bind test server"));
        l.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                match l.accept() {
                    Ok((mut s, _)) => {
                        let _ = s.write_all(b"k");
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Server {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether a TCP client in `ns` gets the server's "k" from `to`.
fn reaches(ns: &Netns, to: &str) -> bool {
    let addr: SocketAddrV4 = to.parse().unwrap();
    ns.run(|| {
        let Ok(mut s) = TcpStream::connect_timeout(&addr.into(), Duration::from_millis(700)) else {
            return false;
        };
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut b = [0u8; 1];
        s.read_exact(&mut b).is_ok() && &b == b"k"
    })
}

fn sysctl(ns: &Netns, key: &str, value: &str) {
    let path = format!("/proc/sys/net/ipv4/{key}");
    ns.run(|| std::fs::write(&path, value))
        .unwrap_or_else(|e| panic!("writing {path}: {e}"));
}

/// A "host" with bridge skiff0 (10.88.0.1/16, route_localnet as skiff
/// sets it) and two "containers" on it, a "LAN" (192.168.77.0/24 on
/// veth lan0) that routes the bridge's subnet through the host, and a
/// second bridge skiff1 with a container of its own.
struct Lab {
    host: Netns,
    lan: Netns,
    ctr: Netns,
    peer: Netns,
    other: Netns,
}

impl Lab {
    fn new() -> Lab {
        let lab = Lab {
            host: Netns::new(),
            lan: Netns::new(),
            ctr: Netns::new(),
            peer: Netns::new(),
            other: Netns::new(),
        };
        let h = &lab.host;
        h.ip("link set lo up");
        sysctl(h, "ip_forward", "1");
        for (br, gw) in [("skiff0", "10.88.0.1/16"), ("skiff1", "10.99.0.1/16")] {
            h.ip(&format!("link add {br} type bridge"));
            h.ip(&format!("addr add {gw} dev {br}"));
            h.ip(&format!("link set {br} up"));
        }
        sysctl(h, "conf/skiff0/route_localnet", "1");
        for (ns, br, host_if, addr) in [
            (&lab.ctr, "skiff0", "vh0", "10.88.0.2/16"),
            (&lab.peer, "skiff0", "vh1", "10.88.0.3/16"),
            (&lab.other, "skiff1", "vh2", "10.99.0.2/16"),
        ] {
            h.ip(&format!("link add {host_if} type veth peer name eth0"));
            h.ip(&format!("link set {host_if} master {br} up"));
            h.ip(&format!("link set eth0 netns {}", ns.path()));
            ns.ip(&format!("addr add {addr} dev eth0"));
            ns.ip("link set eth0 up");
            let gw = if br == "skiff0" {
                "10.88.0.1"
            } else {
                "10.99.0.1"
            };
            ns.ip(&format!("route add default via {gw}"));
        }
        h.ip("link add lan0 type veth peer name lan1");
        h.ip("addr add 192.168.77.1/24 dev lan0");
        h.ip("link set lan0 up");
        h.ip(&format!("link set lan1 netns {}", lab.lan.path()));
        lab.lan.ip("addr add 192.168.77.2/24 dev lan1");
        lab.lan.ip("link set lan1 up");
        lab.lan.ip("route add 10.88.0.0/16 via 192.168.77.1");
        lab.lan.ip("route add 10.99.0.0/16 via 192.168.77.1");
        lab
    }

    /// Makes `ns` (its lo down: no local 127.0.0.0/8) send 127.0.0.0/8
    /// out of `dev` to `via`, as an attacker would.
    fn route_loopback_out(ns: &Netns, dev: &str, via: &str) {
        sysctl(ns, &format!("conf/{dev}/route_localnet"), "1");
        ns.ip(&format!("route add 127.0.0.0/8 via {via} dev {dev}"));
    }
}

#[test]
fn isolation_functional() {
    require_env!();
    let lab = Lab::new();
    let _web = Server::start(&lab.ctr, "0.0.0.0:80");
    let _hidden = Server::start(&lab.ctr, "0.0.0.0:81");
    let _other = Server::start(&lab.other, "0.0.0.0:81");
    let _lan = Server::start(&lab.lan, "192.168.77.2:9000");
    let _host_lo = Server::start(&lab.host, "127.0.0.1:7777");
    apply_in(
        lab.host.0.as_fd(),
        &Ruleset {
            networks: vec![
                net("skiff0", "10.88.0.0/16", false),
                net("skiff1", "10.99.0.0/16", false),
            ],
            ports: vec![port(None, 8080, Proto::Tcp, "10.88.0.2", 80)],
        },
    )
    .unwrap();

    // What must keep working: the published port from the LAN and from
    // the host itself (127.0.0.1, hairpin through route_localnet), a
    // container's peer on its bridge, a container reaching out.
    assert!(reaches(&lab.lan, "192.168.77.1:8080"), "published, LAN");
    assert!(reaches(&lab.host, "127.0.0.1:8080"), "published, host");
    assert!(reaches(&lab.peer, "10.88.0.2:81"), "same bridge");
    assert!(reaches(&lab.ctr, "192.168.77.2:9000"), "out to the LAN");
    assert!(
        reaches(&lab.other, "192.168.77.1:8080"),
        "published, other bridge"
    );

    // No new connection into a bridge unless DNATed: not an unpublished
    // port, not a published one by the container's own address, not
    // from another bridge.
    assert!(!reaches(&lab.lan, "10.88.0.2:81"), "unpublished, LAN");
    assert!(!reaches(&lab.lan, "10.88.0.2:80"), "direct, LAN");
    assert!(!reaches(&lab.other, "10.88.0.2:81"), "other bridge");
    assert!(!reaches(&lab.lan, "10.99.0.2:81"), "second bridge, LAN");

    // Nothing reaches 127.0.0.0/8 from outside lo: not the host's
    // loopback service from a container (route_localnet on the bridge),
    // not a port published on 127.0.0.1 from the LAN.
    Lab::route_loopback_out(&lab.ctr, "eth0", "10.88.0.1");
    assert!(!reaches(&lab.ctr, "127.0.0.1:7777"), "host lo, container");
    Lab::route_loopback_out(&lab.lan, "lan1", "192.168.77.1");
    assert!(!reaches(&lab.lan, "127.0.0.1:8080"), "published on lo, LAN");
    // The host itself still gets there.
    assert!(reaches(&lab.host, "127.0.0.1:7777"));
}
