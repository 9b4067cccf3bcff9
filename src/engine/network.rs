//! `network create/ls/inspect/rm/prune`: the stored networks and docker's
//! predefined ones.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use sha2::{Digest, Sha256};

use super::container::parse_labels;
use super::Engine;
use crate::error::{Error, Result};
use crate::network::{ipam, DEFAULT_BRIDGE, DEFAULT_NETWORK, PREDEFINED};
use crate::state::ids;
use crate::state::network::{Endpoint, Network};
use crate::util::time;

/// `network create`'s options, as the user gave them.
#[derive(Debug, Clone, Default)]
pub struct NetworkCreate {
    pub name: String,
    pub driver: Option<String>,
    pub subnet: Option<String>,
    pub ip_range: Option<String>,
    pub gateway: Option<String>,
    pub internal: bool,
    /// `-o key=value`.
    pub options: Vec<String>,
    pub labels: Vec<String>,
}

/// One row of `network ls`, or the object `network inspect` shows.
#[derive(Debug, Clone)]
pub enum NetworkEntry {
    Stored(Network),
    /// `host` or `none`: modes, not stored.
    Mode {
        name: &'static str,
        driver: &'static str,
    },
}

impl NetworkEntry {
    pub fn name(&self) -> &str {
        match self {
            NetworkEntry::Stored(n) => &n.name,
            NetworkEntry::Mode { name, .. } => name,
        }
    }

    pub fn id(&self) -> String {
        match self {
            NetworkEntry::Stored(n) => n.id.clone(),
            NetworkEntry::Mode { name, .. } => mode_id(name),
        }
    }

    pub fn driver(&self) -> &str {
        match self {
            NetworkEntry::Stored(n) => &n.driver,
            NetworkEntry::Mode { driver, .. } => driver,
        }
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        match self {
            NetworkEntry::Stored(n) => n.labels.clone(),
            NetworkEntry::Mode { .. } => BTreeMap::new(),
        }
    }

    pub fn created(&self) -> time::UnixNanos {
        match self {
            NetworkEntry::Stored(n) => n.created,
            NetworkEntry::Mode { .. } => 0,
        }
    }

    /// docker's predefined networks (bridge, host, none).
    pub fn is_builtin(&self) -> bool {
        PREDEFINED.iter().any(|(n, _)| *n == self.name())
    }
}

/// A stable id for `host` and `none`.
pub(super) fn mode_id(name: &str) -> String {
    ids::hex(&Sha256::digest(format!("skiff network {name}").as_bytes()))
}

/// `network ls -f`.
#[derive(Debug, Clone)]
pub enum NetworkFilter {
    Name(String),
    Id(String),
    Driver(String),
    Label(String, Option<String>),
    /// `type=custom|builtin`.
    Custom(bool),
    /// `dangling=true`: no container on it.
    Dangling(bool),
}

impl NetworkFilter {
    pub fn parse(s: &str) -> Result<NetworkFilter> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            Error::InvalidArgument(format!("bad format of filter (expected name=value): {s}"))
        })?;
        let bool_of = |v: &str| match v {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(Error::InvalidArgument(format!("Invalid filter '{k}={v}'"))),
        };
        Ok(match k {
            "name" => NetworkFilter::Name(v.into()),
            "id" => NetworkFilter::Id(v.into()),
            "driver" => NetworkFilter::Driver(v.into()),
            "label" => match v.split_once('=') {
                Some((a, b)) => NetworkFilter::Label(a.into(), Some(b.into())),
                None => NetworkFilter::Label(v.into(), None),
            },
            "type" => match v {
                "custom" => NetworkFilter::Custom(true),
                "builtin" => NetworkFilter::Custom(false),
                _ => {
                    return Err(Error::InvalidArgument(format!(
                        "invalid filter: 'type'='{v}'"
                    )))
                }
            },
            "dangling" => NetworkFilter::Dangling(bool_of(v)?),
            _ => return Err(Error::InvalidArgument(format!("Invalid filter '{k}'"))),
        })
    }

    fn matches(&self, e: &NetworkEntry) -> bool {
        match self {
            NetworkFilter::Name(n) => e.name().contains(n.as_str()),
            NetworkFilter::Id(p) => e.id().starts_with(p.as_str()),
            NetworkFilter::Driver(d) => e.driver() == d,
            NetworkFilter::Label(k, v) => match v {
                Some(v) => e.labels().get(k) == Some(v),
                None => e.labels().contains_key(k),
            },
            NetworkFilter::Custom(custom) => e.is_builtin() != *custom,
            NetworkFilter::Dangling(d) => {
                let unused = match e {
                    NetworkEntry::Stored(n) => n.endpoints.is_empty(),
                    NetworkEntry::Mode { .. } => true,
                };
                // docker: dangling never lists the predefined networks.
                !e.is_builtin() && unused == *d
            }
        }
    }
}

