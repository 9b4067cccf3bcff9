//! What several verbs' flags share: docker's help texts for `--format`,
//! and the value names (docker's type names) that `--help` shows. The
//! boolean grammar every flag shares is applied to the whole tree by
//! `cli::grammar`, so the Args structs declare plain `bool`s.

/// `--format` of the verbs that print tables (ps, images, network ls, ...).
pub const TABLE_FORMAT_HELP: &str = "Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";

/// `--format` of the verbs that print objects (inspect, version, info).
pub const TEMPLATE_FORMAT_HELP: &str = "Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";

use crate::commands::context::Context;
use crate::engine::container::ContainerFilter;
use crate::error::{Error, Result};
use crate::state::container::Status;

/// The containers a verb acts on: names, or podman's `--all`, `--latest`
/// and `--filter` (ps's filters), for stop, kill, pause, unpause, restart
/// and rm.
#[derive(Debug, Clone, clap::Args)]
pub struct Selection {
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest", "filter"])]
    pub containers: Vec<String>,
    /// Act on all containers (podman)
    #[arg(short, long)]
    pub all: bool,
    /// Act on the containers matching a filter, as ps's (podman)
    #[arg(short, long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Act on the latest created container (podman)
    #[arg(short, long)]
    pub latest: bool,
    /// Ignore errors when a named container does not exist (podman)
    #[arg(short, long)]
    pub ignore: bool,
}

impl Selection {
    /// The names to act on: those given, or every container whose status
    /// `applies` (the ones the verb can act on) matching the filters. As
    /// podman: names with `--filter` (and no `--all`) keep the named
    /// containers that match, in the user's words.
    pub fn names(&self, ctx: &Context, applies: fn(Status) -> bool) -> Result<Vec<String>> {
        if !self.all && !self.latest && self.filter.is_empty() {
            return Ok(self.containers.clone());
        }
        if !self.containers.is_empty() && (self.all || self.latest) {
            return Err(Error::Status {
                code: crate::error::code::ENGINE,
                message: "Error: either act on all containers (--all, --latest) or on the container(s) provided in the arguments".into(),
            });
        }
        let filters = self
            .filter
            .iter()
            .map(|f| ContainerFilter::parse(f))
            .collect::<Result<Vec<_>>>()?;
        let engine = ctx.engine()?;
        let listed = engine.list_containers(true, &filters)?;
        if !self.containers.is_empty() {
            let mut chosen = Vec::new();
            for name in &self.containers {
                let id = engine.container_lookup(name)?.config.id;
                if listed.iter().any(|c| c.id() == id) {
                    chosen.push(name.clone());
                }
            }
            return Ok(chosen);
        }
        let take = if self.latest { 1 } else { usize::MAX };
        // --latest is the newest container whatever its state; podman
        // prints the full ids of the containers it chose.
        Ok(listed
            .iter()
            .filter(|c| self.latest || applies(c.state.status))
            .take(take)
            .map(|c| c.id().to_owned())
            .collect())
    }

    /// A missing container is no error with --ignore.
    pub fn ignoring<T>(&self, r: Result<Option<T>>) -> Result<Option<T>> {
        match r {
            Err(Error::NotFound(_)) if self.ignore => Ok(None),
            r => r,
        }
    }
}
