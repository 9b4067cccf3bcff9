//! Containers on bridge networks, for real (as root): addresses from the
//! network's subnet on eth0, the host's bridge and veth, published ports
//! answering on 127.0.0.1, user networks with fixed addresses, and no
//! link, address or nftables rule left behind.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::*;
use serde_json::json;

/// These tests share the host's `skiff0` bridge and `skiff` table.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

type Env = TestEnv;

fn setup() -> Option<Env> {
    TestEnv::new(&SERIAL)
}

/// `nft list table ip skiff`, or "" when there is no such table.
fn skiff_rules() -> String {
    let out = std::process::Command::new("nft")
        .args(["list", "table", "ip", "skiff"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A port p with p and p + 1 free on 127.0.0.1.
fn free_pair() -> u16 {
    loop {
        let p = free_port();
        if p < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET / from 127.0.0.1:port, retried while the server starts.
fn http_get(port: u16) -> String {
    let out = try_http_get(([127, 0, 0, 1], port).into());
    assert!(!out.is_empty(), "nothing answered on 127.0.0.1:{port}");
    out
}

#[test]
fn default_bridge_gives_eth0_an_address() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let subnet = s.ok(&[
        "network",
        "inspect",
        "-f",
        "{{(index .IPAM.Config 0).Subnet}}",
        "bridge",
    ]);
    let prefix = subnet
        .trim()
        .rsplit_once('.')
        .unwrap()
        .0
        .rsplit_once('.')
        .unwrap()
        .0
        .to_owned();
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "bridge",
        "-h",
        "boat",
        &e.img,
        "sh",
        "-c",
        "ip -o -4 addr show eth0; ip route; tail -1 /etc/hosts",
    ]);
    assert!(out.contains(&format!("inet {prefix}.")), "{out}");
    assert!(out.contains("default via "), "{out}");
    assert!(out.lines().last().unwrap().ends_with("\tboat"), "{out}");
    // While one runs: the bridge, a veth on it, and inspect's view.
    s.ok(&[
        "run",
        "-d",
        "--name",
        "idle",
        "--network",
        "bridge",
        &e.img,
        "sleep",
        "100",
    ]);
    assert!(std::path::Path::new("/sys/class/net/skiff0").exists());
    let rules = skiff_rules();
    assert!(
        rules.contains(subnet.trim()) && rules.contains("masquerade"),
        "outbound NAT for {subnet}: {rules}"
    );
    let ip = s.ok(&["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "idle"]);
    assert!(ip.starts_with(&format!("{prefix}.")), "{ip}");
    let mac = s.ok(&["inspect", "-f", "{{.NetworkSettings.MacAddress}}", "idle"]);
    assert!(mac.starts_with("02:42:"), "{mac}");
    let veths: Vec<String> = skiff_links()
        .into_iter()
        .filter(|l| l.starts_with("veth"))
        .collect();
    assert_eq!(veths.len(), 1, "{veths:?}");
    let master = std::fs::read_link(format!("/sys/class/net/{}/master", veths[0])).unwrap();
    assert!(master.ends_with("skiff0"), "{}", master.display());
    let members = s.ok(&[
        "network",
        "inspect",
        "-f",
        "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}",
        "bridge",
    ]);
    assert_eq!(members.trim(), format!("idle {}/16", ip.trim()));
    // One endpoint, one id, in both inspects.
    let ep = s.ok(&["inspect", "-f", "{{.NetworkSettings.EndpointID}}", "idle"]);
    assert_eq!(ep.trim().len(), 64, "{ep}");
    assert_eq!(
        s.ok(&[
            "network",
            "inspect",
            "-f",
            "{{range .Containers}}{{.EndpointID}}{{end}}",
            "bridge"
        ]),
        ep
    );
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{json .NetworkSettings.Networks.bridge.DNSNames}}",
            "idle"
        ]),
        "null\n",
        "no names on the default bridge"
    );
    // --net none: only lo.
    let none = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        &e.img,
        "sh",
        "-c",
        "ls /sys/class/net",
    ]);
    assert_eq!(none, "lo\n");
    s.ok(&["rm", "-f", "idle"]);
    // The rules go with their last user; the bridge stays, as docker0 does.
    assert!(!skiff_table(), "{}", skiff_rules());
    assert!(std::path::Path::new("/sys/class/net/skiff0").exists());
    assert_eq!(
        s.ok(&["network", "inspect", "-f", "{{len .Containers}}", "bridge"]),
        "0\n",
        "the address is released"
    );
}

