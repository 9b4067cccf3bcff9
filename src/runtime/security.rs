//! Who the process runs as and what it may do: user and group resolution
//! against the container's own `/etc/passwd` and `/etc/group`,
//! capabilities (docker's semantics), `no_new_privs`.

use std::collections::BTreeSet;
use std::str::FromStr;

use caps::Capability;
use rustix::process::{Gid, Uid};
use rustix::thread::{CapabilitySet, CapabilitySets};

use super::error::{Context, RuntimeError, SetupError};
use super::spec::DEFAULT_CAPABILITIES;

/// The user a process runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    /// Uid.
    pub uid: u32,
    /// Primary gid.
    pub gid: u32,
    /// Supplementary gids (the primary one first, as docker sets them).
    pub groups: Vec<u32>,
    /// Home directory (`/` when the user has no passwd entry).
    pub home: String,
}

/// One `/etc/passwd` line.
struct PasswdEntry<'a> {
    name: &'a str,
    uid: u32,
    gid: u32,
    home: &'a str,
}

/// One `/etc/group` line.
struct GroupEntry<'a> {
    name: &'a str,
    gid: u32,
    members: Vec<&'a str>,
}

fn parse_passwd(text: &str) -> impl Iterator<Item = PasswdEntry<'_>> {
    text.lines().filter_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if line.starts_with('#') || f.len() < 6 {
            return None;
        }
        Some(PasswdEntry {
            name: f[0],
            uid: f[2].parse().ok()?,
            gid: f[3].parse().ok()?,
            home: f[5],
        })
    })
}

fn parse_group(text: &str) -> impl Iterator<Item = GroupEntry<'_>> {
    text.lines().filter_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if line.starts_with('#') || f.len() < 3 {
            return None;
        }
        Some(GroupEntry {
            name: f[0],
            gid: f[2].parse().ok()?,
            members: f
                .get(3)
                .map(|m| m.split(',').filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
        })
    })
}

fn parse_id(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|&n| n <= i32::MAX as u32)
}

/// Resolves `name|uid[:group|gid]` the way docker (runc's `GetExecUser`)
/// does, against the texts of the container's `/etc/passwd` and
/// `/etc/group` (empty when missing), plus `--group-add` entries.
///
/// - an empty user is root; a numeric uid without an entry is fine (gid 0,
///   home `/`); an unknown name is an error naming it;
/// - the gid is the group given, else the entry's;
/// - supplementary groups are the primary gid, then (only when no group
///   was given) every group listing the user's name, then `extra`.
pub fn resolve_user(
    user: &str,
    extra: &[String],
    passwd: &str,
    group: &str,
) -> Result<ExecUser, String> {
    let (user_part, group_part) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let user_part = if user_part.is_empty() { "0" } else { user_part };
    let numeric = parse_id(user_part);
    let entry = parse_passwd(passwd).find(|e| e.name == user_part || Some(e.uid) == numeric);
    let mut exec = match (&entry, numeric) {
        (Some(e), _) => ExecUser {
            uid: e.uid,
            gid: e.gid,
            groups: Vec::new(),
            home: e.home.to_string(),
        },
        (None, Some(uid)) => ExecUser {
            uid,
            gid: 0,
            groups: Vec::new(),
            home: "/".into(),
        },
        (None, None) => {
            return Err(format!(
                "unable to find user {user_part}: no matching entries in passwd file"
            ))
        }
    };
    let mut groups = Vec::new();
    match group_part {
        Some(g) => exec.gid = lookup_group(g, group)?,
        None => {
            if let Some(e) = &entry {
                groups.extend(
                    parse_group(group)
                        .filter(|g| g.members.contains(&e.name))
                        .map(|g| g.gid),
                );
            }
        }
    }
    for g in extra {
        groups.push(lookup_group(g, group)?);
    }
    let mut seen = BTreeSet::new();
    exec.groups = std::iter::once(exec.gid)
        .chain(groups)
        .filter(|g| seen.insert(*g))
        .collect();
    Ok(exec)
}

fn lookup_group(name: &str, group: &str) -> Result<u32, String> {
    let numeric = parse_id(name);
    match parse_group(group).find(|g| g.name == name || Some(g.gid) == numeric) {
        Some(g) => Ok(g.gid),
        None => numeric.ok_or_else(|| {
            format!("unable to find group {name}: no matching entries in group file")
        }),
    }
}

/// Reads the container's `/etc/passwd` and `/etc/group` (after
/// `pivot_root`, so no host file is touched) and resolves `user`.
pub fn resolve_user_in_container(user: &str, extra: &[String]) -> Result<ExecUser, SetupError> {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    resolve_user(user, extra, &read("/etc/passwd"), &read("/etc/group"))
        .map_err(|msg| SetupError::new(libc::ENOENT, msg))
}

