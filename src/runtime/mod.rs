//! The container runtime (crun's role, inside the skiff binary): starts a
//! container's process in new namespaces with its filesystem, user,
//! capabilities and seccomp filter ([`create`]), and runs extra processes
//! in a running container ([`exec`]).
//!
//! ## Process roles
//! ```text
//! caller (monitor / skiff exec)
//!   └─ fork ─▶ helper (single-threaded; enters a joined PID namespace,
//!   │           goes non-dumpable (CVE-2019-5736, see init.rs), clone3
//!   │           with CLONE_PARENT and CLONE_INTO_CGROUP, reports the pid,
//!   │           exits)
//!   └─ the container process / exec: a *direct child of the caller*
//!        init.rs: waits for go → namespaces → rootfs → user, caps → execve
//! ```
//! The helper exists because the caller may have threads: a raw `clone3`
//! skips glibc's fork handlers, so it is issued from a process that has
//! none. The caller then writes id maps, runs [`Hooks::after_spawn`],
//! sends go, and waits on the channel ([`channel`]) until the command runs
//! or the child reports why it cannot.
//!
//! ## What the caller must know
//! - [`create`] and [`exec`] return once `execve` of the command has
//!   succeeded (with `--init`: the reaper is PID 1 and its child has
//!   executed the command). The returned pid is the caller's child: the
//!   caller reaps it with `waitpid` and gets its exit status.
//! - On failure they kill and reap the child themselves. Do not reap with
//!   `waitpid(-1)` from elsewhere while they run (a short-lived helper
//!   process is also their child; losing it to someone else's `wait` is
//!   tolerated).
//! - The caller's signal mask and dispositions do not leak into the
//!   container: they are reset before `execve`.
//! - The command's `argv` is the caller's until `execve` (`ps` shows
//!   `skiff:[INIT]` etc. as the name); with `--init`, PID 1 keeps the
//!   caller's command line, visible in `/proc/1/cmdline`: the caller (the
//!   monitor, re-executed as `skiff __monitor ID`) has no secrets in it.

pub mod cgroups;
pub mod channel;
#[cfg(test)]
mod container_tests;
pub mod error;
pub mod init;
pub mod namespaces;
pub mod process;
pub mod rootfs;
pub mod seccomp;
pub mod security;
pub mod security_opt;
pub mod spec;
pub mod sys;
pub mod view;

use std::convert::Infallible;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::process::{Pid, Signal, WaitOptions};

pub use error::RuntimeError;
pub use namespaces::{ExecTarget, NsKind};
pub use security::resolve_capabilities;
pub use spec::{
    ContainerSpec, DeviceNode, IdMap, IdMappings, Mount, MountKind, NamespaceMode, Namespaces,
    NodeKind, ProcessSpec, Rlimit, Rootfs, SeccompSpec,
};

use channel::ChildChannel;
use process::Plan;

/// The process's standard streams.
#[derive(Debug)]
pub enum Io {
    /// Descriptors put on 0, 1 and 2 (`/dev/null` for a missing stdin).
    /// Pass the child's ends; the caller's copies are closed by the call.
    Pipes {
        /// Standard input; `None` is `/dev/null` (no `-i`).
        stdin: Option<OwnedFd>,
        /// Standard output.
        stdout: OwnedFd,
        /// Standard error.
        stderr: OwnedFd,
    },
    /// A new pseudo-terminal from the container's devpts; the master comes
    /// back in [`Container::pty_master`].
    Terminal,
}

/// What the caller learns when the process exists, in [`Hooks::after_spawn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spawned {
    /// The process id (caller's PID namespace).
    pub pid: i32,
    /// Whether `CLONE_INTO_CGROUP` put it into [`Hooks::cgroup_fd`]'s
    /// cgroup. `false` when no fd was given, or when the kernel refused
    /// (old kernel, not a cgroup2 directory): the hook must then move it
    /// into the v2 cgroup itself (`cgroup.procs`).
    pub in_cgroup: bool,
    /// Whether the process moves itself into its cgroups through
    /// [`Hooks::join_fds`] (before it waits for go; its failure fails the
    /// start), so the hook need not.
    pub joins_itself: bool,
}

