//! The host's resolvers, from resolv.conf.

use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV6};

use super::EMBEDDED;

/// The nameservers of a resolv.conf text (IPv4/IPv6 `nameserver` lines, port 53 unless
/// written as `addr:port` / `[addr]:port`), skipping 127.0.0.11 itself and duplicates.
pub fn parse_resolv_conf(text: &str) -> Vec<SocketAddr> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split(['#', ';']).next().unwrap_or_default();
        let mut words = line.split_whitespace();
        if words.next() != Some("nameserver") {
            continue;
        }
        let Some(addr) = words.next().and_then(parse_nameserver) else {
            continue;
        };
        if addr.ip() != IpAddr::V4(EMBEDDED) && !out.contains(&addr) {
            out.push(addr);
        }
    }
    out
}

fn parse_nameserver(word: &str) -> Option<SocketAddr> {
    if let Ok(ip) = word.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, 53));
    }
    if let Ok(addr) = word.parse::<SocketAddr>() {
        return Some(addr);
    }
    // IPv6 with a numeric zone, e.g. fe80::1%2 (interface names are not resolved here).
    let (ip, zone) = word.split_once('%')?;
    let ip: Ipv6Addr = ip.parse().ok()?;
    let scope = zone.parse().ok()?;
    Some(SocketAddr::V6(SocketAddrV6::new(ip, 53, 0, scope)))
}
