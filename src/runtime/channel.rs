//! The typed channel between the caller (parent) and the container process
//! (child): a `socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC)` carrying
//! length-prefixed JSON [`Message`]s, with descriptors passed by
//! `SCM_RIGHTS`.
//!
//! The protocol, as named steps:
//!
//! 1. parent: [`ParentChannel::send_go`] once the child's id maps are
//!    written and `after_spawn` has run; child: [`ChildChannel::wait_go`].
//!    With an exec gate ([`super::Hooks::before_exec`]), once its
//!    filesystem is set up: child [`ChildChannel::send_ready`] and waits
//!    for a second go; parent [`ParentChannel::wait_ready`], runs the
//!    gate, then [`ParentChannel::send_go`].
//! 2. child, terminal mode: [`ChildChannel::send_pty_master`].
//! 3. child: [`ChildChannel::send_executing`] right before the final
//!    seccomp + `execve`.
//! 4. child, on any failure: [`ChildChannel::send_error`], then it exits.
//! 5. parent: [`ParentChannel::wait_started`] reads until end of file. The
//!    child's end is close-on-exec, so end of file after `Executing` (and
//!    no error) means `execve` succeeded.

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, SocketFlags, SocketType,
};
use serde::{Deserialize, Serialize};

use super::error::{RuntimeError, SetupError};

/// Largest message accepted (a sequenced packet is read whole).
const MAX_MESSAGE: usize = 64 * 1024;

/// Everything that travels on the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Message {
    /// Parent to child: ids are mapped and cgroups joined; go on.
    Go,
    /// Child to parent: set up, waiting for the exec gate's go.
    Ready,
    /// Child to parent: the pseudo-terminal master is attached.
    PtyMaster,
    /// Child to parent: setup is done, the command is about to be executed.
    Executing,
    /// Child to parent: something failed; the child exits next.
    Error(SetupError),
}

/// One end of the socket pair.
#[derive(Debug)]
struct Channel {
    fd: OwnedFd,
}

impl Channel {
    fn send(&self, msg: &Message, fd: Option<BorrowedFd<'_>>) -> io::Result<()> {
        let body = serde_json::to_vec(msg).map_err(io::Error::other)?;
        let len = (body.len() as u32).to_le_bytes();
        let iov = [IoSlice::new(&len), IoSlice::new(&body)];
        let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        let fds;
        if let Some(fd) = fd {
            fds = [fd];
            control.push(SendAncillaryMessage::ScmRights(&fds));
        }
        loop {
            match rustix::net::sendmsg(&self.fd, &iov, &mut control, SendFlags::NOSIGNAL) {
                Ok(_) => return Ok(()),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The next message and the descriptor sent with it; `None` at end of
    /// file (every copy of the other end is closed).
    fn recv(&self) -> io::Result<Option<(Message, Option<OwnedFd>)>> {
        let mut buf = vec![0u8; MAX_MESSAGE];
        let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let got = loop {
            let mut iov = [IoSliceMut::new(&mut buf)];
            match rustix::net::recvmsg(&self.fd, &mut iov, &mut control, RecvFlags::CMSG_CLOEXEC) {
                Ok(got) => break got,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let mut fd = None;
        for cmsg in control.drain() {
            if let RecvAncillaryMessage::ScmRights(fds) = cmsg {
                for received in fds {
                    fd.get_or_insert(received);
                }
            }
        }
        if got.bytes == 0 {
            return Ok(None);
        }
        decode(&buf[..got.bytes]).map(|msg| Some((msg, fd)))
    }
}

fn decode(packet: &[u8]) -> io::Result<Message> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("channel: {what}"));
    if packet.len() < 4 {
        return Err(bad("short packet"));
    }
    let len = u32::from_le_bytes(packet[..4].try_into().expect("4 bytes")) as usize;
    if len != packet.len() - 4 {
        return Err(bad("length prefix does not match the packet"));
    }
    serde_json::from_slice(&packet[4..]).map_err(|e| bad(&e.to_string()))
}

/// Creates the channel: (parent end, child end).
pub fn pair() -> io::Result<(ParentChannel, ChildChannel)> {
    let (a, b) = rustix::net::socketpair(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        None,
    )?;
    Ok((
        ParentChannel {
            chan: Channel { fd: a },
        },
        ChildChannel {
            chan: Channel { fd: b },
        },
    ))
}

/// What the parent learns when the process has started.
#[derive(Debug, Default)]
pub struct Started {
    /// The pseudo-terminal master, in terminal mode.
    pub pty_master: Option<OwnedFd>,
}

/// The caller's end.
#[derive(Debug)]
pub struct ParentChannel {
    chan: Channel,
}

impl ParentChannel {
    /// Step 1: lets the child go on.
    pub fn send_go(&self) -> Result<(), RuntimeError> {
        self.chan
            .send(&Message::Go, None)
            .map_err(|e| RuntimeError::io("telling the container process to continue", e))
    }

    /// Step 1b: waits until the child is set up and waits for the gate;
    /// the descriptor it sent (see [`ChildChannel::send_ready`]).
    pub fn wait_ready(&self) -> Result<Option<OwnedFd>, RuntimeError> {
        let read = |e| RuntimeError::io("reading from the container process", e);
        match self.chan.recv().map_err(read)? {
            Some((Message::Ready, fd)) => Ok(fd),
            Some((Message::Error(e), _)) => Err(e.into()),
            None => Err(RuntimeError::Setup {
                errno: libc::EPIPE,
                message: "container process exited during setup without a report".into(),
            }),
            Some((other, _)) => Err(read(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unexpected message {other:?}"),
            ))),
        }
    }

    /// Step 5: waits until the child has executed its command (end of
    /// file after `Executing`) or reports an error.
    pub fn wait_started(&self) -> Result<Started, RuntimeError> {
        let mut started = Started::default();
        let mut executing = false;
        loop {
            let msg = self
                .chan
                .recv()
                .map_err(|e| RuntimeError::io("reading from the container process", e))?;
            match msg {
                None if executing => return Ok(started),
                None => {
                    return Err(RuntimeError::Setup {
                        errno: libc::EPIPE,
                        message: "container process exited during setup without a report".into(),
                    })
                }
                Some((Message::Error(e), _)) => return Err(e.into()),
                Some((Message::PtyMaster, Some(fd))) => started.pty_master = Some(fd),
                Some((Message::Executing, _)) => executing = true,
                Some((other, _)) => {
                    return Err(RuntimeError::io(
                        "reading from the container process",
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("unexpected message {other:?}"),
                        ),
                    ))
                }
            }
        }
    }
}

/// The container process's end (close-on-exec).
#[derive(Debug)]
pub struct ChildChannel {
    chan: Channel,
}

impl ChildChannel {
    /// The descriptor number (kept open when the child closes the rest).
    pub fn raw_fd(&self) -> RawFd {
        self.chan.fd.as_raw_fd()
    }

