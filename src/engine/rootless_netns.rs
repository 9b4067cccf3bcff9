//! A rootless user's networks (podman's "rootless netns"): the bridges,
//! veths and nftables table of every user network of one user live in one
//! network namespace, owned by one user namespace with the containers'
//! maps (0 → the user, 1.. → the subordinate range). A small process, the
//! *holder* (`skiff __rootless-netns hold PIDFILE`, `skiff:[NETNS]`),
//! keeps both alive; a pasta attached to it (`--config-net`) is the
//! namespace's way out. A container on a user network joins the holder's
//! user namespace (so the same user namespace owns its network namespace
//! and the bridges': a veth can be moved between them), and its wiring runs
//! in `skiff __rootless-netns run`, which enters the holder's namespaces
//! and runs the bridge driver and firewall as root does on the host.
//! Nothing here touches the host's network namespace.
//!
//! Layout, in the user's runroot: `netns/lock` (flock: the holder is
//! started, used by a starting container, and stopped under it),
//! `netns/holder.pid`, `netns/pasta.pid`. A pid file counts only while the
//! pid's command line names it. The holder is started by the first start
//! on a user network and stopped with the last such container (the
//! namespace, its bridges and rules go with it).

use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use super::netsetup::{self, NetPlan};
use crate::error::{Error, Result};
use crate::network::pasta;
use crate::runtime::namespaces::{self, NsKind};
use crate::state::container::ContainerStore;
use crate::state::lock::LockGuard;
use crate::state::network::{Endpoint, Network, NetworkStore};

/// The argument that makes `skiff` the holder or a helper ([`main`]).
pub const NETNS_ARG: &str = "__rootless-netns";

/// The running holder: its pid and start time.
pub type Holder = (i32, u64);

fn dir(runroot: &Path) -> PathBuf {
    runroot.join("netns")
}

fn holder_pidfile(runroot: &Path) -> PathBuf {
    dir(runroot).join("holder.pid")
}

fn pasta_pidfile(runroot: &Path) -> PathBuf {
    dir(runroot).join("pasta.pid")
}

/// The lock under which the holder is started, joined and stopped.
pub fn lock(runroot: &Path) -> Result<LockGuard> {
    let d = dir(runroot);
    std::fs::create_dir_all(&d).map_err(|e| Error::io("creating", &d, e))?;
    LockGuard::exclusive(&d.join("lock"))
}

/// The holder, if it runs.
pub fn running(runroot: &Path) -> Option<Holder> {
    let pid = pasta::pid_file_owner(&holder_pidfile(runroot))?;
    Some((pid, crate::monitor::proc_start_time(pid)?))
}

/// The holder, started (with its pasta) unless it runs; the caller holds
/// [`lock`].
pub fn ensure(runroot: &Path) -> Result<Holder> {
    if let Some(h) = running(runroot) {
        if pasta::pid_file_owner(&pasta_pidfile(runroot)).is_none() {
            start_pasta(runroot, h.0)?;
        }
        return Ok(h);
    }
    // A holder gone with its namespace took the table the cache speaks of;
    // a pasta of that namespace serves nothing now.
    stop(runroot);
    let pidfile = holder_pidfile(runroot);
    let t0 = std::time::Instant::now();
    let pid = spawn_holder(&pidfile, "hold")?;
    let spawned = t0.elapsed();
    let stop = || kill(pid);
    let start_time = crate::monitor::proc_start_time(pid).ok_or_else(|| {
        Error::Other("the rootless network namespace's holder died at its start".into())
    })?;
    if let Err(e) = crate::state::atomic::write_volatile(&pidfile, format!("{pid}\n").as_bytes())
        .and_then(|()| start_pasta(runroot, pid))
    {
        stop();
        let _ = std::fs::remove_file(&pidfile);
        return Err(e);
    }
    log::debug!(
        "rootless netns: holder {pid} started in {spawned:?}, its pasta ready at {:?}",
        t0.elapsed()
    );
    Ok((pid, start_time))
}

fn start_pasta(runroot: &Path, pid: i32) -> Result<()> {
    pasta::start(pid, &pasta_pidfile(runroot))
        .map_err(|e| Error::Other(format!("the rootless network namespace: {e}")))
}

