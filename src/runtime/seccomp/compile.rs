//! Profile → rules → BPF: the profile's conditions evaluated for this host
//! and capability set (as moby's `profiles/seccomp/seccomp_linux.go` does),
//! then what each syscall gets on each architecture of the filter
//! (`layout.rs`, libseccomp's semantics) written as classic BPF (`bpf.rs`).

use super::arch::Arch;
use super::bpf::assemble;
use super::host::{parse_min_kernel, HostEnv};
use super::layout::{layout, ENOSYS};
use super::profile::{ProfileJson, SyscallJson};
use super::rules::{parse_action, parse_cond, Action, Rule};
use super::syscalls::SOURCE;
use super::{Result, SeccompError, INSN_LEN, MAX_INSNS};

/// The compiler's version, part of the BPF cache key with the syscall
/// tables' [`SOURCE`]: bump it when the programs it writes change.
pub(super) const COMPILER_VERSION: &str = "skiff-bpf-1";

/// What the cache key takes from the compiler.
pub(super) fn compiler_id() -> String {
    format!("{COMPILER_VERSION} ({SOURCE})")
}

#[cfg(test)]
thread_local! {
    /// How many programs this thread actually built (tests check cache hits).
    pub(super) static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn parse_arch(name: &str, env: &HostEnv) -> Result<Arch> {
    if name == "SCMP_ARCH_NATIVE" {
        return Ok(env.arch);
    }
    Arch::from_scmp(name)
        .ok_or_else(|| SeccompError::InvalidProfile(format!("unknown architecture {name:?}")))
}

/// moby's `setupSeccomp` condition handling. Returns whether the rule applies.
pub(super) fn rule_applies(call: &SyscallJson, caps: &[String], env: &HostEnv) -> Result<bool> {
    let kernel_at_least = |v: &str| -> Result<bool> { Ok(env.kernel >= parse_min_kernel(v)?) };
    if let Some(ex) = &call.excludes {
        if ex
            .arches
            .as_deref()
            .is_some_and(|a| a.iter().any(|a| a == env.docker_arch))
        {
            return Ok(false);
        }
        // Excluded if the container has *any* of the capabilities.
        if ex
            .caps
            .as_deref()
            .is_some_and(|c| c.iter().any(|c| caps.contains(c)))
        {
            return Ok(false);
        }
        if let Some(mk) = &ex.min_kernel {
            if kernel_at_least(mk)? {
                return Ok(false);
            }
        }
    }
    if let Some(inc) = &call.includes {
        if let Some(arches) = inc.arches.as_deref().filter(|a| !a.is_empty()) {
            if !arches.iter().any(|a| a == env.docker_arch) {
                return Ok(false);
            }
        }
        // Included only if the container has *all* of the capabilities.
        if inc
            .caps
            .as_deref()
            .is_some_and(|c| c.iter().any(|c| !caps.contains(c)))
        {
            return Ok(false);
        }
        if let Some(mk) = &inc.min_kernel {
            if !kernel_at_least(mk)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

const KNOWN_FLAGS: &[&str] = &[
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
];

/// A profile's filter before it is written: the default action, the
/// architectures (native first) and the rules that apply.
pub(super) struct Plan<'a> {
    pub(super) default: Action,
    pub(super) arches: Vec<Arch>,
    pub(super) rules: Vec<Rule<'a>>,
}

/// The plan for `p`; `None` means "no filter" (a profile with neither a
/// default action nor syscalls, which Docker treats as unconfined).
pub(super) fn plan<'a>(
    p: &'a ProfileJson,
    caps: &[String],
    env: &HostEnv,
) -> Result<Option<Plan<'a>>> {
    let default_action_name = p.default_action.as_deref().unwrap_or("");
    let syscalls = p.syscalls.as_deref().unwrap_or(&[]);
    if default_action_name.is_empty() && syscalls.is_empty() {
        return Ok(None);
    }
    if default_action_name.is_empty() {
        return Err(SeccompError::InvalidProfile(
            "defaultAction is missing".into(),
        ));
    }
    check_profile(p)?;
    let default = parse_action(default_action_name, p.default_errno_ret)?;
    if default == Action::Notify {
        return Err(SeccompError::NotifyUnsupported("defaultAction".into()));
    }
    let arches = filter_arches(p, env)?;
    let mut rules = Vec::new();
    for call in syscalls {
        if let Some(rule) = rule_of(call, caps, env)? {
            rules.push(rule);
        }
    }
    Ok(Some(Plan {
        default,
        arches,
        rules,
    }))
}

/// Permissive defaults need no ENOSYS answers; neither does a default of
/// ENOSYS.
pub(super) fn wants_enosys(default: Action) -> bool {
    !matches!(default, Action::Allow | Action::Log | Action::Trace(_)) && default != ENOSYS
}

/// Builds the BPF program; `None` means "no filter".
pub(super) fn build_program(
    p: &ProfileJson,
    caps: &[String],
    env: &HostEnv,
) -> Result<Option<Vec<u8>>> {
    let Some(plan) = plan(p, caps, env)? else {
        return Ok(None);
    };
    let program = program_of(&plan)?;
    #[cfg(test)]
    BUILDS.with(|b| b.set(b.get() + 1));
    Ok(Some(program))
}

pub(super) fn program_of(plan: &Plan<'_>) -> Result<Vec<u8>> {
    let enosys = wants_enosys(plan.default);
    let program = assemble(&layout(plan.default, &plan.arches, &plan.rules, enosys)?);
    let insns = program.len() / INSN_LEN;
    if insns > MAX_INSNS {
        return Err(SeccompError::InvalidProfile(format!(
            "compiled filter has {insns} instructions, the kernel accepts at most {MAX_INSNS}"
        )));
    }
    Ok(program)
}

/// What the profile asks that skiff refuses: both `architectures` and
/// `archMap`, unknown flags, a notification listener.
fn check_profile(p: &ProfileJson) -> Result<()> {
    let architectures = p.architectures.as_deref().unwrap_or(&[]);
    let arch_map = p.arch_map.as_deref().unwrap_or(&[]);
    if !architectures.is_empty() && !arch_map.is_empty() {
        return Err(SeccompError::InvalidProfile(
            "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'".into(),
        ));
    }
    // Flags only change how the filter is loaded; TSYNC is moot for a
    // single-threaded init, LOG / SPEC_ALLOW / WAIT_KILLABLE_RECV are
    // accepted and ignored (none of them weakens the filter).
    for flag in p.flags.as_deref().unwrap_or(&[]) {
        if !KNOWN_FLAGS.contains(&flag.as_str()) {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown seccomp flag {flag:?}"
            )));
        }
    }
    if p.listener_path.as_deref().is_some_and(|l| !l.is_empty()) {
        return Err(SeccompError::NotifyUnsupported("listenerPath".into()));
    }
    Ok(())
}

