//! The chains of skiff's table, and a [`Ruleset`](super::Ruleset) as rules
//! in them.

use super::nft::{
    dnat, drop_, jump, masq, match_ct_bits, match_dport, match_fib_daddr_local, match_ifname,
    match_ip_addr, match_ip_net, Expr, CT_STATE_ESTABLISHED, CT_STATE_RELATED, CT_STATUS_DNAT,
    IFNAMSIZ, NFT_CT_STATE, NFT_CT_STATUS, NF_ACCEPT, PRIORITY_RAW,
};
use super::{FirewallError, Ruleset};

use netlink_packet_netfilter::nftables::{InetHookNumber, MetaKey, Operator};

pub(super) struct ChainSpec {
    pub(super) name: &'static str,
    /// (type, hook, priority, policy)
    pub(super) base: Option<(&'static str, InetHookNumber, i32, Option<u32>)>,
}

pub(super) const CHAINS: [ChainSpec; 6] = [
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

pub(super) struct Rule {
    pub(super) chain: &'static str,
    pub(super) exprs: Vec<Expr>,
}

pub(super) fn rule(chain: &'static str, parts: Vec<Vec<Expr>>) -> Rule {
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

pub(super) fn build_rules(rules: &Ruleset) -> Result<Vec<Rule>, FirewallError> {
    build_rules_with(rules, None)
}

/// The rules of `rules`: the whole table's without `prev`; with it, only
/// what `rules` (networks and ports not in `prev`) adds to `prev`'s table:
/// no rule every table has (the jumps to `ports`, the loopback drop), no
/// second hairpin masquerade for a bridge that already has ports.
pub(super) fn build_rules_with(
    rules: &Ruleset,
    prev: Option<&Ruleset>,
) -> Result<Vec<Rule>, FirewallError> {
    use MetaKey::Iifname;
    use Operator::{Equal as Eq, NotEqual as Ne};
    let fixed = prev.is_none();

    for n in &rules.networks {
        check_ifname(&n.bridge)?;
    }
    for p in &rules.ports {
        check_ifname(&p.bridge)?;
    }

    let mut out = postrouting_rules(rules, prev);

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
                match_ip_net(16, Eq, loopback()),
                vec![drop_()],
            ],
        ));
    }

    out.extend(forward_rules(rules));
    Ok(out)
}

fn loopback() -> ipnet::Ipv4Net {
    "127.0.0.0/8".parse().expect("valid net")
}

/// postrouting: masquerade outgoing traffic of non-internal networks, and
/// hairpin traffic from localhost after DNAT, per bridge with ports (not
/// one `prev` has already).
fn postrouting_rules(rules: &Ruleset, prev: Option<&Ruleset>) -> Vec<Rule> {
    use MetaKey::Oifname;
    use Operator::{Equal as Eq, NotEqual as Ne};
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
    for b in &port_bridges {
        out.push(rule(
            "postrouting",
            vec![
                match_ip_net(12, Eq, loopback()),
                match_ifname(Oifname, Eq, b),
                vec![masq()],
            ],
        ));
    }
    out
}

/// forward: only drops, so that their order (and rules appended later)
/// does not matter. Into a bridge, from elsewhere, only replies and
/// DNATed (published) connections pass: nothing reaches an unpublished
/// port, or a container's address directly, from the LAN or from
/// another bridge (docker 28's direct-access protection and bridge
/// isolation). An internal network's traffic stays on its bridge.
fn forward_rules(rules: &Ruleset) -> Vec<Rule> {
    use MetaKey::{Iifname, Oifname};
    use Operator::{Equal as Eq, NotEqual as Ne};
    let mut out = Vec::new();
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
    out
}
