//! The host firewall and the embedded DNS as boundaries: a LAN host that
//! routes a bridge's subnet through this host reaches published ports
//! only; nothing reaches 127.0.0.0/8 from outside `lo` (route_localnet on
//! the bridges, CVE-2020-8558); a container on an `--internal` network
//! cannot get names resolved by the host's resolvers (CVE-2024-29018).
//!
//! The "LAN" is a network namespace this test makes, joined to the host by
//! a veth on 198.18.9.0/24; the containers' networks use 10.231.0.0/24 and
//! 10.232.0.0/24. None of them is routed by the host otherwise.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use crate::{require, setup};

const LAN_HOST: &str = "198.18.9.1";
const LAN_PEER: &str = "198.18.9.2";
const SUBNET: &str = "10.231.0.0/24";
const SEALED_SUBNET: &str = "10.232.0.0/24";

/// Whether the host routes any of `nets` already (then the test would
/// not be testing what it says).
fn host_routes_any(nets: &[&str]) -> bool {
    let out = std::process::Command::new("ip")
        .args(["-4", "route", "show", "table", "all"])
        .output()
        .unwrap();
    let routes = String::from_utf8_lossy(&out.stdout);
    nets.iter()
        .any(|n| routes.contains(n.split('/').next().unwrap()))
}

/// Runs `f` on a thread inside the network namespace at `path`.
fn in_netns<T: Send + 'static>(path: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let ns = std::fs::File::open(path).unwrap_or_else(|e| panic!("opening {path}: {e}"));
    std::thread::spawn(move || {
        // SAFETY: setns of this thread only, with a valid netns fd; the
        // thread ends with `f`.
        assert_eq!(
            unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) },
            0
        );
        f()
    })
    .join()
    .expect("thread in a netns")
}

/// Whether a TCP handshake with `to` completes from the netns at `ns`
/// (a dropped SYN times out; a closed port is refused).
fn connects(ns: &str, to: &str) -> bool {
    let to: SocketAddr = to.parse().unwrap();
    in_netns(ns, move || {
        TcpStream::connect_timeout(&to, Duration::from_millis(1500)).is_ok()
    })
}

/// The body of `GET /` from `to`, from the netns at `ns`, retried while
/// the server starts; "" if nothing answered.
fn http_get_in(ns: &str, to: &str) -> String {
    let to: SocketAddr = to.parse().unwrap();
    in_netns(ns, move || try_http_get(to))
}

/// The "LAN": a netns `skt-lan-<pid>` with 198.18.9.2 on a veth whose host
/// end has 198.18.9.1, routing `routed` through the host. Deleted on drop.
struct Lan {
    name: String,
    host_if: String,
}

impl Lan {
    fn new(routed: &[&str]) -> Lan {
        let lan = Lan {
            name: format!("skt-lan-{}", std::process::id()),
            host_if: format!("sktl{}", std::process::id() % 100_000),
        };
        let (name, host_if) = (&lan.name, &lan.host_if);
        sh(&format!("ip netns add {name}"));
        sh(&format!(
            "ip link add {host_if} type veth peer name lan0 netns {name}"
        ));
        sh(&format!(
            "ip addr add {LAN_HOST}/24 dev {host_if} && ip link set {host_if} up"
        ));
        sh(&format!(
            "ip netns exec {name} sh -c 'ip addr add {LAN_PEER}/24 dev lan0 && ip link set lan0 up'"
        ));
        for net in routed {
            sh(&format!(
                "ip netns exec {name} ip route add {net} via {LAN_HOST}"
            ));
        }
        lan
    }

    fn path(&self) -> String {
        format!("/run/netns/{}", self.name)
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &self.host_if])
            .output();
    }
}

/// `skiff inspect -f <fmt> <name>`, trimmed.
fn inspect(s: &Skiff, fmt: &str, name: &str) -> String {
    s.ok(&["inspect", "-f", fmt, name]).trim().to_owned()
}

/// Serves "GET /" on 80 (and 8081) with busybox httpd.
const WEB: &str = "mkdir -p /www && echo hello from web > /www/index.html && httpd -p 8081 -h /www && exec httpd -f -p 80 -h /www";

