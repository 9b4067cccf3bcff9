//! The reference for the comparison tests: the libseccomp-built filter
//! skiff used before its own compiler (`compile.rs`, `enosys.rs` at commit
//! bd7bf7c), kept as it was, fed with the same [`Plan`]. libseccomp is a
//! dev-dependency only.
//!
//! Two changes: the plan's parsed conditions are handed over as they are,
//! and libseccomp's native arch (x86_64 here) is removed from the filter
//! when the plan is for another host (an arm64 one, say), so that any
//! arch's filter can be compared on this machine.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::FromRawFd;

use libseccomp::{ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext};

use super::arch::Arch;
use super::compile::Plan;
use super::rules::{Action, Cmp};

fn scmp_arch(a: Arch) -> ScmpArch {
    match a {
        Arch::X8664 => ScmpArch::X8664,
        Arch::X86 => ScmpArch::X86,
        Arch::X32 => ScmpArch::X32,
        Arch::Aarch64 => ScmpArch::Aarch64,
        Arch::Arm => ScmpArch::Arm,
        Arch::Loongarch64 => ScmpArch::Loongarch64,
        Arch::Mips => ScmpArch::Mips,
        Arch::Mipsel => ScmpArch::Mipsel,
        Arch::Mips64 => ScmpArch::Mips64,
        Arch::Mips64N32 => ScmpArch::Mips64N32,
        Arch::Mipsel64 => ScmpArch::Mipsel64,
        Arch::Mipsel64N32 => ScmpArch::Mipsel64N32,
        Arch::Ppc => ScmpArch::Ppc,
        Arch::Ppc64 => ScmpArch::Ppc64,
        Arch::Ppc64Le => ScmpArch::Ppc64Le,
        Arch::Riscv64 => ScmpArch::Riscv64,
        Arch::S390 => ScmpArch::S390,
        Arch::S390X => ScmpArch::S390X,
    }
}

/// libseccomp writes the program in the filter's byte order: back to this
/// host's, to run it here. Where it copies a `ret` closer to a jump it
/// converts the value a second time (gen_bpf.c, `_gen_bpf_build_jmp_ret`
/// passes an already converted `imm_k` to `_gen_bpf_action`), which only
/// shows when the filter's byte order is not the host's: such a `ret` is
/// put right by the values the filter can return.
fn to_host_order(filter: &mut [u8], rets: &[u32]) {
    for insn in filter.chunks_exact_mut(8) {
        insn[0..2].reverse();
        insn[4..8].reverse();
        let k = u32::from_ne_bytes(insn[4..8].try_into().unwrap());
        if insn[0..2] == 0x06u16.to_ne_bytes()
            && !rets.contains(&k)
            && rets.contains(&k.swap_bytes())
        {
            insn[4..8].copy_from_slice(&k.swap_bytes().to_ne_bytes());
        }
    }
}

fn big_endian(a: ScmpArch) -> bool {
    super::arch::ARCHES
        .iter()
        .find(|i| scmp_arch(i.arch) == a)
        .is_some_and(|i| i.big_endian)
}

fn audit_of(a: ScmpArch) -> u32 {
    super::arch::ARCHES
        .iter()
        .find(|i| scmp_arch(i.arch) == a)
        .map(|i| i.audit)
        .unwrap()
}

fn scmp_action(a: Action) -> ScmpAction {
    match a {
        Action::KillThread => ScmpAction::KillThread,
        Action::KillProcess => ScmpAction::KillProcess,
        Action::Trap => ScmpAction::Trap,
        Action::Errno(e) => ScmpAction::Errno(i32::from(e)),
        Action::Trace(d) => ScmpAction::Trace(d),
        Action::Log => ScmpAction::Log,
        Action::Allow => ScmpAction::Allow,
        Action::Notify => ScmpAction::Notify,
    }
}

/// A rule of the plan, as the old code held it.
struct Rule<'a> {
    names: &'a [&'a str],
    action: ScmpAction,
    args: Vec<ScmpArgCompare>,
    indexes: Vec<u8>,
}

/// The program the old code built for `plan` (without its size check).
pub(super) fn reference_program(plan: &Plan<'_>) -> Result<Vec<u8>, String> {
    let arches: Vec<ScmpArch> = plan.arches.iter().map(|&a| scmp_arch(a)).collect();
    let rules: Vec<Rule<'_>> = plan
        .rules
        .iter()
        .map(|r| Rule {
            names: &r.names,
            action: scmp_action(r.action),
            args: r
                .conds
                .iter()
                .map(|c| {
                    let op = match c.op {
                        Cmp::Ne => ScmpCompareOp::NotEqual,
                        Cmp::Lt => ScmpCompareOp::Less,
                        Cmp::Le => ScmpCompareOp::LessOrEqual,
                        Cmp::Eq => ScmpCompareOp::Equal,
                        Cmp::Ge => ScmpCompareOp::GreaterEqual,
                        Cmp::Gt => ScmpCompareOp::Greater,
                        Cmp::MaskedEq(m) => ScmpCompareOp::MaskedEqual(m),
                    };
                    ScmpArgCompare::new(u32::from(c.index), op, c.value)
                })
                .collect(),
            indexes: r.conds.iter().map(|c| c.index).collect(),
        })
        .collect();
    let mut rets = vec![plan.default.ret(), 0];
    rets.extend(plan.rules.iter().map(|r| r.action.ret()));
    filter_program(scmp_action(plan.default), &arches, &rules, &rets)
}

fn lsc<T>(
    r: Result<T, libseccomp::error::SeccompError>,
    what: impl FnOnce() -> String,
) -> Result<T, String> {
    r.map_err(|e| format!("libseccomp: {}: {e}", what()))
}

