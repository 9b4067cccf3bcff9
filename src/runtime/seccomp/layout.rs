//! What the filter answers for every syscall number of every architecture
//! in it, before any BPF is written: rules resolved to numbers (libseccomp's
//! rules for that, see below), the ENOSYS answers for numbers above the
//! profile's largest syscall, and the answer for an architecture that is
//! not in the filter.
//!
//! libseccomp's behaviour kept here, so that a filter answers as the
//! libseccomp-built one did:
//! * a name the arch has no syscall for is skipped on that arch;
//! * on arches that multiplex socket and SysV IPC calls (x86, mips o32,
//!   ppc, ppc64, s390, s390x), a rule for such a call also becomes a rule
//!   for socketcall(2) / ipc(2) whose argument-0 condition is replaced by
//!   "argument 0 == the call's number" (the other conditions stay);
//! * the first unconditional rule for a syscall decides it, and drops its
//!   conditional rules (libseccomp keeps "the shortest chain");
//! * `SCMP_CMP_MASKED_EQ` with a mask that is zero where the arch compares
//!   (both words; the low one on 32-bit arches) is no condition at all;
//! * x86_64 and x32 share `AUDIT_ARCH_X86_64`: with only x86_64 in the
//!   filter, numbers from `__X32_SYSCALL_BIT` up (except -1, which tracers
//!   use to skip a call) are a bad arch; with only x32, numbers below it.
//!
//! Conditional rules of one syscall are tried in profile order and the
//! first that matches decides. libseccomp orders them in a tree by
//! argument, operator and value instead (or refuses the rule), which only
//! differs when rules with different actions overlap.

use std::collections::{BTreeMap, BTreeSet};

use super::arch::{Arch, X32_SYSCALL_BIT};
use super::rules::{Action, Cmp, Cond, Rule};
use super::{Result, SeccompError};

/// What a bad architecture gets: libseccomp's default `SCMP_ACT_KILL`.
pub(super) const BAD_ARCH: Action = Action::KillThread;
/// `ERRNO(ENOSYS)`, for numbers above the profile's largest syscall.
pub(super) const ENOSYS: Action = Action::Errno(libc::ENOSYS as u16);

/// Conditional rules of one syscall on one arch.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Chain {
    pub(super) arch: Arch,
    /// `(conditions, all of which must hold; return value)`, tried in order.
    pub(super) rules: Vec<(Vec<Cond>, u32)>,
    /// Returned when no rule matches (the default action).
    pub(super) fallback: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Verdict {
    Ret(u32),
    Chain(Chain),
}

/// The answers for one `AUDIT_ARCH_*` value.
#[derive(Debug)]
pub(super) struct Section {
    pub(super) audit: u32,
    /// `(first number, verdict)`, ascending from 0; each piece reaches up to
    /// the next one's first number (the last one to `u32::MAX`).
    pub(super) pieces: Vec<(u32, Verdict)>,
}

#[derive(Debug)]
pub(super) struct Layout {
    pub(super) sections: Vec<Section>,
    pub(super) bad_arch: u32,
}

/// The rules of one syscall number on one arch.
#[derive(Debug, Default)]
struct Entry {
    unconditional: Option<u32>,
    conditional: Vec<(Vec<Cond>, u32)>,
}

impl Entry {
    fn add(&mut self, mut conds: Vec<Cond>, ret: u32, wide: bool) {
        let low = if wide { u64::MAX } else { 0xffff_ffff };
        conds.retain(|c| !matches!(c.op, Cmp::MaskedEq(m) if m & low == 0));
        if self.unconditional.is_some() {
            return;
        }
        if conds.is_empty() {
            self.unconditional = Some(ret);
            self.conditional.clear();
        } else {
            self.conditional.push((conds, ret));
        }
    }
}

