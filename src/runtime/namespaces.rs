//! Namespaces: clone flags for new ones, joining existing ones by path or
//! descriptor, the target of an exec, and user namespace id maps.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use rustix::thread::LinkNameSpaceType;

use super::error::{Context, RuntimeError, SetupError};
use super::spec::{ContainerSpec, IdMap, IdMappings, NamespaceMode};

/// A kind of namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NsKind {
    /// User namespace.
    User,
    /// Mount namespace.
    Mount,
    /// UTS namespace.
    Uts,
    /// IPC namespace.
    Ipc,
    /// Network namespace.
    Net,
    /// PID namespace.
    Pid,
    /// Cgroup namespace.
    Cgroup,
}

impl NsKind {
    /// Every kind, in the order they are joined: the user namespace first
    /// (it grants the capabilities needed for the others), the mount
    /// namespace last (it changes what paths mean).
    pub const JOIN_ORDER: [NsKind; 7] = [
        NsKind::User,
        NsKind::Pid,
        NsKind::Ipc,
        NsKind::Uts,
        NsKind::Net,
        NsKind::Cgroup,
        NsKind::Mount,
    ];

    /// The name under `/proc/<pid>/ns/`.
    pub fn proc_name(self) -> &'static str {
        match self {
            NsKind::User => "user",
            NsKind::Mount => "mnt",
            NsKind::Uts => "uts",
            NsKind::Ipc => "ipc",
            NsKind::Net => "net",
            NsKind::Pid => "pid",
            NsKind::Cgroup => "cgroup",
        }
    }

    /// The `CLONE_NEW*` bit.
    pub fn clone_flag(self) -> u64 {
        (match self {
            NsKind::User => libc::CLONE_NEWUSER,
            NsKind::Mount => libc::CLONE_NEWNS,
            NsKind::Uts => libc::CLONE_NEWUTS,
            NsKind::Ipc => libc::CLONE_NEWIPC,
            NsKind::Net => libc::CLONE_NEWNET,
            NsKind::Pid => libc::CLONE_NEWPID,
            NsKind::Cgroup => libc::CLONE_NEWCGROUP,
        }) as u64
    }

    fn link_type(self) -> LinkNameSpaceType {
        match self {
            NsKind::User => LinkNameSpaceType::User,
            NsKind::Mount => LinkNameSpaceType::Mount,
            NsKind::Uts => LinkNameSpaceType::HostNameAndNISDomainName,
            NsKind::Ipc => LinkNameSpaceType::InterProcessCommunication,
            NsKind::Net => LinkNameSpaceType::Network,
            NsKind::Pid => LinkNameSpaceType::ProcessID,
            NsKind::Cgroup => LinkNameSpaceType::ControlGroup,
        }
    }
}

impl ContainerSpec {
    /// The mode of each configurable namespace kind.
    pub(crate) fn ns_modes(&self) -> [(NsKind, &NamespaceMode); 5] {
        let ns = &self.namespaces;
        [
            (NsKind::Pid, &ns.pid),
            (NsKind::Net, &ns.net),
            (NsKind::Ipc, &ns.ipc),
            (NsKind::Uts, &ns.uts),
            (NsKind::Cgroup, &ns.cgroup),
        ]
    }
}

/// The `CLONE_NEW*` flags of a container's process. The cgroup namespace
/// is left out: the child unshares it after the caller has put it into its
/// cgroups (`after_spawn`), so that it is rooted there.
pub fn clone_flags(spec: &ContainerSpec) -> u64 {
    let mut flags = NsKind::Mount.clone_flag();
    if spec.id_mappings.is_some() && spec.join_user_ns.is_none() {
        flags |= NsKind::User.clone_flag();
    }
    for (kind, mode) in spec.ns_modes() {
        if *mode == NamespaceMode::New && kind != NsKind::Cgroup {
            flags |= kind.clone_flag();
        }
    }
    flags
}