/// The hook run once the process exists (see [`Hooks::after_spawn`]).
pub type AfterSpawn<'a> = Box<dyn FnMut(&Spawned) -> io::Result<()> + 'a>;

/// The gate before the command runs (see [`Hooks::before_exec`]).
pub type BeforeExec<'a> = Box<dyn FnMut(Option<OwnedFd>) -> io::Result<()> + 'a>;

/// The caller's part in starting a process.
#[derive(Default)]
pub struct Hooks<'a> {
    /// A cgroup v2 directory: the process is born in it (`clone3` with
    /// `CLONE_INTO_CGROUP`).
    pub cgroup_fd: Option<BorrowedFd<'a>>,
    /// Runs in the caller once the process exists and before it does
    /// anything (it waits): put it into v1 cgroups, set up its network.
    /// An error aborts the start (the process is killed and reaped).
    pub after_spawn: Option<AfterSpawn<'a>>,
    /// Runs in the caller once a container's process has set up its
    /// filesystem, before its command runs (it waits): finish what
    /// `after_spawn` started in parallel with that setup (a rootless
    /// container's pasta). A process with a network namespace of its own
    /// hands it a netlink socket made there, subscribed to its IPv4 route
    /// changes (to see when the namespace is configured). An error
    /// aborts the start. Not for execs.
    pub before_exec: Option<BeforeExec<'a>>,
    /// v1 `tasks` files ([`cgroups::Cgroup::self_join_fds`]): the process
    /// writes "0" to each before anything else, moving itself, which costs
    /// the kernel no RCU grace period (~10 ms) unlike a write of its pid by
    /// the caller.
    pub join_fds: Vec<BorrowedFd<'a>>,
}

/// A started process.
#[derive(Debug)]
pub struct Container {
    /// Its pid (caller's PID namespace); the caller's child, to be reaped.
    pub pid: i32,
    /// Field 22 of `/proc/<pid>/stat`: with the pid, identifies the process
    /// for liveness checks.
    pub start_time: u64,
    /// The pseudo-terminal master (terminal mode).
    pub pty_master: Option<OwnedFd>,
    /// Whether it was born in [`Hooks::cgroup_fd`]'s cgroup.
    pub in_cgroup: bool,
}

/// Starts a container's process; returns once its command runs.
///
/// By root, or by a user for a container with a user namespace: a new
/// one (maps written with newuidmap/newgidmap, or a single-id map) or a
/// joined one ([`ContainerSpec::join_user_ns`]).
pub fn create(spec: &ContainerSpec, io: Io, hooks: Hooks<'_>) -> Result<Container, RuntimeError> {
    validate(spec)?;
    let mut plan = Plan::new(&spec.process, true, spec.init)?;
    plan.gated = hooks.before_exec.is_some();
    let joined = namespaces::open_joined(spec)?;
    let pid_ns = joined
        .iter()
        .find(|(k, _)| *k == NsKind::Pid)
        .map(|(_, fd)| fd);
    // A joined user namespace is entered by the helper before it clones
    // (its maps are written already).
    let user_ns = match spec.join_user_ns {
        Some((pid, start_time)) => {
            Some(namespaces::open_process_ns(NsKind::User, pid, start_time)?)
        }
        None => None,
    };
    let request = Request {
        flags: namespaces::clone_flags(spec),
        user_ns: user_ns.as_ref().map(|fd| fd.as_fd()),
        pid_ns: pid_ns.map(|fd| fd.as_fd()),
        non_dumpable: spec.id_mappings.is_none(),
        id_maps: spec.id_mappings.as_ref().filter(|_| user_ns.is_none()),
    };
    let join = hooks.join_fds.clone();
    spawn(&request, hooks, |chan| {
        init::container_main(spec, &plan, io, &join, &joined, chan)
    })
}

