//! Synchronous rtnetlink (`NETLINK_ROUTE`) wrapper: links, IPv4 addresses and
//! IPv4 routes, in the caller's network namespace or in one given by an fd.
//!
//! Modelled on netavark's `src/network/netlink.rs`: one blocking socket, one
//! request at a time, each request waits for the kernel's ACK (or `NLMSG_DONE`
//! for dumps) and kernel errors come back as [`NetlinkError`] with the errno.

use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsRawFd, BorrowedFd};

use ipnet::Ipv4Net;
use netlink_packet_core::{
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_CREATE,
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_EXCL, NLM_F_REQUEST,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoMacVlan, InfoVeth, LinkAttribute, LinkExtentMask, LinkFlags,
    LinkInfo as NlLinkInfo, LinkMessage, MacVlanMode,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::SocketAddr;

/// Result type of this module.
pub type Result<T> = std::result::Result<T, NetlinkError>;

/// Initial receive buffer size; grown when the kernel sends a larger datagram.
const RECV_BUF_SIZE: usize = 32 * 1024;
/// How often a dump is retried when the kernel flags it `NLM_F_DUMP_INTR`.
const DUMP_RETRIES: usize = 5;

/// An error from a netlink operation, naming what was being done.
#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    /// The kernel (`NLMSG_ERROR`) or a socket call failed with an errno.
    #[error("{context}: {error}")]
    Os {
        /// What was being done, e.g. "creating bridge skiff0".
        context: String,
        /// The errno as an `io::Error`.
        error: io::Error,
    },
    /// The kernel's reply could not be decoded or was not what was expected.
    #[error("{context}: {message}")]
    Protocol {
        /// What was being done.
        context: String,
        /// What went wrong.
        message: String,
    },
}

impl NetlinkError {
    /// The errno, when the error came from the kernel or a syscall.
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            NetlinkError::Os { error, .. } => error.raw_os_error(),
            NetlinkError::Protocol { .. } => None,
        }
    }

    fn os(context: &str, error: io::Error) -> Self {
        NetlinkError::Os {
            context: context.to_string(),
            error,
        }
    }

    fn protocol(context: &str, message: impl Into<String>) -> Self {
        NetlinkError::Protocol {
            context: context.to_string(),
            message: message.into(),
        }
    }
}

/// A network interface as reported by `RTM_GETLINK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    /// Interface index.
    pub index: u32,
    /// Interface name.
    pub name: String,
    /// Hardware address, when it is a 6-byte (Ethernet) address.
    pub mac: Option<[u8; 6]>,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// Index of the master (e.g. bridge) device.
    pub master: Option<u32>,
    /// `IFLA_INFO_KIND`, e.g. "bridge", "veth"; `None` for physical devices and `lo`.
    pub kind: Option<String>,
    /// MTU.
    pub mtu: Option<u32>,
}

/// An IPv4 route of the main table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Destination; `0.0.0.0/0` for the default route.
    pub dest: Ipv4Net,
    /// Next hop, if any.
    pub gateway: Option<Ipv4Addr>,
    /// Output interface index, if any.
    pub oif: Option<u32>,
}

