//! skiff's host firewall: NAT, port publishing and bridge isolation, applied
//! as one atomic nf_tables transaction over a `NETLINK_NETFILTER` socket.
//!
//! Everything lives in one table of its own, `ip skiff`. [`apply`] replaces
//! that table wholesale in a single `NFNL_MSG_BATCH_BEGIN` ... `BATCH_END`
//! batch (`add table; delete table; add table + chains + rules`), so either
//! the whole new ruleset is in force afterwards or nothing changed.
//!
//! The messages are built with `netlink-packet-netfilter`'s typed table,
//! chain, rule and expression types; the expressions that crate lacks
//! (`nat`, `masq`, `fib`, `ct`) are encoded here as raw attributes following
//! `linux/include/uapi/linux/netfilter/nf_tables.h`. Nothing is executed.

use std::collections::HashMap;
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

use netlink_packet_core::{
    DefaultNla, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_APPEND,
    NLM_F_CREATE, NLM_F_REQUEST,
};
use netlink_packet_netfilter::nftables::{
    Bitwise, ChainAttribute, ChainMessage, Cmp, DataAttribute, ExpressionAttribute, Expressions,
    Hook, HookNumber, Immediate, InetHookNumber, ListAttribute, Meta, MetaKey, NfTablesMessage,
    Operator, Payload, Register, RuleAttribute, RuleMessage, TableAttribute, TableMessage, Verdict,
    VerdictAttribute,
};
use netlink_packet_netfilter::none::ControlMessage;
use netlink_packet_netfilter::{
    NetfilterHeader, NetfilterMessage, NetfilterMessageInner, NetfilterProtoFamily,
};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

/// Name of skiff's nftables table (family `ip`).
pub const TABLE: &str = "skiff";

/// A bridge network managed by skiff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Network {
    /// Name of the Linux bridge (at most 15 bytes).
    pub bridge: String,
    /// The network's IPv4 subnet.
    pub subnet: ipnet::Ipv4Net,
    /// An internal network is neither masqueraded nor forwarded to/from
    /// other interfaces.
    pub internal: bool,
}

/// Transport protocol of a published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Proto {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Proto {
    fn number(self) -> u8 {
        match self {
            Proto::Tcp => libc::IPPROTO_TCP as u8,
            Proto::Udp => libc::IPPROTO_UDP as u8,
        }
    }
}

/// A published port: traffic to `host_ip:host_port` (any local address when
/// `host_ip` is `None`) is DNATed to `container_ip:container_port`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PortMap {
    /// Host address to match, or any local address.
    pub host_ip: Option<Ipv4Addr>,
    /// Host port to match.
    pub host_port: u16,
    /// Transport protocol.
    pub proto: Proto,
    /// Container address to DNAT to.
    pub container_ip: Ipv4Addr,
    /// Container port to DNAT to.
    pub container_port: u16,
    /// Bridge the container is attached to.
    pub bridge: String,
}

/// skiff's whole firewall state.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ruleset {
    /// Bridge networks.
    pub networks: Vec<Network>,
    /// Published ports.
    pub ports: Vec<PortMap>,
}

impl Ruleset {
    /// True when there is nothing to install (the table is removed).
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty() && self.ports.is_empty()
    }
}

/// Failure to apply the firewall. Display is one line naming what failed.
#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    /// The ruleset cannot be expressed (e.g. a bridge name is too long).
    #[error("invalid skiff firewall ruleset: {0}")]
    Invalid(String),
    /// Entering the target network namespace failed.
    #[error("entering the network namespace for the skiff firewall: {0}")]
    Netns(io::Error),
    /// Opening or setting up the netfilter netlink socket failed.
    #[error("opening a netfilter netlink socket: {0}")]
    Socket(io::Error),
    /// Sending the batch failed.
    #[error("sending the skiff nftables batch: {0}")]
    Send(io::Error),
    /// Reading the kernel's answers failed (or timed out).
    #[error("reading the kernel's answer to the skiff nftables batch: {0}")]
    Receive(io::Error),
    /// The kernel rejected the batch; the transaction was aborted and
    /// nothing changed. `at` names the first rejected message, if known.
    #[error("applying the skiff nftables ruleset: {err}{}", at_suffix(.at))]
    Rejected {
        /// The kernel's error.
        err: io::Error,
        /// Which message of the batch was rejected.
        at: Option<String>,
    },
}

