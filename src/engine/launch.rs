//! The monitor's launch of a container: the runtime spec, the seccomp
//! filter and the cgroup are all prepared in the starting command (so their
//! errors reach the user as plain errors), then handed to the monitor.

use std::os::fd::AsFd;

use serde::{Deserialize, Serialize};

use super::Engine;
use crate::error::{Error, Result};
use crate::monitor::run::{ChildIo, Cleanup, LaunchError, Launched, MonitorSetup};
use crate::network::ports::PortBinding;
use crate::runtime::cgroups::{Cgroup, CgroupError};
use crate::runtime::seccomp::{self, Profile};
use crate::runtime::spec::SeccompSpec;
use crate::state::container::Container;

/// Puts a new process into `cg` unless it got there by itself
/// (`CLONE_INTO_CGROUP`, or its own write to the v1 `tasks` files).
pub(crate) fn add_task_hook(cg: &Cgroup) -> crate::runtime::AfterSpawn<'_> {
    Box::new(move |sp: &crate::runtime::Spawned| {
        if sp.in_cgroup || sp.joins_itself {
            return Ok(());
        }
        cg.add_task(sp.pid)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
}

pub type Launch = Box<dyn FnOnce(ChildIo) -> std::result::Result<Launched, LaunchError>>;

fn seccomp_profile(security_opt: &[String], privileged: bool) -> Result<Profile> {
    Ok(super::spec::security_opts(security_opt)?.seccomp_profile(privileged))
}

impl Engine {
    /// The seccomp filter for a process with these options and capabilities
    /// (compiled once per profile and capability set, then cached).
    pub(crate) fn seccomp_for(
        &self,
        security_opt: &[String],
        privileged: bool,
        caps: &[String],
    ) -> Result<SeccompSpec> {
        match seccomp_profile(security_opt, privileged)? {
            Profile::Unconfined => Ok(SeccompSpec::Unconfined),
            p => seccomp::compile(&p, caps, &self.opts.root.join("cache"))
                .map_err(|e| Error::Other(format!("seccomp: {e}"))),
        }
    }

    /// Prepare a start: spec, seccomp filter, and the container's cgroup
    /// (created here, with its paths recorded in the state, so a dead
    /// monitor's cgroup is still found and removed by `rm`). What comes
    /// back is handed to the monitor over a pipe ([`monitor_main`]).
    pub(crate) fn launch_plan(&self, c: &Container) -> Result<LaunchPlan> {
        let mut spec = super::spec::build(&self.containers, c)?;
        self.add_link_env(c, &mut spec.process.env)?;
        let h = &c.config.host_config;
        if self.opts.rootless {
            self.rootless_user_ns(c, &mut spec)?;
        }
        let seccomp =
            match self.seccomp_for(&h.security_opt, h.privileged, &spec.process.capabilities)? {
                SeccompSpec::Filter(prog) => Some(prog.as_ref().clone()),
                SeccompSpec::Unconfined => None,
            };
        spec.process.seccomp = SeccompSpec::Unconfined;
        let devices = super::devices::resolve(h.privileged, &h.devices, &h.device_cgroup_rules)?;
        spec.devices = devices.nodes;
        let mut res = super::resources::cgroup_limits(h.memory, h.nano_cpus, h.pids_limit);
        res.devices = devices.rules;
        let cg = container_cgroup(c, &res)?;
        // A rootless container on a user network: the holder is kept
        // from stopping (by this start's state) until the state is saved.
        let mut netns_lock = None;
        let net = match self.net_plan(c).and_then(|mut net| {
            if let (true, Some(n)) = (self.opts.rootless, net.as_mut()) {
                netns_lock = Some(self.join_rootless_netns(n, &mut spec)?);
            }
            Ok(net)
        }) {
            Ok(n) => n,
            Err(e) => {
                let _ = cg.destroy();
                return Err(e);
            }
        };
        let (pasta, forward) = pasta_plan(
            c,
            net.as_ref(),
            self.containers.run_dir(c.id()).join("pasta.pid"),
        );
        let mut st = self.containers.load_state(c.id())?;
        st.cgroup_paths = cg.paths();
        st.ports = net.as_ref().map(|n| n.ports.clone()).unwrap_or_default();
        if pasta.is_some() {
            st.ports = forward.clone();
        }
        st.id_maps = spec.id_mappings.as_ref().map(id_map_text);
        st.starter = net.as_ref().map(|_| {
            let me = std::process::id() as i32;
            (me, crate::monitor::proc_start_time(me).unwrap_or(0))
        });
        if let Err(e) = self.containers.save_state_volatile(c.id(), &st) {
            let _ = cg.destroy();
            return Err(e);
        }
        drop(netns_lock);
        Ok(LaunchPlan {
            spec,
            seccomp,
            cgroup: cg,
            net,
            pasta,
            forward,
            // --dns servers are what the embedded DNS forwards to.
            dns_upstreams: c
                .config
                .net
                .dns
                .iter()
                .map(|ip| std::net::SocketAddr::new(*ip, 53))
                .collect(),
            // --rm: the monitor removes the container; its address goes too.
            release: h
                .auto_remove
                .then(|| (self.networks.clone(), h.network_mode.clone())),
        })
    }

    /// A rootless container's user namespace: its maps, and the one it
    /// joins (`container:X`'s, or the pause process's).
    fn rootless_user_ns(
        &self,
        c: &Container,
        spec: &mut crate::runtime::ContainerSpec,
    ) -> Result<()> {
        rootless_userns(c, spec)?;
        let mode = &c.config.host_config.network_mode;
        if let Some(target) = mode.strip_prefix("container:") {
            // Its network namespace is owned by its user namespace,
            // where alone the container has the rights to join it.
            spec.join_user_ns = Some(super::liveness::running_pid(&self.containers, target)?);
        } else if let Some(maps) = shares_pause(spec, mode) {
            spec.join_user_ns = Some(super::pause::ensure(&self.opts.runroot, maps)?);
        }
        Ok(())
    }

    /// A rootless container on a user network: it joins the user
    /// namespace of the user's rootless netns (started if need be), where
    /// its wiring runs. The lock that keeps the holder is returned.
    fn join_rootless_netns(
        &self,
        n: &mut super::netsetup::NetPlan,
        spec: &mut crate::runtime::ContainerSpec,
    ) -> Result<crate::state::lock::LockGuard> {
        let g = super::rootless_netns::lock(&self.opts.runroot)?;
        let holder = super::rootless_netns::ensure(&self.opts.runroot)?;
        spec.join_user_ns = Some(holder);
        // Not keep-id's maps (refused at create): the holder's.
        spec.id_mappings = Some(super::userns::rootless_mappings().0);
        spec.passwd_entry = None;
        n.rootless_holder = Some(holder);
        Ok(g)
    }
}

/// Whether a rootless container joins the user's pause process's user
/// namespace (`engine::pause`): it has the user's subordinate maps
/// (not keep-id's, not a single id the runtime maps by itself), and no
/// other user namespace to join (a user network's holder's).
fn shares_pause<'a>(
    spec: &'a crate::runtime::ContainerSpec,
    network_mode: &str,
) -> Option<&'a crate::runtime::spec::IdMappings> {
    let maps = spec.id_mappings.as_ref()?;
    let ranged = maps.uid.len() > 1 || maps.gid.len() > 1;
    (ranged
        && spec.passwd_entry.is_none()
        && spec.join_user_ns.is_none()
        && !super::rootless_netns::on_user_network(network_mode))
    .then_some(maps)
}

