//! Running containers: start (through a monitor), stop, kill, wait, logs.

use crate::state::container::StorageDriver;
use std::io::{BufRead, Read};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::attach::Attached;
use super::liveness::process_alive;
use super::Engine;
use crate::error::{Error, IoContext, Result};
use crate::monitor::logs;
use crate::monitor::run::MonitorSetup;
use crate::state::container::{Container, Status};
use crate::util::{signal, time};

/// What a started container gives back to the command that started it.
pub struct Started {
    pub id: String,
    pub pid: i32,
    pub start_time: u64,
    /// The attach stream, when the start asked for one.
    pub attach: Option<Attached>,
}

/// `logs` options.
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    pub follow: bool,
    pub tail: Option<usize>,
    pub timestamps: bool,
    pub since: Option<time::UnixNanos>,
    pub until: Option<time::UnixNanos>,
}

/// Parse docker's --since/--until: a date (RFC 3339 or shorter, see
/// [`time::parse_date_arg`]), unix seconds (`1136073600`,
/// `1136073600.000000001`), or a Go duration before now (`10m`, `1h30m`).
/// Never panics; a malformed value is an error naming it.
pub fn parse_time_arg(s: &str) -> Result<time::UnixNanos> {
    if let Some(t) = time::parse_date_arg(s) {
        return Ok(t);
    }
    let invalid = || Error::InvalidArgument(format!("invalid time value {s:?}"));
    // docker's "seconds[.nanoseconds]", digits only (no sign, exponent,
    // inf or NaN).
    let digits =
        |d: &str, max: usize| (1..=max).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit());
    let (secs, frac) = match s.split_once('.') {
        Some((secs, frac)) => (secs, Some(frac)),
        None => (s, None),
    };
    if digits(secs, 18) && frac.is_none_or(|f| digits(f, 9)) {
        let nanos = format!("{:0<9}", frac.unwrap_or(""));
        return Ok(secs.parse::<i128>().map_err(|_| invalid())? * 1_000_000_000
            + nanos.parse::<i128>().map_err(|_| invalid())?);
    }
    let d = time::parse_go_duration(s).map_err(|_| invalid())?;
    Ok(time::now() - i128::from(d))
}

fn not_running(c: &Container) -> Error {
    Error::Conflict(format!("Container {} is not running", c.id()))
}

