//! Device access policy: which device nodes a container may open and
//! create, as docker sets it.
//!
//! docker's list is built from two places, in this order: moby's
//! `DefaultLinuxSpec` (deny everything; allow `c 1:5`, `1:3`, `1:9`, `1:8`,
//! `5:0`, `5:1`; deny `c 10:229`, fuse), then the `--device` rules, then
//! runc's `AllowedDevices`, which it appends to every container's list
//! (`c *:* m`, `b *:* m`, `c 1:3`, `1:8`, `1:7`, `5:0`, `1:5`, `1:9`,
//! `136:*`, `5:2` and `10:200`, tun, which runc keeps for compatibility).
//! `--privileged` is `a *:* rwm`. [`docker_rules`] builds that list.
//!
//! A list of rules is applied in order the way the v1 devices controller
//! does ([`Policy::from_rules`]): an `a` rule resets to allow-all or
//! deny-all, and every other rule adds an exception to the default or
//! takes access away from one with the same type, major and minor. The
//! resulting [`Policy`] is what both cgroup versions get: v1 as lines
//! written to `devices.deny`/`devices.allow` ([`Policy::v1_writes`]), v2 as
//! a `BPF_PROG_TYPE_CGROUP_DEVICE` program (see `bpf.rs`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{CgroupError, Result};

/// What a rule applies to: `a` (every device), `c` or `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    All,
    Char,
    Block,
}

impl DeviceKind {
    fn letter(self) -> char {
        match self {
            DeviceKind::All => 'a',
            DeviceKind::Char => 'c',
            DeviceKind::Block => 'b',
        }
    }
}

/// Access bits, with the values the kernel's device BPF context uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Access(u8);

impl Access {
    pub const MKNOD: Access = Access(1);
    pub const READ: Access = Access(2);
    pub const WRITE: Access = Access(4);
    pub const RWM: Access = Access(7);
    pub const NONE: Access = Access(0);

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, other: Access) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `rwm`, `r`, `mw`… (each letter at most once, at least one).
    pub fn parse(s: &str) -> Option<Access> {
        let mut bits = 0u8;
        for c in s.chars() {
            let b = match c {
                'r' => 2,
                'w' => 4,
                'm' => 1,
                _ => return None,
            };
            if bits & b != 0 {
                return None;
            }
            bits |= b;
        }
        (bits != 0).then_some(Access(bits))
    }
}

