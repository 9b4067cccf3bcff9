//! Address management: subnets from docker's default pools, addresses
//! handed out lowest-free first, and the host's own routes as no-go areas.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::error::{Error, Result};
use crate::state::network::Network;

/// Whether two subnets share any address.
pub fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// docker's default address pools: 172.17.0.0/16 … 172.31.0.0/16, then
/// 192.168.0.0/16 cut into /20s. The first one clear of `taken`.
pub fn pick_subnet(taken: &[Ipv4Net]) -> Option<Ipv4Net> {
    let sixteens = (17..=31u8).map(|b| Ipv4Net::new(Ipv4Addr::new(172, b, 0, 0), 16).ok());
    let twenties = (0..16u8).map(|k| Ipv4Net::new(Ipv4Addr::new(192, 168, k * 16, 0), 20).ok());
    sixteens
        .chain(twenties)
        .flatten()
        .find(|c| !taken.iter().any(|t| overlaps(c, t)))
}

/// The host's IPv4 routes other than the default one (`/proc/net/route`):
/// a new network must not overlap them.
pub fn host_routes() -> Vec<Ipv4Net> {
    std::fs::read_to_string("/proc/net/route")
        .map(|t| parse_proc_route(&t))
        .unwrap_or_default()
}

/// The host's routes through its default route's interface: all that
/// pasta copies into a rootless netns (`--config-net`), so all a rootless
/// network must not overlap.
pub fn default_interface_routes() -> Vec<Ipv4Net> {
    std::fs::read_to_string("/proc/net/route")
        .map(|t| parse_default_interface_routes(&t))
        .unwrap_or_default()
}

fn parse_default_interface_routes(text: &str) -> Vec<Ipv4Net> {
    let field = |l: &str, i: usize| l.split_whitespace().nth(i).map(str::to_owned);
    let Some(dev) = text
        .lines()
        .skip(1)
        .find(|l| {
            field(l, 1).as_deref() == Some("00000000") && field(l, 7).as_deref() == Some("00000000")
        })
        .and_then(|l| field(l, 0))
    else {
        return Vec::new();
    };
    let mine: String = std::iter::once(text.lines().next().unwrap_or(""))
        .chain(
            text.lines()
                .skip(1)
                .filter(|l| field(l, 0).as_deref() == Some(dev.as_str())),
        )
        .map(|l| format!("{l}\n"))
        .collect();
    parse_proc_route(&mine)
}

fn parse_proc_route(text: &str) -> Vec<Ipv4Net> {
    let addr = |h: &str| {
        u32::from_str_radix(h, 16)
            .ok()
            .map(|v| Ipv4Addr::from(v.swap_bytes()))
    };
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (dest, mask) = (addr(f.get(1)?)?, addr(f.get(7)?)?);
            let prefix = u32::from(mask).leading_ones() as u8;
            (prefix > 0)
                .then(|| Ipv4Net::new(dest, prefix).ok())
                .flatten()
        })
        .collect()
}

/// The gateway docker gives a subnet: its first address.
pub fn first_host(subnet: &Ipv4Net) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(subnet.network()) + 1)
}

/// An address for a new endpoint on `n`: `want` if free and valid, else
/// the lowest free one of the range (or subnet).
pub fn allocate(n: &Network, want: Option<Ipv4Addr>) -> Result<Ipv4Addr> {
    let used = |ip: Ipv4Addr| {
        ip == n.gateway
            || ip == n.subnet.network()
            || ip == n.subnet.broadcast()
            || n.endpoints.values().any(|e| e.ip == ip)
    };
    if let Some(ip) = want {
        if !n.subnet.contains(&ip) {
            return Err(Error::InvalidArgument(format!(
                "no configured subnet or ip-range contain the IP address {ip}"
            )));
        }
        if used(ip) {
            return Err(Error::Conflict(format!("Address already in use: {ip}")));
        }
        return Ok(ip);
    }
    let range = n.ip_range.unwrap_or(n.subnet);
    let (lo, hi) = (u32::from(range.network()), u32::from(range.broadcast()));
    (lo..=hi)
        .map(Ipv4Addr::from)
        .find(|&ip| !used(ip))
        .ok_or_else(|| {
            Error::Conflict(format!(
                "no available IPv4 addresses on this network's address pools: {} ({})",
                n.name, n.id
            ))
        })
}

