//! A rootless container's user namespace: container uid 0 is the user,
//! 1..N the user's subordinate ids from /etc/subuid and /etc/subgid (set
//! by `newuidmap`/`newgidmap`), as podman maps them. Without a range the
//! namespace maps the user alone (uid 0 inside), with a warning.

use crate::error::{Error, Result};
use crate::runtime::spec::{IdMap, IdMappings};

/// The mappings for the calling user, and a warning when a range is
/// missing.
pub fn rootless_mappings() -> (IdMappings, Option<String>) {
    let uid = rustix::process::geteuid().as_raw();
    let gid = rustix::process::getegid().as_raw();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = user_name(&passwd, uid);
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let subuid = sub_range(&read("/etc/subuid"), name.as_deref(), uid);
    let subgid = sub_range(&read("/etc/subgid"), name.as_deref(), uid);
    let maps = IdMappings {
        uid: mapping(uid, subuid),
        gid: mapping(gid, subgid),
    };
    let who = name.unwrap_or_else(|| uid.to_string());
    let warning = (subuid.is_none() || subgid.is_none()).then(|| {
        format!(
            "no subordinate ids for {who} in /etc/subuid and /etc/subgid: the container has only uid 0 (you); to add a range: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {who}"
        )
    });
    (maps, warning)
}

/// `--userns`: `host` (root only: a rootless container always has its
/// own), podman's `keep-id` (rootless only), or nothing.
pub fn check_mode(mode: Option<&str>, rootless: bool) -> Result<()> {
    match (mode.unwrap_or(""), rootless) {
        ("", _) | ("host", false) | ("keep-id", true) => Ok(()),
        ("host", true) => Err(Error::InvalidArgument(
            "--userns=host: a rootless container always has a user namespace of its own (only root's share the host's)".into(),
        )),
        ("keep-id", false) => Err(Error::InvalidArgument(
            "--userns=keep-id: only a rootless container keeps your id (root's run as root)".into(),
        )),
        (other, _) => Err(Error::InvalidArgument(format!(
            "invalid --userns {other:?}: host or keep-id"
        ))),
    }
}

/// `keep-id`'s default user: the caller's uid and gid.
pub fn keep_id_user(mode: Option<&str>) -> Option<String> {
    (mode == Some("keep-id")).then(|| {
        let uid = rustix::process::geteuid().as_raw();
        let gid = rustix::process::getegid().as_raw();
        format!("{uid}:{gid}")
    })
}

/// podman's keep-id: the user is the same id inside; 0..id and the ids
/// above it come from the subordinate range, which must hold more than
/// `id` ids. Also the `/etc/passwd` line for the user.
pub fn keep_id_mappings() -> Result<(IdMappings, String)> {
    let uid = rustix::process::geteuid().as_raw();
    let gid = rustix::process::getegid().as_raw();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = user_name(&passwd, uid);
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let who = name.clone().unwrap_or_else(|| uid.to_string());
    let keep = |own: u32, file: &str| -> Result<Vec<IdMap>> {
        match sub_range(&read(file), name.as_deref(), uid) {
            Some((start, count)) if count > own => Ok(vec![
                IdMap {
                    container_id: 0,
                    host_id: start,
                    size: own,
                },
                IdMap {
                    container_id: own,
                    host_id: own,
                    size: 1,
                },
                IdMap {
                    container_id: own + 1,
                    host_id: start + own,
                    size: count - own,
                },
            ]),
            _ => Err(Error::InvalidArgument(format!(
                "--userns=keep-id needs more than {own} subordinate ids for {who} in {file}"
            ))),
        }
    };
    let maps = IdMappings {
        uid: keep(uid, "/etc/subuid")?,
        gid: keep(gid, "/etc/subgid")?,
    };
    let home = passwd
        .lines()
        .find(|l| l.split(':').nth(2) == Some(&uid.to_string()))
        .and_then(|l| l.split(':').nth(5))
        .unwrap_or("/")
        .to_owned();
    Ok((maps, format!("{who}:*:{uid}:{gid}:{who}:{home}:/bin/sh")))
}

/// The argument that makes `skiff` the remover in a user namespace
/// ([`rm_main`]).
pub const RM_ARG: &str = "__userns-rm";

/// The argument that makes `skiff` a layer unpacker in a user namespace
/// ([`unpack_main`]).
pub const UNPACK_ARG: &str = "__userns-unpack";

/// The argument that makes `skiff` a vfs copier in a user namespace
/// ([`vfs_main`]).
pub const VFS_ARG: &str = "__userns-vfs";

/// For a rootless engine whose user has subordinate ids: removals the user
/// is refused (files a container made as another uid) go through
/// [`remove_in_userns`], and layers are unpacked in a user namespace
/// ([`unpack_in_userns`]) so that their files keep the image's owners.
pub fn install_remove_fallback() {
    if !rustix::process::geteuid().is_root() {
        crate::util::tree::set_remove_fallback(remove_in_userns);
        crate::image::layer::set_userns_unpacker(unpack_in_userns);
    }
}

