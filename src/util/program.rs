//! Finding the helper programs skiff runs (newuidmap, newgidmap, pasta)
//! the way a shell would, with the system directories as a fallback for
//! cron's minimal PATH.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Searched after `$PATH`: cron and `env -i` give a PATH without sbin.
const SYSTEM_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// The first executable file called `name` in `$PATH`, then the system
/// directories.
pub fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain(SYSTEM_DIRS.iter().map(PathBuf::from));
    find_in(dirs, name)
}

/// [`find`] over the given directories (relative ones are skipped).
pub fn find_in(dirs: impl IntoIterator<Item = PathBuf>, name: &str) -> Option<PathBuf> {
    dirs.into_iter()
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_executable_file_in_absolute_dirs() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("tool"), b"#!/bin/sh\n").unwrap();
        std::fs::write(b.path().join("tool"), b"#!/bin/sh\n").unwrap();
        std::fs::set_permissions(
            b.path().join("tool"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        std::fs::create_dir(a.path().join("dir")).unwrap();
        let dirs = || {
            vec![
                PathBuf::from("rel"),
                a.path().to_owned(),
                b.path().to_owned(),
            ]
        };
        // a's tool is not executable: b's is found.
        assert_eq!(find_in(dirs(), "tool"), Some(b.path().join("tool")));
        assert_eq!(find_in(dirs(), "dir"), None);
        assert_eq!(find_in(dirs(), "nope"), None);
        assert!(find("sh").is_some());
    }
}