/// A blocking `NETLINK_ROUTE` socket bound to one network namespace.
pub struct Netlink {
    socket: netlink_sys::Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl Netlink {
    /// Opens a socket in the calling thread's current network namespace.
    pub fn new() -> Result<Netlink> {
        let ctx = "opening netlink socket";
        let mut socket =
            netlink_sys::Socket::new(NETLINK_ROUTE).map_err(|e| NetlinkError::os(ctx, e))?;
        // Needed for the kernel to honour dump filters (ifindex, table).
        socket
            .set_netlink_get_strict_chk(true)
            .map_err(|e| NetlinkError::os(ctx, e))?;
        // Keep error replies small: do not echo the request back.
        socket
            .set_cap_ack(true)
            .map_err(|e| NetlinkError::os(ctx, e))?;
        let addr = SocketAddr::new(0, 0);
        socket.bind(&addr).map_err(|e| NetlinkError::os(ctx, e))?;
        socket
            .connect(&addr)
            .map_err(|e| NetlinkError::os(ctx, e))?;
        Ok(Netlink {
            socket,
            seq: 0,
            buf: vec![0; RECV_BUF_SIZE],
        })
    }

    /// Opens a socket inside the network namespace `ns` (an fd of
    /// `/proc/<pid>/ns/net` or a bind-mounted netns file).
    ///
    /// The socket is created on a short-lived thread that joins `ns`; the
    /// calling thread's namespace is never changed. The socket stays bound to
    /// `ns` for its whole life.
    pub fn in_netns(ns: BorrowedFd<'_>) -> Result<Netlink> {
        std::thread::scope(|s| {
            s.spawn(move || {
                rustix::thread::move_into_link_name_space(
                    ns,
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )
                .map_err(|e| NetlinkError::os("entering network namespace", e.into()))?;
                Netlink::new()
            })
            .join()
            .unwrap_or_else(|_| {
                Err(NetlinkError::protocol(
                    "opening netlink socket in network namespace",
                    "helper thread panicked",
                ))
            })
        })
    }

    /// Looks a link up by name; `Ok(None)` if there is none.
    pub fn link_by_name(&mut self, name: &str) -> Result<Option<LinkInfo>> {
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        self.get_link(&format!("looking up link {name}"), msg)
    }

    /// Looks a link up by index; `Ok(None)` if there is none.
    pub fn link_by_index(&mut self, index: u32) -> Result<Option<LinkInfo>> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        self.get_link(&format!("looking up link {index}"), msg)
    }