fn at_suffix(at: &Option<String>) -> String {
    match at {
        Some(at) => format!(" (while {at})"),
        None => String::new(),
    }
}

impl FirewallError {
    /// The errno behind the failure, if there is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            FirewallError::Invalid(_) => None,
            FirewallError::Netns(e)
            | FirewallError::Socket(e)
            | FirewallError::Send(e)
            | FirewallError::Receive(e)
            | FirewallError::Rejected { err: e, .. } => e.raw_os_error(),
        }
    }
}

/// Replace the `ip skiff` table's rules by `rules` in one transaction (the
/// batch: add table and chains, which keeps existing ones; flush every
/// chain; add the rules). Empty rules: add the table, then delete it, so it
/// is gone afterwards either way. Either all of it applies or nothing
/// changes.
pub fn apply(rules: &Ruleset) -> Result<(), FirewallError> {
    connect()?.apply(rules)
}

/// Brings the table from `prev` (what was last applied, if known) to
/// `next` the cheap way when it can: nothing when they are equal, only
/// appended rules when `next` merely adds to `prev`. Removing rules makes
/// the kernel wait for an RCU grace period (~10 ms), so only a shrinking
/// ruleset, or an unknown `prev`, replaces the whole table ([`apply`]).
pub fn apply_changes(prev: Option<&Ruleset>, next: &Ruleset) -> Result<(), FirewallError> {
    connect()?.apply_changes(prev, next)
}

/// A netlink socket to apply rulesets with. Closing it after a batch that
/// removed rules can take the kernel a grace period: a caller holding a
/// lock drops the connection after releasing the lock.
pub struct Conn(Socket);

/// Opens a [`Conn`].
pub fn connect() -> Result<Conn, FirewallError> {
    Ok(Conn(open_socket()?))
}

impl Conn {
    /// [`apply`] over this connection.
    pub fn apply(&self, rules: &Ruleset) -> Result<(), FirewallError> {
        transact(&self.0, &build_batch(rules)?)
    }

    /// [`apply_changes`] over this connection.
    pub fn apply_changes(
        &self,
        prev: Option<&Ruleset>,
        next: &Ruleset,
    ) -> Result<(), FirewallError> {
        match prev {
            Some(p) if p == next => Ok(()),
            Some(p) if !p.is_empty() && is_subset(p, next) => {
                let added = Ruleset {
                    networks: next
                        .networks
                        .iter()
                        .filter(|n| !p.networks.contains(n))
                        .cloned()
                        .collect(),
                    ports: next
                        .ports
                        .iter()
                        .filter(|x| !p.ports.contains(x))
                        .cloned()
                        .collect(),
                };
                transact(&self.0, &build_append_batch(p, &added)?)
            }
            _ => self.apply(next),
        }
    }
}

fn is_subset(a: &Ruleset, b: &Ruleset) -> bool {
    a.networks.iter().all(|n| b.networks.contains(n)) && a.ports.iter().all(|p| b.ports.contains(p))
}

/// Same as [`apply`], inside the network namespace `ns`. The socket is
/// created on a short-lived thread that `setns()`es into `ns`; the calling
/// thread's namespace is never changed.
pub fn apply_in(ns: BorrowedFd<'_>, rules: &Ruleset) -> Result<(), FirewallError> {
    let batch = build_batch(rules)?;
    let raw = ns.as_raw_fd();
    let sock = std::thread::scope(|s| {
        s.spawn(move || {
            // SAFETY: `raw` is a valid fd borrowed for the whole scope; setns
            // only affects this short-lived thread, which exits right after
            // creating the socket.
            if unsafe { libc::setns(raw, libc::CLONE_NEWNET) } != 0 {
                return Err(FirewallError::Netns(io::Error::last_os_error()));
            }
            open_socket()
        })
        .join()
        .unwrap_or_else(|_| {
            Err(FirewallError::Netns(io::Error::other(
                "namespace thread panicked",
            )))
        })
    })?;
    transact(&sock, &batch)
}