fn needs_enosys_stub(default: ScmpAction) -> bool {
    // Permissive defaults need no stub; neither does a default of ENOSYS.
    !matches!(
        default,
        ScmpAction::Allow | ScmpAction::Log | ScmpAction::Trace(_)
    ) && default != ScmpAction::Errno(libc::ENOSYS)
}

/// The rules as a libseccomp filter for `arches`, exported as BPF behind
/// the ENOSYS stub when the default action needs one.
fn filter_program(
    default_action: ScmpAction,
    arches: &[ScmpArch],
    rules: &[Rule<'_>],
    rets: &[u32],
) -> Result<Vec<u8>, String> {
    let mut ctx = lsc(ScmpFilterContext::new(default_action), || {
        "creating filter".into()
    })?;
    let native = ScmpArch::native();
    if !arches.contains(&native) {
        // First, or libseccomp refuses arches of the other byte order.
        lsc(ctx.remove_arch(native), || {
            "removing the native arch".into()
        })?;
    }
    for &arch in arches {
        let present = lsc(ctx.is_arch_present(arch), || {
            format!("checking arch {arch:?}")
        })?;
        if !present {
            lsc(ctx.add_arch(arch), || format!("adding arch {arch:?}"))?;
        }
    }
    let rule_count: usize = rules.iter().map(|r| r.names.len()).sum();
    if rule_count > 32 {
        // Binary-tree dispatch, as runc does for longer rule sets (libseccomp
        // <= 2.5.4 misbehaves with it and zero rules). Not fatal if missing.
        let _ = ctx.set_ctl_optimize(2);
    }
    for rule in rules {
        add_rule(&mut ctx, rule, default_action)?;
    }

    let mut filter = export_bpf(&ctx)?;
    if big_endian(arches[0]) != cfg!(target_endian = "big") {
        to_host_order(&mut filter, rets);
    }
    let mut program = if needs_enosys_stub(default_action) {
        let names: Vec<&str> = rules.iter().flat_map(|r| r.names.iter().copied()).collect();
        enosys_stub(arches, &names)?
    } else {
        Vec::new()
    };
    program.extend_from_slice(&filter);
    let insns = program.len() / 8;
    if !program.len().is_multiple_of(8) || insns == 0 {
        return Err("libseccomp exported a malformed program".into());
    }
    Ok(program)
}

/// runc's `matchCall`.
fn add_rule(
    ctx: &mut ScmpFilterContext,
    rule: &Rule<'_>,
    default: ScmpAction,
) -> Result<(), String> {
    if rule.action == default {
        // Redundant (and libseccomp refuses it).
        return Ok(());
    }
    let conds = &rule.args;
    let mut per_index = [0usize; 6];
    for &i in &rule.indexes {
        per_index[usize::from(i)] += 1;
    }
    // Several conditions on the same argument: each becomes its own rule
    // (OR), like runc; otherwise one rule with all conditions (AND).
    let separate = per_index.iter().any(|&n| n > 1);
    for &name in rule.names {
        // Unknown to this libseccomp (on every arch): skip, like runc/docker.
        let Ok(sc) = libseccomp::ScmpSyscall::from_name(name) else {
            continue;
        };
        let ctx_msg = || format!("adding rule for syscall {name}");
        if separate {
            for c in conds {
                lsc(
                    ctx.add_rule_conditional(rule.action, sc, std::slice::from_ref(c)),
                    ctx_msg,
                )?;
            }
        } else {
            lsc(ctx.add_rule_conditional(rule.action, sc, conds), ctx_msg)?;
        }
    }
    Ok(())
}

fn export_bpf(ctx: &ScmpFilterContext) -> Result<Vec<u8>, String> {
    let io_err = |context: &str| {
        let context = context.to_string();
        move |e: std::io::Error| format!("{context}: {e}")
    };
    // SAFETY: plain syscall with a valid C string.
    let fd = unsafe { libc::memfd_create(c"skiff-seccomp-bpf".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io_err("memfd_create")(std::io::Error::last_os_error()));
    }
    // SAFETY: fd is a fresh descriptor we own.
    let mut file = unsafe { File::from_raw_fd(fd) };
    lsc(ctx.export_bpf(&file), || "exporting BPF".into())?;
    file.seek(SeekFrom::Start(0))
        .map_err(io_err("reading exported BPF"))?;
    let mut out = Vec::new();
    file.read_to_end(&mut out)
        .map_err(io_err("reading exported BPF"))?;
    Ok(out)
}

const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JMP_JA: u16 = 0x05; // BPF_JMP | BPF_JA
const BPF_JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGT_K: u16 = 0x25; // BPF_JMP | BPF_JGT | BPF_K
const BPF_JSET_K: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
/// Offsets in `struct seccomp_data`.
const DATA_NR: u32 = 0;
const DATA_ARCH: u32 = 4;
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
fn enosys_stub(arches: &[ScmpArch], names: &[&str]) -> Result<Vec<u8>, String> {
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
        let audit = audit_of(arch);
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
fn section(audit: u32, members: &[(ScmpArch, u32)]) -> Result<Option<Vec<Op>>, String> {
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
            return Err(format!(
                "unexpected architecture overlap on audit arch {audit:#x}"
            ));
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
) -> Result<Vec<u8>, String> {
    let resolve = |pc: usize, t: Target| -> Result<usize, String> {
        let abs = match t {
            Target::Skip(n) => pc + 1 + n,
            Target::Enosys => enosys,
            Target::Filter => filter,
            Target::Section(i) => section_start[&i],
        };
        Ok(abs - (pc + 1))
    };
    let short = |off: usize| -> Result<u8, String> {
        u8::try_from(off).map_err(|_| "ENOSYS stub jump out of range".to_string())
    };
    let mut out = Vec::with_capacity(ops.len() * 8);
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