/// docker's MAC for an address: 02:42 and the four address bytes.
pub fn mac_for(ip: Ipv4Addr) -> String {
    let o = ip.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::network::Endpoint;
    use std::collections::BTreeMap;

    fn net(subnet: &str, range: Option<&str>) -> Network {
        let subnet: Ipv4Net = subnet.parse().unwrap();
        Network {
            name: "n".into(),
            id: "0".repeat(64),
            driver: "bridge".into(),
            created: 0,
            subnet,
            gateway: first_host(&subnet),
            gateway_unset: false,
            ip_range: range.map(|r| r.parse().unwrap()),
            internal: false,
            labels: BTreeMap::new(),
            options: BTreeMap::new(),
            interface: "x".into(),
            dns: false,
            endpoints: BTreeMap::new(),
        }
    }

    fn take(n: &mut Network, ip: Ipv4Addr) {
        let id = format!("{:064}", n.endpoints.len());
        n.endpoints.insert(
            id,
            Endpoint {
                name: String::new(),
                ip,
                mac: mac_for(ip),
                aliases: vec![],
            },
        );
    }

    #[test]
    fn lowest_free_first_and_reuse_after_release() {
        let mut n = net("10.1.0.0/29", None);
        let mut got = Vec::new();
        for _ in 0..5 {
            let ip = allocate(&n, None).unwrap();
            take(&mut n, ip);
            got.push(ip.to_string());
        }
        assert_eq!(
            got,
            ["10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6"]
        );
        let e = allocate(&n, None).unwrap_err().to_string();
        assert!(e.contains("no available IPv4 addresses"), "{e}");
        let first = n.endpoints.keys().next().unwrap().clone();
        n.endpoints.remove(&first);
        assert_eq!(allocate(&n, None).unwrap().to_string(), "10.1.0.2");
    }

    #[test]
    fn requested_addresses_and_ranges() {
        let mut n = net("10.1.0.0/24", Some("10.1.0.128/25"));
        assert_eq!(allocate(&n, None).unwrap().to_string(), "10.1.0.128");
        let want: Ipv4Addr = "10.1.0.9".parse().unwrap();
        assert_eq!(allocate(&n, Some(want)).unwrap(), want);
        take(&mut n, want);
        assert!(allocate(&n, Some(want))
            .unwrap_err()
            .to_string()
            .contains("already in use"));
        assert!(
            allocate(&n, Some("10.1.0.1".parse().unwrap())).is_err(),
            "the gateway"
        );
        assert!(allocate(&n, Some("10.2.0.1".parse().unwrap()))
            .unwrap_err()
            .to_string()
            .contains("10.2.0.1"));
    }

    #[test]
    fn pools_skip_what_is_taken() {
        assert_eq!(pick_subnet(&[]).unwrap().to_string(), "172.17.0.0/16");
        let taken: Vec<Ipv4Net> = vec![
            "172.17.5.0/24".parse().unwrap(),
            "172.18.0.0/16".parse().unwrap(),
        ];
        assert_eq!(pick_subnet(&taken).unwrap().to_string(), "172.19.0.0/16");
        let all: Vec<Ipv4Net> = vec!["172.16.0.0/12".parse().unwrap()];
        assert_eq!(pick_subnet(&all).unwrap().to_string(), "192.168.0.0/20");
    }

    #[test]
    fn proc_net_route() {
        let text =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n\
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        let r: Vec<String> = parse_proc_route(text)
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(r, ["10.0.0.0/24", "172.17.0.0/16"]);
        // A rootless netns has only the default interface's routes.
        let r: Vec<String> = parse_default_interface_routes(text)
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(r, ["10.0.0.0/24"]);
        assert!(parse_default_interface_routes("Iface\n").is_empty());
    }

    #[test]
    fn macs_like_docker() {
        assert_eq!(mac_for("172.17.0.2".parse().unwrap()), "02:42:ac:11:00:02");
        assert!(overlaps(
            &"10.0.0.0/8".parse().unwrap(),
            &"10.1.0.0/16".parse().unwrap()
        ));
        assert!(!overlaps(
            &"10.0.0.0/16".parse().unwrap(),
            &"10.1.0.0/16".parse().unwrap()
        ));
    }
}
