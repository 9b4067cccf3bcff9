//! `image inspect`: docker's `image.InspectResponse` (API 1.50: no
//! `Container`, `ContainerConfig` or `VirtualSize`; `Config` is the image
//! config's own fields, each left out when unset).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::container::GraphDriver;
use super::{omitempty, ZERO_TIME};
use crate::engine::image::ImageSummary;
use crate::image::reference::Reference;
use crate::util::time;

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageInspect {
    #[serde(rename = "Id")]
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    pub parent: String,
    pub comment: String,
    #[serde(skip_serializing_if = "omitempty")]
    pub created: String,
    pub docker_version: String,
    pub author: String,
    pub config: Option<ImageConfig>,
    pub architecture: String,
    #[serde(skip_serializing_if = "omitempty")]
    pub variant: String,
    pub os: String,
    pub size: u64,
    pub graph_driver: GraphDriver,
    #[serde(rename = "RootFS")]
    pub root_fs: RootFs,
    pub metadata: Metadata,
}

/// docker's `DockerOCIImageConfig`: the OCI fields in their order, then
/// docker's extensions; every one omitted when empty.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageConfig {
    #[serde(skip_serializing_if = "omitempty")]
    pub user: String,
    #[serde(skip_serializing_if = "omitempty")]
    pub exposed_ports: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "omitempty")]
    pub env: Vec<String>,
    #[serde(skip_serializing_if = "omitempty")]
    pub entrypoint: Vec<String>,
    #[serde(skip_serializing_if = "omitempty")]
    pub cmd: Vec<String>,
    #[serde(skip_serializing_if = "omitempty")]
    pub volumes: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "omitempty")]
    pub working_dir: String,
    #[serde(skip_serializing_if = "omitempty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "omitempty")]
    pub stop_signal: String,
    #[serde(skip_serializing_if = "omitempty")]
    pub args_escaped: bool,
    #[serde(skip_serializing_if = "omitempty")]
    pub healthcheck: Option<Value>,
    #[serde(skip_serializing_if = "omitempty")]
    pub on_build: Vec<String>,
    #[serde(skip_serializing_if = "omitempty")]
    pub shell: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RootFs {
    #[serde(rename = "Type")]
    pub kind: String,
    pub layers: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metadata {
    pub last_tag_time: String,
}

fn image_config(c: &crate::image::types::RunConfig) -> ImageConfig {
    ImageConfig {
        user: c.user.clone().unwrap_or_default(),
        exposed_ports: c.exposed_ports.clone().unwrap_or_default(),
        env: c.env.clone().unwrap_or_default(),
        entrypoint: c.entrypoint.clone().unwrap_or_default(),
        cmd: c.cmd.clone().unwrap_or_default(),
        volumes: c.volumes.clone().unwrap_or_default(),
        working_dir: c.working_dir.clone().unwrap_or_default(),
        labels: c.labels.clone().unwrap_or_default(),
        stop_signal: c.stop_signal.clone().unwrap_or_default(),
        args_escaped: c.args_escaped.unwrap_or(false),
        healthcheck: c.healthcheck.clone(),
        on_build: c.on_build.clone().unwrap_or_default(),
        shell: c.shell.clone().unwrap_or_default(),
    }
}

/// `lowers`: the image's layer dirs, top first; `driver`: the storage
/// driver's name.
pub fn build(s: &ImageSummary, lowers: &[String], driver: &str) -> ImageInspect {
    let mut data = BTreeMap::new();
    if let Some((upper, rest)) = lowers.split_first() {
        if !rest.is_empty() {
            data.insert("LowerDir".to_owned(), rest.join(":"));
        }
        data.insert("UpperDir".to_owned(), upper.clone());
    }
    let ic = &s.config;
    ImageInspect {
        id: s.record.id.clone(),
        repo_tags: s.tags.iter().map(Reference::familiar).collect(),
        repo_digests: s.digests().iter().map(Reference::familiar).collect(),
        parent: ic.parent.clone().unwrap_or_default(),
        comment: ic.comment.clone().unwrap_or_default(),
        created: s.created.map(time::rfc3339_nano).unwrap_or_default(),
        docker_version: ic.docker_version.clone().unwrap_or_default(),
        author: ic.author.clone().unwrap_or_default(),
        config: ic.config.as_ref().map(image_config),
        architecture: ic.architecture.clone(),
        variant: ic.variant.clone().unwrap_or_default(),
        os: ic.os.clone(),
        size: s.record.size,
        graph_driver: GraphDriver {
            data: (driver == "overlay").then_some(data),
            name: driver.to_owned(),
        },
        root_fs: RootFs {
            kind: "layers".into(),
            layers: ic.rootfs.diff_ids.clone(),
        },
        metadata: Metadata {
            last_tag_time: s
                .record
                .last_tag_time
                .map(time::rfc3339_nano)
                .unwrap_or_else(|| ZERO_TIME.into()),
        },
    }
}
