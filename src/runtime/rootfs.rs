//! The container's filesystem, set up by the child inside its new mount
//! namespace (so every mount here disappears with the namespace):
//! the rootfs (a bind of a directory, or an overlay), `/proc`, `/sys`,
//! `/dev` and its nodes, the spec's extra mounts, `pivot_root`, then
//! sysctls, masked and read-only paths and `--read-only`.
//!
//! Mounts use the new mount API (`fsopen`/`fsmount`/`open_tree`/
//! `move_mount`/`mount_setattr`): filesystems are configured and attached
//! by descriptor, and mountpoints inside the rootfs are resolved with
//! [`Root`] (`RESOLVE_IN_ROOT`), so a symlink in the image never sends a
//! mount outside the rootfs. The overlay falls back to `mount(2)` on
//! kernels without per-layer `lowerdir+` (before 6.8).

use std::collections::BTreeMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, CWD};
use rustix::io::Errno;
use rustix::mount::{
    FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MountPropagationFlags, MoveMountFlags,
    OpenTreeFlags, UnmountFlags,
};

use super::error::{Context, SetupError};
use super::spec::{
    ContainerSpec, DeviceNode, IdMappings, Mount, MountKind, NamespaceMode, NodeKind, Rootfs,
};
use super::sys;
use crate::fsroot::Root;

/// Device nodes created in `/dev`: name, major, minor.
const DEVICES: &[(&str, u32, u32)] = &[
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
];

/// Symlinks created in `/dev`: name, target.
const DEV_LINKS: &[(&str, &str)] = &[
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
    ("core", "/proc/kcore"),
];

/// Sets up the whole filesystem view; on return the process's root and
/// working directory are the container's `/`.
pub fn setup(spec: &ContainerSpec) -> Result<(), SetupError> {
    rustix::mount::mount_change(
        "/",
        MountPropagationFlags::DOWNSTREAM | MountPropagationFlags::REC,
    )
    .ctx(|| "making / a recursive slave mount")?;
    let rootfs = mount_rootfs(spec)?;
    let root = Root::open(&rootfs).ctx(|| format!("opening rootfs {}", rootfs.display()))?;
    let ours = |dest: &str| spec.mounts.iter().any(|m| m.destination == Path::new(dest));
    mount_proc(&root)?;
    mount_sys(&root, spec)?;
    if !ours("/dev") {
        mount_dev(&root, spec, &ours)?;
    }
    for m in &spec.mounts {
        mount_extra(&root, m)?;
    }
    for d in &spec.devices {
        make_spec_device(&root, d)?;
    }
    drop(root);
    pivot(&rootfs)?;
    if let Some(line) = &spec.passwd_entry {
        add_passwd_entry(line)?;
    }
    write_sysctls(&spec.sysctls)?;
    for path in &spec.masked_paths {
        mask(path)?;
    }
    for path in &spec.readonly_paths {
        make_readonly(path)?;
    }
    if spec.readonly_rootfs {
        sys::mount_setattr(CWD, c"/", 0, sys::MOUNT_ATTR_RDONLY)
            .ctx(|| "remounting / read-only")?;
    }
    Ok(())
}

/// Appends `line` (`name:x:uid:gid:...`) to the container's /etc/passwd
/// unless an entry has its uid; inside the container's root, never
/// following a symlink at /etc/passwd. A read-only or missing file is
/// left as it is.
fn add_passwd_entry(line: &str) -> Result<(), SetupError> {
    let uid = line.split(':').nth(2).unwrap_or_default();
    let path = "/etc/passwd";
    let flags = OFlags::RDWR | OFlags::APPEND | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT | Errno::ROFS | Errno::LOOP) => return Ok(()),
        Err(e) => return Err(e).ctx(|| format!("opening {path}")),
    };
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::fs::File::from(fd.try_clone().ctx(|| "dup")?),
        &mut text,
    )
    .ctx(|| format!("reading {path}"))?;
    if text.lines().any(|l| l.split(':').nth(2) == Some(uid)) {
        return Ok(());
    }
    let sep = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    rustix::io::write(&fd, format!("{sep}{line}\n").as_bytes())
        .ctx(|| format!("writing {path}"))?;
    Ok(())
}

