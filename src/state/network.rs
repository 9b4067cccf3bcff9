//! Networks on disk: one JSON file per network (`<root>/networks/<name>.json`)
//! holding its config and its endpoints (the IPAM state and the DNS
//! membership), written under the network's own lock.
//! ```text
//! <root>/networks/<name>.json     Network, with its endpoints
//! <root>/networks/<name>.lock     flock guarding that file
//! <root>/networks/networks.lock   flock for creating and removing networks
//! ```
//! `host` and `none` are modes, not stored; the mechanics (addresses,
//! links, rules) are in `crate::network`.

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
    /// A `--subnet` given without `--gateway`: docker's IPAM config then
    /// shows no Gateway (the address is still the subnet's first host).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gateway_unset: bool,
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
        gateway_unset: false,
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
    fn names() {
        assert!(valid_name("my-net_1.x"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(""));
        assert!(!valid_name("a b"));
    }
}
