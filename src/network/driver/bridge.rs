//! The `bridge` driver: a veth pair from the network's bridge on the host
//! to the container. A user network's bridge is made by `network create`
//! (and again by a start, after a reboot); the default network's `skiff0`
//! by its first start. Both stay until `network rm` (skiff0: for good, as
//! docker0 does).

use ipnet::Ipv4Net;

use super::delete_unused_bridge;
use super::{
    configure_inside, validate_endpoint, write_sysctl, DriverError, DriverInfo, NetworkDriver,
    Sockets, Undo, IFNAME_MAX,
};
use crate::network::netlink::{Netlink, NetlinkError};
use crate::state::network::Network;

/// The prefix of a user network's bridge: `br-<first 12 of the network's
/// id>`, as docker names it. An older skiff named it `sk-<12>`: a network's
/// record keeps the name it was made with, so those go on working (and
/// go with `network rm`).
pub const USER_BRIDGE_PREFIX: &str = "br-";

/// The bridge of a new user network with id `id`.
pub fn user_bridge_name(id: &str) -> String {
    format!("{USER_BRIDGE_PREFIX}{}", &id[..12])
}

pub struct Bridge<'a> {
    info: DriverInfo<'a>,
}

impl<'a> Bridge<'a> {
    pub fn new(info: DriverInfo<'a>) -> Bridge<'a> {
        Bridge { info }
    }

    fn sysctls(&self) -> Result<(), DriverError> {
        let n = self.info.network;
        let io = |what: String| {
            move |source| DriverError::Io {
                network: n.name.clone(),
                what,
                source,
            }
        };
        if !n.internal {
            let p = "/proc/sys/net/ipv4/ip_forward";
            write_sysctl(p, "1").map_err(io(format!("writing {p}")))?;
        }
        if self.info.ports {
            // DNAT of 127.0.0.1:port to the container needs this.
            let p = format!("/proc/sys/net/ipv4/conf/{}/route_localnet", n.interface);
            write_sysctl(&p, "1").map_err(io(format!("writing {p}")))?;
        }
        Ok(())
    }
}

impl NetworkDriver for Bridge<'_> {
    fn network(&self) -> &str {
        &self.info.network.name
    }

    fn validate(&self, socks: &mut Sockets) -> Result<(), DriverError> {
        let info = &self.info;
        let name = &info.network.name;
        validate_endpoint(info)?;
        if info.host_if.is_empty() || info.host_if.len() > IFNAME_MAX {
            let reason = format!("bad interface name {:?}", info.host_if);
            return Err(DriverError::invalid(name, reason));
        }
        let nl = socks.host().map_err(DriverError::netlink(name))?;
        check_not_other_kind(nl, info.network)
    }

    fn setup(&self, socks: &mut Sockets, undo: &mut Vec<Undo>) -> Result<(), DriverError> {
        let info = &self.info;
        let err = DriverError::netlink(&info.network.name);
        let ns = socks.netns();
        let nl = socks.host().map_err(&err)?;
        let bridge = ensure_bridge(nl, info.network, undo)?;
        self.sysctls()?;
        let host = nl
            .create_veth(&info.host_if, &info.ifname, Some(ns), None)
            .map_err(&err)?;
        undo.push(Undo::HostLink(info.host_if.clone()));
        nl.set_master(host, bridge).map_err(&err)?;
        nl.set_up(host).map_err(&err)?;
        configure_inside(socks, info)
    }
}

/// The bridge of `n`, made when missing (recorded in `undo`), with the
/// gateway address, up; its index.
fn ensure_bridge(nl: &mut Netlink, n: &Network, undo: &mut Vec<Undo>) -> Result<u32, DriverError> {
    let err = DriverError::netlink(&n.name);
    let gw = Ipv4Net::new(n.gateway, n.subnet.prefix_len())
        .map_err(|e| DriverError::invalid(&n.name, e.to_string()))?;
    match nl.link_by_name(&n.interface).map_err(&err)? {
        Some(l) => {
            // Made by `network create`, an earlier start, or another store
            // sharing skiff0.
            let has = nl.addrs(Some(l.index)).map_err(&err)?;
            if !has.iter().any(|(_, a)| *a == gw) {
                nl.add_addr(l.index, gw).map_err(&err)?;
            }
            if !l.up {
                nl.set_up(l.index).map_err(&err)?;
            }
            Ok(l.index)
        }
        None => {
            let idx = nl.create_bridge(&n.interface, None).map_err(&err)?;
            undo.push(Undo::Bridge(n.interface.clone()));
            nl.add_addr(idx, gw).map_err(&err)?;
            nl.set_up(idx).map_err(&err)?;
            Ok(idx)
        }
    }
}

/// An interface by the bridge's name that is no bridge is refused, not
/// taken over.
fn check_not_other_kind(nl: &mut Netlink, n: &Network) -> Result<(), DriverError> {
    let link = nl
        .link_by_name(&n.interface)
        .map_err(DriverError::netlink(&n.name))?;
    match link {
        Some(l) if l.kind.as_deref() != Some("bridge") => Err(DriverError::invalid(
            &n.name,
            format!("{} exists and is not a bridge", l.name),
        )),
        _ => Ok(()),
    }
}

/// `network create` of a bridge network: its bridge at once, as docker
/// makes `br-<id>` (a failure leaves none).
pub fn create_bridge(n: &Network) -> Result<(), DriverError> {
    let mut nl = Netlink::new().map_err(DriverError::netlink(&n.name))?;
    check_not_other_kind(&mut nl, n)?;
    let mut undo = Vec::new();
    let r = ensure_bridge(&mut nl, n, &mut undo).map(drop);
    if r.is_err() && undo.contains(&Undo::Bridge(n.interface.clone())) {
        let _ = delete_unused_bridge(&mut nl, &n.interface);
    }
    r
}

/// Deletes a network's bridge (`network rm`), if it exists.
pub fn remove_bridge(interface: &str) -> Result<(), NetlinkError> {
    let mut nl = Netlink::new()?;
    super::delete_named(&mut nl, interface)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridge_names_as_docker() {
        let id = "0123456789abcdef".repeat(4);
        assert_eq!(user_bridge_name(&id), "br-0123456789ab");
    }
}
