//! The child's roles, each a short sequence of named steps:
//!
//! - [`container_main`]: the new container process (`skiff:[INIT]`): it
//!   waits for the caller's go, finishes its namespaces, builds the
//!   filesystem, then becomes the command (or, with `--init`, the reaper
//!   and the command's parent).
//! - [`exec_main`]: an exec (`skiff:[EXEC]`), born in the container's PID
//!   namespace, joins the others and becomes the command.
//! - [`reap`]: the `--init` reaper (`skiff:[REAPER]`).
//!
//! Every failure is sent to the caller over the channel, then the child
//! exits with docker's code for it.
//!
//! The caller's binary (skiff) keeps running in these processes until
//! `execve`, inside the container's PID namespace. To keep container
//! processes from opening it through `/proc/<pid>/exe` (CVE-2019-5736),
//! every such process is non-dumpable (`PR_SET_DUMPABLE 0`) for as long as
//! it runs skiff: the kernel then denies `/proc/<pid>/exe`, `mem`, `fd`...
//! to anyone without `CAP_SYS_PTRACE` over it. Both kinds of child are
//! born non-dumpable (the forked helper that clones them sets it before
//! `clone3`, so there is no window), except a container process with a
//! new user namespace: the id maps of a non-dumpable process cannot be
//! written by an unprivileged caller, so that one sets it right after the
//! caller has written them, before it does anything else (and while no
//! other process exists in its new PID namespace). The reaper stays
//! non-dumpable for its whole life. `execve` of the command resets the
//! flag, which is right: the command is the container's own.

use std::convert::Infallible;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use rustix::fs::Mode;
use rustix::process::{Pid, Signal, WaitOptions};

use super::channel::ChildChannel;
use super::error::{Context, SetupError};
use super::namespaces::{self, ExecTarget, NsKind};
use super::process::{self, Plan};
use super::spec::{ContainerSpec, NamespaceMode, SeccompSpec};
use super::{rootfs, seccomp, security, sys, Io};

/// Signals the reaper forwards to the command.
const FORWARDED: [i32; 7] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// The container process. Never returns.
pub fn container_main(
    spec: &ContainerSpec,
    plan: &Plan<'_>,
    io: Io,
    join: &[BorrowedFd<'_>],
    joined: &[(NsKind, OwnedFd)],
    chan: ChildChannel,
) -> ! {
    set_name(c"skiff:[INIT]");
    let Err(e) = join_cgroups(join).and_then(|()| init_steps(spec, plan, io, joined, &chan));
    fail(&chan, e)
}

/// An exec into `target`. Never returns.
pub fn exec_main(
    target: &ExecTarget,
    plan: &Plan<'_>,
    io: Io,
    join: &[BorrowedFd<'_>],
    chan: ChildChannel,
) -> ! {
    set_name(c"skiff:[EXEC]");
    let Err(e) = join_cgroups(join).and_then(|()| exec_steps(target, plan, io, &chan));
    fail(&chan, e)
}

/// Moves this (single-threaded) process into its cgroups by writing "0"
/// to each v1 `tasks` file given ([`super::Hooks::join_fds`]).
fn join_cgroups(join: &[BorrowedFd<'_>]) -> Result<(), SetupError> {
    for fd in join {
        rustix::io::write(fd, b"0").ctx(|| "joining the container's cgroup")?;
    }
    Ok(())
}

fn fail(chan: &ChildChannel, e: SetupError) -> ! {
    chan.send_error(&e);
    sys::exit_now(e.exit_code())
}

fn set_name(name: &std::ffi::CStr) {
    let _ = rustix::thread::set_name(name);
}

fn set_non_dumpable() -> Result<(), SetupError> {
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .ctx(|| "prctl(PR_SET_DUMPABLE, 0)")
}

fn init_steps(
    spec: &ContainerSpec,
    plan: &Plan<'_>,
    io: Io,
    joined: &[(NsKind, OwnedFd)],
    chan: &ChildChannel,
) -> Result<Infallible, SetupError> {
    let userns = spec.id_mappings.is_some();
    if !userns {
        set_non_dumpable()?;
    }
    rustix::process::umask(Mode::from_raw_mode(0o022));
    process::setup_stdio(io)?;
    let mut keep: Vec<i32> = joined.iter().map(|(_, fd)| fd.as_raw_fd()).collect();
    keep.push(chan.raw_fd());
    sys::close_fds_except(&keep).ctx(|| "closing inherited descriptors")?;
    chan.wait_go()?;
    // While the caller's gate runs (a rootless container's pasta, which
    // opens this process's namespaces through /proc meanwhile), the
    // process stays dumpable, when nothing but the caller's user can see
    // it: in a PID namespace of its own. Non-dumpable otherwise, as first.
    let open_to_gate = userns && plan.gated && spec.namespaces.pid == NamespaceMode::New;
    if userns {
        become_namespace_root()?;
        if open_to_gate {
            // setuid made it non-dumpable.
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::Dumpable)
                .ctx(|| "prctl(PR_SET_DUMPABLE, 1)")?;
        } else {
            set_non_dumpable()?;
        }
    }
    namespaces::join_opened(joined)?;
    finish_namespaces(spec)?;
    rootfs::setup(spec)?;
    if plan.gated {
        let routes = if spec.namespaces.net == NamespaceMode::New {
            Some(route_watch()?)
        } else {
            None
        };
        chan.send_ready(routes.as_ref().map(AsFd::as_fd))?;
        drop(routes);
        chan.wait_go()?;
        if open_to_gate {
            set_non_dumpable()?;
        }
    }
    run_process(plan, chan)
}

/// A netlink socket of this network namespace that hears its IPv4 route
/// changes (for the gate: see `Hooks::before_exec`).
fn route_watch() -> Result<OwnedFd, SetupError> {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket(2); the fd is owned from here on.
    let raw = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE,
        )
    };
    if raw < 0 {
        return Err::<OwnedFd, _>(std::io::Error::last_os_error()).ctx(|| "socket(NETLINK_ROUTE)");
    }
    // SAFETY: a descriptor just made, owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: sockaddr_nl is plain data; zeroed is its empty value.
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr.nl_groups = libc::RTMGRP_IPV4_ROUTE as u32;
    // SAFETY: addr is a valid sockaddr_nl of the size given.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&addr as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err::<OwnedFd, _>(std::io::Error::last_os_error())
            .ctx(|| "binding the route watch");
    }
    Ok(fd)
}

