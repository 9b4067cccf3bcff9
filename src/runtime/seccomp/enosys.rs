//! The -ENOSYS stub put before the filter (runc's `patchbpf`,
//! re-implemented): syscall numbers above the highest one the profile names
//! get `ENOSYS` instead of the profile's default action.

use std::collections::BTreeMap;

use libseccomp::{ScmpAction, ScmpArch};

use super::host::arch_info;
use super::{Result, SeccompError, INSN_LEN};

pub(super) fn needs_enosys_stub(default: ScmpAction) -> bool {
    // Permissive defaults need no stub; neither does a default of ENOSYS.
    !matches!(
        default,
        ScmpAction::Allow | ScmpAction::Log | ScmpAction::Trace(_)
    ) && default != ScmpAction::Errno(libc::ENOSYS)
}

pub(super) const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
pub(super) const BPF_JMP_JA: u16 = 0x05; // BPF_JMP | BPF_JA
pub(super) const BPF_JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGT_K: u16 = 0x25; // BPF_JMP | BPF_JGT | BPF_K
const BPF_JSET_K: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
/// Offsets in `struct seccomp_data`.
const DATA_NR: u32 = 0;
pub(super) const DATA_ARCH: u32 = 4;
#[derive(Clone, Copy, Debug)]
enum Target {
    /// The instruction after this one + n.
    Skip(usize),
    /// `return ERRNO(ENOSYS)`.
    Enosys,
    /// The first instruction of libseccomp's program (right after the stub).
    Filter,
    /// The start of the section for the i-th audit arch.
    Section(usize),
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Ld(u32),
    Jump(u16, u32, Target, Target),
    Ja(Target),
    Ret(u32),
}

/// Prefix that returns -ENOSYS for syscall numbers above the largest one the
/// profile names, per architecture; everything else falls through into the
/// libseccomp program.
pub(super) fn enosys_stub(arches: &[ScmpArch], names: &[&str]) -> Result<Vec<u8>> {
    let groups = largest_syscalls(arches, names);
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let mut sections: BTreeMap<usize, Vec<Op>> = BTreeMap::new();
    for (i, (audit, members)) in groups.iter().enumerate() {
        if let Some(s) = section(*audit, members)? {
            sections.insert(i, s);
        }
    }
    let mut ops = vec![Op::Ld(DATA_ARCH)];
    for (i, (audit, _)) in groups.iter().enumerate() {
        if sections.contains_key(&i) {
            ops.push(Op::Jump(
                BPF_JEQ_K,
                *audit,
                Target::Section(i),
                Target::Skip(0),
            ));
        }
    }
    ops.push(Op::Ja(Target::Filter));
    let mut section_start = BTreeMap::new();
    for (i, s) in sections {
        section_start.insert(i, ops.len());
        ops.extend(s);
    }
    let enosys = ops.len();
    ops.push(Op::Ret(SECCOMP_RET_ERRNO | libc::ENOSYS as u32));
    let filter = ops.len();

    encode(&ops, enosys, filter, &section_start)
}

/// Audit arch → `[(arch, largest syscall number of `names`)]`, in
/// filter order; arches where none of `names` is a syscall are left out.
fn largest_syscalls(arches: &[ScmpArch], names: &[&str]) -> Vec<(u32, Vec<(ScmpArch, u32)>)> {
    let mut groups: Vec<(u32, Vec<(ScmpArch, u32)>)> = Vec::new();
    for &arch in arches {
        let Some(&(_, _, _, audit)) = arch_info(arch) else {
            continue;
        };
        let largest = names
            .iter()
            .filter_map(|n| libseccomp::ScmpSyscall::from_name_by_arch(n, arch).ok())
            .map(|s| s.as_raw_syscall())
            .filter(|&nr| nr > 0)
            .max();
        let Some(largest) = largest else { continue };
        match groups.iter_mut().find(|g| g.0 == audit) {
            Some(g) => g.1.push((arch, largest as u32)),
            None => groups.push((audit, vec![(arch, largest as u32)])),
        }
    }
    groups
}

