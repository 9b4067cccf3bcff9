//! Robustness (as root, real containers): a store on a full disk, and load
//! (many containers made and removed at once). Each test removes every
//! container it made and checks nothing is left on the host.
//!
//! `make test` runs the 100-container load; `make soak` runs the same with
//! 1,000 containers, 200 at a time (`SKIFF_LOAD_N`, `SKIFF_LOAD_WIDTH`).

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

/// These tests check the host for leftovers, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

// ---------------------------------------------------------------- a small disk

/// A small ext4 filesystem on a loop device, mounted at `mnt`; unmounted
/// and detached on drop (also when the test panics).
struct Disk {
    mnt: PathBuf,
    loopdev: String,
    _image: tempfile::TempDir,
}

impl Disk {
    /// Make a `mib` MiB ext4 (no blocks reserved for root) and mount it on
    /// `mnt`; `None` (skipped, or failed under SKIFF_TEST_STRICT=1) where
    /// this host has no loop device to give.
    fn mount(mnt: &Path, mib: u64) -> Option<Disk> {
        let image = tempfile::Builder::new()
            .prefix("skiff-disk-")
            .tempdir()
            .unwrap();
        let file = image.path().join("disk.img");
        std::fs::File::create(&file)
            .unwrap()
            .set_len(mib << 20)
            .unwrap();
        run_ok(
            Command::new("mkfs.ext4")
                .args(["-q", "-F", "-m", "0"])
                .args(["-E", "lazy_itable_init=0,lazy_journal_init=0"])
                .arg(&file),
        );
        let out = Command::new("losetup")
            .args(["-f", "--show"])
            .arg(&file)
            .output()
            .unwrap();
        if !out.status.success() {
            skip(&format!(
                "no loop device: losetup -f: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            return None;
        }
        let loopdev = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let mut disk = Disk {
            mnt: mnt.to_path_buf(),
            loopdev,
            _image: image,
        };
        let out = Command::new("mount")
            .arg(&disk.loopdev)
            .arg(mnt)
            .output()
            .unwrap();
        if !out.status.success() {
            disk.mnt = PathBuf::new(); // nothing to unmount; still detach
            panic!(
                "mount {} {}: {}",
                disk.loopdev,
                mnt.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Some(disk)
    }

    /// Bytes still free on the disk.
    fn free(&self) -> u64 {
        free_bytes(&self.mnt)
    }

    /// Fill the disk with `name` until only about `leave` bytes are free
    /// (`0`: until a write fails with ENOSPC).
    fn fill(&self, name: &str, leave: u64) {
        let path = self.mnt.join(name);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        let big = vec![0u8; 1 << 20];
        let small = vec![0u8; 4096];
        loop {
            let free = self.free();
            if free <= leave || (leave == 0 && free == 0) {
                break;
            }
            let want = (free - leave).min(big.len() as u64) as usize;
            let chunk = if want >= big.len() {
                &big[..]
            } else if want >= small.len() || leave == 0 {
                &small[..]
            } else {
                break;
            };
            match f.write_all(chunk) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => {
                    if chunk.len() == small.len() {
                        break;
                    }
                    // Finish with small writes.
                    while f.write_all(&small).is_ok() {}
                    break;
                }
                Err(e) => panic!("filling {}: {e}", path.display()),
            }
        }
        // Data and metadata on disk, so statfs tells the truth.
        let _ = f.sync_all();
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        if !self.mnt.as_os_str().is_empty() {
            let mut unmounted = false;
            for _ in 0..50 {
                let ok = Command::new("umount")
                    .arg(&self.mnt)
                    .output()
                    .is_ok_and(|o| o.status.success());
                if ok {
                    unmounted = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if !unmounted {
                eprintln!("umount {} failed: unmounting lazily", self.mnt.display());
                let _ = Command::new("umount").arg("-l").arg(&self.mnt).output();
            }
        }
        let _ = Command::new("losetup")
            .arg("-d")
            .arg(&self.loopdev)
            .output();
    }
}

fn run_ok(c: &mut Command) -> Output {
    let out = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn free_bytes(p: &Path) -> u64 {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid C string and a zeroed statvfs to fill.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut st) }, 0);
    st.f_bavail as u64 * st.f_frsize as u64
}

// ---------------------------------------------------------------- the env

/// A store with the busybox image (optionally on a small disk of its
/// own); on drop, every container is removed and nothing the test made
/// may be left on the host.
struct Env {
    // Dropped in this order: the disk is unmounted before the store's
    // tempdir (its mount point) is removed; the serial lock goes last.
    disk: Option<Disk>,
    s: Skiff,
    reg: Registry,
    img: String,
    /// skiff cgroups that were there before (other stores' on this host).
    cgroups_before: Vec<String>,
    _serial: std::sync::MutexGuard<'static, ()>,
}

fn lock() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn setup() -> Option<Env> {
    let serial = lock();
    let (reg, s, img) = with_busybox()?;
    Some(Env {
        disk: None,
        s,
        reg,
        img,
        cgroups_before: leftover_cgroups(),
        _serial: serial,
    })
}

/// The busybox image, pulled into a store (root and runroot) that lives
/// on a `mib` MiB ext4 of its own.
fn setup_on_disk(mib: u64) -> Option<Env> {
    let serial = lock();
    if !is_root() {
        skip("a loop-mounted disk needs root");
        return None;
    }
    for tool in ["mkfs.ext4", "losetup", "docker-registry", "skopeo"] {
        if !have(tool) {
            skip(&format!("{tool} not installed (make test-deps)"));
            return None;
        }
    }
    let (reg, img) = registry_with_busybox();
    let s = Skiff::new();
    // The whole store dir (root, runroot, HOME) is the small disk.
    let disk = Disk::mount(s.dir.path(), mib)?;
    let e = Env {
        disk: Some(disk),
        s,
        reg,
        img,
        cgroups_before: leftover_cgroups(),
        _serial: serial,
    };
    e.s.ok(&["pull", "-q", &e.img]);
    Some(e)
}

impl Env {
    fn store_dir(&self) -> String {
        self.s.dir.path().display().to_string()
    }

    /// Mount points beneath the store, except the store's own disk.
    fn mounts_left(&self) -> Vec<String> {
        let root = self.store_dir();
        std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(&root))
            .filter(|l| l.split(' ').nth(4) != Some(root.as_str()))
            .map(str::to_owned)
            .collect()
    }

    /// Names still reserved in `<root>/names`.
    fn names(&self) -> Vec<String> {
        dir_names(&self.s.root().join("names"))
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        // Space first (a failed test may leave the disk full), or the
        // removals below fail and the disk stays busy.
        if let Some(d) = &self.disk {
            for name in dir_names(&d.mnt) {
                if name.starts_with("filler") {
                    let _ = std::fs::remove_file(d.mnt.join(name));
                }
            }
        }
        let ids = self.s.run(&["ps", "-aq", "--no-trunc"]).1;
        for id in ids.lines() {
            let _ = self.s.run(&["rm", "-f", id]);
        }
        let root = self.store_dir();
        let mut procs = leftover_monitors(&root);
        // Monitors exit right after they report; give them a moment.
        wait_until(Duration::from_secs(5), || {
            procs = leftover_monitors(&root);
            procs.is_empty()
        });
        let left = self.mounts_left();
        let names = self.names();
        let had_table = drop_skiff_table();
        let links = remove_default_bridge();
        if !std::thread::panicking() {
            assert!(links.is_empty(), "links left behind: {links:?}");
            assert!(
                !had_table,
                "the skiff nftables table outlived its last user"
            );
            assert!(left.is_empty(), "mounts left behind: {left:?}");
            assert!(procs.is_empty(), "processes left behind: {procs:?}");
            assert!(names.is_empty(), "names left reserved: {names:?}");
            let cgroups = new_cgroups(&self.cgroups_before);
            assert!(cgroups.is_empty(), "cgroups left behind: {cgroups:?}");
        }
    }
}

/// Entries of a dir (none if it is missing).
fn dir_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every path under `dir` (not following symlinks).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        out.push(p.clone());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&p, out);
        }
    }
}

