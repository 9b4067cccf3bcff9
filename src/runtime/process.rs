//! The process itself, inside the container: stdio or terminal, the
//! environment, working directory, limits, and the final `execve` with
//! docker's `PATH` lookup and error messages. The caller-side checks that
//! turn a [`ProcessSpec`] into a [`Plan`] live here too.

use std::ffi::CString;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};
use rustix::process::{Resource, Rlimit as SysRlimit};

use super::channel::ChildChannel;
use super::error::{errno_text, Context, RuntimeError, SetupError};
use super::spec::{ProcessSpec, Rlimit, DEFAULT_PATH};
use super::{security, sys, Io};

/// A [`ProcessSpec`] checked and digested by the caller before cloning, so
/// the child has nothing left to parse.
#[derive(Debug)]
pub struct Plan<'a> {
    /// The process.
    pub spec: &'a ProcessSpec,
    /// Capability mask.
    pub caps: u64,
    /// Resource limits.
    pub rlimits: Vec<(Resource, SysRlimit)>,
    /// Create the working directory when missing (a container's main
    /// process, not an exec).
    pub create_cwd: bool,
    /// Run the built-in reaper as PID 1 (`--init`).
    pub reaper: bool,
    /// Wait for the caller's gate before running the command
    /// ([`super::Hooks::before_exec`]).
    pub gated: bool,
}

impl<'a> Plan<'a> {
    /// Checks `spec`: a command, an absolute cwd, known capabilities and
    /// limits.
    pub fn new(
        spec: &'a ProcessSpec,
        create_cwd: bool,
        reaper: bool,
    ) -> Result<Plan<'a>, RuntimeError> {
        if spec.args.is_empty() {
            return Err(RuntimeError::InvalidSpec("no command given".into()));
        }
        if !spec.cwd.is_absolute() {
            return Err(RuntimeError::InvalidSpec(format!(
                "the working directory {:?} is not an absolute path",
                spec.cwd.display().to_string()
            )));
        }
        let rlimits = spec
            .rlimits
            .iter()
            .map(parse_rlimit)
            .collect::<Result<_, _>>()?;
        Ok(Plan {
            spec,
            caps: security::capability_mask(&spec.capabilities)?,
            rlimits,
            create_cwd,
            reaper,
            gated: false,
        })
    }
}

fn parse_rlimit(r: &Rlimit) -> Result<(Resource, SysRlimit), RuntimeError> {
    let name = r.name.to_lowercase();
    let resource = match name.strip_prefix("rlimit_").unwrap_or(&name) {
        "core" => Resource::Core,
        "cpu" => Resource::Cpu,
        "data" => Resource::Data,
        "fsize" => Resource::Fsize,
        "locks" => Resource::Locks,
        "memlock" => Resource::Memlock,
        "msgqueue" => Resource::Msgqueue,
        "nice" => Resource::Nice,
        "nofile" => Resource::Nofile,
        "nproc" => Resource::Nproc,
        "rss" => Resource::Rss,
        "rtprio" => Resource::Rtprio,
        "rttime" => Resource::Rttime,
        "sigpending" => Resource::Sigpending,
        "stack" => Resource::Stack,
        "as" => Resource::As,
        _ => {
            return Err(RuntimeError::InvalidSpec(format!(
                "invalid ulimit type: {}",
                r.name
            )))
        }
    };
    if r.soft > r.hard {
        return Err(RuntimeError::InvalidSpec(format!(
            "ulimit {}: soft limit {} is above hard limit {}",
            r.name, r.soft, r.hard
        )));
    }
    let lim = |v: u64| (v != u64::MAX).then_some(v);
    Ok((
        resource,
        SysRlimit {
            current: lim(r.soft),
            maximum: lim(r.hard),
        },
    ))
}

