//! nf_tables constants, and builders of the expressions rules are made of
//! (the raw ones `netlink-packet-netfilter` lacks included).

use super::Proto;
use std::net::Ipv4Addr;

use netlink_packet_core::DefaultNla;
use netlink_packet_netfilter::nftables::{
    Bitwise, Cmp, DataAttribute, ExpressionAttribute, Expressions, Immediate, ListAttribute, Meta,
    MetaKey, Operator, Payload, Register, Verdict, VerdictAttribute,
};

// Constants from linux/include/uapi/linux/netfilter/nf_tables.h & friends.

pub(super) const NFNL_SUBSYS_NFTABLES: u16 = 10;
pub(super) const NLMSG_ERROR: u16 = 2;
pub(super) const IFNAMSIZ: usize = 16;

const NF_DROP: u32 = 0;
pub(super) const NF_ACCEPT: u32 = 1;

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
pub(super) const NFT_CT_STATE: u32 = 0;
pub(super) const NFT_CT_STATUS: u32 = 2;
// NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED)
pub(super) const CT_STATE_ESTABLISHED: u32 = 1 << 1;
pub(super) const CT_STATE_RELATED: u32 = 1 << 2;
// IPS_DST_NAT (linux/netfilter/nf_conntrack_common.h).
pub(super) const CT_STATUS_DNAT: u32 = 1 << 5;

/// Base chain priority `raw`: before conntrack and NAT.
pub(super) const PRIORITY_RAW: i32 = -300;

// ---------------------------------------------------------------------------
// Expression builders. All matches use register 1 (NFT_REG_1).

pub(super) type Expr = ListAttribute<ExpressionAttribute>;

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

pub(super) fn payload(base: u32, offset: u32, len: u32) -> Expr {
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

pub(super) fn drop_() -> Expr {
    verdict(NF_DROP)
}

pub(super) fn jump(chain: &str) -> Expr {
    immediate(
        Register::Verdict,
        DataAttribute::Verdict(vec![
            VerdictAttribute::Code(Verdict::Jump),
            VerdictAttribute::Chain(chain.to_string()),
        ]),
    )
}

/// `ip saddr|daddr [!=] <net>`; `offset` 12 = saddr, 16 = daddr.
pub(super) fn match_ip_net(offset: u32, op: Operator, net: ipnet::Ipv4Net) -> Vec<Expr> {
    let mut v = vec![payload(NFT_PAYLOAD_NETWORK_HEADER, offset, 4)];
    if net.prefix_len() < 32 {
        v.push(bitwise(net.netmask().octets().to_vec()));
    }
    v.push(cmp(op, net.network().octets().to_vec()));
    v
}

pub(super) fn match_ip_addr(offset: u32, addr: Ipv4Addr) -> Vec<Expr> {
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
pub(super) fn match_ifname(key: MetaKey, op: Operator, name: &str) -> Vec<Expr> {
    vec![meta(key), cmp(op, ifname_data(name))]
}

/// `tcp|udp dport <port>` (with its `meta l4proto` dependency).
pub(super) fn match_dport(proto: Proto, port: u16) -> Vec<Expr> {
    vec![
        meta(MetaKey::L4Proto),
        cmp(Operator::Equal, vec![proto.number()]),
        payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2),
        cmp(Operator::Equal, port.to_be_bytes().to_vec()),
    ]
}

/// `masquerade`.
pub(super) fn masq() -> Expr {
    raw_expr("masq", vec![])
}

/// `fib daddr type local`.
pub(super) fn match_fib_daddr_local() -> Vec<Expr> {
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
pub(super) fn match_ct_bits(key: u32, bits: u32, op: Operator) -> Vec<Expr> {
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
pub(super) fn dnat(addr: Ipv4Addr, port: u16) -> Vec<Expr> {
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
