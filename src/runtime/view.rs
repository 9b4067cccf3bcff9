//! A container's filesystem as its processes see it (the rootfs with its
//! volumes, binds and tmpfs mounts), mounted for the host's side of `cp`
//! while the container does not run. The caller is in a mount namespace
//! of its own (and, rootless, in the user namespace that owns it): the
//! mounts go with it.

use std::path::PathBuf;

use rustix::mount::MountPropagationFlags;

use super::error::{Context, SetupError};
use super::rootfs::{mount_extra, mount_rootfs};
use super::spec::{ContainerSpec, Mount, MountKind};
use crate::fsroot::Root;

/// Mounts `spec`'s rootfs and mounts (no copy-up: that is the first
/// start's) and returns the rootfs's path.
pub fn mount_view(spec: &ContainerSpec) -> Result<PathBuf, SetupError> {
    rustix::mount::mount_change(
        "/",
        MountPropagationFlags::DOWNSTREAM | MountPropagationFlags::REC,
    )
    .ctx(|| "making / a recursive slave mount")?;
    let rootfs = mount_rootfs(spec)?;
    let root = Root::open(&rootfs).ctx(|| format!("opening rootfs {}", rootfs.display()))?;
    for m in &spec.mounts {
        let mut m: Mount = m.clone();
        if let MountKind::Bind { copy_up, .. } = &mut m.kind {
            *copy_up = false;
        }
        mount_extra(&root, &m)?;
    }
    Ok(rootfs)
}