/// Runs `process` in the running container `target` (`docker exec`):
/// in all its namespaces, at its root, with the same rules for user,
/// capabilities, `no_new_privs` and seccomp. Returns once the command
/// runs; the pid is the caller's child.
pub fn exec(
    target: &ExecTarget,
    process: &ProcessSpec,
    io: Io,
    hooks: Hooks<'_>,
) -> Result<Container, RuntimeError> {
    let plan = Plan::new(process, false, false)?;
    let request = Request {
        flags: 0,
        user_ns: target.ns(NsKind::User).map(|fd| fd.as_fd()),
        pid_ns: target.ns(NsKind::Pid).map(|fd| fd.as_fd()),
        non_dumpable: true,
        id_maps: None,
    };
    let join = hooks.join_fds.clone();
    spawn(&request, hooks, |chan| {
        init::exec_main(target, &plan, io, &join, chan)
    })
}

/// Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot).
pub fn process_start_time(pid: i32) -> io::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_comm = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    after_comm
        .split_whitespace()
        .nth(19)
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("/proc/{pid}/stat")))
}

/// Checks what the child could only fail on late.
fn validate(spec: &ContainerSpec) -> Result<(), RuntimeError> {
    if let Some(maps) = &spec.id_mappings {
        if maps.uid.is_empty() || maps.gid.is_empty() {
            return Err(RuntimeError::InvalidSpec("empty uid or gid mapping".into()));
        }
    }
    for key in spec.sysctls.keys() {
        let ns = if key.starts_with("net.") {
            &spec.namespaces.net
        } else if key.starts_with("kernel.shm")
            || key.starts_with("kernel.msg")
            || key == "kernel.sem"
            || key.starts_with("fs.mqueue.")
        {
            &spec.namespaces.ipc
        } else {
            return Err(RuntimeError::InvalidSpec(format!(
                "sysctl {key:?} is not namespaced and cannot be set in a container"
            )));
        };
        if *ns == NamespaceMode::Host {
            return Err(RuntimeError::InvalidSpec(format!(
                "sysctl {key:?} cannot be set in the host's namespace"
            )));
        }
    }
    Ok(())
}

/// How the helper creates the process.
struct Request<'a> {
    flags: u64,
    /// A user namespace to join before the PID one (an exec into a
    /// rootless container: its owner has no capabilities outside it).
    user_ns: Option<BorrowedFd<'a>>,
    pid_ns: Option<BorrowedFd<'a>>,
    non_dumpable: bool,
    id_maps: Option<&'a IdMappings>,
}

/// The parent side of the protocol (see [`channel`]).
fn spawn(
    request: &Request<'_>,
    mut hooks: Hooks<'_>,
    child: impl FnOnce(ChildChannel) -> Infallible,
) -> Result<Container, RuntimeError> {
    let (parent, child_end) =
        channel::pair().map_err(|e| RuntimeError::io("creating the channel", e))?;
    let joins = request.pid_ns.is_some() || request.user_ns.is_some();
    let (pid, in_cgroup) = if !joins && single_threaded() {
        clone_direct(request, hooks.cgroup_fd, move || child(child_end))?
    } else {
        clone_via_helper(request, hooks.cgroup_fd, move || child(child_end))?
    };
    let guard = ChildGuard(Some(pid));
    let raw = pid.as_raw_nonzero().get();
    let start_time = process_start_time(raw)
        .map_err(|e| RuntimeError::io(format!("reading /proc/{raw}/stat"), e))?;
    if let Some(maps) = request.id_maps {
        namespaces::write_id_maps(raw, maps)?;
    }
    let spawned = Spawned {
        pid: raw,
        in_cgroup,
        joins_itself: !hooks.join_fds.is_empty(),
    };
    if let Some(hook) = hooks.after_spawn.as_mut() {
        hook(&spawned).map_err(|e| RuntimeError::io("setting up the container", e))?;
    }
    parent.send_go()?;
    if let Some(gate) = hooks.before_exec.as_mut() {
        let routes = parent.wait_ready()?;
        gate(routes).map_err(|e| RuntimeError::io("setting up the container", e))?;
        parent.send_go()?;
    }
    let started = parent.wait_started()?;
    guard.disarm();
    Ok(Container {
        pid: raw,
        start_time,
        pty_master: started.pty_master,
        in_cgroup,
    })
}

