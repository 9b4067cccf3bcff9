//! A container's network, kernel side: the bridge (created with its first
//! user, removed with its last), the veth pair with `eth0` in the
//! container, its address and route, and the `skiff` nftables table
//! recomputed from what runs. Every step runs under the network's lock;
//! a failed setup undoes what it did.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, UdpSocket};
use std::os::fd::{AsFd, OwnedFd};

use super::liveness::process_alive;
use super::Engine;
use crate::error::{Error, Result};
use crate::network::dns::Records;
use crate::network::driver::{self, DriverInfo, NetworkDriver, Sockets};
use crate::network::firewall::{self, PortMap, Ruleset};
use crate::network::links::Link;
use crate::network::netlink::Netlink;
use crate::network::ports::{PortBinding, Proto};
use crate::state::container::{Container, ContainerStore};
use crate::state::network::{Endpoint, Network, NetworkStore};

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
    /// `--link`s: on a user network, names its DNS answers for it alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    /// Where the last applied ruleset is kept ([`FIREWALL_CACHE`]).
    pub(crate) runroot: std::path::PathBuf,
    pub(crate) networks: NetworkStore,
    pub(crate) containers: ContainerStore,
    /// A rootless engine's: the holder (pid, start time) of the user's
    /// rootless netns, where this setup runs (`engine::rootless_netns`);
    /// its published ports are skiff's forwarder's (`network::portfwd`),
    /// not DNAT rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rootless_holder: Option<(i32, u64)>,
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

/// The ports `c` exposes (its image's and `--expose`).
pub(crate) fn exposed_ports(c: &Container) -> Result<Vec<(u16, Proto)>> {
    let mut out = Vec::new();
    for key in c
        .config
        .config
        .exposed_ports
        .iter()
        .flatten()
        .map(|(k, _)| k)
    {
        out.extend(crate::network::ports::parse_expose(key)?);
    }
    Ok(out)
}

