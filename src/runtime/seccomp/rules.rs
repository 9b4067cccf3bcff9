//! A profile's rules once its conditions are evaluated: actions, argument
//! comparisons and the syscall names they apply to. No architecture yet.

use super::{Result, SeccompError};

/// A seccomp action (`SCMP_ACT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    KillThread,
    KillProcess,
    Trap,
    Errno(u16),
    Trace(u16),
    Log,
    Allow,
    Notify,
}

impl Action {
    /// The filter's return value (`SECCOMP_RET_*` with its data).
    pub(super) fn ret(self) -> u32 {
        match self {
            Action::KillThread => 0x0000_0000,
            Action::KillProcess => 0x8000_0000,
            Action::Trap => 0x0003_0000,
            Action::Errno(e) => 0x0005_0000 | u32::from(e),
            Action::Trace(d) => 0x7ff0_0000 | u32::from(d),
            Action::Log => 0x7ffc_0000,
            Action::Allow => 0x7fff_0000,
            Action::Notify => 0x7fc0_0000,
        }
    }
}

pub(super) fn parse_action(name: &str, errno_ret: Option<u32>) -> Result<Action> {
    let code = |default: i32| -> Result<u16> {
        let v = errno_ret.unwrap_or(default as u32);
        u16::try_from(v).map_err(|_| {
            SeccompError::InvalidProfile(format!("errnoRet {v} out of range for {name}"))
        })
    };
    Ok(match name {
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
        "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
        "SCMP_ACT_TRAP" => Action::Trap,
        "SCMP_ACT_ERRNO" => Action::Errno(code(libc::EPERM)?),
        "SCMP_ACT_TRACE" => Action::Trace(code(libc::EPERM)?),
        "SCMP_ACT_LOG" => Action::Log,
        "SCMP_ACT_ALLOW" => Action::Allow,
        "SCMP_ACT_NOTIFY" => Action::Notify,
        other => {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown action {other:?}"
            )))
        }
    })
}

/// How an argument is compared (`SCMP_CMP_*`), as unsigned numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Cmp {
    Ne,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    /// `(arg & mask) == (value & mask)`, as libseccomp masks the value too.
    MaskedEq(u64),
}

/// One argument condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Cond {
    /// 0..=5.
    pub(super) index: u8,
    pub(super) op: Cmp,
    pub(super) value: u64,
}

pub(super) fn parse_cond(index: u32, op: &str, value: u64, value_two: u64) -> Result<Cond> {
    let (op, value) = match op {
        "SCMP_CMP_NE" => (Cmp::Ne, value),
        "SCMP_CMP_LT" => (Cmp::Lt, value),
        "SCMP_CMP_LE" => (Cmp::Le, value),
        "SCMP_CMP_EQ" => (Cmp::Eq, value),
        "SCMP_CMP_GE" => (Cmp::Ge, value),
        "SCMP_CMP_GT" => (Cmp::Gt, value),
        // value is the mask, valueTwo the value compared with (OCI / runc).
        "SCMP_CMP_MASKED_EQ" => (Cmp::MaskedEq(value), value_two),
        other => {
            return Err(SeccompError::InvalidProfile(format!(
                "unknown argument comparison operator {other:?}"
            )))
        }
    };
    let index = u8::try_from(index).ok().filter(|&i| i < 6).ok_or_else(|| {
        SeccompError::InvalidProfile(format!("argument index {index} out of range"))
    })?;
    Ok(Cond { index, op, value })
}

/// A rule that survived `includes` / `excludes`.
#[derive(Debug, Clone)]
pub(super) struct Rule<'a> {
    pub(super) names: Vec<&'a str>,
    pub(super) action: Action,
    /// All must hold (but see [`Rule::alternatives`]).
    pub(super) conds: Vec<Cond>,
}

impl Rule<'_> {
    /// The condition sets of which any one makes the rule match: runc's
    /// `matchCall`. libseccomp takes one condition per argument, so when
    /// an argument has several, runc adds each condition as a rule of its
    /// own (an OR of all of them); otherwise one rule with all (an AND).
    pub(super) fn alternatives(&self) -> Vec<Vec<Cond>> {
        let mut per_index = [0usize; 6];
        for c in &self.conds {
            per_index[usize::from(c.index)] += 1;
        }
        if per_index.iter().any(|&n| n > 1) {
            self.conds.iter().map(|c| vec![*c]).collect()
        } else {
            let mut all = self.conds.clone();
            all.sort_by_key(|c| c.index);
            vec![all]
        }
    }
}