/// What a writer that failed half-way may have left in a store: temp
/// files of atomic writes (`.<name>.<rand>.tmp`), layer dirs being made
/// (`layers/.tmp-*`) or removed (`layers/.rm-*`), partial downloads
/// (`blobs/partial/<hex>`, beside their `.lock` files), trashed
/// containers, and JSON files that do not parse.
fn half_written(store: &Path) -> Vec<String> {
    let mut all = Vec::new();
    walk(store, &mut all);
    let mut bad = Vec::new();
    for p in all {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let parent = p
            .parent()
            .and_then(|d| d.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = p.strip_prefix(store).unwrap_or(&p);
        // Inside container root filesystems anything goes.
        if rel.components().any(|c| {
            let c = c.as_os_str().to_string_lossy();
            c == "diff" || c == "userdata" || c == "rootfs"
        }) {
            continue;
        }
        let is_tmp = name.starts_with('.') && name.ends_with(".tmp");
        let layer_tmp =
            parent == "layers" && (name.starts_with(".tmp-") || name.starts_with(".rm-"));
        let partial = parent == "partial" && !name.ends_with(".lock");
        let trash = parent == "trash";
        let torn_json = name.ends_with(".json")
            && p.is_file()
            && std::fs::read(&p)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .is_none();
        if is_tmp || layer_tmp || partial || trash || torn_json {
            bad.push(rel.display().to_string());
        }
    }
    bad
}

/// The one-line error of a command that ran out of disk: exit 125 from
/// run and create, 1 from other verbs (docker's codes).
fn assert_enospc(what: &str, (code, out, err): (i32, String, String)) {
    let want = if what.starts_with("[\"run\"") || what.starts_with("[\"create\"") {
        125
    } else {
        1
    };
    assert_eq!(
        code, want,
        "{what}: expected exit {want} (no space), got {code}\nstdout: {out}\nstderr: {err}"
    );
    eprintln!("{what}: {}", err.trim_end());
    let framed;
    let err = if want == 125 {
        framed = run_error(&err);
        &framed
    } else {
        &err
    };
    let mut lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    // `start` ends with docker's summary of the containers that failed.
    if what.starts_with("start") {
        assert!(
            lines
                .last()
                .is_some_and(|l| l.starts_with("Error: failed to start containers: ")),
            "{what}: docker's summary line wanted:\n{err}"
        );
        lines.pop();
    }
    assert_eq!(lines.len(), 1, "{what}: one line of error wanted:\n{err}");
    assert!(
        lines[0].to_lowercase().contains("no space left on device"),
        "{what}: the error should say the disk is full: {err}"
    );
}

// ---------------------------------------------------------------- full disk

#[test]
fn a_full_disk_fails_cleanly_and_recovers() {
    let Some(e) = setup_on_disk(48) else { return };
    let s = &e.s;
    let disk = e.disk.as_ref().unwrap();
    let store = s.dir.path().to_path_buf();

    // A container made before the disk fills.
    let before = s
        .ok(&[
            "create",
            "--name",
            "before",
            "--network",
            "none",
            &e.img,
            "sleep",
            "1000",
        ])
        .trim()
        .to_owned();

    // An image bigger than what will be left: a 12 MiB layer of noise.
    let layout = tempfile::tempdir().unwrap();
    let big_layers = vec![
        build_layer(&busybox_layer(), Compression::Gzip),
        build_layer(
            &[
                Entry::Dir("data/", 0o755),
                Entry::File("data/noise".into(), noise(12 << 20, 7), 0o644),
            ],
            Compression::Gzip,
        ),
    ];
    let big_id = oci_layout(layout.path(), "1", &big_layers, &["sh"], json!(null));
    let big = format!("{}/big:1", e.reg.host());
    push(layout.path(), "1", &big, &[]);

    let images_before = s.ok(&["images", "-q", "--no-trunc"]);
    let ps_before = s.ok(&["ps", "-aq", "--no-trunc"]);
    assert_eq!(ps_before.trim(), before);
    let check_nothing_half_done = |when: &str| {
        assert_eq!(
            s.ok(&["images", "-q", "--no-trunc"]),
            images_before,
            "{when}: images changed"
        );
        assert_eq!(
            s.ok(&["ps", "-aq", "--no-trunc"]),
            ps_before,
            "{when}: containers changed"
        );
        assert_eq!(e.names(), vec!["before".to_owned()], "{when}: names");
        assert_eq!(
            dir_names(&s.root().join("containers")),
            vec![before.clone()],
            "{when}: container dirs"
        );
        let bad = half_written(&store);
        assert!(bad.is_empty(), "{when}: half-written files left: {bad:?}");
    };

    // 1. The download does not fit: 4 MiB left for a 12 MiB blob.
    disk.fill("filler-1", 4 << 20);
    let free = disk.free();
    assert_enospc("pull (download)", s.run(&["pull", "-q", &big]));
    check_nothing_half_done("after a pull that ran out of space downloading");
    // What the failed pull wrote is given back.
    assert!(
        disk.free() + (256 << 10) >= free,
        "the failed pull kept space: {} free before, {} after",
        free,
        disk.free()
    );

    // 2. The download fits, unpacking it does not.
    std::fs::remove_file(store.join("filler-1")).unwrap();
    disk.fill("filler-1", 18 << 20);
    assert_enospc("pull (unpack)", s.run(&["pull", "-q", &big]));
    check_nothing_half_done("after a pull that ran out of space unpacking");

    // 3. Not a block left: create and run, with and without a name.
    disk.fill("filler-2", 0);
    assert!(disk.free() < (64 << 10), "disk not full: {}", disk.free());
    for args in [
        &[
            "create",
            "--name",
            "full",
            "--network",
            "none",
            &e.img,
            "true",
        ][..],
        &["create", "--network", "none", &e.img, "true"][..],
        &["run", "--name", "full", "--network", "none", &e.img, "true"][..],
        &["run", "-d", "--network", "none", &e.img, "sleep", "1000"][..],
        &["run", "--rm", "--network", "none", &e.img, "true"][..],
    ] {
        assert_enospc(&format!("{args:?}"), s.run(args));
        check_nothing_half_done(&format!("after {args:?}"));
    }
    assert_enospc("pull (full)", s.run(&["pull", "-q", &big]));
    check_nothing_half_done("after a pull on a full disk");

    // 4. Space again: everything works, the earlier image and container too.
    std::fs::remove_file(store.join("filler-1")).unwrap();
    std::fs::remove_file(store.join("filler-2")).unwrap();
    // The store is consistent (the store is consistent after the failures): nothing for system check
    // (no command is running, so no leftover is too young to count).
    let (code, out, err) = s.run(&["system", "check", "--min-age-ms", "0"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", ""),
        "system check"
    );
    let id = s.ok(&["pull", "-q", &big]);
    assert!(
        id.contains(big_id.trim_start_matches("sha256:")) || id.contains(&big),
        "{id}"
    );
    s.ok(&[
        "create",
        "--name",
        "full",
        "--network",
        "none",
        &big,
        "true",
    ]);
    assert_eq!(
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            &big,
            "sh",
            "-c",
            "wc -c < /data/noise"
        ])
        .trim(),
        (12 << 20).to_string()
    );
    assert_eq!(
        s.ok(&["run", "--rm", "--network", "none", &e.img, "echo", "ok"]),
        "ok\n"
    );
    s.ok(&["start", "before"]);
    assert_eq!(
        s.ok(&["ps", "--format", "{{.Names}}"]).trim(),
        "before",
        "the container made before the disk filled runs"
    );
    s.ok(&["rm", "-f", "before", "full"]);
    assert!(e.names().is_empty(), "names: {:?}", e.names());
    let bad = half_written(&store);
    assert!(
        wait_until(Duration::from_secs(3), || half_written(&store).is_empty()),
        "left after the removals: {bad:?}"
    );
}