/// Architectures of the filter: the native one, then those the profile
/// lists (or maps the native one to).
fn filter_arches(p: &ProfileJson, env: &HostEnv) -> Result<Vec<Arch>> {
    let mut arches: Vec<Arch> = vec![env.arch];
    let mut push_arch = |a: Arch| {
        if !arches.contains(&a) {
            arches.push(a);
        }
    };
    for a in p.architectures.as_deref().unwrap_or(&[]) {
        push_arch(parse_arch(a, env)?);
    }
    if let Some(m) = p
        .arch_map
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .find(|m| m.architecture == env.arch.info().scmp)
    {
        for sub in m.sub_architectures.as_deref().unwrap_or(&[]) {
            push_arch(parse_arch(sub, env)?);
        }
    }
    // One kernel, one byte order: libseccomp refuses to mix them.
    let big_endian = env.arch.info().big_endian;
    if let Some(a) = arches.iter().find(|a| a.info().big_endian != big_endian) {
        return Err(SeccompError::InvalidProfile(format!(
            "architecture {} has another byte order than {}",
            a.info().scmp,
            env.arch.info().scmp
        )));
    }
    if let Some(a) = arches.iter().find(|a| a.info().table.is_none()) {
        return Err(SeccompError::InvalidProfile(format!(
            "architecture {} is not supported: skiff's syscall tables ({SOURCE}) have none for it",
            a.info().scmp
        )));
    }
    Ok(arches)
}

/// The rule a profile entry makes, or None when its conditions leave it
/// out for these capabilities on this host.
fn rule_of<'a>(call: &'a SyscallJson, caps: &[String], env: &HostEnv) -> Result<Option<Rule<'a>>> {
    let names: Vec<&str> = match (&call.name, &call.names) {
        (Some(n), Some(ns)) if !n.is_empty() && !ns.is_empty() => {
            return Err(SeccompError::InvalidProfile(
                "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'".into(),
            ))
        }
        (Some(n), _) if !n.is_empty() => vec![n.as_str()],
        (_, Some(ns)) => ns.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    if !rule_applies(call, caps, env)? {
        return Ok(None);
    }
    let action_name = call.action.as_deref().unwrap_or("");
    let action = parse_action(action_name, call.errno_ret)?;
    if action == Action::Notify {
        return Err(SeccompError::NotifyUnsupported(format!(
            "syscalls {}",
            names.join(", ")
        )));
    }
    if names.iter().any(|n| n.is_empty()) {
        return Err(SeccompError::InvalidProfile(
            "empty string is not a valid syscall".into(),
        ));
    }
    let mut conds = Vec::new();
    for a in call.args.as_deref().unwrap_or(&[]) {
        let cond = parse_cond(
            a.index,
            &a.op,
            a.value.unwrap_or(0),
            a.value_two.unwrap_or(0),
        )
        .map_err(|e| match e {
            SeccompError::InvalidProfile(m) => {
                SeccompError::InvalidProfile(format!("{m} (syscalls {})", names.join(", ")))
            }
            e => e,
        })?;
        conds.push(cond);
    }
    Ok(Some(Rule {
        names,
        action,
        conds,
    }))
}