/// The rules as numbers of `arch`.
fn entries(arch: Arch, rules: &[Rule<'_>], default: Action) -> BTreeMap<u32, Entry> {
    let wide = arch.info().wide;
    let mut map: BTreeMap<u32, Entry> = BTreeMap::new();
    for rule in rules.iter().filter(|r| r.action != default) {
        let ret = rule.action.ret();
        for alt in rule.alternatives() {
            for &name in &rule.names {
                if let Some((mux, call)) = arch.multiplexed(name) {
                    let mut conds = vec![Cond {
                        index: 0,
                        op: Cmp::Eq,
                        value: u64::from(call),
                    }];
                    conds.extend(alt.iter().filter(|c| c.index != 0));
                    map.entry(mux).or_default().add(conds, ret, wide);
                }
                if let Some(nr) = arch.syscall(name) {
                    map.entry(nr).or_default().add(alt.clone(), ret, wide);
                }
            }
        }
    }
    map
}

/// Largest number (above 0) libseccomp resolves one of `names` to on `arch`.
fn largest(arch: Arch, names: &[&str]) -> Option<u32> {
    names
        .iter()
        .filter_map(|n| arch.resolved(n))
        .filter(|&nr| nr > 0)
        .max()
}

/// runc's `patchbpf` stub, as a predicate: numbers above the largest
/// syscall the profile names on the arch get ENOSYS (x86_64 and x32 each
/// their own, told apart by `__X32_SYSCALL_BIT`; on s390(x) also 0, which
/// multiplexes syscalls the kernel does not know).
enum Stub {
    /// None of the names is a syscall of the arch: no stub.
    Off,
    Plain {
        max: u32,
        zero: bool,
    },
    X86 {
        x86_64: Option<u32>,
        x32: Option<u32>,
    },
}

impl Stub {
    fn new(members: &[Arch], names: &[&str]) -> Stub {
        let first = members[0];
        if first.info().audit == Arch::X8664.info().audit {
            let max_of = |a: Arch| members.contains(&a).then(|| largest(a, names)).flatten();
            return match (max_of(Arch::X8664), max_of(Arch::X32)) {
                (None, None) => Stub::Off,
                (x86_64, x32) => Stub::X86 { x86_64, x32 },
            };
        }
        match largest(first, names) {
            None => Stub::Off,
            Some(max) => Stub::Plain {
                max,
                zero: matches!(first, Arch::S390 | Arch::S390X),
            },
        }
    }

    fn enosys(&self, nr: u32) -> bool {
        match *self {
            Stub::Off => false,
            Stub::Plain { max, zero } => (zero && nr == 0) || nr > max,
            Stub::X86 { x86_64, x32 } => {
                let max = if nr & X32_SYSCALL_BIT != 0 {
                    x32
                } else {
                    x86_64
                };
                max.is_some_and(|m| nr > m)
            }
        }
    }
}

/// The architectures of the filter grouped by `AUDIT_ARCH_*` value, in
/// filter order (x86_64 and x32 are the only ones that share one).
fn groups(arches: &[Arch]) -> Vec<Vec<Arch>> {
    let mut groups: Vec<Vec<Arch>> = Vec::new();
    for &arch in arches {
        let audit = arch.info().audit;
        match groups.iter_mut().find(|g| g[0].info().audit == audit) {
            Some(g) => g.push(arch),
            None => groups.push(vec![arch]),
        }
    }
    groups
}

/// Everything the filter answers. `enosys`: whether numbers above the
/// profile's largest syscall get ENOSYS (not with a permissive default).
pub(super) fn layout(
    default: Action,
    arches: &[Arch],
    rules: &[Rule<'_>],
    enosys: bool,
) -> Result<Layout> {
    let names: Vec<&str> = rules.iter().flat_map(|r| r.names.iter().copied()).collect();
    let mut sections = Vec::new();
    for members in groups(arches) {
        let mut merged: BTreeMap<u32, (Arch, Entry)> = BTreeMap::new();
        for &arch in &members {
            for (nr, entry) in entries(arch, rules, default) {
                if merged.insert(nr, (arch, entry)).is_some() {
                    return Err(SeccompError::InvalidProfile(format!(
                        "syscall number {nr:#x} of {} overlaps another architecture's",
                        arch.info().scmp
                    )));
                }
            }
        }
        let stub = if enosys {
            Stub::new(&members, &names)
        } else {
            Stub::Off
        };
        let section = Section {
            audit: members[0].info().audit,
            pieces: pieces(&members, &merged, &stub, default.ret()),
        };
        sections.push(section);
    }
    Ok(Layout {
        sections,
        bad_arch: BAD_ARCH.ret(),
    })
}

/// The section's answers as ascending pieces of the number space.
fn pieces(
    members: &[Arch],
    merged: &BTreeMap<u32, (Arch, Entry)>,
    stub: &Stub,
    default: u32,
) -> Vec<(u32, Verdict)> {
    let x86_64 = members.contains(&Arch::X8664);
    let x32 = members.contains(&Arch::X32);
    let verdict = |nr: u32| -> Verdict {
        if stub.enosys(nr) {
            return Verdict::Ret(ENOSYS.ret());
        }
        // libseccomp compares the whole number (`jge __X32_SYSCALL_BIT`).
        let bad = if x86_64 && !x32 {
            nr >= X32_SYSCALL_BIT && nr != u32::MAX
        } else {
            x32 && !x86_64 && nr < X32_SYSCALL_BIT
        };
        if bad {
            return Verdict::Ret(BAD_ARCH.ret());
        }
        match merged.get(&nr) {
            None => Verdict::Ret(default),
            Some((_, e)) if e.unconditional.is_some() || e.conditional.is_empty() => {
                Verdict::Ret(e.unconditional.unwrap_or(default))
            }
            Some((arch, e)) => Verdict::Chain(Chain {
                arch: *arch,
                rules: e.conditional.clone(),
                fallback: default,
            }),
        }
    };
    // The verdict is constant between these points.
    let mut starts: BTreeSet<u64> = BTreeSet::new();
    starts.extend([0, 1, 0x4000_0000, 0x8000_0000, 0xC000_0000, 0xFFFF_FFFF]);
    for &nr in merged.keys() {
        starts.extend([u64::from(nr), u64::from(nr) + 1]);
    }
    if let Stub::Plain { max, .. } = stub {
        starts.insert(u64::from(*max) + 1);
    }
    if let Stub::X86 { x86_64, x32 } = stub {
        starts.extend(x86_64.iter().chain(x32).map(|&m| u64::from(m) + 1));
    }
    let mut out: Vec<(u32, Verdict)> = Vec::new();
    for start in starts.into_iter().filter_map(|s| u32::try_from(s).ok()) {
        let v = verdict(start);
        match (out.last(), &v) {
            (Some((_, Verdict::Ret(a))), Verdict::Ret(b)) if a == b => {}
            _ => out.push((start, v)),
        }
    }
    out
}
