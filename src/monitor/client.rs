//! The client side of attach: relays this process's stdio to a monitor's
//! attach socket until the container exits or the user detaches
//! (Ctrl-P Ctrl-Q by default). With a terminal it switches stdin to raw
//! mode and forwards window size changes; with `sig_proxy` it forwards the
//! signals it receives to the container.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use rustix::event::{poll, PollFd, PollFlags};
use rustix::termios;

use super::attach::{send, Frame, FrameReader};

#[derive(Debug, Clone, Default)]
pub struct RelayOptions {
    /// Forward our stdin.
    pub stdin: bool,
    /// The container has a terminal: raw mode and window sizes.
    pub tty: bool,
    pub detach_keys: Vec<u8>,
    /// Forward signals to this pid (and start time) of the container.
    pub sig_proxy: Option<(i32, u64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayEnd {
    Exited(i32),
    Detached,
    /// The monitor went away without saying how the container ended.
    Disconnected,
}

/// Restores the terminal mode when dropped.
struct RawMode {
    saved: termios::Termios,
}

impl RawMode {
    fn enter() -> Option<RawMode> {
        let stdin = io::stdin();
        let saved = termios::tcgetattr(stdin.as_fd()).ok()?;
        let mut raw = saved.clone();
        raw.make_raw();
        termios::tcsetattr(stdin.as_fd(), termios::OptionalActions::Now, &raw).ok()?;
        Some(RawMode { saved })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(
            io::stdin().as_fd(),
            termios::OptionalActions::Now,
            &self.saved,
        );
    }
}

const PROXIED: [libc::c_int; 7] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// Block the proxied signals and read them from a signalfd instead.
fn signal_fd() -> io::Result<OwnedFd> {
    // SAFETY: sigset_t is plain data; the libc calls get valid pointers.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in PROXIED {
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = libc::signalfd(-1, &set, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

fn read_signal(fd: BorrowedFd<'_>) -> Option<i32> {
    let mut info = [0u8; 128]; // sizeof(struct signalfd_siginfo)
                               // SAFETY: reading into a buffer of the stated size.
    let n = unsafe { libc::read(fd.as_raw_fd(), info.as_mut_ptr().cast(), info.len()) };
    (n == 128).then(|| u32::from_ne_bytes([info[0], info[1], info[2], info[3]]) as i32)
}

fn window_size() -> Option<(u16, u16)> {
    let ws = termios::tcgetwinsize(io::stdout().as_fd()).ok()?;
    Some((ws.ws_row, ws.ws_col))
}

/// Relay until the container exits, the user detaches, or the monitor goes away.
pub fn relay(mut sock: UnixStream, opts: &RelayOptions) -> io::Result<RelayEnd> {
    let sigfd = signal_fd()?;
    let _raw = if opts.tty && opts.stdin {
        RawMode::enter()
    } else {
        None
    };
    if opts.tty {
        if let Some((rows, cols)) = window_size() {
            send(&mut sock, &Frame::Resize { rows, cols })?;
        }
    }
    let mut stdin_open = opts.stdin;
    if !stdin_open {
        send(&mut sock, &Frame::StdinClose)?;
    }
    let mut frames = FrameReader::default();
    let mut matched = 0usize; // how much of the detach sequence we hold back
    let stdin = io::stdin();
    let mut out = io::stdout();
    let mut err = io::stderr();
    loop {
        let sock_fd = sock.try_clone()?;
        let mut fds = vec![
            PollFd::new(&sock_fd, PollFlags::IN),
            PollFd::new(&sigfd, PollFlags::IN),
        ];
        if stdin_open {
            fds.push(PollFd::new(&stdin, PollFlags::IN));
        }
        match poll(&mut fds, None) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
        let (sock_ready, sig_ready) = (!fds[0].revents().is_empty(), !fds[1].revents().is_empty());
        let stdin_ready = stdin_open && !fds[2].revents().is_empty();
        drop(fds);
        if sig_ready {
            while let Some(sig) = read_signal(sigfd.as_fd()) {
                if sig == libc::SIGWINCH {
                    if let (true, Some((rows, cols))) = (opts.tty, window_size()) {
                        send(&mut sock, &Frame::Resize { rows, cols })?;
                    }
                } else if let Some((pid, start)) = opts.sig_proxy {
                    crate::monitor::signal_process(pid, start, sig);
                }
            }
        }
        if stdin_ready {
            let mut buf = [0u8; 8192];
            let n = match stdin.lock().read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => 0,
            };
            if n == 0 {
                stdin_open = false;
                send(&mut sock, &Frame::StdinClose)?;
            } else {
                let mut fwd = Vec::with_capacity(n);
                for &b in &buf[..n] {
                    if !opts.detach_keys.is_empty() && b == opts.detach_keys[matched] {
                        matched += 1;
                        if matched == opts.detach_keys.len() {
                            if !fwd.is_empty() {
                                send(&mut sock, &Frame::Stdin(fwd))?;
                            }
                            return Ok(RelayEnd::Detached);
                        }
                        continue;
                    }
                    if matched > 0 {
                        fwd.extend_from_slice(&opts.detach_keys[..matched]);
                        matched = 0;
                    }
                    fwd.push(b);
                }
                if !fwd.is_empty() {
                    send(&mut sock, &Frame::Stdin(fwd))?;
                }
            }
        }
        if sock_ready {
            if frames.fill(&mut sock)?.is_none() {
                return Ok(RelayEnd::Disconnected);
            }
            while let Some(f) = frames.next_frame()? {
                match f {
                    Frame::Stdout(b) => {
                        out.write_all(&b)?;
                        out.flush()?;
                    }
                    Frame::Stderr(b) => {
                        err.write_all(&b)?;
                        err.flush()?;
                    }
                    Frame::Exit(code) => return Ok(RelayEnd::Exited(code)),
                    _ => {}
                }
            }
        }
    }
}

/// Relay this terminal to a pty master until the other side closes (the
/// process exited). Raw mode when stdin is a terminal; window size kept.
pub fn relay_pty(master: OwnedFd, stdin_open: bool) -> io::Result<()> {
    let _raw = if stdin_open { RawMode::enter() } else { None };
    if let Ok(ws) = termios::tcgetwinsize(io::stdout().as_fd()) {
        let _ = termios::tcsetwinsize(master.as_fd(), ws);
    }
    let stdin = io::stdin();
    let mut out = io::stdout();
    let mut stdin_open = stdin_open;
    loop {
        let mut fds = vec![PollFd::new(&master, PollFlags::IN)];
        if stdin_open {
            fds.push(PollFd::new(&stdin, PollFlags::IN));
        }
        match poll(&mut fds, None) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
        let m_ready = !fds[0].revents().is_empty();
        let s_ready = stdin_open && !fds[1].revents().is_empty();
        drop(fds);
        if m_ready {
            let mut buf = [0u8; 8192];
            match rustix::io::read(&master, &mut buf) {
                Ok(0) | Err(_) => return Ok(()), // EIO: the slave side is gone
                Ok(n) => {
                    out.write_all(&buf[..n])?;
                    out.flush()?;
                }
            }
        }
        if s_ready {
            let mut buf = [0u8; 8192];
            let n = stdin.lock().read(&mut buf).unwrap_or(0);
            if n == 0 {
                stdin_open = false;
            } else {
                rustix::io::write(&master, &buf[..n])?;
            }
        }
    }
}
