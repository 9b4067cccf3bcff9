//! A container's network, kernel side: the bridge (created with its first
//! user, removed with its last), the veth pair with `eth0` in the
//! container, its address and route, and the `skiff` nftables table
//! recomputed from what runs. Every step runs under the network's lock;
//! a failed setup undoes what it did.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, UdpSocket};
use std::os::fd::{AsFd, OwnedFd};

use ipnet::Ipv4Net;

use super::liveness::process_alive;
use super::Engine;
use crate::error::{Error, Result};
use crate::network::dns::Records;
use crate::network::firewall::{self, PortMap, Ruleset};
use crate::network::netlink::Netlink;
use crate::network::ports::{PortBinding, Proto};
use crate::network::{Endpoint, Network, NetworkStore};
use crate::state::container::{Container, ContainerStore};

/// What a start needs to wire a container into its network (handed to the
/// monitor as part of its launch plan).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct NetPlan {
    pub network: Network,
    pub id: String,
    pub ip: Ipv4Addr,
    pub mac: [u8; 6],
    /// Published ports, host ports chosen.
    pub ports: Vec<PortBinding>,
    /// Other networks it is connected to, with its endpoints there.
    pub extras: Vec<(Network, Endpoint)>,
    /// The host end of the veth: random per start, since the previous
    /// start's pair may still be on its way out with its old namespace.
    host_if: String,
    /// Where the last applied ruleset is kept ([`FIREWALL_CACHE`]).
    runroot: std::path::PathBuf,
    networks: NetworkStore,
    containers: ContainerStore,
}

fn io_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let v: Vec<u8> = s
        .split(':')
        .filter_map(|p| u8::from_str_radix(p, 16).ok())
        .collect();
    v.try_into().ok()
}

/// docker's check that a host port is free: bind it (and, for port 0, let
/// the kernel choose one).
fn claim_port(b: &PortBinding, taken: &[PortBinding]) -> Result<u16> {
    let ip = b.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED);
    let busy = || {
        Error::Conflict(format!(
            "Bind for {ip}:{} failed: port is already allocated",
            b.host_port
        ))
    };
    if b.host_port != 0
        && taken
            .iter()
            .any(|t| t.host_port == b.host_port && t.proto == b.proto)
    {
        return Err(busy());
    }
    let addr = SocketAddrV4::new(ip, b.host_port);
    let got = match b.proto {
        Proto::Tcp => TcpListener::bind(addr).and_then(|l| l.local_addr()),
        Proto::Udp => UdpSocket::bind(addr).and_then(|s| s.local_addr()),
    };
    match got {
        Ok(a) => Ok(a.port()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(busy()),
        Err(e) => Err(Error::Other(format!("checking host port {addr}: {e}"))),
    }
}

impl Engine {
    /// The plan for starting `c` on its network; `None` for none/host.
    pub(crate) fn net_plan(&self, c: &Container) -> Result<Option<NetPlan>> {
        let mode = &c.config.host_config.network_mode;
        if matches!(mode.as_str(), "none" | "host" | "") || mode.starts_with("container:") {
            return Ok(None);
        }
        let network = self
            .networks
            .load(mode)?
            .ok_or_else(|| Error::NotFound(format!("network {mode} not found")))?;
        let ep = network.endpoints.get(c.id()).ok_or_else(|| {
            Error::Other(format!(
                "container {} has no address on network {mode}",
                c.id()
            ))
        })?;
        let mut wanted: Vec<PortBinding> = c.config.net.publish.clone();
        if c.config.net.publish_all {
            for key in c
                .config
                .config
                .exposed_ports
                .iter()
                .flatten()
                .map(|(k, _)| k)
            {
                for (port, proto) in crate::network::ports::parse_expose(key)? {
                    if !wanted
                        .iter()
                        .any(|w| w.container_port == port && w.proto == proto)
                    {
                        wanted.push(PortBinding {
                            host_ip: None,
                            host_port: 0,
                            container_port: port,
                            proto,
                        });
                    }
                }
            }
        }
        let taken: Vec<PortBinding> = self
            .running_ports(Some(c.id()))?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        let mut ports = Vec::new();
        for b in wanted {
            let host_port = claim_port(&b, &taken)?;
            ports.push(PortBinding { host_port, ..b });
        }
        Ok(Some(NetPlan {
            ip: ep.ip,
            mac: parse_mac(&ep.mac).unwrap_or([2, 0x42, 0, 0, 0, 0]),
            id: c.id().to_owned(),
            network,
            ports,
            host_if: format!("veth{}", &crate::state::ids::new_id()[..8]),
            extras: self
                .networks
                .list()?
                .into_iter()
                .filter(|x| x.name != mode.as_str())
                .filter_map(|x| {
                    let ep = x.endpoints.get(c.id())?.clone();
                    Some((x, ep))
                })
                .collect(),
            runroot: self.opts.runroot.clone(),
            networks: self.networks.clone(),
            containers: self.containers.clone(),
        }))
    }