/// The maps as podman's inspect shows them (`container:host:size`).
fn id_map_text(m: &crate::runtime::spec::IdMappings) -> (Vec<String>, Vec<String>) {
    let text = |v: &[crate::runtime::spec::IdMap]| {
        v.iter()
            .map(|r| format!("{}:{}:{}", r.container_id, r.host_id, r.size))
            .collect()
    };
    (text(&m.uid), text(&m.gid))
}

/// A rootless container's user namespace (podman's keep-id, or the user
/// as root), and keep-id's passwd entry.
fn rootless_userns(
    c: &crate::state::container::Container,
    spec: &mut crate::runtime::ContainerSpec,
) -> Result<()> {
    if c.config.host_config.userns_mode == "keep-id" {
        let (maps, passwd) = super::userns::keep_id_mappings()?;
        spec.id_mappings = Some(maps);
        spec.passwd_entry = Some(passwd);
    } else {
        spec.id_mappings = Some(rootless_id_mappings()?);
    }
    Ok(())
}

/// The user namespace of a rootless container; its subordinate ids need
/// the setuid helpers (Debian's uidmap).
fn rootless_id_mappings() -> Result<crate::runtime::spec::IdMappings> {
    let (maps, warning) = super::userns::rootless_mappings();
    if let Some(w) = warning {
        log::warn!("{w}");
    }
    let ranged = maps.uid.len() > 1 || maps.gid.len() > 1;
    for helper in ["newuidmap", "newgidmap"] {
        if ranged && crate::util::program::find(helper).is_none() {
            return Err(Error::Other(format!(
                "a rootless container needs {helper} to map your subordinate ids: install the Debian package uidmap"
            )));
        }
    }
    Ok(maps)
}