/// Mounts the rootfs and returns where it is.
pub(crate) fn mount_rootfs(spec: &ContainerSpec) -> Result<PathBuf, SetupError> {
    match &spec.rootfs {
        Rootfs::Dir { path } => {
            let tree = clone_tree(path, true)?;
            rustix::mount::move_mount(
                &tree,
                "",
                CWD,
                path,
                MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
            )
            .ctx(|| format!("bind-mounting rootfs {}", path.display()))?;
            Ok(path.clone())
        }
        Rootfs::Overlay {
            lowers,
            upper,
            work,
            target,
        } => {
            mount_overlay(lowers, upper, work, target, spec.id_mappings.is_some())?;
            Ok(target.clone())
        }
    }
}

fn mount_overlay(
    lowers: &[PathBuf],
    upper: &Path,
    work: &Path,
    target: &Path,
    userns: bool,
) -> Result<(), SetupError> {
    let what = || format!("mounting overlay on {}", target.display());
    if lowers.is_empty() {
        return Err(SetupError::new(
            libc::EINVAL,
            format!("{}: no lower layer", what()),
        ));
    }
    match overlay_by_fd(lowers, upper, work, userns) {
        Ok(fd) => rustix::mount::move_mount(
            &fd,
            "",
            CWD,
            target,
            MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
        )
        .ctx(what),
        // No new mount API, or no `lowerdir+` (Linux < 6.8): mount(2).
        Err(Errno::NOSYS) | Err(Errno::INVAL) => {
            let data = std::ffi::CString::new(overlay_options(lowers, upper, work, userns))
                .map_err(|_| SetupError::new(libc::EINVAL, format!("{}: NUL in a path", what())))?;
            rustix::mount::mount(
                "overlay",
                target,
                "overlay",
                MountFlags::empty(),
                data.as_c_str(),
            )
            .ctx(what)
        }
        Err(e) => Err(e).ctx(what),
    }
}

fn overlay_by_fd(
    lowers: &[PathBuf],
    upper: &Path,
    work: &Path,
    userns: bool,
) -> Result<OwnedFd, Errno> {
    let fs = rustix::mount::fsopen("overlay", FsOpenFlags::FSOPEN_CLOEXEC)?;
    rustix::mount::fsconfig_set_string(&fs, "source", "overlay")?;
    for lower in lowers {
        rustix::mount::fsconfig_set_string(&fs, "lowerdir+", lower)?;
    }
    rustix::mount::fsconfig_set_string(&fs, "upperdir", upper)?;
    rustix::mount::fsconfig_set_string(&fs, "workdir", work)?;
    if userns {
        rustix::mount::fsconfig_set_flag(&fs, "userxattr")?;
    }
    rustix::mount::fsconfig_create(&fs)?;
    rustix::mount::fsmount(&fs, FsMountFlags::FSMOUNT_CLOEXEC, MountAttrFlags::empty())
}

/// The `mount(2)` data string of an overlay (the fallback).
pub fn overlay_options(lowers: &[PathBuf], upper: &Path, work: &Path, userns: bool) -> String {
    let lower: Vec<String> = lowers.iter().map(|l| l.display().to_string()).collect();
    let mut data = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.join(":"),
        upper.display(),
        work.display()
    );
    if userns {
        data.push_str(",userxattr");
    }
    data
}

