//! The security suite: one test per attack on a boundary docker keeps,
//! run for real (as root) against real containers, namespaces, cgroups and
//! nftables. Each test fails on a skiff without the fix it covers.
//!
//! The attacks are grouped by boundary in `tests/security/`.

mod common;

use common::*;

#[path = "security/argv.rs"]
mod argv;
#[path = "security/cves.rs"]
mod cves;
#[path = "security/devices.rs"]
mod devices;
#[path = "security/firewall.rs"]
mod firewall;
#[path = "security/seccomp.rs"]
mod seccomp;
#[path = "security/store.rs"]
mod store;

/// These tests check the host for leftovers, so they run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub type Env = TestEnv;

pub fn setup() -> Option<Env> {
    TestEnv::new(&SERIAL)
}
