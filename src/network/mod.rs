//! Networks on disk: one JSON file per network (`<root>/networks/<name>.json`)
//! holding its config and its endpoints (the IPAM state and the DNS
//! membership), written under the network's own lock.
//!
//! `bridge` (docker's default network) is created on first use; `host` and
//! `none` are not stored: they are modes, listed by `network ls`.

pub mod dns;
pub mod driver;
pub mod firewall;
pub mod ipam;
pub mod links;
pub mod netlink;
pub mod ports;

use std::collections::BTreeMap;
use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::state::atomic;
use crate::state::lock::LockGuard;
use crate::util::time::UnixNanos;
use ports::{PortBinding, Proto};

/// docker's default network.
pub const DEFAULT_NETWORK: &str = "bridge";

/// A container's endpoint id on a network (docker shows one in both
/// `inspect`s): stable, derived from the two ids.
pub fn endpoint_id(network_id: &str, container_id: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::state::ids::hex(&Sha256::digest(
        format!("{network_id}{container_id}").as_bytes(),
    ))
}
/// Its bridge device.
pub const DEFAULT_BRIDGE: &str = "skiff0";
/// Networks that are modes rather than stored objects, with their drivers.
pub const PREDEFINED: [(&str, &str); 3] =
    [("bridge", "bridge"), ("host", "host"), ("none", "null")];

/// What a container asks of the network, from `create`'s flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetRequest {
    /// `-p`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publish: Vec<PortBinding>,
    /// `-P`: every exposed port to a free host port.
    #[serde(default)]
    pub publish_all: bool,
    /// `--expose` (the image's ExposedPorts are added at create).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<(u16, Proto)>,
    /// `--ip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// `--mac-address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// `--network-alias`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `--dns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<std::net::IpAddr>,
    /// `--dns-search`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    /// `--dns-option`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_options: Vec<String>,
    /// `--add-host name:ip` (ip may be `host-gateway`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_hosts: Vec<(String, String)>,
    /// `--link name[:alias]` (inspect's `HostConfig.Links`: each one's
    /// [`links::Link::docker_form`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<links::Link>,
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

/// A container's place on a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The container's name (for DNS and `network inspect`).
    pub name: String,
    pub ip: Ipv4Addr,
    pub mac: String,
    /// `--network-alias` names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// A stored network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub name: String,
    /// 64 hex digits.
    pub id: String,
    /// `bridge` or `macvlan`.
    pub driver: String,
    pub created: UnixNanos,
    pub subnet: Ipv4Net,
    pub gateway: Ipv4Addr,
    /// `--ip-range`: where addresses are taken from (within the subnet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_range: Option<Ipv4Net>,
    /// `--internal`: no route out (no NAT, no forwarding off the bridge).
    #[serde(default)]
    pub internal: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `-o key=value` driver options (`parent=` for macvlan).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// The bridge device, or the macvlan parent.
    pub interface: String,
    /// Whether containers on it resolve each other's names (user networks).
    #[serde(default)]
    pub dns: bool,
    /// Container id → endpoint.
    #[serde(default)]
    pub endpoints: BTreeMap<String, Endpoint>,
}

impl Network {
    /// The first 12 hex digits of the id.
    pub fn short_id(&self) -> &str {
        &self.id[..12]
    }

    /// [`Network::lookup`] among the endpoints `keep` accepts (running
    /// containers).
    pub fn lookup_where(&self, name: &str, keep: impl Fn(&str) -> bool) -> Vec<Ipv4Addr> {
        let mut trimmed = self.clone();
        trimmed.endpoints.retain(|id, _| keep(id));
        trimmed.lookup(name)
    }

    /// The names the network's DNS answers for an endpoint: container
    /// name, short id, aliases.
    pub fn lookup(&self, name: &str) -> Vec<Ipv4Addr> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.endpoints
            .iter()
            .filter(|(id, e)| {
                e.name.eq_ignore_ascii_case(&name)
                    || (name.len() >= 12 && id.starts_with(&name))
                    || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(&name))
            })
            .map(|(_, e)| e.ip)
            .collect()
    }
}

/// The networks directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkStore {
    dir: PathBuf,
}

impl NetworkStore {
    pub fn new(root: &Path) -> NetworkStore {
        NetworkStore {
            dir: root.join("networks"),
        }
    }

