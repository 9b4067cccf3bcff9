//! The seam between the cgroup manager and the kernel: the few file
//! operations it performs on a cgroup file system, plus sending a signal.
//!
//! [`RealFs`] talks to the kernel. The unit tests use `fake::FakeFs`, a temp
//! dir that imitates what cgroupfs does on `mkdir` (it populates the interface
//! files), on writes to the command files (`cgroup.subtree_control`,
//! `cgroup.freeze`, `cgroup.kill`, `cgroup.procs`) and on `rmdir` (busy while
//! it holds processes or children). Signals never reach real processes there.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::bpf::Insn;

/// File operations on a cgroup file system.
pub trait CgroupFs: fmt::Debug + Send + Sync {
    /// `mkdir(2)`: the kernel fills the new dir with its interface files.
    fn mkdir(&self, path: &Path) -> io::Result<()>;
    /// `rmdir(2)` of a cgroup (its interface files go with it).
    fn rmdir(&self, path: &Path) -> io::Result<()>;
    fn read(&self, path: &Path) -> io::Result<String>;
    /// Writes `data` to an existing interface file in one `write(2)`, as
    /// cgroupfs parses every write on its own. Never creates the file.
    fn write(&self, path: &Path, data: &str) -> io::Result<()>;
    fn exists(&self, path: &Path) -> bool;
    /// The child cgroups (sub-directories) of `path`.
    fn subdirs(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// `kill(2)` of one process; `pid` must be positive.
    fn kill(&self, pid: i32, sig: i32) -> io::Result<()>;
    /// cgroup v2: loads the device program `prog` and attaches it to the
    /// cgroup `dir`.
    fn attach_device_program(&self, dir: &Path, prog: &[Insn]) -> io::Result<()>;
    /// May this process write the interface file `path` (a delegated
    /// cgroup's files belong to its user)?
    fn writable(&self, path: &Path) -> bool;
    /// Is this process unprivileged (not root of the initial user
    /// namespace)? Rootless placement differs (`v2::create`).
    fn unprivileged(&self) -> bool;
}

/// The kernel's cgroup file systems.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl CgroupFs for RealFs {
    fn mkdir(&self, path: &Path) -> io::Result<()> {
        fs::create_dir(path)
    }

    fn rmdir(&self, path: &Path) -> io::Result<()> {
        fs::remove_dir(path)
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        fs::read_to_string(path)
    }

