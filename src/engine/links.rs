//! `--link`: checked at create, turned into hosts entries and variables
//! at start (docker's legacy links, default bridge only). On a user
//! network a link is only a name the container's DNS answers
//! (`netsetup::NetRecords`), as docker makes it.

use super::Engine;
use crate::error::{Error, Result};
use crate::network::links::{self, Link, Linked};
use crate::network::DEFAULT_NETWORK;
use crate::state::container::Container;

/// What a container's links give it at start.
#[derive(Default)]
pub(crate) struct LinkStart {
    /// `/etc/hosts` entries: names, address.
    pub hosts: Vec<(String, String)>,
    /// docker's variables.
    pub env: Vec<String>,
}

impl Engine {
    /// `create`'s links on `network_mode`, checked: on the default bridge
    /// each names an existing container (its id and name kept); on a user
    /// network or `none` they are kept as given; with `host` and
    /// `container:` they are docker's conflicts.
    pub(crate) fn resolve_links(&self, network_mode: &str, given: &[Link]) -> Result<Vec<Link>> {
        if given.is_empty() {
            return Ok(Vec::new());
        }
        if network_mode == "host" {
            return Err(Error::InvalidArgument("conflicting options: host type networking can't be used with links. This would result in undefined behavior".into()));
        }
        if network_mode.starts_with("container:") {
            return Err(Error::InvalidArgument("conflicting options: container type network can't be used with links. This would result in undefined behavior".into()));
        }
        if network_mode != DEFAULT_NETWORK {
            return Ok(given.to_vec());
        }
        given
            .iter()
            .map(|l| {
                let c = self.container_lookup(&l.name).map_err(|e| {
                    Error::NotFound(format!("could not get container for {}: {e}", l.name))
                })?;
                Ok(Link {
                    name: c.name().to_owned(),
                    alias: l.alias.clone(),
                    id: c.id().to_owned(),
                })
            })
            .collect()
    }

    /// At `c`'s start on the default bridge: its linked containers, each
    /// running there; the `/etc/hosts` entries and the variables.
    pub(crate) fn link_start(&self, c: &Container) -> Result<LinkStart> {
        let mut out = LinkStart::default();
        let links = &c.config.net.links;
        if links.is_empty() || c.config.host_config.network_mode != DEFAULT_NETWORK {
            return Ok(out);
        }
        let bridge = self.default_network()?;
        for l in links {
            let gone = || {
                Error::Conflict(format!(
                    "Cannot link to a non running container: /{} AS /{}/{}",
                    l.name,
                    c.name(),
                    l.alias
                ))
            };
            let t = self
                .containers
                .load(&l.id)?
                .filter(|t| {
                    t.state.is_running()
                        && super::liveness::process_alive(t.state.pid, t.state.pid_start_time)
                })
                .ok_or_else(gone)?;
            let ep = bridge.endpoints.get(t.id()).ok_or_else(|| {
                Error::Conflict(format!(
                    "Cannot link to /{}, as it does not belong to the default network",
                    t.name()
                ))
            })?;
            let linked = Linked {
                link: l,
                id: t.id(),
                ip: ep.ip,
                ports: super::netsetup::exposed_ports(&t)?,
                env: &t.config.config.env,
            };
            out.hosts.push(links::hosts_entry(&linked));
            out.env.extend(links::env(c.name(), &linked));
        }
        Ok(out)
    }

    /// `c`'s link variables into `env`, after `HOSTNAME` and before the
    /// container's own; a variable the container sets itself wins.
    pub(crate) fn add_link_env(&self, c: &Container, env: &mut Vec<String>) -> Result<()> {
        let mut link_env = self.link_start(c)?.env;
        let key = |e: &String| e.split('=').next().unwrap_or_default().to_owned();
        let own: Vec<String> = env.iter().map(key).collect();
        link_env.retain(|e| !own.contains(&key(e)));
        let at = usize::from(env.first().is_some_and(|e| e.starts_with("HOSTNAME=")));
        env.splice(at..at, link_env);
        Ok(())
    }
}
