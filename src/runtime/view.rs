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

/// Mounts `layers` (top first) as one read-only overlay on `target` (no
/// upper dir: a running container's upper dir can be a layer of it too,
/// whiteouts and opaque dirs included). `userxattr` for layers a rootless
/// overlay wrote.
pub fn mount_layers_ro(
    layers: &[PathBuf],
    target: &std::path::Path,
    userxattr: bool,
) -> Result<(), SetupError> {
    use rustix::mount::{FsMountFlags, FsOpenFlags, MountAttrFlags, MoveMountFlags};
    let what = || format!("mounting the layers on {}", target.display());
    let by_fd = || -> rustix::io::Result<std::os::fd::OwnedFd> {
        let fs = rustix::mount::fsopen("overlay", FsOpenFlags::FSOPEN_CLOEXEC)?;
        rustix::mount::fsconfig_set_string(&fs, "source", "overlay")?;
        for l in layers {
            rustix::mount::fsconfig_set_string(&fs, "lowerdir+", l)?;
        }
        if userxattr {
            rustix::mount::fsconfig_set_flag(&fs, "userxattr")?;
        }
        rustix::mount::fsconfig_create(&fs)?;
        rustix::mount::fsmount(
            &fs,
            FsMountFlags::FSMOUNT_CLOEXEC,
            MountAttrFlags::MOUNT_ATTR_RDONLY,
        )
    };
    match by_fd() {
        Ok(fd) => rustix::mount::move_mount(
            &fd,
            "",
            rustix::fs::CWD,
            target,
            MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
        )
        .ctx(what),
        // No new mount API, or no `lowerdir+` (Linux < 6.8): mount(2).
        Err(rustix::io::Errno::NOSYS | rustix::io::Errno::INVAL) => {
            let lower: Vec<String> = layers.iter().map(|l| l.display().to_string()).collect();
            let mut data = format!("lowerdir={}", lower.join(":"));
            if userxattr {
                data.push_str(",userxattr");
            }
            let data = std::ffi::CString::new(data)
                .map_err(|_| SetupError::new(libc::EINVAL, format!("{}: NUL in a path", what())))?;
            rustix::mount::mount(
                "overlay",
                target,
                "overlay",
                rustix::mount::MountFlags::RDONLY,
                data.as_c_str(),
            )
            .ctx(what)
        }
        Err(e) => Err(e).ctx(what),
    }
}