    fn write(&self, path: &Path, data: &str) -> io::Result<()> {
        // O_WRONLY|O_TRUNC|O_CLOEXEC, like runc; no O_CREAT.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)?;
        loop {
            match file.write(data.as_bytes()) {
                Ok(n) if n == data.len() => return Ok(()),
                Ok(n) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        format!("short write ({n} of {} bytes)", data.len()),
                    ))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn exists(&self, path: &Path) -> bool {
        fs::symlink_metadata(path).is_ok()
    }

    fn subdirs(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut dirs = Vec::new();
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            }
        }
        dirs.sort();
        Ok(dirs)
    }

    fn kill(&self, pid: i32, sig: i32) -> io::Result<()> {
        // pid 0 and negative pids address process groups or everything.
        if pid <= 0 {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        // SAFETY: kill(2) takes plain integers and touches no memory of ours.
        if unsafe { libc::kill(pid, sig) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn attach_device_program(&self, dir: &Path, prog: &[Insn]) -> io::Result<()> {
        use std::os::fd::AsFd;
        let cgroup = fs::File::open(dir)?;
        let prog = super::bpf::load(prog)?;
        super::bpf::attach(cgroup.as_fd(), prog.as_fd())
    }

    fn writable(&self, path: &Path) -> bool {
        rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
    }

    fn unprivileged(&self) -> bool {
        !rustix::process::geteuid().is_root()
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! A fake cgroupfs rooted in a temp dir. The test builds the hierarchy
    //! roots by hand (`v2_root`, `v1_root`); `mkdir` below them populates the
    //! files the kernel would create.

    use super::super::bpf::Insn;
    use super::super::devices::{parse_rule, DeviceRule, Policy};
    use super::CgroupFs;
    use std::collections::BTreeSet;
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    #[derive(Debug, Default)]
    pub struct FakeFs {
        /// Every successful write, in order.
        pub writes: Mutex<Vec<(PathBuf, String)>>,
        /// Every signal sent.
        pub kills: Mutex<Vec<(i32, i32)>>,
        /// Writes to files with this name fail with this errno.
        pub reject: Mutex<Vec<(String, i32)>>,
        /// `mkdir` fails with this errno.
        pub mkdir_errno: Mutex<Option<i32>>,
        /// Where `kill` looks for the pid to take out of every cgroup.procs.
        pub root: Mutex<Option<PathBuf>>,
        /// Every device program attached: (cgroup, program).
        pub programs: Mutex<Vec<(PathBuf, Vec<Insn>)>>,
        /// Act as an unprivileged user: only the cgroups in `delegated`
        /// (and below them) are writable.
        pub rootless: Mutex<Option<Vec<PathBuf>>>,
    }

    fn errno(e: i32) -> io::Error {
        io::Error::from_raw_os_error(e)
    }

    fn words(s: &str) -> BTreeSet<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn put(dir: &Path, name: &str, content: &str) {
        fs::write(dir.join(name), content).unwrap();
    }

    /// A cgroup2 root with these controllers available.
    pub fn v2_root(dir: &Path, controllers: &str) {
        fs::create_dir_all(dir).unwrap();
        put(dir, "cgroup.controllers", &format!("{controllers}\n"));
        put(dir, "cgroup.subtree_control", "");
        put(dir, "cgroup.procs", "");
        put(dir, "cgroup.max.depth", "max\n");
    }

    /// Files a v2 cgroup gets for each enabled controller.
    fn v2_files(ctrl: &str) -> &'static [(&'static str, &'static str)] {
        match ctrl {
            "memory" => &[
                ("memory.max", "max\n"),
                ("memory.low", "0\n"),
                ("memory.high", "max\n"),
                ("memory.swap.max", "max\n"),
                ("memory.current", "4096\n"),
                ("memory.stat", "anon 1024\nfile 3072\ninactive_file 2048\n"),
            ],
            "cpu" => &[("cpu.max", "max 100000\n"), ("cpu.weight", "100\n")],
            "cpuset" => &[
                ("cpuset.cpus", "\n"),
                ("cpuset.mems", "\n"),
                ("cpuset.cpus.effective", "0-1\n"),
            ],
            "pids" => &[("pids.max", "max\n"), ("pids.current", "0\n")],
            "io" => &[
                ("io.weight", "default 100\n"),
                ("io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2\n"),
            ],
            _ => &[],
        }
    }

    /// A v1 hierarchy root of `controllers` (comma-separated) holding
    /// `files` (name, content).
    pub fn v1_root(dir: &Path, controllers: &str, files: &[(&str, &str)]) {
        fs::create_dir_all(dir).unwrap();
        put(dir, ".fake-controllers", controllers);
        put(dir, "cgroup.procs", "");
        put(dir, "tasks", "");
        put(dir, "cgroup.clone_children", "0\n");
        put(dir, "notify_on_release", "0\n");
        for (name, content) in files {
            put(dir, name, content);
        }
    }

    /// What a new v1 child gets instead of a copy of its parent's file.
    fn v1_child_value(name: &str) -> Option<&'static str> {
        Some(match name {
            "cgroup.procs" | "tasks" => "",
            "cpuset.cpus" | "cpuset.mems" => "\n",
            "freezer.state" => "THAWED\n",
            "memory.limit_in_bytes" | "memory.memsw.limit_in_bytes" => "9223372036854771712\n",
            "pids.max" => "max\n",
            "pids.current" => "0\n",
            "cpu.cfs_quota_us" => "-1\n",
            "cpu.cfs_period_us" => "100000\n",
            "cpu.shares" => "1024\n",
            _ => return None,
        })
    }

    /// Files the kernel shows in a v1 child but not in the root.
    fn v1_child_only(ctrl: &str) -> &'static [(&'static str, &'static str)] {
        match ctrl {
            "pids" => &[("pids.max", "max\n")],
            "freezer" => &[
                ("freezer.state", "THAWED\n"),
                ("freezer.self_freezing", "0\n"),
                ("freezer.parent_freezing", "0\n"),
            ],
            _ => &[],
        }
    }

    impl FakeFs {
        pub fn new(root: &Path) -> FakeFs {
            let f = FakeFs::default();
            *f.root.lock().unwrap() = Some(root.to_path_buf());
            f
        }

        pub fn reject(&self, file: &str, errno: i32) {
            self.reject.lock().unwrap().push((file.to_string(), errno));
        }

        pub fn writes_to(&self, file: &str) -> Vec<String> {
            self.writes
                .lock()
                .unwrap()
                .iter()
                .filter(|(p, _)| p.file_name().is_some_and(|n| n == file))
                .map(|(_, d)| d.clone())
                .collect()
        }

        fn is_v2(dir: &Path) -> bool {
            dir.join("cgroup.controllers").exists()
        }

        fn read_opt(path: &Path) -> String {
            fs::read_to_string(path).unwrap_or_default()
        }

        /// Enabling or disabling controllers: only available ones, never in a
        /// non-root cgroup that holds processes; enabling one creates its files
        /// in the children.
        fn write_subtree_control(path: &Path, dir: &Path, data: &str) -> io::Result<()> {
            let avail = words(&Self::read_opt(&dir.join("cgroup.controllers")));
            let is_root = !Self::is_v2(dir.parent().unwrap());
            if !is_root && !Self::read_opt(&dir.join("cgroup.procs")).trim().is_empty() {
                return Err(errno(libc::EBUSY));
            }
            let mut enabled = words(&Self::read_opt(path));
            for tok in data.split_whitespace() {
                let (op, ctrl) = tok.split_at(1);
                if !avail.contains(ctrl) {
                    return Err(errno(libc::ENOENT));
                }
                match op {
                    "+" => {
                        if enabled.insert(ctrl.to_string()) {
                            Self::grow_children(dir, ctrl);
                        }
                    }
                    "-" => {
                        enabled.remove(ctrl);
                    }
                    _ => return Err(errno(libc::EINVAL)),
                };
            }
            let v: Vec<String> = enabled.into_iter().collect();
            fs::write(path, v.join(" "))?;
            Ok(())
        }

        /// Freezing is immediate: `cgroup.events` says so at once.
        fn write_freeze(path: &Path, dir: &Path, data: &str) -> io::Result<()> {
            let frozen = data.trim() == "1";
            fs::write(path, data)?;
            let events = Self::read_opt(&dir.join("cgroup.events"));
            let events: String = events
                .lines()
                .map(|l| {
                    if l.starts_with("frozen ") {
                        format!("frozen {}\n", u8::from(frozen))
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            fs::write(dir.join("cgroup.events"), events)?;
            Ok(())
        }

        /// A process joins: never an inner v2 node with controllers enabled,
        /// never a cpuset without cpus.
        fn write_procs(path: &Path, dir: &Path, data: &str) -> io::Result<()> {
            if Self::is_v2(dir)
                && Self::is_v2(dir.parent().unwrap())
                && !Self::read_opt(&dir.join("cgroup.subtree_control"))
                    .trim()
                    .is_empty()
            {
                // no internal processes
                return Err(errno(libc::EBUSY));
            }
            if dir.join("cpuset.cpus").exists()
                && Self::read_opt(&dir.join("cpuset.cpus")).trim().is_empty()
            {
                return Err(errno(libc::ENOSPC));
            }
            let mut procs = Self::read_opt(path);
            procs.push_str(&format!("{}\n", data.trim()));
            fs::write(path, procs)?;
            Ok(())
        }

        /// v1: memory.limit <= memory.memsw.limit, or EINVAL.
        fn write_memory_limit(name: &str, path: &Path, dir: &Path, data: &str) -> io::Result<()> {
            // v1: memory.limit <= memory.memsw.limit, or EINVAL
            let parse = |s: &str| -> i128 {
                match s.trim().parse::<i128>() {
                    Ok(-1) | Err(_) => i128::MAX,
                    Ok(v) => v,
                }
            };
            let new = parse(data);
            let memsw = dir.join("memory.memsw.limit_in_bytes");
            if memsw.exists() {
                let ok = if name == "memory.limit_in_bytes" {
                    new <= parse(&Self::read_opt(&memsw))
                } else {
                    new >= parse(&Self::read_opt(&dir.join("memory.limit_in_bytes")))
                };
                if !ok {
                    return Err(errno(libc::EINVAL));
                }
            }
            fs::write(path, data)?;
            Ok(())
        }

        /// v1 device rules update `devices.list` as the kernel would.
        fn write_device_rule(name: &str, path: &Path, dir: &Path, data: &str) -> io::Result<()> {
            // The kernel's list: allow-all, or a deny-all's exceptions.
            let list = Self::read_opt(&dir.join("devices.list"));
            let mut rules = vec![DeviceRule::all(list.trim() == "a *:* rwm")];
            if list.trim() != "a *:* rwm" {
                for l in list.lines().filter(|l| !l.trim().is_empty()) {
                    rules.push(parse_rule(true, l).map_err(|_| errno(libc::EINVAL))?);
                }
            }
            let allow = name == "devices.allow";
            rules.push(parse_rule(allow, data).map_err(|_| errno(libc::EINVAL))?);
            let list = Policy::from_rules(&rules).v1_list().join("\n");
            fs::write(dir.join("devices.list"), format!("{list}\n"))?;
            fs::write(path, data)?;
            Ok(())
        }

        fn drop_pid(dir: &Path, pid: i32) {
            let procs = dir.join("cgroup.procs");
            if let Ok(text) = fs::read_to_string(&procs) {
                let kept: String = text
                    .lines()
                    .filter(|l| l.trim() != pid.to_string())
                    .map(|l| format!("{l}\n"))
                    .collect();
                fs::write(&procs, kept).unwrap();
            }
            if let Ok(rd) = fs::read_dir(dir) {
                for e in rd.flatten() {
                    if e.path().is_dir() {
                        Self::drop_pid(&e.path(), pid);
                    }
                }
            }
        }

        /// A controller newly enabled in `dir` shows up in its children.
        fn grow_children(dir: &Path, ctrl: &str) {
            for e in fs::read_dir(dir).unwrap().flatten() {
                let child = e.path();
                if !child.is_dir() {
                    continue;
                }
                let mut ctrls = words(&Self::read_opt(&child.join("cgroup.controllers")));
                ctrls.insert(ctrl.to_string());
                let v: Vec<String> = ctrls.into_iter().collect();
                put(&child, "cgroup.controllers", &v.join(" "));
                for (name, content) in v2_files(ctrl) {
                    put(&child, name, content);
                }
            }
        }

        fn clear_procs(dir: &Path) {
            fs::write(dir.join("cgroup.procs"), "").unwrap();
            for e in fs::read_dir(dir).unwrap().flatten() {
                if e.path().is_dir() {
                    Self::clear_procs(&e.path());
                }
            }
        }
    }

    impl CgroupFs for FakeFs {
        fn writable(&self, path: &Path) -> bool {
            match &*self.rootless.lock().unwrap() {
                None => true,
                Some(delegated) => delegated
                    .iter()
                    .any(|d| path.parent().is_some_and(|p| p.starts_with(d))),
            }
        }

        fn unprivileged(&self) -> bool {
            self.rootless.lock().unwrap().is_some()
        }

        fn mkdir(&self, path: &Path) -> io::Result<()> {
            if let Some(e) = *self.mkdir_errno.lock().unwrap() {
                return Err(errno(e));
            }
            fs::create_dir(path)?;
            let parent = path.parent().unwrap();
            if Self::is_v2(parent) {
                let enabled = Self::read_opt(&parent.join("cgroup.subtree_control"));
                put(path, "cgroup.controllers", &enabled);
                put(path, "cgroup.subtree_control", "");
                put(path, "cgroup.procs", "");
                put(path, "cgroup.events", "populated 0\nfrozen 0\n");
                put(path, "cgroup.freeze", "0\n");
                put(path, "cgroup.kill", "");
                put(path, "cgroup.type", "domain\n");
                put(
                    path,
                    "cpu.stat",
                    "usage_usec 7\nuser_usec 5\nsystem_usec 2\n",
                );
                for ctrl in words(&enabled) {
                    for (name, content) in v2_files(&ctrl) {
                        put(path, name, content);
                    }
                }
            } else {
                for e in fs::read_dir(parent)?.flatten() {
                    if !e.path().is_file() {
                        continue;
                    }
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name == "cgroup.sane_behavior"
                        || name == "release_agent"
                        || name.starts_with('.')
                    {
                        continue;
                    }
                    let content = match v1_child_value(&name) {
                        Some(v) => v.to_string(),
                        None => fs::read_to_string(e.path())?,
                    };
                    put(path, &name, &content);
                }
                let ctrls = path
                    .ancestors()
                    .find_map(|a| fs::read_to_string(a.join(".fake-controllers")).ok())
                    .unwrap_or_default();
                for ctrl in ctrls.split(',') {
                    for (name, content) in v1_child_only(ctrl) {
                        put(path, name, content);
                    }
                }
            }
            Ok(())
        }

        fn rmdir(&self, path: &Path) -> io::Result<()> {
            if !path.is_dir() {
                return Err(errno(libc::ENOENT));
            }
            if !Self::read_opt(&path.join("cgroup.procs")).trim().is_empty() {
                return Err(errno(libc::EBUSY));
            }
            if fs::read_dir(path)?.flatten().any(|e| e.path().is_dir()) {
                return Err(errno(libc::EBUSY));
            }
            fs::remove_dir_all(path)
        }

        fn read(&self, path: &Path) -> io::Result<String> {
            fs::read_to_string(path)
        }

        fn write(&self, path: &Path, data: &str) -> io::Result<()> {
            if !path.is_file() {
                return Err(errno(libc::ENOENT));
            }
            if !self.writable(path) {
                return Err(errno(libc::EACCES));
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if let Some((_, e)) = self.reject.lock().unwrap().iter().find(|(n, _)| *n == name) {
                return Err(errno(*e));
            }
            let dir = path.parent().unwrap();
            match name.as_str() {
                "cgroup.subtree_control" => Self::write_subtree_control(path, dir, data)?,
                "cgroup.freeze" => Self::write_freeze(path, dir, data)?,
                "cgroup.kill" => {
                    fs::write(path, data)?;
                    Self::clear_procs(dir);
                }
                "cgroup.procs" => Self::write_procs(path, dir, data)?,
                "memory.limit_in_bytes" | "memory.memsw.limit_in_bytes" => {
                    Self::write_memory_limit(name.as_str(), path, dir, data)?
                }
                "devices.allow" | "devices.deny" => {
                    Self::write_device_rule(name.as_str(), path, dir, data)?
                }
                _ => fs::write(path, data)?,
            }
            self.writes
                .lock()
                .unwrap()
                .push((path.to_path_buf(), data.to_string()));
            Ok(())
        }

        fn exists(&self, path: &Path) -> bool {
            path.exists()
        }

        fn subdirs(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
            let mut v: Vec<PathBuf> = fs::read_dir(path)?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect();
            v.sort();
            Ok(v)
        }

        fn kill(&self, pid: i32, sig: i32) -> io::Result<()> {
            self.kills.lock().unwrap().push((pid, sig));
            if sig == libc::SIGKILL {
                if let Some(root) = self.root.lock().unwrap().as_ref() {
                    Self::drop_pid(root, pid);
                }
            }
            Ok(())
        }

        fn attach_device_program(&self, dir: &Path, prog: &[Insn]) -> io::Result<()> {
            if !Self::is_v2(dir) {
                return Err(errno(libc::EBADF));
            }
            if let Some((_, e)) = self.reject.lock().unwrap().iter().find(|(n, _)| n == "bpf") {
                return Err(errno(*e));
            }
            self.programs
                .lock()
                .unwrap()
                .push((dir.to_path_buf(), prog.to_vec()));
            Ok(())
        }
    }
}
