//! A rootless container's user namespace: container uid 0 is the user,
//! 1..N the user's subordinate ids from /etc/subuid and /etc/subgid (set
//! by `newuidmap`/`newgidmap`), as podman maps them. Without a range the
//! namespace maps the user alone (uid 0 inside), with a warning.

use crate::runtime::spec::{IdMap, IdMappings};

/// The mappings for the calling user, and a warning when a range is
/// missing.
pub fn rootless_mappings() -> (IdMappings, Option<String>) {
    let uid = rustix::process::geteuid().as_raw();
    let gid = rustix::process::getegid().as_raw();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = user_name(&passwd, uid);
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let subuid = sub_range(&read("/etc/subuid"), name.as_deref(), uid);
    let subgid = sub_range(&read("/etc/subgid"), name.as_deref(), uid);
    let maps = IdMappings {
        uid: mapping(uid, subuid),
        gid: mapping(gid, subgid),
    };
    let who = name.unwrap_or_else(|| uid.to_string());
    let warning = (subuid.is_none() || subgid.is_none()).then(|| {
        format!(
            "no subordinate ids for {who} in /etc/subuid and /etc/subgid: the container has only uid 0 (you); to add a range: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {who}"
        )
    });
    (maps, warning)
}

/// 0 → `own` (one id), then 1.. → the subordinate range.
fn mapping(own: u32, sub: Option<(u32, u32)>) -> Vec<IdMap> {
    let mut v = vec![IdMap {
        container_id: 0,
        host_id: own,
        size: 1,
    }];
    if let Some((start, count)) = sub {
        v.push(IdMap {
            container_id: 1,
            host_id: start,
            size: count,
        });
    }
    v
}

/// The user's name in /etc/passwd's text.
fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2].parse() == Ok(uid)).then(|| f[0].to_owned())
    })
}

/// The first `name:start:count` (or `uid:start:count`) line of a
/// subordinate id file for the user, as shadow-utils reads it.
fn sub_range(text: &str, name: Option<&str>, uid: u32) -> Option<(u32, u32)> {
    let uid = uid.to_string();
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.trim().split(':').collect();
        let ours = f.len() == 3 && (Some(f[0]) == name || f[0] == uid);
        let start = f.get(1)?.parse().ok()?;
        let count: u32 = f.get(2)?.parse().ok()?;
        (ours && count > 0).then_some((start, count))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subordinate_ranges_by_name_or_uid() {
        let passwd = "root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n";
        assert_eq!(user_name(passwd, 1001).as_deref(), Some("alice"));
        assert_eq!(user_name(passwd, 7), None);
        let sub = "bob:200000:65536\n# x\nalice:100000:65536\nalice:300000:10\n";
        assert_eq!(sub_range(sub, Some("alice"), 1001), Some((100000, 65536)));
        assert_eq!(
            sub_range("1001:5000:100\n", Some("alice"), 1001),
            Some((5000, 100))
        );
        assert_eq!(sub_range("alice:1:0\n", Some("alice"), 1001), None);
        assert_eq!(sub_range(sub, None, 1002), None);
        assert_eq!(
            mapping(1001, Some((100000, 65536))),
            [
                IdMap {
                    container_id: 0,
                    host_id: 1001,
                    size: 1
                },
                IdMap {
                    container_id: 1,
                    host_id: 100000,
                    size: 65536
                },
            ]
        );
        assert_eq!(mapping(1001, None).len(), 1);
    }
}
