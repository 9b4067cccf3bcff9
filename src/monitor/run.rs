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

use super::attach::{Frame, FrameReader};
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

/// How much output may wait for one attach client. A client that falls
/// this far behind (stopped with ^Z, or not reading) is disconnected: the
/// container's output, its logs and everything else the monitor serves
/// never wait for a client.
pub const CLIENT_QUEUE_MAX: usize = 4 << 20;

/// How much input may wait for a container that does not read its stdin.
/// Beyond it the monitor stops reading from its clients (their writes
/// block, as on a pipe): input is delayed, never dropped.
pub const STDIN_QUEUE_MAX: usize = 1 << 20;

/// How long the output still queued for clients may take to drain after
/// the container exited.
const FINAL_FLUSH: Duration = Duration::from_secs(2);

/// One attach client: a non-blocking socket, its unread frames and the
/// output waiting for it.
struct Client {
    sock: UnixStream,
    frames: FrameReader,
    out: Vec<u8>,
    /// Where the unsent part of `out` starts.
    sent: usize,
}

impl Client {
    fn new(sock: UnixStream) -> io::Result<Client> {
        sock.set_nonblocking(true)?;
        Ok(Client {
            sock,
            frames: FrameReader::default(),
            out: Vec::new(),
            sent: 0,
        })
    }

    fn queued(&self) -> usize {
        self.out.len() - self.sent
    }

    /// Queues a frame and sends what the socket takes now. False: the
    /// client is gone or too far behind, drop it.
    fn push(&mut self, f: &Frame) -> bool {
        if self.queued() + 5 + f.payload_len() > CLIENT_QUEUE_MAX {
            return false;
        }
        if self.sent == self.out.len() {
            self.out.clear();
            self.sent = 0;
        }
        f.encode_into(&mut self.out);
        self.flush()
    }