/// Containers already there when the disk fills: one that was never
/// started cannot start (and leaves nothing behind), a running one can be
/// stopped and its exit is known, one that keeps printing keeps running
/// (its log can't grow) and stops; with space again all of them work.
#[test]
fn containers_on_a_full_disk() {
    let Some(e) = setup_on_disk(48) else { return };
    let s = &e.s;
    let disk = e.disk.as_ref().unwrap();
    let store = s.dir.path().to_path_buf();
    let none = ["--network", "none"];
    let created = |name: &str, cmd: &[&str]| {
        let mut a = vec!["create", "--name", name];
        a.extend(none);
        a.push(&e.img);
        a.extend(cmd);
        s.ok(&a).trim().to_owned()
    };
    created("idle", &["sleep", "1000"]);
    created("runner", &["sleep", "1000"]);
    created(
        "chatty",
        &["sh", "-c", "while :; do echo chatty; sleep 0.01; done"],
    );
    created("doomed", &["sleep", "1000"]);
    s.ok(&["start", "runner", "chatty", "doomed"]);
    let monitors = || leftover_monitors(&store.display().to_string()).len();
    assert!(wait_until(Duration::from_secs(5), || monitors() == 3));
    // An image to remove when the disk is full (to make room).
    let layout = tempfile::tempdir().unwrap();
    oci_layout(
        layout.path(),
        "1",
        &[
            build_layer(&busybox_layer(), Compression::Gzip),
            build_layer(
                &[Entry::File("extra".into(), noise(2 << 20, 3), 0o644)],
                Compression::Gzip,
            ),
        ],
        &["sh"],
        json!(null),
    );
    let extra = format!("{}/extra:1", e.reg.host());
    push(layout.path(), "1", &extra, &[]);
    s.ok(&["pull", "-q", &extra]);

    disk.fill("filler", 0);
    assert!(disk.free() < (64 << 10), "disk not full: {}", disk.free());

    // What makes room works on a full disk: rm -f of a running container
    // and rmi of an image.
    let free = disk.free();
    s.ok(&["rmi", &extra]);
    assert!(
        disk.free() > free + (2 << 20),
        "rmi gave back {} bytes",
        disk.free() - free
    );
    assert!(
        !s.ok(&["images", "--format", "{{.Repository}}"])
            .contains("extra"),
        "the tag is gone too"
    );
    disk.fill("filler-2", 0);
    s.ok(&["rm", "-f", "doomed"]);
    assert!(!e.names().contains(&"doomed".to_owned()));
    assert!(wait_until(Duration::from_secs(5), || monitors() == 2));
    disk.fill("filler-3", 0);

    let status = |name: &str| {
        s.ok(&["inspect", "--format", "{{.State.Status}}", name])
            .trim()
            .to_owned()
    };
    assert_eq!(status("runner"), "running", "runner lives through the fill");

    // Never started: it cannot start now, and nothing of the try is left.
    let cgroups = new_cgroups(&e.cgroups_before).len();
    assert_enospc("start idle", s.run(&["start", "idle"]));
    assert_eq!(status("idle"), "created");
    assert!(
        wait_until(Duration::from_secs(5), || monitors() == 2),
        "a monitor of the failed start is left: {:?}",
        leftover_monitors(&store.display().to_string())
    );
    assert_eq!(
        new_cgroups(&e.cgroups_before).len(),
        cgroups,
        "cgroups of the failed start"
    );
    let bad = half_written(&store);
    assert!(bad.is_empty(), "half-written files left: {bad:?}");

    // Running: still running, can be stopped, and its exit is known.
    assert_eq!(status("runner"), "running");
    assert_eq!(status("chatty"), "running");
    s.ok(&["logs", "--tail", "1", "chatty"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        status("chatty"),
        "running",
        "chatty survives its log not growing"
    );
    s.ok(&["stop", "-t", "1", "runner"]);
    assert_eq!(status("runner"), "exited");
    s.ok(&["stop", "-t", "1", "chatty"]);
    assert_eq!(status("chatty"), "exited");
    // Their exits could not be written: they are known all the same.
    assert_eq!(
        s.ok(&[
            "ps",
            "-a",
            "--filter",
            "status=exited",
            "--format",
            "{{.Names}}"
        ])
        .lines()
        .collect::<BTreeSet<_>>(),
        BTreeSet::from(["runner", "chatty"])
    );
    assert!(
        wait_until(Duration::from_secs(5), || monitors() == 0),
        "monitors left: {:?}",
        leftover_monitors(&store.display().to_string())
    );
    let mounts = e.mounts_left();
    assert!(mounts.is_empty(), "mounts left: {mounts:?}");

    // Space again: all of them start, log and go.
    std::fs::remove_file(store.join("filler")).unwrap();
    std::fs::remove_file(store.join("filler-2")).unwrap();
    std::fs::remove_file(store.join("filler-3")).unwrap();
    // The store is consistent (containers that lived through a full disk): nothing for system check
    // (no command is running, so no leftover is too young to count).
    let (code, out, err) = s.run(&["system", "check", "--min-age-ms", "0"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", ""),
        "system check"
    );
    s.ok(&["start", "idle", "runner", "chatty"]);
    for name in ["idle", "runner", "chatty"] {
        assert_eq!(status(name), "running", "{name}");
    }
    assert!(wait_until(Duration::from_secs(5), || s
        .ok(&["logs", "chatty"])
        .lines()
        .count()
        > 5));
    s.ok(&["rm", "-f", "idle", "runner", "chatty"]);
    assert_eq!(s.ok(&["ps", "-aq"]), "");
    assert!(
        wait_until(Duration::from_secs(3), || half_written(&store).is_empty()),
        "left after the removals: {:?}",
        half_written(&store)
    );
}

/// A disk that fills up part-way through a create or a run: at every
/// level of free space from none to a little, each either works or fails
/// with exit 125 and 'no space left on device', and the store stays whole
/// (every name belongs to a listed container, every container dir is a
/// listed container, nothing half-written).
#[test]
fn create_and_run_at_every_fill_level() {
    let Some(e) = setup_on_disk(48) else { return };
    let s = &e.s;
    let disk = e.disk.as_ref().unwrap();
    let store = s.dir.path().to_path_buf();
    // The store's image under another name: its pull writes only the
    // image record and the tags.
    let layout = tempfile::tempdir().unwrap();
    oci_layout(
        layout.path(),
        "1",
        &[build_layer(&busybox_layer(), Compression::Gzip)],
        &["sh"],
        json!(null),
    );
    let again = format!("{}/again:1", e.reg.host());
    push(layout.path(), "1", &again, &[]);
    let tags = || s.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    let mut outcomes = Vec::new();
    for kib in [0u64, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512] {
        disk.fill("filler", kib << 10);
        for (i, args) in [
            &["create", "--network", "none", &e.img, "true"][..],
            &["run", "--network", "none", &e.img, "echo", "hi"][..],
            &["run", "-d", "--network", "none", &e.img, "sleep", "1000"][..],
            &["run", "--rm", "--network", "none", &e.img, "echo", "hi"][..],
        ]
        .into_iter()
        .enumerate()
        {
            let free = disk.free();
            let count = s.ok(&["ps", "-aq"]).lines().count();
            let (code, out, err) = s.run(args);
            outcomes.push(format!("{kib} KiB ({free} free) #{i}: {code}"));
            if code != 0 {
                assert_enospc(
                    &format!("{args:?} with {free} bytes free"),
                    (code, out, err),
                );
            }
            let listed: Vec<(String, String)> = s
                .ok(&["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}}"])
                .lines()
                .filter_map(|l| l.split_once(' '))
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
            if args.contains(&"--rm") {
                assert_eq!(
                    listed.len(),
                    count,
                    "run --rm (exit {code}) left its container"
                );
            }
            let ids: BTreeSet<String> = listed.iter().map(|(i, _)| i.clone()).collect();
            let names: BTreeSet<String> = listed.iter().map(|(_, n)| n.clone()).collect();
            let when = format!("{kib} KiB free, after {args:?} (exit {code})");
            assert_eq!(
                e.names().into_iter().collect::<BTreeSet<_>>(),
                names,
                "{when}: names"
            );
            // A --rm container's dir waits in the trash a moment.
            assert!(
                wait_until(Duration::from_secs(3), || {
                    dir_names(&s.root().join("containers"))
                        .into_iter()
                        .collect::<BTreeSet<_>>()
                        == ids
                        && half_written(&store).is_empty()
                }),
                "{when}: container dirs {:?} vs listed {ids:?}; half-written: {:?}",
                dir_names(&s.root().join("containers")),
                half_written(&store)
            );
        }
        let free = disk.free();
        let (code, out, err) = s.run(&["pull", "-q", &again]);
        outcomes.push(format!("{kib} KiB ({free} free) pull: {code}"));
        if code != 0 {
            assert_enospc(&format!("pull with {free} bytes free"), (code, out, err));
        }
        assert_eq!(
            tags().contains("again:1"),
            code == 0,
            "{kib} KiB: pull exit {code}, images:\n{}",
            tags()
        );
        let bad = half_written(&store);
        assert!(bad.is_empty(), "{kib} KiB: after the pull: {bad:?}");
        std::fs::remove_file(store.join("filler")).unwrap();
        for id in s.ok(&["ps", "-aq", "--no-trunc"]).lines() {
            s.ok(&["rm", "-f", id]);
        }
        if code == 0 {
            s.ok(&["rmi", &again]);
        }
    }
    eprintln!("{}", outcomes.join("\n"));
}

// ---------------------------------------------------------------- load

/// Run `cmds` as processes, at most `width` at a time; return each one's output.
fn parallel(cmds: Vec<Command>, width: usize) -> Vec<Output> {
    let n = cmds.len();
    let cmds: Vec<Mutex<Option<Command>>> = cmds.into_iter().map(|c| Mutex::new(Some(c))).collect();
    let outs: Vec<Mutex<Option<Output>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for _ in 0..width.min(n) {
            sc.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let mut c = cmds[i].lock().unwrap().take().unwrap();
                let out = c
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .output()
                    .unwrap();
                *outs[i].lock().unwrap() = Some(out);
            });
        }
    });
    outs.into_iter()
        .map(|o| o.into_inner().unwrap().unwrap())
        .collect()
}