    /// Lists all links of this namespace.
    pub fn links(&mut self) -> Result<Vec<LinkInfo>> {
        let ctx = "listing links";
        let mut msg = LinkMessage::default();
        msg.attributes
            .push(LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]));
        self.dump(ctx, RouteNetlinkMessage::GetLink(msg))?
            .into_iter()
            .map(|m| match m {
                RouteNetlinkMessage::NewLink(l) => Ok(link_info(l)),
                other => Err(unexpected(ctx, &other)),
            })
            .collect()
    }

    /// Creates a bridge and returns its index.
    pub fn create_bridge(&mut self, name: &str, mtu: Option<u32>) -> Result<u32> {
        let ctx = format!("creating bridge {name}");
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        if let Some(mtu) = mtu {
            msg.attributes.push(LinkAttribute::Mtu(mtu));
        }
        msg.attributes
            .push(LinkAttribute::LinkInfo(vec![NlLinkInfo::Kind(
                InfoKind::Bridge,
            )]));
        self.create_link(&ctx, msg)?;
        self.index_of(&ctx, name)
    }

    /// Creates a veth pair: `host` end here; `peer` end created directly in
    /// `peer_ns` (IFLA_NET_NS_FD in the peer's info) when given.
    /// Returns the index of the `host` end.
    pub fn create_veth(
        &mut self,
        host: &str,
        peer: &str,
        peer_ns: Option<BorrowedFd<'_>>,
        mtu: Option<u32>,
    ) -> Result<u32> {
        let ctx = format!("creating veth {host} (peer {peer})");
        let mut peer_msg = LinkMessage::default();
        peer_msg
            .attributes
            .push(LinkAttribute::IfName(peer.to_string()));
        if let Some(mtu) = mtu {
            peer_msg.attributes.push(LinkAttribute::Mtu(mtu));
        }
        if let Some(ns) = peer_ns {
            peer_msg
                .attributes
                .push(LinkAttribute::NetNsFd(ns.as_raw_fd()));
        }
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(host.to_string()));
        if let Some(mtu) = mtu {
            msg.attributes.push(LinkAttribute::Mtu(mtu));
        }
        msg.attributes.push(LinkAttribute::LinkInfo(vec![
            NlLinkInfo::Kind(InfoKind::Veth),
            NlLinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer_msg))),
        ]));
        self.create_link(&ctx, msg)?;
        self.index_of(&ctx, host)
    }

    /// Creates a macvlan in bridge mode on `parent` (an index in this netns),
    /// created directly in `ns` when given.
    pub fn create_macvlan(
        &mut self,
        name: &str,
        parent: u32,
        ns: Option<BorrowedFd<'_>>,
    ) -> Result<()> {
        let ctx = format!("creating macvlan {name} on link {parent}");
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        msg.attributes.push(LinkAttribute::Link(parent));
        msg.attributes.push(LinkAttribute::LinkInfo(vec![
            NlLinkInfo::Kind(InfoKind::MacVlan),
            NlLinkInfo::Data(InfoData::MacVlan(vec![InfoMacVlan::Mode(
                MacVlanMode::Bridge,
            )])),
        ]));
        if let Some(ns) = ns {
            msg.attributes.push(LinkAttribute::NetNsFd(ns.as_raw_fd()));
        }
        self.create_link(&ctx, msg)
    }

    /// Creates a dummy link and returns its index.
    pub fn create_dummy(&mut self, name: &str) -> Result<u32> {
        let ctx = format!("creating dummy {name}");
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        msg.attributes
            .push(LinkAttribute::LinkInfo(vec![NlLinkInfo::Kind(
                InfoKind::Dummy,
            )]));
        self.create_link(&ctx, msg)?;
        self.index_of(&ctx, name)
    }

    /// Enslaves link `index` to `master` (e.g. a bridge).
    pub fn set_master(&mut self, index: u32, master: u32) -> Result<()> {
        self.set_link(
            &format!("setting master of link {index} to {master}"),
            index,
            |m| m.attributes.push(LinkAttribute::Controller(master)),
        )
    }

    /// Sets link `index` administratively up.
    pub fn set_up(&mut self, index: u32) -> Result<()> {
        self.set_link(&format!("setting link {index} up"), index, |m| {
            m.header.flags = LinkFlags::Up;
            m.header.change_mask = LinkFlags::Up;
        })
    }

    /// Sets link `index` administratively down.
    pub fn set_down(&mut self, index: u32) -> Result<()> {
        self.set_link(&format!("setting link {index} down"), index, |m| {
            m.header.flags = LinkFlags::empty();
            m.header.change_mask = LinkFlags::Up;
        })
    }

    /// Renames link `index`; the link must be down.
    pub fn set_name(&mut self, index: u32, name: &str) -> Result<()> {
        self.set_link(&format!("renaming link {index} to {name}"), index, |m| {
            m.attributes.push(LinkAttribute::IfName(name.to_string()))
        })
    }

    /// Sets the hardware address of link `index`.
    pub fn set_mac(&mut self, index: u32, mac: [u8; 6]) -> Result<()> {
        self.set_link(
            &format!("setting MAC of link {index} to {}", format_mac(mac)),
            index,
            |m| m.attributes.push(LinkAttribute::Address(mac.to_vec())),
        )
    }

    /// Moves link `index` into the network namespace `ns`.
    pub fn set_netns(&mut self, index: u32, ns: BorrowedFd<'_>) -> Result<()> {
        self.set_link(
            &format!("moving link {index} to another network namespace"),
            index,
            |m| m.attributes.push(LinkAttribute::NetNsFd(ns.as_raw_fd())),
        )
    }

    /// Deletes link `index` (for a veth, both ends go).
    pub fn delete_link(&mut self, index: u32) -> Result<()> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        self.ack(
            &format!("deleting link {index}"),
            RouteNetlinkMessage::DelLink(msg),
            0,
        )
    }

    /// Adds an IPv4 address to link `index`. `EEXIST` if it is already there.
    pub fn add_addr(&mut self, index: u32, addr: Ipv4Net) -> Result<()> {
        self.ack(
            &format!("adding address {addr} to link {index}"),
            RouteNetlinkMessage::NewAddress(addr_msg(index, addr)),
            NLM_F_CREATE | NLM_F_EXCL,
        )
    }

    /// Removes an IPv4 address from link `index`.
    pub fn del_addr(&mut self, index: u32, addr: Ipv4Net) -> Result<()> {
        self.ack(
            &format!("removing address {addr} from link {index}"),
            RouteNetlinkMessage::DelAddress(addr_msg(index, addr)),
            0,
        )
    }

    /// Lists IPv4 addresses as `(link index, address)`, of one link or of all.
    pub fn addrs(&mut self, index: Option<u32>) -> Result<Vec<(u32, Ipv4Net)>> {
        let ctx = "listing addresses";
        let mut msg = AddressMessage::default();
        msg.header.family = AddressFamily::Inet;
        msg.header.index = index.unwrap_or(0);
        let mut out = Vec::new();
        for reply in self.dump(ctx, RouteNetlinkMessage::GetAddress(msg))? {
            let RouteNetlinkMessage::NewAddress(m) = reply else {
                return Err(unexpected(ctx, &reply));
            };
            if m.header.family != AddressFamily::Inet || index.is_some_and(|i| i != m.header.index)
            {
                continue;
            }
            // IFA_LOCAL is the interface's own address; IFA_ADDRESS differs
            // from it only on point-to-point links.
            let mut local = None;
            let mut address = None;
            for attr in &m.attributes {
                match attr {
                    AddressAttribute::Local(IpAddr::V4(a)) => local = Some(*a),
                    AddressAttribute::Address(IpAddr::V4(a)) => address = Some(*a),
                    _ => {}
                }
            }
            if let Some(ip) = local.or(address) {
                let net = Ipv4Net::new(ip, m.header.prefix_len)
                    .map_err(|e| NetlinkError::protocol(ctx, e.to_string()))?;
                out.push((m.header.index, net));
            }
        }
        Ok(out)
    }

    /// Adds an IPv4 route to the main table; `0.0.0.0/0` is the default route.
    /// `EEXIST` if an identical route exists.
    pub fn add_route(
        &mut self,
        dest: Ipv4Net,
        gateway: Option<Ipv4Addr>,
        oif: Option<u32>,
    ) -> Result<()> {
        let ctx = match gateway {
            Some(gw) => format!("adding route {dest} via {gw}"),
            None => format!("adding route {dest}"),
        };
        let mut msg = RouteMessage::default();
        msg.header.address_family = AddressFamily::Inet;
        msg.header.destination_prefix_length = dest.prefix_len();
        msg.header.table = RouteHeader::RT_TABLE_MAIN;
        msg.header.protocol = RouteProtocol::Boot;
        msg.header.kind = RouteType::Unicast;
        // Like iproute2: a route without a gateway is on-link.
        msg.header.scope = if gateway.is_some() {
            RouteScope::Universe
        } else {
            RouteScope::Link
        };
        if dest.prefix_len() > 0 {
            msg.attributes
                .push(RouteAttribute::Destination(RouteAddress::Inet(
                    dest.network(),
                )));
        }
        if let Some(gw) = gateway {
            msg.attributes
                .push(RouteAttribute::Gateway(RouteAddress::Inet(gw)));
        }
        if let Some(oif) = oif {
            msg.attributes.push(RouteAttribute::Oif(oif));
        }
        self.ack(
            &ctx,
            RouteNetlinkMessage::NewRoute(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )
    }

    /// Lists the unicast IPv4 routes of the main table.
    pub fn routes(&mut self) -> Result<Vec<Route>> {
        let ctx = "listing routes";
        let mut msg = RouteMessage::default();
        msg.header.address_family = AddressFamily::Inet;
        msg.header.table = RouteHeader::RT_TABLE_MAIN;
        msg.attributes
            .push(RouteAttribute::Table(RouteHeader::RT_TABLE_MAIN.into()));
        let replies = match self.dump(ctx, RouteNetlinkMessage::GetRoute(msg)) {
            Ok(r) => r,
            // With strict checking the kernel answers ENOENT while the main
            // table does not exist yet (a namespace without any route).
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for reply in replies {
            let RouteNetlinkMessage::NewRoute(m) = reply else {
                return Err(unexpected(ctx, &reply));
            };
            if m.header.address_family != AddressFamily::Inet || m.header.kind != RouteType::Unicast
            {
                continue;
            }
            let mut table = u32::from(m.header.table);
            let mut dest = Ipv4Addr::UNSPECIFIED;
            let mut gateway = None;
            let mut oif = None;
            for attr in &m.attributes {
                match attr {
                    RouteAttribute::Table(t) => table = *t,
                    RouteAttribute::Destination(RouteAddress::Inet(a)) => dest = *a,
                    RouteAttribute::Gateway(RouteAddress::Inet(a)) => gateway = Some(*a),
                    RouteAttribute::Oif(i) => oif = Some(*i),
                    _ => {}
                }
            }
            if table != u32::from(RouteHeader::RT_TABLE_MAIN) {
                continue;
            }
            let dest = Ipv4Net::new(dest, m.header.destination_prefix_length)
                .map_err(|e| NetlinkError::protocol(ctx, e.to_string()))?;
            out.push(Route { dest, gateway, oif });
        }
        Ok(out)
    }

    // ---- helpers ----

    fn get_link(&mut self, ctx: &str, mut msg: LinkMessage) -> Result<Option<LinkInfo>> {
        msg.attributes
            .push(LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]));
        match self.exchange(ctx, RouteNetlinkMessage::GetLink(msg), NLM_F_ACK) {
            Ok((mut replies, _)) => match replies.pop() {
                Some(RouteNetlinkMessage::NewLink(l)) if replies.is_empty() => {
                    Ok(Some(link_info(l)))
                }
                Some(other) => Err(unexpected(ctx, &other)),
                None => Err(NetlinkError::protocol(ctx, "no reply from the kernel")),
            },
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn index_of(&mut self, ctx: &str, name: &str) -> Result<u32> {
        match self.link_by_name(name)? {
            Some(l) => Ok(l.index),
            None => Err(NetlinkError::protocol(
                ctx,
                format!("link {name} vanished right after creation"),
            )),
        }
    }

    fn create_link(&mut self, ctx: &str, msg: LinkMessage) -> Result<()> {
        self.ack(
            ctx,
            RouteNetlinkMessage::NewLink(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )
    }

    fn set_link(
        &mut self,
        ctx: &str,
        index: u32,
        fill: impl FnOnce(&mut LinkMessage),
    ) -> Result<()> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        fill(&mut msg);
        self.ack(ctx, RouteNetlinkMessage::SetLink(msg), 0)
    }

    /// Sends a request that returns nothing but an ACK.
    fn ack(&mut self, ctx: &str, msg: RouteNetlinkMessage, flags: u16) -> Result<()> {
        let (replies, _) = self.exchange(ctx, msg, NLM_F_ACK | flags)?;
        match replies.first() {
            None => Ok(()),
            Some(other) => Err(unexpected(ctx, other)),
        }
    }

    /// Runs a dump, retrying when the kernel says it was interrupted by a change.
    fn dump(&mut self, ctx: &str, msg: RouteNetlinkMessage) -> Result<Vec<RouteNetlinkMessage>> {
        for _ in 0..DUMP_RETRIES {
            let (replies, interrupted) = self.exchange(ctx, msg.clone(), NLM_F_DUMP)?;
            if !interrupted {
                return Ok(replies);
            }
        }
        Err(NetlinkError::protocol(
            ctx,
            "dump kept being interrupted by concurrent changes",
        ))
    }

    /// Sends one request and collects the replies until its ACK (requests
    /// with `NLM_F_ACK`) or `NLMSG_DONE` (dumps). Returns the replies and
    /// whether any carried `NLM_F_DUMP_INTR`.
    fn exchange(
        &mut self,
        ctx: &str,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<(Vec<RouteNetlinkMessage>, bool)> {
        self.seq = self.seq.wrapping_add(1).max(1);
        let seq = self.seq;
        let mut packet = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(msg));
        packet.header.flags = NLM_F_REQUEST | flags;
        packet.header.sequence_number = seq;
        packet.finalize();
        let mut out = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut out);
        let sent = self
            .socket
            .send(&out, 0)
            .map_err(|e| NetlinkError::os(ctx, e))?;
        if sent != out.len() {
            return Err(NetlinkError::protocol(ctx, "short send to netlink socket"));
        }

        let dump = flags & NLM_F_DUMP == NLM_F_DUMP;
        let mut replies = Vec::new();
        let mut interrupted = false;
        loop {
            let len = self.recv_datagram(ctx)?;
            let mut data = &self.buf[..len];
            while !data.is_empty() {
                let msg_len = NetlinkBuffer::new_checked(data)
                    .map_err(|e| NetlinkError::protocol(ctx, format!("bad netlink header: {e}")))?
                    .length() as usize;
                let reply: NetlinkMessage<RouteNetlinkMessage> =
                    NetlinkMessage::deserialize(&data[..msg_len]).map_err(|e| {
                        NetlinkError::protocol(ctx, format!("cannot decode reply: {e}"))
                    })?;
                // Messages are 4-byte aligned within a datagram.
                data = data.get(align4(msg_len)..).unwrap_or(&[]);
                if reply.header.sequence_number != seq {
                    // A late reply to an earlier, abandoned request.
                    continue;
                }
                if reply.header.flags & NLM_F_DUMP_INTR != 0 {
                    interrupted = true;
                }
                match reply.payload {
                    NetlinkPayload::InnerMessage(m) => replies.push(m),
                    NetlinkPayload::Error(e) => match e.code {
                        None => return Ok((replies, interrupted)),
                        Some(code) => {
                            return Err(NetlinkError::os(
                                ctx,
                                io::Error::from_raw_os_error(code.get().abs()),
                            ))
                        }
                    },
                    NetlinkPayload::Done(d) if dump => {
                        if d.code != 0 {
                            return Err(NetlinkError::os(
                                ctx,
                                io::Error::from_raw_os_error(d.code.abs()),
                            ));
                        }
                        return Ok((replies, interrupted));
                    }
                    NetlinkPayload::Overrun(_) => {
                        return Err(NetlinkError::protocol(ctx, "netlink overrun"))
                    }
                    _ => {}
                }
            }
        }
    }

    /// Receives one datagram into `self.buf`, growing it to fit; returns its length.
    fn recv_datagram(&mut self, ctx: &str) -> Result<usize> {
        let peek = loop {
            match self
                .socket
                .recv(&mut &mut self.buf[..], libc::MSG_PEEK | libc::MSG_TRUNC)
            {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(NetlinkError::os(ctx, e)),
            }
        };
        if peek > self.buf.len() {
            self.buf.resize(peek, 0);
        }
        loop {
            match self.socket.recv(&mut &mut self.buf[..], 0) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(NetlinkError::os(ctx, e)),
            }
        }
    }
}