    /// Sends as much as the socket takes. False when the client is gone.
    fn flush(&mut self) -> bool {
        while self.sent < self.out.len() {
            match (&self.sock).write(&self.out[self.sent..]) {
                Ok(0) => return false,
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if self.sent == self.out.len() {
            self.out.clear();
            self.sent = 0;
        } else if self.sent > (1 << 20) {
            self.out.drain(..self.sent);
            self.sent = 0;
        }
        true
    }
}

/// The container's stdin: a non-blocking pipe or pty master and the input
/// not yet written to it.
struct Stdin {
    fd: Option<OwnedFd>,
    queue: Vec<u8>,
    /// A client closed its input: close the pipe once the queue is written.
    closing: bool,
}

impl Stdin {
    fn new(fd: Option<OwnedFd>) -> Stdin {
        if let Some(fd) = &fd {
            set_nonblock(fd);
        }
        Stdin {
            fd,
            queue: Vec::new(),
            closing: false,
        }
    }

    fn full(&self) -> bool {
        self.queue.len() >= STDIN_QUEUE_MAX
    }

    fn wants_write(&self) -> bool {
        self.fd.is_some() && !self.queue.is_empty()
    }

    fn push(&mut self, b: &[u8]) {
        if self.fd.is_some() {
            self.queue.extend_from_slice(b);
            self.flush();
        }
    }

    /// Writes what the container takes now; closes the pipe when asked to
    /// and everything is written, or when the container closed its end.
    fn flush(&mut self) {
        let Some(fd) = &self.fd else { return };
        let mut done = 0;
        while done < self.queue.len() {
            match rustix::io::write(fd, &self.queue[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => break,
                // EPIPE/EIO: the container closed its stdin; the rest is moot.
                Err(_) => {
                    self.queue.clear();
                    self.fd = None;
                    return;
                }
            }
        }
        self.queue.drain(..done);
        if self.closing && self.queue.is_empty() {
            self.fd = None;
        }
    }
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
    // SAFETY: _exit skips destructors; the process is done.
    unsafe { libc::_exit(code) }
}

/// What the monitor opens before launching: the attach socket, the
/// container's stdio and the log.
struct Prepared {
    listener: UnixListener,
    child_io: ChildIo,
    stdin_w: Option<OwnedFd>,
    outputs: Vec<(OwnedFd, &'static str)>,
    log: Option<JsonFileWriter>,
}

fn prepare(setup: &MonitorSetup) -> io::Result<Prepared> {
    let run_dir = setup.store.run_dir(&setup.id);
    // A short socket path: bind relative to the run dir.
    std::env::set_current_dir(&run_dir)?;
    let _ = std::fs::remove_file("attach.sock");
    // Only the engine's user may connect: the socket is born 0600 (no
    // window with the caller's umask) and each peer's uid is checked.
    let old_mask = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o177));
    let bound = UnixListener::bind("attach.sock");
    rustix::process::umask(old_mask);
    let listener = bound.map_err(|e| io::Error::new(e.kind(), format!("attach socket: {e}")))?;
    listener.set_nonblocking(true)?;
    let log = match &setup.log_path {
        Some(p) => Some(
            JsonFileWriter::open(p)
                .map_err(|e| io::Error::new(e.kind(), format!("opening the log: {e}")))?,
        ),
        None => None,
    };
    let (child_io, stdin_w, outputs) = if setup.tty {
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
    Ok(Prepared {
        listener,
        child_io,
        stdin_w,
        outputs,
        log,
    })
}

fn monitor(
    setup: MonitorSetup,
    launch: Box<dyn FnOnce(ChildIo) -> Result<Launched, LaunchError>>,
    cleanup: Cleanup,
) -> io::Result<()> {
    let _ = rustix::thread::set_name(c"skiff:[MON]");
    let prepared = prepare(&setup);
    let MonitorSetup {
        id,
        store,
        auto_remove,
        tty,
        first_client,
        ready,
        ..
    } = setup;
    let mut ready = std::fs::File::from(ready);
    let run_dir = store.run_dir(&id);
    let fail_start = |ready: &mut std::fs::File, code: u8, msg: &str, cleanup: Cleanup| {
        report(ready, &format!("ERR {code} {}\n", msg.replace('\n', " ")));
        let _ = std::fs::remove_file(run_dir.join("attach.sock"));
        if let Some(late) = cleanup() {
            late();
        }
    };
    let sigfd = signal_fd(&[libc::SIGCHLD])?;
    let Prepared {
        listener,
        child_io,
        stdin_w,
        outputs,
        mut log,
    } = match prepared {
        Ok(p) => p,
        Err(e) => {
            fail_start(&mut ready, 125, &format!("monitor: {e}"), cleanup);
            return Ok(());
        }
    };
    let launched = match launch(child_io) {
        Ok(l) => l,
        Err(e) => {
            fail_start(&mut ready, e.code, &e.message, cleanup);
            return Ok(());
        }
    };
    let mut dns = launched.dns;
    let mut outputs: Vec<(OwnedFd, &str)> = outputs;
    let mut stdin_w = stdin_w;
    if let Some(m) = launched.pty_master {
        // The pty master carries both input and output.
        stdin_w = Some(m.try_clone()?);
        outputs.push((m, "stdout"));
    }
    for (fd, _) in &outputs {
        set_nonblock(fd);
    }
    let mut stdin = Stdin::new(stdin_w);

    // Running, written on behalf of the command holding the lock. A state
    // that cannot be written means no start: the container goes.
    let mut st = store.load_state(&id).unwrap_or_default();
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
    if let Err(e) = store.save_state(&id, &st) {
        super::signal_process(launched.pid, launched.start_time, libc::SIGKILL);
        let mut raw = 0;
        // SAFETY: reaping our own child with a valid status pointer.
        unsafe { libc::waitpid(launched.pid, &mut raw, 0) };
        drop(dns);
        fail_start(
            &mut ready,
            125,
            &format!("writing the container state: {e}"),
            cleanup,
        );
        return Ok(());
    }
    report(
        &mut ready,
        &format!("OK {} {}\n", launched.pid, launched.start_time),
    );
    drop(ready);

    let mut lines: Vec<LineBuffer> = outputs.iter().map(|_| LineBuffer::default()).collect();
    let mut clients: Vec<Client> = Vec::new();
    if let Some(c) = first_client {
        clients.extend(Client::new(c).ok());
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
        // Input waits while the container's stdin is full.
        let read_clients = !stdin.full();
        let (revents, stdin_writable, client_ev) = {
            let dns_fds = dns.as_ref().map(|(d, _)| d.fds());
            let mut fds: Vec<PollFd> = Vec::new();
            fds.push(PollFd::new(&sigfd, PollFlags::IN));
            fds.push(PollFd::new(&listener, PollFlags::IN));
            let live: Vec<usize> = (0..outputs.len()).filter(|&i| open[i]).collect();
            for &i in &live {
                fds.push(PollFd::new(&outputs[i].0, PollFlags::IN));
            }
            let stdin_at = fds.len();
            if let (true, Some(fd)) = (stdin.wants_write(), stdin.fd.as_ref()) {
                fds.push(PollFd::new(fd, PollFlags::OUT));
            }
            let clients_at = fds.len();
            for c in &clients {
                let mut flags = PollFlags::empty();
                if read_clients {
                    flags |= PollFlags::IN;
                }
                if c.queued() > 0 {
                    flags |= PollFlags::OUT;
                }
                fds.push(PollFd::new(&c.sock, flags));
            }
            let dns_at = fds.len();
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
            let stdin_writable = clients_at > stdin_at && got(stdin_at);
            let client_ev: Vec<PollFlags> = (0..clients.len())
                .map(|k| fds[clients_at + k].revents())
                .collect();
            if let Some(dfds) = dns_fds.as_ref() {
                dns_ready = (0..dfds.len()).map(|k| got(dns_at + k)).collect();
            }
            (r, stdin_writable, client_ev)
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
        if stdin_writable {
            stdin.flush();
        }
        // Clients: output first (what they can take now), then their input.
        let mut gone = vec![false; clients.len()];
        for (k, c) in clients.iter_mut().enumerate() {
            let ev = client_ev[k];
            if ev.contains(PollFlags::OUT) && !c.flush() {
                gone[k] = true;
                continue;
            }
            if !read_clients || !ev.intersects(PollFlags::IN | PollFlags::HUP | PollFlags::ERR) {
                continue;
            }
            match c.frames.fill(&mut c.sock) {
                Ok(Some(_)) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                _ => {
                    gone[k] = true;
                    continue;
                }
            }
            while let Ok(Some(f)) = c.frames.next_frame() {
                match f {
                    Frame::Stdin(b) => stdin.push(&b),
                    Frame::StdinClose if !tty => {
                        stdin.closing = true;
                        stdin.flush();
                    }
                    Frame::Resize { rows, cols } => {
                        if let (true, Some(w)) = (tty, stdin.fd.as_ref()) {
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
        let mut k = 0;
        clients.retain(|_| {
            k += 1;
            !gone[k - 1]
        });
        if revents[1] {
            while let Ok((sock, _)) = listener.accept() {
                if !super::attach::peer_allowed(&sock) {
                    continue;
                }
                clients.extend(Client::new(sock).ok());
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
            clients.retain_mut(|c| c.push(&frame));
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
    drop(stdin);
    // The DNS socket holds the container's network namespace.
    drop(dns);
    let _ = std::fs::remove_file(run_dir.join("attach.sock"));
    // Clean up before telling anyone: when `run --rm` returns, the name and
    // the cgroups are free again.
    let late = cleanup();
    // With --rm the state is recorded only when the removal fails.
    let mut trash = None;
    if auto_remove {
        trash = remove(&store, &id);
    }
    if trash.is_none() {
        record_exit(&store, &id, code, at);
    }
    clients.retain_mut(|c| c.push(&Frame::Exit(code)));
    flush_clients(&mut clients, FINAL_FLUSH);
    drop(clients);
    if let Some(late) = late {
        late();
    }
    if let Some(Some(t)) = trash {
        t.purge();
    }
    Ok(())
}

/// Gives the clients up to `limit` to take what is queued for them; those
/// that don't are dropped with it.
fn flush_clients(clients: &mut Vec<Client>, limit: Duration) {
    let start = Instant::now();
    loop {
        clients.retain_mut(|c| c.flush() && c.queued() > 0);
        let left = limit.saturating_sub(start.elapsed());
        if clients.is_empty() || left.is_zero() {
            return;
        }
        let mut fds: Vec<PollFd> = clients
            .iter()
            .map(|c| PollFd::new(&c.sock, PollFlags::OUT))
            .collect();
        let t = rustix::event::Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: left.subsec_nanos() as i64,
        };
        let _ = poll(&mut fds, Some(&t));
    }
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
