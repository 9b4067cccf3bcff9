//! Network drivers: how a container is attached to a network, one driver
//! per kind (netavark's shape).
//!
//! Every attachment of a start goes through three steps, in this order:
//! 1. **validate** every attachment, changing nothing (names fit, the
//!    parent exists, the address is in the subnet...);
//! 2. **set up** each one in turn; a driver records each change as it
//!    makes it ([`Undo`]), so a failure midway knows exactly what it left;
//! 3. on a failure, **roll back** what was set up, the failed attachment's
//!    partial work first, then the earlier ones, newest first; every undo
//!    is tried and the errors are collected rather than stopping at the
//!    first.
//!
//! The order is a typestate: only [`validate`] makes a [`Validated`], only
//! [`Validated::setup`] sets up, and only a [`SetUp`] can be rolled back.
//!
//! Drivers: `bridge` (a veth to a host bridge), `macvlan` (a macvlan on a
//! parent), and the modes, which need no wiring once the runtime has chosen
//! the namespace: `host`, `none`, `container:<id>`. Rootless networking
//! (`pasta`, issue 11) gets its slot in [`for_mode`].

pub mod bridge;
pub mod container;
pub mod host;
pub mod macvlan;
pub mod none;
pub mod pasta;

use std::net::Ipv4Addr;
use std::os::fd::BorrowedFd;

use ipnet::Ipv4Net;

use super::netlink::{Netlink, NetlinkError};
use crate::state::network::{Endpoint, Network};

/// An error of a driver, naming the network (and what was being done).
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The attachment cannot work; nothing was changed.
    #[error("network {network}: {reason}")]
    Invalid { network: String, reason: String },
    /// A kernel call failed.
    #[error("network {network}: {source}")]
    Netlink {
        network: String,
        #[source]
        source: NetlinkError,
    },
    /// A file (sysctl, namespace) could not be used.
    #[error("network {network}: {what}: {source}")]
    Io {
        network: String,
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl DriverError {
    fn invalid(network: &str, reason: impl Into<String>) -> DriverError {
        DriverError::Invalid {
            network: network.to_owned(),
            reason: reason.into(),
        }
    }

    /// A closure turning a netlink error into one naming `network`.
    fn netlink(network: &str) -> impl Fn(NetlinkError) -> DriverError + '_ {
        move |source| DriverError::Netlink {
            network: network.to_owned(),
            source,
        }
    }
}

/// The netlink sockets of one attachment run: the host's and the
/// container's namespace, each opened on first use.
pub struct Sockets<'a> {
    netns: BorrowedFd<'a>,
    host: Option<Netlink>,
    inside: Option<Netlink>,
}

impl<'a> Sockets<'a> {
    /// For the container whose network namespace is `netns`.
    pub fn new(netns: BorrowedFd<'a>) -> Sockets<'a> {
        Sockets {
            netns,
            host: None,
            inside: None,
        }
    }

    /// The container's network namespace.
    pub fn netns(&self) -> BorrowedFd<'a> {
        self.netns
    }

    /// A socket in the host's (the caller's) namespace.
    pub fn host(&mut self) -> Result<&mut Netlink, NetlinkError> {
        if self.host.is_none() {
            self.host = Some(Netlink::new()?);
        }
        Ok(self.host.as_mut().expect("just opened"))
    }

    /// A socket in the container's namespace.
    pub fn inside(&mut self) -> Result<&mut Netlink, NetlinkError> {
        if self.inside.is_none() {
            self.inside = Some(Netlink::in_netns(self.netns)?);
        }
        Ok(self.inside.as_mut().expect("just opened"))
    }
}

/// What one attachment of a container to a network is (borrowed from the
/// plan; netavark's `DriverInfo`).
#[derive(Debug, Clone)]
pub struct DriverInfo<'a> {
    pub network: &'a Network,
    /// The container's address there.
    pub endpoint: &'a Endpoint,
    pub mac: [u8; 6],
    /// The interface in the container (`eth0`, `eth1`...).
    pub ifname: String,
    /// The host end of a veth (random per start).
    pub host_if: String,
    /// The default route goes through this network's gateway.
    pub default_route: bool,
    /// Ports are published to the container here (DNAT of 127.0.0.1 needs
    /// `route_localnet` on the bridge).
    pub ports: bool,
}

