//! Rootless user networks: the user's rootless netns (a holder process
//! and its pasta), DNS by name and alias, `-p` (skiff's forwarder),
//! and nothing left on the host after `rm -f` and `network rm`.

use super::*;

/// The host's links and nftables tables, which a rootless user's networks
/// must never change.
fn host_network_state() -> (String, String) {
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links: Vec<String> = String::from_utf8_lossy(&links.stdout)
        .lines()
        // Only the names: counters and states of others' links move.
        .filter_map(|l| l.split(": ").nth(1).map(str::to_owned))
        .filter(|n| !n.starts_with("veth") && !n.starts_with("br-"))
        .collect();
    let nft = Command::new("nft").args(["list", "tables"]).output();
    let tables = nft
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    (links.join(","), tables)
}

/// The pid a pid file names, if that process lives.
fn live_pid(f: &std::path::Path) -> Option<i32> {
    let pid: i32 = std::fs::read_to_string(f).ok()?.trim().parse().ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
    (state != 'Z').then_some(pid)
}

#[test]
fn rootless_user_network_dns_ports_and_nothing_left() {
    require!(
        "setpriv",
        "docker-registry",
        "skopeo",
        "pasta",
        "newuidmap",
        "nsenter",
        "ip",
        "nft"
    );
    let Some(user) = subordinate_user() else {
        return;
    };
    let tun = std::fs::metadata("/dev/net/tun").map(|m| m.mode() & 0o777);
    if tun.as_ref().ok() != Some(&0o666) {
        skip("/dev/net/tun is not 0666 (make test-deps sets it as Debian has it)");
        return;
    }
    let before = host_network_state();
    let w = world(user);
    let (img, home, xdg) = (&w.img, w.home.clone(), w.xdg.clone());
    let _cleanup = Cleanup {
        user,
        home: home.clone(),
        xdg: xdg.clone(),
    };
    let ok = |args: &[&str]| ok_as(user, &home, &xdg, args).0;
    ok(&["network", "create", "rlnet"]);
    let subnet = ok(&[
        "network",
        "inspect",
        "-f",
        "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
        "rlnet",
    ]);
    assert!(subnet.trim().ends_with(".0/16"), "docker's pools: {subnet}");
    // What can't share the netns's user namespace is refused at create.
    let refused = |args: &[&str], want: &str| {
        let out = as_user(user, &home, Some(&xdg)).args(args).out();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success() && err.contains(want),
            "{args:?}: {err}"
        );
    };
    refused(
        &[
            "create",
            "--userns=keep-id",
            "--network",
            "rlnet",
            &img.reference,
        ],
        "--userns=keep-id with --network rlnet: a container on a rootless user network shares",
    );
    refused(
        &[
            "network",
            "create",
            "-d",
            "macvlan",
            "-o",
            "parent=lo",
            "mv",
        ],
        "a rootless user can't make a macvlan network",
    );
    let port = free_port();
    let publish = format!("127.0.0.1:{port}:8080");
    let httpd =
        |name: &str| format!("echo from-{name} > /tmp/i.txt; exec httpd -f -p 8080 -h /tmp");
    let (ha, hb) = (httpd("a"), httpd("b"));
    ok(&[
        "run",
        "-d",
        "--name",
        "ra",
        "--network",
        "rlnet",
        "--network-alias",
        "web",
        "-p",
        &publish,
        &img.reference,
        "sh",
        "-c",
        &ha,
    ]);
    ok(&[
        "run",
        "-d",
        "--name",
        "rb",
        "--network",
        "rlnet",
        "--network-alias",
        "web",
        &img.reference,
        "sh",
        "-c",
        &hb,
    ]);
    let ip = |n: &str| {
        ok(&[
            "inspect",
            "-f",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            n,
        ])
        .trim()
        .to_owned()
    };
    let (ip_a, ip_b) = (ip("ra"), ip("rb"));
    assert_ne!(ip_a, ip_b);
    // The network's bridge is in the rootless netns, never on the host.
    let id = ok(&["network", "inspect", "-f", "{{.Id}}", "rlnet"]);
    let bridge = format!("br-{}", &id[..12]);
    let host_links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&host_links.stdout).contains(&bridge));
    // The holder and its pasta run while containers use the network.
    let netns = xdg.join("skiff/netns");
    let holder = live_pid(&netns.join("holder.pid")).expect("the holder runs");
    let pasta = live_pid(&netns.join("pasta.pid")).expect("the netns's pasta runs");
    // The rootless netns has pasta's way out: the host's default route.
    let routes = Command::new("nsenter")
        .args(["-t", &holder.to_string(), "-U", "-n", "ip", "route"])
        .output()
        .unwrap();
    let routes = String::from_utf8_lossy(&routes.stdout).into_owned();
    assert!(routes.contains("default via"), "{routes}");
    assert!(
        routes.contains(&bridge),
        "the bridge is in the netns: {routes}"
    );
    let nft = Command::new("nsenter")
        .args([
            "-t",
            &holder.to_string(),
            "-U",
            "-n",
            "nft",
            "list",
            "ruleset",
        ])
        .output()
        .unwrap();
    let nft = format!(
        "{}{}",
        String::from_utf8_lossy(&nft.stdout),
        String::from_utf8_lossy(&nft.stderr)
    );
    assert!(nft.contains("masquerade"), "the netns's NAT: {nft}");
    let comm = std::fs::read_to_string(format!("/proc/{holder}/comm")).unwrap();
    assert_eq!(comm, "skiff:[NETNS]\n");
    // It outlives the command that started it, and holds nothing of it
    // (a pipe, a lock): stdio on /dev/null, no other descriptor.
    let fds: Vec<String> = std::fs::read_dir(format!("/proc/{holder}/fd"))
        .unwrap()
        .map(|e| {
            std::fs::read_link(e.unwrap().path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(fds, ["/dev/null"; 3], "the holder's descriptors");
    // Outbound: pasta maps the gateway's address to the host, so the
    // host's 127.0.0.1 answers (nothing leaves the machine).
    if let Some(gw) = default_gateway() {
        // (busybox 1.35's wget -T crashes: timeout instead.)
        let (port, served) = serve_once("outbound-ok");
        let url = format!("http://{gw}:{port}/");
        let out = ok(&[
            "run",
            "--rm",
            "--network",
            "rlnet",
            &img.reference,
            "busybox",
            "timeout",
            "10",
            "wget",
            "-qO-",
            &url,
        ]);
        assert_eq!(out, "outbound-ok");
        served.join().unwrap();
    }
    // DNS from a third container: names, the alias (both, round robin),
    // and a name's address is reachable.
    let script = "nslookup ra 127.0.0.11; echo ==; nslookup rb; echo ==; \
        for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do nslookup web; done; echo ==; ping -c1 -W2 ra >/dev/null && echo ping-ok; \
        wget -qO- http://rb:8080/i.txt";
    let out = ok(&[
        "run",
        "--rm",
        "--network",
        "rlnet",
        &img.reference,
        "sh",
        "-c",
        script,
    ]);
    let parts: Vec<&str> = out.split("==").collect();
    assert_eq!(parts.len(), 4, "{out}");
    assert!(
        parts[0].contains(&ip_a) && !parts[0].contains(&ip_b),
        "a: {out}"
    );
    assert!(parts[1].contains(&ip_b), "b: {out}");
    assert!(
        parts[2].contains(&ip_a) && parts[2].contains(&ip_b),
        "web: {out}"
    );
    assert!(
        parts[3].contains("ping-ok") && parts[3].contains("from-b"),
        "{out}"
    );
    // Round robin: the first answer for the alias is not always the same
    // (shuffled at random, as docker's: 20 lookups all alike is 2^-19).
    let firsts: std::collections::BTreeSet<String> = parts[2]
        .split("Server:")
        .skip(1)
        .filter_map(|answer| {
            let after = answer.split_once("Name:")?.1;
            after
                .lines()
                .find(|l| l.starts_with("Address"))
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(firsts.len(), 2, "round robin: {}", parts[2]);
    // An exec joins the container's (the netns's) user namespace; the
    // embedded DNS answers there too.
    let out = ok(&["exec", "ra", "nslookup", "rb"]);
    assert!(out.contains(&ip_b), "exec: {out}");
    // --network container:ra joins ra's user namespace to share its
    // network namespace.
    let out = ok(&[
        "run",
        "--rm",
        "--network",
        "container:ra",
        &img.reference,
        "wget",
        "-qO-",
        "http://127.0.0.1:8080/i.txt",
    ]);
    assert_eq!(out, "from-a\n");
    // -p: the host's 127.0.0.1:port reaches a's httpd.
    let body = get_from_host(port, "from-a");
    assert!(body.contains("from-a"), "{body}");
    let (ports, _) = ok_as(user, &home, &xdg, &["port", "ra"]);
    assert_eq!(ports, format!("8080/tcp -> 127.0.0.1:{port}\n"));
    // skiff's own forwarder carries them (no pasta of a's own).
    let ra_id = ip_id(&ok, "ra");
    let fwd = forwarders(user.0, &ra_id);
    assert_eq!(fwd.len(), 1, "one forwarder, a's: {fwd:?}");
    let own_pasta = xdg.join("skiff/containers").join(&ra_id).join("pasta.pid");
    assert_eq!(live_pid(&own_pasta), None, "a has no pasta of its own");
    // network connect/disconnect of a running container, and network rm
    // while the netns runs: in the netns, through the helper.
    ok(&["network", "create", "rlnet2"]);
    ok(&["network", "connect", "rlnet2", "ra"]);
    let links = ok(&["exec", "ra", "ls", "/sys/class/net"]);
    assert_eq!(links, "eth0\neth1\nlo\n", "connected");
    ok(&["network", "disconnect", "rlnet2", "ra"]);
    let links = ok(&["exec", "ra", "ls", "/sys/class/net"]);
    assert_eq!(links, "eth0\nlo\n", "disconnected");
    let id2 = ok(&["network", "inspect", "-f", "{{.Id}}", "rlnet2"]);
    ok(&["network", "rm", "rlnet2"]);
    let in_netns = Command::new("nsenter")
        .args(["-t", &holder.to_string(), "-U", "-n", "ip", "-o", "link"])
        .output()
        .unwrap();
    let in_netns = String::from_utf8_lossy(&in_netns.stdout).into_owned();
    assert!(
        !in_netns.contains(&format!("br-{}", &id2[..12])),
        "{in_netns}"
    );
    ok(&["rm", "-f", "ra", "rb"]);
    ok(&["network", "rm", "rlnet"]);
    // Nothing left: no holder, no pasta, no mount, no netns, and the
    // host's links and nftables tables as they were.
    for pid in [holder, pasta].into_iter().chain(fwd) {
        for _ in 0..100 {
            if live_pid_of(pid).is_none() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(live_pid_of(pid), None, "process {pid} is left");
    }
    assert!(!netns.join("holder.pid").exists());
    no_mounts_under(&home);
    no_mounts_under(&xdg);
    assert_eq!(
        host_network_state(),
        before,
        "the host's links or nftables changed"
    );
    assert_eq!(ok(&["ps", "-aq"]), "");
}

/// On a failure, what the test started goes: its containers (so their
/// monitors go), then the holder and the pastas, by their pid files.
struct Cleanup {
    user: (u32, u32),
    home: std::path::PathBuf,
    xdg: std::path::PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let ids = as_user(self.user, &self.home, Some(&self.xdg))
            .args(["ps", "-aq"])
            .out();
        for id in String::from_utf8_lossy(&ids.stdout).lines() {
            as_user(self.user, &self.home, Some(&self.xdg))
                .args(["rm", "-f", id])
                .out();
        }
        let mut pidfiles = vec![
            self.xdg.join("skiff/netns/holder.pid"),
            self.xdg.join("skiff/netns/pasta.pid"),
        ];
        if let Ok(dirs) = std::fs::read_dir(self.xdg.join("skiff/containers")) {
            pidfiles.extend(dirs.flatten().map(|d| d.path().join("pasta.pid")));
        }
        for f in pidfiles {
            if let Some(pid) = live_pid(&f) {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains(&*f.to_string_lossy()) {
                    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                }
            }
        }
    }
}

/// The host's default gateway (`/proc/net/route`).
fn default_gateway() -> Option<std::net::Ipv4Addr> {
    let routes = std::fs::read_to_string("/proc/net/route").ok()?;
    routes.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let gw = u32::from_str_radix(f.get(2)?, 16).ok()?;
        (f.get(1) == Some(&"00000000") && gw != 0)
            .then(|| std::net::Ipv4Addr::from(gw.swap_bytes()))
    })
}

/// A one-shot HTTP server on the host's 127.0.0.1 (it gives up after 10 s).
fn serve_once(body: &'static str) -> (u16, std::thread::JoinHandle<()>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    l.set_nonblocking(true).unwrap();
    let h = std::thread::spawn(move || {
        use std::io::{Read, Write};
        for _ in 0..200 {
            if let Ok((mut s, _)) = l.accept() {
                s.set_nonblocking(false).unwrap();
                let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                let _ = s.read(&mut [0u8; 1024]);
                let _ = write!(
                    s,
                    "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
    (port, h)
}

/// A container's full id.
fn ip_id(ok: &dyn Fn(&[&str]) -> String, name: &str) -> String {
    ok(&["inspect", "-f", "{{.Id}}", name]).trim().to_owned()
}

/// `pid` if it runs (not a zombie).
fn live_pid_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
    (state != 'Z').then_some(pid)
}