/// Docker's `--privileged` / `--cap-add` / `--cap-drop` rules: privileged
/// gets every capability; `ALL` in `cap_add` means all but the dropped
/// ones; `ALL` in `cap_drop` means only the added ones; otherwise the
/// default set minus drops plus adds. Names are case-insensitive, with or
/// without `CAP_`. Returns `CAP_*` names.
pub fn resolve_capabilities(
    privileged: bool,
    cap_add: &[String],
    cap_drop: &[String],
) -> Result<Vec<String>, RuntimeError> {
    let all = || -> Vec<String> {
        let mut v: Vec<Capability> = caps::all().into_iter().collect();
        v.sort_by_key(|c| c.index());
        v.into_iter().map(|c| c.to_string()).collect()
    };
    if privileged {
        return Ok(all());
    }
    if cap_add.is_empty() && cap_drop.is_empty() {
        return Ok(DEFAULT_CAPABILITIES.iter().map(|s| s.to_string()).collect());
    }
    let add = normalize_capabilities(cap_add)?;
    let drop = normalize_capabilities(cap_drop)?;
    let has_all = |v: &[String]| v.iter().any(|c| c == "ALL");
    let mut out: Vec<String> = if has_all(&add) {
        all().into_iter().filter(|c| !drop.contains(c)).collect()
    } else if has_all(&drop) {
        add
    } else {
        DEFAULT_CAPABILITIES
            .iter()
            .map(|s| s.to_string())
            .filter(|c| !drop.contains(c))
            .chain(add)
            .collect()
    };
    let mut seen = BTreeSet::new();
    out.retain(|c| seen.insert(c.clone()));
    Ok(out)
}

fn normalize_capabilities(names: &[String]) -> Result<Vec<String>, RuntimeError> {
    names
        .iter()
        .map(|n| {
            let up = n.to_uppercase();
            if up == "ALL" {
                return Ok(up);
            }
            let full = if up.starts_with("CAP_") {
                up
            } else {
                format!("CAP_{up}")
            };
            Capability::from_str(&full)
                .map(|c| c.to_string())
                .map_err(|_| RuntimeError::InvalidSpec(format!("unknown capability: {n:?}")))
        })
        .collect()
}

/// The bit mask of `CAP_*` names (checked by the caller before cloning).
pub fn capability_mask(names: &[String]) -> Result<u64, RuntimeError> {
    let mut mask = 0u64;
    for n in names {
        let cap = Capability::from_str(n)
            .map_err(|_| RuntimeError::InvalidSpec(format!("unknown capability: {n:?}")))?;
        mask |= cap.bitmask();
    }
    Ok(mask)
}

/// Drops from the bounding set every capability not in `keep`.
pub fn limit_bounding_set(keep: u64) -> Result<(), SetupError> {
    for cap in caps::runtime::thread_all_supported() {
        if keep & cap.bitmask() == 0 {
            caps::drop(None, caps::CapSet::Bounding, cap).map_err(|e| {
                SetupError::new(
                    libc::EPERM,
                    format!("dropping {cap} from the bounding set: {e}"),
                )
            })?;
        }
    }
    Ok(())
}

/// Switches to `user`'s uid, gid and groups, keeping the permitted
/// capabilities across the switch (`PR_SET_KEEPCAPS`); effective ones are
/// set afterwards by [`set_capabilities`]. `setgroups` is skipped where the
/// user namespace denies it.
pub fn switch_user(user: &ExecUser) -> Result<(), SetupError> {
    rustix::thread::set_keep_capabilities(true).ctx(|| "prctl(PR_SET_KEEPCAPS)")?;
    if setgroups_allowed() {
        let groups: Vec<Gid> = user.groups.iter().map(|&g| Gid::from_raw(g)).collect();
        rustix::thread::set_thread_groups(&groups)
            .ctx(|| format!("setgroups {:?}", user.groups))?;
    }
    let gid = Gid::from_raw(user.gid);
    rustix::thread::set_thread_res_gid(gid, gid, gid).ctx(|| format!("setgid {}", user.gid))?;
    let uid = Uid::from_raw(user.uid);
    rustix::thread::set_thread_res_uid(uid, uid, uid).ctx(|| format!("setuid {}", user.uid))?;
    rustix::thread::set_keep_capabilities(false).ctx(|| "prctl(PR_SET_KEEPCAPS)")?;
    Ok(())
}

fn setgroups_allowed() -> bool {
    std::fs::read_to_string("/proc/self/setgroups").map_or(true, |s| s.trim() != "deny")
}