/// One change a setup made, to be undone by a rollback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// A link in the host's namespace (a veth's host end: its peer goes
    /// with it).
    HostLink(String),
    /// A link in the container's namespace (a macvlan).
    InsideLink(String),
    /// A bridge this setup created: deleted unless something else was
    /// attached to it meanwhile.
    Bridge(String),
}

/// A network driver (bridge, macvlan, a mode).
pub trait NetworkDriver {
    /// The network's name, for messages.
    fn network(&self) -> &str;

    /// Checks what can be checked before anything changes.
    fn validate(&self, socks: &mut Sockets) -> Result<(), DriverError>;

    /// Sets the attachment up, pushing each change onto `undo` as soon as
    /// it is made: on an error, `undo` holds exactly what was done.
    fn setup(&self, socks: &mut Sockets, undo: &mut Vec<Undo>) -> Result<(), DriverError>;

    /// Undoes `undo`, newest first, trying every step; the errors.
    fn rollback(&self, socks: &mut Sockets, undo: Vec<Undo>) -> Vec<DriverError> {
        undo_all(self.network(), socks, undo)
    }
}

/// The driver of a stored network (`bridge`, `macvlan`).
pub fn for_network<'a>(info: DriverInfo<'a>) -> Result<Box<dyn NetworkDriver + 'a>, DriverError> {
    match info.network.driver.as_str() {
        "bridge" => Ok(Box::new(bridge::Bridge::new(info))),
        "macvlan" => Ok(Box::new(macvlan::Macvlan::new(info))),
        other => Err(DriverError::invalid(
            &info.network.name,
            format!("unknown network driver {other:?}"),
        )),
    }
}

/// The driver of a network mode (`host`, `none`, `container:<id>`), which
/// stores no network; `None` when `mode` names a network instead.
///
/// The slot for rootless networking: a `pasta` driver (issue 11) goes
/// here, chosen for the default network when the engine runs rootless. Its
/// `validate` finds the `pasta` binary, its `setup` starts it on the
/// container's namespace and waits for its tap to come up, and its undo
/// step (a new [`Undo`] variant holding pasta's pid) ends it.
pub fn for_mode(mode: &str) -> Option<Box<dyn NetworkDriver>> {
    match mode {
        "host" => Some(Box::new(host::Host)),
        "none" | "" => Some(Box::new(none::NoNetwork)),
        "pasta" => Some(Box::new(pasta::Pasta)),
        m => m
            .strip_prefix("container:")
            .map(|id| Box::new(container::Joined::new(id)) as Box<dyn NetworkDriver>),
    }
}

/// Attachments that passed validation: the only way to set them up.
pub struct Validated<'a> {
    drivers: Vec<Box<dyn NetworkDriver + 'a>>,
}

/// Attachments that are set up: the only thing that can be rolled back.
pub struct SetUp<'a> {
    done: Vec<(Box<dyn NetworkDriver + 'a>, Vec<Undo>)>,
}

/// A setup that failed, and what rolling back its earlier steps reported.
#[derive(Debug)]
pub struct SetupFailed {
    pub error: DriverError,
    pub rollback: Vec<DriverError>,
}

impl std::fmt::Display for SetupFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)?;
        for e in &self.rollback {
            write!(f, "; rolling back: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SetupFailed {}

/// Step 1: every attachment is validated before any is set up.
pub fn validate<'a>(
    drivers: Vec<Box<dyn NetworkDriver + 'a>>,
    socks: &mut Sockets,
) -> Result<Validated<'a>, DriverError> {
    for d in &drivers {
        d.validate(socks)?;
    }
    Ok(Validated { drivers })
}

impl<'a> Validated<'a> {
    /// Step 2: each attachment in turn; on a failure, step 3 for what was
    /// done (the failed one's partial work included).
    pub fn setup(self, socks: &mut Sockets) -> Result<SetUp<'a>, SetupFailed> {
        let mut done = SetUp { done: Vec::new() };
        for d in self.drivers {
            let mut undo = Vec::new();
            let r = d.setup(socks, &mut undo);
            done.done.push((d, undo));
            if let Err(error) = r {
                let rollback = done.rollback(socks);
                return Err(SetupFailed { error, rollback });
            }
        }
        Ok(done)
    }
}