impl std::ops::BitOr for Access {
    type Output = Access;
    fn bitor(self, o: Access) -> Access {
        Access(self.0 | o.0)
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (bit, c) in [(2, 'r'), (4, 'w'), (1, 'm')] {
            if self.0 & bit != 0 {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// One rule: allow or deny `access` to devices of `kind` with this major
/// and minor (`None` is `*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRule {
    pub allow: bool,
    pub kind: DeviceKind,
    pub major: Option<u32>,
    pub minor: Option<u32>,
    pub access: Access,
}

impl DeviceRule {
    pub const fn new(
        allow: bool,
        kind: DeviceKind,
        major: Option<u32>,
        minor: Option<u32>,
        access: Access,
    ) -> DeviceRule {
        DeviceRule {
            allow,
            kind,
            major,
            minor,
            access,
        }
    }

    const fn char_rwm(major: u32, minor: u32) -> DeviceRule {
        DeviceRule::new(
            true,
            DeviceKind::Char,
            Some(major),
            Some(minor),
            Access::RWM,
        )
    }

    /// `a *:* rwm`, allowed or denied.
    pub const fn all(allow: bool) -> DeviceRule {
        DeviceRule::new(allow, DeviceKind::All, None, None, Access::RWM)
    }

    /// Whether this rule's type, major and minor cover the device.
    fn covers(&self, kind: DeviceKind, major: u32, minor: u32) -> bool {
        (self.kind == DeviceKind::All || self.kind == kind)
            && self.major.is_none_or(|m| m == major)
            && self.minor.is_none_or(|m| m == minor)
    }

    fn same_device(&self, o: &DeviceRule) -> bool {
        self.kind == o.kind && self.major == o.major && self.minor == o.minor
    }
}

/// The v1 format, as `devices.list` shows it: `c 1:3 rwm`, `b *:* m`.
impl fmt::Display for DeviceRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let num = |n: Option<u32>| n.map_or("*".to_string(), |n| n.to_string());
        write!(
            f,
            "{} {}:{} {}",
            self.kind.letter(),
            num(self.major),
            num(self.minor),
            self.access
        )
    }
}

/// moby's `DefaultLinuxSpec` device rules (before `--device`).
fn moby_defaults() -> Vec<DeviceRule> {
    let mut v = vec![DeviceRule::all(false)];
    v.extend(
        [(1, 5), (1, 3), (1, 9), (1, 8), (5, 0), (5, 1)].map(|(a, b)| DeviceRule::char_rwm(a, b)),
    );
    // fuse
    v.push(DeviceRule::new(
        false,
        DeviceKind::Char,
        Some(10),
        Some(229),
        Access::RWM,
    ));
    v
}

/// runc's `AllowedDevices`, appended to every container's rules.
fn runc_defaults() -> Vec<DeviceRule> {
    let mut v = vec![
        DeviceRule::new(true, DeviceKind::Char, None, None, Access::MKNOD),
        DeviceRule::new(true, DeviceKind::Block, None, None, Access::MKNOD),
    ];
    v.extend(
        [(1, 3), (1, 8), (1, 7), (5, 0), (1, 5), (1, 9)].map(|(a, b)| DeviceRule::char_rwm(a, b)),
    );
    v.push(DeviceRule::new(
        true,
        DeviceKind::Char,
        Some(136),
        None,
        Access::RWM,
    ));
    v.push(DeviceRule::char_rwm(5, 2));
    v.push(DeviceRule::char_rwm(10, 200));
    v
}

/// docker's device rules for a container: `a *:* rwm` when privileged,
/// else moby's defaults, the `--device` rules, and runc's defaults.
pub fn docker_rules(privileged: bool, extra: &[DeviceRule]) -> Vec<DeviceRule> {
    if privileged {
        return vec![DeviceRule::all(true)];
    }
    let mut v = moby_defaults();
    v.extend_from_slice(extra);
    v.extend(runc_defaults());
    v
}

/// The effect of a list of rules: a default and its exceptions, in the
/// order the v1 controller lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub default_allow: bool,
    /// Rules whose `allow` is the opposite of the default.
    pub exceptions: Vec<DeviceRule>,
}

impl Policy {
    /// Applies `rules` in order, starting from allow-all (a new cgroup's
    /// state), as the v1 devices controller does.
    pub fn from_rules(rules: &[DeviceRule]) -> Policy {
        let mut p = Policy {
            default_allow: true,
            exceptions: Vec::new(),
        };
        for r in rules {
            p.apply(r);
        }
        p
    }

    fn apply(&mut self, r: &DeviceRule) {
        if r.kind == DeviceKind::All {
            self.default_allow = r.allow;
            self.exceptions.clear();
            return;
        }
        if r.access.is_empty() {
            return;
        }
        if r.allow != self.default_allow {
            match self.exceptions.iter_mut().find(|e| e.same_device(r)) {
                Some(e) => e.access = e.access | r.access,
                None => self.exceptions.push(*r),
            }
        } else {
            for e in self.exceptions.iter_mut().filter(|e| e.same_device(r)) {
                e.access = Access(e.access.0 & !r.access.0);
            }
            self.exceptions.retain(|e| !e.access.is_empty());
        }
    }

    /// The kernel's verdict (v1 semantics): with a default deny, one
    /// exception must grant all of `access`; with a default allow, no
    /// exception may deny any of it.
    pub fn allows(&self, kind: DeviceKind, major: u32, minor: u32, access: Access) -> bool {
        let mut matching = self
            .exceptions
            .iter()
            .filter(|e| e.covers(kind, major, minor));
        if self.default_allow {
            !matching.any(|e| e.access.0 & access.0 != 0)
        } else {
            matching.any(|e| e.access.contains(access))
        }
    }

