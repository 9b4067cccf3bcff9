//! The `macvlan` driver: a macvlan (bridge mode) on the network's parent
//! interface, made directly in the container's namespace.

use super::{
    configure_inside, validate_endpoint, DriverError, DriverInfo, NetworkDriver, Sockets, Undo,
};

pub struct Macvlan<'a> {
    info: DriverInfo<'a>,
}

impl<'a> Macvlan<'a> {
    pub fn new(info: DriverInfo<'a>) -> Macvlan<'a> {
        Macvlan { info }
    }

    /// The parent's index on the host; an error naming it when missing.
    fn parent(&self, socks: &mut Sockets) -> Result<u32, DriverError> {
        let n = self.info.network;
        let nl = socks.host().map_err(DriverError::netlink(&n.name))?;
        match nl
            .link_by_name(&n.interface)
            .map_err(DriverError::netlink(&n.name))?
        {
            Some(l) => Ok(l.index),
            None => Err(DriverError::invalid(
                &n.name,
                format!("macvlan parent {} not found", n.interface),
            )),
        }
    }
}

impl NetworkDriver for Macvlan<'_> {
    fn network(&self) -> &str {
        &self.info.network.name
    }

    fn validate(&self, socks: &mut Sockets) -> Result<(), DriverError> {
        validate_endpoint(&self.info)?;
        self.parent(socks).map(drop)
    }

    fn setup(&self, socks: &mut Sockets, undo: &mut Vec<Undo>) -> Result<(), DriverError> {
        let info = &self.info;
        let parent = self.parent(socks)?;
        let ns = socks.netns();
        socks
            .host()
            .and_then(|nl| nl.create_macvlan(&info.ifname, parent, Some(ns)))
            .map_err(DriverError::netlink(&info.network.name))?;
        undo.push(Undo::InsideLink(info.ifname.clone()));
        configure_inside(socks, info)
    }
}