impl SetUp<'_> {
    /// Step 3: undoes every attachment, the newest first; the errors.
    pub fn rollback(self, socks: &mut Sockets) -> Vec<DriverError> {
        let mut errors = Vec::new();
        for (d, undo) in self.done.into_iter().rev() {
            errors.extend(d.rollback(socks, undo));
        }
        errors
    }
}

/// The default [`NetworkDriver::rollback`].
fn undo_all(network: &str, socks: &mut Sockets, undo: Vec<Undo>) -> Vec<DriverError> {
    let err = DriverError::netlink(network);
    let mut errors = Vec::new();
    for step in undo.into_iter().rev() {
        let r = match &step {
            Undo::HostLink(name) => socks.host().and_then(|nl| delete_named(nl, name)),
            Undo::InsideLink(name) => socks.inside().and_then(|nl| delete_named(nl, name)),
            Undo::Bridge(name) => socks.host().and_then(|nl| delete_unused_bridge(nl, name)),
        };
        if let Err(e) = r {
            errors.push(err(e));
        }
    }
    errors
}

/// Deletes link `name` if it exists.
fn delete_named(nl: &mut Netlink, name: &str) -> Result<(), NetlinkError> {
    match nl.link_by_name(name)? {
        Some(l) => nl.delete_link(l.index),
        None => Ok(()),
    }
}

/// Deletes bridge `name` unless some link is attached to it.
fn delete_unused_bridge(nl: &mut Netlink, name: &str) -> Result<(), NetlinkError> {
    let Some(b) = nl.link_by_name(name)? else {
        return Ok(());
    };
    if nl.links()?.iter().any(|l| l.master == Some(b.index)) {
        return Ok(());
    }
    nl.delete_link(b.index)
}

/// Writes a sysctl unless it already has `value`.
pub(crate) fn write_sysctl(path: &str, value: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|v| v.trim() == value) {
        return Ok(());
    }
    std::fs::write(path, value)
}

/// Linux's limit on an interface name (IFNAMSIZ less the NUL).
const IFNAME_MAX: usize = 15;

/// Checks shared by the drivers that make an interface in the container:
/// names that fit, and an address in the subnet that is not the gateway.
fn validate_endpoint(info: &DriverInfo) -> Result<(), DriverError> {
    let n = info.network;
    let bad = |reason: String| Err(DriverError::invalid(&n.name, reason));
    for name in [&info.ifname, &n.interface] {
        if name.is_empty() || name.len() > IFNAME_MAX || name.contains(['/', ' ', '\0']) {
            return bad(format!("bad interface name {name:?}"));
        }
    }
    let ip = info.endpoint.ip;
    if !n.subnet.contains(&ip) || ip == n.gateway || ip == n.subnet.network() {
        return bad(format!("address {ip} is not a host of {}", n.subnet));
    }
    Ok(())
}

/// The container's side of an attachment, once `info.ifname` exists in
/// its namespace: MAC, address, up (and `lo`), and the default route.
fn configure_inside(socks: &mut Sockets, info: &DriverInfo) -> Result<(), DriverError> {
    let n = info.network;
    let err = DriverError::netlink(&n.name);
    let cn = socks.inside().map_err(&err)?;
    let link = cn
        .link_by_name(&info.ifname)
        .map_err(&err)?
        .ok_or_else(|| DriverError::invalid(&n.name, format!("{} vanished", info.ifname)))?
        .index;
    cn.set_mac(link, info.mac).map_err(&err)?;
    let addr = Ipv4Net::new(info.endpoint.ip, n.subnet.prefix_len())
        .map_err(|e| DriverError::invalid(&n.name, e.to_string()))?;
    cn.add_addr(link, addr).map_err(&err)?;
    cn.set_up(link).map_err(&err)?;
    if let Some(lo) = cn.link_by_name("lo").map_err(&err)? {
        cn.set_up(lo.index).map_err(&err)?;
    }
    if info.default_route && !n.internal {
        let default = Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid");
        cn.add_route(default, Some(n.gateway), Some(link))
            .map_err(&err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
