//! Profile → libseccomp filter → classic BPF: the profile's conditions
//! evaluated for this host and capability set (as moby's
//! `profiles/seccomp/seccomp_linux.go` does), then a multi-architecture
//! filter built with libseccomp (as runc's `libcontainer/seccomp` does).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::fd::FromRawFd;

use libseccomp::{ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext};

use super::enosys::{enosys_stub, needs_enosys_stub};
use super::host::{parse_min_kernel, HostEnv, ARCHES};
use super::profile::{ArgJson, ProfileJson, SyscallJson};
use super::{lsc, Result, SeccompError, INSN_LEN, MAX_INSNS};

#[cfg(test)]
thread_local! {
    /// How many programs this thread actually built (tests check cache hits).
    pub(super) static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A rule that survived `includes` / `excludes`.
struct Rule<'a> {
    names: Vec<&'a str>,
    action: ScmpAction,
    args: &'a [ArgJson],
}

fn parse_action(name: &str, errno_ret: Option<u32>) -> Result<ScmpAction> {
    let code = |default: u32| -> Result<u16> {
        let v = errno_ret.unwrap_or(default);
        u16::try_from(v).map_err(|_| {
            SeccompError::InvalidProfile(format!("errnoRet {v} out of range for {name}"))
        })
    };
    Ok(match name {
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => ScmpAction::KillThread,
        "SCMP_ACT_KILL_PROCESS" => ScmpAction::KillProcess,
        "SCMP_ACT_TRAP" => ScmpAction::Trap,
        "SCMP_ACT_ERRNO" => ScmpAction::Errno(i32::from(code(libc::EPERM as u32)?)),
        "SCMP_ACT_TRACE" => ScmpAction::Trace(code(libc::EPERM as u32)?),
        "SCMP_ACT_LOG" => ScmpAction::Log,
        "SCMP_ACT_ALLOW" => ScmpAction::Allow,
        "SCMP_ACT_NOTIFY" => ScmpAction::Notify,
        other => {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown action {other:?}"
            )))
        }
    })
}

fn parse_op(op: &str, value: u64, value_two: u64) -> Result<(ScmpCompareOp, u64)> {
    Ok(match op {
        "SCMP_CMP_NE" => (ScmpCompareOp::NotEqual, value),
        "SCMP_CMP_LT" => (ScmpCompareOp::Less, value),
        "SCMP_CMP_LE" => (ScmpCompareOp::LessOrEqual, value),
        "SCMP_CMP_EQ" => (ScmpCompareOp::Equal, value),
        "SCMP_CMP_GE" => (ScmpCompareOp::GreaterEqual, value),
        "SCMP_CMP_GT" => (ScmpCompareOp::Greater, value),
        // value is the mask, valueTwo the value compared with (OCI / runc).
        "SCMP_CMP_MASKED_EQ" => (ScmpCompareOp::MaskedEqual(value), value_two),
        other => {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown argument comparison operator {other:?}"
            )))
        }
    })
}