/// In a new user namespace: become its root (uid and gid 0 must be
/// mapped), as the process starts as the overflow id.
fn become_namespace_root() -> Result<(), SetupError> {
    let gid = rustix::process::Gid::ROOT;
    rustix::thread::set_thread_res_gid(gid, gid, gid)
        .ctx(|| "setgid 0 in the user namespace (is gid 0 mapped?)")?;
    let uid = rustix::process::Uid::ROOT;
    rustix::thread::set_thread_res_uid(uid, uid, uid)
        .ctx(|| "setuid 0 in the user namespace (is uid 0 mapped?)")
}

/// The cgroup namespace (now that the caller has placed the process in its
/// cgroups), the hostname, and `lo` in a new network namespace.
fn finish_namespaces(spec: &ContainerSpec) -> Result<(), SetupError> {
    if spec.namespaces.cgroup == NamespaceMode::New {
        sys::unshare_cgroup_ns().ctx(|| "unshare(CLONE_NEWCGROUP)")?;
    }
    if let (NamespaceMode::New, Some(name)) = (&spec.namespaces.uts, &spec.hostname) {
        rustix::system::sethostname(name.as_bytes()).ctx(|| format!("sethostname {name:?}"))?;
    }
    if spec.namespaces.net == NamespaceMode::New {
        sys::set_loopback_up().ctx(|| "setting lo up")?;
    }
    Ok(())
}

fn exec_steps(
    target: &ExecTarget,
    plan: &Plan<'_>,
    io: Io,
    chan: &ChildChannel,
) -> Result<Infallible, SetupError> {
    rustix::process::umask(Mode::from_raw_mode(0o022));
    process::setup_stdio(io)?;
    let mut keep: Vec<i32> = namespaces::NsKind::JOIN_ORDER
        .iter()
        .filter_map(|&k| target.ns(k).map(|fd| fd.as_raw_fd()))
        .collect();
    keep.push(chan.raw_fd());
    sys::close_fds_except(&keep).ctx(|| "closing inherited descriptors")?;
    chan.wait_go()?;
    target.join_all()?;
    sys::close_fds_except(&[chan.raw_fd()]).ctx(|| "closing namespace descriptors")?;
    run_process(plan, chan)
}