#[test]
fn published_ports_answer_on_localhost() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let (p1, p2) = (free_port(), free_port());
    let spec1 = format!("127.0.0.1:{p1}:80");
    let spec2 = format!("{p2}:80");
    s.ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        "bridge",
        "-p",
        &spec1,
        "-p",
        &spec2,
        &e.img,
        "sh",
        "-c",
        "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www",
    ]);
    assert!(http_get(p1).contains("hello-from-web"));
    assert!(http_get(p2).contains("hello-from-web"));
    // What a user would type.
    let curl = std::process::Command::new("curl")
        .args(["-s", "-m", "5", &format!("http://127.0.0.1:{p2}/")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&curl.stdout), "hello-from-web\n");
    let sorted = |s: String, sep: &str| {
        let mut v: Vec<String> = s.trim_end().split(sep).map(str::to_owned).collect();
        v.sort();
        v
    };
    assert_eq!(
        sorted(s.ok(&["ps", "--format", "{{.Ports}}"]), ", "),
        sorted(
            format!("127.0.0.1:{p1}->80/tcp, 0.0.0.0:{p2}->80/tcp"),
            ", "
        )
    );
    assert_eq!(
        sorted(s.ok(&["port", "web"]), "\n"),
        sorted(
            format!("80/tcp -> 127.0.0.1:{p1}\n80/tcp -> 0.0.0.0:{p2}"),
            "\n"
        )
    );
    assert_eq!(
        sorted(s.ok(&["port", "web", "80/tcp"]), "\n"),
        sorted(format!("127.0.0.1:{p1}\n0.0.0.0:{p2}"), "\n")
    );
    let ports = s.ok(&["inspect", "-f", "{{json .NetworkSettings.Ports}}", "web"]);
    let v: serde_json::Value = serde_json::from_str(&ports).unwrap();
    assert!(
        v["80/tcp"]
            .as_array()
            .unwrap()
            .contains(&json!({"HostIp": "127.0.0.1", "HostPort": p1.to_string()})),
        "{v}"
    );
    assert!(skiff_table());
    // The host port is taken: a clear error, exit 125, nothing left over.
    let links_before = skiff_links();
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--network",
            "bridge",
            "-p",
            &spec1,
            &e.img,
            "true",
        ],
    );
    assert!(
        err.contains(&format!("{p1}")) && err.contains("already allocated"),
        "{err}"
    );
    assert_eq!(
        s.ok(&["ps", "-aq"]).lines().count(),
        1,
        "the failed --rm run is gone"
    );
    assert_eq!(skiff_links(), links_before);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = format!("127.0.0.1:{}:80", taken.local_addr().unwrap().port());
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--network",
            "bridge",
            "-p",
            &busy,
            &e.img,
            "true",
        ],
    );
    assert!(err.contains("already allocated"), "{err}");
    // A command that cannot run: 127, and its port rule goes with it.
    let dead = free_port();
    let spec = format!("127.0.0.1:{dead}:80");
    let err = s.fails(
        127,
        &["run", "--rm", "-p", &spec, &e.img, "/no/such/command"],
    );
    assert!(err.contains("/no/such/command"), "{err}");
    // (Its monitor tears the network down just after reporting the exit.)
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        !skiff_rules().contains(&format!("dport {dead}"))
    });
    assert!(gone, "{}", skiff_rules());
    // A range, and UDP.
    let r = free_pair();
    let range = format!("127.0.0.1:{}-{}:8000-8001", r, r + 1);
    let (u, pu) = (free_port(), free_port());
    let udp = format!("127.0.0.1:{u}:53/udp");
    let tcp_too = format!("127.0.0.1:{pu}:53");
    s.ok(&[
        "run", "-d", "--name", "multi", "--network", "bridge", "-p", &range, "-p", &udp, "-p",
        &tcp_too, &e.img, "sh", "-c",
        "mkdir -p /a /b && echo port-a > /a/index.html && echo port-b > /b/index.html && httpd -p 8000 -h /a && exec httpd -f -p 8001 -h /b",
    ]);
    assert!(http_get(r).contains("port-a"));
    assert!(http_get(r + 1).contains("port-b"));
    assert_eq!(
        sorted(s.ok(&["port", "multi"]), "\n"),
        sorted(
            format!(
                "8000/tcp -> 127.0.0.1:{r}\n8001/tcp -> 127.0.0.1:{}\n53/udp -> 127.0.0.1:{u}\n53/tcp -> 127.0.0.1:{pu}",
                r + 1
            ),
            "\n"
        )
    );
    assert_eq!(
        s.ok(&["port", "multi", "53/udp"]),
        format!("127.0.0.1:{u}\n")
    );
    let rules = skiff_rules();
    assert!(rules.contains(&format!("udp dport {u}")), "{rules}");
    assert!(!rules.contains(&format!("tcp dport {u}")), "{rules}");
    s.ok(&["rm", "-f", "multi"]);
    // -P: every exposed port to a free one.
    s.ok(&[
        "run",
        "-d",
        "--name",
        "all",
        "--network",
        "bridge",
        "--expose",
        "7000",
        "-P",
        &e.img,
        "sleep",
        "100",
    ]);
    let line = s.ok(&["port", "all", "7000"]);
    assert!(line.starts_with("0.0.0.0:"), "{line}");
    // Stopped, its port is closed; started again, open again.
    s.ok(&["stop", "-t", "0", "web"]);
    let rules = skiff_rules();
    assert!(!rules.contains(&format!("dport {p1}")), "{rules}");
    assert!(rules.contains("dnat"), "all's rule stays: {rules}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", p1)).is_err());
    s.ok(&["start", "web"]);
    assert!(http_get(p1).contains("hello-from-web"));
    s.ok(&["rm", "-f", "web", "all"]);
    assert!(
        !skiff_table(),
        "the rules (and the table) go with their last user: {}",
        skiff_rules()
    );
}