fn align4(len: usize) -> usize {
    (len + 3) & !3
}

fn unexpected(ctx: &str, msg: &RouteNetlinkMessage) -> NetlinkError {
    NetlinkError::protocol(
        ctx,
        format!("unexpected netlink message type {}", msg.message_type()),
    )
}

fn link_info(msg: LinkMessage) -> LinkInfo {
    let mut info = LinkInfo {
        index: msg.header.index,
        name: String::new(),
        mac: None,
        up: msg.header.flags.contains(LinkFlags::Up),
        master: None,
        kind: None,
        mtu: None,
    };
    for attr in msg.attributes {
        match attr {
            LinkAttribute::IfName(n) => info.name = n,
            LinkAttribute::Address(a) => info.mac = <[u8; 6]>::try_from(a.as_slice()).ok(),
            LinkAttribute::Controller(m) => info.master = Some(m),
            LinkAttribute::Mtu(m) => info.mtu = Some(m),
            LinkAttribute::LinkInfo(infos) => {
                for i in infos {
                    if let NlLinkInfo::Kind(k) = i {
                        info.kind = Some(k.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    info
}

fn addr_msg(index: u32, addr: Ipv4Net) -> AddressMessage {
    let mut msg = AddressMessage::default();
    msg.header.family = AddressFamily::Inet;
    msg.header.prefix_len = addr.prefix_len();
    msg.header.index = index;
    let ip = IpAddr::V4(addr.addr());
    msg.attributes.push(AddressAttribute::Local(ip));
    msg.attributes.push(AddressAttribute::Address(ip));
    if addr.prefix_len() < 31 {
        msg.attributes
            .push(AddressAttribute::Broadcast(addr.broadcast()));
    }
    msg
}

/// The MAC docker derives from an IPv4 address: `02:42` followed by the four
/// octets (172.17.0.2 gives 02:42:ac:11:00:02). Locally administered, unicast.
pub fn mac_for_ip(ip: Ipv4Addr) -> [u8; 6] {
    let o = ip.octets();
    [0x02, 0x42, o[0], o[1], o[2], o[3]]
}

/// A random locally administered unicast MAC of the form `02:42:xx:xx:xx:xx`.
pub fn random_mac() -> io::Result<[u8; 6]> {
    use std::io::Read;
    let mut tail = [0u8; 4];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut tail)?;
    Ok([0x02, 0x42, tail[0], tail[1], tail[2], tail[3]])
}

/// Formats a MAC as lower-case colon-separated hex, e.g. "02:42:ac:11:00:02".
pub fn format_mac(mac: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
    )
}

#[cfg(test)]
mod tests;
