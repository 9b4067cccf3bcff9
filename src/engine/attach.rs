//! The attach stream that `run`, `start -a` and `attach` get: the
//! container's output and exit code come from its monitor; our input,
//! window size and signals go to it. The terminal side (raw mode, the
//! relay loop, detach keys) is the CLI's (`cli/attach.rs`).

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;

use crate::monitor::attach::{send, Frame, FrameReader};
use crate::state::container::Container;

/// What the monitor sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The container exited with this code (the last output).
    Exit(i32),
}

/// A connection to a running container's monitor.
pub struct Attached {
    id: String,
    tty: bool,
    open_stdin: bool,
    pid: i32,
    start_time: u64,
    sock: UnixStream,
    frames: FrameReader,
}

impl Attached {
    pub(crate) fn new(c: &Container, pid: i32, start_time: u64, sock: UnixStream) -> Attached {
        Attached {
            id: c.id().to_owned(),
            tty: c.config.config.tty,
            open_stdin: c.config.config.open_stdin,
            pid,
            start_time,
            sock,
            frames: FrameReader::default(),
        }
    }

    /// The container's full id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the container has a terminal (`-t`).
    pub fn tty(&self) -> bool {
        self.tty
    }

    /// Whether the container's stdin is open (`-i`).
    pub fn open_stdin(&self) -> bool {
        self.open_stdin
    }

    pub fn send_stdin(&mut self, data: Vec<u8>) -> io::Result<()> {
        self.send(&Frame::Stdin(data))
    }

    /// We have no more input (or none to give).
    pub fn close_stdin(&mut self) -> io::Result<()> {
        self.send(&Frame::StdinClose)
    }

    /// The terminal's size, for a container with one.
    pub fn resize(&mut self, rows: u16, cols: u16) -> io::Result<()> {
        self.send(&Frame::Resize { rows, cols })
    }

    /// A frame to the monitor. A container that already exited takes no
    /// more input: a monitor that has shut its side of the stream is no
    /// error, as its last output (and the exit code) is still to be read.
    fn send(&mut self, frame: &Frame) -> io::Result<()> {
        match send(&mut self.sock, frame) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                ) =>
            {
                Ok(())
            }
            r => r,
        }
    }

    /// Read once from the monitor (blocks unless polled first) and give
    /// each whole output to `out`, in order. `Ok(false)` once the monitor
    /// closed the stream.
    pub fn receive(&mut self, mut out: impl FnMut(Output) -> io::Result<()>) -> io::Result<bool> {
        if self.frames.fill(&mut self.sock)?.is_none() {
            return Ok(false);
        }
        while let Some(f) = self.frames.next_frame()? {
            match f {
                Frame::Stdout(b) => out(Output::Stdout(b))?,
                Frame::Stderr(b) => out(Output::Stderr(b))?,
                Frame::Exit(code) => out(Output::Exit(code))?,
                _ => {}
            }
        }
        Ok(true)
    }

    /// Send `sig` to the container's process, if it is still the one
    /// that was started (`--sig-proxy`).
    pub fn signal(&self, sig: i32) {
        crate::monitor::signal_process(self.pid, self.start_time, sig);
    }
}

impl AsFd for Attached {
    /// The socket, to poll it for output.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}
