//! The client of an attach stream (`run`, `start -a`, `attach`): relays
//! this process's stdio until the container exits or the user detaches
//! (Ctrl-P Ctrl-Q by default). With a terminal, stdin goes raw and window
//! size changes are forwarded; with `sig_proxy` (and no terminal) the
//! signals this process receives go to the container.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};

use rustix::event::{PollFd, PollFlags};

use super::context::Context;
use super::terminal::{read_signal, signal_fd, wait_ready, window_size, RawMode};
use crate::engine::attach::{Attached, Output};
use crate::error::{Error, Result};

/// How to attach.
#[derive(Debug, Clone, Default)]
pub struct AttachOptions {
    /// Forward our stdin.
    pub stdin: bool,
    /// The input that detaches ([`parse_detach_keys`]; empty: none).
    pub detach_keys: Vec<u8>,
    /// Forward the signals we get (`--sig-proxy`; never with a terminal).
    pub sig_proxy: bool,
    /// `run -a` without stdout / stderr: drop that stream's output.
    pub skip_stdout: bool,
    pub skip_stderr: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RelayEnd {
    Exited(i32),
    Detached,
    /// The monitor went away without saying how the container ended.
    Disconnected,
}

/// docker's detach keys: "ctrl-p,ctrl-q" → [0x10, 0x11].
pub fn parse_detach_keys(s: &str) -> Result<Vec<u8>> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let unknown =
        |k: &str| Error::InvalidArgument(format!("invalid detach keys {s:?}: unknown key {k:?}"));
    s.split(',')
        .map(|k| {
            let k = k.trim();
            if let Some(c) = k.strip_prefix("ctrl-") {
                Ok(match c {
                    "@" => 0,
                    "[" => 27,
                    "\\" => 28,
                    "]" => 29,
                    "^" => 30,
                    "_" => 31,
                    c if c.len() == 1 && c.as_bytes()[0].is_ascii_lowercase() => {
                        c.as_bytes()[0] - b'a' + 1
                    }
                    _ => return Err(unknown(k)),
                })
            } else if k.len() == 1 {
                Ok(k.as_bytes()[0])
            } else {
                Err(unknown(k))
            }
        })
        .collect()
}

/// Watches the input for the detach sequence. Bytes that may begin it are
/// held back until it is clear they don't.
struct DetachWatch<'a> {
    keys: &'a [u8],
    matched: usize,
}

impl DetachWatch<'_> {
    /// The input to forward, and whether it completed the sequence (what
    /// came after it is dropped).
    fn filter(&mut self, input: &[u8]) -> (Vec<u8>, bool) {
        let mut fwd = Vec::with_capacity(input.len());
        for &b in input {
            if !self.keys.is_empty() && b == self.keys[self.matched] {
                self.matched += 1;
                if self.matched == self.keys.len() {
                    return (fwd, true);
                }
                continue;
            }
            if self.matched > 0 {
                fwd.extend_from_slice(&self.keys[..self.matched]);
                self.matched = 0;
            }
            fwd.push(b);
        }
        (fwd, false)
    }
}

/// Relay a started container's stdio until it exits (its exit code) or
/// the user detaches (0).
pub fn attach_and_wait(ctx: &Context, stream: Attached, o: &AttachOptions) -> Result<u8> {
    let id = stream.id().to_owned();
    match relay(stream, o).map_err(|e| Error::Other(format!("attaching to {id}: {e}")))? {
        RelayEnd::Exited(code) => Ok(code.clamp(0, 255) as u8),
        RelayEnd::Detached => Ok(0),
        RelayEnd::Disconnected => {
            let code = ctx.engine()?.wait_container(&id).unwrap_or(125);
            Ok(code.clamp(0, 255) as u8)
        }
    }
}