/// The errors among `outs` (`what #i: exit: stderr`).
fn failures(what: &str, outs: &[Output]) -> Vec<String> {
    outs.iter()
        .enumerate()
        .filter(|(_, o)| !o.status.success())
        .map(|(i, o)| {
            format!(
                "{what} #{i}: {}: {}",
                o.status,
                String::from_utf8_lossy(&o.stderr).trim()
            )
        })
        .collect()
}

/// `n` detached sleeping containers started at once (`width` processes at
/// a time), then all removed with `rm -f` at once; no error, nothing left.
fn load(e: &Env, n: usize, width: usize, network: &str) {
    let s = &e.s;
    let mut reader_errors = Vec::new();
    let t0 = Instant::now();
    let runs: Vec<Command> = (0..n)
        .map(|i| {
            let mut c = s.cmd();
            c.args(["run", "-d", "--network", network, "--name"])
                .arg(format!("load{i}"))
                .args([&e.img, "sleep", "100000"]);
            c
        })
        .collect();
    let outs = with_readers(s, || parallel(runs, width), &mut reader_errors);
    let ran = t0.elapsed();
    let errors = failures("run -d", &outs);
    let ids: BTreeSet<String> = outs
        .iter()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .collect();
    let listed: BTreeSet<String> = s
        .ok(&["ps", "-q", "--no-trunc"])
        .lines()
        .map(str::to_owned)
        .collect();

    if network == "bridge" {
        // Each has an address of its own.
        let ips: Vec<String> = ids
            .iter()
            .map(|id| {
                s.ok(&["inspect", "--format", "{{.NetworkSettings.IPAddress}}", id])
                    .trim()
                    .to_owned()
            })
            .collect();
        let distinct: BTreeSet<&String> = ips.iter().filter(|ip| !ip.is_empty()).collect();
        assert_eq!(distinct.len(), n, "addresses: {ips:?}");
    }

    let t1 = Instant::now();
    let all: Vec<String> = s
        .ok(&["ps", "-aq", "--no-trunc"])
        .lines()
        .map(str::to_owned)
        .collect();
    let rms: Vec<Command> = all
        .iter()
        .map(|id| {
            let mut c = s.cmd();
            c.args(["rm", "-f", id]);
            c
        })
        .collect();
    let rm_outs = with_readers(s, || parallel(rms, width), &mut reader_errors);
    let removed = t1.elapsed();
    let rm_errors = failures("rm -f", &rm_outs);
    eprintln!(
        "load ({network}): {n} run -d ({width} at a time) in {:.1?}, {} rm -f in {:.1?}; {} + {} errors",
        ran,
        all.len(),
        removed,
        errors.len(),
        rm_errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} runs failed:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert!(
        reader_errors.is_empty(),
        "{} reads failed while containers came and went:\n{}",
        reader_errors.len(),
        reader_errors.join("\n")
    );
    assert_eq!(ids.len(), n, "distinct ids");
    assert_eq!(listed, ids, "ps lists every container as running");
    assert!(
        rm_errors.is_empty(),
        "{} removals failed:\n{}",
        rm_errors.len(),
        rm_errors.join("\n")
    );

    // Nothing left: containers, monitors, mounts, cgroups, names, files.
    assert_eq!(s.ok(&["ps", "-aq"]), "", "containers left");
    let root = e.store_dir();
    let mut procs = leftover_monitors(&root);
    wait_until(Duration::from_secs(10), || {
        procs = leftover_monitors(&root);
        procs.is_empty()
    });
    assert!(
        procs.is_empty(),
        "{} processes left: {procs:?}",
        procs.len()
    );
    let mounts = e.mounts_left();
    assert!(
        mounts.is_empty(),
        "{} mounts left: {mounts:?}",
        mounts.len()
    );
    let cgroups = new_cgroups(&e.cgroups_before);
    assert!(
        cgroups.is_empty(),
        "{} cgroups left: {cgroups:?}",
        cgroups.len()
    );
    assert!(e.names().is_empty(), "names left: {:?}", e.names());
    let dirs = dir_names(&s.root().join("containers"));
    assert!(dirs.is_empty(), "container dirs left: {dirs:?}");
    let run_dirs = dir_names(&s.dir.path().join("run/containers"));
    assert!(run_dirs.is_empty(), "runroot dirs left: {run_dirs:?}");
    // No address still held for a removed container.
    for net in dir_names(&s.root().join("networks")) {
        let p = s.root().join("networks").join(&net);
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&std::fs::read(&p).unwrap()) else {
            continue;
        };
        let eps = v["endpoints"].as_object().map_or(0, |m| m.len());
        assert_eq!(eps, 0, "{net} still has endpoints: {}", v["endpoints"]);
    }
    let mut bad = half_written(s.dir.path());
    wait_until(Duration::from_secs(10), || {
        bad = half_written(s.dir.path());
        bad.is_empty()
    });
    assert!(bad.is_empty(), "files left: {bad:?}");
}