/// The container's cgroup, made (again, if a start killed before it
/// recorded it left one).
fn container_cgroup(c: &Container, res: &crate::runtime::cgroups::Resources) -> Result<Cgroup> {
    let h = &c.config.host_config;
    let parent = (!h.cgroup_parent.is_empty()).then_some(h.cgroup_parent.as_str());
    match Cgroup::create(c.id(), parent, res) {
        Err(CgroupError::Exists(_)) => {
            crate::monitor::cleanup_cgroups(c, true);
            Cgroup::create(c.id(), parent, res)
        }
        r => r,
    }
    .map_err(|e| Error::Other(e.to_string()))
}

/// A rootless container's pasta (`--network pasta`: its way out; its pid
/// file) and the ports skiff forwards into it (`-p` there, or on a user
/// network in the rootless netns).
fn pasta_plan(
    c: &Container,
    net: Option<&super::netsetup::NetPlan>,
    pidfile: std::path::PathBuf,
) -> (Option<std::path::PathBuf>, Vec<PortBinding>) {
    match net {
        _ if c.config.host_config.network_mode == "pasta" => (Some(pidfile), pasta_ports(c)),
        Some(n) if n.rootless_holder.is_some() => (None, n.ports.clone()),
        _ => (None, Vec::new()),
    }
}

/// The ports of a rootless container on pasta: `-p` as given, a free
/// host port for each one without (and `-P`'s exposed ports).
fn pasta_ports(c: &crate::state::container::Container) -> Vec<PortBinding> {
    let mut ports = c.config.net.publish.clone();
    for p in &mut ports {
        if p.host_port == 0 {
            p.host_port = free_port(p.host_ip, p.proto);
        }
    }
    ports
}

/// A port the kernel says is free now (a race with another taker is the
/// forwarder's bind error).
fn free_port(ip: Option<std::net::Ipv4Addr>, proto: crate::network::ports::Proto) -> u16 {
    let addr = (ip.unwrap_or(std::net::Ipv4Addr::UNSPECIFIED), 0);
    let port = match proto {
        crate::network::ports::Proto::Tcp => {
            std::net::TcpListener::bind(addr).and_then(|l| l.local_addr())
        }
        crate::network::ports::Proto::Udp => {
            std::net::UdpSocket::bind(addr).and_then(|l| l.local_addr())
        }
    };
    port.map_or(0, |a| a.port())
}