fn kill(pid: i32) {
    if let Some(p) = rustix::process::Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
    }
}

/// Stops the holder and its pasta unless a container other than `except`
/// uses a user network (running, or being started).
pub fn stop_if_unused(runroot: &Path, containers: &ContainerStore, except: Option<&str>) {
    let Ok(_g) = lock(runroot) else { return };
    let used = containers.all().map_or(true, |all| {
        all.iter().any(|c| {
            Some(c.id()) != except
                && on_user_network(&c.config.host_config.network_mode)
                && netsetup::in_use(&c.state)
        })
    });
    if !used {
        stop(runroot);
    }
}

/// Whether a container's network mode names a (user) network.
pub fn on_user_network(mode: &str) -> bool {
    !matches!(mode, "pasta" | "none" | "host" | "") && !mode.starts_with("container:")
}

/// Stops the holder and its pasta (the namespace goes with them).
fn stop(runroot: &Path) {
    pasta::stop(&pasta_pidfile(runroot), false);
    let f = holder_pidfile(runroot);
    if let Some(pid) = pasta::pid_file_owner(&f) {
        kill(pid);
        log::debug!("rootless netns: holder {pid} stopped");
    }
    let _ = std::fs::remove_file(f);
    let _ = std::fs::remove_file(runroot.join(netsetup::FIREWALL_CACHE));
}

