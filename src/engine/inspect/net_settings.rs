//! A container's `NetworkSettings`: its endpoint on each network (address,
//! gateway, MAC while it runs) and its published ports.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::host_config::PortBinding;
use super::omitempty;
use crate::network::{endpoint_id, DEFAULT_NETWORK};
use crate::state::container::Container;
use crate::state::network::{Endpoint, Network};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkSettings {
    pub bridge: String,
    #[serde(rename = "SandboxID")]
    pub sandbox_id: String,
    pub sandbox_key: String,
    /// Exposed but unpublished ports map to null (while running).
    pub ports: BTreeMap<String, Option<Vec<PortBinding>>>,
    pub hairpin_mode: bool,
    #[serde(rename = "LinkLocalIPv6Address")]
    pub link_local_ipv6_address: String,
    #[serde(rename = "LinkLocalIPv6PrefixLen")]
    pub link_local_ipv6_prefix_len: u8,
    #[serde(rename = "SecondaryIPAddresses")]
    pub secondary_ip_addresses: Option<Vec<Value>>,
    #[serde(rename = "SecondaryIPv6Addresses")]
    pub secondary_ipv6_addresses: Option<Vec<Value>>,
    /// docker's deprecated top-level copy of the default bridge's entry.
    #[serde(flatten)]
    pub default: DefaultNetworkSettings,
    pub networks: BTreeMap<String, EndpointSettings>,
}

#[derive(Debug, Default, Serialize)]
pub struct DefaultNetworkSettings {
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    #[serde(rename = "Gateway")]
    pub gateway: String,
    #[serde(rename = "GlobalIPv6Address")]
    pub global_ipv6_address: String,
    #[serde(rename = "GlobalIPv6PrefixLen")]
    pub global_ipv6_prefix_len: u8,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(rename = "IPPrefixLen")]
    pub ip_prefix_len: u8,
    #[serde(rename = "IPv6Gateway")]
    pub ipv6_gateway: String,
    #[serde(rename = "MacAddress")]
    pub mac_address: String,
}

/// One network's entry (`network.EndpointSettings`).
#[derive(Debug, Default, Clone, Serialize)]
pub struct EndpointSettings {
    #[serde(rename = "IPAMConfig")]
    pub ipam_config: Option<EndpointIpam>,
    #[serde(rename = "Links")]
    pub links: Option<Vec<String>>,
    #[serde(rename = "Aliases")]
    pub aliases: Option<Vec<String>>,
    #[serde(rename = "MacAddress")]
    pub mac_address: String,
    #[serde(rename = "DriverOpts")]
    pub driver_opts: Option<BTreeMap<String, String>>,
    #[serde(rename = "GwPriority")]
    pub gw_priority: i32,
    #[serde(rename = "NetworkID")]
    pub network_id: String,
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    #[serde(rename = "Gateway")]
    pub gateway: String,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(rename = "IPPrefixLen")]
    pub ip_prefix_len: u8,
    #[serde(rename = "IPv6Gateway")]
    pub ipv6_gateway: String,
    #[serde(rename = "GlobalIPv6Address")]
    pub global_ipv6_address: String,
    #[serde(rename = "GlobalIPv6PrefixLen")]
    pub global_ipv6_prefix_len: u8,
    #[serde(rename = "DNSNames")]
    pub dns_names: Option<Vec<String>>,
}

/// `--ip` (`network.EndpointIPAMConfig`).
#[derive(Debug, Clone, Serialize)]
pub struct EndpointIpam {
    #[serde(rename = "IPv4Address", skip_serializing_if = "omitempty")]
    pub ipv4_address: String,
}

