//! A container's networking, the mechanics: addresses (`ipam`), the
//! drivers that wire it (`driver`), netlink, the nftables firewall, the
//! embedded DNS server, published ports, `--link`s, and the files a
//! container gets (`/etc/hosts`, `/etc/resolv.conf`). The stored records
//! (networks and their endpoints) are in [`crate::state::network`].
//!
//! `bridge` (docker's default network) is created on first use; `host` and
//! `none` are not stored: they are modes, listed by `network ls`.

pub mod dns;
pub mod driver;
pub mod firewall;
pub mod ipam;
pub mod links;
pub mod netlink;
pub mod pasta;
pub mod portfwd;
pub mod ports;
pub mod routes;

use std::net::Ipv4Addr;

use crate::error::{Error, Result};
use crate::state::container::NetRequest;

/// docker's default network.
pub const DEFAULT_NETWORK: &str = "bridge";
/// Its bridge device.
pub const DEFAULT_BRIDGE: &str = "skiff0";
/// Networks that are modes rather than stored objects, with their drivers.
pub const PREDEFINED: [(&str, &str); 3] =
    [("bridge", "bridge"), ("host", "host"), ("none", "null")];

/// A container's endpoint id on a network (docker shows one in both
/// `inspect`s): stable, derived from the two ids.
pub fn endpoint_id(network_id: &str, container_id: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::state::ids::hex(&Sha256::digest(
        format!("{network_id}{container_id}").as_bytes(),
    ))
}

/// `--add-host name:ip` or `name=ip`; `ip` is an address or `host-gateway`.
pub fn parse_add_host(s: &str) -> Result<(String, String)> {
    let bad = |why: &str| {
        Error::InvalidArgument(format!(
            "invalid argument {s:?} for \"--add-host\" flag: {why}"
        ))
    };
    let (name, ip) = s
        .split_once('=')
        .or_else(|| s.split_once(':'))
        .ok_or_else(|| bad("expected host:ip"))?;
    if name.is_empty() {
        return Err(bad("no host name"));
    }
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    if ip != "host-gateway" && ip.parse::<std::net::IpAddr>().is_err() {
        return Err(bad(&format!("invalid IP address in add-host: {ip:?}")));
    }
    Ok((name.to_owned(), ip.to_owned()))
}

/// `/etc/resolv.conf` for a container: the host's, with `--dns`,
/// `--dns-search` and `--dns-option` replacing its parts (as docker does);
/// `nameserver` lines pointing at the host's loopback are useless in a
/// container's own network namespace, so they are dropped.
pub fn resolv_conf(host: &str, req: &NetRequest, own_netns: bool) -> String {
    let mut ns: Vec<String> = Vec::new();
    let mut search: Vec<String> = Vec::new();
    let mut options: Vec<String> = Vec::new();
    for line in host.lines() {
        let mut f = line.split_whitespace();
        match f.next() {
            Some("nameserver") => {
                if let Some(a) = f.next() {
                    let local = a
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback());
                    if !(own_netns && local) {
                        ns.push(a.to_owned());
                    }
                }
            }
            Some("search") | Some("domain") => search = f.map(str::to_owned).collect(),
            Some("options") => options.extend(f.map(str::to_owned)),
            _ => {}
        }
    }
    if !req.dns.is_empty() {
        ns = req.dns.iter().map(|a| a.to_string()).collect();
    }
    if !req.dns_search.is_empty() {
        search = req
            .dns_search
            .iter()
            .filter(|s| *s != ".")
            .cloned()
            .collect();
    }
    if !req.dns_options.is_empty() {
        options = req.dns_options.clone();
    }
    let mut out = String::new();
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    for a in ns {
        out.push_str(&format!("nameserver {a}\n"));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

/// `/etc/resolv.conf` on a network with DNS (user networks): the
/// container's monitor answers at 127.0.0.11; search domains and options
/// as [`resolv_conf`] would have them, plus docker's `ndots:0`.
pub fn resolv_conf_embedded(host: &str, req: &NetRequest) -> String {
    let plain = resolv_conf(host, req, true);
    let mut out = String::new();
    let mut options = Vec::new();
    for line in plain.lines() {
        if line.starts_with("search ") {
            out.push_str(line);
            out.push('\n');
        } else if let Some(o) = line.strip_prefix("options ") {
            options.extend(o.split_whitespace().map(str::to_owned));
        }
    }
    out.push_str("nameserver 127.0.0.11\n");
    if !options.iter().any(|o| o.starts_with("ndots:")) {
        options.push("ndots:0".into());
    }
    out.push_str(&format!("options {}\n", options.join(" ")));
    out
}

/// `/etc/hosts` for a container: localhost, its own name (at its address
/// on a network, else 127.0.1.1), and `--add-host` entries.
pub fn hosts_file(
    hostname: &str,
    own_ip: Option<Ipv4Addr>,
    extra: &[(String, String)],
    gateway: Option<Ipv4Addr>,
) -> String {
    let mut out = String::from(
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
    );
    for (name, ip) in extra {
        let ip = if ip == "host-gateway" {
            gateway.map_or_else(|| "127.0.0.1".to_owned(), |g| g.to_string())
        } else {
            ip.clone()
        };
        out.push_str(&format!("{ip}\t{name}\n"));
    }
    match own_ip {
        Some(ip) => out.push_str(&format!("{ip}\t{hostname}\n")),
        None => out.push_str(&format!("127.0.1.1\t{hostname}\n")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_overrides() {
        let host = "# made by hand\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0\n";
        let plain = resolv_conf(host, &NetRequest::default(), true);
        assert_eq!(
            plain,
            "search corp.example\nnameserver 10.0.0.2\noptions edns0\n"
        );
        assert!(resolv_conf(host, &NetRequest::default(), false).contains("127.0.0.53"));
        let req = NetRequest {
            dns: vec!["10.9.9.9".parse().unwrap()],
            dns_search: vec!["a.test".into(), "b.test".into()],
            dns_options: vec!["ndots:2".into()],
            ..Default::default()
        };
        assert_eq!(
            resolv_conf(host, &req, true),
            "search a.test b.test\nnameserver 10.9.9.9\noptions ndots:2\n"
        );
    }

    #[test]
    fn add_host_and_hosts_file() {
        assert_eq!(
            parse_add_host("db:10.1.2.3").unwrap(),
            ("db".into(), "10.1.2.3".into())
        );
        assert_eq!(parse_add_host("db=10.1.2.3").unwrap().1, "10.1.2.3");
        assert_eq!(parse_add_host("gw:host-gateway").unwrap().1, "host-gateway");
        for bad in ["nocolon", ":1.2.3.4", "db:notanip"] {
            let e = parse_add_host(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
        let h = hosts_file(
            "box",
            Some("10.1.0.2".parse().unwrap()),
            &[
                ("db".into(), "10.1.2.3".into()),
                ("gw".into(), "host-gateway".into()),
            ],
            Some("10.1.0.1".parse().unwrap()),
        );
        assert!(h.starts_with("127.0.0.1\tlocalhost\n"));
        assert!(
            h.contains("10.1.2.3\tdb\n10.1.0.1\tgw\n10.1.0.2\tbox\n"),
            "{h}"
        );
        assert!(hosts_file("box", None, &[], None).ends_with("127.0.1.1\tbox\n"));
    }
}