#[test]
fn default_network_skips_a_subnet_the_host_routes() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    // A test-made link routing 172.17.0.0/16 on the host.
    struct Taken;
    impl Drop for Taken {
        fn drop(&mut self) {
            let _ = std::process::Command::new("ip")
                .args(["link", "del", "skt-taken0"])
                .output();
        }
    }
    let ip = |args: &[&str]| {
        let st = std::process::Command::new("ip")
            .args(args)
            .status()
            .unwrap();
        assert!(st.success(), "ip {args:?}");
    };
    let _taken = Taken;
    ip(&[
        "link",
        "add",
        "skt-taken0",
        "type",
        "veth",
        "peer",
        "name",
        "skt-taken1",
    ]);
    ip(&["addr", "add", "172.17.0.1/16", "dev", "skt-taken0"]);
    ip(&["link", "set", "skt-taken0", "up"]);
    let subnet = s.ok(&[
        "network",
        "inspect",
        "-f",
        "{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}",
        "bridge",
    ]);
    let (subnet, gw) = subnet.trim().split_once(' ').unwrap();
    assert_ne!(subnet, "172.17.0.0/16");
    assert!(
        subnet.ends_with(".0.0/16") && subnet.starts_with("172."),
        "{subnet}"
    );
    assert_eq!(gw, subnet.replace(".0.0/16", ".0.1"));
    let out = s.ok(&[
        "run", "--rm", &e.img, "ip", "-o", "-4", "addr", "show", "eth0",
    ]);
    let prefix = subnet.trim_end_matches(".0.0/16");
    assert!(out.contains(&format!("inet {prefix}.0.2/16")), "{out}");
}