// ---------------------------------------------------------------------------
// Constants from linux/include/uapi/linux/netfilter/nf_tables.h & friends.

const NFNL_SUBSYS_NFTABLES: u16 = 10;
const NLMSG_ERROR: u16 = 2;
const IFNAMSIZ: usize = 16;

const NF_DROP: u32 = 0;
const NF_ACCEPT: u32 = 1;

const NFT_PAYLOAD_NETWORK_HEADER: u32 = 1;
const NFT_PAYLOAD_TRANSPORT_HEADER: u32 = 2;

const NFTA_NAT_TYPE: u16 = 1;
const NFTA_NAT_FAMILY: u16 = 2;
const NFTA_NAT_REG_ADDR_MIN: u16 = 3;
const NFTA_NAT_REG_PROTO_MIN: u16 = 5;
const NFT_NAT_DNAT: u32 = 1;
const NFPROTO_IPV4: u32 = 2;

const NFTA_FIB_DREG: u16 = 1;
const NFTA_FIB_RESULT: u16 = 2;
const NFTA_FIB_FLAGS: u16 = 3;
const NFT_FIB_RESULT_ADDRTYPE: u32 = 3;
const NFTA_FIB_F_DADDR: u32 = 1 << 1;
const RTN_LOCAL: u32 = 2;

const NFTA_CT_DREG: u16 = 1;
const NFTA_CT_KEY: u16 = 2;
const NFT_CT_STATE: u32 = 0;
const NFT_CT_STATUS: u32 = 2;
// NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED)
const CT_STATE_ESTABLISHED: u32 = 1 << 1;
const CT_STATE_RELATED: u32 = 1 << 2;
// IPS_DST_NAT (linux/netfilter/nf_conntrack_common.h).
const CT_STATUS_DNAT: u32 = 1 << 5;

/// Base chain priority `raw`: before conntrack and NAT.
const PRIORITY_RAW: i32 = -300;

// ---------------------------------------------------------------------------
// Expression builders. All matches use register 1 (NFT_REG_1).

type Expr = ListAttribute<ExpressionAttribute>;

fn u32_nla(kind: u16, v: u32) -> DefaultNla {
    DefaultNla::new(kind, v.to_be_bytes().to_vec())
}

fn raw_expr(name: &str, attributes: Vec<DefaultNla>) -> Expr {
    Expressions::Other {
        expression_type: name.to_string(),
        attributes,
    }
    .into()
}

fn payload(base: u32, offset: u32, len: u32) -> Expr {
    Expressions::Payload(vec![
        Payload::DestinationRegister(Register::Reg1),
        Payload::Base(base),
        Payload::Offset(offset),
        Payload::Len(len),
    ])
    .into()
}

fn cmp(op: Operator, data: Vec<u8>) -> Expr {
    Expressions::Cmp(vec![
        Cmp::SourceRegister(Register::Reg1),
        Cmp::Op(op),
        Cmp::Data(DataAttribute::Value(data)),
    ])
    .into()
}

fn bitwise(mask: Vec<u8>) -> Expr {
    let xor = vec![0; mask.len()];
    Expressions::Bitwise(vec![
        Bitwise::SourceRegister(Register::Reg1),
        Bitwise::DestinationRegister(Register::Reg1),
        Bitwise::Length(mask.len() as u32),
        Bitwise::Mask(DataAttribute::Value(mask)),
        Bitwise::Xor(DataAttribute::Value(xor)),
    ])
    .into()
}

fn meta(key: MetaKey) -> Expr {
    Expressions::Meta(vec![
        Meta::DestinationRegister(Register::Reg1),
        Meta::Key(key),
    ])
    .into()
}

fn immediate(reg: Register, data: DataAttribute) -> Expr {
    Expressions::Immediate(vec![
        Immediate::DestinationRegister(reg),
        Immediate::Data(data),
    ])
    .into()
}