/// The first argument that makes `skiff` the monitor ([`monitor_main`]).
pub const MONITOR_ARG: &str = "__monitor";

/// What the re-executed monitor reads from fd 3: its setup (the fds come
/// at 4 and 5) and the launch plan.
#[derive(Serialize, Deserialize)]
pub(crate) struct MonitorBoot {
    id: String,
    store: crate::state::container::ContainerStore,
    log_path: Option<std::path::PathBuf>,
    tty: bool,
    open_stdin: bool,
    auto_remove: bool,
    first_client: bool,
    /// The starting command's --log-level, for the monitor's monitor.log.
    #[serde(default)]
    log_level: String,
    pub(crate) plan: LaunchPlan,
}

impl MonitorBoot {
    pub(crate) fn new(s: &MonitorSetup, plan: LaunchPlan) -> MonitorBoot {
        MonitorBoot {
            id: s.id.clone(),
            store: s.store.clone(),
            log_path: s.log_path.clone(),
            tty: s.tty,
            open_stdin: s.open_stdin,
            auto_remove: s.auto_remove,
            first_client: s.first_client.is_some(),
            log_level: log::max_level().to_string(),
            plan,
        }
    }
}

/// The monitor's entry point (`skiff __monitor ID`, started by
/// `start_container`): reads its boot record from fd 3, then lives as
/// long as its container. Never returns.
pub fn monitor_main() -> ! {
    use std::io::Read;
    super::userns::install_remove_fallback();
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: fds 3-5 were placed by spawn_monitor for this process alone.
    let (mut plan_in, ready) = unsafe { (std::fs::File::from_raw_fd(3), OwnedFd::from_raw_fd(4)) };
    let mut json = Vec::new();
    let boot: MonitorBoot = match plan_in
        .read_to_end(&mut json)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_slice(&json).map_err(|e| e.to_string()))
    {
        Ok(b) => b,
        // The start failed before the plan was made: nothing to say.
        Err(_) if json.is_empty() => {
            // SAFETY: plain exit.
            unsafe { libc::_exit(0) }
        }
        Err(e) => {
            let mut ready = std::fs::File::from(ready);
            let _ = std::io::Write::write_all(
                &mut ready,
                format!("ERR 125 the monitor could not read its launch plan: {e}\n").as_bytes(),
            );
            // SAFETY: plain exit.
            unsafe { libc::_exit(1) }
        }
    };
    drop(plan_in);
    // Its own problems go to monitor.log beside the container's config:
    // warnings always, more at the starting command's --log-level.
    let level = boot.log_level.parse().unwrap_or(log::LevelFilter::Warn);
    let monitor_log = boot.store.dir(&boot.id).join("monitor.log");
    crate::util::logger::init_file(&monitor_log, level.max(log::LevelFilter::Warn));
    for fd in [4, 5] {
        // SAFETY: setting FD_CLOEXEC on our own fds (5 may be absent).
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    let first_client = boot.first_client.then(|| {
        // SAFETY: fd 5 is the attach stream when the boot record says so.
        std::os::unix::net::UnixStream::from(unsafe { OwnedFd::from_raw_fd(5) })
    });
    let setup = MonitorSetup {
        id: boot.id,
        store: boot.store,
        log_path: boot.log_path,
        tty: boot.tty,
        open_stdin: boot.open_stdin,
        auto_remove: boot.auto_remove,
        first_client,
        ready,
    };
    let (launch, cleanup) = boot.plan.into_parts();
    crate::monitor::run::run(setup, launch, cleanup)
}

