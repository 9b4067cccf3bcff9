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

    fn parse(s: &str) -> Result<Proto> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" | "" => Ok(Proto::Tcp),
            "udp" => Ok(Proto::Udp),
            _ => Err(bad(format!("invalid proto: {s}"))),
        }
    }
}

/// docker's errors for `-p` (go-connections' ParsePortSpec).
fn bad(why: String) -> Error {
    Error::InvalidArgument(why)
}

/// `80`, `8000-8010`: an inclusive range (a single port is a range of
/// one); `what` names the part in the error (`containerPort`).
fn port_range(s: &str, what: &str) -> Result<(u16, u16)> {
    let num = |p: &str| p.parse::<u16>().ok().filter(|&n| n > 0);
    let range = match s.split_once('-') {
        Some((a, b)) => num(a).zip(num(b)).filter(|(a, b)| a <= b),
        None => num(s).map(|n| (n, n)),
    };
    range.ok_or_else(|| bad(format!("invalid {what}: {s}")))
}

/// One `-p` value, ranges expanded.
pub fn parse_publish(spec: &str) -> Result<Vec<PortBinding>> {
    // ip:host:container[/proto] | host:container | container
    let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => (None, None, *c),
        [c, h] => (None, Some(*h), *c),
        [c, h, ip] => (Some(*ip), Some(*h), *c),
        _ => unreachable!("rsplitn(3) gives 1 to 3 parts"),
    };
    let (container, proto) = match container.rsplit_once('/') {
        Some((c, p)) => (c, Proto::parse(p)?),
        None => (container, Proto::Tcp),
    };
    let host_ip = match ip {
        None | Some("") | Some("0.0.0.0") => None,
        Some(ip) => Some(ip.parse::<Ipv4Addr>().map_err(|_| {
            if ip
                .trim_matches(['[', ']'])
                .parse::<std::net::Ipv6Addr>()
                .is_ok()
            {
                bad(format!("IPv6 host addresses are not supported: {ip}"))
            } else {
                bad(format!("invalid IP address: {ip}"))
            }
        })?),
    };
    if container.is_empty() {
        return Err(bad(format!("no port specified: {spec}<empty>")));
    }
    let (c_lo, c_hi) = port_range(container, "containerPort")?;
    let host = match host {
        None | Some("") => None,
        Some(h) => Some(port_range(h, "hostPort")?),
    };
    let mismatch = || {
        bad(format!(
            "invalid ranges specified for container and host Ports: {container} and {}",
            host.map(|(a, b)| format!("{a}-{b}")).unwrap_or_default()
        ))
    };
    let count = c_hi - c_lo;
    let mut out = Vec::new();
    for k in 0..=count {
        let host_port = match host {
            None => 0,
            // docker: one host port for a range of container ports means
            // a range starting there; a host range must be as long.
            Some((h_lo, h_hi)) if h_lo == h_hi && count > 0 => {
                h_lo.checked_add(k).ok_or_else(mismatch)?
            }
            Some((h_lo, h_hi)) if h_hi - h_lo == count => h_lo + k,
            // A host range for one container port: any port of it.
            Some((h_lo, _)) if c_lo == c_hi => h_lo,
            Some(_) => return Err(mismatch()),
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
        Some((r, p)) => (r, Proto::parse(p)?),
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
            assert!(parse_publish(spec).is_err(), "{spec}");
        }
    }

    #[test]
    fn publish_errors_are_dockers() {
        let e = |s: &str| parse_publish(s).unwrap_err().to_string();
        assert_eq!(e("notaport"), "invalid containerPort: notaport");
        assert_eq!(e("x:80"), "invalid hostPort: x");
        assert_eq!(e("8080:80/sctp"), "invalid proto: sctp");
        assert_eq!(e("1.2.3:80:80"), "invalid IP address: 1.2.3");
        assert_eq!(e(""), "no port specified: <empty>");
        assert_eq!(
            e("8000-8001:80-82"),
            "invalid ranges specified for container and host Ports: 80-82 and 8000-8001"
        );
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