    /// Step 1: waits for the parent's go.
    pub fn wait_go(&self) -> Result<(), SetupError> {
        match self.chan.recv() {
            Ok(Some((Message::Go, _))) => Ok(()),
            Ok(None) => Err(SetupError::new(libc::EPIPE, "the runtime went away")),
            Ok(Some((other, _))) => Err(SetupError::new(
                libc::EPROTO,
                format!("channel: unexpected message {other:?}"),
            )),
            Err(e) => Err(SetupError::new(
                e.raw_os_error().unwrap_or(libc::EIO),
                format!("channel: {e}"),
            )),
        }
    }

    /// Step 1b: set up; the caller's gate decides (a second go).
    pub fn send_ready(&self, fd: Option<BorrowedFd<'_>>) -> Result<(), SetupError> {
        self.send(&Message::Ready, fd)
    }

    /// Step 2: hands the pseudo-terminal master to the parent.
    pub fn send_pty_master(&self, master: impl AsFd) -> Result<(), SetupError> {
        self.send(&Message::PtyMaster, Some(master.as_fd()))
    }

    /// Step 3: setup is done.
    pub fn send_executing(&self) -> Result<(), SetupError> {
        self.send(&Message::Executing, None)
    }

    /// Step 4: reports a failure (best effort: the parent may be gone).
    pub fn send_error(&self, err: &SetupError) {
        let _ = self.chan.send(&Message::Error(err.clone()), None);
    }

    fn send(&self, msg: &Message, fd: Option<BorrowedFd<'_>>) -> Result<(), SetupError> {
        self.chan.send(msg, fd).map_err(|e| {
            SetupError::new(
                e.raw_os_error().unwrap_or(libc::EIO),
                format!("channel: {e}"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn messages_and_fds_cross() {
        let (parent, child) = pair().unwrap();
        parent.send_go().unwrap();
        child.wait_go().unwrap();

        let (mut r, w) = std::io::pipe().unwrap();
        child.send_pty_master(&w).unwrap();
        child.send_executing().unwrap();
        drop(child);
        let started = parent.wait_started().unwrap();
        let mut w2 = std::fs::File::from(started.pty_master.unwrap());
        w2.write_all(b"through").unwrap();
        drop((w, w2));
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "through");
    }

    #[test]
    fn errors_and_early_eof_are_reported() {
        let (parent, child) = pair().unwrap();
        child.send_error(&SetupError::exec(libc::ENOENT, "exec: \"x\": nope"));
        drop(child);
        let e = parent.wait_started().unwrap_err();
        assert_eq!(e.exit_code(), 127);
        assert_eq!(e.to_string(), "exec: \"x\": nope");

        let (parent, child) = pair().unwrap();
        drop(child);
        let e = parent.wait_started().unwrap_err();
        assert!(e.to_string().contains("without a report"), "{e}");
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(decode(b"\x05\x00\x00\x00{}").is_err());
        assert!(decode(b"\x02").is_err());
        assert_eq!(
            decode(b"\x0d\x00\x00\x00{\"type\":\"go\"}").unwrap(),
            Message::Go
        );
    }
}