/// Network `fwnet` (on [`SUBNET`]), the LAN routing it through the host,
/// and container `web` on it ([`WEB`]) with port 80 published on a free
/// host port, on `host_ip` if not empty ("127.0.0.1:"); that port.
fn web_on_fwnet(s: &Skiff, img: &str, host_ip: &str) -> (Lan, u16) {
    s.ok(&["network", "create", "--subnet", SUBNET, "fwnet"]);
    let lan = Lan::new(&[SUBNET]);
    let port = free_port();
    let spec = format!("{host_ip}{port}:80");
    s.ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        "fwnet",
        "-p",
        &spec,
        img,
        "sh",
        "-c",
        WEB,
    ]);
    (lan, port)
}

#[test]
fn lan_reaches_published_ports_only() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    if host_routes_any(&[SUBNET, "198.18.9.0/24"]) {
        skip("the host already routes 10.231.0.0/24 or 198.18.9.0/24");
        return;
    }
    let (lan, port) = web_on_fwnet(s, &e.img, "");
    s.ok(&[
        "run",
        "-d",
        "--name",
        "peer",
        "--network",
        "fwnet",
        &e.img,
        "sleep",
        "100",
    ]);
    let ip = inspect(s, "{{.NetworkSettings.Networks.fwnet.IPAddress}}", "web");
    let host_ns = "/proc/self/ns/net";

    // The published port answers on the host's LAN address, from the LAN.
    let got = http_get_in(&lan.path(), &format!("{LAN_HOST}:{port}"));
    assert!(
        got.contains("hello from web"),
        "published, from the LAN: {got:?}"
    );
    // Both ports are open: the host itself reaches them directly.
    assert!(http_get_in(host_ns, &format!("{ip}:8081")).contains("hello from web"));
    assert!(connects(host_ns, &format!("{ip}:80")));
    // The LAN reaches neither by the container's address: not the
    // unpublished port, not the published one around its DNAT.
    assert!(
        !connects(&lan.path(), &format!("{ip}:8081")),
        "the LAN reached an unpublished port of {ip}"
    );
    assert!(
        !connects(&lan.path(), &format!("{ip}:80")),
        "the LAN reached {ip}:80 without going through the published port"
    );

    // Containers on the bridge still reach each other, and the outside.
    let got = s.ok(&["exec", "peer", "wget", "-q", "-O", "-", "http://web:8081/"]);
    assert_eq!(got, "hello from web\n");
    let lan_path = lan.path();
    let listener = in_netns(&lan_path, || {
        TcpListener::bind(format!("{LAN_PEER}:9000")).unwrap()
    });
    let server = std::thread::spawn(move || {
        let (mut c, from) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        let _ = c.read(&mut buf);
        let _ = write!(c, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nlan");
        from.ip().to_string()
    });
    let got = s.ok(&[
        "exec",
        "peer",
        "wget",
        "-q",
        "-O",
        "-",
        "http://198.18.9.2:9000/",
    ]);
    assert_eq!(got, "lan");
    assert_eq!(server.join().unwrap(), LAN_HOST, "masqueraded");
    drop(lan);
}