fn verdict(code: u32) -> Expr {
    immediate(
        Register::Verdict,
        DataAttribute::Verdict(vec![VerdictAttribute::Code(Verdict::Other(code))]),
    )
}

fn drop_() -> Expr {
    verdict(NF_DROP)
}

fn jump(chain: &str) -> Expr {
    immediate(
        Register::Verdict,
        DataAttribute::Verdict(vec![
            VerdictAttribute::Code(Verdict::Jump),
            VerdictAttribute::Chain(chain.to_string()),
        ]),
    )
}

/// `ip saddr|daddr [!=] <net>`; `offset` 12 = saddr, 16 = daddr.
fn match_ip_net(offset: u32, op: Operator, net: ipnet::Ipv4Net) -> Vec<Expr> {
    let mut v = vec![payload(NFT_PAYLOAD_NETWORK_HEADER, offset, 4)];
    if net.prefix_len() < 32 {
        v.push(bitwise(net.netmask().octets().to_vec()));
    }
    v.push(cmp(op, net.network().octets().to_vec()));
    v
}

fn match_ip_addr(offset: u32, addr: Ipv4Addr) -> Vec<Expr> {
    vec![
        payload(NFT_PAYLOAD_NETWORK_HEADER, offset, 4),
        cmp(Operator::Equal, addr.octets().to_vec()),
    ]
}

fn ifname_data(name: &str) -> Vec<u8> {
    let mut data = vec![0u8; IFNAMSIZ];
    data[..name.len()].copy_from_slice(name.as_bytes());
    data
}

/// `iifname|oifname [!=] "<name>"`.
fn match_ifname(key: MetaKey, op: Operator, name: &str) -> Vec<Expr> {
    vec![meta(key), cmp(op, ifname_data(name))]
}

/// `tcp|udp dport <port>` (with its `meta l4proto` dependency).
fn match_dport(proto: Proto, port: u16) -> Vec<Expr> {
    vec![
        meta(MetaKey::L4Proto),
        cmp(Operator::Equal, vec![proto.number()]),
        payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2),
        cmp(Operator::Equal, port.to_be_bytes().to_vec()),
    ]
}

/// `masquerade`.
fn masq() -> Expr {
    raw_expr("masq", vec![])
}

/// `fib daddr type local`.
fn match_fib_daddr_local() -> Vec<Expr> {
    vec![
        raw_expr(
            "fib",
            vec![
                u32_nla(NFTA_FIB_DREG, Register::Reg1.into()),
                u32_nla(NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE),
                u32_nla(NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR),
            ],
        ),
        // The address type is stored in host byte order.
        cmp(Operator::Equal, RTN_LOCAL.to_ne_bytes().to_vec()),
    ]
}

/// `ct <key> & <bits> ==|!= 0`: with `Ne`, some of `bits` are set; with
/// `Eq`, none is.
fn match_ct_bits(key: u32, bits: u32, op: Operator) -> Vec<Expr> {
    vec![
        raw_expr(
            "ct",
            vec![
                u32_nla(NFTA_CT_DREG, Register::Reg1.into()),
                u32_nla(NFTA_CT_KEY, key),
            ],
        ),
        // Conntrack state and status are in host byte order.
        bitwise(bits.to_ne_bytes().to_vec()),
        cmp(op, 0u32.to_ne_bytes().to_vec()),
    ]
}

/// `dnat to <addr>:<port>`.
fn dnat(addr: Ipv4Addr, port: u16) -> Vec<Expr> {
    vec![
        immediate(Register::Reg1, DataAttribute::Value(addr.octets().to_vec())),
        immediate(
            Register::Reg2,
            DataAttribute::Value(port.to_be_bytes().to_vec()),
        ),
        raw_expr(
            "nat",
            vec![
                u32_nla(NFTA_NAT_TYPE, NFT_NAT_DNAT),
                u32_nla(NFTA_NAT_FAMILY, NFPROTO_IPV4),
                u32_nla(NFTA_NAT_REG_ADDR_MIN, Register::Reg1.into()),
                u32_nla(NFTA_NAT_REG_PROTO_MIN, Register::Reg2.into()),
            ],
        ),
    ]
}

