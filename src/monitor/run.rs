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

use super::attach::Frame;
use super::logs::{JsonFileWriter, LineBuffer};
use super::queues::{flush_clients, set_nonblock, Client, Stdin, FINAL_FLUSH};
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

/// Tells the starting command how the start went. A failure means it is
/// gone (killed while it waited): nobody hears the answer.
fn report(ready: &mut std::fs::File, id: &str, msg: &str) {
    if let Err(e) = ready.write_all(msg.as_bytes()).and_then(|()| ready.flush()) {
        log::warn!(
            "container {id}: telling the starting command {:?}: {e}",
            msg.trim_end()
        );
    }
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

/// The monitor's life. Never returns: the process exits when the container
/// (and its cleanup) is done.
pub fn run(
    setup: MonitorSetup,
    launch: Box<dyn FnOnce(ChildIo) -> Result<Launched, LaunchError>>,
    cleanup: Cleanup,
) -> ! {
    let id = setup.id.clone();
    let code = match monitor(setup, launch, cleanup) {
        Ok(()) => 0,
        Err(e) => {
            log::error!("monitor of container {id} failed: {e}");
            1
        }
    };
    // SAFETY: _exit skips destructors; the process is done.
    unsafe { libc::_exit(code) }
}

/// What the monitor opens before launching: the container's side of its
/// stdio, and the monitor's.
struct Prepared {
    child_io: ChildIo,
    rest: Opened,
}

/// The attach socket, the monitor's side of the container's stdio and the log.
struct Opened {
    listener: UnixListener,
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
        child_io,
        rest: Opened {
            listener,
            stdin_w,
            outputs,
            log,
        },
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
        let msg = msg.replace('\n', " ");
        log::error!("container {id}: start failed (exit code {code}): {msg}");
        report(ready, &id, &format!("ERR {code} {msg}\n"));
        remove_file(&run_dir.join("attach.sock"), "the attach socket");
        if let Some(late) = cleanup() {
            late();
        }
    };
    let sigfd = signal_fd(&[libc::SIGCHLD])?;
    let launched = prepared
        .map_err(|e| LaunchError {
            code: 125,
            message: format!("monitor: {e}"),
        })
        .and_then(|p| Ok((launch(p.child_io)?, p.rest)));
    let (launched, prepared) = match launched {
        Ok(l) => l,
        Err(e) => {
            fail_start(&mut ready, e.code, &e.message, cleanup);
            return Ok(());
        }
    };
    let (pid, start_time) = (launched.pid, launched.start_time);
    let mut s = Serving::new(prepared, launched, sigfd, tty)?;
    // Running, written on behalf of the command holding the lock. A state
    // that cannot be written means no start: the container goes.
    if let Err(e) = record_running(&store, &id, pid, start_time) {
        super::signal_process(pid, start_time, libc::SIGKILL);
        let mut raw = 0;
        // SAFETY: reaping our own child with a valid status pointer.
        unsafe { libc::waitpid(pid, &mut raw, 0) };
        drop(s);
        let msg = format!("writing the container state: {e}");
        fail_start(&mut ready, 125, &msg, cleanup);
        return Ok(());
    }
    report(&mut ready, &id, &format!("OK {pid} {start_time}\n"));
    drop(ready);
    if let Some(c) = first_client {
        s.add_client(c);
    }
    s.serve()?;
    s.finish(&store, &id, auto_remove, cleanup);
    Ok(())
}

/// Records the running state (and clears the last run's exit).
fn record_running(
    store: &ContainerStore,
    id: &str,
    pid: i32,
    start_time: u64,
) -> crate::Result<()> {
    let mut st = store.load_state(id).unwrap_or_else(|e| {
        log::warn!("container {id}: reading its state before recording it running: {e}");
        Default::default()
    });
    st.status = Status::Running;
    st.starter = None;
    st.pid = pid;
    st.pid_start_time = start_time;
    st.monitor_pid = std::process::id() as i32;
    st.monitor_start_time = super::proc_start_time(st.monitor_pid).unwrap_or(0);
    st.started_at = Some(time::now());
    st.finished_at = None;
    st.exit_code = 0;
    st.error.clear();
    remove_file(&store.run_dir(id).join("exit"), "the last run's exit file");
    store.save_state(id, &st)
}

