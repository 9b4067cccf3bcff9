//! Profiles as data: Docker's default profile (`seccomp_default.json`,
//! upstream byte for byte; see the module documentation of `seccomp`) and
//! the types of Docker's JSON profile format. Nothing here knows how a
//! profile becomes a filter.

use serde::Deserialize;

use super::{Result, SeccompError};

/// Docker's default seccomp profile (see the module documentation for its
/// origin and licence).
pub const DEFAULT_PROFILE_JSON: &str = include_str!("seccomp_default.json");

// Field names follow moby's `seccomp.Seccomp` (which embeds the OCI
// `LinuxSeccomp`); unknown fields are ignored like Go's encoding/json does.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProfileJson {
    #[serde(default)]
    pub(super) default_action: Option<String>,
    #[serde(default)]
    pub(super) default_errno_ret: Option<u32>,
    #[serde(default)]
    pub(super) architectures: Option<Vec<String>>,
    #[serde(default)]
    pub(super) arch_map: Option<Vec<ArchMapJson>>,
    #[serde(default)]
    pub(super) flags: Option<Vec<String>>,
    #[serde(default)]
    pub(super) listener_path: Option<String>,
    #[serde(default)]
    pub(super) syscalls: Option<Vec<SyscallJson>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ArchMapJson {
    pub(super) architecture: String,
    #[serde(default)]
    pub(super) sub_architectures: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SyscallJson {
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) names: Option<Vec<String>>,
    #[serde(default)]
    pub(super) action: Option<String>,
    #[serde(default)]
    pub(super) errno_ret: Option<u32>,
    #[serde(default)]
    pub(super) args: Option<Vec<ArgJson>>,
    #[serde(default)]
    pub(super) includes: Option<FilterJson>,
    #[serde(default)]
    pub(super) excludes: Option<FilterJson>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ArgJson {
    pub(super) index: u32,
    #[serde(default)]
    pub(super) value: Option<u64>,
    #[serde(default)]
    pub(super) value_two: Option<u64>,
    pub(super) op: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FilterJson {
    #[serde(default)]
    pub(super) caps: Option<Vec<String>>,
    #[serde(default)]
    pub(super) arches: Option<Vec<String>>,
    #[serde(default)]
    pub(super) min_kernel: Option<String>,
}

pub(super) fn parse_profile(text: &str, origin: &str) -> Result<ProfileJson> {
    serde_json::from_str(text).map_err(|source| SeccompError::ParseProfile {
        origin: origin.to_string(),
        source,
    })
}