/// Relay until the container exits, the user detaches, or the monitor goes away.
fn relay(mut stream: Attached, o: &AttachOptions) -> io::Result<RelayEnd> {
    let sigfd = signal_fd()?;
    let tty = stream.tty();
    let _raw = if tty && o.stdin {
        RawMode::enter()
    } else {
        None
    };
    if let (true, Some((rows, cols))) = (tty, window_size()) {
        stream.resize(rows, cols)?;
    }
    let mut stdin_open = o.stdin;
    if !stdin_open {
        stream.close_stdin()?;
    }
    let sig_proxy = o.sig_proxy && !tty;
    let mut watch = DetachWatch {
        keys: &o.detach_keys,
        matched: 0,
    };
    let stdin = io::stdin();
    loop {
        let mut fds = vec![
            PollFd::new(&stream, PollFlags::IN),
            PollFd::new(&sigfd, PollFlags::IN),
        ];
        if stdin_open {
            fds.push(PollFd::new(&stdin, PollFlags::IN));
        }
        if !wait_ready(&mut fds)? {
            continue;
        }
        let (sock_ready, sig_ready) = (!fds[0].revents().is_empty(), !fds[1].revents().is_empty());
        let stdin_ready = stdin_open && !fds[2].revents().is_empty();
        drop(fds);
        if sig_ready {
            forward_signals(&mut stream, sigfd.as_fd(), sig_proxy)?;
        }
        if stdin_ready {
            match forward_stdin(&mut stream, &mut watch)? {
                Input::Interrupted => continue,
                Input::Closed => stdin_open = false,
                Input::Detached => return Ok(RelayEnd::Detached),
                Input::Sent => {}
            }
        }
        if sock_ready {
            if let Some(end) = forward_output(&mut stream, o)? {
                return Ok(end);
            }
        }
    }
}

/// A window size change goes to a container with a terminal; other
/// signals to its process with `sig_proxy`.
fn forward_signals(
    stream: &mut Attached,
    sigfd: BorrowedFd<'_>,
    sig_proxy: bool,
) -> io::Result<()> {
    while let Some(sig) = read_signal(sigfd) {
        if sig == libc::SIGWINCH {
            if let (true, Some((rows, cols))) = (stream.tty(), window_size()) {
                stream.resize(rows, cols)?;
            }
        } else if sig_proxy {
            stream.signal(sig);
        }
    }
    Ok(())
}

enum Input {
    Sent,
    Interrupted,
    /// End of our input.
    Closed,
    Detached,
}

/// One read of stdin, to the container, minus the detach sequence.
fn forward_stdin(stream: &mut Attached, watch: &mut DetachWatch<'_>) -> io::Result<Input> {
    let mut buf = [0u8; 8192];
    let n = match io::stdin().lock().read(&mut buf) {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(Input::Interrupted),
        Err(_) => 0,
    };
    if n == 0 {
        stream.close_stdin()?;
        return Ok(Input::Closed);
    }
    let (fwd, detached) = watch.filter(&buf[..n]);
    if !fwd.is_empty() {
        stream.send_stdin(fwd)?;
    }
    Ok(if detached {
        Input::Detached
    } else {
        Input::Sent
    })
}

/// What the monitor sent, to our stdout and stderr; the end, if it came.
fn forward_output(stream: &mut Attached, o: &AttachOptions) -> io::Result<Option<RelayEnd>> {
    let (mut out, mut err) = (io::stdout(), io::stderr());
    let mut exit = None;
    let open = stream.receive(|frame| match frame {
        Output::Stdout(_) if o.skip_stdout => Ok(()),
        Output::Stderr(_) if o.skip_stderr => Ok(()),
        Output::Stdout(b) => out.write_all(&b).and_then(|_| out.flush()),
        Output::Stderr(b) => err.write_all(&b).and_then(|_| err.flush()),
        Output::Exit(code) => {
            exit = Some(code);
            Ok(())
        }
    })?;
    Ok(match exit {
        Some(code) => Some(RelayEnd::Exited(code)),
        None => (!open).then_some(RelayEnd::Disconnected),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detach_keys() {
        assert_eq!(parse_detach_keys("ctrl-p,ctrl-q").unwrap(), vec![16, 17]);
        assert_eq!(parse_detach_keys("a,ctrl-@").unwrap(), vec![b'a', 0]);
        assert!(parse_detach_keys("").unwrap().is_empty());
        assert!(parse_detach_keys("ctrl-pp")
            .unwrap_err()
            .to_string()
            .contains("unknown key \"ctrl-pp\""));
    }

    #[test]
    fn the_detach_sequence_is_held_back_then_forwarded_or_taken() {
        let keys = [16, 17];
        let mut w = DetachWatch {
            keys: &keys,
            matched: 0,
        };
        assert_eq!(w.filter(b"ab\x10"), (b"ab".to_vec(), false));
        // Not the sequence after all: the held ^P goes out first.
        assert_eq!(w.filter(b"c"), (b"\x10c".to_vec(), false));
        // Across reads, and what follows it is dropped.
        assert_eq!(w.filter(b"x\x10"), (b"x".to_vec(), false));
        assert_eq!(w.filter(b"\x11after"), (Vec::new(), true));
        let mut none = DetachWatch {
            keys: &[],
            matched: 0,
        };
        assert_eq!(none.filter(b"\x10\x11"), (b"\x10\x11".to_vec(), false));
    }
}