/// `rm -rf path` as root of a user namespace with the user's maps (as
/// podman's `unshare`).
pub fn remove_in_userns(path: &std::path::Path) -> std::io::Result<()> {
    in_userns(RM_ARG, &[path.as_os_str()])
        .map(drop)
        .map_err(|e| {
            std::io::Error::other(format!(
                "removing {} in a user namespace: {e}",
                path.display()
            ))
        })
}

/// Unpacks the layer blob `blob` into `dest` as root of a user namespace
/// with the user's maps: each file gets the owner the image gives it, as
/// seen inside the container (uid 1000 becomes subordinate id 999 + the
/// range's start). `None` when the user has no subordinate range (the
/// caller unpacks itself: everything is then the user's, uid 0 inside).
pub fn unpack_in_userns(
    blob: &std::path::Path,
    dest: &std::path::Path,
    opts: &crate::image::layer::UnpackOptions,
) -> Option<std::result::Result<crate::image::layer::UnpackReport, String>> {
    let form = std::ffi::OsStr::new(if opts.aufs_whiteouts {
        "aufs"
    } else {
        "overlay"
    });
    let out = match in_userns(UNPACK_ARG, &[blob.as_os_str(), dest.as_os_str(), form]) {
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return None,
        Err(e) => return Some(Err(e.to_string())),
        Ok(out) => out,
    };
    let text = String::from_utf8_lossy(&out);
    let mut words = text.split_whitespace();
    let report = match (words.next(), words.next().and_then(|s| s.parse().ok())) {
        (Some(diff_id), Some(size)) => Ok(crate::image::layer::UnpackReport {
            diff_id: diff_id.to_owned(),
            size,
        }),
        _ => Err(format!(
            "unpacking {} in a user namespace: no report",
            blob.display()
        )),
    };
    Some(report)
}

/// Fills `dest` with `layers` merged (the vfs driver, `image::vfs`) as
/// root of a user namespace with the user's maps, so that owners are kept;
/// without a subordinate range, the user copies (and owns everything).
pub fn vfs_in_userns(layers: &[std::path::PathBuf], dest: &std::path::Path) -> std::io::Result<()> {
    let mut args = vec![dest.as_os_str()];
    args.extend(layers.iter().map(|l| l.as_os_str()));
    match in_userns(VFS_ARG, &args) {
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => crate::image::vfs::build(layers, dest),
        r => r.map(drop),
    }
}

/// The child of [`vfs_in_userns`]: `skiff __userns-vfs DEST LAYER...`.
pub fn vfs_main() -> ! {
    let args: Vec<std::path::PathBuf> = std::env::args_os().skip(2).map(Into::into).collect();
    finish(enter_userns().and_then(|()| match args.split_first() {
        Some((dest, layers)) => crate::image::vfs::build(layers, dest),
        None => Err(std::io::Error::other("no destination")),
    }))
}

/// Runs this binary as `skiff ARG ARGS...` as root of a new user namespace
/// with the user's maps: the child unshares ([`enter_userns`]), the maps are
/// written for it, then it works. Returns what it printed after the
/// handshake; its stderr is the error. `ENOENT` when the user has no
/// subordinate range.
fn in_userns(arg: &str, args: &[&std::ffi::OsStr]) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let (maps, _) = rootless_mappings();
    if maps.uid.len() < 2 || maps.gid.len() < 2 {
        return Err(std::io::Error::from_raw_os_error(libc::ENOENT));
    }
    let (go_r, go_w) = rustix::pipe::pipe()?;
    let raw = go_r.as_raw_fd();
    let mut cmd = std::process::Command::new("/proc/self/exe");
    cmd.arg(arg)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // SAFETY: dup2 is async-signal-safe; the child gets the pipe at fd 3.
    unsafe {
        cmd.pre_exec(move || match libc::dup2(raw, 3) {
            -1 => Err(std::io::Error::last_os_error()),
            _ => Ok(()),
        });
    }
    let mut child = cmd.spawn()?;
    drop(go_r);
    let mut ready = [0u8; 1];
    let mut out = child.stdout.take().expect("piped");
    let handshake = out.read_exact(&mut ready).and_then(|()| {
        crate::runtime::namespaces::write_id_maps(child.id() as i32, &maps)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        std::fs::File::from(go_w).write_all(b"g")
    });
    let mut report = Vec::new();
    let _ = out.read_to_end(&mut report);
    let mut err = String::new();
    let _ = child.stderr.take().expect("piped").read_to_string(&mut err);
    let status = child.wait()?;
    handshake?;
    if status.success() {
        Ok(report)
    } else {
        Err(std::io::Error::other(err.trim().to_owned()))
    }
}