/// Puts the caller's descriptors on 0, 1 and 2 (`/dev/null` for a missing
/// stdin, and for all three in terminal mode until the terminal exists).
pub fn setup_stdio(io: Io) -> Result<(), SetupError> {
    let null = || {
        rustix::fs::open("/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
            .ctx(|| "opening /dev/null")
    };
    let fds: [OwnedFd; 3] = match io {
        Io::Pipes {
            stdin,
            stdout,
            stderr,
        } => [stdin.map_or_else(null, Ok)?, stdout, stderr],
        Io::Terminal => [null()?, null()?, null()?],
    };
    // Move every descriptor above 2 first, so that placing one cannot
    // clobber another still to be placed.
    let high: Vec<OwnedFd> = fds
        .iter()
        .map(|fd| rustix::io::fcntl_dupfd_cloexec(fd, 3).ctx(|| "dup of a stdio descriptor"))
        .collect::<Result<_, _>>()?;
    drop(fds);
    place_stdio(&high)
}

/// `dup2`s three descriptors onto 0, 1, 2 (clearing close-on-exec).
fn place_stdio(fds: &[OwnedFd]) -> Result<(), SetupError> {
    rustix::stdio::dup2_stdin(&fds[0]).ctx(|| "dup2 onto stdin")?;
    rustix::stdio::dup2_stdout(&fds[1]).ctx(|| "dup2 onto stdout")?;
    rustix::stdio::dup2_stderr(&fds[2]).ctx(|| "dup2 onto stderr")?;
    Ok(())
}

/// Terminal mode: a new session whose controlling terminal is a new
/// pseudo-terminal of the container's own devpts; its master goes to the
/// caller, its slave becomes stdio (owned by `uid`).
pub fn setup_terminal(chan: &ChildChannel, uid: u32) -> Result<(), SetupError> {
    use rustix::pty::OpenptFlags;
    rustix::process::setsid().ctx(|| "setsid")?;
    let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
    let master = rustix::pty::openpt(flags).ctx(|| "opening /dev/ptmx")?;
    rustix::pty::unlockpt(&master).ctx(|| "unlockpt")?;
    let slave = rustix::pty::ioctl_tiocgptpeer(&master, flags).ctx(|| "opening the pty slave")?;
    rustix::fs::fchown(&slave, Some(rustix::process::Uid::from_raw(uid)), None)
        .ctx(|| "chown of the pty slave")?;
    rustix::process::ioctl_tiocsctty(&slave).ctx(|| "ioctl(TIOCSCTTY)")?;
    place_stdio(&[
        slave.try_clone().ctx(|| "dup")?,
        slave.try_clone().ctx(|| "dup")?,
        slave,
    ])?;
    chan.send_pty_master(&master)
}

/// With `--init` and a terminal: the process (the reaper's child) gets its
/// own process group and makes it the terminal's foreground group.
pub fn take_terminal_foreground() -> Result<(), SetupError> {
    let _old = sys::SigSet::of(&[libc::SIGTTOU])
        .block()
        .ctx(|| "sigprocmask")?;
    rustix::process::setpgid(None, None).ctx(|| "setpgid")?;
    let me = rustix::process::getpid();
    rustix::termios::tcsetpgrp(std::io::stdin().as_fd(), me).ctx(|| "tcsetpgrp")
}

/// The environment: `env` plus docker's additions when missing: `PATH`
/// (default), `HOSTNAME`, `TERM=xterm` (terminal) first, `HOME` (from
/// passwd) last.
pub fn build_env(spec: &ProcessSpec, home: &str, hostname: &str) -> Vec<String> {
    let has = |key: &str| {
        spec.env
            .iter()
            .any(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) == key)
    };
    let mut env = Vec::new();
    if !has("PATH") {
        env.push(format!("PATH={DEFAULT_PATH}"));
    }
    if !has("HOSTNAME") && !hostname.is_empty() {
        env.push(format!("HOSTNAME={hostname}"));
    }
    if spec.terminal && !has("TERM") {
        env.push("TERM=xterm".into());
    }
    env.extend(spec.env.iter().cloned());
    if !has("HOME") {
        env.push(format!("HOME={home}"));
    }
    env
}

/// Enters the working directory, creating it first when `create` (docker
/// creates a missing `WORKDIR`). It is resolved inside the container's
/// root with no magic links, and `getcwd` must then name a path under `/`:
/// a leaked descriptor of a host directory (`/proc/self/fd/N`, the
/// CVE-2024-21626 class) cannot become the working directory.
pub fn enter_cwd(cwd: &Path, create: bool) -> Result<(), SetupError> {
    let what = || {
        format!(
            "chdir to cwd ({:?}) set in config.json failed",
            cwd.display().to_string()
        )
    };
    let root = crate::fsroot::Root::open("/").ctx(what)?;
    let dir = if create {
        root.mkdir_all(cwd, 0o755).ctx(what)?
    } else {
        root.open_dir(cwd).ctx(what)?
    };
    rustix::process::fchdir(&dir).ctx(what)?;
    let actual = rustix::process::getcwd(Vec::new()).ctx(what)?;
    if !actual.to_bytes().starts_with(b"/") {
        return Err(SetupError::new(
            libc::EPERM,
            format!("{}: the directory is outside the container", what()),
        ));
    }
    Ok(())
}

/// Applies the resource limits.
pub fn set_rlimits(rlimits: &[(Resource, SysRlimit)]) -> Result<(), SetupError> {
    for (resource, lim) in rlimits {
        rustix::process::setrlimit(*resource, *lim)
            .ctx(|| format!("setrlimit {resource:?} {lim:?}"))?;
    }
    Ok(())
}

/// Writes `/proc/self/oom_score_adj`.
pub fn set_oom_score_adj(adj: Option<i32>) -> Result<(), SetupError> {
    match adj {
        Some(adj) => std::fs::write("/proc/self/oom_score_adj", adj.to_string())
            .ctx(|| format!("setting oom_score_adj to {adj}")),
        None => Ok(()),
    }
}