/// Opens a namespace file for joining.
pub fn open_ns(path: &Path) -> io::Result<OwnedFd> {
    Ok(File::open(path)?.into())
}

/// `setns(fd, kind)`.
pub fn join(kind: NsKind, fd: impl AsFd) -> io::Result<()> {
    rustix::thread::move_into_link_name_space(fd.as_fd(), Some(kind.link_type()))?;
    Ok(())
}

/// Caller side of `create`: opens every namespace the container joins
/// (by path, or a running process's, whose start time is checked before
/// and after the open so a reused pid is refused).
pub fn open_joined(spec: &ContainerSpec) -> Result<Vec<(NsKind, OwnedFd)>, RuntimeError> {
    let mut out = Vec::new();
    for (kind, mode) in spec.ns_modes() {
        let fd = match mode {
            NamespaceMode::Path(path) => open_ns(path)
                .map_err(|e| RuntimeError::io(format!("opening {}", path.display()), e))?,
            NamespaceMode::Process { pid, start_time } => open_process_ns(kind, *pid, *start_time)?,
            _ => continue,
        };
        out.push((kind, fd));
    }
    Ok(out)
}

/// The `kind` namespace of the running process `pid`, whose start time is
/// checked before and after the open (a reused pid is refused).
pub fn open_process_ns(kind: NsKind, pid: i32, start_time: u64) -> Result<OwnedFd, RuntimeError> {
    let check = || match super::process_start_time(pid) {
        Ok(t) if t == start_time => Ok(()),
        _ => Err(RuntimeError::io(
            format!(
                "joining the {} namespace of process {pid}",
                kind.proc_name()
            ),
            io::Error::other("the process is gone (its pid may have been reused)"),
        )),
    };
    check()?;
    let path = format!("/proc/{pid}/ns/{}", kind.proc_name());
    let fd =
        open_ns(Path::new(&path)).map_err(|e| RuntimeError::io(format!("opening {path}"), e))?;
    check()?;
    Ok(fd)
}

/// Child side of `create`: joins the namespaces the caller opened (the
/// PID namespace excepted: the caller enters it before cloning, since it
/// only applies to children).
pub fn join_opened(joined: &[(NsKind, OwnedFd)]) -> Result<(), SetupError> {
    for (kind, fd) in joined.iter().filter(|(k, _)| *k != NsKind::Pid) {
        join(*kind, fd)
            .ctx(|| format!("joining the container's {} namespace", kind.proc_name()))?;
    }
    Ok(())
}

/// The running container an exec joins: its namespaces are opened (and
/// the process's start time checked before and after) when the target is
/// made, so a reused pid cannot redirect the exec.
#[derive(Debug)]
pub struct ExecTarget {
    /// The container's main process (caller's view).
    pub pid: i32,
    /// Its start time (field 22 of `/proc/<pid>/stat`).
    pub start_time: u64,
    namespaces: Vec<(NsKind, OwnedFd)>,
}

impl ExecTarget {
    /// Opens every namespace of `pid` that differs from the caller's.
    /// Fails when `pid` is gone or is another process than the one that
    /// started at `start_time`.
    pub fn open(pid: i32, start_time: u64) -> Result<ExecTarget, RuntimeError> {
        let check = || -> Result<(), RuntimeError> {
            match super::process_start_time(pid) {
                Ok(t) if t == start_time => Ok(()),
                Ok(_) => Err(RuntimeError::io(
                    format!("container process {pid}"),
                    io::Error::from_raw_os_error(libc::ESRCH),
                )),
                Err(e) => Err(RuntimeError::io(format!("container process {pid}"), e)),
            }
        };
        check()?;
        let mut namespaces = Vec::new();
        for kind in NsKind::JOIN_ORDER {
            let theirs = PathBuf::from(format!("/proc/{pid}/ns/{}", kind.proc_name()));
            let ours = PathBuf::from(format!("/proc/self/ns/{}", kind.proc_name()));
            let ctx = |e| RuntimeError::io(format!("opening {}", theirs.display()), e);
            let fd = open_ns(&theirs).map_err(ctx)?;
            let same = std::fs::metadata(&ours).map(|m| m.ino()).ok()
                == Some(
                    File::from(fd.try_clone().map_err(ctx)?)
                        .metadata()
                        .map_err(ctx)?
                        .ino(),
                );
            if !same {
                namespaces.push((kind, fd));
            }
        }
        check()?;
        Ok(ExecTarget {
            pid,
            start_time,
            namespaces,
        })
    }