/// Runs `f` while `ps -a` and `ps` run over and over beside it (they
/// must never fail while containers come and go); their errors go to `errors`.
fn with_readers<T>(s: &Skiff, f: impl FnOnce() -> T, errors: &mut Vec<String>) -> T {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let found = Mutex::new(Vec::new());
    let out = std::thread::scope(|sc| {
        for args in [&["ps", "-a"][..], &["ps", "-q"][..]] {
            let (stop, found) = (&stop, &found);
            sc.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let (code, _, err) = s.run(args);
                    if code != 0 {
                        found
                            .lock()
                            .unwrap()
                            .push(format!("{args:?}: {code}: {}", err.trim()));
                    }
                }
            });
        }
        let out = f();
        stop.store(true, Ordering::SeqCst);
        out
    });
    errors.extend(found.into_inner().unwrap());
    out
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn hundred_parallel_runs_then_rm_no_network() {
    let Some(e) = setup() else { return };
    load(&e, 100, 100, "none");
}

#[test]
fn hundred_parallel_runs_then_rm_bridge() {
    let Some(e) = setup() else { return };
    load(&e, 100, 100, "bridge");
}

/// `make soak`: 1,000 containers, 200 at a time (SKIFF_LOAD_N, SKIFF_LOAD_WIDTH).
#[test]
#[ignore = "soak: make soak"]
fn soak_parallel_runs_then_rm() {
    let Some(e) = setup() else { return };
    let n = env_usize("SKIFF_LOAD_N", 1000);
    let width = env_usize("SKIFF_LOAD_WIDTH", 200);
    let network = std::env::var("SKIFF_LOAD_NETWORK").unwrap_or_else(|_| "none".into());
    load(&e, n, width, &network);
}