/// Kills and reaps the child unless disarmed (every error path of spawn).
struct ChildGuard(Option<Pid>);

impl ChildGuard {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            let _ = rustix::process::kill_process(pid, Signal::KILL);
            let _ = rustix::process::waitpid(Some(pid), WaitOptions::empty());
        }
    }
}

/// Errors of `clone3` with `CLONE_INTO_CGROUP` after which it is retried
/// without: an old kernel (`EINVAL`, `E2BIG`), a cgroup that cannot take
/// processes (`EOPNOTSUPP`), an fd that is not a cgroup2 directory
/// (`EBADF`). The caller learns it from [`Spawned::in_cgroup`].
const CGROUP_FALLBACK: [i32; 4] = [libc::EINVAL, libc::E2BIG, libc::EOPNOTSUPP, libc::EBADF];

/// Forks the helper, which clones the process (as the caller's child, with
/// `CLONE_PARENT`) and reports `(pid, in_cgroup)` through a pipe.
fn clone_via_helper(
    request: &Request<'_>,
    cgroup: Option<BorrowedFd<'_>>,
    child: impl FnOnce() -> Infallible,
) -> Result<(Pid, bool), RuntimeError> {
    let (mut reader, writer) = io::pipe().map_err(|e| RuntimeError::io("creating a pipe", e))?;
    let helper = sys::fork_into(|| {
        let report = match helper_clone(request, cgroup, child) {
            Ok((pid, in_cgroup)) => encode_report(0, pid.as_raw_nonzero().get(), in_cgroup),
            Err(e) => encode_report(e.raw_os_error().unwrap_or(libc::EIO), 0, false),
        };
        let code = match rustix::io::write(&writer, &report) {
            Ok(_) => 0,
            Err(_) => 1,
        };
        sys::exit_now(code)
    })
    .map_err(|e| RuntimeError::io("fork", e))?;
    drop(writer);
    let mut report = [0u8; 9];
    let read = reader.read_exact(&mut report);
    // The helper exits right after writing; someone else may have reaped it.
    let _ = rustix::process::waitpid(Some(helper), WaitOptions::empty());
    read.map_err(|e| RuntimeError::io("reading the helper's report", e))?;
    let (errno, pid, in_cgroup) = decode_report(&report);
    if errno != 0 {
        return Err(RuntimeError::io(
            "clone3",
            io::Error::from_raw_os_error(errno),
        ));
    }
    let pid = Pid::from_raw(pid).ok_or_else(|| {
        RuntimeError::io(
            "clone3",
            io::Error::new(io::ErrorKind::InvalidData, "no pid"),
        )
    })?;
    Ok((pid, in_cgroup))
}

/// Whether this process has one thread (`/proc/self/task` has two links
/// more than it has threads).
fn single_threaded() -> bool {
    std::fs::metadata("/proc/self/task").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.nlink() == 3
    })
}

/// Clones the process straight from a single-threaded caller when no PID
/// namespace must be joined first: the helper's fork is saved. The child
/// is born dumpable, and goes non-dumpable as its first step (before it
/// can be seen from the container: it is alone in a new PID namespace, or
/// in the host's).
fn clone_direct(
    request: &Request<'_>,
    cgroup: Option<BorrowedFd<'_>>,
    child: impl FnOnce() -> Infallible,
) -> Result<(Pid, bool), RuntimeError> {
    let mut slot = Some(child);
    let mut run = || (slot.take().expect("the child runs once"))();
    if let Some(cg) = cgroup {
        match sys::clone_into(request.flags, Some(cg), &mut run) {
            Ok(pid) => return Ok((pid, true)),
            Err(e) if CGROUP_FALLBACK.contains(&e.raw_os_error().unwrap_or(0)) => {}
            Err(e) => return Err(RuntimeError::io("clone3", e)),
        }
    }
    let pid =
        sys::clone_into(request.flags, None, run).map_err(|e| RuntimeError::io("clone3", e))?;
    Ok((pid, false))
}

