//! `--storage-opt size=N`: an overlay container's writable layer limited
//! with an xfs project quota, as docker's overlay2 does it: the upper
//! dir gets a project id of its own (inherited by everything made in
//! it) and that project a block limit. Only where the store is on xfs
//! mounted with `pquota`/`prjquota`; elsewhere docker's error.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use crate::error::{Error, Result};

const XFS_SUPER_MAGIC: i64 = 0x5846_5342;
/// `_IOR('X', 31, struct fsxattr)`, `_IOW('X', 32, struct fsxattr)`.
const FS_IOC_FSGETXATTR: libc::c_ulong = 0x801c_581f;
const FS_IOC_FSSETXATTR: libc::c_ulong = 0x401c_5820;
const FS_XFLAG_PROJINHERIT: u32 = 0x200;
/// `QCMD(Q_XSETQLIM, PRJQUOTA)`: `Q_XSETQLIM` is `XQM_CMD(4)`.
const Q_XSETQLIM_PRJ: libc::c_int = ((((b'X' as i32) << 8) + 4) << 8) | 2;
const FS_DQUOT_VERSION: i8 = 1;
const FS_PROJ_QUOTA: i8 = 2;
const FS_DQ_BSOFT: u16 = 1 << 2;
const FS_DQ_BHARD: u16 = 1 << 3;
/// Project ids skiff gives start here (below: the admin's own).
const FIRST_PROJECT: u32 = 100_000;

/// docker's words where the option can't work.
pub const UNSUPPORTED: &str =
    "--storage-opt is supported only for overlay over xfs with 'pquota' mount option";

/// `struct fsxattr`.
#[repr(C)]
#[derive(Default)]
struct FsXattr {
    xflags: u32,
    extsize: u32,
    nextents: u32,
    projid: u32,
    cowextsize: u32,
    pad: [u8; 8],
}

/// `struct fs_disk_quota`.
#[repr(C)]
#[derive(Default)]
struct FsDiskQuota {
    version: i8,
    flags: i8,
    fieldmask: u16,
    id: u32,
    blk_hardlimit: u64,
    blk_softlimit: u64,
    ino_hardlimit: u64,
    ino_softlimit: u64,
    bcount: u64,
    icount: u64,
    itimer: i32,
    btimer: i32,
    iwarns: u16,
    bwarns: u16,
    itimer_hi: i8,
    btimer_hi: i8,
    rtbtimer_hi: i8,
    padding2: i8,
    rtb_hardlimit: u64,
    rtb_softlimit: u64,
    rtbcount: u64,
    rtbtimer: i32,
    rtbwarns: u16,
    padding3: i16,
    padding4: [u8; 8],
}

/// `--storage-opt` values: only `size` (docker's overlay2), in bytes.
pub fn parse_storage_opts(opts: &[String]) -> Result<Option<u64>> {
    let mut size = None;
    for o in opts {
        let (k, v) = o.split_once('=').ok_or_else(|| {
            Error::InvalidArgument(format!("invalid storage option {o:?}: expected key=value"))
        })?;
        match k.to_ascii_lowercase().as_str() {
            "size" => {
                let n = crate::util::units::parse_ram(v).ok_or_else(|| {
                    Error::InvalidArgument(format!("invalid size {v:?} for --storage-opt"))
                })?;
                size = Some(n);
            }
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "Unknown option {k} for --storage-opt"
                )))
            }
        }
    }
    Ok(size)
}

fn open_dir(p: &Path) -> Result<OwnedFd> {
    rustix::fs::open(
        p,
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| Error::io("opening", p, e.into()))
}

fn get_xattr(fd: &OwnedFd) -> std::io::Result<FsXattr> {
    let mut x = FsXattr::default();
    // SAFETY: the ioctl fills a live `struct fsxattr` of the right size.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), FS_IOC_FSGETXATTR, &mut x as *mut FsXattr) };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(x)
}