fn no_such_network(name: &str) -> Error {
    Error::NotFound(format!("network {name} not found"))
}

/// A `--subnet`/`--ip-range` CIDR; the error is docker's daemon's
/// (`Invalid subnet X : invalid CIDR address: X`).
fn parse_net(flag: &str, s: &str) -> Result<Ipv4Net> {
    let what = if flag == "--subnet" {
        "subnet"
    } else {
        "range"
    };
    s.parse::<Ipv4Net>().map(|n| n.trunc()).map_err(|_| {
        Error::InvalidArgument(format!("Invalid {what} {s} : invalid CIDR address: {s}"))
    })
}

impl Engine {
    /// The default `bridge` network, created on first use: 172.17.0.0/16
    /// unless the host already routes part of it (then the next free pool).
    pub fn default_network(&self) -> Result<Network> {
        if let Some(n) = self.networks.load(DEFAULT_NETWORK)? {
            return Ok(n);
        }
        let _g = self.networks.lock_all()?;
        if let Some(n) = self.networks.load(DEFAULT_NETWORK)? {
            return Ok(n);
        }
        let subnet = ipam::pick_subnet(&self.taken_subnets(true)?)
            .ok_or_else(|| Error::Other("no free subnet in the default address pools".into()))?;
        let n = Network {
            name: DEFAULT_NETWORK.into(),
            id: ids::new_id(),
            driver: "bridge".into(),
            created: time::now(),
            subnet,
            gateway: ipam::first_host(&subnet),
            gateway_unset: false,
            ip_range: None,
            internal: false,
            labels: BTreeMap::new(),
            options: BTreeMap::from([
                (
                    "com.docker.network.bridge.default_bridge".into(),
                    "true".into(),
                ),
                (
                    "com.docker.network.bridge.name".into(),
                    DEFAULT_BRIDGE.into(),
                ),
            ]),
            interface: DEFAULT_BRIDGE.into(),
            dns: false,
            endpoints: BTreeMap::new(),
        };
        self.networks.save(&n)?;
        Ok(n)
    }

    /// Subnets in use: stored networks, and with `host`, the host's routes
    /// (a rootless engine's networks are in the user's rootless netns,
    /// which has only the routes pasta copies: those of the host's
    /// default interface).
    fn taken_subnets(&self, host: bool) -> Result<Vec<Ipv4Net>> {
        let mut taken: Vec<Ipv4Net> = self.networks.list()?.iter().map(|n| n.subnet).collect();
        match (host, self.opts.rootless) {
            (true, false) => taken.extend(ipam::host_routes()),
            (true, true) => taken.extend(ipam::default_interface_routes()),
            (false, _) => {}
        }
        Ok(taken)
    }