    /// What `devices.list` shows for this policy.
    pub fn v1_list(&self) -> Vec<String> {
        if self.default_allow && self.exceptions.is_empty() {
            return vec![DeviceRule::all(true).to_string()];
        }
        self.exceptions.iter().map(ToString::to_string).collect()
    }

    /// The v1 writes, in order: (file, line). The reset comes first.
    pub fn v1_writes(&self) -> Vec<(&'static str, String)> {
        let (reset, add) = if self.default_allow {
            ("devices.allow", "devices.deny")
        } else {
            ("devices.deny", "devices.allow")
        };
        let mut w = vec![(reset, "a".to_string())];
        w.extend(self.exceptions.iter().map(|e| (add, e.to_string())));
        w
    }
}

/// Parses one v1 line (`c 1:3 rwm`, `a`) as an allow or deny rule.
pub fn parse_rule(allow: bool, s: &str) -> Result<DeviceRule> {
    let bad = || CgroupError::Other(format!("invalid device rule {s:?}"));
    let mut it = s.split_whitespace();
    let kind = match it.next().ok_or_else(bad)? {
        "a" => DeviceKind::All,
        "c" => DeviceKind::Char,
        "b" => DeviceKind::Block,
        _ => return Err(bad()),
    };
    let (major, minor) = match it.next() {
        None => (None, None),
        Some(mm) => {
            let (a, b) = mm.split_once(':').ok_or_else(bad)?;
            let num = |n: &str| -> Result<Option<u32>> {
                if n == "*" {
                    Ok(None)
                } else {
                    n.parse().map(Some).map_err(|_| bad())
                }
            };
            (num(a)?, num(b)?)
        }
    };
    let access = match it.next() {
        None => Access::RWM,
        Some(a) => Access::parse(a).ok_or_else(bad)?,
    };
    if it.next().is_some() {
        return Err(bad());
    }
    Ok(DeviceRule::new(allow, kind, major, minor, access))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// What `devices.list` shows in a default docker container on v1.
    pub(crate) const DOCKER_V1_LIST: &[&str] = &[
        "c 1:5 rwm",
        "c 1:3 rwm",
        "c 1:9 rwm",
        "c 1:8 rwm",
        "c 5:0 rwm",
        "c 5:1 rwm",
        "c *:* m",
        "b *:* m",
        "c 1:7 rwm",
        "c 136:* rwm",
        "c 5:2 rwm",
        "c 10:200 rwm",
    ];

    #[test]
    fn formats_and_parses_v1_lines() {
        let r = parse_rule(true, "c 136:* rwm").unwrap();
        assert_eq!(r.major, Some(136));
        assert_eq!(r.minor, None);
        assert_eq!(r.to_string(), "c 136:* rwm");
        assert_eq!(parse_rule(true, "b *:* m").unwrap().to_string(), "b *:* m");
        assert_eq!(parse_rule(false, "a").unwrap(), DeviceRule::all(false));
        assert_eq!(
            parse_rule(true, "c 1:7 wr").unwrap().to_string(),
            "c 1:7 rw"
        );
        for bad in [
            "x 1:2 r",
            "c 1 r",
            "c 1:2 rr",
            "c 1:2 q",
            "c a:2 r",
            "c 1:2 r x",
        ] {
            assert!(parse_rule(true, bad).is_err(), "{bad}");
        }
        assert_eq!(Access::parse("mrw"), Some(Access::RWM));
        assert_eq!(Access::parse(""), None);
    }

    #[test]
    fn docker_default_list_is_dockers() {
        let p = Policy::from_rules(&docker_rules(false, &[]));
        assert!(!p.default_allow);
        assert_eq!(p.v1_list(), DOCKER_V1_LIST);
        let w = p.v1_writes();
        assert_eq!(w[0], ("devices.deny", "a".to_string()));
        assert!(w[1..].iter().all(|(f, _)| *f == "devices.allow"));
        assert_eq!(w.len(), DOCKER_V1_LIST.len() + 1);
    }

    #[test]
    fn privileged_allows_everything() {
        let p = Policy::from_rules(&docker_rules(true, &[]));
        assert!(p.default_allow && p.exceptions.is_empty());
        assert_eq!(p.v1_list(), ["a *:* rwm"]);
        assert_eq!(p.v1_writes(), [("devices.allow", "a".to_string())]);
        assert!(p.allows(DeviceKind::Block, 8, 0, Access::RWM));
    }

    #[test]
    fn default_verdicts() {
        use DeviceKind::{Block, Char};
        let p = Policy::from_rules(&docker_rules(false, &[]));
        let rw = Access::READ | Access::WRITE;
        for (maj, min) in [
            (1, 3),
            (1, 5),
            (1, 7),
            (1, 8),
            (1, 9),
            (5, 0),
            (5, 1),
            (5, 2),
            (136, 7),
            (10, 200),
        ] {
            assert!(p.allows(Char, maj, min, rw), "c {maj}:{min}");
        }
        // mknod of anything, open of nothing else
        assert!(p.allows(Block, 8, 0, Access::MKNOD));
        assert!(p.allows(Char, 4, 1, Access::MKNOD));
        assert!(!p.allows(Block, 8, 0, Access::READ));
        assert!(!p.allows(Block, 7, 0, Access::READ));
        assert!(!p.allows(Char, 10, 229, Access::READ)); // fuse
        assert!(!p.allows(Char, 1, 1, Access::READ)); // /dev/mem
        assert!(!p.allows(Char, 4, 1, Access::WRITE));
        assert!(!p.allows(Block, 8, 0, Access::MKNOD | Access::READ));
    }

    #[test]
    fn device_rules_go_between_mobys_and_runcs() {
        use DeviceKind::Char;
        // --device /dev/loop-control:...:r
        let extra = [DeviceRule::new(
            true,
            Char,
            Some(10),
            Some(237),
            Access::READ,
        )];
        let rules = docker_rules(false, &extra);
        assert_eq!(rules[8], extra[0]);
        let p = Policy::from_rules(&rules);
        assert!(p.allows(Char, 10, 237, Access::READ));
        assert!(!p.allows(Char, 10, 237, Access::WRITE));
        assert!(p.v1_list().contains(&"c 10:237 r".to_string()));
        // /dev/full is allowed rwm by runc's list whatever --device says
        let extra = [DeviceRule::new(true, Char, Some(1), Some(7), Access::READ)];
        let p = Policy::from_rules(&docker_rules(false, &extra));
        assert!(p.allows(Char, 1, 7, Access::WRITE));
    }

    #[test]
    fn deny_rules_take_access_away() {
        use DeviceKind::Char;
        let p = Policy::from_rules(&[
            DeviceRule::all(false),
            DeviceRule::char_rwm(1, 3),
            parse_rule(false, "c 1:3 w").unwrap(),
            DeviceRule::char_rwm(1, 5),
            parse_rule(false, "c 1:5 rwm").unwrap(),
        ]);
        assert_eq!(p.v1_list(), ["c 1:3 rm"]);
        assert!(p.allows(Char, 1, 3, Access::READ));
        assert!(!p.allows(Char, 1, 3, Access::WRITE));
        // a blocklist denies on any overlap
        let p = Policy::from_rules(&[parse_rule(false, "c 1:3 w").unwrap()]);
        assert!(p.default_allow);
        assert!(!p.allows(Char, 1, 3, Access::READ | Access::WRITE));
        assert!(p.allows(Char, 1, 3, Access::READ));
        assert_eq!(p.v1_writes()[1], ("devices.deny", "c 1:3 w".to_string()));
    }
}