/// From user resolution to `execve`: the steps shared by the container
/// process and execs. With `--init`, the process forks here: PID 1 becomes
/// the reaper, its child goes on to the command.
fn run_process(plan: &Plan<'_>, chan: &ChildChannel) -> Result<Infallible, SetupError> {
    let p = plan.spec;
    let user = security::resolve_user_in_container(&p.user, &p.additional_groups)?;
    let env = process::build_env(p, &user.home, &process::hostname());
    process::set_oom_score_adj(p.oom_score_adj)?;
    process::set_rlimits(&plan.rlimits)?;
    process::enter_cwd(&p.cwd, plan.create_cwd)?;
    if p.terminal {
        process::setup_terminal(chan, user.uid)?;
    } else {
        rustix::process::setsid().ctx(|| "setsid")?;
    }
    security::limit_bounding_set(plan.caps)?;
    security::switch_user(&user)?;
    security::set_capabilities(plan.caps | interim_caps(plan))?;
    if plan.reaper {
        let mut watched = FORWARDED.to_vec();
        watched.push(libc::SIGCHLD);
        let set = sys::SigSet::of(&watched);
        set.block().ctx(|| "sigprocmask")?;
        let child = sys::clone_into(0, None, || {
            let Err(e) = reaped_child(plan, &env, chan);
            fail(chan, e)
        })
        .ctx(|| "fork of the command under --init")?;
        reap(child, &set)
    }
    exec_command(plan, &env, chan)
}

/// Seccomp comes last. Without `no_new_privs` the kernel wants
/// `CAP_SYS_ADMIN` to install a filter, so then that one capability is
/// kept until the filter is in, and dropped right after.
fn interim_caps(plan: &Plan<'_>) -> u64 {
    let p = plan.spec;
    let filtered = matches!(p.seccomp, SeccompSpec::Filter(_));
    if filtered && !p.no_new_privileges && plan.caps & security::sys_admin_bit() == 0 {
        security::sys_admin_bit()
    } else {
        0
    }
}

/// The command under `--init`: with a terminal, it takes the foreground.
fn reaped_child(
    plan: &Plan<'_>,
    env: &[String],
    chan: &ChildChannel,
) -> Result<Infallible, SetupError> {
    if plan.spec.terminal {
        process::take_terminal_foreground()?;
    }
    exec_command(plan, env, chan)
}

/// The last steps: find the program, `no_new_privs`, report, reset
/// signals, seccomp, final capabilities, `execve`.
fn exec_command(
    plan: &Plan<'_>,
    env: &[String],
    chan: &ChildChannel,
) -> Result<Infallible, SetupError> {
    let p = plan.spec;
    let exe = process::look_path(&p.args[0], env)?;
    if p.no_new_privileges {
        security::set_no_new_privs()?;
    }
    chan.send_executing()?;
    process::reset_signals()?;
    seccomp::install(&p.seccomp).ctx(|| "installing the seccomp filter")?;
    if interim_caps(plan) != 0 {
        security::set_capabilities(plan.caps)?;
    }
    Err(process::exec(&exe, &p.args, env))
}

/// The reaper's loop: forwards signals to `child`, reaps every process
/// that ends, exits with `child`'s status (128 + signal when killed).
pub fn reap(child: Pid, set: &sys::SigSet) -> ! {
    set_name(c"skiff:[REAPER]");
    let _ = sys::close_fds_except(&[]);
    // Orphans come to PID 1 anyway; this covers `--pid host`.
    let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
    loop {
        let sig = match set.wait() {
            Ok(sig) => sig,
            Err(_) => continue,
        };
        if sig != libc::SIGCHLD {
            if let Some(sig) = Signal::from_named_raw(sig) {
                let _ = rustix::process::kill_process(child, sig);
            }
            continue;
        }
        while let Ok(Some((pid, status))) = rustix::process::wait(WaitOptions::NOHANG) {
            if pid == child {
                let code = match (status.exit_status(), status.terminating_signal()) {
                    (Some(code), _) => code,
                    (None, Some(sig)) => 128 + sig,
                    _ => 1,
                };
                drain_zombies();
                sys::exit_now(code);
            }
        }
    }
}

/// Reaps what has already ended, without waiting. (`wait`, not
/// `waitpid(None)`: the latter is `wait4(0)`, this process group only.)
fn drain_zombies() {
    while let Ok(Some(_)) = rustix::process::wait(WaitOptions::NOHANG) {}
}