/// Everything the monitor needs to launch a container and clean up after
/// it, prepared by the starting command ([`Engine::launch_plan`]) and sent
/// to the re-executed monitor as JSON over a pipe, never in its argv.
#[derive(Serialize, Deserialize)]
pub(crate) struct LaunchPlan {
    spec: crate::runtime::ContainerSpec,
    /// The compiled seccomp program (`struct sock_filter` bytes).
    #[serde(default, with = "opt_base64")]
    seccomp: Option<Vec<u8>>,
    cgroup: Cgroup,
    net: Option<super::netsetup::NetPlan>,
    /// A rootless container's pasta: its pid file.
    #[serde(default)]
    pasta: Option<std::path::PathBuf>,
    /// A rootless container's published ports, forwarded by skiff
    /// (`network::portfwd`).
    #[serde(default)]
    forward: Vec<PortBinding>,
    dns_upstreams: Vec<std::net::SocketAddr>,
    /// `--rm`: the network store and network mode whose address goes.
    release: Option<(crate::state::network::NetworkStore, String)>,
}

mod opt_base64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&base64::engine::general_purpose::STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let v: Option<String> = Option::deserialize(d)?;
        v.map(|t| {
            base64::engine::general_purpose::STANDARD
                .decode(t)
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

impl LaunchPlan {
    /// Undoes what [`Engine::launch_plan`] set up, for a start that fails
    /// before a monitor took over.
    pub(crate) fn abandon(&self) {
        let _ = self.cgroup.destroy();
    }

    /// The monitor's launch and cleanup steps.
    pub(crate) fn into_parts(self) -> (Launch, Cleanup) {
        let LaunchPlan {
            mut spec,
            seccomp,
            cgroup: cg,
            net,
            pasta,
            forward,
            dns_upstreams,
            release,
        } = self;
        if let Some(prog) = seccomp {
            spec.process.seccomp = SeccompSpec::Filter(std::sync::Arc::new(prog));
        }
        let id = spec.id.clone();
        let for_cleanup = cg.clone();
        let net_cleanup = net.clone();
        let pasta_pidfile = pasta.clone();
        // The published ports' forwarder: started by the launch, stopped
        // by the cleanup.
        let forwarder = std::rc::Rc::new(std::cell::RefCell::new(None));
        let fwd = forwarder.clone();
        let pasta_running: PastaSlot = std::rc::Rc::new(std::cell::RefCell::new(None));
        let running_pasta = pasta_running.clone();
        let launch: Launch = Box::new(move |io: ChildIo| {
            // The host ports first: one that is taken fails the start
            // before there is a process.
            let bound = crate::network::portfwd::bind(&forward)
                .map_err(|message| LaunchError { code: 125, message })?;
            let made = create_process(&spec, &cg, (net.as_ref(), pasta.as_ref(), bound), io);
            *running_pasta.borrow_mut() = made.pasta;
            *fwd.borrow_mut() = made.forwarder;
            let created = made.result;
            let dns = match (made.dns_sock, &net) {
                (Some(socks), Some(n)) => {
                    start_dns(&spec.id, socks, dns_upstreams).map(|d| (d, n.records()))
                }
                _ => None,
            };
            let c = created.map_err(|e| LaunchError {
                code: e.exit_code().clamp(0, 255) as u8,
                message: e.to_string(),
            })?;
            Ok(Launched {
                pid: c.pid,
                start_time: c.start_time,
                pty_master: c.pty_master,
                dns,
            })
        });
        (
            launch,
            cleanup_step(
                id,
                for_cleanup,
                release,
                net_cleanup,
                (pasta_pidfile, pasta_running),
                forwarder,
            ),
        )
    }
}

/// The foreground pasta's slot, shared by a launch and its cleanup.
type PastaSlot = std::rc::Rc<std::cell::RefCell<Option<crate::network::pasta::Running>>>;

/// The forwarder's slot, shared by a launch and its cleanup.
type ForwarderSlot = std::rc::Rc<std::cell::RefCell<Option<crate::network::portfwd::Forwarder>>>;

/// What [`create_process`] made.
struct Created {
    result: std::result::Result<crate::runtime::Container, crate::runtime::RuntimeError>,
    /// A user network's DNS sockets, bound in the container.
    dns_sock: Option<(std::net::UdpSocket, std::net::TcpListener)>,
    /// The container's foreground pasta, once it configured the namespace.
    pasta: Option<crate::network::pasta::Running>,
    /// The forwarder of its published ports.
    forwarder: Option<crate::network::portfwd::Forwarder>,
}

/// A start's network parts: a user network's plan, pasta's pid file, and
/// the published ports' host listeners.
type NetParts<'a> = (
    Option<&'a super::netsetup::NetPlan>,
    Option<&'a std::path::PathBuf>,
    Vec<crate::network::portfwd::Bound>,
);

/// The runtime's create, with the monitor's hooks: the cgroup, a user
/// network's wiring (its DNS sockets come back), pasta, and the
/// published ports' forwarder (started while the process waits, which it
/// may not be for long after its command runs).
fn create_process(
    spec: &crate::runtime::ContainerSpec,
    cg: &Cgroup,
    (net, pasta, bound): NetParts<'_>,
    io: ChildIo,
) -> Created {
    let io = runtime_io(io);
    let dns_sock = std::cell::RefCell::new(None);
    // pasta configures the namespace while the process sets up its
    // filesystem; its command waits until the namespace has its default
    // route (before_exec; pasta's last step there, well before the end
    // of its own start-up, which goes on meanwhile: it runs in the
    // foreground, so the monitor knows its pid at once). Only for a
    // process in a PID namespace of its own with a user namespace: it
    // stays open to pasta's /proc access until the gate
    // (runtime/init.rs); others wait for pasta's whole start, before they
    // go on.
    let pasta_child = std::cell::RefCell::new(None);
    let running = std::cell::RefCell::new(None);
    let forwarder = std::cell::RefCell::new(None);
    let mut bound = Some(bound).filter(|b| !b.is_empty());
    let overlap = pasta.is_some()
        && spec.id_mappings.is_some()
        && spec.namespaces.pid == crate::runtime::spec::NamespaceMode::New
        && spec.namespaces.net == crate::runtime::spec::NamespaceMode::New;
    let fd = cg.clone_into_fd();
    let join = cg.self_join_fds();
    let hooks = crate::runtime::Hooks {
        cgroup_fd: fd.as_ref().map(AsFd::as_fd),
        join_fds: join.iter().map(AsFd::as_fd).collect(),
        after_spawn: Some(Box::new(|sp: &crate::runtime::Spawned| {
            add_task_hook(cg)(sp)?;
            if let Some(n) = net {
                *dns_sock.borrow_mut() = super::rootless_netns::setup(n, sp.pid)?;
            }
            if let Some(b) = bound.take() {
                let f = crate::network::portfwd::start(&spec.id, sp.pid, b).map_err(|e| {
                    std::io::Error::other(format!("forwarding its published ports: {e}"))
                })?;
                *forwarder.borrow_mut() = Some(f);
            }
            pasta_after_spawn(pasta, sp.pid, overlap.then_some(&pasta_child))
        })),
        before_exec: overlap.then(|| {
            Box::new(|routes| {
                *running.borrow_mut() = pasta_gate(&pasta_child, routes)?;
                Ok(())
            }) as crate::runtime::BeforeExec<'_>
        }),
    };
    let result = crate::runtime::create(spec, io, hooks);
    // A start that failed before the gate: its foreground pasta goes.
    if let Some(mut c) = pasta_child.borrow_mut().take() {
        let _ = c.kill();
        let _ = c.wait();
    }
    Created {
        result,
        dns_sock: dns_sock.into_inner(),
        pasta: running.into_inner(),
        forwarder: forwarder.into_inner(),
    }
}

/// The container's embedded DNS server on the sockets bound in its
/// network namespace, forwarding to `upstreams` (or the host's). A server
/// that cannot start is logged, and the container runs without it.
fn start_dns(
    id: &str,
    (sock, tcp): (std::net::UdpSocket, std::net::TcpListener),
    upstreams: Vec<std::net::SocketAddr>,
) -> Option<crate::network::dns::DnsServer> {
    let upstreams = if upstreams.is_empty() {
        let host = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        crate::network::dns::parse_resolv_conf(&host)
    } else {
        upstreams
    };
    crate::network::dns::DnsServer::new(sock, upstreams)
        .and_then(|d| d.with_tcp(tcp))
        .map_err(|e| {
            log::error!(
                "container {id}: starting its DNS server at 127.0.0.11: {e}; \
                 names will not resolve in it"
            )
        })
        .ok()
}

/// after_spawn's pasta: started; waited for here, or with a `slot` put
/// there for [`pasta_gate`] (overlapped with the process's setup).
fn pasta_after_spawn(
    pasta: Option<&std::path::PathBuf>,
    pid: i32,
    slot: Option<&std::cell::RefCell<Option<std::process::Child>>>,
) -> std::io::Result<()> {
    let Some(pidfile) = pasta else {
        return Ok(());
    };
    let e = std::io::Error::other;
    match slot {
        Some(s) => {
            *s.borrow_mut() =
                Some(crate::network::pasta::spawn_foreground(pid, pidfile).map_err(e)?)
        }
        None => crate::network::pasta::start(pid, pidfile).map_err(e)?,
    }
    Ok(())
}

/// before_exec: the overlapped pasta has configured the namespace that
/// `routes` watches.
fn pasta_gate(
    slot: &std::cell::RefCell<Option<std::process::Child>>,
    routes: Option<std::os::fd::OwnedFd>,
) -> std::io::Result<Option<crate::network::pasta::Running>> {
    let Some(mut child) = slot.borrow_mut().take() else {
        return Ok(None);
    };
    let Some(routes) = routes else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(std::io::Error::other("no route watch from the container"));
    };
    crate::network::pasta::wait_configured(child, routes)
        .map(Some)
        .map_err(std::io::Error::other)
}