/// In the helper: enter the PID namespace, go non-dumpable (so the exec
/// child is born so), clone.
fn helper_clone(
    request: &Request<'_>,
    cgroup: Option<BorrowedFd<'_>>,
    child: impl FnOnce() -> Infallible,
) -> io::Result<(Pid, bool)> {
    if let Some(ns) = request.user_ns {
        namespaces::join(NsKind::User, ns)?;
    }
    if let Some(ns) = request.pid_ns {
        namespaces::join(NsKind::Pid, ns)?;
    }
    if request.non_dumpable {
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)?;
    }
    let flags = request.flags | libc::CLONE_PARENT as u64;
    let mut slot = Some(child);
    let mut run = || (slot.take().expect("the child runs once"))();
    if let Some(cg) = cgroup {
        match sys::clone_into(flags, Some(cg), &mut run) {
            Ok(pid) => return Ok((pid, true)),
            Err(e) if CGROUP_FALLBACK.contains(&e.raw_os_error().unwrap_or(0)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((sys::clone_into(flags, None, run)?, false))
}

fn encode_report(errno: i32, pid: i32, in_cgroup: bool) -> [u8; 9] {
    let mut out = [0u8; 9];
    out[..4].copy_from_slice(&errno.to_le_bytes());
    out[4..8].copy_from_slice(&pid.to_le_bytes());
    out[8] = in_cgroup as u8;
    out
}

fn decode_report(r: &[u8; 9]) -> (i32, i32, bool) {
    let errno = i32::from_le_bytes(r[..4].try_into().expect("4 bytes"));
    let pid = i32::from_le_bytes(r[4..8].try_into().expect("4 bytes"));
    (errno, pid, r[8] != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_of_self() {
        let me = std::process::id() as i32;
        let t = process_start_time(me).unwrap();
        assert!(t > 0);
        assert_eq!(process_start_time(me).unwrap(), t);
        assert!(process_start_time(i32::MAX).is_err());
    }

    /// CVE-2019-5736: an exec child is born non-dumpable (the helper sets
    /// it before cloning), while the caller stays as it was.
    #[test]
    fn exec_children_are_born_non_dumpable() {
        use rustix::process::{dumpable_behavior, DumpableBehavior};
        let before = dumpable_behavior().unwrap();
        let request = Request {
            flags: 0,
            user_ns: None,
            pid_ns: None,
            non_dumpable: true,
            id_maps: None,
        };
        let (pid, in_cgroup) = clone_via_helper(&request, None, || {
            let code = match dumpable_behavior() {
                Ok(DumpableBehavior::NotDumpable) => 42,
                _ => 1,
            };
            sys::exit_now(code)
        })
        .unwrap();
        assert!(!in_cgroup);
        let (_, status) = rustix::process::waitpid(Some(pid), WaitOptions::empty())
            .unwrap()
            .unwrap();
        assert_eq!(status.exit_status(), Some(42));
        assert_eq!(dumpable_behavior().unwrap(), before);
    }

    #[test]
    fn report_round_trip() {
        assert_eq!(
            decode_report(&encode_report(0, 4242, true)),
            (0, 4242, true)
        );
        assert_eq!(decode_report(&encode_report(22, 0, false)), (22, 0, false));
    }

    #[test]
    fn sysctls_must_be_namespaced() {
        let mut spec =
            ContainerSpec::new("x", Rootfs::Dir { path: "/".into() }, vec!["true".into()]);
        spec.sysctls
            .insert("net.ipv4.ip_forward".into(), "1".into());
        assert!(validate(&spec).is_ok());
        spec.namespaces.net = NamespaceMode::Host;
        assert!(validate(&spec).is_err());
        spec.sysctls.clear();
        spec.sysctls.insert("vm.swappiness".into(), "1".into());
        let e = validate(&spec).unwrap_err();
        assert!(e.to_string().contains("vm.swappiness"), "{e}");
    }
}