/// The checks for one audit arch: ENOSYS above the largest syscall of
/// each of its arches (x86_64 and x32 share one), else on to the filter.
fn section(audit: u32, members: &[(ScmpArch, u32)]) -> Result<Option<Vec<Op>>> {
    let mut s = vec![Op::Ld(DATA_NR)];
    let max_of = |a: ScmpArch| members.iter().find(|m| m.0 == a).map(|m| m.1);
    if audit == 0xC000_003E {
        // x86_64 and x32 share AUDIT_ARCH_X86_64; x32 sets bit 30.
        match (max_of(ScmpArch::X8664), max_of(ScmpArch::X32)) {
            (Some(m64), Some(m32)) => {
                s.push(Op::Jump(
                    BPF_JSET_K,
                    X32_SYSCALL_BIT,
                    Target::Skip(1),
                    Target::Skip(0),
                ));
                s.push(Op::Jump(BPF_JGT_K, m64, Target::Enosys, Target::Filter));
                s.push(Op::Jump(BPF_JGT_K, m32, Target::Enosys, Target::Filter));
            }
            (Some(m64), None) => {
                s.push(Op::Jump(
                    BPF_JSET_K,
                    X32_SYSCALL_BIT,
                    Target::Filter,
                    Target::Skip(0),
                ));
                s.push(Op::Jump(BPF_JGT_K, m64, Target::Enosys, Target::Filter));
            }
            (None, Some(m32)) => {
                s.push(Op::Jump(
                    BPF_JSET_K,
                    X32_SYSCALL_BIT,
                    Target::Skip(0),
                    Target::Filter,
                ));
                s.push(Op::Jump(BPF_JGT_K, m32, Target::Enosys, Target::Filter));
            }
            (None, None) => return Ok(None),
        }
    } else {
        let (arch, max) = members[0];
        if members.len() != 1 {
            return Err(SeccompError::InvalidProfile(format!(
                "unexpected architecture overlap on audit arch {audit:#x}"
            )));
        }
        if matches!(arch, ScmpArch::S390 | ScmpArch::S390X) {
            // Syscall 0 multiplexes unknown "large" syscalls on s390(x).
            s.push(Op::Jump(BPF_JEQ_K, 0, Target::Enosys, Target::Skip(0)));
        }
        s.push(Op::Jump(BPF_JGT_K, max, Target::Enosys, Target::Filter));
    }
    Ok(Some(s))
}

/// The ops as BPF instructions, their jumps resolved.
fn encode(
    ops: &[Op],
    enosys: usize,
    filter: usize,
    section_start: &BTreeMap<usize, usize>,
) -> Result<Vec<u8>> {
    let resolve = |pc: usize, t: Target| -> Result<usize> {
        let abs = match t {
            Target::Skip(n) => pc + 1 + n,
            Target::Enosys => enosys,
            Target::Filter => filter,
            Target::Section(i) => section_start[&i],
        };
        Ok(abs - (pc + 1))
    };
    let short = |off: usize| -> Result<u8> {
        u8::try_from(off)
            .map_err(|_| SeccompError::InvalidProfile("ENOSYS stub jump out of range".into()))
    };
    let mut out = Vec::with_capacity(ops.len() * INSN_LEN);
    for (pc, op) in ops.iter().enumerate() {
        let (code, jt, jf, k) = match *op {
            Op::Ld(off) => (BPF_LD_W_ABS, 0, 0, off),
            Op::Ret(v) => (BPF_RET_K, 0, 0, v),
            Op::Ja(t) => (BPF_JMP_JA, 0, 0, resolve(pc, t)? as u32),
            Op::Jump(code, k, jt, jf) => {
                (code, short(resolve(pc, jt)?)?, short(resolve(pc, jf)?)?, k)
            }
        };
        out.extend_from_slice(&code.to_ne_bytes());
        out.push(jt);
        out.push(jf);
        out.extend_from_slice(&k.to_ne_bytes());
    }
    Ok(out)
}
