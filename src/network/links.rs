//! `--link name[:alias]`, docker's legacy links: on the default bridge, a
//! hosts entry for the linked container and variables describing it
//! (`ALIAS_NAME`, `ALIAS_PORT_...` for its exposed ports, `ALIAS_ENV_...`
//! for its environment); on a user network, only a name its DNS answers
//! for this container. Compared with docker 20.10.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::ports::Proto;
use crate::error::{Error, Result};

/// One `--link`, as stored in the container's config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The linked container's name (as resolved at create on the default
    /// bridge; as given on a user network).
    pub name: String,
    pub alias: String,
    /// Its id, resolved at create on the default bridge; empty on a user
    /// network, where docker does not check that it exists.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
}

impl Link {
    /// `HostConfig.Links`' form: `/<linked>:/<this container>/<alias>`.
    pub fn docker_form(&self, own_name: &str) -> String {
        format!("/{}:/{own_name}/{}", self.name, self.alias)
    }
}

/// `--link name[:alias]` (the alias defaults to the name).
pub fn parse_link(s: &str) -> Result<Link> {
    let (name, alias) = s.split_once(':').unwrap_or((s, s));
    let name = name.trim_start_matches('/');
    let alias = alias.trim_start_matches('/');
    if name.is_empty() || alias.is_empty() || alias.contains([':', '/']) {
        return Err(Error::InvalidArgument(format!(
            "invalid argument {s:?} for \"--link\" flag: expected name[:alias]"
        )));
    }
    Ok(Link {
        name: name.to_owned(),
        alias: alias.to_owned(),
        id: String::new(),
    })
}

/// What a linked container is at the linking container's start.
pub struct Linked<'a> {
    pub link: &'a Link,
    pub id: &'a str,
    pub ip: Ipv4Addr,
    /// Its exposed ports.
    pub ports: Vec<(u16, Proto)>,
    /// Its environment (`KEY=value`).
    pub env: &'a [String],
}