    /// `network create`.
    pub fn network_create(&self, o: &NetworkCreate) -> Result<Network> {
        let name = o.name.as_str();
        if !crate::state::network::valid_name(name) {
            return Err(Error::InvalidArgument(format!(
                "invalid network name {name:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )));
        }
        let driver = o.driver.clone().unwrap_or_else(|| "bridge".into());
        if self.opts.rootless && driver == "macvlan" {
            return Err(Error::InvalidArgument(format!(
                "network create {name}: a rootless user can't make a macvlan network (it needs the host's network namespace); bridge networks live in the user's rootless netns"
            )));
        }
        if driver != "bridge" && driver != "macvlan" {
            return Err(Error::NotFound(format!("plugin {driver:?} not found")));
        }
        let options = parse_labels(&o.options);
        let parent = if driver == "macvlan" {
            macvlan_parent(&options)?
        } else {
            String::new()
        };
        let (subnet, gateway, ip_range) = check_addresses(o)?;
        let _g = self.networks.lock_all()?;
        if PREDEFINED.iter().any(|(n, _)| *n == name) || self.networks.load(name)?.is_some() {
            return Err(Error::Conflict(format!(
                "network with name {name} already exists"
            )));
        }
        let subnet = self.free_subnet(subnet)?;
        let id = ids::new_id();
        let interface = if driver == "bridge" {
            crate::network::driver::bridge::user_bridge_name(&id)
        } else {
            parent
        };
        let n = Network {
            name: name.into(),
            id,
            driver,
            created: time::now(),
            subnet,
            gateway: gateway.unwrap_or_else(|| ipam::first_host(&subnet)),
            // docker's IPAM config lists the user's subnet without a
            // gateway when none was given.
            gateway_unset: o.subnet.is_some() && gateway.is_none(),
            ip_range,
            internal: o.internal,
            labels: parse_labels(&o.labels),
            options,
            interface,
            dns: true,
            endpoints: BTreeMap::new(),
        };
        self.store_network(&n)?;
        Ok(n)
    }

    /// The asked subnet if no network overlaps it, else a free default pool.
    fn free_subnet(&self, asked: Option<Ipv4Net>) -> Result<Ipv4Net> {
        match asked {
            Some(s) => {
                if self.taken_subnets(false)?.iter().any(|t| ipam::overlaps(t, &s)) {
                    return Err(Error::Conflict(format!(
                        "invalid pool request: Pool overlaps with other one on this address space: {s}"
                    )));
                }
                Ok(s)
            }
            None => ipam::pick_subnet(&self.taken_subnets(true)?).ok_or_else(|| {
                Error::Other("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network".into())
            }),
        }
    }

    /// A new network on disk and, for a bridge network of a rootful
    /// engine, its bridge on the host (as docker makes `br-<id>` at once);
    /// neither when the other fails.
    fn store_network(&self, n: &Network) -> Result<()> {
        self.networks.save(n)?;
        // A rootless network's bridge is made in the user's rootless netns
        // by its first start.
        if n.driver != "bridge" || self.opts.rootless {
            return Ok(());
        }
        crate::network::driver::bridge::create_bridge(n).map_err(|e| {
            let _ = self.networks.remove(&n.name);
            Error::Other(e.to_string())
        })
    }

    /// A network's bridge, on the host or (rootless) in the user's rootless
    /// netns if it runs.
    fn remove_bridge(&self, interface: &str) -> Result<()> {
        let r = if self.opts.rootless {
            let op = super::rootless_netns::Op::RemoveBridge {
                interface: interface.to_owned(),
            };
            super::rootless_netns::in_running(&self.opts.runroot, &op)
        } else {
            super::netsetup::NetPlan::remove_bridge(interface)
                .map_err(|e| Error::Other(e.to_string()))
        };
        r.map_err(|e| Error::Other(format!("removing bridge {interface}: {e}")))
    }

    /// A network by name, full id or unique id prefix (predefined included).
    pub fn network_lookup(&self, name: &str) -> Result<NetworkEntry> {
        for (n, driver) in PREDEFINED {
            if n == name && n != DEFAULT_NETWORK {
                return Ok(NetworkEntry::Mode { name: n, driver });
            }
        }
        if name == DEFAULT_NETWORK {
            return self.default_network().map(NetworkEntry::Stored);
        }
        if let Some(n) = self.networks.load(name)? {
            return Ok(NetworkEntry::Stored(n));
        }
        let all = self.network_list(&[])?;
        let ids: Vec<String> = all.iter().map(|e| e.id()).collect();
        match ids::match_prefix(ids.iter().map(String::as_str), name, "network")? {
            Some(id) => Ok(all.into_iter().find(|e| e.id() == id).expect("listed")),
            None => Err(no_such_network(name)),
        }
    }

    /// `network ls`: the stored networks and `host`/`none`, by name.
    pub fn network_list(&self, filters: &[NetworkFilter]) -> Result<Vec<NetworkEntry>> {
        self.default_network()?;
        let mut all: Vec<NetworkEntry> = self
            .networks
            .list()?
            .into_iter()
            .map(NetworkEntry::Stored)
            .collect();
        for (name, driver) in PREDEFINED {
            if name != DEFAULT_NETWORK {
                all.push(NetworkEntry::Mode { name, driver });
            }
        }
        all.sort_by(|a, b| a.name().cmp(b.name()));
        Ok(all
            .into_iter()
            .filter(|e| filters.iter().all(|f| f.matches(e)))
            .collect())
    }

    /// `network rm`: refuses a predefined network, or one in use unless
    /// `force` (then the containers on it are removed first, as podman
    /// does). Returns the name as the user gave it.
    pub fn network_remove(&self, name: &str, force: bool) -> Result<()> {
        let e = self.network_lookup(name)?;
        if e.is_builtin() {
            return Err(Error::Conflict(format!(
                "{} is a pre-defined network and cannot be removed",
                e.name()
            )));
        }
        let NetworkEntry::Stored(n) = e else {
            unreachable!("only predefined networks are not stored")
        };
        if !n.endpoints.is_empty() {
            if !force {
                return Err(Error::Conflict(format!(
                    "error while removing network: network {} id {} has active endpoints",
                    n.name, n.id
                )));
            }
            for id in n.endpoints.keys() {
                self.remove_container(id, true)?;
            }
        }
        let _g = self.networks.lock_all()?;
        let _n = self.networks.lock(&n.name)?;
        match self.networks.load(&n.name)? {
            Some(now) if !now.endpoints.is_empty() => Err(Error::Conflict(format!(
                "error while removing network: network {} id {} has active endpoints",
                n.name, n.id
            ))),
            Some(gone) => {
                // The bridge first: a command killed in between leaves a
                // network without its bridge (a start makes it again, and
                // the next rm finishes), never a bridge without a network.
                if gone.driver == "bridge" {
                    self.remove_bridge(&gone.interface)?;
                }
                self.networks.remove(&n.name)?;
                if gone.driver == "bridge" {
                    // Its rules go with it.
                    self.sync_firewall(None)?;
                }
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// The network a container's `--network` names: `bridge` (also
    /// `default`) or a user network; `None` for the modes (none, host,
    /// container:).
    pub(crate) fn network_for_mode(&self, mode: &str) -> Result<Option<Network>> {
        match mode {
            "none" | "host" | "pasta" => Ok(None),
            m if m.starts_with("container:") => Ok(None),
            // podman's name for it too.
            "bridge" | "default" | "podman" => self.default_network().map(Some),
            m => match self.network_lookup(m)? {
                NetworkEntry::Stored(n) => Ok(Some(n)),
                NetworkEntry::Mode { .. } => Ok(None),
            },
        }
    }

    /// `create`: an endpoint (address, MAC, aliases) on `net` for
    /// container `id`, under the network's lock.
    pub(crate) fn join_network(
        &self,
        net: &Network,
        id: &str,
        name: &str,
        req: &crate::state::container::NetRequest,
    ) -> Result<()> {
        if !net.dns && !req.aliases.is_empty() {
            return Err(Error::InvalidArgument(
                "network-scoped alias is supported only for containers in user defined networks"
                    .into(),
            ));
        }
        if net.name == DEFAULT_NETWORK && req.ip.is_some() {
            return Err(Error::InvalidArgument(
                "user specified IP address is supported on user defined networks only".into(),
            ));
        }
        let _g = self.networks.lock(&net.name)?;
        let mut n = self
            .networks
            .load(&net.name)?
            .ok_or_else(|| no_such_network(&net.name))?;
        let ip = ipam::allocate(&n, req.ip)?;
        let mac = req.mac.clone().unwrap_or_else(|| ipam::mac_for(ip));
        n.endpoints.insert(
            id.to_owned(),
            crate::state::network::Endpoint {
                name: name.to_owned(),
                ip,
                mac,
                aliases: req.aliases.clone(),
            },
        );
        self.networks.save(&n)
    }

    /// `network connect`: an endpoint on `net` for the container, and, if
    /// it runs, an interface in it at once.
    pub fn network_connect(
        &self,
        net: &str,
        container: &str,
        aliases: &[String],
        ip: Option<Ipv4Addr>,
    ) -> Result<()> {
        let NetworkEntry::Stored(n) = self.network_lookup(net)? else {
            return Err(Error::Conflict(
                "container cannot be disconnected from host network or connected to host network"
                    .into(),
            ));
        };
        let c = self.container_lookup(container)?;
        let mode = &c.config.host_config.network_mode;
        if mode == "none" || mode == "host" || mode.starts_with("container:") {
            return Err(Error::Conflict(format!(
                "container sharing network namespace with another container or host cannot be connected to any other network (--network {mode})"
            )));
        }
        if self.opts.rootless && !super::rootless_netns::on_user_network(mode) {
            return Err(Error::InvalidArgument(format!(
                "a rootless container on --network {mode} can't be connected to network {}: it has a user namespace of its own; create it with --network NAME",
                n.name
            )));
        }
        if n.endpoints.contains_key(c.id()) {
            return Err(Error::Conflict(format!(
                "endpoint with name {} already exists in network {}",
                c.name(),
                n.name
            )));
        }
        let req = crate::state::container::NetRequest {
            ip,
            aliases: aliases.to_vec(),
            ..Default::default()
        };
        self.join_network(&n, c.id(), c.name(), &req)?;
        if c.state.is_running() {
            let now = self
                .networks
                .load(&n.name)?
                .ok_or_else(|| no_such_network(net))?;
            let ep = now.endpoints.get(c.id()).cloned().expect("just joined");
            if let Err(e) = self
                .wire_running(true, c.state.pid, &now, &ep)
                .and_then(|()| self.sync_firewall(None))
            {
                // Its interface goes too, if it was made.
                let _ = self.wire_running(false, c.state.pid, &now, &ep);
                let _ = self.networks.release(&n.name, c.id());
                let _ = self.sync_firewall(None);
                return Err(e);
            }
        }
        Ok(())
    }

    /// `network disconnect`: the endpoint goes, and its interface if the
    /// container runs.
    pub fn network_disconnect(&self, net: &str, container: &str) -> Result<()> {
        let NetworkEntry::Stored(n) = self.network_lookup(net)? else {
            return Err(Error::Conflict(
                "container cannot be disconnected from host network or connected to host network"
                    .into(),
            ));
        };
        let c = self.container_lookup(container)?;
        let Some(ep) = n.endpoints.get(c.id()).cloned() else {
            return Err(Error::Conflict(format!(
                "container {} is not connected to the network {}",
                c.id(),
                n.name
            )));
        };
        if c.state.is_running() {
            self.wire_running(false, c.state.pid, &n, &ep)?;
        }
        self.networks.release(&n.name, c.id())?;
        if n.driver == "bridge" {
            // Its NAT goes if it was the network's last running user.
            self.sync_firewall(None)?;
        }
        Ok(())
    }

    /// `network connect` (`connect`) or `disconnect` of the running
    /// container `pid`: on the host, or in a rootless engine in the user's
    /// rootless netns.
    fn wire_running(&self, connect: bool, pid: i32, n: &Network, ep: &Endpoint) -> Result<()> {
        use super::rootless_netns::Op;
        match (self.opts.rootless, connect) {
            (false, true) => super::netsetup::connect_running(pid, n, ep),
            (false, false) => super::netsetup::disconnect_running(pid, n, ep),
            (true, connect) => {
                let (network, endpoint) = (Box::new(n.clone()), ep.clone());
                let op = match connect {
                    true => Op::Connect {
                        pid,
                        network,
                        endpoint,
                    },
                    false => Op::Disconnect {
                        pid,
                        network,
                        endpoint,
                    },
                };
                super::rootless_netns::in_running(&self.opts.runroot, &op)
            }
        }
    }

    /// The `skiff` table recomputed from disk (`except` left out); in a
    /// rootless engine, that of the user's rootless netns (if it runs).
    pub(crate) fn sync_firewall(&self, except: Option<&str>) -> Result<()> {
        if self.opts.rootless {
            let op = super::rootless_netns::Op::SyncFirewall {
                runroot: self.opts.runroot.clone(),
                networks: self.networks.clone(),
                containers: self.containers.clone(),
                except: except.map(str::to_owned),
            };
            return super::rootless_netns::in_running(&self.opts.runroot, &op);
        }
        super::netsetup::sync_firewall(
            &self.opts.runroot,
            &self.networks,
            &self.containers,
            except,
            None,
            true,
        )
    }

    /// `rm`: the container's endpoint is released.
    pub(crate) fn leave_network(&self, mode: &str, id: &str) -> Result<()> {
        self.networks.release(mode, id)?;
        // And every network it was connected to besides.
        for n in self.networks.list()? {
            if n.endpoints.contains_key(id) {
                self.networks.release(&n.name, id)?;
            }
        }
        Ok(())
    }

    /// `network prune`: user networks no container uses.
    pub fn network_prune(&self, filters: &[super::prune::PruneFilter]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for e in self.network_list(&[NetworkFilter::Dangling(true)])? {
            if !super::prune::all_match(filters, &e.labels(), e.created()) {
                continue;
            }
            if self.network_remove(e.name(), false).is_ok() {
                out.push(e.name().to_owned());
            }
        }
        Ok(out)
    }
}

/// macvlan's `-o parent=IF`: required, and an interface of the host.
fn macvlan_parent(options: &BTreeMap<String, String>) -> Result<String> {
    let parent = options.get("parent").cloned().unwrap_or_default();
    if parent.is_empty() {
        return Err(Error::InvalidArgument(
            "the macvlan driver needs a parent interface: -o parent=<interface>".into(),
        ));
    }
    if !std::path::Path::new("/sys/class/net")
        .join(&parent)
        .exists()
    {
        return Err(Error::InvalidArgument(format!(
            "-o parent={parent}: no such network interface"
        )));
    }
    Ok(parent)
}

/// `--subnet`, `--gateway` and `--ip-range`, checked against each other.
fn check_addresses(
    o: &NetworkCreate,
) -> Result<(Option<Ipv4Net>, Option<Ipv4Addr>, Option<Ipv4Net>)> {
    let subnet = o
        .subnet
        .as_deref()
        .map(|s| parse_net("--subnet", s))
        .transpose()?;
    if subnet.is_none() && (o.gateway.is_some() || o.ip_range.is_some()) {
        return Err(Error::InvalidArgument(
            "every ip-range or gateway must have a corresponding subnet".into(),
        ));
    }
    let gateway = match &o.gateway {
        Some(g) => {
            let g: Ipv4Addr = g
                .parse()
                .map_err(|_| Error::InvalidArgument(format!("invalid gateway address: {g}")))?;
            if !subnet.is_some_and(|s| s.contains(&g)) {
                return Err(Error::InvalidArgument(format!(
                    "no matching subnet for gateway {g}"
                )));
            }
            Some(g)
        }
        None => None,
    };
    let ip_range = o
        .ip_range
        .as_deref()
        .map(|r| parse_net("--ip-range", r))
        .transpose()?;
    if let (Some(r), Some(s)) = (ip_range, subnet) {
        if !s.contains(&r) {
            return Err(Error::InvalidArgument(format!(
                "no matching subnet for range {r}"
            )));
        }
    }
    Ok((subnet, gateway, ip_range))
}