/// Finds the program like docker (Go's `exec.LookPath` in the container's
/// `PATH`): a name with a `/` is used as is (it must exist and not be a
/// directory); otherwise the first executable regular file in `PATH`.
pub fn look_path(arg0: &str, env: &[String]) -> Result<PathBuf, SetupError> {
    if arg0.contains('/') {
        return match std::fs::metadata(arg0) {
            // Go's exec.LookPath (runc): a directory, or a file with no
            // execute bit, is "permission denied".
            Ok(m) if m.is_dir() || m.permissions().mode() & 0o111 == 0 => Err(SetupError::exec(
                libc::EACCES,
                format!("exec: {arg0:?}: permission denied"),
            )),
            Ok(_) => Ok(PathBuf::from(arg0)),
            Err(e) => {
                let errno = e.raw_os_error().unwrap_or(libc::ENOENT);
                Err(SetupError::exec(
                    errno,
                    format!("exec: {arg0:?}: stat {arg0}: {}", errno_text(errno)),
                ))
            }
        };
    }
    let path = env
        .iter()
        .rev()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or(DEFAULT_PATH);
    for dir in path.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let candidate = Path::new(dir).join(arg0);
        if let Ok(m) = std::fs::metadata(&candidate) {
            if m.is_file() && m.permissions().mode() & 0o111 != 0 {
                return Ok(candidate);
            }
        }
    }
    Err(SetupError::exec(
        libc::ENOENT,
        format!("exec: {arg0:?}: executable file not found in $PATH"),
    ))
}

/// Restores default signal dispositions and an empty signal mask (the
/// caller's ignored or blocked signals must not leak into the container).
pub fn reset_signals() -> Result<(), SetupError> {
    sys::reset_signal_dispositions();
    sys::SigSet::of(&[]).set_mask().ctx(|| "sigprocmask")?;
    Ok(())
}

/// `execve`; returns the error when it fails, worded like docker's.
pub fn exec(path: &Path, args: &[String], env: &[String]) -> SetupError {
    let cstr = |s: &[u8]| CString::new(s).map_err(|_| libc::EINVAL);
    let prepared = (|| {
        let p = cstr(path.as_os_str().as_bytes())?;
        let argv = args
            .iter()
            .map(|a| cstr(a.as_bytes()))
            .collect::<Result<Vec<_>, _>>()?;
        let envp = env
            .iter()
            .map(|e| cstr(e.as_bytes()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok::<_, i32>((p, argv, envp))
    })();
    let errno = match prepared {
        Ok((p, argv, envp)) => sys::execve(&p, &argv, &envp)
            .raw_os_error()
            .unwrap_or(libc::EIO),
        Err(errno) => errno,
    };
    SetupError::exec(errno, format!("exec: {:?}: {}", args[0], errno_text(errno)))
}

/// The hostname as the process sees it (for `HOSTNAME`).
pub fn hostname() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_gets_docker_defaults() {
        let mut p = ProcessSpec::new(vec!["sh".into()]);
        p.env = vec!["FOO=1".into()];
        p.terminal = true;
        assert_eq!(
            build_env(&p, "/root", "box"),
            vec![
                format!("PATH={DEFAULT_PATH}"),
                "HOSTNAME=box".into(),
                "TERM=xterm".into(),
                "FOO=1".into(),
                "HOME=/root".into()
            ]
        );
        p.env = vec!["PATH=/x".into(), "HOME=/h".into(), "HOSTNAME=mine".into()];
        p.terminal = false;
        assert_eq!(build_env(&p, "/root", "box"), p.env);
    }

    #[test]
    fn rlimits_are_checked() {
        let r = |name: &str, soft, hard| Rlimit {
            name: name.into(),
            soft,
            hard,
        };
        let (res, lim) = parse_rlimit(&r("nofile", 10, u64::MAX)).unwrap();
        assert_eq!(res, Resource::Nofile);
        assert_eq!((lim.current, lim.maximum), (Some(10), None));
        assert_eq!(
            parse_rlimit(&r("RLIMIT_NPROC", 1, 2)).unwrap().0,
            Resource::Nproc
        );
        assert!(parse_rlimit(&r("bogus", 1, 2)).is_err());
        assert!(parse_rlimit(&r("nofile", 3, 2)).is_err());
    }

    #[test]
    fn look_path_messages() {
        let e = look_path("/nonexistent", &[]).unwrap_err();
        assert_eq!(
            e.message,
            "exec: \"/nonexistent\": stat /nonexistent: no such file or directory"
        );
        assert_eq!(e.exit_code(), 127);
        let e = look_path("/etc", &[]).unwrap_err();
        assert_eq!(e.message, "exec: \"/etc\": permission denied");
        assert_eq!(e.exit_code(), 126);
        let e = look_path("/etc/passwd", &[]).unwrap_err();
        assert_eq!(e.message, "exec: \"/etc/passwd\": permission denied");
        assert_eq!(e.exit_code(), 126);
        let e = look_path("no-such-cmd-xyz", &["PATH=/bin".into()]).unwrap_err();
        assert_eq!(
            e.message,
            "exec: \"no-such-cmd-xyz\": executable file not found in $PATH"
        );
        assert_eq!(
            look_path("sh", &["PATH=/nope:/bin".into()]).unwrap(),
            Path::new("/bin/sh")
        );
    }
}