/// The child's side of [`in_userns`]: unshares its user namespace, says so
/// on stdout, waits for its maps (fd 3), and becomes root in it.
fn enter_userns() -> std::io::Result<()> {
    use std::io::{Read, Write};
    use std::os::fd::FromRawFd;
    // SAFETY: a fresh single-threaded process; NEWUSER alone touches
    // no descriptor table (unshare_unsafe's hazard is CLONE_FILES).
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWUSER) }?;
    std::io::stdout().write_all(b"u")?;
    std::io::stdout().flush()?;
    // SAFETY: fd 3 is the pipe in_userns placed for this process.
    let mut go = unsafe { std::fs::File::from_raw_fd(3) };
    go.read_exact(&mut [0u8; 1])?;
    let (uid, gid) = (rustix::process::Uid::ROOT, rustix::process::Gid::ROOT);
    rustix::thread::set_thread_res_gid(gid, gid, gid)?;
    rustix::thread::set_thread_res_uid(uid, uid, uid)?;
    Ok(())
}

/// Ends a child of [`in_userns`]: exit 0, or the error on stderr and 1.
fn finish<E: std::fmt::Display>(r: std::result::Result<(), E>) -> ! {
    match r {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}

/// The child of [`remove_in_userns`]: `skiff __userns-rm PATH`.
pub fn rm_main() -> ! {
    let path = std::env::args_os().nth(2).unwrap_or_default();
    finish(
        enter_userns()
            .and_then(|()| crate::util::tree::remove_tree_here(std::path::Path::new(&path))),
    )
}

/// The child of [`unpack_in_userns`]: `skiff __userns-unpack BLOB DEST
/// aufs|overlay` (the whiteout form); prints `DIFF_ID SIZE`.
pub fn unpack_main() -> ! {
    use std::io::Write;
    let blob = std::env::args_os().nth(2).unwrap_or_default();
    let dest = std::env::args_os().nth(3).unwrap_or_default();
    let aufs_whiteouts = std::env::args_os().nth(4).is_some_and(|f| f == "aufs");
    finish(enter_userns().map_err(|e| e.to_string()).and_then(|()| {
        let report = crate::image::layer::unpack_path(
            std::path::Path::new(&blob),
            std::path::Path::new(&dest),
            &crate::image::layer::UnpackOptions {
                rootless: true,
                aufs_whiteouts,
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())?;
        let mut out = std::io::stdout();
        writeln!(out, "{} {}", report.diff_id, report.size)
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())
    }))
}

/// 0 → `own` (one id), then 1.. → the subordinate range.
fn mapping(own: u32, sub: Option<(u32, u32)>) -> Vec<IdMap> {
    let mut v = vec![IdMap {
        container_id: 0,
        host_id: own,
        size: 1,
    }];
    if let Some((start, count)) = sub {
        v.push(IdMap {
            container_id: 1,
            host_id: start,
            size: count,
        });
    }
    v
}

/// The user's name in /etc/passwd's text.
fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2].parse() == Ok(uid)).then(|| f[0].to_owned())
    })
}

/// The first `name:start:count` (or `uid:start:count`) line of a
/// subordinate id file for the user, as shadow-utils reads it.
fn sub_range(text: &str, name: Option<&str>, uid: u32) -> Option<(u32, u32)> {
    let uid = uid.to_string();
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.trim().split(':').collect();
        let ours = f.len() == 3 && (Some(f[0]) == name || f[0] == uid);
        let start = f.get(1)?.parse().ok()?;
        let count: u32 = f.get(2)?.parse().ok()?;
        (ours && count > 0).then_some((start, count))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userns_modes() {
        assert!(check_mode(None, false).is_ok());
        assert!(check_mode(Some("host"), false).is_ok());
        assert!(check_mode(Some("keep-id"), true).is_ok());
        assert!(check_mode(Some("host"), true).is_err());
        let e = check_mode(Some("keep-id"), false).unwrap_err().to_string();
        assert!(
            e.starts_with("--userns=keep-id: only a rootless container"),
            "{e}"
        );
        let e = check_mode(Some("auto"), true).unwrap_err().to_string();
        assert_eq!(e, "invalid --userns \"auto\": host or keep-id");
        assert_eq!(keep_id_user(Some("host")), None);
        assert!(keep_id_user(Some("keep-id")).is_some());
    }

    #[test]
    fn subordinate_ranges_by_name_or_uid() {
        let passwd = "root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n";
        assert_eq!(user_name(passwd, 1001).as_deref(), Some("alice"));
        assert_eq!(user_name(passwd, 7), None);
        let sub = "bob:200000:65536\n# x\nalice:100000:65536\nalice:300000:10\n";
        assert_eq!(sub_range(sub, Some("alice"), 1001), Some((100000, 65536)));
        assert_eq!(
            sub_range("1001:5000:100\n", Some("alice"), 1001),
            Some((5000, 100))
        );
        assert_eq!(sub_range("alice:1:0\n", Some("alice"), 1001), None);
        assert_eq!(sub_range(sub, None, 1002), None);
        assert_eq!(
            mapping(1001, Some((100000, 65536))),
            [
                IdMap {
                    container_id: 0,
                    host_id: 1001,
                    size: 1
                },
                IdMap {
                    container_id: 1,
                    host_id: 100000,
                    size: 65536
                },
            ]
        );
        assert_eq!(mapping(1001, None).len(), 1);
    }
}