/// Starts the holder: this binary re-executed, it unshares its user
/// namespace, the maps are written for it (newuidmap), it becomes root
/// there, unshares the network namespace (`verb` "hold"; "pause" keeps
/// only the user namespace: `engine::pause`), forks the holder proper (a
/// child of init once it exits) and reports its pid.
pub(crate) fn spawn_holder(pidfile: &Path, verb: &str) -> Result<i32> {
    use std::os::unix::process::CommandExt;
    let fail = |e: &dyn std::fmt::Display| {
        Error::Other(format!(
            "starting the rootless network namespace's holder: {e}"
        ))
    };
    let (maps, _) = super::userns::rootless_mappings();
    let (go_r, go_w) = rustix::pipe::pipe().map_err(|e| fail(&e))?;
    let raw = go_r.as_raw_fd();
    let mut cmd = Command::new("/proc/self/exe");
    cmd.args([NETNS_ARG, verb])
        .arg(pidfile)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: dup2, setsid and close_range are async-signal-safe; the
    // pipe goes to fd 3.
    unsafe {
        cmd.pre_exec(move || {
            libc::setsid();
            if libc::dup2(raw, 3) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // The holder outlives the caller: nothing it inherited stays.
            libc::syscall(libc::SYS_close_range, 4u32, u32::MAX, 0u32);
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| fail(&e))?;
    drop(go_r);
    let mut out = child.stdout.take().expect("piped");
    let mut ready = [0u8; 1];
    // A child that failed before its "u" says why on stderr.
    let handshake = match out.read_exact(&mut ready) {
        Err(_) => Ok(()),
        Ok(()) => namespaces::write_id_maps(child.id() as i32, &maps)
            .map_err(|e| fail(&e))
            .and_then(|()| {
                std::fs::File::from(go_w)
                    .write_all(b"g")
                    .map_err(|e| fail(&e))
            }),
    };
    let mut text = String::new();
    let _ = out.read_to_string(&mut text);
    let mut err = String::new();
    let _ = child.stderr.take().expect("piped").read_to_string(&mut err);
    let status = child.wait().map_err(|e| fail(&e))?;
    handshake?;
    match text.trim().parse::<i32>() {
        Ok(pid) if status.success() => Ok(pid),
        _ => Err(fail(&err.trim())),
    }
}

/// What a helper does inside the rootless netns.
#[derive(Serialize, Deserialize)]
pub(crate) enum Op {
    /// Wire the container `pid` (returns its DNS sockets, if any).
    Setup { plan: Box<NetPlan>, pid: i32 },
    /// Its firewall rules go (the container exited).
    Teardown { plan: Box<NetPlan> },
    /// The table recomputed from disk.
    SyncFirewall {
        runroot: PathBuf,
        networks: NetworkStore,
        containers: ContainerStore,
        except: Option<String>,
    },
    /// `network rm`.
    RemoveBridge { interface: String },
    /// `network connect` of a running container.
    Connect {
        pid: i32,
        network: Box<Network>,
        endpoint: Endpoint,
    },
    /// `network disconnect` of a running container.
    Disconnect {
        pid: i32,
        network: Box<Network>,
        endpoint: Endpoint,
    },
}

/// Runs `op` in the holder's namespaces (`skiff __rootless-netns run`,
/// the op as JSON on its stdin, the namespaces at fds 4 and 5); the
/// descriptors it sends back on fd 3.
pub(crate) fn run_in(holder: Holder, op: &Op) -> std::io::Result<Vec<OwnedFd>> {
    use std::os::unix::process::CommandExt;
    let open =
        |kind| namespaces::open_process_ns(kind, holder.0, holder.1).map_err(std::io::Error::other);
    let (user, net) = (open(NsKind::User)?, open(NsKind::Net)?);
    let (mine, theirs) = std::os::unix::net::UnixStream::pair()?;
    let json = serde_json::to_vec(op).map_err(std::io::Error::other)?;
    let raws = [theirs.as_raw_fd(), user.as_raw_fd(), net.as_raw_fd()];
    let mut cmd = Command::new("/proc/self/exe");
    cmd.args([NETNS_ARG, "run"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: fcntl, dup2 and close_range are async-signal-safe. The fds
    // are first copied above 100, so that placing one at 3..5 clobbers no
    // other; the rest are closed.
    unsafe {
        cmd.pre_exec(move || {
            let mut high = [0; 3];
            for (h, fd) in high.iter_mut().zip(raws) {
                *h = libc::fcntl(fd, libc::F_DUPFD, 100);
                if *h < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            for (i, h) in high.into_iter().enumerate() {
                if libc::dup2(h, 3 + i as i32) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(h);
            }
            libc::syscall(libc::SYS_close_range, 6u32, u32::MAX, 0u32);
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    drop((theirs, user, net));
    let wrote = child.stdin.take().expect("piped").write_all(&json);
    let fds = recv_fds(mine.as_fd());
    let mut err = String::new();
    let _ = child.stderr.take().expect("piped").read_to_string(&mut err);
    let status = child.wait()?;
    wrote?;
    if !status.success() {
        let said = err.trim();
        return Err(std::io::Error::other(if said.is_empty() {
            format!("the rootless netns helper: {status}")
        } else {
            said.to_owned()
        }));
    }
    fds
}

/// The descriptors of one message (none at end of file).
fn recv_fds(sock: std::os::fd::BorrowedFd<'_>) -> std::io::Result<Vec<OwnedFd>> {
    use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags};
    let mut buf = [0u8; 1];
    let mut space = [std::mem::MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(2))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    loop {
        let mut iov = [std::io::IoSliceMut::new(&mut buf)];
        match rustix::net::recvmsg(sock, &mut iov, &mut control, RecvFlags::CMSG_CLOEXEC) {
            Ok(_) => break,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let mut out = Vec::new();
    for cmsg in control.drain() {
        if let RecvAncillaryMessage::ScmRights(fds) = cmsg {
            out.extend(fds);
        }
    }
    Ok(out)
}

fn send_fds(sock: std::os::fd::BorrowedFd<'_>, fds: &[OwnedFd]) -> std::io::Result<()> {
    use rustix::net::{SendAncillaryBuffer, SendAncillaryMessage, SendFlags};
    let borrowed: Vec<_> = fds.iter().map(AsFd::as_fd).collect();
    let mut space = [std::mem::MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(2))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !borrowed.is_empty() {
        control.push(SendAncillaryMessage::ScmRights(&borrowed));
    }
    let iov = [std::io::IoSlice::new(b"k")];
    rustix::net::sendmsg(sock, &iov, &mut control, SendFlags::NOSIGNAL)?;
    Ok(())
}

/// `skiff __rootless-netns hold PIDFILE | pause PIDFILE | run`. Never
/// returns.
pub fn main() -> ! {
    let verb = std::env::args().nth(2).unwrap_or_default();
    let r = match verb.as_str() {
        "hold" => hold(true),
        "pause" => hold(false),
        "run" => run_op(),
        other => Err(format!("unknown verb {other:?}")),
    };
    match r {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}

/// The holder's start (see [`spawn_holder`]); the parent of the holder
/// proper exits once it has reported its pid. `net`: with a network
/// namespace of its own (else a pause process: the user namespace only).
fn hold(net: bool) -> std::result::Result<(), String> {
    fn e(what: &'static str) -> impl Fn(std::io::Error) -> String {
        move |err| format!("{what}: {err}")
    }
    // SAFETY: a fresh single-threaded process; NEWUSER and NEWNET touch
    // no descriptor table (unshare_unsafe's hazard is CLONE_FILES).
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWUSER) }
        .map_err(|x| e("unshare(CLONE_NEWUSER)")(x.into()))?;
    let mut out = std::io::stdout();
    out.write_all(b"u")
        .and_then(|()| out.flush())
        .map_err(e("writing"))?;
    // SAFETY: fd 3 is the pipe spawn_holder placed for this process.
    let mut go = unsafe { std::fs::File::from_raw_fd(3) };
    go.read_exact(&mut [0u8; 1])
        .map_err(e("waiting for the maps"))?;
    drop(go);
    let (uid, gid) = (rustix::process::Uid::ROOT, rustix::process::Gid::ROOT);
    rustix::thread::set_thread_res_gid(gid, gid, gid).map_err(|x| e("setgid 0")(x.into()))?;
    rustix::thread::set_thread_res_uid(uid, uid, uid).map_err(|x| e("setuid 0")(x.into()))?;
    if net {
        new_netns()?;
    }
    // SAFETY: single-threaded; the child only calls async-signal-safe
    // functions (dup2, open, close, pause) and never returns.
    match unsafe { libc::fork() } {
        -1 => Err(e("fork")(std::io::Error::last_os_error())),
        0 => unsafe {
            let _ = rustix::thread::set_name(if net {
                c"skiff:[NETNS]"
            } else {
                c"skiff:[PAUSE]"
            });
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            for fd in 0..3 {
                libc::dup2(null, fd);
            }
            libc::close(null);
            loop {
                libc::pause();
            }
        },
        pid => {
            // The pid file first, by the holder's side: a caller killed
            // from here on leaves a holder the next call finds, not an
            // orphan no pid file names.
            if let Some(f) = std::env::args_os().nth(3) {
                crate::state::atomic::write_volatile(
                    std::path::Path::new(&f),
                    format!("{pid}\n").as_bytes(),
                )
                .map_err(|x| {
                    // SAFETY: killing the child this process just forked.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    format!("writing the pid file: {x}")
                })?;
            }
            let mut out = std::io::stdout();
            write!(out, "{pid}")
                .and_then(|()| out.flush())
                .map_err(e("reporting the pid"))
        }
    }
}

/// The holder's own network namespace, its loopback up.
fn new_netns() -> std::result::Result<(), String> {
    // SAFETY: a fresh single-threaded process; NEWNET touches no
    // descriptor table.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNET) }
        .map_err(|x| format!("unshare(CLONE_NEWNET): {x}"))?;
    let mut nl = crate::network::netlink::Netlink::new().map_err(|x| format!("netlink: {x}"))?;
    if let Ok(Some(lo)) = nl.link_by_name("lo") {
        nl.set_up(lo.index)
            .map_err(|x| format!("setting lo up: {x}"))?;
    }
    drop(nl);
    Ok(())
}

/// A helper: enters the holder's user and network namespaces (fds 4, 5)
/// and runs the op read from stdin; descriptors go back on fd 3.
fn run_op() -> std::result::Result<(), String> {
    let mut json = Vec::new();
    std::io::stdin()
        .read_to_end(&mut json)
        .map_err(|e| format!("reading the op: {e}"))?;
    let op: Op = serde_json::from_slice(&json).map_err(|e| format!("reading the op: {e}"))?;
    // SAFETY: fds 3-5 were placed by run_in for this process alone.
    let (back, user, net) = unsafe {
        (
            OwnedFd::from_raw_fd(3),
            OwnedFd::from_raw_fd(4),
            OwnedFd::from_raw_fd(5),
        )
    };
    namespaces::join(NsKind::User, &user)
        .and_then(|()| namespaces::join(NsKind::Net, &net))
        .map_err(|e| format!("entering the rootless network namespace: {e}"))?;
    drop((user, net));
    let fds = perform(op).map_err(|e| e.to_string())?;
    send_fds(back.as_fd(), &fds).map_err(|e| format!("sending back: {e}"))
}

/// An op, in the rootless netns.
fn perform(op: Op) -> Result<Vec<OwnedFd>> {
    let other = |e: std::io::Error| Error::Other(e.to_string());
    match op {
        Op::Setup { plan, pid } => Ok(match plan.setup(pid).map_err(other)? {
            Some((udp, tcp)) => vec![OwnedFd::from(udp), OwnedFd::from(tcp)],
            None => Vec::new(),
        }),
        Op::Teardown { plan } => {
            plan.teardown();
            Ok(Vec::new())
        }
        Op::SyncFirewall {
            runroot,
            networks,
            containers,
            except,
        } => netsetup::sync_firewall(
            &runroot,
            &networks,
            &containers,
            except.as_deref(),
            None,
            false,
        )
        .map(|()| Vec::new()),
        Op::RemoveBridge { interface } => NetPlan::remove_bridge(&interface)
            .map(|()| Vec::new())
            .map_err(other),
        Op::Connect {
            pid,
            network,
            endpoint,
        } => netsetup::connect_running(pid, &network, &endpoint).map(|()| Vec::new()),
        Op::Disconnect {
            pid,
            network,
            endpoint,
        } => netsetup::disconnect_running(pid, &network, &endpoint).map(|()| Vec::new()),
    }
}

/// A rootless container's wiring (in the netns of its plan's holder):
/// its DNS sockets, as [`NetPlan::setup`] returns them.
pub(crate) fn setup(
    plan: &NetPlan,
    pid: i32,
) -> std::io::Result<Option<(std::net::UdpSocket, std::net::TcpListener)>> {
    let Some(holder) = plan.rootless_holder else {
        return plan.setup(pid);
    };
    let op = Op::Setup {
        plan: Box::new(plan.clone()),
        pid,
    };
    let mut fds = run_in(holder, &op)?;
    if fds.len() < 2 {
        return Ok(None);
    }
    let tcp = std::net::TcpListener::from(fds.pop().expect("two"));
    let udp = std::net::UdpSocket::from(fds.pop().expect("two"));
    udp.set_nonblocking(true)?;
    Ok(Some((udp, tcp)))
}

/// After the container exited: its rules go in the rootless netns, and
/// the holder with the last user of a user network.
pub(crate) fn teardown(plan: NetPlan) {
    let Some(holder) = plan.rootless_holder else {
        return plan.teardown();
    };
    if running(&plan.runroot) == Some(holder) {
        let op = Op::Teardown {
            plan: Box::new(plan.clone()),
        };
        if let Err(e) = run_in(holder, &op) {
            log::error!("container {}: removing its firewall rules: {e}", plan.id);
        }
    }
    stop_if_unused(&plan.runroot, &plan.containers, Some(&plan.id));
}

/// `op` in the running holder's namespaces; nothing when none runs (the
/// namespace went with everything in it; a disconnect has nothing to
/// undo), but a running container's connect, which needs it, fails then.
pub(crate) fn in_running(runroot: &Path, op: &Op) -> Result<()> {
    match running(runroot) {
        Some(h) => run_in(h, op)
            .map(drop)
            .map_err(|e| Error::Other(e.to_string())),
        None if matches!(op, Op::Connect { .. }) => Err(Error::Other(
            "the rootless network namespace is not running (restart the container)".into(),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_networks_are_the_named_ones() {
        for m in ["n", "bridge", "my.net"] {
            assert!(on_user_network(m), "{m}");
        }
        for m in ["pasta", "none", "host", "", "container:abc"] {
            assert!(!on_user_network(m), "{m}");
        }
    }

    #[test]
    fn no_holder_without_a_pid_file_naming_it() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(running(d.path()), None);
        std::fs::create_dir_all(dir(d.path())).unwrap();
        std::fs::write(
            holder_pidfile(d.path()),
            format!("{}\n", std::process::id()),
        )
        .unwrap();
        assert_eq!(
            running(d.path()),
            None,
            "our command line names no pid file"
        );
        // Stopping what does not run removes the stale file.
        stop(d.path());
        assert!(!holder_pidfile(d.path()).exists());
    }
}