#[test]
fn user_networks_addresses_and_errors() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&["network", "create", "--subnet", "10.233.0.0/24", "tnet"]);
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "tnet",
        "--ip",
        "10.233.0.50",
        "--mac-address",
        "02:42:0a:e9:00:99",
        &e.img,
        "sh",
        "-c",
        "ip -o -4 addr show eth0; cat /sys/class/net/eth0/address",
    ]);
    assert!(out.contains("inet 10.233.0.50/24"), "{out}");
    assert!(out.ends_with("02:42:0a:e9:00:99\n"), "{out}");
    // Parallel runs never get the same address.
    let kids: Vec<_> = (0..8)
        .map(|i| {
            s.cmd()
                .args([
                    "run",
                    "-d",
                    "--name",
                    &format!("p{i}"),
                    "--network",
                    "tnet",
                    &e.img,
                    "sleep",
                    "100",
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for k in kids {
        let k = k.wait_with_output().unwrap();
        assert!(k.status.success(), "{}", String::from_utf8_lossy(&k.stderr));
    }
    let ips = s.ok(&[
        "network",
        "inspect",
        "-f",
        "{{range .Containers}}{{.IPv4Address}} {{end}}",
        "tnet",
    ]);
    let mut list: Vec<&str> = ips.split_whitespace().collect();
    assert_eq!(list.len(), 8, "{ips}");
    list.sort();
    list.dedup();
    assert_eq!(list.len(), 8, "duplicate address: {ips}");
    let err = s.fails(1, &["network", "rm", "tnet"]);
    assert!(err.contains("active endpoints"), "{err}");
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--network",
            "tnet",
            "--ip",
            "10.233.0.2",
            &e.img,
            "true",
        ],
    );
    assert!(err.contains("already in use"), "{err}");
    let err = s.fails(
        125,
        &["run", "--rm", "--network", "nosuchnet", &e.img, "true"],
    );
    assert!(err.contains("network nosuchnet not found"), "{err}");
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--network",
            "bridge",
            "--ip",
            "172.17.0.9",
            &e.img,
            "true",
        ],
    );
    assert!(err.contains("user defined networks"), "{err}");
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--network",
            "bridge",
            "--network-alias",
            "x",
            &e.img,
            "true",
        ],
    );
    assert!(err.contains("user defined networks"), "{err}");
    for i in 0..8 {
        s.ok(&["rm", "-f", &format!("p{i}")]);
    }
    let bridge = s.ok(&["network", "inspect", "-f", "{{.Id}}", "tnet"]);
    let bridge = format!("br-{}", &bridge[..12]);
    assert!(std::path::Path::new("/sys/class/net")
        .join(&bridge)
        .exists());
    assert_eq!(s.ok(&["network", "rm", "tnet"]), "tnet\n");
    assert!(
        !std::path::Path::new("/sys/class/net")
            .join(&bridge)
            .exists(),
        "network rm removes its bridge"
    );
}

/// A DNS server on the host's loopback standing in for the upstream
/// resolvers: `outside.test` is 10.1.2.3, anything else NXDOMAIN. Runs
/// until the returned flag is set.
#[test]
fn names_and_aliases_resolve_on_user_networks() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let up = FakeUpstream::start("127.3.3.3:53");
    s.ok(&["network", "create", "dnsnet"]);
    let run_d = |name: &str, extra: &[&str], cmd: &str| {
        let mut a = vec![
            "run",
            "-d",
            "--name",
            name,
            "--network",
            "dnsnet",
            "--dns",
            "127.3.3.3",
        ];
        a.extend_from_slice(extra);
        a.extend_from_slice(&[&e.img, "sh", "-c", cmd]);
        s.ok(&a);
    };
    for i in 1..=3 {
        run_d(
            &format!("web{i}"),
            &["--network-alias", "web"],
            &format!("mkdir -p /www && echo I am web{i} > /www/index.html && exec httpd -f -p 80 -h /www"),
        );
    }
    run_d("client", &[], "sleep 100");
    let exec = |cmd: &str| s.ok(&["exec", "client", "sh", "-c", cmd]);
    assert_eq!(
        exec("cat /etc/resolv.conf"),
        "nameserver 127.0.0.11\noptions ndots:0\n"
    );
    let ip2 = s.ok(&[
        "inspect",
        "-f",
        "{{.NetworkSettings.Networks.dnsnet.IPAddress}}",
        "web2",
    ]);
    let got = exec("nslookup web2 | grep Address | grep -v 127.0.0.11");
    assert!(got.contains(ip2.trim()), "{got}");
    // By name over HTTP, and the alias's answers shuffled (docker's
    // shuffleAddr): in 40 lookups each of the three comes first.
    assert!(exec("wget -q -O - http://web3/").contains("I am web3"));
    let firsts = exec(
        "for i in $(seq 40); do nslookup web | grep Address | grep -v 127.0.0.11 | head -1; done | sort -u",
    );
    assert_eq!(firsts.lines().count(), 3, "shuffled: {firsts:?}");
    // (getaddrinfo sorts addresses, so wget by alias may keep one; any
    // of the three must answer.)
    assert!(exec("wget -q -O - http://web/").starts_with("I am web"));
    // container.network, and the reverse of an address.
    let got = exec("nslookup web2.dnsnet | grep Address | grep -v 127.0.0.11");
    assert!(got.contains(ip2.trim()), "{got}");
    let got = exec(&format!("nslookup {} | grep name", ip2.trim()));
    assert!(got.contains("name = web2.dnsnet"), "{got}");
    // Over TCP too (what a client does after a truncated UDP answer).
    let pid: i32 = s
        .ok(&["inspect", "-f", "{{.State.Pid}}", "client"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(tcp_dns_answers(pid, "web"), 3);
    assert_eq!(
        tcp_dns_answers(pid, "outside.test"),
        1,
        "forwarded over TCP to the upstream"
    );
    // Other names go to the upstream resolvers (a fake one on 127.3.3.3).
    assert!(exec("nslookup outside.test | grep Address | grep -v 127.0.0.11").contains("10.1.2.3"));
    let (code, _, _) = s.run(&["exec", "client", "nslookup", "nosuch.test"]);
    assert_ne!(code, 0);
    // A container joining or leaving is seen within a second.
    run_d("late", &[], "sleep 100");
    assert!(exec("nslookup late | grep Address | grep -v 127.0.0.11").contains("Address"));
    s.ok(&["rm", "-f", "late"]);
    std::thread::sleep(Duration::from_millis(1000));
    let (code, _, _) = s.run(&["exec", "client", "nslookup", "late"]);
    assert_ne!(code, 0, "gone from DNS once removed");
    // The default bridge resolves no container names (as docker).
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "bridge",
        "--dns",
        "127.3.3.3",
        &e.img,
        "cat",
        "/etc/resolv.conf",
    ]);
    assert_eq!(out, "nameserver 127.3.3.3\n");
    drop(up);
}