    /// Published ports of running containers (but `except`), with the
    /// bridge they sit behind.
    fn running_ports(&self, except: Option<&str>) -> Result<Vec<(String, PortBinding)>> {
        running_ports(&self.containers, except)
    }
}

fn running_ports(
    containers: &ContainerStore,
    except: Option<&str>,
) -> Result<Vec<(String, PortBinding)>> {
    let mut out = Vec::new();
    for c in containers.all()? {
        if Some(c.id()) == except || c.state.ports.is_empty() || !in_use(&c.state) {
            continue;
        }
        for p in &c.state.ports {
            out.push((c.config.host_config.network_mode.clone(), *p));
        }
    }
    Ok(out)
}

/// Does the container use its network (and ports): running, or being
/// started by a live process?
pub(crate) fn in_use(st: &crate::state::container::ContainerState) -> bool {
    running(st) || st.starter.is_some_and(|(pid, t)| process_alive(pid, t))
}

/// Is the container running (its process alive, not only recorded so)?
fn running(st: &crate::state::container::ContainerState) -> bool {
    st.is_running() && process_alive(st.pid, st.pid_start_time)
}

/// docker's embedded DNS address.
const DNS_ADDR: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 11);

/// The embedded DNS's sockets, UDP and TCP, bound at `addr` inside the
/// network namespace `ns`: this (single-threaded) process enters it,
/// binds, and returns to its own.
fn dns_sockets_in_netns(
    ns: std::os::fd::BorrowedFd<'_>,
    addr: SocketAddrV4,
) -> std::io::Result<(UdpSocket, std::net::TcpListener)> {
    use std::os::fd::AsRawFd;
    let own = std::fs::File::open("/proc/thread-self/ns/net")?;
    // SAFETY: setns with valid namespace fds; the thread returns to its
    // own namespace before this function returns.
    if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let sock = UdpSocket::bind(addr)
        .and_then(|s| s.set_nonblocking(true).map(|()| s))
        .and_then(|u| Ok((u, std::net::TcpListener::bind(addr)?)));
    // SAFETY: as above.
    if unsafe { libc::setns(own.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        // Staying in the container's namespace would be wrong for all
        // that follows; this cannot be recovered from.
        let e = std::io::Error::last_os_error();
        eprintln!("skiff monitor: returning to its network namespace: {e}");
        std::process::abort();
    }
    sock
}

/// What one container's DNS answers: names on every network with DNS it
/// is on (its own and those it was connected to), running peers only.
struct NetRecords {
    networks: NetworkStore,
    containers: ContainerStore,
    id: String,
}

impl NetRecords {
    fn running(&self, id: &str) -> bool {
        self.containers.load_state(id).is_ok_and(|st| running(&st))
    }
}

impl Records for NetRecords {
    /// A name, or `name.network` (docker answers both).
    fn lookup(&self, name: &str) -> Option<Vec<Ipv4Addr>> {
        let mut ips = Vec::new();
        for n in self.networks.list().ok()? {
            if !n.dns || !n.endpoints.contains_key(&self.id) {
                continue;
            }
            let short = name
                .strip_suffix(n.name.as_str())
                .and_then(|s| s.strip_suffix('.'))
                .filter(|s| !s.is_empty());
            for ip in n.lookup_where(short.unwrap_or(name), |id| self.running(id)) {
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
        }
        (!ips.is_empty()).then_some(ips)
    }

    /// `container.network` for a running container's address.
    fn reverse(&self, ip: Ipv4Addr) -> Option<String> {
        self.networks.list().ok()?.into_iter().find_map(|n| {
            if !n.dns || !n.endpoints.contains_key(&self.id) {
                return None;
            }
            let (_, e) = n
                .endpoints
                .iter()
                .find(|(id, e)| e.ip == ip && self.running(id))?;
            Some(format!("{}.{}", e.name, n.name))
        })
    }

    /// Only for a container with a way out, a network that is not
    /// `--internal` (docker's forwarding policy, CVE-2024-29018); read at
    /// each foreign query, as `network connect` may give it one.
    fn forwards(&self) -> bool {
        self.networks.list().is_ok_and(|ns| {
            ns.iter()
                .any(|n| !n.internal && n.endpoints.contains_key(&self.id))
        })
    }
}

fn write_sysctl(path: &str, value: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|v| v.trim() == value) {
        return Ok(());
    }
    std::fs::write(path, value)
}

impl NetPlan {
    fn host_if(&self) -> String {
        self.host_if.clone()
    }

    /// Wires the container whose init is `pid` (waiting for go) into the
    /// network. On error, what was done is undone. On a network with DNS,
    /// returns the sockets (UDP, TCP) bound at 127.0.0.11:53 in the container.
    pub fn setup(&self, pid: i32) -> std::io::Result<Option<(UdpSocket, std::net::TcpListener)>> {
        let _g = self.networks.lock(&self.network.name).map_err(io_err)?;
        let r = self.setup_locked(pid).and_then(|()| {
            if self.network.dns {
                let ns = std::fs::File::open(format!("/proc/{pid}/ns/net"))?;
                dns_sockets_in_netns(ns.as_fd(), SocketAddrV4::new(DNS_ADDR, 53)).map(Some)
            } else {
                Ok(None)
            }
        });
        if r.is_err() {
            // Undo: the host end (if made) and the rules.
            if let Ok(mut nl) = Netlink::new() {
                if let Ok(Some(l)) = nl.link_by_name(&self.host_if()) {
                    let _ = nl.delete_link(l.index);
                }
            }
            self.teardown_locked();
        }
        r
    }

    /// Deletes a network's bridge (`network rm`), if it exists.
    pub fn remove_bridge(interface: &str) -> std::io::Result<()> {
        let mut nl = Netlink::new().map_err(io_err)?;
        if let Some(l) = nl.link_by_name(interface).map_err(io_err)? {
            nl.delete_link(l.index).map_err(io_err)?;
        }
        Ok(())
    }

    /// What the container's DNS server answers: the running containers of
    /// its network, read from disk at each query.
    pub fn records(&self) -> Box<dyn Records> {
        Box::new(NetRecords {
            networks: self.networks.clone(),
            containers: self.containers.clone(),
            id: self.id.clone(),
        })
    }

    fn setup_locked(&self, pid: i32) -> std::io::Result<()> {
        let ns: OwnedFd = std::fs::File::open(format!("/proc/{pid}/ns/net"))?.into();
        let n = &self.network;
        if n.driver == "bridge" {
            let mut nl = Netlink::new().map_err(io_err)?;
            ensure_bridge(&mut nl, n)?;
            if !self.ports.is_empty() {
                // DNAT of 127.0.0.1:port to the container needs this.
                write_sysctl(
                    &format!("/proc/sys/net/ipv4/conf/{}/route_localnet", n.interface),
                    "1",
                )?;
            }
        }
        let ep = Endpoint {
            name: String::new(),
            ip: self.ip,
            mac: crate::network::ipam::mac_for(self.ip),
            aliases: Vec::new(),
        };
        attach(&ns, n, &ep, self.mac, "eth0", &self.host_if, true)?;
        // Networks it was connected to besides its own (`network connect`).
        for (extra, ep) in &self.extras {
            let mut nl = Netlink::new().map_err(io_err)?;
            if extra.driver == "bridge" {
                ensure_bridge(&mut nl, extra)?;
            }
            let mac = parse_mac(&ep.mac).unwrap_or(self.mac);
            let ifname = free_ifname(&ns)?;
            let host_if = format!("veth{}", &crate::state::ids::new_id()[..8]);
            attach(&ns, extra, ep, mac, &ifname, &host_if, false)?;
        }
        if n.driver == "bridge" || self.extras.iter().any(|(x, _)| x.driver == "bridge") {
            self.sync_firewall(true).map_err(io_err)?;
        }
        Ok(())
    }

    /// After the container exited: its rules go, and the bridge with its
    /// last user.
    /// Only the firewall lock is taken (inside): holding the network's
    /// lock while the kernel finishes removing rules would make the next
    /// `create` on the network wait for it.
    pub fn teardown(&self) {
        self.teardown_locked();
    }

    /// The veth goes with the container's network namespace (the kernel
    /// frees both once the last process is gone; deleting it here would
    /// cost a synchronous unregister, tens of ms). The bridge stays, as
    /// docker0 does; `network rm` removes a user network's bridge.
    fn teardown_locked(&self) {
        let _ = self.sync_firewall(false);
    }

    /// The `skiff` table from every running container's network and
    /// ports, with this container in (`with_self`) or out.
    fn sync_firewall(&self, with_self: bool) -> Result<()> {
        let me = with_self.then_some(self);
        sync_firewall(
            &self.runroot,
            &self.networks,
            &self.containers,
            Some(&self.id),
            me,
        )
    }
}

/// Recomputes the `skiff` table from disk and applies it, all under the
/// firewall lock (two syncs never apply out of order). `except` is left
/// out (a container being torn down); `me` is put in (one being set up,
/// not yet recorded as running).
pub(crate) fn sync_firewall(
    runroot: &std::path::Path,
    networks: &NetworkStore,
    containers: &ContainerStore,
    except: Option<&str>,
    me: Option<&NetPlan>,
) -> Result<()> {
    std::fs::create_dir_all(runroot).map_err(|e| Error::io("creating", runroot, e))?;
    let _g = crate::state::lock::LockGuard::exclusive(&runroot.join("firewall.lock"))?;
    let mut ports = Vec::new();
    let mut users: Vec<String> = Vec::new();
    for c in containers.all()? {
        if Some(c.id()) == except || !in_use(&c.state) {
            continue;
        }
        for p in &c.state.ports {
            ports.push((
                c.config.host_config.network_mode.clone(),
                *p,
                c.id().to_owned(),
            ));
        }
        users.push(c.id().to_owned());
    }
    if let Some(m) = me {
        ports.extend(
            m.ports
                .iter()
                .map(|p| (m.network.name.clone(), *p, m.id.clone())),
        );
        users.push(m.id.clone());
    }
    // Every bridge network some running (or starting) container is on:
    // its rules go with its last user, and the table with the last rule.
    let mut rules = Ruleset::default();
    let mut nets: Vec<Network> = Vec::new();
    for n in networks.list()? {
        let used = users.iter().any(|u| n.endpoints.contains_key(u));
        if n.driver == "bridge" && used {
            rules.networks.push(firewall::Network {
                bridge: n.interface.clone(),
                subnet: n.subnet,
                internal: n.internal,
            });
            nets.push(n);
        }
    }
    for (net, p, id) in ports {
        let Some(n) = nets.iter().find(|n| n.name == net) else {
            continue;
        };
        let Some(ip) = n.endpoints.get(&id).map(|e| e.ip) else {
            continue;
        };
        rules.ports.push(PortMap {
            host_ip: p.host_ip,
            host_port: p.host_port,
            proto: match p.proto {
                Proto::Tcp => firewall::Proto::Tcp,
                Proto::Udp => firewall::Proto::Udp,
            },
            container_ip: ip,
            container_port: p.container_port,
            bridge: n.interface.clone(),
        });
    }
    let conn = apply_ruleset(runroot, &rules)?;
    drop(_g);
    drop(conn);
    Ok(())
}

/// The cache of the last applied ruleset. Its name changes with the rules
/// a ruleset stands for: a table made by an older skiff (say, without the
/// loopback and isolation drops) is then replaced whole, not appended to.
const FIREWALL_CACHE: &str = "firewall-2.json";

/// Applies `rules`, the cheap way when the last applied ruleset (kept in
/// `<runroot>/`[`FIREWALL_CACHE`], under `<runroot>/firewall.lock`) allows it.
/// The caller holds the firewall lock, and drops the returned connection
/// after releasing it (closing it may wait for the kernel).
fn apply_ruleset(runroot: &std::path::Path, rules: &Ruleset) -> Result<Option<firewall::Conn>> {
    let cache = runroot.join(FIREWALL_CACHE);
    let prev: Option<Ruleset> = std::fs::read(&cache)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    // The table may have been changed behind our back (flushed, deleted):
    // then the cheap way fails, and the whole table is replaced.
    if prev.as_ref() == Some(rules) {
        return Ok(None);
    }
    let conn = firewall::connect().map_err(|e| Error::Other(e.to_string()))?;
    // Killed between the change and the cache's rewrite, a stale cache
    // would make the next change append rules already there: without a
    // cache, the next one replaces the whole table.
    let _ = std::fs::remove_file(&cache);
    let done = conn
        .apply_changes(prev.as_ref(), rules)
        .or_else(|_| conn.apply(rules));
    if let Err(e) = done {
        let _ = std::fs::remove_file(&cache);
        return Err(Error::Other(e.to_string()));
    }
    let bytes = serde_json::to_vec(rules).map_err(|e| Error::Other(e.to_string()))?;
    crate::state::atomic::write_volatile(&cache, &bytes)?;
    Ok(Some(conn))
}

/// The network's bridge, made (with the gateway address, up) when missing;
/// its index.
fn ensure_bridge(nl: &mut Netlink, n: &Network) -> std::io::Result<u32> {
    let gw = Ipv4Net::new(n.gateway, n.subnet.prefix_len()).map_err(io_err)?;
    let index = match nl.link_by_name(&n.interface).map_err(io_err)? {
        Some(l) => {
            // Made by an earlier start (or another store sharing skiff0).
            let has = nl.addrs(Some(l.index)).map_err(io_err)?;
            if !has.iter().any(|(_, a)| *a == gw) {
                nl.add_addr(l.index, gw).map_err(io_err)?;
            }
            if !l.up {
                nl.set_up(l.index).map_err(io_err)?;
            }
            l.index
        }
        None => {
            let idx = nl.create_bridge(&n.interface, None).map_err(io_err)?;
            nl.add_addr(idx, gw).map_err(io_err)?;
            nl.set_up(idx).map_err(io_err)?;
            idx
        }
    };
    if !n.internal {
        write_sysctl("/proc/sys/net/ipv4/ip_forward", "1")?;
    }
    Ok(index)
}

/// `ifname` in the container on network `n` (a veth to the bridge, or a
/// macvlan on the parent), with the endpoint's address and `mac`, up;
/// with `route`, the default route through the network's gateway.
fn attach(
    ns: &OwnedFd,
    n: &Network,
    ep: &Endpoint,
    mac: [u8; 6],
    ifname: &str,
    host_if: &str,
    route: bool,
) -> std::io::Result<()> {
    let mut nl = Netlink::new().map_err(io_err)?;
    if n.driver == "macvlan" {
        let parent = nl
            .link_by_name(&n.interface)
            .map_err(io_err)?
            .ok_or_else(|| io_err(format!("macvlan parent {} not found", n.interface)))?;
        nl.create_macvlan(ifname, parent.index, Some(ns.as_fd()))
            .map_err(io_err)?;
    } else {
        let bridge = nl
            .link_by_name(&n.interface)
            .map_err(io_err)?
            .ok_or_else(|| io_err(format!("bridge {} not found", n.interface)))?
            .index;
        let host = nl
            .create_veth(host_if, ifname, Some(ns.as_fd()), None)
            .map_err(io_err)?;
        nl.set_master(host, bridge).map_err(io_err)?;
        nl.set_up(host).map_err(io_err)?;
    }
    let mut cn = Netlink::in_netns(ns.as_fd()).map_err(io_err)?;
    let link = cn
        .link_by_name(ifname)
        .map_err(io_err)?
        .ok_or_else(|| io_err(format!("{ifname} vanished")))?
        .index;
    cn.set_mac(link, mac).map_err(io_err)?;
    let addr = Ipv4Net::new(ep.ip, n.subnet.prefix_len()).map_err(io_err)?;
    cn.add_addr(link, addr).map_err(io_err)?;
    cn.set_up(link).map_err(io_err)?;
    if let Some(lo) = cn.link_by_name("lo").map_err(io_err)? {
        cn.set_up(lo.index).map_err(io_err)?;
    }
    if route && !n.internal {
        let default: Ipv4Net = "0.0.0.0/0".parse().expect("valid");
        cn.add_route(default, Some(n.gateway), Some(link))
            .map_err(io_err)?;
    }
    Ok(())
}

/// The first `ethN` not taken in the container.
fn free_ifname(ns: &OwnedFd) -> std::io::Result<String> {
    let mut cn = Netlink::in_netns(ns.as_fd()).map_err(io_err)?;
    let links = cn.links().map_err(io_err)?;
    Ok((0..)
        .map(|i| format!("eth{i}"))
        .find(|name| !links.iter().any(|l| &l.name == name))
        .expect("some ethN is free"))
}

/// `network connect` of a running container (its init is `pid`).
pub(crate) fn connect_running(pid: i32, n: &Network, ep: &Endpoint) -> Result<()> {
    let ns: OwnedFd = std::fs::File::open(format!("/proc/{pid}/ns/net"))
        .map_err(|e| Error::Other(format!("opening the network namespace of {pid}: {e}")))?
        .into();
    let run = || -> std::io::Result<()> {
        let mut nl = Netlink::new().map_err(io_err)?;
        if n.driver == "bridge" {
            ensure_bridge(&mut nl, n)?;
        }
        let mac = parse_mac(&ep.mac).unwrap_or([2, 0x42, 0, 0, 0, 0]);
        let ifname = free_ifname(&ns)?;
        let host_if = format!("veth{}", &crate::state::ids::new_id()[..8]);
        attach(&ns, n, ep, mac, &ifname, &host_if, false)
    };
    run().map_err(|e| Error::Other(format!("connecting to network {}: {e}", n.name)))
}

/// `network disconnect` of a running container: the interface holding
/// its address on `n` is deleted.
pub(crate) fn disconnect_running(pid: i32, n: &Network, ep: &Endpoint) -> Result<()> {
    let ns: OwnedFd = std::fs::File::open(format!("/proc/{pid}/ns/net"))
        .map_err(|e| Error::Other(format!("opening the network namespace of {pid}: {e}")))?
        .into();
    let run = || -> std::io::Result<()> {
        let mut cn = Netlink::in_netns(ns.as_fd()).map_err(io_err)?;
        let addrs = cn.addrs(None).map_err(io_err)?;
        if let Some((index, _)) = addrs.iter().find(|(_, a)| a.addr() == ep.ip) {
            cn.delete_link(*index).map_err(io_err)?;
        }
        Ok(())
    };
    run().map_err(|e| Error::Other(format!("disconnecting from network {}: {e}", n.name)))
}