    /// The kinds of namespace the exec will join.
    pub fn kinds(&self) -> impl Iterator<Item = NsKind> + '_ {
        self.namespaces.iter().map(|(k, _)| *k)
    }

    /// The descriptor of one namespace to join, if it differs from ours.
    pub(crate) fn ns(&self, kind: NsKind) -> Option<&OwnedFd> {
        self.namespaces
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, fd)| fd)
    }

    /// Child side of exec: joins every namespace but the user and PID
    /// ones (the process was born into them), in [`NsKind::JOIN_ORDER`].
    pub(crate) fn join_all(&self) -> Result<(), SetupError> {
        for (kind, fd) in &self.namespaces {
            if !matches!(kind, NsKind::Pid | NsKind::User) {
                join(*kind, fd)
                    .ctx(|| format!("joining the container's {} namespace", kind.proc_name()))?;
            }
        }
        Ok(())
    }
}

/// Parent side: writes the uid and gid maps of the child `pid`.
///
/// A caller with `CAP_SETUID` (root) writes the maps directly. Otherwise a
/// map of the caller's own id alone is written directly too (after writing
/// `deny` to `setgroups`, which the kernel requires); anything larger goes
/// through the setuid helpers `newuidmap`/`newgidmap` (subuid ranges).
pub fn write_id_maps(pid: i32, maps: &IdMappings) -> Result<(), RuntimeError> {
    let privileged = rustix::process::geteuid().is_root();
    let own_uid = rustix::process::geteuid().as_raw();
    let own_gid = rustix::process::getegid().as_raw();
    let only_own = |m: &[IdMap], id: u32| m.len() == 1 && m[0].size == 1 && m[0].host_id == id;
    if privileged {
        write_map(pid, "uid_map", &maps.uid)?;
        write_map(pid, "gid_map", &maps.gid)
    } else if only_own(&maps.uid, own_uid) && only_own(&maps.gid, own_gid) {
        write_proc(pid, "setgroups", "deny")?;
        write_map(pid, "uid_map", &maps.uid)?;
        write_map(pid, "gid_map", &maps.gid)
    } else {
        // Both at once: each is an exec of a setuid program (~1-2 ms).
        let uid = spawn_map_helper("newuidmap", pid, &maps.uid);
        let gid = spawn_map_helper("newgidmap", pid, &maps.gid);
        let uid = uid.and_then(|c| finish_map_helper("newuidmap", pid, c));
        let gid = gid.and_then(|c| finish_map_helper("newgidmap", pid, c));
        uid.and(gid)
    }
}

/// The text of a map file.
pub fn map_text(map: &[IdMap]) -> String {
    map.iter()
        .map(|m| format!("{} {} {}\n", m.container_id, m.host_id, m.size))
        .collect()
}

fn write_map(pid: i32, file: &str, map: &[IdMap]) -> Result<(), RuntimeError> {
    write_proc(pid, file, &map_text(map))
}

fn write_proc(pid: i32, file: &str, text: &str) -> Result<(), RuntimeError> {
    let path = format!("/proc/{pid}/{file}");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| RuntimeError::io(format!("writing {path}"), e))
}