/// The published ports while running: each exposed port (null when not
/// published), then the host sides chosen at start.
fn ports(c: &Container) -> BTreeMap<String, Option<Vec<PortBinding>>> {
    let mut ports = BTreeMap::new();
    if !c.state.is_running() {
        return ports;
    }
    for key in c
        .config
        .config
        .exposed_ports
        .iter()
        .flatten()
        .map(|(k, _)| k)
    {
        ports.insert(key.clone(), None);
    }
    for b in &c.state.ports {
        let key = format!("{}/{}", b.container_port, b.proto.as_str());
        ports
            .entry(key)
            .or_insert(None)
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: b.host_ip.map_or("0.0.0.0".to_string(), |i| i.to_string()),
                host_port: b.host_port.to_string(),
            });
    }
    ports
}

/// docker's DNS names on a user network: name, aliases, short id,
/// hostname, each once.
fn dns_names(c: &Container, e: &Endpoint) -> Vec<String> {
    let mut v = vec![c.name().to_owned()];
    v.extend(e.aliases.iter().cloned());
    v.push(c.id()[..12].to_owned());
    v.push(c.config.config.hostname.clone());
    let mut seen = std::collections::HashSet::new();
    v.retain(|n| !n.is_empty() && seen.insert(n.clone()));
    v
}

/// One network's entry: what was asked for, and the addresses while it
/// runs.
fn entry(c: &Container, n: &Network, e: &Endpoint, primary: bool) -> EndpointSettings {
    let asked = &c.config.net;
    let configured = EndpointSettings {
        ipam_config: asked.ip.filter(|_| primary).map(|ip| EndpointIpam {
            ipv4_address: ip.to_string(),
        }),
        aliases: (!e.aliases.is_empty()).then(|| e.aliases.clone()),
        // `--mac-address`, until it runs.
        mac_address: asked.mac.clone().filter(|_| primary).unwrap_or_default(),
        network_id: n.id.clone(),
        dns_names: n.dns.then(|| dns_names(c, e)),
        ..EndpointSettings::default()
    };
    if !c.state.is_running() {
        return configured;
    }
    EndpointSettings {
        mac_address: e.mac.clone(),
        endpoint_id: endpoint_id(&n.id, c.id()),
        gateway: n.gateway.to_string(),
        ip_address: e.ip.to_string(),
        ip_prefix_len: n.subnet.prefix_len(),
        ..configured
    }
}

/// `networks`: every stored network; `mode_id`: the id of `host`/`none`.
pub fn build(c: &Container, networks: &[Network], mode_id: &str) -> NetworkSettings {
    let running = c.state.is_running();
    let mode = &c.config.host_config.network_mode;
    let mut entries = BTreeMap::new();
    for n in networks {
        if let Some(e) = n.endpoints.get(c.id()) {
            entries.insert(n.name.clone(), entry(c, n, e, n.name == *mode));
        }
    }
    if matches!(mode.as_str(), "host" | "none") {
        let endpoint = if running {
            endpoint_id(mode_id, c.id())
        } else {
            String::new()
        };
        entries.insert(
            mode.clone(),
            EndpointSettings {
                network_id: mode_id.to_owned(),
                endpoint_id: endpoint,
                ..EndpointSettings::default()
            },
        );
    }
    // The deprecated top-level fields copy the default bridge's entry,
    // whichever network the container was created on.
    let default = match entries.get(DEFAULT_NETWORK) {
        Some(e) => DefaultNetworkSettings {
            endpoint_id: e.endpoint_id.clone(),
            gateway: e.gateway.clone(),
            ip_address: e.ip_address.clone(),
            ip_prefix_len: e.ip_prefix_len,
            mac_address: e.mac_address.clone(),
            ..DefaultNetworkSettings::default()
        },
        None => DefaultNetworkSettings::default(),
    };
    NetworkSettings {
        bridge: String::new(),
        sandbox_id: String::new(),
        sandbox_key: if running {
            format!("/proc/{}/ns/net", c.state.pid)
        } else {
            String::new()
        },
        ports: ports(c),
        hairpin_mode: false,
        link_local_ipv6_address: String::new(),
        link_local_ipv6_prefix_len: 0,
        secondary_ip_addresses: None,
        secondary_ipv6_addresses: None,
        default,
        networks: entries,
    }
}
