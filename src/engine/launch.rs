//! The monitor's launch of a container: the runtime spec, the seccomp
//! filter and the cgroup are all prepared in the starting command (so their
//! errors reach the user as plain errors), then handed to the monitor.

use std::os::fd::AsFd;

use super::Engine;
use crate::error::{Error, Result};
use crate::monitor::run::{ChildIo, Cleanup, LaunchError, Launched};
use crate::runtime::cgroups::{Cgroup, Resources};
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

/// The cgroup limits of `--memory`, `--cpus`, `--pids-limit` (0: unset).
pub(crate) fn resources(memory: i64, nano_cpus: i64, pids_limit: Option<i64>) -> Resources {
    Resources {
        memory: (memory > 0).then_some(memory),
        nano_cpus: (nano_cpus > 0).then_some(nano_cpus),
        pids_limit,
        ..Default::default()
    }
}

pub type Launch = Box<dyn FnOnce(ChildIo) -> std::result::Result<Launched, LaunchError>>;

fn seccomp_profile(security_opt: &[String], privileged: bool) -> Result<Profile> {
    let mut profile = if privileged {
        Profile::Unconfined
    } else {
        Profile::Default
    };
    for opt in security_opt {
        if let Some(p) = seccomp::parse_security_opt(opt)
            .map_err(|e| Error::InvalidArgument(format!("--security-opt {opt}: {e}")))?
        {
            profile = p;
        }
    }
    Ok(profile)
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
    /// monitor's cgroup is still found and removed by `rm`).
    pub(crate) fn launcher(&self, c: &Container) -> Result<(Launch, Cleanup)> {
        let mut spec = super::spec::build(&self.containers, c)?;
        let h = &c.config.host_config;
        let profile = seccomp_profile(&h.security_opt, h.privileged)?;
        spec.process.seccomp = match profile {
            Profile::Unconfined => SeccompSpec::Unconfined,
            p => seccomp::compile(
                &p,
                &spec.process.capabilities,
                &self.opts.root.join("cache"),
            )
            .map_err(|e| Error::Other(format!("seccomp: {e}")))?,
        };
        let devices = super::devices::resolve(h.privileged, &h.devices)?;
        spec.devices = devices.nodes;
        let mut res = resources(h.memory, h.nano_cpus, h.pids_limit);
        res.devices = devices.rules;
        let parent = (!h.cgroup_parent.is_empty()).then_some(h.cgroup_parent.as_str());
        let cg = Cgroup::create(c.id(), parent, &res).map_err(|e| Error::Other(e.to_string()))?;
        let net = match self.net_plan(c) {
            Ok(n) => n,
            Err(e) => {
                let _ = cg.destroy();
                return Err(e);
            }
        };
        let mut st = self.containers.load_state(c.id())?;
        st.cgroup_paths = cg.paths();
        st.ports = net.as_ref().map(|n| n.ports.clone()).unwrap_or_default();
        st.starter = net.as_ref().map(|_| {
            let me = std::process::id() as i32;
            (me, crate::monitor::proc_start_time(me).unwrap_or(0))
        });
        if let Err(e) = self.containers.save_state_volatile(c.id(), &st) {
            let _ = cg.destroy();
            return Err(e);
        }
        // --dns servers are what the embedded DNS forwards to.
        let dns_upstreams: Vec<std::net::SocketAddr> = c
            .config
            .net
            .dns
            .iter()
            .map(|ip| std::net::SocketAddr::new(*ip, 53))
            .collect();
        let for_cleanup = cg.clone();
        let net_cleanup = net.clone();
        // --rm: the monitor removes the container; its address goes too.
        let release = h.auto_remove.then(|| {
            (
                self.networks.clone(),
                h.network_mode.clone(),
                c.id().to_owned(),
            )
        });
        let launch: Launch = Box::new(move |io: ChildIo| {
            let io = match io {
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
            };
            let dns_sock = std::cell::RefCell::new(None);
            let fd = cg.clone_into_fd();
            let join = cg.self_join_fds();
            let hooks = crate::runtime::Hooks {
                cgroup_fd: fd.as_ref().map(AsFd::as_fd),
                join_fds: join.iter().map(AsFd::as_fd).collect(),
                after_spawn: Some(Box::new(|sp: &crate::runtime::Spawned| {
                    add_task_hook(&cg)(sp)?;
                    if let Some(n) = &net {
                        *dns_sock.borrow_mut() = n.setup(sp.pid)?;
                    }
                    Ok(())
                })),
            };
            let created = crate::runtime::create(&spec, io, hooks);
            let dns = match (dns_sock.into_inner(), &net) {
                (Some((sock, tcp)), Some(n)) => {
                    let upstreams = if dns_upstreams.is_empty() {
                        let host = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
                        crate::network::dns::parse_resolv_conf(&host)
                    } else {
                        dns_upstreams
                    };
                    crate::network::dns::DnsServer::new(sock, upstreams)
                        .and_then(|d| d.with_tcp(tcp))
                        .ok()
                        .map(|d| (d, n.records()))
                }
                _ => None,
            };
            match created {
                Ok(c) => Ok(Launched {
                    pid: c.pid,
                    start_time: c.start_time,
                    pty_master: c.pty_master,
                    dns,
                }),
                Err(e) => Err(LaunchError {
                    code: e.exit_code().clamp(0, 255) as u8,
                    message: e.to_string(),
                }),
            }
        });
        let cleanup: Cleanup = Box::new(move || {
            let _ = for_cleanup.destroy();
            if let Some((store, mode, id)) = release {
                let _ = store.release(&mode, &id);
            }
            net_cleanup.map(|n| Box::new(move || n.teardown()) as crate::monitor::run::LateCleanup)
        });
        Ok((launch, cleanup))
    }
}
