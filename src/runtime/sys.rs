//! Thin wrappers around the few system calls that neither rustix nor caps
//! wrap safely. This is the only file of the runtime with `unsafe`; every
//! block says why it is sound.
//!
//! A note on process creation: [`fork_into`] and [`clone_into`] run a
//! closure in the new process and never return there. The closure must end
//! the process itself ([`exit_now`] or `execve`); it returns `Infallible`
//! (it cannot return) so that it cannot fall back into the caller's stack
//! frames.

use std::convert::Infallible;
use std::ffi::{CStr, CString};
use std::io;
use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

use rustix::process::Pid;

/// `CLONE_INTO_CGROUP` (Linux 5.7; libc's constant has too narrow a type).
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// `MOUNT_ATTR_*` bits (linux/mount.h); identical to rustix's
/// `MountAttrFlags` bits.
pub const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// `struct mount_attr` of `mount_setattr(2)`.
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// `mount_setattr(dirfd, path, flags, {attr_set})` (Linux 5.12).
pub fn mount_setattr(
    dirfd: BorrowedFd<'_>,
    path: &CStr,
    at_flags: u32,
    attr_set: u64,
) -> io::Result<()> {
    mount_setattr_full(dirfd, path, at_flags, attr_set, 0)
}

/// `mount_setattr` with a propagation type (`MS_SHARED`, `MS_SLAVE`,
/// `MS_PRIVATE`; 0 leaves it).
pub fn mount_setattr_full(
    dirfd: BorrowedFd<'_>,
    path: &CStr,
    at_flags: u32,
    attr_set: u64,
    propagation: u64,
) -> io::Result<()> {
    let attr = MountAttr {
        attr_set,
        attr_clr: 0,
        propagation,
        userns_fd: 0,
    };
    // SAFETY: `path` is NUL-terminated, `attr` is a live, correctly laid
    // out `struct mount_attr` and its size is passed; the kernel only reads
    // both.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            dirfd.as_raw_fd(),
            path.as_ptr(),
            at_flags,
            &attr as *const MountAttr,
            size_of::<MountAttr>(),
        )
    };
    check(ret)
}

/// Creates a process with `clone3(2)` and runs `child` in it. `flags` are
/// `CLONE_*` bits; with `cgroup` set, `CLONE_INTO_CGROUP` is added. Returns
/// the child's pid in the caller (as seen from the caller's pid
/// namespace). SIGCHLD is the exit signal, as for `fork` (with
/// `CLONE_PARENT`, the caller's own exit signal).
///
/// Call it from a single-threaded process only (see [`fork_into`]): the raw
/// system call skips glibc's fork handlers, so a lock held by another
/// thread (malloc's) would stay locked forever in the child.
pub fn clone_into<F: FnOnce() -> Infallible>(
    flags: u64,
    cgroup: Option<BorrowedFd<'_>>,
    child: F,
) -> io::Result<Pid> {
    let mut args = libc::clone_args {
        flags: flags | cgroup.map_or(0, |_| CLONE_INTO_CGROUP),
        pidfd: 0,
        child_tid: 0,
        parent_tid: 0,
        // With CLONE_PARENT the kernel wants 0 here and uses the caller's
        // own exit signal (SIGCHLD for a forked process).
        exit_signal: if flags & libc::CLONE_PARENT as u64 != 0 {
            0
        } else {
            libc::SIGCHLD as u64
        },
        stack: 0,
        stack_size: 0,
        tls: 0,
        set_tid: 0,
        set_tid_size: 0,
        cgroup: cgroup.map_or(0, |fd| fd.as_raw_fd() as u64),
    };
    // SAFETY: without CLONE_VM and with no stack, clone3 behaves like
    // fork(2): the child gets a private copy of the address space and
    // continues on its copy of this stack. `args` outlives the call and its
    // size is passed. The child runs `child`, which cannot return, so it
    // never unwinds into frames it shares with the parent.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &mut args as *mut libc::clone_args,
            size_of::<libc::clone_args>(),
        )
    };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        0 => run_child(child),
        pid => Ok(Pid::from_raw(pid as i32).expect("clone3 returned a positive pid")),
    }
}

/// `fork(2)` through glibc (whose fork handlers make malloc usable in the
/// child even when the caller has other threads), running `child` in the
/// new process. The child must not use locks of Rust's std that another
/// thread may hold (stdout, the environment); the runtime's children use
/// neither.
pub fn fork_into<F: FnOnce() -> Infallible>(child: F) -> io::Result<Pid> {
    // SAFETY: glibc's fork resets malloc's and stdio's locks in the child;
    // the child then runs `child`, which never returns (see above).
    let ret = unsafe { libc::fork() };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        0 => run_child(child),
        pid => Ok(Pid::from_raw(pid).expect("fork returned a positive pid")),
    }
}

/// Runs a child's closure, which cannot return.
// The call "diverges" (uninhabited result), which rustc reports as making
// the `match` unreachable; the match is what turns it into `!`.
#[allow(unreachable_code)]
fn run_child<F: FnOnce() -> Infallible>(child: F) -> ! {
    match child() {}
}

/// `_exit(2)`: ends the process at once, running no atexit handler and
/// flushing nothing (the right exit for a forked child).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit has no preconditions.
    unsafe { libc::_exit(code) }
}

/// `close_range(first, ~0, CLOSE_RANGE_CLOEXEC)` when `cloexec`, else a
/// plain `close_range(first, last, 0)`.
pub fn close_range(first: u32, last: u32, cloexec: bool) -> io::Result<()> {
    let flags = if cloexec {
        libc::CLOSE_RANGE_CLOEXEC
    } else {
        0
    };
    // SAFETY: closing descriptors is memory-safe; the callers own every
    // descriptor in the range (they are a forked child cleaning up the fds
    // it inherited) and never use the closed numbers again.
    let ret = unsafe { libc::syscall(libc::SYS_close_range, first, last, flags) };
    check(ret)
}