    fn ensure_dir(&self) -> Result<()> {
        fs::create_dir_all(&self.dir).ctx("creating", &self.dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// The lock guarding one network's file (endpoints, IPAM).
    pub fn lock(&self, name: &str) -> Result<LockGuard> {
        self.ensure_dir()?;
        LockGuard::exclusive(&self.dir.join(format!("{name}.lock")))
    }

    /// The short lock for creating and removing networks (names and
    /// subnets stay unique).
    pub fn lock_all(&self) -> Result<LockGuard> {
        self.ensure_dir()?;
        LockGuard::exclusive(&self.dir.join("networks.lock"))
    }

    pub fn load(&self, name: &str) -> Result<Option<Network>> {
        let path = self.path(name);
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| Error::Other(format!("reading {}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading", &path, e)),
        }
    }

    pub fn save(&self, n: &Network) -> Result<()> {
        self.ensure_dir()?;
        atomic::write_json(&self.path(&n.name), n)
    }

    pub fn remove(&self, name: &str) -> Result<()> {
        let path = self.path(name);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("removing", &path, e)),
        }
        let _ = fs::remove_file(self.dir.join(format!("{name}.lock")));
        Ok(())
    }

    /// Releases container `id`'s endpoint on network `name` (a mode such
    /// as `none` has none).
    pub fn release(&self, name: &str, id: &str) -> Result<()> {
        if matches!(name, "none" | "host" | "") || name.starts_with("container:") {
            return Ok(());
        }
        let _g = self.lock(name)?;
        if let Some(mut n) = self.load(name)? {
            if n.endpoints.remove(id).is_some() {
                self.save(&n)?;
            }
        }
        Ok(())
    }

    /// Every stored network, by name.
    pub fn list(&self) -> Result<Vec<Network>> {
        let mut out = Vec::new();
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io("reading", &self.dir, e)),
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if atomic::is_tmp(&name) {
                continue;
            }
            if let Some(stem) = name.strip_suffix(".json") {
                if let Some(n) = self.load(stem)? {
                    out.push(n);
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

/// docker's rule for network names.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A stored network for unit tests (this module's and the drivers').
#[cfg(test)]
pub(crate) fn test_network(name: &str) -> Network {
    Network {
        name: name.into(),
        id: "ab".repeat(32),
        driver: "bridge".into(),
        created: 0,
        subnet: "10.9.0.0/24".parse().unwrap(),
        gateway: "10.9.0.1".parse().unwrap(),
        ip_range: None,
        internal: false,
        labels: BTreeMap::new(),
        options: BTreeMap::new(),
        interface: "br-abababababab".into(),
        dns: true,
        endpoints: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_round_trip_and_listing() {
        let d = tempfile::tempdir().unwrap();
        let s = NetworkStore::new(d.path());
        assert!(s.list().unwrap().is_empty());
        assert_eq!(s.load("a").unwrap(), None);
        let mut a = test_network("a");
        a.endpoints.insert(
            "c1".repeat(32),
            Endpoint {
                name: "web".into(),
                ip: "10.9.0.2".parse().unwrap(),
                mac: "02:42:0a:09:00:02".into(),
                aliases: vec!["www".into()],
            },
        );
        s.save(&a).unwrap();
        s.save(&test_network("b")).unwrap();
        assert_eq!(s.load("a").unwrap().unwrap(), a);
        let names: Vec<String> = s.list().unwrap().into_iter().map(|n| n.name).collect();
        assert_eq!(names, ["a", "b"]);
        s.remove("a").unwrap();
        s.remove("a").unwrap();
        assert_eq!(s.list().unwrap().len(), 1);
    }

    #[test]
    fn lookup_by_name_alias_and_id() {
        let mut a = test_network("a");
        for (i, (name, alias)) in [("web1", "web"), ("web2", "web"), ("db", "store")]
            .iter()
            .enumerate()
        {
            a.endpoints.insert(
                format!("{i}").repeat(64),
                Endpoint {
                    name: (*name).into(),
                    ip: Ipv4Addr::new(10, 9, 0, 2 + i as u8),
                    mac: String::new(),
                    aliases: vec![(*alias).into()],
                },
            );
        }
        assert_eq!(
            a.lookup("WEB."),
            vec![Ipv4Addr::new(10, 9, 0, 2), Ipv4Addr::new(10, 9, 0, 3)]
        );
        assert_eq!(a.lookup("db"), vec![Ipv4Addr::new(10, 9, 0, 4)]);
        assert_eq!(a.lookup(&"2".repeat(12)), vec![Ipv4Addr::new(10, 9, 0, 4)]);
        assert!(a.lookup("nothing").is_empty());
    }

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

    #[test]
    fn names() {
        assert!(valid_name("my-net_1.x"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(""));
        assert!(!valid_name("a b"));
    }
}