/// The monitor's stdio plan as the runtime's.
fn runtime_io(io: ChildIo) -> crate::runtime::Io {
    match io {
        ChildIo::Pipes {
            stdin,
            stdout,
            stderr,
        } => crate::runtime::Io::Pipes {
            stdin,
            stdout,
            stderr,
        },
        ChildIo::Terminal => crate::runtime::Io::Terminal,
    }
}

/// The monitor's cleanup after the exit: the cgroup, with `--rm` the
/// address, and (later) the network's rules. What fails is logged.
fn cleanup_step(
    id: String,
    cg: Cgroup,
    release: Option<(crate::state::network::NetworkStore, String)>,
    net: Option<super::netsetup::NetPlan>,
    (pasta_pidfile, pasta_running): (Option<std::path::PathBuf>, PastaSlot),
    forwarder: ForwarderSlot,
) -> Cleanup {
    Box::new(move || {
        // Its ports are free once it is gone (a next `run -p` binds them);
        // pasta holds none, and its slow exit is waited for by nobody.
        if let Some(f) = forwarder.borrow_mut().take() {
            f.stop();
        }
        // A foreground pasta by its pidfd (its pid file may not be written
        // yet), any other by its pid file.
        if let Some(p) = pasta_running.borrow_mut().take() {
            p.stop();
        }
        if let Some(f) = &pasta_pidfile {
            crate::network::pasta::stop(f, false);
        }
        if let Err(e) = cg.destroy() {
            log::warn!("container {id}: removing its cgroup: {e}");
        }
        if let Some((store, mode)) = release {
            if let Err(e) = store.release(&mode, &id) {
                log::warn!("container {id}: --rm: releasing its address on network {mode}: {e}");
            }
        }
        net.map(|n| {
            Box::new(move || super::rootless_netns::teardown(n)) as crate::monitor::run::LateCleanup
        })
    })
}
