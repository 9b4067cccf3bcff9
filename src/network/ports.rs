//! Published ports: docker's `-p [ip:][hostPort:]containerPort[/proto]`
//! syntax (with ranges), and its output forms (`ps`, `port`).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One published port. `host_port` 0 means "any free port", chosen at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PortBinding {
    /// `None`: every host address (docker shows `0.0.0.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<Ipv4Addr>,
    pub host_port: u16,
    pub container_port: u16,
    pub proto: Proto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }

    fn parse(s: &str, spec: &str) -> Result<Proto> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" | "" => Ok(Proto::Tcp),
            "udp" => Ok(Proto::Udp),
            _ => Err(bad(spec, &format!("unsupported protocol {s:?}"))),
        }
    }
}

fn bad(spec: &str, why: &str) -> Error {
    Error::InvalidArgument(format!(
        "invalid argument {spec:?} for \"-p, --publish\" flag: {why}"
    ))
}

/// `80`, `8000-8010`: an inclusive range (a single port is a range of one).
fn port_range(s: &str, spec: &str) -> Result<(u16, u16)> {
    let num = |p: &str| -> Result<u16> {
        p.parse::<u16>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| bad(spec, &format!("invalid port {p:?}")))
    };
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if b < a {
                return Err(bad(spec, &format!("invalid range {s:?}")));
            }
            Ok((a, b))
        }
        None => {
            let n = num(s)?;
            Ok((n, n))
        }
    }
}

/// One `-p` value, ranges expanded.
pub fn parse_publish(spec: &str) -> Result<Vec<PortBinding>> {
    let (rest, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, Proto::parse(p, spec)?),
        None => (spec, Proto::Tcp),
    };
    // ip:host:container | host:container | container  (ip may be [v6], refused)
    let parts: Vec<&str> = rest.rsplitn(3, ':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => (None, None, *c),
        [c, h] => (None, Some(*h), *c),
        [c, h, ip] => (Some(*ip), Some(*h), *c),
        _ => return Err(bad(spec, "too many colons")),
    };
    let host_ip = match ip {
        None | Some("") | Some("0.0.0.0") => None,
        Some(ip) => Some(
            ip.parse::<Ipv4Addr>()
                .map_err(|_| bad(spec, &format!("invalid IPv4 address {ip:?}")))?,
        ),
    };
    let (c_lo, c_hi) = port_range(container, spec)?;
    let host = match host {
        None | Some("") => None,
        Some(h) => Some(port_range(h, spec)?),
    };
    let count = c_hi - c_lo;
    let mut out = Vec::new();
    for k in 0..=count {
        let host_port = match host {
            None => 0,
            // docker: one host port for a range of container ports means
            // a range starting there; a host range must be as long.
            Some((h_lo, h_hi)) if h_lo == h_hi && count > 0 => h_lo
                .checked_add(k)
                .ok_or_else(|| bad(spec, "host port range too large"))?,
            Some((h_lo, h_hi)) if h_hi - h_lo == count => h_lo + k,
            Some((h_lo, h_hi)) if c_lo == c_hi => {
                // A host range for one container port: any port of it.
                let _ = h_hi;
                h_lo
            }
            Some(_) => {
                return Err(bad(spec, "port ranges don't match"));
            }
        };
        out.push(PortBinding {
            host_ip,
            host_port,
            container_port: c_lo + k,
            proto,
        });
    }
    Ok(out)
}

/// `--expose 80`, `--expose 8000-8010/udp`, or an image's `80/tcp`.
pub fn parse_expose(spec: &str) -> Result<Vec<(u16, Proto)>> {
    let (ports, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, Proto::parse(p, spec)?),
        None => (spec, Proto::Tcp),
    };
    let (lo, hi) = port_range(ports, spec).map_err(|_| {
        Error::InvalidArgument(format!("invalid range format for --expose: {spec}"))
    })?;
    Ok((lo..=hi).map(|p| (p, proto)).collect())
}