/// The number of answers to an A query for `name` sent over TCP to
/// 127.0.0.11:53 in the network namespace of `pid` (from a thread that
/// enters it and ends there).
fn tcp_dns_answers(pid: i32, name: &str) -> u16 {
    let ns = std::fs::File::open(format!("/proc/{pid}/ns/net")).unwrap();
    let name = name.to_owned();
    std::thread::spawn(move || {
        use std::os::fd::AsRawFd;
        // SAFETY: setns of this thread only, with a valid netns fd; the
        // thread ends after the query.
        assert_eq!(
            unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) },
            0
        );
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for label in name.split('.') {
            q.push(label.len() as u8);
            q.extend_from_slice(label.as_bytes());
        }
        q.extend_from_slice(&[0, 0, 1, 0, 1]);
        let mut c = std::net::TcpStream::connect("127.0.0.11:53").unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut msg = (q.len() as u16).to_be_bytes().to_vec();
        msg.extend_from_slice(&q);
        c.write_all(&msg).unwrap();
        let mut len = [0u8; 2];
        c.read_exact(&mut len).unwrap();
        let mut reply = vec![0u8; usize::from(u16::from_be_bytes(len))];
        c.read_exact(&mut reply).unwrap();
        assert_eq!(&reply[..2], &[0x12, 0x34], "the query's id");
        u16::from_be_bytes([reply[6], reply[7]])
    })
    .join()
    .unwrap()
}

/// A network namespace the test makes to stand for the outside world,
/// linked to the host by a veth: host side 198.18.7.1/24, inside
/// 198.18.7.2/24. Removed (with its veth) on drop.
struct Upstream {
    name: String,
}

impl Upstream {
    fn new() -> Upstream {
        let name = format!("skt-up-{}", std::process::id());
        let host_if = format!("skth{}", std::process::id() % 100_000);
        let u = Upstream { name: name.clone() };
        sh(&format!("ip netns add {name}"));
        sh(&format!(
            "ip link add {host_if} type veth peer name up0 netns {name}"
        ));
        sh(&format!(
            "ip addr add 198.18.7.1/24 dev {host_if} && ip link set {host_if} up"
        ));
        sh(&format!(
            "ip netns exec {name} sh -c 'ip addr add 198.18.7.2/24 dev up0 && ip link set up0 up && ip link set lo up'"
        ));
        u
    }

