//! `inspect`: docker's JSON for containers, images and networks.
//!
//! Each object is a typed struct whose fields are in docker's order
//! (serde_json keeps it), with docker's zero values: `0`, `""`, `[]`, `{}`,
//! `false`, and `null` exactly where docker prints null. `--format`
//! templates run on this JSON, so every name is docker's.
//!
//! The shape is current docker's (docker 28, API 1.50/1.51), which differs
//! from docker 20.10 (API 1.41) in these documented ways:
//! - containers: `HostConfig.ConsoleSize` follows `VolumesFrom`;
//!   `KernelMemory`/`KernelMemoryTCP` are omitted when 0 (1.42); each
//!   network's entry has `MacAddress` after `Aliases`, then `GwPriority`
//!   (1.48) and `DNSNames` (1.44); `Aliases` holds only the user's aliases
//!   (1.45); `NetworkMode` is `bridge` where 20.10 said `default`;
//! - images: no `Container`, `ContainerConfig` (1.45) or `VirtualSize`
//!   (1.44); `Config` holds only the image config's set fields (1.50);
//! - networks: `EnableIPv4` (1.47).
//!
//! Values that are skiff's own: `Runtime` is `skiff`; `SandboxKey` is
//! `/proc/<pid>/ns/net`; `MemorySwap` is -1 (unlimited) under `-m`, since
//! skiff leaves swap alone (docker sets twice the memory);
//! `OomKillDisable` is null (cgroup v2 cannot disable the OOM killer;
//! docker clears it at the first start there).
//!
//! docker runs `--format` templates on its typed structs, where an
//! `omitempty` field the JSON leaves out still has its zero value
//! (`{{.Config.User}}` of an image is "", not `<no value>`): the
//! [`InspectView::Template`] view keeps those fields.
//!
//! docker's own output for the same flags is in `tests/fixtures/inspect/`
//! (a 20.10 daemon through the 28.2 CLI's types); the unit tests compare
//! key trees with it.

mod container;
mod host_config;
mod image;
mod net_settings;
mod network;
#[cfg(test)]
mod tests;
pub mod volume;

use std::cell::Cell;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::Engine;
use crate::error::Result;

/// docker's zero time (Go's `time.Time{}`).
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// What the inspect JSON is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectView {
    /// Printed: docker's `omitempty` fields left out when empty.
    Json,
    /// Run through a `--format` template: every field, as docker's typed
    /// structs have them.
    Template,
}

impl InspectView {
    /// The view for `--format FORMAT` (none, `json` and `{{json .}}` print
    /// the JSON as it is).
    pub fn for_format(format: Option<&str>) -> InspectView {
        match format.map(str::trim) {
            None | Some("json") | Some("{{json .}}") => InspectView::Json,
            Some(_) => InspectView::Template,
        }
    }
}

thread_local! {
    /// Set while a [`InspectView::Template`] view is serialized.
    static TEMPLATE: Cell<bool> = const { Cell::new(false) };
}

/// Values with a zero that docker's `omitempty` leaves out.
pub(super) trait Zero {
    fn is_zero(&self) -> bool;
}

impl Zero for String {
    fn is_zero(&self) -> bool {
        self.is_empty()
    }
}

impl Zero for bool {
    fn is_zero(&self) -> bool {
        !self
    }
}

impl Zero for i64 {
    fn is_zero(&self) -> bool {
        *self == 0
    }
}

impl<T> Zero for Vec<T> {
    fn is_zero(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V> Zero for BTreeMap<K, V> {
    fn is_zero(&self) -> bool {
        self.is_empty()
    }
}

impl<T> Zero for Option<T> {
    fn is_zero(&self) -> bool {
        self.is_none()
    }
}

/// `skip_serializing_if` for docker's `omitempty` fields: left out of the
/// JSON view when zero, kept in the template view.
pub(super) fn omitempty<T: Zero>(v: &T) -> bool {
    !TEMPLATE.with(Cell::get) && v.is_zero()
}

fn to_value<T: Serialize>(v: &T, view: InspectView) -> Value {
    TEMPLATE.with(|t| t.set(view == InspectView::Template));
    let out = serde_json::to_value(v);
    TEMPLATE.with(|t| t.set(false));
    out.expect("inspect structs have string keys")
}

impl Engine {
    /// `container inspect [--size]`.
    pub fn inspect_container(&self, name: &str, size: bool, view: InspectView) -> Result<Value> {
        let c = self.container_lookup(name)?;
        let ctx = container::Context {
            dir: self.containers.dir(c.id()),
            run_dir: self.containers.run_dir(c.id()),
            driver: c.config.storage_driver.name().into(),
            networks: self.networks.list().unwrap_or_default(),
            mode_id: super::network::mode_id(&c.config.host_config.network_mode),
            size: size.then(|| self.container_size(&c)),
        };
        Ok(to_value(&container::build(&c, &ctx), view))
    }

    /// `image inspect`.
    pub fn inspect_image(&self, name: &str, view: InspectView) -> Result<Value> {
        let rec = self.image_lookup(name)?;
        let repos = self.images.repositories()?;
        let s = self.summarize(rec, &repos)?;
        let lowers = self.images.layer_dir_paths(&s.record);
        let driver = self.store_driver()?.name();
        Ok(to_value(&image::build(&s, &lowers, driver), view))
    }

    /// `volume inspect`.
    pub fn volume_inspect_value(&self, name: &str, view: InspectView) -> Result<Value> {
        let v = self.volume_inspect(name)?;
        Ok(to_value(
            &volume::build(&v, &self.volume_mountpoint(name)),
            view,
        ))
    }

    /// `network inspect`.
    pub fn network_inspect(&self, name: &str, view: InspectView) -> Result<Value> {
        let e = self.network_lookup(name)?;
        let running = |id: &str| {
            self.containers
                .load(id)
                .ok()
                .flatten()
                .is_some_and(|c| c.state.is_running())
        };
        Ok(to_value(&network::build(&e, running), view))
    }
}