/// Closes every descriptor `>= 3` except those in `keep`.
pub fn close_fds_except(keep: &[RawFd]) -> io::Result<()> {
    let mut keep: Vec<u32> = keep
        .iter()
        .filter(|&&fd| fd >= 3)
        .map(|&fd| fd as u32)
        .collect();
    keep.sort_unstable();
    keep.dedup();
    let mut next = 3u32;
    for fd in keep {
        if fd > next {
            close_range(next, fd - 1, false)?;
        }
        next = fd + 1;
    }
    close_range(next, u32::MAX, false)
}

/// `execve(2)`. Returns only on failure.
pub fn execve(path: &CStr, argv: &[CString], envp: &[CString]) -> io::Error {
    let mut argv_p: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_p.push(std::ptr::null());
    let mut envp_p: Vec<*const libc::c_char> = envp.iter().map(|a| a.as_ptr()).collect();
    envp_p.push(std::ptr::null());
    // SAFETY: both arrays are NULL-terminated and point to NUL-terminated
    // strings that live until the call returns (it only returns on error).
    unsafe { libc::execve(path.as_ptr(), argv_p.as_ptr(), envp_p.as_ptr()) };
    io::Error::last_os_error()
}

/// A set of signals (`sigset_t`).
pub struct SigSet(libc::sigset_t);

impl SigSet {
    /// The set of `signals`.
    pub fn of(signals: &[i32]) -> SigSet {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigemptyset initialises the set it is given; sigaddset
        // then only writes inside it (unknown numbers fail with EINVAL).
        unsafe {
            libc::sigemptyset(set.as_mut_ptr());
            for &sig in signals {
                libc::sigaddset(set.as_mut_ptr(), sig);
            }
            SigSet(set.assume_init())
        }
    }

    /// `sigprocmask(how, self)`; returns the previous mask.
    fn apply(&self, how: i32) -> io::Result<SigSet> {
        let mut old = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: both pointers refer to valid sigset_t storage; the kernel
        // fills `old`.
        let ret = unsafe { libc::sigprocmask(how, &self.0, old.as_mut_ptr()) };
        if ret != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: sigprocmask succeeded and so initialised `old`.
        Ok(SigSet(unsafe { old.assume_init() }))
    }

    /// Blocks these signals; returns the previous mask.
    pub fn block(&self) -> io::Result<SigSet> {
        self.apply(libc::SIG_BLOCK)
    }

    /// Makes this set the signal mask; returns the previous mask.
    pub fn set_mask(&self) -> io::Result<SigSet> {
        self.apply(libc::SIG_SETMASK)
    }

    /// Waits for one of these (blocked) signals: `sigwaitinfo(2)`. Returns
    /// the signal number.
    pub fn wait(&self) -> io::Result<i32> {
        let mut info = MaybeUninit::<libc::siginfo_t>::uninit();
        // SAFETY: the set is initialised and `info` is writable storage of
        // the right type.
        let ret = unsafe { libc::sigwaitinfo(&self.0, info.as_mut_ptr()) };
        if ret < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(ret)
        }
    }
}

/// Resets every signal's disposition to `SIG_DFL` (ignored signals stay
/// ignored across execve otherwise: Rust's runtime ignores SIGPIPE).
pub fn reset_signal_dispositions() {
    for sig in 1..libc::SIGRTMAX() {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        // SAFETY: installing SIG_DFL runs no code of ours; numbers the
        // kernel or libc refuses (glibc's internal signals) just fail.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
    }
}

/// `struct ifreq` with the `ifr_flags` member.
#[repr(C)]
struct IfreqFlags {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    pad: [u8; 22],
}

/// Sets the `lo` interface up in the current network namespace (a new
/// network namespace starts with it down). Sends nothing anywhere.
pub fn set_loopback_up() -> io::Result<()> {
    let sock = rustix::net::socket(
        rustix::net::AddressFamily::INET,
        rustix::net::SocketType::DGRAM,
        None,
    )?;
    let mut req = IfreqFlags {
        name: [0; libc::IFNAMSIZ],
        flags: 0,
        pad: [0; 22],
    };
    req.name[..2].copy_from_slice(b"lo");
    // SAFETY: `req` is a properly sized `struct ifreq` that outlives both
    // calls; SIOCGIFFLAGS writes `ifr_flags`, SIOCSIFFLAGS reads it.
    let ret = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    req.flags |= libc::IFF_UP as libc::c_short;
    // SAFETY: as above.
    let ret = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `unshare(CLONE_NEWCGROUP)`.
pub fn unshare_cgroup_ns() -> io::Result<()> {
    // SAFETY: only CLONE_NEWCGROUP is passed; the hazard of
    // `unshare_unsafe` (CLONE_FILES splitting a descriptor table under
    // other threads) does not apply.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWCGROUP) }?;
    Ok(())
}

fn check(ret: libc::c_long) -> io::Result<()> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fork_into_runs_the_child_and_reports_its_pid() {
        let pid = fork_into(|| exit_now(7)).unwrap();
        let (_, status) =
            rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty())
                .unwrap()
                .unwrap();
        assert_eq!(status.exit_status(), Some(7));
    }

    #[test]
    fn clone_into_without_flags_is_a_fork() {
        let pid = clone_into(0, None, || exit_now(3)).unwrap();
        let (_, status) =
            rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty())
                .unwrap()
                .unwrap();
        assert_eq!(status.exit_status(), Some(3));
    }
}