fn spawn_map_helper(
    helper: &str,
    pid: i32,
    map: &[IdMap],
) -> Result<std::process::Child, RuntimeError> {
    let mut cmd = Command::new(helper);
    cmd.arg(pid.to_string());
    for m in map {
        cmd.args([
            m.container_id.to_string(),
            m.host_id.to_string(),
            m.size.to_string(),
        ]);
    }
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| RuntimeError::io(format!("running {helper}"), e))
}

fn finish_map_helper(
    helper: &str,
    pid: i32,
    child: std::process::Child,
) -> Result<(), RuntimeError> {
    let out = child
        .wait_with_output()
        .map_err(|e| RuntimeError::io(format!("running {helper}"), e))?;
    if out.status.success() {
        return Ok(());
    }
    Err(RuntimeError::io(
        format!("running {helper} {pid}"),
        io::Error::other(format!(
            "{}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    ))
}

/// Whether `id` (inside the namespace) is covered by `map`.
pub fn is_mapped(map: &[IdMap], id: u32) -> bool {
    map.iter()
        .any(|m| id >= m.container_id && id - m.container_id < m.size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::spec::Rootfs;

    #[test]
    fn flags_follow_the_modes() {
        let mut spec = ContainerSpec::new("x", Rootfs::Dir { path: "/".into() }, vec![]);
        let all = clone_flags(&spec);
        for kind in [
            NsKind::Mount,
            NsKind::Pid,
            NsKind::Net,
            NsKind::Ipc,
            NsKind::Uts,
        ] {
            assert_ne!(all & kind.clone_flag(), 0, "{kind:?}");
        }
        assert_eq!(all & NsKind::User.clone_flag(), 0);
        assert_eq!(all & NsKind::Cgroup.clone_flag(), 0);
        spec.namespaces.net = NamespaceMode::Host;
        spec.namespaces.pid = NamespaceMode::Path("/proc/1/ns/pid".into());
        spec.id_mappings = Some(IdMappings {
            uid: vec![],
            gid: vec![],
        });
        let flags = clone_flags(&spec);
        assert_eq!(flags & NsKind::Net.clone_flag(), 0);
        assert_eq!(flags & NsKind::Pid.clone_flag(), 0);
        assert_ne!(flags & NsKind::User.clone_flag(), 0);
        // A joined user namespace (a rootless user network's) is not new.
        spec.join_user_ns = Some((1, 1));
        assert_eq!(clone_flags(&spec) & NsKind::User.clone_flag(), 0);
    }

    #[test]
    fn map_text_and_membership() {
        let map = [
            IdMap {
                container_id: 0,
                host_id: 100000,
                size: 1000,
            },
            IdMap {
                container_id: 5000,
                host_id: 7,
                size: 1,
            },
        ];
        assert_eq!(map_text(&map), "0 100000 1000\n5000 7 1\n");
        assert!(is_mapped(&map, 5));
        assert!(is_mapped(&map, 5000));
        assert!(!is_mapped(&map, 1000));
        assert!(!is_mapped(&map, 5001));
    }
}

#[cfg(test)]
mod joined_tests {
    use super::*;
    use crate::runtime::spec::Rootfs;

    #[test]
    fn a_process_namespace_is_opened_only_while_the_process_is_the_same() {
        let me = std::process::id() as i32;
        let start_time = crate::runtime::process_start_time(me).unwrap();
        let mut spec = ContainerSpec::new("c", Rootfs::Dir { path: "/".into() }, vec![]);
        spec.namespaces.net = NamespaceMode::Process {
            pid: me,
            start_time,
        };
        let joined = open_joined(&spec).unwrap();
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].0, NsKind::Net);
        // Another start time: the pid was reused by another process.
        spec.namespaces.net = NamespaceMode::Process {
            pid: me,
            start_time: start_time + 1,
        };
        let e = open_joined(&spec).unwrap_err().to_string();
        assert!(e.contains("is gone"), "{e}");
    }
}
