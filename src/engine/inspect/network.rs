//! `network inspect`: docker's `network.Inspect`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::omitempty;

use crate::engine::network::NetworkEntry;
use crate::network::{endpoint_id, DEFAULT_NETWORK};
use crate::util::time;

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInspect {
    pub name: String,
    #[serde(rename = "Id")]
    pub id: String,
    pub created: String,
    pub scope: String,
    pub driver: String,
    #[serde(rename = "EnableIPv4")]
    pub enable_ipv4: bool,
    #[serde(rename = "EnableIPv6")]
    pub enable_ipv6: bool,
    #[serde(rename = "IPAM")]
    pub ipam: Ipam,
    pub internal: bool,
    pub attachable: bool,
    pub ingress: bool,
    pub config_from: ConfigFrom,
    pub config_only: bool,
    pub containers: BTreeMap<String, EndpointResource>,
    pub options: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipam {
    pub driver: String,
    pub options: Option<BTreeMap<String, String>>,
    pub config: Vec<IpamPool>,
}

/// `network.IPAMConfig`: each field omitted when empty.
#[derive(Debug, Serialize)]
pub struct IpamPool {
    #[serde(rename = "Subnet", skip_serializing_if = "omitempty")]
    pub subnet: String,
    #[serde(rename = "IPRange", skip_serializing_if = "omitempty")]
    pub ip_range: String,
    #[serde(rename = "Gateway", skip_serializing_if = "omitempty")]
    pub gateway: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigFrom {
    pub network: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointResource {
    pub name: String,
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    pub mac_address: String,
    #[serde(rename = "IPv4Address")]
    pub ipv4_address: String,
    #[serde(rename = "IPv6Address")]
    pub ipv6_address: String,
}

/// `running`: whether a container (by id) runs; docker lists only the
/// containers whose endpoint is active.
pub fn build(e: &NetworkEntry, running: impl Fn(&str) -> bool) -> NetworkInspect {
    let mut n = NetworkInspect {
        name: e.name().to_owned(),
        id: e.id(),
        created: time::rfc3339_nano(e.created()),
        scope: "local".into(),
        driver: e.driver().to_owned(),
        enable_ipv4: false,
        enable_ipv6: false,
        ipam: Ipam {
            driver: "default".into(),
            options: None,
            config: Vec::new(),
        },
        internal: false,
        attachable: false,
        ingress: false,
        config_from: ConfigFrom {
            network: String::new(),
        },
        config_only: false,
        containers: BTreeMap::new(),
        options: BTreeMap::new(),
        labels: e.labels(),
    };
    let NetworkEntry::Stored(s) = e else {
        return n;
    };
    n.enable_ipv4 = true;
    // docker's predefined bridge has no IPAM options; a created network {}.
    n.ipam.options = (s.name != DEFAULT_NETWORK).then(BTreeMap::new);
    n.ipam.config.push(IpamPool {
        subnet: s.subnet.to_string(),
        ip_range: s.ip_range.map(|r| r.to_string()).unwrap_or_default(),
        gateway: if s.gateway_unset {
            String::new()
        } else {
            s.gateway.to_string()
        },
    });
    n.internal = s.internal;
    n.options = s.options.clone();
    n.containers = s
        .endpoints
        .iter()
        .filter(|(id, _)| running(id))
        .map(|(id, ep)| {
            let r = EndpointResource {
                name: ep.name.clone(),
                endpoint_id: endpoint_id(&s.id, id),
                mac_address: ep.mac.clone(),
                ipv4_address: format!("{}/{}", ep.ip, s.subnet.prefix_len()),
                ipv6_address: String::new(),
            };
            (id.clone(), r)
        })
        .collect();
    n
}
