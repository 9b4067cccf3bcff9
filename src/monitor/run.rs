//! The monitor process: one per running container, forked (and detached
//! with setsid) by the command that starts it. No async runtime: one poll
//! loop over the container's output, the attach socket and a signalfd.
//!
//! Start protocol: the starting command holds the container lock and waits
//! on the `ready` pipe; the monitor launches the container, writes the
//! running state on the command's behalf, then reports `OK <pid> <start>`
//! (or `ERR <code> <message>`) and the command lets go of the lock. Every
//! later state change the monitor makes under the lock itself.

use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};

use super::attach::{send, Frame, FrameReader};
use super::logs::{JsonFileWriter, LineBuffer};
use super::ExitFile;
use crate::network::dns::{DnsServer, Records};
use crate::state::container::{ContainerStore, Status, Trash};
use crate::util::time;

/// The container's side of its stdio, handed to the runtime.
pub enum ChildIo {
    Pipes {
        stdin: Option<OwnedFd>,
        stdout: OwnedFd,
        stderr: OwnedFd,
    },
    /// The runtime makes a pty inside the container and returns its master.
    Terminal,
}

/// What the runtime reports once the container process runs.
pub struct Launched {
    pub pid: i32,
    pub start_time: u64,
    pub pty_master: Option<OwnedFd>,
    /// The container's DNS server (user networks) and what it answers.
    pub dns: Option<(DnsServer, Box<dyn Records>)>,
}

/// A failed launch: docker's exit code (125/126/127) and the message.
pub struct LaunchError {
    pub code: u8,
    pub message: String,
}

pub struct MonitorSetup {
    pub id: String,
    pub store: ContainerStore,
    /// The json-file log; `None` for `--log-driver none`.
    pub log_path: Option<PathBuf>,
    pub tty: bool,
    pub open_stdin: bool,
    pub auto_remove: bool,
    /// The starting command's end of the attach stream, if it attaches.
    pub first_client: Option<UnixStream>,
    pub ready: OwnedFd,
}

/// Called after the container exited (remove cgroups etc.); what it
/// returns runs once the exit has been reported (slow work nobody waits
/// for: the network's rules).
pub type Cleanup = Box<dyn FnOnce() -> Option<LateCleanup>>;
pub type LateCleanup = Box<dyn FnOnce()>;

fn report(ready: &mut std::fs::File, msg: &str) {
    let _ = ready.write_all(msg.as_bytes());
    let _ = ready.flush();
}

fn signal_fd(sigs: &[libc::c_int]) -> io::Result<OwnedFd> {
    // SAFETY: sigset_t is plain data; the libc calls get valid pointers.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in sigs {
            libc::sigaddset(&mut set, *s);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let fd = libc::signalfd(-1, &set, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

fn drain_signals(fd: &OwnedFd) {
    let mut buf = [0u8; 128];
    // SAFETY: reading into a buffer of the stated size.
    while unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(Into::into)
}

fn set_nonblock(fd: &OwnedFd) {
    if let Ok(fl) = rustix::fs::fcntl_getfl(fd) {
        let _ = rustix::fs::fcntl_setfl(fd, fl | rustix::fs::OFlags::NONBLOCK);
    }
}

/// Exit status of a waitpid: the code, or 128 + signal.
fn exit_code(status: i32) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        -1
    }
}

struct Client {
    sock: UnixStream,
    frames: FrameReader,
}

/// The monitor's life. Never returns: the process exits when the container
/// (and its cleanup) is done.
pub fn run(
    setup: MonitorSetup,
    launch: Box<dyn FnOnce(ChildIo) -> Result<Launched, LaunchError>>,
    cleanup: Cleanup,
) -> ! {
    let code = match monitor(setup, launch, cleanup) {
        Ok(()) => 0,
        Err(_) => 1,
    };
    // SAFETY: _exit skips destructors of the forked copy of the CLI's state.
    unsafe { libc::_exit(code) }
}