/// `/proc` and `/sys` are made real directories first: mounted through a
/// symlink of the image, proc or sysfs would land where the image chose
/// (over `/` itself, say; CVE-2023-28642). As docker's init layer does, an
/// image's symlink (or file) there is replaced by an empty directory, in
/// the container's own upper layer.
fn kernel_fs_mountpoint(root: &Root, dest: &str) -> Result<OwnedFd, SetupError> {
    let what = || format!("replacing the image's {dest} with a directory");
    if let Ok(st) = root.symlink_metadata(Path::new(dest)) {
        if FileType::from_raw_mode(st.st_mode) != FileType::Directory {
            let (parent, name) = root.open_parent(Path::new(dest)).ctx(what)?;
            rustix::fs::unlinkat(&parent, name.as_os_str(), AtFlags::empty()).ctx(what)?;
            rustix::fs::mkdirat(&parent, name.as_os_str(), Mode::from_raw_mode(0o555)).ctx(what)?;
        }
    }
    mountpoint(root, Path::new(dest), true)
}

fn mount_proc(root: &Root) -> Result<(), SetupError> {
    let dest = kernel_fs_mountpoint(root, "/proc")?;
    let attrs = nosuid_noexec_nodev();
    match new_fs("proc", "proc", &[], &[], attrs) {
        Ok(fs) => attach(&fs, &dest, "/proc"),
        // A PID namespace we may not mount (joined, or the host's under a
        // user namespace): bind the host's /proc instead.
        // nosuid,noexec,nodev as a new proc would be.
        Err(e) if e.errno == libc::EPERM => {
            let tree = clone_tree(Path::new("/proc"), true)?;
            sys::mount_setattr(
                tree.as_fd(),
                c"",
                libc::AT_EMPTY_PATH as u32 | libc::AT_RECURSIVE as u32,
                u64::from(nosuid_noexec_nodev().bits()),
            )
            .ctx(|| "making the /proc bind nosuid,noexec,nodev")?;
            attach(&tree, &dest, "/proc")
        }
        Err(e) => Err(e.prefixed("mounting proc on /proc")),
    }
}

fn mount_sys(root: &Root, spec: &ContainerSpec) -> Result<(), SetupError> {
    let dest = kernel_fs_mountpoint(root, "/sys")?;
    let ro = nosuid_noexec_nodev() | MountAttrFlags::MOUNT_ATTR_RDONLY;
    // A joined network namespace (container:) gets a sysfs of its own too:
    // mounted after the join, it shows that namespace's devices.
    if spec.namespaces.net != NamespaceMode::Host {
        match new_fs("sysfs", "sysfs", &[], &[], ro) {
            Ok(fs) => return attach(&fs, &dest, "/sys"),
            Err(e) if e.errno != libc::EPERM => return Err(e.prefixed("mounting sysfs on /sys")),
            Err(_) => {}
        }
    }
    let tree = clone_tree(Path::new("/sys"), true)?;
    sys::mount_setattr(
        tree.as_fd(),
        c"",
        libc::AT_EMPTY_PATH as u32 | libc::AT_RECURSIVE as u32,
        sys::MOUNT_ATTR_RDONLY,
    )
    .ctx(|| "making the /sys bind read-only")?;
    attach(&tree, &dest, "/sys")
}