#[test]
fn loopback_is_reached_from_lo_only() {
    require!("nsenter");
    let Some(e) = setup() else { return };
    let s = &e.s;
    if host_routes_any(&[SUBNET, "198.18.9.0/24"]) {
        skip("the host already routes 10.231.0.0/24 or 198.18.9.0/24");
        return;
    }
    // A service of the host's own on 127.0.0.1.
    let service = TcpListener::bind("127.0.0.1:0").unwrap();
    let service_port = service.local_addr().unwrap().port();
    service.set_nonblocking(true).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicUsize::new(0));
    let (flag, count) = (stop.clone(), accepted.clone());
    let service = std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            match service.accept() {
                Ok(_) => {
                    count.fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });

    // A port published on 127.0.0.1: the bridge gets route_localnet=1.
    let (lan, port) = web_on_fwnet(s, &e.img, "127.0.0.1:");
    let bridge = inspect(s, "{{.NetworkSettings.Networks.fwnet.Gateway}}", "web");
    let localnet = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .find(|n| {
            std::process::Command::new("ip")
                .args(["-4", "-o", "addr", "show", "dev", n])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&bridge))
        })
        .map(|n| {
            std::fs::read_to_string(format!("/proc/sys/net/ipv4/conf/{n}/route_localnet")).unwrap()
        });
    assert_eq!(
        localnet.as_deref(),
        Some("1\n"),
        "route_localnet on the bridge"
    );
    // From the host, it answers.
    let host_ns = "/proc/self/ns/net";
    let got = http_get_in(host_ns, &format!("127.0.0.1:{port}"));
    assert!(got.contains("hello from web"), "published on lo: {got:?}");

    // The container, with its lo down and 127.0.0.0/8 routed to its
    // gateway (what a container with NET_ADMIN can do), cannot reach the
    // host's loopback service through the bridge.
    let pid = inspect(s, "{{.State.Pid}}", "web");
    let ip = inspect(s, "{{.NetworkSettings.Networks.fwnet.IPAddress}}", "web");
    sh(&format!(
        "nsenter -t {pid} -n sh -c 'ip addr flush dev lo && ip link set lo down && echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet && ip route add 127.0.0.0/8 via {bridge} dev eth0 src {ip}'"
    ));
    let ctr_ns = format!("/proc/{pid}/ns/net");
    let before = accepted.load(Ordering::Relaxed);
    assert!(
        !connects(&ctr_ns, &format!("127.0.0.1:{service_port}")),
        "a container reached the host's 127.0.0.1:{service_port}"
    );
    assert_eq!(accepted.load(Ordering::Relaxed), before);

    // Nor does the LAN reach the port published on 127.0.0.1.
    sh(&format!(
        "ip netns exec {} sh -c 'echo 1 > /proc/sys/net/ipv4/conf/lan0/route_localnet && ip route add 127.0.0.0/8 via {LAN_HOST} dev lan0'",
        lan.name
    ));
    assert!(
        !connects(&lan.path(), &format!("127.0.0.1:{port}")),
        "the LAN reached the port published on 127.0.0.1:{port}"
    );
    // The host still reaches both.
    assert!(connects(host_ns, &format!("127.0.0.1:{service_port}")));
    assert!(http_get_in(host_ns, &format!("127.0.0.1:{port}")).contains("hello from web"));
    stop.store(true, Ordering::Relaxed);
    service.join().unwrap();
    drop(lan);
}

#[test]
fn internal_network_dns_answers_peers_only() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    if host_routes_any(&[SUBNET, SEALED_SUBNET]) {
        skip("the host already routes 10.231.0.0/24 or 10.232.0.0/24");
        return;
    }
    let up = FakeUpstream::start("127.3.3.3:53");
    s.ok(&["network", "create", "--subnet", SUBNET, "fwnet"]);
    s.ok(&[
        "network",
        "create",
        "--internal",
        "--subnet",
        SEALED_SUBNET,
        "sealed",
    ]);
    let run_d = |name: &str, net: &str| {
        s.ok(&[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            net,
            "--dns",
            "127.3.3.3",
            &e.img,
            "sleep",
            "100",
        ]);
    };
    run_d("open", "fwnet");
    run_d("peer", "sealed");
    run_d("client", "sealed");
    let lookup = |who: &str, name: &str| s.run(&["exec", who, "nslookup", name]);

    // On a network with a way out, foreign names go to the upstream.
    let (code, out, _) = lookup("open", "outside.test");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("10.1.2.3"), "{out}");
    assert!(up.asked() > 0, "the fake upstream was asked");

    // On an internal network: the peer by name, but no foreign name, and
    // the upstream hears nothing.
    let peer_ip = inspect(s, "{{.NetworkSettings.Networks.sealed.IPAddress}}", "peer");
    let (code, out, _) = lookup("client", "peer");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&peer_ip), "{out}");
    let before = up.asked();
    let (code, out, err) = lookup("client", "outside.test");
    assert_ne!(
        code, 0,
        "an internal network resolved a foreign name: {out}"
    );
    assert!(
        format!("{out}{err}").contains("SERVFAIL"),
        "SERVFAIL, as docker: {out}{err}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(up.asked(), before, "a query left an internal network");

    // Connected to a network with a way out, it may ask (as docker).
    s.ok(&["network", "connect", "fwnet", "client"]);
    let (code, out, _) = lookup("client", "outside.test");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("10.1.2.3"), "{out}");
    drop(up);
}