// ---------------------------------------------------------------------------
// Ruleset -> chains and rules.

struct ChainSpec {
    name: &'static str,
    /// (type, hook, priority, policy)
    base: Option<(&'static str, InetHookNumber, i32, Option<u32>)>,
}

const CHAINS: [ChainSpec; 6] = [
    ChainSpec {
        name: "ports",
        base: None,
    },
    ChainSpec {
        name: "postrouting",
        base: Some(("nat", InetHookNumber::PostRouting, 100, None)),
    },
    ChainSpec {
        name: "prerouting",
        base: Some(("nat", InetHookNumber::PreRouting, -100, None)),
    },
    ChainSpec {
        name: "output",
        base: Some(("nat", InetHookNumber::LocalOut, -100, None)),
    },
    ChainSpec {
        name: "forward",
        base: Some(("filter", InetHookNumber::Forward, 0, Some(NF_ACCEPT))),
    },
    ChainSpec {
        name: "loopback",
        base: Some((
            "filter",
            InetHookNumber::PreRouting,
            PRIORITY_RAW,
            Some(NF_ACCEPT),
        )),
    },
];

struct Rule {
    chain: &'static str,
    exprs: Vec<Expr>,
}

fn rule(chain: &'static str, parts: Vec<Vec<Expr>>) -> Rule {
    Rule {
        chain,
        exprs: parts.into_iter().flatten().collect(),
    }
}

fn check_ifname(name: &str) -> Result<(), FirewallError> {
    if name.is_empty() || name.len() >= IFNAMSIZ || name.contains('\0') {
        return Err(FirewallError::Invalid(format!(
            "bad interface name {name:?} (must be 1 to {} bytes, no NUL)",
            IFNAMSIZ - 1
        )));
    }
    Ok(())
}

fn build_rules(rules: &Ruleset) -> Result<Vec<Rule>, FirewallError> {
    build_rules_with(rules, None)
}

/// The rules of `rules`: the whole table's without `prev`; with it, only
/// what `rules` (networks and ports not in `prev`) adds to `prev`'s table:
/// no rule every table has (the jumps to `ports`, the loopback drop), no
/// second hairpin masquerade for a bridge that already has ports.
fn build_rules_with(rules: &Ruleset, prev: Option<&Ruleset>) -> Result<Vec<Rule>, FirewallError> {
    use MetaKey::{Iifname, Oifname};
    use Operator::{Equal as Eq, NotEqual as Ne};
    let fixed = prev.is_none();

    for n in &rules.networks {
        check_ifname(&n.bridge)?;
    }
    for p in &rules.ports {
        check_ifname(&p.bridge)?;
    }

    let mut out = Vec::new();

    // postrouting: masquerade outgoing traffic of non-internal networks.
    for n in rules.networks.iter().filter(|n| !n.internal) {
        let net = n.subnet.trunc();
        out.push(rule(
            "postrouting",
            vec![
                match_ip_net(12, Eq, net),
                match_ip_net(16, Ne, net),
                vec![masq()],
            ],
        ));
    }
    // postrouting: hairpin from localhost after DNAT, per bridge with ports.
    let mut port_bridges: Vec<&str> = Vec::new();
    for p in &rules.ports {
        let had = prev.is_some_and(|prev| prev.ports.iter().any(|q| q.bridge == p.bridge));
        if !had && !port_bridges.contains(&p.bridge.as_str()) {
            port_bridges.push(&p.bridge);
        }
    }
    let loopback: ipnet::Ipv4Net = "127.0.0.0/8".parse().expect("valid net");
    for b in &port_bridges {
        out.push(rule(
            "postrouting",
            vec![
                match_ip_net(12, Eq, loopback),
                match_ifname(Oifname, Eq, b),
                vec![masq()],
            ],
        ));
    }

    // prerouting / output: locally addressed traffic goes through `ports`.
    for chain in ["prerouting", "output"].into_iter().filter(|_| fixed) {
        out.push(rule(
            chain,
            vec![match_fib_daddr_local(), vec![jump("ports")]],
        ));
    }

    // ports: DNAT per published port.
    for p in &rules.ports {
        let mut parts = Vec::new();
        if let Some(ip) = p.host_ip {
            parts.push(match_ip_addr(16, ip));
        }
        parts.push(match_dport(p.proto, p.host_port));
        parts.push(dnat(p.container_ip, p.container_port));
        out.push(rule("ports", parts));
    }

    // loopback: 127.0.0.0/8 is only ever reached over `lo`. The bridges
    // have route_localnet=1 (so that DNAT of 127.0.0.1:port works), which
    // would otherwise let a container reach the host's loopback services
    // (CVE-2020-8558), and a LAN host could have its packets to
    // 127.0.0.1:<published port> DNATed to the container. At priority raw,
    // before conntrack and NAT, the replies of DNATed loopback connections
    // still carry the bridge's address (masquerade), so they are not hit.
    if fixed {
        out.push(rule(
            "loopback",
            vec![
                match_ifname(Iifname, Ne, "lo"),
                match_ip_net(16, Eq, loopback),
                vec![drop_()],
            ],
        ));
    }

    // forward: only drops, so that their order (and rules appended later)
    // does not matter. Into a bridge, from elsewhere, only replies and
    // DNATed (published) connections pass: nothing reaches an unpublished
    // port, or a container's address directly, from the LAN or from
    // another bridge (docker 28's direct-access protection and bridge
    // isolation). An internal network's traffic stays on its bridge.
    for n in &rules.networks {
        let b = n.bridge.as_str();
        if n.internal {
            out.push(rule(
                "forward",
                vec![
                    match_ifname(Iifname, Eq, b),
                    match_ifname(Oifname, Ne, b),
                    vec![drop_()],
                ],
            ));
            out.push(rule(
                "forward",
                vec![
                    match_ifname(Oifname, Eq, b),
                    match_ifname(Iifname, Ne, b),
                    vec![drop_()],
                ],
            ));
        } else {
            out.push(rule(
                "forward",
                vec![
                    match_ifname(Oifname, Eq, b),
                    match_ifname(Iifname, Ne, b),
                    match_ct_bits(NFT_CT_STATE, CT_STATE_ESTABLISHED | CT_STATE_RELATED, Eq),
                    match_ct_bits(NFT_CT_STATUS, CT_STATUS_DNAT, Eq),
                    vec![drop_()],
                ],
            ));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Batch encoding.

/// One message of the batch, with a description for error reports.
struct BatchMsg {
    msg: NetlinkMessage<NetfilterMessage>,
    what: String,
}

struct Batch {
    msgs: Vec<BatchMsg>,
}

fn nft_msg(
    family: NetfilterProtoFamily,
    res_id: u16,
    inner: impl Into<NetfilterMessageInner>,
    flags: u16,
) -> NetlinkMessage<NetfilterMessage> {
    let mut header = NetlinkHeader::default();
    header.flags = flags;
    let payload = NetfilterMessage::new(NetfilterHeader::new(family, 0, res_id), inner);
    NetlinkMessage::new(header, NetlinkPayload::InnerMessage(payload))
}

/// The batch's first or last message.
fn control(msg: ControlMessage, what: &str) -> BatchMsg {
    BatchMsg {
        msg: nft_msg(
            NetfilterProtoFamily::Unspec,
            NFNL_SUBSYS_NFTABLES,
            msg,
            NLM_F_REQUEST,
        ),
        what: what.into(),
    }
}

/// A message appending rule `r` to its chain.
fn append_rule(r: Rule, what: String) -> BatchMsg {
    let attributes = vec![
        RuleAttribute::Table(TABLE.to_string()),
        RuleAttribute::Chain(r.chain.to_string()),
        RuleAttribute::Expressions(r.exprs),
    ];
    BatchMsg {
        msg: nft_msg(
            NetfilterProtoFamily::IPv4,
            0,
            NfTablesMessage::NewRule(RuleMessage { attributes }),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND,
        ),
        what,
    }
}

fn build_batch(rules: &Ruleset) -> Result<Batch, FirewallError> {
    let ip = NetfilterProtoFamily::IPv4;
    let req = NLM_F_REQUEST | NLM_F_ACK;
    let table = || TableMessage {
        attributes: vec![TableAttribute::Name(TABLE.to_string())],
    };
    let mut msgs = vec![
        control(ControlMessage::BatchBegin, "beginning the batch"),
        BatchMsg {
            msg: nft_msg(
                ip,
                0,
                NfTablesMessage::NewTable(table()),
                req | NLM_F_CREATE,
            ),
            what: format!("adding table ip {TABLE}"),
        },
    ];
    if rules.is_empty() {
        msgs.push(BatchMsg {
            msg: nft_msg(ip, 0, NfTablesMessage::DeleteTable(table()), req),
            what: format!("deleting table ip {TABLE}"),
        });
    } else {
        // The table and its chains are kept (created if missing) and only
        // their rules replaced: deleting a base chain unregisters its
        // netfilter hook, which waits for an RCU grace period (ms each).
        let rule_list = build_rules(rules)?;
        for c in &CHAINS {
            let mut attributes = vec![
                ChainAttribute::Table(TABLE.to_string()),
                ChainAttribute::Name(c.name.to_string()),
            ];
            if let Some((ty, hook, prio, policy)) = c.base {
                attributes.push(ChainAttribute::Hook(vec![
                    Hook::Number(HookNumber::Inet(hook)),
                    Hook::Priority(prio as u32),
                ]));
                if let Some(policy) = policy {
                    attributes.push(ChainAttribute::Policy(policy));
                }
                attributes.push(ChainAttribute::Type(ty.to_string()));
            }
            msgs.push(BatchMsg {
                msg: nft_msg(
                    ip,
                    0,
                    NfTablesMessage::NewChain(ChainMessage { attributes }),
                    req | NLM_F_CREATE,
                ),
                what: format!("adding chain {}", c.name),
            });
        }
        for c in &CHAINS {
            let attributes = vec![
                RuleAttribute::Table(TABLE.to_string()),
                RuleAttribute::Chain(c.name.to_string()),
            ];
            msgs.push(BatchMsg {
                msg: nft_msg(
                    ip,
                    0,
                    NfTablesMessage::DeleteRule(RuleMessage { attributes }),
                    req,
                ),
                what: format!("flushing chain {}", c.name),
            });
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for r in rule_list {
            let n = counts.entry(r.chain).or_default();
            *n += 1;
            let what = format!("adding rule {n} of chain {}", r.chain);
            msgs.push(append_rule(r, what));
        }
    }
    msgs.push(control(ControlMessage::BatchEnd, "ending the batch"));
    Ok(Batch { msgs })
}

/// A batch that only appends the rules of `added` to the existing chains
/// (holding `prev`'s).
fn build_append_batch(prev: &Ruleset, added: &Ruleset) -> Result<Batch, FirewallError> {
    let mut msgs = vec![control(ControlMessage::BatchBegin, "beginning the batch")];
    for (n, r) in build_rules_with(added, Some(prev))?.into_iter().enumerate() {
        let what = format!("appending rule {} to chain {}", n + 1, r.chain);
        msgs.push(append_rule(r, what));
    }
    msgs.push(control(ControlMessage::BatchEnd, "ending the batch"));
    Ok(Batch { msgs })
}

impl Batch {
    /// Serialise with sequence numbers starting at `seq0`; returns the bytes
    /// and, per sequence number, the description and whether an ACK is due.
    fn encode(&self, seq0: u32) -> (Vec<u8>, HashMap<u32, (String, bool)>) {
        let mut buf = Vec::new();
        let mut index = HashMap::new();
        for (i, m) in self.msgs.iter().enumerate() {
            let seq = seq0.wrapping_add(i as u32);
            let mut msg = m.msg.clone();
            msg.header.sequence_number = seq;
            msg.finalize();
            let start = buf.len();
            buf.resize(start + msg.buffer_len(), 0);
            msg.serialize(&mut buf[start..]);
            // Netlink messages are 4-byte aligned; our payloads already are,
            // but pad defensively.
            while buf.len() % 4 != 0 {
                buf.push(0);
            }
            let acked = m.msg.header.flags & NLM_F_ACK != 0;
            index.insert(seq, (m.what.clone(), acked));
        }
        (buf, index)
    }
}

// ---------------------------------------------------------------------------
// Socket and transaction.

fn setsockopt_raw<T>(fd: i32, level: i32, name: i32, value: &T) -> io::Result<()> {
    // SAFETY: `value` points to a live `T` of the given size for the duration
    // of the call; the kernel only reads it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn open_socket() -> Result<Socket, FirewallError> {
    let mut sock = Socket::new(NETLINK_NETFILTER).map_err(FirewallError::Socket)?;
    sock.bind_auto().map_err(FirewallError::Socket)?;
    sock.connect(&SocketAddr::new(0, 0))
        .map_err(FirewallError::Socket)?;
    // Keep ACKs short (no echo of the request) and never wait forever.
    let _ = sock.set_cap_ack(true);
    let _ = sock.set_rx_buf_sz(1usize << 20);
    let tv = libc::timeval {
        tv_sec: RECV_TIMEOUT.as_secs() as libc::time_t,
        tv_usec: 0,
    };
    setsockopt_raw(sock.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVTIMEO, &tv)
        .map_err(FirewallError::Socket)?;
    Ok(sock)
}

const RECV_TIMEOUT: Duration = Duration::from_secs(10);

fn transact(sock: &Socket, batch: &Batch) -> Result<(), FirewallError> {
    // Sequence numbers only need to be unique on this fresh socket, but use
    // the clock so that traces are easy to tell apart.
    let seq0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(1);
    let (buf, index) = batch.encode(seq0);
    let mut pending: Vec<u32> = index
        .iter()
        .filter(|(_, (_, acked))| *acked)
        .map(|(seq, _)| *seq)
        .collect();

    if buf.len() > 128 * 1024 {
        let size = (buf.len() + 4096) as libc::c_int;
        let _ = setsockopt_raw(sock.as_raw_fd(), libc::SOL_SOCKET, libc::SO_SNDBUF, &size);
    }
    let sent = sock.send(&buf, 0).map_err(FirewallError::Send)?;
    if sent != buf.len() {
        return Err(FirewallError::Send(io::Error::other(format!(
            "short send ({sent} of {} bytes)",
            buf.len()
        ))));
    }

    let mut rbuf: Vec<u8> = Vec::with_capacity(64 * 1024);
    while !pending.is_empty() {
        rbuf.clear();
        let n = match sock.recv(&mut rbuf, 0) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FirewallError::Receive(e)),
        };
        let data = &rbuf[..n.min(rbuf.len())];
        for (ty, seq, payload) in NlIter(data) {
            if ty != NLMSG_ERROR || payload.len() < 4 {
                continue;
            }
            let code = i32::from_ne_bytes(payload[..4].try_into().expect("4 bytes"));
            if code != 0 {
                return Err(FirewallError::Rejected {
                    err: io::Error::from_raw_os_error(-code),
                    at: index.get(&seq).map(|(what, _)| what.clone()),
                });
            }
            pending.retain(|s| *s != seq);
        }
    }
    Ok(())
}

/// Iterator over (type, seq, payload) of the netlink messages in a datagram.
struct NlIter<'a>(&'a [u8]);

impl<'a> Iterator for NlIter<'a> {
    type Item = (u16, u32, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.0;
        if b.len() < 16 {
            return None;
        }
        let len = u32::from_ne_bytes(b[0..4].try_into().ok()?) as usize;
        if len < 16 || len > b.len() {
            self.0 = &[];
            return None;
        }
        let ty = u16::from_ne_bytes(b[4..6].try_into().ok()?);
        let seq = u32::from_ne_bytes(b[8..12].try_into().ok()?);
        let payload = &b[16..len];
        let next = (len + 3) & !3;
        self.0 = if next >= b.len() { &[] } else { &b[next..] };
        Some((ty, seq, payload))
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests;