fn mount_dev(
    root: &Root,
    spec: &ContainerSpec,
    ours: &dyn Fn(&str) -> bool,
) -> Result<(), SetupError> {
    let dest = mountpoint(root, Path::new("/dev"), true)?;
    let attrs = MountAttrFlags::MOUNT_ATTR_NOSUID | MountAttrFlags::MOUNT_ATTR_STRICTATIME;
    let dev = new_fs(
        "tmpfs",
        "tmpfs",
        &[("mode", "755"), ("size", "65536k")],
        &[],
        attrs,
    )
    .map_err(|e| e.prefixed("mounting tmpfs on /dev"))?;
    attach(&dev, &dest, "/dev")?;
    for &(name, major, minor) in DEVICES {
        let path = Path::new("/dev").join(name);
        if !spec.devices.iter().any(|d| d.path == path) {
            make_device(&dev, name, major, minor)?;
        }
    }
    for &(name, target) in DEV_LINKS {
        rustix::fs::symlinkat(target, &dev, name).ctx(|| format!("creating /dev/{name}"))?;
    }
    if !ours("/dev/pts") {
        mount_devpts(&dev, spec.id_mappings.as_ref())?;
    }
    if !ours("/dev/shm") {
        let size = spec.shm_size.to_string();
        let fs = new_fs(
            "tmpfs",
            "shm",
            &[("mode", "1777"), ("size", &size)],
            &[],
            nosuid_noexec_nodev(),
        )
        .map_err(|e| e.prefixed("mounting tmpfs on /dev/shm"))?;
        attach(&fs, &subdir(&dev, "shm")?, "/dev/shm")?;
    }
    if !ours("/dev/mqueue") {
        match new_fs("mqueue", "mqueue", &[], &[], nosuid_noexec_nodev()) {
            Ok(fs) => attach(&fs, &subdir(&dev, "mqueue")?, "/dev/mqueue")?,
            // The host's IPC namespace under a user namespace: no mqueue.
            Err(e) if e.errno == libc::EPERM && spec.namespaces.ipc != NamespaceMode::New => {}
            Err(e) => return Err(e.prefixed("mounting mqueue on /dev/mqueue")),
        }
    }
    Ok(())
}

fn mount_devpts(dev: &OwnedFd, maps: Option<&IdMappings>) -> Result<(), SetupError> {
    let mut opts = vec![("ptmxmode", "0666"), ("mode", "0620")];
    // gid 5 (tty) only when it exists in the container's user namespace.
    if maps.is_none_or(|m| super::namespaces::is_mapped(&m.gid, 5)) {
        opts.push(("gid", "5"));
    }
    let attrs = MountAttrFlags::MOUNT_ATTR_NOSUID | MountAttrFlags::MOUNT_ATTR_NOEXEC;
    let fs = new_fs("devpts", "devpts", &opts, &["newinstance"], attrs)
        .map_err(|e| e.prefixed("mounting devpts on /dev/pts"))?;
    attach(&fs, &subdir(dev, "pts")?, "/dev/pts")
}

/// A default character device in `/dev`, mode 0666, owned by root.
fn make_device(dev: &OwnedFd, name: &str, major: u32, minor: u32) -> Result<(), SetupError> {
    let node = DeviceNode {
        path: Path::new("/dev").join(name),
        kind: NodeKind::Char,
        major,
        minor,
        mode: 0o666,
        uid: 0,
        gid: 0,
        host_path: Path::new("/dev").join(name),
    };
    make_node(dev.as_fd(), name, &node, false)
}

/// One of the spec's device nodes (parent dirs created inside the rootfs).
/// A name taken by one of the `/dev` symlinks (`ptmx`…) keeps the symlink,
/// and anything already at the path is kept, as runc does.
fn make_spec_device(root: &Root, d: &DeviceNode) -> Result<(), SetupError> {
    let what = || format!("device {}", d.path.display());
    if let Ok(name) = d.path.strip_prefix("/dev") {
        if DEV_LINKS.iter().any(|(l, _)| Path::new(l) == name) {
            return Ok(());
        }
    }
    let rel = d.path.strip_prefix("/").unwrap_or(&d.path);
    let (parent, name) = crate::fsroot::split_parent(rel).ctx(what)?;
    if name.is_empty() {
        return Err(SetupError::new(libc::EINVAL, what()));
    }
    let dir = root.mkdir_all(&parent, 0o755).ctx(what)?;
    let name = name.to_string_lossy();
    make_node(dir.as_fd(), &name, d, true)
}