    /// Runs `f` on a thread inside the namespace.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::thread::JoinHandle<T> {
        use std::os::fd::AsRawFd;
        let ns = std::fs::File::open(format!("/run/netns/{}", self.name)).unwrap();
        std::thread::spawn(move || {
            // SAFETY: setns of this thread only, with a valid netns fd.
            assert_eq!(
                unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) },
                0
            );
            f()
        })
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

#[test]
fn nat_out_and_published_ports_from_outside() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let up = Upstream::new();
    // Outbound: the upstream sees the host's address (masquerade).
    let server = up.run(|| {
        let l = std::net::TcpListener::bind("198.18.7.2:8080").unwrap();
        let (mut c, peer) = l.accept().unwrap();
        let mut buf = [0u8; 1024];
        let _ = c.read(&mut buf);
        let body = peer.ip().to_string();
        let _ = write!(
            c,
            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        body
    });
    std::thread::sleep(Duration::from_millis(200));
    // Not from an --internal network: neither NATed nor forwarded.
    s.ok(&[
        "network",
        "create",
        "--internal",
        "--subnet",
        "10.239.0.0/24",
        "sealed",
    ]);
    let (code, out, _) = s.run(&[
        "run",
        "--rm",
        "--network",
        "sealed",
        &e.img,
        "wget",
        "-q",
        "-T",
        "2",
        "-O",
        "-",
        "http://198.18.7.2:8080/",
    ]);
    assert_ne!(code, 0, "an internal network reached the outside: {out}");
    s.ok(&["network", "rm", "sealed"]);
    let out = s.ok(&[
        "run",
        "--rm",
        &e.img,
        "wget",
        "-q",
        "-O",
        "-",
        "http://198.18.7.2:8080/",
    ]);
    assert_eq!(out, "198.18.7.1");
    assert_eq!(server.join().unwrap(), "198.18.7.1");
    // Inbound from outside: a client in the upstream namespace reaches a
    // published port on the host's address, and the container sees the
    // client's own address (no proxy in between).
    let port = free_port();
    let spec = format!("{port}:80");
    s.ok(&[
        "run", "-d", "--name", "cgi", "-p", &spec, &e.img, "sh", "-c",
        "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && exec httpd -f -p 80 -h /www",
    ]);
    let client = up.run(move || {
        for _ in 0..50 {
            if let Ok(mut c) = std::net::TcpStream::connect(("198.18.7.1", port)) {
                c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
                let _ = c.write_all(b"GET /cgi-bin/ip HTTP/1.0\r\n\r\n");
                let mut out = String::new();
                if c.read_to_string(&mut out).is_ok() && out.contains("200") {
                    return out;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        String::new()
    });
    let reply = client.join().unwrap();
    assert!(reply.contains("198.18.7.2"), "{reply}");
    s.ok(&["rm", "-f", "cgi"]);
}

#[test]
fn host_network_sees_the_hosts_interfaces() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let mut host_ifs: Vec<String> = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .collect();
    host_ifs.sort();
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "host",
        &e.img,
        "sh",
        "-c",
        "hostname; ls /sys/class/net",
    ]);
    let mut lines = out.lines();
    assert_eq!(format!("{}\n", lines.next().unwrap()), host_name);
    let mut seen: Vec<String> = lines.map(str::to_owned).collect();
    seen.sort();
    assert_eq!(seen, host_ifs);
    assert_eq!(
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "host",
            "-h",
            "named",
            &e.img,
            "hostname"
        ]),
        "named\n"
    );
}