/// `ps`'s PORTS column: `0.0.0.0:8080->80/tcp, 0.0.0.0:8081->81/tcp`
/// (docker joins consecutive ports into ranges: `0.0.0.0:8000-8001->80-81/tcp`).
pub fn ps_column(bindings: &[PortBinding]) -> String {
    let mut sorted: Vec<PortBinding> = bindings.to_vec();
    sorted.sort_by_key(|b| (b.proto, b.container_port, b.host_port));
    let mut groups: Vec<(PortBinding, u16)> = Vec::new(); // first, length
    for b in sorted {
        if let Some((first, len)) = groups.last_mut() {
            if first.proto == b.proto
                && first.host_ip == b.host_ip
                && u32::from(first.container_port) + u32::from(*len) == u32::from(b.container_port)
                && u32::from(first.host_port) + u32::from(*len) == u32::from(b.host_port)
            {
                *len += 1;
                continue;
            }
        }
        groups.push((b, 1));
    }
    groups
        .iter()
        .map(|(b, len)| {
            let ip = b.host_ip.map_or("0.0.0.0".to_string(), |i| i.to_string());
            let range = |p: u16| {
                if *len > 1 {
                    format!("{p}-{}", p + (len - 1))
                } else {
                    p.to_string()
                }
            };
            format!(
                "{ip}:{}->{}/{}",
                range(b.host_port),
                range(b.container_port),
                b.proto.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `port`'s lines: `80/tcp -> 0.0.0.0:8080`.
pub fn port_lines(bindings: &[PortBinding]) -> Vec<String> {
    let mut sorted: Vec<PortBinding> = bindings.to_vec();
    sorted.sort_by_key(|b| (b.container_port, b.proto, b.host_port));
    sorted
        .iter()
        .map(|b| {
            format!(
                "{}/{} -> {}:{}",
                b.container_port,
                b.proto.as_str(),
                b.host_ip.map_or("0.0.0.0".to_string(), |i| i.to_string()),
                b.host_port
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(spec: &str) -> PortBinding {
        let v = parse_publish(spec).unwrap();
        assert_eq!(v.len(), 1, "{spec}");
        v[0]
    }

    #[test]
    fn publish_forms() {
        let b = one("8080:80");
        assert_eq!(
            (b.host_ip, b.host_port, b.container_port, b.proto),
            (None, 8080, 80, Proto::Tcp)
        );
        let b = one("127.0.0.1:8080:80/udp");
        assert_eq!(b.host_ip, Some(Ipv4Addr::LOCALHOST));
        assert_eq!(b.proto, Proto::Udp);
        assert_eq!(one("80").host_port, 0, "any free host port");
        assert_eq!(one("127.0.0.1::80").host_port, 0);
        assert_eq!(one("0.0.0.0:81:80").host_ip, None);
        let r = parse_publish("8000-8002:80-82").unwrap();
        assert_eq!(
            r.iter()
                .map(|b| (b.host_port, b.container_port))
                .collect::<Vec<_>>(),
            [(8000, 80), (8001, 81), (8002, 82)]
        );
        assert_eq!(parse_publish("9000:80-81").unwrap()[1].host_port, 9001);
        assert_eq!(parse_publish("80-81").unwrap().len(), 2);
    }

    #[test]
    fn publish_errors_name_the_value() {
        for spec in [
            "",
            "0",
            "70000",
            "8080:80/sctp",
            "a:b",
            "1.2.3:80:80",
            "8000-8001:80-82",
            "81-80",
            "::1:80:80:80",
        ] {
            let e = parse_publish(spec).unwrap_err().to_string();
            assert!(e.contains(&format!("{spec:?}")), "{spec}: {e}");
        }
    }

    #[test]
    fn expose() {
        assert_eq!(parse_expose("80").unwrap(), [(80, Proto::Tcp)]);
        assert_eq!(parse_expose("53/udp").unwrap(), [(53, Proto::Udp)]);
        assert_eq!(parse_expose("8000-8001").unwrap().len(), 2);
        assert!(parse_expose("x").is_err());
    }

    #[test]
    fn docker_output_forms() {
        let mut v = parse_publish("8000-8001:80-81").unwrap();
        v.extend(parse_publish("127.0.0.1:5353:53/udp").unwrap());
        assert_eq!(
            ps_column(&v),
            "0.0.0.0:8000-8001->80-81/tcp, 127.0.0.1:5353->53/udp"
        );
        assert_eq!(
            port_lines(&v),
            [
                "53/udp -> 127.0.0.1:5353",
                "80/tcp -> 0.0.0.0:8000",
                "81/tcp -> 0.0.0.0:8001"
            ]
        );
        assert_eq!(ps_column(&[]), "");
    }

    #[test]
    fn top_port_does_not_overflow_the_columns() {
        // Was "attempt to add with overflow" (fuzz_tests): 65535 + 1 when
        // grouping `-p 1:65535 -p 2:65535`, and when printing a range that
        // ends at 65535.
        let mut v = parse_publish("1:65535").unwrap();
        v.extend(parse_publish("2:65535").unwrap());
        assert_eq!(ps_column(&v), "0.0.0.0:1->65535/tcp, 0.0.0.0:2->65535/tcp");
        let v = parse_publish("65534-65535:65534-65535").unwrap();
        assert_eq!(ps_column(&v), "0.0.0.0:65534-65535->65534-65535/tcp");
    }
}
