//! `exec`: run another process in a running container. The command that
//! asks is the process's parent (the runtime makes it our direct child), so
//! it waits for it and returns its exit code; no monitor is involved.

use std::os::fd::{AsFd, OwnedFd};

use super::container::merge_env;
use super::liveness::process_alive;
use super::Engine;
use crate::error::{Error, Result};
use crate::runtime::spec::{ProcessSpec, SeccompSpec};
use crate::runtime::{ExecTarget, Hooks, Io};
use crate::state::container::Container;

#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    pub command: Vec<String>,
    pub env: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub detach: bool,
    pub privileged: bool,
}

/// A started exec: our child's pid and, with -t, the pty master.
pub struct ExecProcess {
    pub pid: i32,
    pub pty_master: Option<OwnedFd>,
}

fn dup_std(fd: std::os::fd::BorrowedFd<'_>) -> Result<OwnedFd> {
    fd.try_clone_to_owned()
        .map_err(|e| Error::Other(format!("dup: {e}")))
}

fn dev_null() -> Result<OwnedFd> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map(OwnedFd::from)
        .map_err(|e| Error::io("opening", "/dev/null", e))
}

impl Engine {
    /// Start `o.command` in container `name`, with this process's stdio
    /// (or /dev/null with `detach`, or a pty with `tty`).
    pub fn exec_in_container(&self, name: &str, o: &ExecOptions) -> Result<ExecProcess> {
        let c = self.container_lookup(name)?;
        if !c.state.is_running() || !process_alive(c.state.pid, c.state.pid_start_time) {
            return Err(Error::Conflict(format!(
                "Container {} is not running",
                c.id()
            )));
        }
        if c.state.status == crate::state::container::Status::Paused {
            return Err(Error::Conflict(format!(
                "Container {name} is paused, unpause the container before exec"
            )));
        }
        if o.command.is_empty() {
            return Err(Error::InvalidArgument("exec needs a command to run".into()));
        }
        let p = self.exec_process(&c, o)?;
        let target = ExecTarget::open(c.state.pid, c.state.pid_start_time)
            .map_err(|e| Error::Other(e.to_string()))?;
        let io = exec_io(o)?;
        // Into the container's cgroups too, so limits and `top` see it.
        let cg = crate::runtime::cgroups::Cgroup::from_paths(c.state.cgroup_paths.clone());
        let fd = cg.clone_into_fd();
        let join = cg.self_join_fds();
        let hooks = Hooks {
            cgroup_fd: fd.as_ref().map(AsFd::as_fd),
            join_fds: join.iter().map(AsFd::as_fd).collect(),
            after_spawn: Some(super::launch::add_task_hook(&cg)),
            before_exec: None,
        };
        log::debug!("exec in {}: {:?} as {:?}", c.id(), o.command, p.user);
        let child = crate::runtime::exec(&target, &p, io, hooks).map_err(|e| Error::Start {
            code: e.exit_code().clamp(0, 255) as u8,
            message: e.to_string(),
        })?;
        log::debug!("exec in {}: pid {}", c.id(), child.pid);
        Ok(ExecProcess {
            pid: child.pid,
            pty_master: child.pty_master,
        })
    }

    /// The process to exec: the container's environment, directory, user
    /// and capabilities, with what `o` overrides; its seccomp filter.
    fn exec_process(&self, c: &Container, o: &ExecOptions) -> Result<ProcessSpec> {
        let h = &c.config.host_config;
        let mut p = ProcessSpec::new(o.command.clone());
        p.env = merge_env(&c.config.config.env, &o.env);
        p.cwd = o
            .workdir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| {
                if c.config.config.working_dir.is_empty() {
                    "/".into()
                } else {
                    c.config.config.working_dir.clone()
                }
            })
            .into();
        p.user = o
            .user
            .clone()
            .unwrap_or_else(|| c.config.config.user.clone());
        p.terminal = o.tty;
        p.capabilities =
            super::spec::capabilities(h.privileged || o.privileged, &h.cap_add, &h.cap_drop)?;
        // One parser for --security-opt: `no-new-privileges=false` was
        // taken as true here.
        p.no_new_privileges = super::spec::security_opts(&h.security_opt)?.no_new_privileges;
        p.seccomp = if h.privileged || o.privileged {
            SeccompSpec::Unconfined
        } else {
            self.seccomp_for(&h.security_opt, h.privileged, &p.capabilities)?
        };
        Ok(p)
    }
}

/// The exec's stdio: a pty with `tty`, /dev/null with `detach`, else ours.
fn exec_io(o: &ExecOptions) -> Result<Io> {
    Ok(if o.tty {
        Io::Terminal
    } else if o.detach {
        Io::Pipes {
            stdin: None,
            stdout: dev_null()?,
            stderr: dev_null()?,
        }
    } else {
        Io::Pipes {
            stdin: if o.interactive {
                Some(dup_std(std::io::stdin().as_fd())?)
            } else {
                None
            },
            stdout: dup_std(std::io::stdout().as_fd())?,
            stderr: dup_std(std::io::stderr().as_fd())?,
        }
    })
}

impl ExecProcess {
    /// Wait for it to end; docker's exit code (128 + signal when killed).
    pub fn wait(self) -> i32 {
        wait_child(self.pid)
    }
}

/// Wait for our child `pid`; docker's exit code (128 + signal when killed).
fn wait_child(pid: i32) -> i32 {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            break;
        }
        if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return 125;
        }
    }
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        125
    }
}