#[test]
fn sharing_another_containers_namespaces() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&["run", "-d", "--name", "tgt", &e.img, "sleep", "100"]);
    let show = "ip -o -4 addr show eth0 | grep -o 'inet [0-9./]*'; cat /sys/class/net/eth0/address; readlink /proc/self/ns/ipc";
    let theirs = s.ok(&["exec", "tgt", "sh", "-c", show]);
    let mine = s.ok(&[
        "run",
        "--rm",
        "--network",
        "container:tgt",
        "--ipc",
        "container:tgt",
        &e.img,
        "sh",
        "-c",
        show,
    ]);
    assert_eq!(mine, theirs, "same address, MAC and IPC namespace");
    assert!(mine.starts_with("inet "), "{mine}");
    let ps = s.ok(&[
        "run",
        "--rm",
        "--pid",
        "container:tgt",
        &e.img,
        "ps",
        "-o",
        "args",
    ]);
    assert!(ps.contains("sleep 100"), "{ps}");
    let err = s.fails(
        125,
        &["run", "--rm", "--network", "container:nope", &e.img, "true"],
    );
    assert!(err.contains("No such container: nope"), "{err}");
    let err = s.fails(
        125,
        &[
            "run",
            "--rm",
            "--network",
            "container:tgt",
            "-p",
            "80",
            &e.img,
            "true",
        ],
    );
    assert!(err.contains("conflicting options"), "{err}");
    s.ok(&["stop", "-t", "0", "tgt"]);
    let err = s.fails(
        125,
        &["run", "--rm", "--network", "container:tgt", &e.img, "true"],
    );
    assert!(err.contains("not running"), "{err}");
}

#[test]
fn macvlan_on_a_test_made_parent() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    // This kernel has no dummy driver: a veth pair made here is the parent.
    let (a, b) = (
        format!("sktmv{}", std::process::id() % 100_000),
        format!("sktmw{}", std::process::id() % 100_000),
    );
    struct Parent(String);
    impl Drop for Parent {
        fn drop(&mut self) {
            let _ = std::process::Command::new("ip")
                .args(["link", "del", &self.0])
                .output();
        }
    }
    sh(&format!(
        "ip link add {a} type veth peer name {b} && ip link set {a} up && ip link set {b} up"
    ));
    let _parent = Parent(a.clone());
    let parent = format!("parent={a}");
    s.ok(&[
        "network",
        "create",
        "-d",
        "macvlan",
        "-o",
        &parent,
        "--subnet",
        "10.234.0.0/24",
        "mv",
    ]);
    assert_eq!(
        s.ok(&[
            "network",
            "inspect",
            "-f",
            "{{.Driver}} {{.Options.parent}}",
            "mv"
        ]),
        format!("macvlan {a}\n")
    );
    let links_before = skiff_links();
    s.ok(&[
        "run",
        "-d",
        "--name",
        "m1",
        "--network",
        "mv",
        &e.img,
        "sleep",
        "100",
    ]);
    assert_eq!(skiff_links(), links_before, "no veth or bridge for macvlan");
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "mv",
        &e.img,
        "sh",
        "-c",
        "ip -o -4 addr show eth0 | grep -o 'inet [0-9./]*'; ping -c1 -W2 m1 | grep -c 'bytes from'",
    ]);
    assert_eq!(
        out, "inet 10.234.0.3/24\n1\n",
        "an address on the subnet, and m1 reachable by name"
    );
    s.ok(&["rm", "-f", "m1"]);
    assert_eq!(s.ok(&["network", "rm", "mv"]), "mv\n");
}