/// `mknod` with the node's mode and owner; where that is not allowed (a
/// user namespace), the host's node is bind-mounted onto an empty file.
fn make_node(
    dir: BorrowedFd<'_>,
    name: &str,
    d: &DeviceNode,
    keep_existing: bool,
) -> Result<(), SetupError> {
    let shown = d.path.display().to_string();
    let mode = Mode::from_raw_mode(d.mode & 0o7777);
    let ft = match d.kind {
        NodeKind::Char => FileType::CharacterDevice,
        NodeKind::Block => FileType::BlockDevice,
        NodeKind::Fifo => FileType::Fifo,
    };
    let devno = rustix::fs::makedev(d.major, d.minor);
    match rustix::fs::mknodat(dir, name, ft, mode, devno) {
        Ok(()) => {
            // mknod obeys the umask
            rustix::fs::chmodat(dir, name, mode, AtFlags::empty())
                .ctx(|| format!("chmod {shown}"))?;
            if (d.uid, d.gid) != (0, 0) {
                rustix::fs::chownat(
                    dir,
                    name,
                    Some(rustix::fs::Uid::from_raw(d.uid)),
                    Some(rustix::fs::Gid::from_raw(d.gid)),
                    AtFlags::SYMLINK_NOFOLLOW,
                )
                .ctx(|| format!("chown {shown}"))?;
            }
            Ok(())
        }
        Err(Errno::EXIST) if keep_existing => Ok(()),
        Err(Errno::PERM) if d.kind != NodeKind::Fifo => {
            let flags = OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::CLOEXEC;
            drop(rustix::fs::openat(dir, name, flags, mode).ctx(|| format!("creating {shown}"))?);
            let dest = rustix::fs::openat(dir, name, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())
                .ctx(|| format!("opening {shown}"))?;
            attach(&clone_tree(&d.host_path, false)?, &dest, &shown)
        }
        Err(e) => Err(e).ctx(|| format!("mknod {shown}")),
    }
}

/// One of the spec's mounts.
pub(crate) fn mount_extra(root: &Root, m: &Mount) -> Result<(), SetupError> {
    let dest_name = m.destination.display().to_string();
    match &m.kind {
        MountKind::Bind {
            source,
            readonly,
            recursive,
            propagation,
            copy_up,
        } => {
            let st =
                rustix::fs::stat(source).ctx(|| format!("bind source {}", source.display()))?;
            let is_dir = FileType::from_raw_mode(st.st_mode) == FileType::Directory;
            if *copy_up && is_dir {
                copy_up_into(root, &m.destination, source)?;
            }
            let dest = mountpoint(root, &m.destination, is_dir)?;
            let tree = clone_tree(source, *recursive)?;
            let mut at = libc::AT_EMPTY_PATH as u32;
            if *recursive {
                at |= libc::AT_RECURSIVE as u32;
            }
            let attr = if *readonly { sys::MOUNT_ATTR_RDONLY } else { 0 };
            let (kind, rec) = propagation_of(propagation)?;
            if !rec {
                at &= !(libc::AT_RECURSIVE as u32);
            }
            if attr != 0 || kind != 0 {
                sys::mount_setattr_full(tree.as_fd(), c"", at, attr, kind)
                    .ctx(|| format!("setting the attributes of the bind on {dest_name}"))?;
            }
            attach(&tree, &dest, &dest_name)
        }
        MountKind::Tmpfs { options } => {
            let dest = mountpoint(root, &m.destination, true)?;
            let (attrs, data) = tmpfs_options(options);
            let data: Vec<(&str, &str)> =
                data.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let fs = new_fs("tmpfs", "tmpfs", &data, &[], attrs)
                .map_err(|e| e.prefixed(&format!("mounting tmpfs on {dest_name}")))?;
            attach(&fs, &dest, &dest_name)
        }
    }
}

/// A propagation word: the `MS_*` type (0 for none given) and whether it
/// applies to the mounts below too (`r*`).
fn propagation_of(word: &str) -> Result<(u64, bool), SetupError> {
    let kind = match word.trim_start_matches('r') {
        "" => 0,
        "shared" => libc::MS_SHARED,
        "slave" => libc::MS_SLAVE,
        "private" => libc::MS_PRIVATE,
        _ => {
            return Err(SetupError::new(
                libc::EINVAL,
                format!("unknown propagation {word:?}"),
            ))
        }
    };
    Ok((kind as u64, word.starts_with('r') || word.is_empty()))
}