fn parse_arch(name: &str) -> Result<ScmpArch> {
    if name == "SCMP_ARCH_NATIVE" {
        return Ok(ScmpArch::native());
    }
    ARCHES
        .iter()
        .find(|a| a.2 == name)
        .map(|a| a.0)
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

/// Builds the BPF program; `None` means "no filter" (a profile with neither a
/// default action nor syscalls, which Docker treats as unconfined).
pub(super) fn build_program(
    p: &ProfileJson,
    caps: &[String],
    env: &HostEnv,
) -> Result<Option<Vec<u8>>> {
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
    let default_action = parse_action(default_action_name, p.default_errno_ret)?;
    if default_action == ScmpAction::Notify {
        return Err(SeccompError::NotifyUnsupported("defaultAction".into()));
    }
    let arches = filter_arches(p, env)?;
    let mut rules = Vec::new();
    for call in syscalls {
        if let Some(rule) = rule_of(call, caps, env)? {
            rules.push(rule);
        }
    }
    let program = filter_program(default_action, &arches, &rules)?;
    #[cfg(test)]
    BUILDS.with(|b| b.set(b.get() + 1));
    Ok(Some(program))
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
fn filter_arches(p: &ProfileJson, env: &HostEnv) -> Result<Vec<ScmpArch>> {
    let mut arches: Vec<ScmpArch> = vec![env.arch];
    let mut push_arch = |a: ScmpArch| {
        if !arches.contains(&a) {
            arches.push(a);
        }
    };
    for a in p.architectures.as_deref().unwrap_or(&[]) {
        push_arch(parse_arch(a)?);
    }
    if let Some(m) = p
        .arch_map
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .find(|m| m.architecture == env.scmp_arch_name)
    {
        for sub in m.sub_architectures.as_deref().unwrap_or(&[]) {
            push_arch(parse_arch(sub)?);
        }
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
    if action == ScmpAction::Notify {
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
    let args = call.args.as_deref().unwrap_or(&[]);
    if let Some(a) = args.iter().find(|a| a.index >= 6) {
        return Err(SeccompError::InvalidProfile(format!(
            "argument index {} out of range (syscalls {})",
            a.index,
            names.join(", ")
        )));
    }
    Ok(Some(Rule {
        names,
        action,
        args,
    }))
}

/// The rules as a libseccomp filter for `arches`, exported as BPF behind
/// the ENOSYS stub when the default action needs one.
fn filter_program(
    default_action: ScmpAction,
    arches: &[ScmpArch],
    rules: &[Rule<'_>],
) -> Result<Vec<u8>> {
    let mut ctx = lsc(ScmpFilterContext::new(default_action), || {
        "creating filter".into()
    })?;
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

    let filter = export_bpf(&ctx)?;
    let mut program = if needs_enosys_stub(default_action) {
        let names: Vec<&str> = rules.iter().flat_map(|r| r.names.iter().copied()).collect();
        enosys_stub(arches, &names)?
    } else {
        Vec::new()
    };
    program.extend_from_slice(&filter);
    let insns = program.len() / INSN_LEN;
    if !program.len().is_multiple_of(INSN_LEN) || insns == 0 {
        return Err(SeccompError::Io {
            context: "libseccomp exported a malformed program".into(),
            source: io::Error::from(io::ErrorKind::InvalidData),
        });
    }
    if insns > MAX_INSNS {
        return Err(SeccompError::InvalidProfile(format!(
            "compiled filter has {insns} instructions, the kernel accepts at most {MAX_INSNS}"
        )));
    }
    Ok(program)
}

/// runc's `matchCall`.
fn add_rule(ctx: &mut ScmpFilterContext, rule: &Rule<'_>, default: ScmpAction) -> Result<()> {
    if rule.action == default {
        // Redundant (and libseccomp refuses it).
        return Ok(());
    }
    let mut conds = Vec::with_capacity(rule.args.len());
    let mut per_index = [0usize; 6];
    for a in rule.args {
        let (op, datum) = parse_op(&a.op, a.value.unwrap_or(0), a.value_two.unwrap_or(0))?;
        conds.push(ScmpArgCompare::new(a.index, op, datum));
        per_index[a.index as usize] += 1;
    }
    // Several conditions on the same argument: each becomes its own rule
    // (OR), like runc; otherwise one rule with all conditions (AND).
    let separate = per_index.iter().any(|&n| n > 1);
    for &name in &rule.names {
        // Unknown to this libseccomp (on every arch): skip, like runc/docker.
        let Ok(sc) = libseccomp::ScmpSyscall::from_name(name) else {
            continue;
        };
        let ctx_msg = || format!("adding rule for syscall {name}");
        if separate {
            for c in &conds {
                lsc(
                    ctx.add_rule_conditional(rule.action, sc, std::slice::from_ref(c)),
                    ctx_msg,
                )?;
            }
        } else {
            lsc(ctx.add_rule_conditional(rule.action, sc, &conds), ctx_msg)?;
        }
    }
    Ok(())
}

fn export_bpf(ctx: &ScmpFilterContext) -> Result<Vec<u8>> {
    let io_err = |context: &str| {
        let context = context.to_string();
        move |source| SeccompError::Io { context, source }
    };
    // SAFETY: plain syscall with a valid C string.
    let fd = unsafe { libc::memfd_create(c"skiff-seccomp-bpf".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io_err("memfd_create")(io::Error::last_os_error()));
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