impl Engine {
    /// The plan for starting `c` on its network; `None` for none/host.
    pub(crate) fn net_plan(&self, c: &Container) -> Result<Option<NetPlan>> {
        let mode = &c.config.host_config.network_mode;
        if driver::for_mode(mode).is_some() {
            // host, none, container:: the runtime picks the namespace;
            // nothing is wired after the spawn.
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
        log::debug!("network {mode} for {}: address {}", c.id(), ep.ip);
        let mut wanted: Vec<PortBinding> = c.config.net.publish.clone();
        if c.config.net.publish_all {
            for (port, proto) in exposed_ports(c)? {
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
            host_if: new_host_if(),
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
            links: c.config.net.links.clone(),
            runroot: self.opts.runroot.clone(),
            networks: self.networks.clone(),
            containers: self.containers.clone(),
            rootless_holder: None,
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
        // that follows; this cannot be recovered from. (The logger writes
        // each record at once: the line is out before the abort.)
        let e = std::io::Error::last_os_error();
        log::error!("returning to the monitor's own network namespace after binding the DNS sockets: {e}; aborting");
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
    links: Vec<Link>,
}

impl NetRecords {
    fn running(&self, id: &str) -> bool {
        self.containers.load_state(id).is_ok_and(|st| running(&st))
    }
}

impl Records for NetRecords {
    /// A name, or `name.network` (docker answers both).
    fn lookup(&self, name: &str) -> Option<Vec<Ipv4Addr>> {
        // A link's alias stands for the linked container's name (docker's
        // links on a user network).
        let bare = name.trim_end_matches('.');
        let name = self
            .links
            .iter()
            .find(|l| l.alias.eq_ignore_ascii_case(bare))
            .map_or(name, |l| l.name.as_str());
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

impl NetPlan {
    /// Wires the container whose init is `pid` (waiting for go) into its
    /// networks: every attachment validated, then set up, then the
    /// firewall. On error, what was done is rolled back. On a network with
    /// DNS, returns the sockets (UDP, TCP) bound at 127.0.0.11:53 in the
    /// container.
    pub fn setup(&self, pid: i32) -> std::io::Result<Option<(UdpSocket, std::net::TcpListener)>> {
        let _g = self.networks.lock(&self.network.name).map_err(io_err)?;
        let ns: OwnedFd = std::fs::File::open(format!("/proc/{pid}/ns/net"))?.into();
        let mut socks = Sockets::new(ns.as_fd());
        let primary = Endpoint {
            name: String::new(),
            ip: self.ip,
            mac: crate::network::ipam::mac_for(self.ip),
            aliases: Vec::new(),
        };
        let attachments = self.attachments(&primary, &mut socks)?;
        let set = match driver::validate(attachments, &mut socks).map_err(io_err) {
            Ok(v) => v.setup(&mut socks).map_err(io_err),
            Err(e) => Err(e),
        };
        let set = match set {
            Ok(set) => set,
            Err(e) => {
                self.teardown_locked();
                return Err(e);
            }
        };
        let bridged = std::iter::once(&self.network)
            .chain(self.extras.iter().map(|(x, _)| x))
            .any(|n| n.driver == "bridge");
        let r = (|| {
            if bridged {
                self.sync_firewall(true).map_err(io_err)?;
            }
            if self.network.dns {
                dns_sockets_in_netns(ns.as_fd(), SocketAddrV4::new(DNS_ADDR, 53)).map(Some)
            } else {
                Ok(None)
            }
        })();
        if let Err(e) = r {
            let undone = set.rollback(&mut socks);
            self.teardown_locked();
            let mut msg = e.to_string();
            for u in undone {
                msg.push_str(&format!("; rolling back: {u}"));
            }
            return Err(std::io::Error::new(e.kind(), msg));
        }
        r
    }

    /// Its attachments: `eth0` on its network (the default route), then
    /// one for each network it was connected to (`network connect`).
    fn attachments<'a>(
        &'a self,
        primary: &'a Endpoint,
        socks: &mut Sockets,
    ) -> std::io::Result<Vec<Box<dyn NetworkDriver + 'a>>> {
        let mut infos = vec![DriverInfo {
            network: &self.network,
            endpoint: primary,
            mac: self.mac,
            ifname: "eth0".into(),
            host_if: self.host_if.clone(),
            default_route: true,
            ports: !self.ports.is_empty(),
        }];
        let names = free_ifnames(socks, &["eth0"], self.extras.len())?;
        for ((extra, ep), ifname) in self.extras.iter().zip(names) {
            infos.push(DriverInfo {
                network: extra,
                endpoint: ep,
                mac: parse_mac(&ep.mac).unwrap_or(self.mac),
                ifname,
                host_if: new_host_if(),
                default_route: false,
                ports: false,
            });
        }
        infos
            .into_iter()
            .map(|i| driver::for_network(i).map_err(io_err))
            .collect()
    }

    /// Deletes a network's bridge (`network rm`), if it exists.
    pub fn remove_bridge(interface: &str) -> std::io::Result<()> {
        driver::bridge::remove_bridge(interface).map_err(io_err)
    }

    /// What the container's DNS server answers: the running containers of
    /// its network, read from disk at each query.
    pub fn records(&self) -> Box<dyn Records> {
        Box::new(NetRecords {
            networks: self.networks.clone(),
            containers: self.containers.clone(),
            id: self.id.clone(),
            links: self.links.clone(),
        })
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
        if let Err(e) = self.sync_firewall(false) {
            log::error!(
                "container {}: removing its firewall rules (network {}): {e}",
                self.id,
                self.network.name
            );
        }
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
            self.rootless_holder.is_none(),
        )
    }
}

/// Recomputes the `skiff` table from disk and applies it, all under the
/// firewall lock (two syncs never apply out of order). `except` is left
/// out (a container being torn down); `me` is put in (one being set up,
/// not yet recorded as running). Without `dnat` (a rootless netns, whose
/// published ports are skiff's forwarder's), no port gets a rule.
pub(crate) fn sync_firewall(
    runroot: &std::path::Path,
    networks: &NetworkStore,
    containers: &ContainerStore,
    except: Option<&str>,
    me: Option<&NetPlan>,
    dnat: bool,
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
    for (net, p, id) in ports.into_iter().filter(|_| dnat) {
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
pub(crate) const FIREWALL_CACHE: &str = "firewall-2.json";

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

/// A veth's host end: random per attachment, since a previous start's
/// pair may still be on its way out with its old namespace.
fn new_host_if() -> String {
    format!("veth{}", &crate::state::ids::new_id()[..8])
}

/// The first `count` names `ethN` neither taken in the container nor in
/// `reserved`.
fn free_ifnames(
    socks: &mut Sockets,
    reserved: &[&str],
    count: usize,
) -> std::io::Result<Vec<String>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let links = socks.inside().and_then(|cn| cn.links()).map_err(io_err)?;
    Ok((0..)
        .map(|i| format!("eth{i}"))
        .filter(|name| !reserved.contains(&name.as_str()) && !links.iter().any(|l| &l.name == name))
        .take(count)
        .collect())
}

/// `network connect` of a running container (its init is `pid`).
pub(crate) fn connect_running(pid: i32, n: &Network, ep: &Endpoint) -> Result<()> {
    let ns: OwnedFd = std::fs::File::open(format!("/proc/{pid}/ns/net"))
        .map_err(|e| Error::Other(format!("opening the network namespace of {pid}: {e}")))?
        .into();
    let run = || -> std::io::Result<()> {
        let mut socks = Sockets::new(ns.as_fd());
        let ifname = free_ifnames(&mut socks, &[], 1)?.remove(0);
        let info = DriverInfo {
            network: n,
            endpoint: ep,
            mac: parse_mac(&ep.mac).unwrap_or([2, 0x42, 0, 0, 0, 0]),
            ifname,
            host_if: new_host_if(),
            default_route: false,
            ports: false,
        };
        let d = driver::for_network(info).map_err(io_err)?;
        driver::validate(vec![d], &mut socks)
            .map_err(io_err)?
            .setup(&mut socks)
            .map(drop)
            .map_err(io_err)
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