/// A volume's first use: an empty `source` gets what the image has at
/// `dest` (a directory, resolved inside the rootfs), as docker's copy-up.
/// Nothing is followed out of either tree.
fn copy_up_into(root: &Root, dest: &Path, source: &Path) -> Result<(), SetupError> {
    let what = || format!("copying {} into its volume", dest.display());
    let image = match root.resolve(dest, OFlags::PATH | OFlags::DIRECTORY) {
        Ok(fd) => Root::from_fd(fd, root.path().join(dest.strip_prefix("/").unwrap_or(dest))),
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => return Ok(()),
        Err(e) => return Err(e).ctx(what),
    };
    let volume = Root::open(source).ctx(what)?;
    if !crate::util::tree::is_empty_dir(volume.fd()).ctx(what)? {
        return Ok(());
    }
    crate::image::vfs::copy_tree(&image, &volume).ctx(what)
}

/// Splits docker's tmpfs option words into mount attributes and
/// `key=value` filesystem options; `noexec,nosuid,nodev` by default.
pub fn tmpfs_options(options: &[String]) -> (MountAttrFlags, Vec<(String, String)>) {
    let mut attrs = nosuid_noexec_nodev();
    let mut data = Vec::new();
    for opt in options {
        match opt.as_str() {
            "ro" => attrs |= MountAttrFlags::MOUNT_ATTR_RDONLY,
            "rw" => attrs -= MountAttrFlags::MOUNT_ATTR_RDONLY,
            "noexec" => attrs |= MountAttrFlags::MOUNT_ATTR_NOEXEC,
            "exec" => attrs -= MountAttrFlags::MOUNT_ATTR_NOEXEC,
            "nosuid" => attrs |= MountAttrFlags::MOUNT_ATTR_NOSUID,
            "suid" => attrs -= MountAttrFlags::MOUNT_ATTR_NOSUID,
            "nodev" => attrs |= MountAttrFlags::MOUNT_ATTR_NODEV,
            "dev" => attrs -= MountAttrFlags::MOUNT_ATTR_NODEV,
            "noatime" => attrs |= MountAttrFlags::MOUNT_ATTR_NOATIME,
            "strictatime" => attrs |= MountAttrFlags::MOUNT_ATTR_STRICTATIME,
            other => {
                let (k, v) = other.split_once('=').unwrap_or((other, ""));
                data.push((k.to_string(), v.to_string()));
            }
        }
    }
    (attrs, data)
}

/// `pivot_root(".", ".")` into `rootfs`, then detaches the old root, which
/// now sits on top of it.
fn pivot(rootfs: &Path) -> Result<(), SetupError> {
    let what = || format!("pivot_root to {}", rootfs.display());
    rustix::process::chdir(rootfs).ctx(what)?;
    rustix::process::pivot_root(".", ".").ctx(what)?;
    rustix::mount::unmount(".", UnmountFlags::DETACH).ctx(|| "detaching the old root")?;
    rustix::process::chdir("/").ctx(|| "chdir /")?;
    Ok(())
}

fn write_sysctls(sysctls: &BTreeMap<String, String>) -> Result<(), SetupError> {
    for (key, value) in sysctls {
        let path = PathBuf::from("/proc/sys").join(key.replace('.', "/"));
        std::fs::write(&path, value).ctx(|| format!("setting sysctl {key}={value}"))?;
    }
    Ok(())
}

/// Hides `path` (after pivot_root): `/dev/null` over a file, an empty
/// read-only tmpfs over a directory. A missing path is fine.
fn mask(path: &Path) -> Result<(), SetupError> {
    let what = || format!("masking {}", path.display());
    let dest = match rustix::fs::open(
        path,
        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(()),
        Err(e) => return Err(e).ctx(what),
    };
    let st = rustix::fs::fstat(&dest).ctx(what)?;
    let tree = if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
        let attrs = MountAttrFlags::MOUNT_ATTR_RDONLY | nosuid_noexec_nodev();
        new_fs("tmpfs", "tmpfs", &[("size", "0")], &[], attrs).map_err(|e| e.prefixed(&what()))?
    } else {
        clone_tree(Path::new("/dev/null"), false)?
    };
    attach(&tree, &dest, &path.display().to_string())
}