/// What the monitor serves from the launch to the exit.
struct Serving {
    pid: i32,
    tty: bool,
    sigfd: OwnedFd,
    listener: UnixListener,
    /// The container's output fds (a pty master is one, "stdout"), and
    /// which of them are still open.
    outputs: Vec<(OwnedFd, &'static str)>,
    open: Vec<bool>,
    /// The partial last line of each output, for the log.
    lines: Vec<LineBuffer>,
    log: Option<JsonFileWriter>,
    stdin: Stdin,
    clients: Vec<Client>,
    dns: Option<(DnsServer, Box<dyn Records>)>,
    status: Option<i32>,
    exited_at: Option<Instant>,
}

/// What one poll found ready.
struct Ready {
    signal: bool,
    listener: bool,
    /// Per output (false for closed ones).
    outputs: Vec<bool>,
    stdin_writable: bool,
    /// Whether clients were polled for input (not while stdin is full).
    read_clients: bool,
    clients: Vec<PollFlags>,
    dns: Vec<bool>,
}

impl Serving {
    fn new(p: Opened, launched: Launched, sigfd: OwnedFd, tty: bool) -> io::Result<Serving> {
        let mut outputs = p.outputs;
        let mut stdin_w = p.stdin_w;
        if let Some(m) = launched.pty_master {
            // The pty master carries both input and output.
            stdin_w = Some(m.try_clone()?);
            outputs.push((m, "stdout"));
        }
        for (fd, _) in &outputs {
            set_nonblock(fd);
        }
        Ok(Serving {
            pid: launched.pid,
            tty,
            sigfd,
            listener: p.listener,
            open: outputs.iter().map(|_| true).collect(),
            lines: outputs.iter().map(|_| LineBuffer::default()).collect(),
            outputs,
            log: p.log,
            stdin: Stdin::new(stdin_w),
            clients: Vec::new(),
            dns: launched.dns,
            status: None,
            exited_at: None,
        })
    }

    /// The loop, until the container exited and its output drained.
    fn serve(&mut self) -> io::Result<()> {
        loop {
            // After the exit, give the output a moment to drain, then stop.
            if let Some(t) = self.exited_at {
                if !self.open.iter().any(|o| *o) || t.elapsed() > Duration::from_millis(500) {
                    return Ok(());
                }
            }
            let ready = self.poll()?;
            if let Some((d, records)) = self.dns.as_mut() {
                if ready.dns.iter().any(|r| *r) {
                    d.on_ready(&ready.dns, records.as_ref());
                }
            }
            if ready.signal {
                self.reap();
            }
            if ready.stdin_writable {
                self.stdin.flush();
            }
            self.serve_clients(&ready);
            if ready.listener {
                self.accept();
            }
            for i in 0..self.outputs.len() {
                if ready.outputs[i] && self.open[i] {
                    self.read_output(i);
                }
            }
        }
    }

