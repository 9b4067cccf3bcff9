//! `volume inspect`: docker's volume JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::state::volume::Volume;
use crate::util::time;

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VolumeView {
    pub created_at: String,
    pub driver: String,
    /// `null` when there are none, as docker shows them.
    pub labels: Option<BTreeMap<String, String>>,
    pub mountpoint: String,
    pub name: String,
    pub options: Option<BTreeMap<String, String>>,
    pub scope: &'static str,
}

/// docker's `CreatedAt`: RFC 3339 in whole seconds.
pub fn created_at(v: &Volume) -> String {
    time::rfc3339_nano(v.created - v.created.rem_euclid(1_000_000_000))
}

pub fn build(v: &Volume, mountpoint: &std::path::Path) -> VolumeView {
    VolumeView {
        created_at: created_at(v),
        driver: v.driver.clone(),
        labels: (!v.labels.is_empty()).then(|| v.labels.clone()),
        mountpoint: mountpoint.to_string_lossy().into_owned(),
        name: v.name.clone(),
        options: (!v.options.is_empty()).then(|| v.options.clone()),
        scope: "local",
    }
}