impl Engine {
    /// Start a created or exited container under a new monitor. With
    /// `attach`, the returned stream carries its stdio from the first byte.
    pub fn start_container(&self, name: &str, attach: bool) -> Result<Started> {
        let t0 = std::time::Instant::now();
        let c = self.container_lookup(name)?;
        if !c.state.is_running() {
            // The last run's monitor may still be finishing (recording the
            // exit, removing the cgroup and the firewall rules): a new
            // start must not overlap it. It needs the container's lock, so
            // wait before taking it.
            crate::monitor::wait_gone(
                c.state.monitor_pid,
                c.state.monitor_start_time,
                Duration::from_secs(10),
            );
        }
        let _g = self.containers.lock(c.id())?;
        let c = self.reconcile(
            self.containers
                .load(c.id())?
                .ok_or_else(|| Error::NotFound(format!("No such container: {name}")))?,
        )?;
        if c.state.is_running() {
            if attach {
                return Err(Error::Conflict(format!(
                    "container {} is already running",
                    c.id()
                )));
            }
            // docker: starting a running container is no error.
            return Ok(Started {
                id: c.id().to_owned(),
                pid: c.state.pid,
                start_time: c.state.pid_start_time,
                attach: None,
            });
        }
        crate::monitor::cleanup_before_start(&self.containers, &c);
        self.prepare_dirs(&c)?;
        let (mine, theirs) = if attach {
            let (a, b) =
                UnixStream::pair().map_err(|e| Error::Other(format!("socketpair: {e}")))?;
            (Some(a), Some(b))
        } else {
            (None, None)
        };
        let (ready_r, ready_w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
            .map_err(|e| Error::Other(format!("pipe: {e}")))?;
        let setup = MonitorSetup {
            id: c.id().to_owned(),
            store: self.containers.clone(),
            log_path: (c.config.host_config.log_driver != "none").then(|| {
                self.containers
                    .dir(c.id())
                    .join(format!("{}-json.log", c.id()))
            }),
            tty: c.config.config.tty,
            open_stdin: c.config.config.open_stdin,
            auto_remove: c.config.host_config.auto_remove,
            first_client: theirs,
            ready: ready_w,
        };
        // The monitor starts (exec) while the plan is made; it waits for it.
        let pending = spawn_monitor(&setup)?;
        log::debug!("start {}: monitor spawned at {:?}", c.id(), t0.elapsed());
        let plan = self.launch_plan(&c)?;
        pending.send(super::launch::MonitorBoot::new(&setup, plan))?;
        log::debug!("start {}: launch plan sent at {:?}", c.id(), t0.elapsed());
        drop(setup);
        let (pid, start_time) = self.monitor_ready(&c, ready_r)?;
        log::debug!("start {}: running at {:?}", c.id(), t0.elapsed());
        Ok(Started {
            id: c.id().to_owned(),
            pid,
            start_time,
            attach: mine.map(|sock| Attached::new(&c, pid, start_time, sock)),
        })
    }

    /// `start -a`: start `name` and attach to it.
    pub fn start_attached(&self, name: &str) -> Result<Attached> {
        self.start_container(name, true)?
            .attach
            .ok_or_else(|| Error::Other(format!("no attach stream for {name}")))
    }

    /// The monitor's answer on the ready pipe: the container's pid and
    /// start time, or the start's error (recorded in its state).
    fn monitor_ready(&self, c: &Container, ready: OwnedFd) -> Result<(i32, u64)> {
        let mut msg = String::new();
        std::io::BufReader::new(std::fs::File::from(ready))
            .read_line(&mut msg)
            .map_err(|e| Error::Other(format!("waiting for the monitor of {}: {e}", c.id())))?;
        log::debug!("start {}: monitor says {:?}", c.id(), msg.trim_end());
        let parts: Vec<&str> = msg.trim_end().splitn(3, ' ').collect();
        match parts.as_slice() {
            ["OK", pid, start] => Ok((pid.parse().unwrap_or(0), start.parse().unwrap_or(0))),
            ["ERR", code, message] => {
                let code: u8 = code.parse().unwrap_or(125);
                let mut st = self.containers.load_state(c.id())?;
                st.status = if c.state.status == Status::Created {
                    Status::Created
                } else {
                    Status::Exited
                };
                st.error = message.to_string();
                st.exit_code = code as i32;
                st.ports.clear();
                self.containers.save_state(c.id(), &st)?;
                Err(Error::Start {
                    code,
                    message: message.to_string(),
                })
            }
            _ => Err(Error::Other(format!(
                "the monitor of {} died before starting it",
                c.id()
            ))),
        }
    }

    pub(super) fn prepare_dirs(&self, c: &Container) -> Result<()> {
        let dir = self.containers.dir(c.id());
        let subs: &[&str] = match c.config.storage_driver {
            StorageDriver::Overlay => &["upper", "work", "userdata"],
            StorageDriver::Vfs => {
                self.vfs_rootfs(c)?;
                &["userdata"]
            }
        };
        for sub in subs {
            std::fs::create_dir_all(dir.join(sub)).ctx("creating", dir.join(sub))?;
        }
        let run = self.containers.run_dir(c.id());
        std::fs::create_dir_all(run.join("rootfs")).ctx("creating", run.join("rootfs"))?;
        let host = &c.config.config.hostname;
        let ud = dir.join("userdata");
        std::fs::write(ud.join("hostname"), format!("{host}\n"))
            .ctx("writing", ud.join("hostname"))?;
        let net = &c.config.net;
        let network = self
            .networks
            .load(&c.config.host_config.network_mode)
            .ok()
            .flatten();
        let own_ip = network
            .as_ref()
            .and_then(|n| n.endpoints.get(c.id()))
            .map(|e| e.ip);
        let gateway = network.as_ref().map(|n| n.gateway);
        let mut entries = net.extra_hosts.clone();
        entries.extend(self.link_start(c)?.hosts);
        let hosts = crate::network::hosts_file(host, own_ip, &entries, gateway);
        std::fs::write(ud.join("hosts"), hosts).ctx("writing", ud.join("hosts"))?;
        let own_netns = c.config.host_config.network_mode != "host";
        let host_resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        let resolv = if network.as_ref().is_some_and(|n| n.dns) {
            crate::network::resolv_conf_embedded(&host_resolv, net)
        } else {
            crate::network::resolv_conf(&host_resolv, net, own_netns)
        };
        std::fs::write(ud.join("resolv.conf"), resolv).ctx("writing", ud.join("resolv.conf"))?;
        // Sharing another container's network: its hosts and DNS too.
        if let Some(target) = c.config.host_config.network_mode.strip_prefix("container:") {
            let theirs = self.containers.dir(target).join("userdata");
            for f in ["hosts", "resolv.conf"] {
                if let Ok(b) = std::fs::read(theirs.join(f)) {
                    std::fs::write(ud.join(f), b).ctx("writing", ud.join(f))?;
                }
            }
        }
        Ok(())
    }

    /// `stop`: the stop signal, then SIGKILL after the timeout; waits for the exit.
    pub fn stop_container(
        &self,
        name: &str,
        timeout: Option<i64>,
        sig: Option<&str>,
    ) -> Result<()> {
        let sig = match sig {
            Some(s) => Some(
                signal::parse(s)
                    .ok_or_else(|| Error::InvalidArgument(format!("invalid signal: {s}")))?,
            ),
            None => None,
        };
        let c = self.container_lookup(name)?;
        if !c.state.is_running() {
            return Ok(());
        }
        let sig = sig
            .or_else(|| {
                c.config
                    .config
                    .stop_signal
                    .as_deref()
                    .and_then(signal::parse)
            })
            .unwrap_or(libc::SIGTERM);
        let secs = timeout
            .or(c.config.config.stop_timeout)
            .unwrap_or(10)
            .max(0) as u64;
        send_signal(&c, sig);
        if !wait_gone(&c, Duration::from_secs(secs)) {
            send_signal(&c, libc::SIGKILL);
            wait_gone(&c, Duration::from_secs(10));
        }
        self.wait_recorded(c.id(), Duration::from_secs(5));
        // And its monitor's teardown: once `stop` returns, the container's
        // published ports are closed (as docker's proxy is gone by then).
        crate::monitor::wait_gone(
            c.state.monitor_pid,
            c.state.monitor_start_time,
            Duration::from_secs(5),
        );
        Ok(())
    }

    /// `attach`: connect to a running container's monitor.
    pub fn attach_container(&self, name: &str) -> Result<Attached> {
        let c = self.container_lookup(name)?;
        if !c.state.is_running() {
            return Err(Error::Raw(
                "You cannot attach to a stopped container, start it first".into(),
            ));
        }
        let dir = self.containers.run_dir(c.id());
        // The full socket path can exceed sun_path; go through an fd of the dir.
        let d = std::fs::File::open(&dir).ctx("opening", &dir)?;
        let path = format!("/proc/self/fd/{}/attach.sock", d.as_raw_fd());
        let sock = UnixStream::connect(&path)
            .map_err(|e| Error::Other(format!("attaching to {}: {e}", c.id())))?;
        drop(d);
        Ok(Attached::new(&c, c.state.pid, c.state.pid_start_time, sock))
    }

    /// `kill -s SIG`.
    pub fn kill_container(&self, name: &str, sig: &str) -> Result<()> {
        let signo = signal::parse(sig)
            .ok_or_else(|| Error::InvalidArgument(format!("Invalid signal: {sig}")))?;
        let c = self.container_lookup(name).map_err(|e| match e {
            Error::NotFound(m) => Error::NotFound(format!("Cannot kill container: {name}: {m}")),
            e => e,
        })?;
        if !c.state.is_running() || !process_alive(c.state.pid, c.state.pid_start_time) {
            return Err(Error::Conflict(format!(
                "Cannot kill container: {name}: {}",
                not_running(&c)
            )));
        }
        send_signal(&c, signo);
        // docker's kill with SIGKILL returns once the container is down, so
        // `kill; wait` and `kill; rm` see it exited (not 255, not running).
        if signo == libc::SIGKILL {
            self.wait_recorded(c.id(), Duration::from_secs(10));
        }
        Ok(())
    }

    /// `wait`: block until the container is not running; its exit code.
    pub fn wait_container(&self, name: &str) -> Result<i32> {
        let id = self.container_lookup(name)?.config.id;
        let mut last = 0;
        loop {
            let Some(c) = self.containers.load(&id)? else {
                return Ok(last);
            };
            let c = match self.reconcile(c) {
                Ok(c) => c,
                // Removed (--rm, or a concurrent rm) as we looked.
                Err(Error::NotFound(_)) => return Ok(last),
                Err(e) => return Err(e),
            };
            last = c.state.exit_code;
            // docker's condition "not-running": a container that never
            // started answers at once, as an exited one does.
            if matches!(
                c.state.status,
                Status::Created | Status::Exited | Status::Dead
            ) {
                return Ok(c.state.exit_code);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Wait (bounded) until the monitor recorded the exit.
    pub(super) fn wait_recorded(&self, id: &str, limit: Duration) {
        let start = Instant::now();
        while start.elapsed() < limit {
            match self.containers.load(id) {
                Ok(Some(c)) if c.state.is_running() => {
                    if !process_alive(c.state.monitor_pid, c.state.monitor_start_time) {
                        let _ = self.reconcile(c);
                        return;
                    }
                }
                _ => return,
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// `logs`: write entries through `out(stream, bytes)`.
    pub fn container_logs(
        &self,
        name: &str,
        o: &LogOptions,
        out: &mut dyn FnMut(&str, &[u8]) -> std::io::Result<()>,
    ) -> Result<()> {
        let c = self.container_lookup(name)?;
        if c.config.host_config.log_driver == "none" {
            return Err(Error::Other(
                "configured logging driver does not support reading".into(),
            ));
        }
        let path = self
            .containers
            .dir(c.id())
            .join(format!("{}-json.log", c.id()));
        let emit = |e: &logs::Entry,
                    out: &mut dyn FnMut(&str, &[u8]) -> std::io::Result<()>|
         -> Result<()> {
            if o.since.is_some_and(|s| e.time < s) || o.until.is_some_and(|u| e.time > u) {
                return Ok(());
            }
            let mut line = Vec::new();
            if o.timestamps {
                line.extend_from_slice(time::rfc3339_nano_fixed(e.time).as_bytes());
                line.push(b' ');
            }
            line.extend_from_slice(e.log.as_bytes());
            out(&e.stream, &line).map_err(|e| Error::Other(format!("writing logs: {e}")))
        };
        let entries = logs::read_all(&path).ctx("reading logs", &path)?;
        let skip = o.tail.map_or(0, |t| entries.len().saturating_sub(t));
        for e in &entries[skip..] {
            emit(e, out)?;
        }
        if !o.follow {
            return Ok(());
        }
        let mut f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(_) => return Ok(()),
        };
        let mut pos = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut pending = String::new();
        loop {
            let running = self
                .containers
                .load(c.id())?
                .map(|c| self.reconcile(c))
                .transpose()?
                .is_some_and(|c| c.state.is_running());
            let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(pos);
            if len > pos {
                use std::io::Seek;
                f.seek(std::io::SeekFrom::Start(pos))
                    .ctx("reading logs", &path)?;
                let mut buf = String::new();
                f.by_ref()
                    .take(len - pos)
                    .read_to_string(&mut buf)
                    .ctx("reading logs", &path)?;
                pos = len;
                pending.push_str(&buf);
                while let Some(i) = pending.find('\n') {
                    let line: String = pending.drain(..=i).collect();
                    if let Some(e) = logs::parse_line(line.trim_end()) {
                        emit(&e, out)?;
                    }
                }
            }
            if o.until.is_some_and(|u| time::now() > u) || (!running && len <= pos) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn send_signal(c: &Container, sig: i32) {
    crate::monitor::signal_process(c.state.pid, c.state.pid_start_time, sig);
}

fn wait_gone(c: &Container, limit: Duration) -> bool {
    let start = Instant::now();
    loop {
        if !process_alive(c.state.pid, c.state.pid_start_time) {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Fork the monitor: double fork + setsid, so it belongs to no terminal and
/// no parent that could wait for it. The command returns to reading `ready`.
/// Starts the container's monitor: a grandchild of this command, in its
/// own session, re-executed from `/proc/self/exe` as `skiff __monitor ID`
/// so that its command line (and that of `--init`'s PID 1, cloned from
/// it) shows no user argument; the plan comes over a pipe. Its fds: 0-2
/// on /dev/null, 3 the plan, 4 the ready pipe, 5 the attach stream (if
/// any); every other inherited fd (the command's locks among them) is
/// closed. Its environment is empty.
fn spawn_monitor(setup: &MonitorSetup) -> Result<PendingMonitor> {
    let fail = |what: &str, e: std::io::Error| {
        Error::Other(format!("starting the monitor of {}: {what}: {e}", setup.id))
    };
    let (plan_r, plan_w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|e| fail("pipe", e.into()))?;
    let cstr = |s: &str| std::ffi::CString::new(s).unwrap_or_default();
    let argv_owned = [
        cstr("skiff"),
        cstr(super::launch::MONITOR_ARG),
        cstr(&setup.id),
        cstr("--root"),
        cstr(&setup.store.root().to_string_lossy()),
    ];
    let mut argv: Vec<*const libc::c_char> = argv_owned.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let envp: [*const libc::c_char; 1] = [std::ptr::null()];
    let fds = [
        Some(plan_r.as_raw_fd()),
        Some(setup.ready.as_raw_fd()),
        setup.first_client.as_ref().map(|c| c.as_raw_fd()),
    ];
    // SAFETY: skiff is single-threaded here (pull's threads are joined);
    // between fork and execve the child only makes async-signal-safe calls
    // on memory prepared above.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(fail("fork", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        // SAFETY: as above; every path ends in execve or _exit.
        unsafe {
            libc::setsid();
            match libc::fork() {
                0 => {}
                -1 => libc::_exit(1),
                _ => libc::_exit(0),
            }
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            // Out of the way first, then onto 3, 4, 5 (dup2 clears CLOEXEC).
            let mut high = [-1; 3];
            for (k, fd) in fds.iter().enumerate() {
                if let Some(fd) = fd {
                    high[k] = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 100);
                }
            }
            for fd in 0..3 {
                libc::dup2(null, fd);
            }
            let mut next = 3;
            for h in high {
                if h >= 0 {
                    libc::dup2(h, next);
                    next += 1;
                }
            }
            libc::syscall(libc::SYS_close_range, next as u32, u32::MAX, 0u32);
            libc::execve(c"/proc/self/exe".as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
    }
    drop(plan_r);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    Ok(PendingMonitor { plan_w })
}

/// A monitor started by [`spawn_monitor`], waiting for its plan. Dropped
/// unsent, it sees the pipe close and exits without a word.
struct PendingMonitor {
    plan_w: OwnedFd,
}

impl PendingMonitor {
    fn send(self, boot: super::launch::MonitorBoot) -> Result<()> {
        let json = match serde_json::to_vec(&boot) {
            Ok(j) => j,
            Err(e) => {
                boot.plan.abandon();
                return Err(Error::Other(format!("encoding the launch plan: {e}")));
            }
        };
        // A monitor that died before reading it shows as EPIPE here and as
        // a closed ready pipe to the caller.
        let _ = std::io::Write::write_all(&mut std::fs::File::from(self.plan_w), &json);
        Ok(())
    }
}

impl Engine {
    /// `pause` / `unpause`: freeze or thaw the container's cgroup.
    /// Thaws `id`'s cgroup whatever its state says (a commit killed
    /// between freezing it and recording "paused"), and records it
    /// running if it was paused.
    pub(crate) fn force_thaw(&self, id: &str) {
        let Ok(_g) = self.containers.lock(id) else {
            return;
        };
        let Ok(mut st) = self.containers.load_state(id) else {
            return;
        };
        if st.cgroup_paths.is_empty() {
            return;
        }
        let cg = crate::runtime::cgroups::Cgroup::from_paths(st.cgroup_paths.clone());
        if let Err(e) = cg.thaw() {
            log::warn!("thawing {id}: {e}");
            return;
        }
        if st.status == Status::Paused {
            st.status = Status::Running;
            let _ = self.containers.save_state(id, &st);
        }
    }

    pub fn set_paused(&self, name: &str, pause: bool) -> Result<()> {
        let c = self.container_lookup(name)?;
        let _g = self.containers.lock(c.id())?;
        let mut st = self.containers.load_state(c.id())?;
        match (pause, st.status) {
            (true, Status::Running) | (false, Status::Paused) => {}
            (true, Status::Paused) => {
                return Err(Error::Conflict(format!(
                    "Container {} is already paused",
                    c.id()
                )))
            }
            (false, _) => {
                return Err(Error::Conflict(format!(
                    "Container {} is not paused",
                    c.id()
                )))
            }
            (true, _) => {
                return Err(Error::Conflict(format!(
                    "Container {} is not running",
                    c.id()
                )))
            }
        }
        let cg = crate::runtime::cgroups::Cgroup::from_paths(st.cgroup_paths.clone());
        if self.opts.rootless && st.cgroup_paths.is_empty() {
            // No cgroup of its own: nothing can freeze it.
            let why =
                super::resources::rootless_limits_unavailable(super::system::cgroup_layout(), None)
                    .unwrap_or("it has no cgroup of its own");
            return Err(Error::Other(format!(
                "a rootless container can't be paused here: {why}"
            )));
        }
        let r = if pause { cg.freeze() } else { cg.thaw() };
        r.map_err(|e| {
            Error::Other(format!(
                "{} {}: {e}",
                if pause { "pausing" } else { "unpausing" },
                c.id()
            ))
        })?;
        st.status = if pause {
            Status::Paused
        } else {
            Status::Running
        };
        self.containers.save_state(c.id(), &st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_args_in_docker_forms() {
        assert_eq!(
            parse_time_arg("2000-01-01T00:00:00Z").unwrap(),
            946_684_800_000_000_000
        );
        assert_eq!(
            parse_time_arg("1136073600").unwrap(),
            1_136_073_600_000_000_000
        );
        assert_eq!(
            parse_time_arg("1136073600.5").unwrap(),
            1_136_073_600_500_000_000
        );
        let t = parse_time_arg("1h30m").unwrap();
        let ago = time::now() - t;
        assert!(
            (5_400_000_000_000..5_460_000_000_000).contains(&ago),
            "{ago}"
        );
        for bad in ["yesterday", "1.", ".5", "1x", "", "-", "NaN", "inf", "1e3"] {
            let e = parse_time_arg(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("{bad:?}")), "{bad}: {e}");
        }
    }

    // Inputs that panicked before the fuzz tests (src/fuzz_tests.rs).
    #[test]
    fn malformed_times_are_errors_not_panics() {
        // The offset sliced inside 'é'.
        assert!(parse_time_arg("2000-01-01T00:00:00+0é00").is_err());
        // -1e40h: the f64 saturated to i128::MIN and `now - it` overflowed.
        let huge = format!("-1{}h", "0".repeat(40));
        assert!(parse_time_arg(&huge).is_err());
        assert!(parse_time_arg(&huge[1..]).is_err());
    }
}
