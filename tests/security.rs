//! The security suite: one test per attack on a boundary docker keeps,
//! run for real (as root) against real containers, namespaces, cgroups and
//! nftables. Each test fails on a skiff without the fix it covers.
//!
//! The attacks are grouped by boundary in `tests/security/`.

mod common;

use std::time::Duration;

use common::*;

#[path = "security/argv.rs"]
mod argv;
#[path = "security/cves.rs"]
mod cves;
#[path = "security/devices.rs"]
mod devices;
#[path = "security/firewall.rs"]
mod firewall;
#[path = "security/store.rs"]
mod store;

/// These tests check the host for leftovers, so they run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A store with the busybox image; on drop, every container is removed
/// and nothing the test made may be left on the host.
pub struct Env {
    _serial: std::sync::MutexGuard<'static, ()>,
    /// The skiff cgroups there before the test (not its own).
    cgroups_before: Vec<String>,
    _reg: Registry,
    pub s: Skiff,
    pub img: String,
}

pub fn setup() -> Option<Env> {
    let serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (reg, s, img) = with_busybox()?;
    Some(Env {
        _serial: serial,
        cgroups_before: leftover_cgroups(),
        _reg: reg,
        s,
        img,
    })
}

impl Drop for Env {
    fn drop(&mut self) {
        for id in self.s.run(&["ps", "-aq", "--no-trunc"]).1.lines() {
            let _ = self.s.run(&["rm", "-f", id]);
        }
        for n in self
            .s
            .run(&["network", "ls", "-q", "-f", "type=custom"])
            .1
            .lines()
        {
            let _ = self.s.run(&["network", "rm", n]);
        }
        let root = self.s.dir.path().display().to_string();
        let mut procs = leftover_monitors(&root);
        wait_until(Duration::from_secs(3), || {
            procs = leftover_monitors(&root);
            procs.is_empty()
        });
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let left: Vec<&str> = mounts.lines().filter(|l| l.contains(&root)).collect();
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
            let cgroups = new_cgroups(&self.cgroups_before);
            assert!(cgroups.is_empty(), "cgroups left behind: {cgroups:?}");
        }
    }
}