/// The `/etc/hosts` entry: its address, then alias, short id and name
/// (each once), as docker writes it.
pub fn hosts_entry(l: &Linked) -> (String, String) {
    let mut names: Vec<&str> = vec![&l.link.alias];
    for n in [&l.id[..12.min(l.id.len())], l.link.name.as_str()] {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    (names.join(" "), l.ip.to_string())
}

/// docker's variables for a link of container `own_name`.
pub fn env(own_name: &str, l: &Linked) -> Vec<String> {
    let alias = l.link.alias.to_ascii_uppercase().replace('-', "_");
    let ip = l.ip;
    let mut ports = l.ports.clone();
    // By number, TCP first (docker's nat.Sort with TCP priority).
    ports.sort_by_key(|(p, proto)| (*p, *proto != Proto::Tcp));
    ports.dedup();
    let mut out = Vec::new();
    if let Some((p, proto)) = ports.first() {
        out.push(format!("{alias}_PORT={}://{ip}:{p}", proto.as_str()));
    }
    let mut start = 0;
    for (i, (p, proto)) in ports.iter().enumerate() {
        let (pr, up) = (proto.as_str(), proto.as_str().to_ascii_uppercase());
        let prefix = format!("{alias}_PORT_{p}_{up}");
        out.push(format!("{prefix}={pr}://{ip}:{p}"));
        out.push(format!("{prefix}_ADDR={ip}"));
        out.push(format!("{prefix}_PORT={p}"));
        out.push(format!("{prefix}_PROTO={pr}"));
        // The end of a run of consecutive ports of one protocol.
        let next = ports.get(i + 1);
        if next.is_some_and(|(q, qp)| *q == p + 1 && qp == proto) {
            continue;
        }
        let (first, _) = ports[start];
        if first != *p {
            let prefix = format!("{alias}_PORT_{first}_{up}");
            out.push(format!("{prefix}_START={pr}://{ip}:{first}"));
            out.push(format!("{prefix}_PORT_START={first}"));
            out.push(format!("{prefix}_END={pr}://{ip}:{p}"));
            out.push(format!("{prefix}_PORT_END={p}"));
        }
        start = i + 1;
    }
    out.push(format!("{alias}_NAME=/{own_name}/{}", l.link.alias));
    for kv in l.env {
        let Some((k, v)) = kv.split_once('=') else {
            continue;
        };
        // docker leaves these out: set by builds, of no use to a peer.
        if k != "HOME" && k != "PATH" {
            out.push(format!("{alias}_ENV_{k}={v}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked<'a>(link: &'a Link, env: &'a [String], ports: Vec<(u16, Proto)>) -> Linked<'a> {
        Linked {
            link,
            id: "3c73f3f1397e0123456789abcdef",
            ip: "172.17.0.4".parse().unwrap(),
            ports,
            env,
        }
    }

    #[test]
    fn parsing() {
        let l = parse_link("db:d").unwrap();
        assert_eq!((l.name.as_str(), l.alias.as_str()), ("db", "d"));
        let l = parse_link("/db").unwrap();
        assert_eq!((l.name.as_str(), l.alias.as_str()), ("db", "db"));
        assert!(parse_link(":d").is_err());
        assert!(parse_link("db:").is_err());
        assert!(parse_link("db:a:b").is_err());
        assert_eq!(l.docker_form("c"), "/db:/c/db");
    }

    /// As the peer docker 20.10 printed them (sorted here).
    #[test]
    fn variables_as_docker_sets_them() {
        let link = parse_link("nd-db:d").unwrap();
        let env = vec![
            "PATH=/usr/bin".to_string(),
            "FOO=bar".into(),
            "PATH2=x".into(),
        ];
        let l = linked(&link, &env, vec![(5432, Proto::Tcp), (53, Proto::Udp)]);
        let mut got = super::env("festive_dewdney", &l);
        got.sort();
        assert_eq!(
            got,
            [
                "D_ENV_FOO=bar",
                "D_ENV_PATH2=x",
                "D_NAME=/festive_dewdney/d",
                "D_PORT=udp://172.17.0.4:53",
                "D_PORT_53_UDP=udp://172.17.0.4:53",
                "D_PORT_53_UDP_ADDR=172.17.0.4",
                "D_PORT_53_UDP_PORT=53",
                "D_PORT_53_UDP_PROTO=udp",
                "D_PORT_5432_TCP=tcp://172.17.0.4:5432",
                "D_PORT_5432_TCP_ADDR=172.17.0.4",
                "D_PORT_5432_TCP_PORT=5432",
                "D_PORT_5432_TCP_PROTO=tcp",
            ]
        );
        assert_eq!(
            hosts_entry(&l),
            ("d 3c73f3f1397e nd-db".into(), "172.17.0.4".into())
        );
    }

    #[test]
    fn a_run_of_ports_gets_start_and_end() {
        let link = parse_link("nd-db2:my-d").unwrap();
        let ports = vec![
            (8080, Proto::Tcp),
            (80, Proto::Tcp),
            (81, Proto::Tcp),
            (82, Proto::Tcp),
        ];
        let l = linked(&link, &[], ports);
        let got = super::env("c", &l);
        assert_eq!(got[0], "MY_D_PORT=tcp://172.17.0.4:80");
        for want in [
            "MY_D_PORT_80_TCP_START=tcp://172.17.0.4:80",
            "MY_D_PORT_80_TCP_PORT_START=80",
            "MY_D_PORT_80_TCP_END=tcp://172.17.0.4:82",
            "MY_D_PORT_80_TCP_PORT_END=82",
            "MY_D_PORT_8080_TCP_PORT=8080",
            "MY_D_NAME=/c/my-d",
        ] {
            assert!(got.iter().any(|g| g == want), "{want} in {got:?}");
        }
        assert!(!got
            .iter()
            .any(|g| g.starts_with("MY_D_PORT_8080_TCP_START")));
        assert_eq!(got.len(), 1 + 4 * 4 + 4 + 1);
        let link = parse_link("nd-db").unwrap();
        let l = linked(&link, &[], vec![]);
        assert_eq!(
            hosts_entry(&l),
            ("nd-db 3c73f3f1397e".into(), "172.17.0.4".into())
        );
    }
}
