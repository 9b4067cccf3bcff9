//! This process's terminal, for the clients of `run`, `start -a`,
//! `attach` and `exec -t`: raw mode, the window size, the signals to
//! forward, and the relay of a pty.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use rustix::event::{poll, PollFd, PollFlags};
use rustix::termios;

/// Stdin in raw mode until dropped (then its mode is restored).
pub struct RawMode {
    saved: termios::Termios,
}

impl RawMode {
    /// None when stdin is not a terminal.
    pub fn enter() -> Option<RawMode> {
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

/// The signals an attached client forwards (SIGWINCH: a new window size).
const PROXIED: [libc::c_int; 7] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// Block the forwarded signals and read them from a signalfd instead.
pub fn signal_fd() -> io::Result<OwnedFd> {
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

/// The next pending signal of a [`signal_fd`], if any.
pub fn read_signal(fd: BorrowedFd<'_>) -> Option<i32> {
    let mut info = [0u8; 128]; // sizeof(struct signalfd_siginfo)
                               // SAFETY: reading into a buffer of the stated size.
    let n = unsafe { libc::read(fd.as_raw_fd(), info.as_mut_ptr().cast(), info.len()) };
    (n == 128).then(|| u32::from_ne_bytes([info[0], info[1], info[2], info[3]]) as i32)
}

/// Rows and columns of the terminal on stdout.
pub fn window_size() -> Option<(u16, u16)> {
    let ws = termios::tcgetwinsize(io::stdout().as_fd()).ok()?;
    Some((ws.ws_row, ws.ws_col))
}

/// Poll `fds`; false when interrupted by a signal (poll again).
pub fn wait_ready(fds: &mut [PollFd<'_>]) -> io::Result<bool> {
    match poll(fds, None) {
        Ok(_) => Ok(true),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(e) => Err(e.into()),
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
        if !wait_ready(&mut fds)? {
            continue;
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