/// Binds `path` read-only onto itself (after pivot_root). A missing path is
/// fine.
fn make_readonly(path: &Path) -> Result<(), SetupError> {
    let what = || format!("making {} read-only", path.display());
    let tree = match rustix::mount::open_tree(
        CWD,
        path,
        OpenTreeFlags::OPEN_TREE_CLONE
            | OpenTreeFlags::OPEN_TREE_CLOEXEC
            | OpenTreeFlags::AT_RECURSIVE,
    ) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(()),
        Err(e) => return Err(e).ctx(what),
    };
    let at = libc::AT_EMPTY_PATH as u32 | libc::AT_RECURSIVE as u32;
    sys::mount_setattr(tree.as_fd(), c"", at, sys::MOUNT_ATTR_RDONLY).ctx(what)?;
    rustix::mount::move_mount(
        &tree,
        "",
        CWD,
        path,
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
    )
    .ctx(what)
}

fn nosuid_noexec_nodev() -> MountAttrFlags {
    MountAttrFlags::MOUNT_ATTR_NOSUID
        | MountAttrFlags::MOUNT_ATTR_NOEXEC
        | MountAttrFlags::MOUNT_ATTR_NODEV
}

/// A new, detached filesystem of `fstype` (named `source` in the mount
/// table, as docker's are), configured with `strings`
/// (`key=value`) and `flags`, as a mount with `attrs`. Errors carry the
/// kernel's own message for the filesystem when it left one.
fn new_fs(
    fstype: &str,
    source: &str,
    strings: &[(&str, &str)],
    flags: &[&str],
    attrs: MountAttrFlags,
) -> Result<OwnedFd, SetupError> {
    let fs = rustix::mount::fsopen(fstype, FsOpenFlags::FSOPEN_CLOEXEC)
        .ctx(|| format!("fsopen {fstype}"))?;
    let configured = (|| {
        rustix::mount::fsconfig_set_string(&fs, "source", source)?;
        for (key, value) in strings {
            rustix::mount::fsconfig_set_string(&fs, *key, *value)?;
        }
        for flag in flags {
            rustix::mount::fsconfig_set_flag(&fs, *flag)?;
        }
        rustix::mount::fsconfig_create(&fs)?;
        rustix::mount::fsmount(&fs, FsMountFlags::FSMOUNT_CLOEXEC, attrs)
    })();
    configured.map_err(|e| {
        let mut err = Err::<(), _>(e).ctx(|| fstype.to_string()).unwrap_err();
        if let Some(log) = fs_log(&fs) {
            err.message = format!("{} ({log})", err.message);
        }
        err
    })
}

/// The messages the kernel queued on a filesystem context.
fn fs_log(fs: &OwnedFd) -> Option<String> {
    let mut lines = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = rustix::io::read(fs, &mut buf) {
        if n == 0 || lines.len() >= 4 {
            break;
        }
        lines.push(String::from_utf8_lossy(&buf[..n]).trim().to_string());
    }
    (!lines.is_empty()).then(|| lines.join("; "))
}

/// A detached copy of the mount(s) at `source` (a bind mount to be).
fn clone_tree(source: &Path, recursive: bool) -> Result<OwnedFd, SetupError> {
    let mut flags = OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC;
    if recursive {
        flags |= OpenTreeFlags::AT_RECURSIVE;
    }
    rustix::mount::open_tree(CWD, source, flags).ctx(|| format!("bind source {}", source.display()))
}