    /// Wait for any fd to be ready (or a forwarded DNS query to expire,
    /// or, after the exit, a moment).
    fn poll(&mut self) -> io::Result<Ready> {
        let dns_wait = self
            .dns
            .as_mut()
            .and_then(|(d, _)| d.expire(Instant::now()));
        // Input waits while the container's stdin is full.
        let read_clients = !self.stdin.full();
        let dns_fds = self.dns.as_ref().map(|(d, _)| d.fds());
        let mut fds: Vec<PollFd> = Vec::new();
        fds.push(PollFd::new(&self.sigfd, PollFlags::IN));
        fds.push(PollFd::new(&self.listener, PollFlags::IN));
        // Closed outputs are left out: a hung-up pipe polled even with no
        // events reports POLLHUP at once, and the loop would spin.
        let live: Vec<usize> = (0..self.outputs.len()).filter(|&i| self.open[i]).collect();
        for &i in &live {
            fds.push(PollFd::new(&self.outputs[i].0, PollFlags::IN));
        }
        let stdin_at = fds.len();
        if let (true, Some(fd)) = (self.stdin.wants_write(), self.stdin.fd.as_ref()) {
            fds.push(PollFd::new(fd, PollFlags::OUT));
        }
        let clients_at = fds.len();
        for c in &self.clients {
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
        for (fd, out) in dns_fds.iter().flatten() {
            let flags = if *out {
                PollFlags::IN | PollFlags::OUT
            } else {
                PollFlags::IN
            };
            fds.push(PollFd::new(fd, flags));
        }
        let wait = match (self.exited_at.map(|_| Duration::from_millis(50)), dns_wait) {
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
        let mut outputs = vec![false; self.outputs.len()];
        for (k, &i) in live.iter().enumerate() {
            outputs[i] = got(2 + k);
        }
        let dns_count = dns_fds.as_ref().map_or(0, Vec::len);
        Ok(Ready {
            signal: got(0),
            listener: got(1),
            outputs,
            stdin_writable: clients_at > stdin_at && got(stdin_at),
            read_clients,
            clients: (0..self.clients.len())
                .map(|k| fds[clients_at + k].revents())
                .collect(),
            dns: (0..dns_count).map(|k| got(dns_at + k)).collect(),
        })
    }

    /// SIGCHLD: the container's exit code, once; other children (exec'd
    /// helpers) reaped without blocking.
    fn reap(&mut self) {
        drain_signals(&self.sigfd);
        let mut raw = 0;
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(self.pid, &mut raw, libc::WNOHANG) };
        if r == self.pid && self.status.is_none() {
            self.status = Some(exit_code(raw));
            self.exited_at = Some(Instant::now());
        }
        // Reap anything else without blocking; the container too, should
        // it exit just now.
        loop {
            // SAFETY: as above.
            let r = unsafe { libc::waitpid(-1, &mut raw, libc::WNOHANG) };
            if r <= 0 {
                break;
            }
            if r == self.pid && self.status.is_none() {
                self.status = Some(exit_code(raw));
                self.exited_at = Some(Instant::now());
            }
        }
    }

    /// Clients: output first (what they can take now), then their input.
    /// Those gone (or too far behind) are dropped.
    fn serve_clients(&mut self, ready: &Ready) {
        let mut gone = vec![false; self.clients.len()];
        for (k, c) in self.clients.iter_mut().enumerate() {
            let ev = ready.clients[k];
            if ev.contains(PollFlags::OUT) && !c.flush() {
                gone[k] = true;
                continue;
            }
            if !ready.read_clients
                || !ev.intersects(PollFlags::IN | PollFlags::HUP | PollFlags::ERR)
            {
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
                client_frame(&mut self.stdin, self.tty, f);
            }
        }
        let mut k = 0;
        self.clients.retain(|_| {
            k += 1;
            !gone[k - 1]
        });
    }

    /// New attach clients (of the engine's user or root only).
    fn accept(&mut self) {
        while let Ok((sock, _)) = self.listener.accept() {
            if let Err(why) = super::attach::check_peer(&sock) {
                log::warn!("refused an attach client: {why}");
                continue;
            }
            self.add_client(sock);
        }
    }

    fn add_client(&mut self, sock: UnixStream) {
        match Client::new(sock) {
            Ok(c) => self.clients.push(c),
            Err(e) => log::warn!("dropped an attach client: making its socket non-blocking: {e}"),
        }
    }

    /// Output `i` of the container: to the log and every client.
    fn read_output(&mut self, i: usize) {
        let mut buf = [0u8; 32 * 1024];
        // SAFETY: reading into a buffer of the stated size from an fd we own.
        let n = unsafe {
            libc::read(
                self.outputs[i].0.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        if n <= 0 {
            let again = n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock;
            if !again {
                self.open[i] = false;
            }
            return;
        }
        let bytes = &buf[..n as usize];
        let stream = self.outputs[i].1;
        if let Some(l) = self.log.as_mut() {
            for line in self.lines[i].push(bytes) {
                l.write_entry(stream, &line);
            }
        }
        let frame = if stream == "stdout" {
            Frame::Stdout(bytes.to_vec())
        } else {
            Frame::Stderr(bytes.to_vec())
        };
        self.clients.retain_mut(|c| c.push(&frame));
    }

    /// The exit: the log's last lines, the exit file, cleanup, the state
    /// (or, with --rm, the removal), then the Exit frame to the clients.
    fn finish(self, store: &ContainerStore, id: &str, auto_remove: bool, cleanup: Cleanup) {
        let Serving {
            outputs,
            mut lines,
            mut log,
            listener,
            stdin,
            dns,
            mut clients,
            status,
            ..
        } = self;
        for (i, buf) in lines.iter_mut().enumerate() {
            if let (Some(rest), Some(l)) = (buf.flush(), log.as_mut()) {
                l.write_entry(outputs[i].1, &rest);
            }
        }
        if let Some(l) = log {
            l.close();
        }
        let code = status.unwrap_or(255);
        let at = time::now();
        let run_dir = store.run_dir(id);
        if let Err(e) = super::write_exit_file(&run_dir, ExitFile { code, at }) {
            log::error!("container {id}: writing its exit file (code {code}): {e}");
        }
        drop(listener);
        drop(stdin);
        // The DNS socket holds the container's network namespace.
        drop(dns);
        remove_file(&run_dir.join("attach.sock"), "the attach socket");
        // Clean up before telling anyone: when `run --rm` returns, the name
        // and the cgroups are free again.
        let late = cleanup();
        // With --rm the state is recorded only when the removal fails.
        let mut trash = None;
        if auto_remove {
            trash = remove(store, id);
        }
        if trash.is_none() {
            record_exit(store, id, code, at);
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
    }
}

/// One frame from an attach client: input, the end of input (not with a
/// terminal), or a window size.
fn client_frame(stdin: &mut Stdin, tty: bool, f: Frame) {
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

/// Removes `path` (`what` it is), gone already being fine.
fn remove_file(path: &std::path::Path, what: &str) {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            log::warn!("removing {what} {}: {e}", path.display());
        }
        _ => {}
    }
}

/// `--rm`: removes the container from view (its files are purged after
/// the exit is reported); `None` when it could not (its exit is then
/// recorded instead).
fn remove(store: &ContainerStore, id: &str) -> Option<Option<Trash>> {
    let failed = |what: &str, e: crate::Error| {
        log::error!("container {id}: --rm: {what}: {e}; the container stays, exited");
    };
    let _g = store.lock(id).map_err(|e| failed("locking it", e)).ok()?;
    match store.load(id) {
        Ok(Some(c)) => {
            let trash = store
                .remove_deferred(&c)
                .map_err(|e| failed("removing it", e))
                .ok()?;
            // Its anonymous volumes go too, out of view before the exit is
            // reported, their files with the container's.
            let volumes = crate::state::volume::VolumeStore::new(store.root());
            let dirs = volumes
                .release_anonymous(store, &c.config)
                .unwrap_or_else(|e| {
                    log::error!("container {id}: --rm: removing its anonymous volumes: {e}");
                    Vec::new()
                });
            Some(Some(trash.with(dirs)))
        }
        Ok(None) => Some(None),
        Err(e) => {
            failed("reading it", e);
            None
        }
    }
}

/// Records the exit in the state (the exit file, written first, is the
/// reconcile fallback).
fn record_exit(store: &ContainerStore, id: &str, code: i32, at: time::UnixNanos) {
    let r = store.lock(id).and_then(|_g| {
        let mut st = store.load_state(id)?;
        st.status = Status::Exited;
        st.exit_code = code;
        st.finished_at = Some(at);
        st.pid = 0;
        store.save_state(id, &st)
    });
    if let Err(e) = r {
        log::error!("container {id}: recording its exit (code {code}) in its state: {e}");
    }
}