#[test]
fn connect_and_disconnect_a_running_container() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let up = FakeUpstream::start("127.3.3.4:53");
    s.ok(&["network", "create", "--subnet", "10.236.0.0/24", "front"]);
    s.ok(&["network", "create", "--subnet", "10.237.0.0/24", "back"]);
    s.ok(&["network", "create", "--subnet", "10.238.0.0/24", "side"]);
    let dns = ["--dns", "127.3.3.4"];
    let mut a = vec!["run", "-d", "--name", "app", "--network", "front"];
    a.extend_from_slice(&dns);
    a.extend_from_slice(&[&e.img, "sleep", "100"]);
    s.ok(&a);
    let mut b = vec!["run", "-d", "--name", "db", "--network", "back"];
    b.extend_from_slice(&dns);
    b.extend_from_slice(&[&e.img, "sleep", "100"]);
    s.ok(&b);
    let (code, _, _) = s.run(&["exec", "app", "ping", "-c1", "-W1", "db"]);
    assert_ne!(code, 0, "not on the same network yet");
    s.ok(&[
        "network",
        "connect",
        "--alias",
        "store",
        "--ip",
        "10.236.0.77",
        "front",
        "db",
    ]);
    let addrs = s.ok(&[
        "exec",
        "db",
        "sh",
        "-c",
        "ip -o -4 addr | grep -o 'eth[0-9].*inet [0-9./]*'",
    ]);
    assert!(addrs.contains("eth0    inet 10.237.0.2/24"), "{addrs}");
    assert!(addrs.contains("eth1    inet 10.236.0.77/24"), "{addrs}");
    let ping = s.ok(&["exec", "app", "ping", "-c1", "-W2", "store"]);
    assert!(ping.contains("10.236.0.77"), "{ping}");
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}",
            "db"
        ]),
        "back=10.237.0.2 front=10.236.0.77 \n"
    );
    let id = s.ok(&["inspect", "-f", "{{.Id}}", "db"]);
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{json .NetworkSettings.Networks.front.DNSNames}}",
            "db"
        ]),
        // docker's order: name, aliases, short id (also the hostname).
        format!("[\"db\",\"store\",\"{}\"]\n", &id[..12])
    );
    let err = s.fails(1, &["network", "connect", "front", "db"]);
    assert!(err.contains("already exists"), "{err}");
    // A network's NAT comes with its first running user, goes with its last.
    assert!(!skiff_rules().contains("10.238.0.0/24"));
    s.ok(&["network", "connect", "side", "db"]);
    assert!(skiff_rules().contains("10.238.0.0/24"), "{}", skiff_rules());
    s.ok(&["network", "disconnect", "side", "db"]);
    assert!(
        !skiff_rules().contains("10.238.0.0/24"),
        "{}",
        skiff_rules()
    );
    s.ok(&["network", "disconnect", "front", "db"]);
    assert_eq!(
        s.ok(&[
            "exec",
            "db",
            "sh",
            "-c",
            "ip -o -4 addr | grep -c eth1 || true"
        ]),
        "0\n"
    );
    let (code, _, _) = s.run(&["exec", "app", "ping", "-c1", "-W1", "store"]);
    assert_ne!(code, 0, "gone from the network and its DNS");
    let err = s.fails(1, &["network", "disconnect", "front", "db"]);
    assert!(err.contains("not connected"), "{err}");
    let err = s.fails(1, &["network", "connect", "host", "db"]);
    assert!(err.contains("host network"), "{err}");
    // A stopped container connected now gets the interface at its next start.
    s.ok(&["stop", "-t", "0", "db"]);
    s.ok(&["network", "connect", "front", "db"]);
    s.ok(&["start", "db"]);
    let addrs = s.ok(&[
        "exec",
        "db",
        "sh",
        "-c",
        "ip -o -4 addr | grep -c 'inet 10.23[67]'",
    ]);
    assert_eq!(addrs, "2\n");
    s.ok(&["rm", "-f", "app", "db"]);
    assert!(!skiff_table(), "{}", skiff_rules());
    assert_eq!(
        s.ok(&["network", "rm", "front", "back", "side"]),
        "front\nback\nside\n"
    );
    drop(up);
}

#[test]
fn hosts_and_resolv_conf_flags() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let gw = s.ok(&[
        "network",
        "inspect",
        "-f",
        "{{(index .IPAM.Config 0).Gateway}}",
        "bridge",
    ]);
    let out = s.ok(&[
        "run",
        "--rm",
        "-h",
        "box",
        "--add-host",
        "db:10.1.2.3",
        "--add-host",
        "gw=host-gateway",
        "--dns",
        "10.9.9.9",
        "--dns-search",
        "a.test",
        "--dns-option",
        "ndots:2",
        &e.img,
        "sh",
        "-c",
        "cat /etc/hosts /etc/resolv.conf",
    ]);
    assert!(out.contains("10.1.2.3\tdb\n"), "{out}");
    assert!(
        out.contains(&format!("{}\tgw\n", gw.trim())),
        "host-gateway is the bridge's gateway: {out}"
    );
    assert!(out.contains("\tbox\n"), "{out}");
    assert!(
        out.ends_with("search a.test\nnameserver 10.9.9.9\noptions ndots:2\n"),
        "{out}"
    );
    let err = s.fails(
        125,
        &["run", "--rm", "--add-host", "nocolon", &e.img, "true"],
    );
    assert!(err.contains("nocolon"), "{err}");
    let err = s.fails(125, &["run", "--rm", "--dns", "not-an-ip", &e.img, "true"]);
    assert!(err.contains("not-an-ip"), "{err}");
}