fn monitor(
    setup: MonitorSetup,
    launch: Box<dyn FnOnce(ChildIo) -> Result<Launched, LaunchError>>,
    cleanup: Cleanup,
) -> io::Result<()> {
    let _ = rustix::thread::set_name(c"skiff:[MON]");
    let mut ready = std::fs::File::from(setup.ready);
    let run_dir = setup.store.run_dir(&setup.id);
    let sigfd = signal_fd(&[libc::SIGCHLD])?;
    // A short socket path: bind relative to the run dir.
    let _ = std::env::set_current_dir(&run_dir);
    let _ = std::fs::remove_file("attach.sock");
    // Only the engine's user may connect: the socket is born 0600 (no
    // window with the caller's umask) and each peer's uid is checked.
    let old_mask = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o177));
    let bound = UnixListener::bind("attach.sock");
    rustix::process::umask(old_mask);
    let listener = bound?;
    listener.set_nonblocking(true)?;

    let (child_io, mut stdin_w, outputs) = if setup.tty {
        (ChildIo::Terminal, None, Vec::new())
    } else {
        let (stdin_r, stdin_w) = if setup.open_stdin {
            let (r, w) = pipe()?;
            (Some(r), Some(w))
        } else {
            (None, None)
        };
        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        (
            ChildIo::Pipes {
                stdin: stdin_r,
                stdout: out_w,
                stderr: err_w,
            },
            stdin_w,
            vec![(out_r, "stdout"), (err_r, "stderr")],
        )
    };
    let launched = match launch(child_io) {
        Ok(l) => l,
        Err(e) => {
            report(
                &mut ready,
                &format!("ERR {} {}\n", e.code, e.message.replace('\n', " ")),
            );
            let _ = std::fs::remove_file("attach.sock");
            if let Some(late) = cleanup() {
                late();
            }
            return Ok(());
        }
    };
    let mut dns = launched.dns;
    let mut outputs: Vec<(OwnedFd, &str)> = outputs;
    if let Some(m) = launched.pty_master {
        // The pty master carries both input and output.
        let input = m.try_clone()?;
        stdin_w = Some(input);
        outputs.push((m, "stdout"));
    }
    for (fd, _) in &outputs {
        set_nonblock(fd);
    }

    // Running, written on behalf of the command holding the lock.
    let mut st = setup.store.load_state(&setup.id).unwrap_or_default();
    st.status = Status::Running;
    st.starter = None;
    st.pid = launched.pid;
    st.pid_start_time = launched.start_time;
    st.monitor_pid = std::process::id() as i32;
    st.monitor_start_time = super::proc_start_time(st.monitor_pid).unwrap_or(0);
    st.started_at = Some(time::now());
    st.finished_at = None;
    st.exit_code = 0;
    st.error.clear();
    let _ = std::fs::remove_file(run_dir.join("exit"));
    if setup.store.save_state(&setup.id, &st).is_err() {
        report(&mut ready, "ERR 125 could not write the container state\n");
    }
    report(
        &mut ready,
        &format!("OK {} {}\n", launched.pid, launched.start_time),
    );
    drop(ready);

    let mut log = setup
        .log_path
        .as_ref()
        .and_then(|p| JsonFileWriter::open(p).ok());
    let mut lines: Vec<LineBuffer> = outputs.iter().map(|_| LineBuffer::default()).collect();
    let mut clients: Vec<Client> = Vec::new();
    if let Some(c) = setup.first_client {
        clients.push(Client {
            sock: c,
            frames: FrameReader::default(),
        });
    }
    let mut status: Option<i32> = None;
    let mut exited_at: Option<Instant> = None;
    let mut open: Vec<bool> = outputs.iter().map(|_| true).collect();
    loop {
        // After the exit, give the output a moment to drain, then stop.
        if let Some(t) = exited_at {
            if !open.iter().any(|o| *o) || t.elapsed() > Duration::from_millis(500) {
                break;
            }
        }
        let mut dns_ready: Vec<bool> = Vec::new();
        // Closed outputs are left out: a hung-up pipe polled even with no
        // events reports POLLHUP at once, and the loop would spin.
        // Forwarded DNS queries expire: wake up for them too.
        let dns_wait = dns.as_mut().and_then(|(d, _)| d.expire(Instant::now()));
        let revents: Vec<bool> = {
            let dns_fds = dns.as_ref().map(|(d, _)| d.fds());
            let mut fds: Vec<PollFd> = Vec::new();
            fds.push(PollFd::new(&sigfd, PollFlags::IN));
            fds.push(PollFd::new(&listener, PollFlags::IN));
            let live: Vec<usize> = (0..outputs.len()).filter(|&i| open[i]).collect();
            for &i in &live {
                fds.push(PollFd::new(&outputs[i].0, PollFlags::IN));
            }
            for c in &clients {
                fds.push(PollFd::new(&c.sock, PollFlags::IN));
            }
            if let Some(dfds) = dns_fds.as_ref() {
                for (fd, out) in dfds {
                    let flags = if *out {
                        PollFlags::IN | PollFlags::OUT
                    } else {
                        PollFlags::IN
                    };
                    fds.push(PollFd::new(fd, flags));
                }
            }
            let wait = match (exited_at.map(|_| Duration::from_millis(50)), dns_wait) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timeout = wait.map(|w| rustix::event::Timespec {
                tv_sec: w.as_secs() as i64,
                tv_nsec: w.subsec_nanos() as i64,
            });
            match poll(&mut fds, timeout.as_ref()) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
            let got = |k: usize| !fds[k].revents().is_empty();
            let mut r = vec![got(0), got(1)];
            let mut per_output = vec![false; outputs.len()];
            for (k, &i) in live.iter().enumerate() {
                per_output[i] = got(2 + k);
            }
            r.extend(per_output);
            let base = 2 + live.len();
            r.extend((0..clients.len()).map(|k| got(base + k)));
            if let Some(dfds) = dns_fds.as_ref() {
                let d = base + clients.len();
                dns_ready = (0..dfds.len()).map(|k| got(d + k)).collect();
            }
            r
        };
        if let Some((d, records)) = dns.as_mut() {
            if dns_ready.iter().any(|r| *r) {
                d.on_ready(&dns_ready, records.as_ref());
            }
        }
        if revents[0] {
            drain_signals(&sigfd);
            let mut raw = 0;
            // SAFETY: waitpid on our own child with a valid status pointer.
            let r = unsafe { libc::waitpid(launched.pid, &mut raw, libc::WNOHANG) };
            if r == launched.pid && status.is_none() {
                status = Some(exit_code(raw));
                exited_at = Some(Instant::now());
            }
            // Reap anything else (exec'd helpers) without blocking; the
            // container too, should it exit just now.
            loop {
                // SAFETY: as above.
                let r = unsafe { libc::waitpid(-1, &mut raw, libc::WNOHANG) };
                if r <= 0 {
                    break;
                }
                if r == launched.pid && status.is_none() {
                    status = Some(exit_code(raw));
                    exited_at = Some(Instant::now());
                }
            }
        }
        if revents[1] {
            while let Ok((sock, _)) = listener.accept() {
                if !super::attach::peer_allowed(&sock) {
                    continue;
                }
                let _ = sock.set_nonblocking(false);
                clients.push(Client {
                    sock,
                    frames: FrameReader::default(),
                });
            }
        }
        for i in 0..outputs.len() {
            if !revents[2 + i] || !open[i] {
                continue;
            }
            let mut buf = [0u8; 32 * 1024];
            // SAFETY: reading into a buffer of the stated size from an fd we own.
            let n =
                unsafe { libc::read(outputs[i].0.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                let again = n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock;
                if !again {
                    open[i] = false;
                }
                continue;
            }
            let bytes = &buf[..n as usize];
            let stream = outputs[i].1;
            if let Some(l) = log.as_mut() {
                for line in lines[i].push(bytes) {
                    let _ = l.write(stream, &line);
                }
            }
            let frame = if stream == "stdout" {
                Frame::Stdout(bytes.to_vec())
            } else {
                Frame::Stderr(bytes.to_vec())
            };
            clients.retain_mut(|c| send(&mut c.sock, &frame).is_ok());
        }
        let base = 2 + outputs.len();
        let mut gone = Vec::new();
        for (k, c) in clients.iter_mut().enumerate() {
            if !revents.get(base + k).copied().unwrap_or(false) {
                continue;
            }
            match c.frames.fill(&mut c.sock) {
                Ok(Some(_)) => {}
                _ => {
                    gone.push(k);
                    continue;
                }
            }
            while let Ok(Some(f)) = c.frames.next_frame() {
                match f {
                    Frame::Stdin(b) => {
                        if let Some(w) = stdin_w.as_ref() {
                            let _ = rustix::io::write(w, &b);
                        }
                    }
                    Frame::StdinClose if !setup.tty => stdin_w = None,
                    Frame::Resize { rows, cols } => {
                        if let (true, Some(w)) = (setup.tty, stdin_w.as_ref()) {
                            let ws = rustix::termios::Winsize {
                                ws_row: rows,
                                ws_col: cols,
                                ws_xpixel: 0,
                                ws_ypixel: 0,
                            };
                            let _ = rustix::termios::tcsetwinsize(w.as_fd(), ws);
                        }
                    }
                    _ => {}
                }
            }
        }
        for k in gone.into_iter().rev() {
            clients.remove(k);
        }
    }
    for (i, buf) in lines.iter_mut().enumerate() {
        if let (Some(rest), Some(l)) = (buf.flush(), log.as_mut()) {
            let _ = l.write(outputs[i].1, &rest);
        }
    }
    let code = status.unwrap_or(255);
    let at = time::now();
    let _ = super::write_exit_file(&run_dir, ExitFile { code, at });
    drop(listener);
    // The DNS socket holds the container's network namespace.
    drop(dns);
    let _ = std::fs::remove_file(run_dir.join("attach.sock"));
    // Clean up before telling anyone: when `run --rm` returns, the name and
    // the cgroups are free again.
    let late = cleanup();
    // With --rm the state is recorded only when the removal fails.
    let mut trash = None;
    if setup.auto_remove {
        trash = remove(&setup.store, &setup.id);
    }
    if trash.is_none() {
        record_exit(&setup.store, &setup.id, code, at);
    }
    for c in clients.iter_mut() {
        let _ = send(&mut c.sock, &Frame::Exit(code));
    }
    drop(clients);
    if let Some(late) = late {
        late();
    }
    if let Some(Some(t)) = trash {
        t.purge();
    }
    Ok(())
}

/// `--rm`: removes the container from view (its files are purged after
/// the exit is reported); `None` when it could not.
fn remove(store: &ContainerStore, id: &str) -> Option<Option<Trash>> {
    let _g = store.lock(id).ok()?;
    match store.load(id) {
        Ok(Some(c)) => store.remove_deferred(&c).ok().map(Some),
        Ok(None) => Some(None),
        Err(_) => None,
    }
}

/// Records the exit in the state (the exit file, written first, is the
/// reconcile fallback).
fn record_exit(store: &ContainerStore, id: &str, code: i32, at: time::UnixNanos) {
    if let Ok(_g) = store.lock(id) {
        if let Ok(mut st) = store.load_state(id) {
            st.status = Status::Exited;
            st.exit_code = code;
            st.finished_at = Some(at);
            st.pid = 0;
            let _ = store.save_state(id, &st);
        }
    }
}