/// Sets the effective and permitted sets to `mask` (limited to what the
/// process holds: a capability the runtime itself lacks cannot be given),
/// the inheritable and ambient sets to empty: docker's layout. A root
/// process keeps them across `execve`; any other user loses them there, as
/// under docker.
pub fn set_capabilities(mask: u64) -> Result<(), SetupError> {
    let held = rustix::thread::capabilities(None)
        .ctx(|| "capget")?
        .permitted;
    let set = CapabilitySet::from_bits_retain(mask) & held;
    rustix::thread::set_capabilities(
        None,
        CapabilitySets {
            effective: set,
            permitted: set,
            inheritable: CapabilitySet::empty(),
        },
    )
    .ctx(|| "capset")?;
    match rustix::thread::clear_ambient_capability_set() {
        Ok(()) | Err(rustix::io::Errno::INVAL) => Ok(()),
        Err(e) => Err(e).ctx(|| "clearing the ambient capabilities"),
    }
}

/// `prctl(PR_SET_NO_NEW_PRIVS, 1)`.
pub fn set_no_new_privs() -> Result<(), SetupError> {
    rustix::thread::set_no_new_privs(true).ctx(|| "prctl(PR_SET_NO_NEW_PRIVS)")
}

/// The bit of `CAP_SYS_ADMIN` (needed to install a seccomp filter without
/// `no_new_privs`).
pub fn sys_admin_bit() -> u64 {
    Capability::CAP_SYS_ADMIN.bitmask()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
        nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n\
        app:x:1000:1000:app:/home/app:/bin/sh\n";
    const GROUP: &str = "root:x:0:\nwheel:x:10:root\ntty:x:5:\n\
        app:x:1000:\nstaff:x:50:app,other\nnogroup:x:65534:\n";

    fn user(u: &str) -> Result<ExecUser, String> {
        resolve_user(u, &[], PASSWD, GROUP)
    }

    #[test]
    fn users_resolve_like_docker() {
        let root = user("").unwrap();
        assert_eq!((root.uid, root.gid, root.home.as_str()), (0, 0, "/root"));
        assert_eq!(root.groups, vec![0, 10]);
        let app = user("app").unwrap();
        assert_eq!((app.uid, app.gid), (1000, 1000));
        assert_eq!(app.groups, vec![1000, 50]);
        let app_by_id = user("1000").unwrap();
        assert_eq!(app_by_id, app);
        let explicit = user("1000:1000").unwrap();
        assert_eq!(explicit.groups, vec![1000]);
        let named_group = user("app:tty").unwrap();
        assert_eq!((named_group.gid, named_group.groups.clone()), (5, vec![5]));
        let unknown_uid = user("4242").unwrap();
        assert_eq!(
            (unknown_uid.uid, unknown_uid.gid, unknown_uid.home.as_str()),
            (4242, 0, "/")
        );
        assert_eq!(
            user("ghost").unwrap_err(),
            "unable to find user ghost: no matching entries in passwd file"
        );
        assert_eq!(
            user("app:ghosts").unwrap_err(),
            "unable to find group ghosts: no matching entries in group file"
        );
        assert_eq!(user("0:4242").unwrap().gid, 4242);
        let added = resolve_user("nobody", &["tty".into(), "77".into()], PASSWD, GROUP).unwrap();
        assert_eq!(added.groups, vec![65534, 5, 77]);
        assert!(resolve_user("", &[], "", "").is_ok());
    }

    #[test]
    fn capabilities_follow_docker() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let default = resolve_capabilities(false, &[], &[]).unwrap();
        assert_eq!(capability_mask(&default).unwrap(), 0xa80425fb);
        let none = resolve_capabilities(false, &[], &s(&["all"])).unwrap();
        assert!(none.is_empty());
        let only = resolve_capabilities(false, &s(&["net_admin"]), &s(&["ALL"])).unwrap();
        assert_eq!(only, s(&["CAP_NET_ADMIN"]));
        let more = resolve_capabilities(false, &s(&["SYS_PTRACE"]), &s(&["cap_chown"])).unwrap();
        assert!(more.contains(&"CAP_SYS_PTRACE".to_string()));
        assert!(!more.contains(&"CAP_CHOWN".to_string()));
        let all_but = resolve_capabilities(false, &s(&["ALL"]), &s(&["MKNOD"])).unwrap();
        assert!(all_but.len() > 30 && !all_but.contains(&"CAP_MKNOD".to_string()));
        let e = resolve_capabilities(false, &s(&["FOO"]), &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid container spec: unknown capability: \"FOO\""
        );
        assert!(resolve_capabilities(true, &[], &[]).unwrap().len() >= 38);
    }
}