/// Attaches the detached mount `tree` onto the (resolved) mountpoint `dest`.
fn attach(tree: &OwnedFd, dest: &OwnedFd, name: &str) -> Result<(), SetupError> {
    rustix::mount::move_mount(
        tree,
        "",
        dest,
        "",
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH,
    )
    .ctx(|| format!("mounting on {name}"))
}

/// Creates (if needed) the directory `name` in `parent` and opens it.
fn subdir(parent: &OwnedFd, name: &str) -> Result<OwnedFd, SetupError> {
    match rustix::fs::mkdirat(parent, name, Mode::from_raw_mode(0o755)) {
        Ok(()) | Err(Errno::EXIST) => {}
        Err(e) => return Err(e).ctx(|| format!("mkdir /dev/{name}")),
    }
    rustix::fs::openat(
        parent,
        name,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ctx(|| format!("opening /dev/{name}"))
}

/// Resolves `dest` inside the rootfs (symlinks followed inside it only)
/// and returns an `O_PATH` descriptor of the mountpoint, creating it when
/// missing: a directory, or an empty file when the source is not one.
pub fn mountpoint(root: &Root, dest: &Path, is_dir: bool) -> Result<OwnedFd, SetupError> {
    let what = || format!("mountpoint {}", dest.display());
    match root.resolve(dest, OFlags::PATH) {
        Ok(fd) => return Ok(fd),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
        Err(e) => return Err(e).ctx(what),
    }
    if is_dir {
        return root.mkdir_all(dest, 0o755).ctx(what);
    }
    create_file_in_root(root, dest, 0).ctx(what)?;
    root.resolve(dest, OFlags::PATH).ctx(what)
}

/// Creates an empty file at `rel` (parents too). A dangling symlink as the
/// last component is followed, inside the root, to where it points.
fn create_file_in_root(root: &Root, rel: &Path, hops: usize) -> std::io::Result<()> {
    if hops > 40 {
        return Err(Errno::LOOP.into());
    }
    let (parent, name) = crate::fsroot::split_parent(rel)?;
    let dir = root.mkdir_all(&parent, 0o755)?;
    let flags = OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match rustix::fs::openat(&dir, name.as_os_str(), flags, Mode::from_raw_mode(0o644)) {
        Ok(_) => Ok(()),
        Err(Errno::EXIST) => {
            let target = rustix::fs::readlinkat(&dir, name.as_os_str(), Vec::new())?;
            let target = Path::new(std::ffi::OsStr::new(
                std::str::from_utf8(target.to_bytes()).map_err(std::io::Error::other)?,
            ));
            create_file_in_root(root, &parent.join(target), hops + 1)
        }
        Err(e) => Err(e.into()),
    }
}

impl SetupError {
    fn prefixed(mut self, what: &str) -> SetupError {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmpfs_words() {
        let (attrs, data) = tmpfs_options(&[
            "rw".into(),
            "exec".into(),
            "size=64m".into(),
            "mode=1777".into(),
        ]);
        assert!(attrs.contains(MountAttrFlags::MOUNT_ATTR_NOSUID));
        assert!(!attrs.contains(MountAttrFlags::MOUNT_ATTR_NOEXEC));
        assert!(!attrs.contains(MountAttrFlags::MOUNT_ATTR_RDONLY));
        assert_eq!(
            data,
            vec![
                ("size".into(), "64m".into()),
                ("mode".into(), "1777".into())
            ]
        );
        let (attrs, _) = tmpfs_options(&["ro".into()]);
        assert!(
            attrs.contains(MountAttrFlags::MOUNT_ATTR_RDONLY | MountAttrFlags::MOUNT_ATTR_NOEXEC)
        );
    }

    #[test]
    fn overlay_fallback_string() {
        let s = overlay_options(
            &["/l/top".into(), "/l/bottom".into()],
            Path::new("/u"),
            Path::new("/w"),
            true,
        );
        assert_eq!(
            s,
            "lowerdir=/l/top:/l/bottom,upperdir=/u,workdir=/w,userxattr"
        );
    }
}