/// Whether `dir` is on xfs mounted with project quotas.
pub fn supported(dir: &Path) -> bool {
    let Ok(st) = rustix::fs::statfs(dir) else {
        return false;
    };
    #[allow(clippy::unnecessary_cast)] // f_type's type differs between targets
    if st.f_type as i64 != XFS_SUPER_MAGIC {
        return false;
    }
    let Ok(meta) = rustix::fs::stat(dir) else {
        return false;
    };
    let dev = format!(
        "{}:{}",
        rustix::fs::major(meta.st_dev),
        rustix::fs::minor(meta.st_dev)
    );
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.split(' ').nth(2) == Some(dev.as_str()))
        .any(|l| {
            let supers = l.rsplit(' ').next().unwrap_or("");
            supers
                .split(',')
                .any(|o| matches!(o, "prjquota" | "pquota" | "pqnoenforce"))
        })
}

/// The next free project id: one above every id the store's containers
/// hold (their `upper` dirs).
fn next_project(containers: &Path) -> u32 {
    let mut max = FIRST_PROJECT - 1;
    for e in std::fs::read_dir(containers)
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Ok(fd) = open_dir(&e.path().join("upper")) {
            if let Ok(x) = get_xattr(&fd) {
                max = max.max(x.projid);
            }
        }
    }
    max + 1
}

/// Limits `upper` (a new, empty dir under `containers`) to `bytes`.
/// Call under a lock that keeps other creates from picking the same id.
pub fn limit(containers: &Path, upper: &Path, bytes: u64) -> Result<u32> {
    let fail = |what: &str, e: std::io::Error| {
        Error::Other(format!(
            "--storage-opt size: {what} {}: {e}",
            upper.display()
        ))
    };
    let id = next_project(containers);
    let fd = open_dir(upper)?;
    let mut x = get_xattr(&fd).map_err(|e| fail("reading the attributes of", e))?;
    x.projid = id;
    x.xflags |= FS_XFLAG_PROJINHERIT;
    // SAFETY: the ioctl reads a live `struct fsxattr` of the right size.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), FS_IOC_FSSETXATTR, &x as *const FsXattr) };
    if r < 0 {
        return Err(fail(
            "setting the project of",
            std::io::Error::last_os_error(),
        ));
    }
    let blocks = bytes.div_ceil(512);
    let mut q = FsDiskQuota {
        version: FS_DQUOT_VERSION,
        flags: FS_PROJ_QUOTA,
        fieldmask: FS_DQ_BSOFT | FS_DQ_BHARD,
        id,
        blk_hardlimit: blocks,
        blk_softlimit: blocks,
        ..Default::default()
    };
    // SAFETY: quotactl_fd reads a live `struct fs_disk_quota`; the fd is
    // a directory on the filesystem the quota is for.
    let r = unsafe {
        libc::syscall(
            libc::SYS_quotactl_fd,
            fd.as_raw_fd(),
            Q_XSETQLIM_PRJ,
            id,
            &mut q as *mut FsDiskQuota,
        )
    };
    if r < 0 {
        return Err(fail(
            "setting the quota of",
            std::io::Error::last_os_error(),
        ));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_and_options() {
        assert_eq!(std::mem::size_of::<FsXattr>(), 28);
        assert_eq!(std::mem::size_of::<FsDiskQuota>(), 112);
        assert_eq!(Q_XSETQLIM_PRJ, 0x0058_0402);
        assert_eq!(
            parse_storage_opts(&["size=10m".into()]).unwrap(),
            Some(10 << 20)
        );
        assert_eq!(parse_storage_opts(&[]).unwrap(), None);
        assert!(parse_storage_opts(&["size=big".into()]).is_err());
        assert_eq!(
            parse_storage_opts(&["dm.basesize=1G".into()])
                .unwrap_err()
                .to_string(),
            "Unknown option dm.basesize for --storage-opt"
        );
        assert!(!supported(Path::new("/proc")));
    }
}
