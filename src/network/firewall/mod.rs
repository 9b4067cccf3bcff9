//! skiff's host firewall: NAT, port publishing and bridge isolation, applied
//! as one atomic nf_tables transaction over a `NETLINK_NETFILTER` socket.
//!
//! Everything lives in one table of its own, `ip skiff`. [`apply`] replaces
//! that table wholesale in a single `NFNL_MSG_BATCH_BEGIN` ... `BATCH_END`
//! batch (`add table; delete table; add table + chains + rules`), so either
//! the whole new ruleset is in force afterwards or nothing changed.
//!
//! The messages are built with `netlink-packet-netfilter`'s typed table,
//! chain, rule and expression types; the expressions that crate lacks
//! (`nat`, `masq`, `fib`, `ct`) are encoded here as raw attributes following
//! `linux/include/uapi/linux/netfilter/nf_tables.h`. Nothing is executed.
//!
//! Files: this one is the API (rulesets, apply); `nft.rs` the constants and
//! expression builders, `rules.rs` the chains and rules, `batch.rs` the
//! netlink batch, `socket.rs` the socket and the transaction.

use batch::{build_append_batch, build_batch};
use socket::{open_socket, transact};
mod batch;
mod nft;
mod rules;
mod socket;

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, BorrowedFd};

use netlink_sys::Socket;

/// Name of skiff's nftables table (family `ip`).
pub const TABLE: &str = "skiff";

/// A bridge network managed by skiff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Network {
    /// Name of the Linux bridge (at most 15 bytes).
    pub bridge: String,
    /// The network's IPv4 subnet.
    pub subnet: ipnet::Ipv4Net,
    /// An internal network is neither masqueraded nor forwarded to/from
    /// other interfaces.
    pub internal: bool,
}

/// Transport protocol of a published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Proto {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Proto {
    fn number(self) -> u8 {
        match self {
            Proto::Tcp => libc::IPPROTO_TCP as u8,
            Proto::Udp => libc::IPPROTO_UDP as u8,
        }
    }
}

/// A published port: traffic to `host_ip:host_port` (any local address when
/// `host_ip` is `None`) is DNATed to `container_ip:container_port`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PortMap {
    /// Host address to match, or any local address.
    pub host_ip: Option<Ipv4Addr>,
    /// Host port to match.
    pub host_port: u16,
    /// Transport protocol.
    pub proto: Proto,
    /// Container address to DNAT to.
    pub container_ip: Ipv4Addr,
    /// Container port to DNAT to.
    pub container_port: u16,
    /// Bridge the container is attached to.
    pub bridge: String,
}

/// skiff's whole firewall state.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ruleset {
    /// Bridge networks.
    pub networks: Vec<Network>,
    /// Published ports.
    pub ports: Vec<PortMap>,
}

impl Ruleset {
    /// True when there is nothing to install (the table is removed).
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty() && self.ports.is_empty()
    }
}

/// Failure to apply the firewall. Display is one line naming what failed.
#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    /// The ruleset cannot be expressed (e.g. a bridge name is too long).
    #[error("invalid skiff firewall ruleset: {0}")]
    Invalid(String),
    /// Entering the target network namespace failed.
    #[error("entering the network namespace for the skiff firewall: {0}")]
    Netns(io::Error),
    /// Opening or setting up the netfilter netlink socket failed.
    #[error("opening a netfilter netlink socket: {0}")]
    Socket(io::Error),
    /// Sending the batch failed.
    #[error("sending the skiff nftables batch: {0}")]
    Send(io::Error),
    /// Reading the kernel's answers failed (or timed out).
    #[error("reading the kernel's answer to the skiff nftables batch: {0}")]
    Receive(io::Error),
    /// The kernel rejected the batch; the transaction was aborted and
    /// nothing changed. `at` names the first rejected message, if known.
    #[error("applying the skiff nftables ruleset: {err}{}", at_suffix(.at))]
    Rejected {
        /// The kernel's error.
        err: io::Error,
        /// Which message of the batch was rejected.
        at: Option<String>,
    },
}

fn at_suffix(at: &Option<String>) -> String {
    match at {
        Some(at) => format!(" (while {at})"),
        None => String::new(),
    }
}

impl FirewallError {
    /// The errno behind the failure, if there is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            FirewallError::Invalid(_) => None,
            FirewallError::Netns(e)
            | FirewallError::Socket(e)
            | FirewallError::Send(e)
            | FirewallError::Receive(e)
            | FirewallError::Rejected { err: e, .. } => e.raw_os_error(),
        }
    }
}

/// Replace the `ip skiff` table's rules by `rules` in one transaction (the
/// batch: add table and chains, which keeps existing ones; flush every
/// chain; add the rules). Empty rules: add the table, then delete it, so it
/// is gone afterwards either way. Either all of it applies or nothing
/// changes.
pub fn apply(rules: &Ruleset) -> Result<(), FirewallError> {
    connect()?.apply(rules)
}

/// Brings the table from `prev` (what was last applied, if known) to
/// `next` the cheap way when it can: nothing when they are equal, only
/// appended rules when `next` merely adds to `prev`. Removing rules makes
/// the kernel wait for an RCU grace period (~10 ms), so only a shrinking
/// ruleset, or an unknown `prev`, replaces the whole table ([`apply`]).
pub fn apply_changes(prev: Option<&Ruleset>, next: &Ruleset) -> Result<(), FirewallError> {
    connect()?.apply_changes(prev, next)
}

/// A netlink socket to apply rulesets with. Closing it after a batch that
/// removed rules can take the kernel a grace period: a caller holding a
/// lock drops the connection after releasing the lock.
pub struct Conn(Socket);

/// Opens a [`Conn`].
pub fn connect() -> Result<Conn, FirewallError> {
    Ok(Conn(open_socket()?))
}

impl Conn {
    /// [`apply`] over this connection.
    pub fn apply(&self, rules: &Ruleset) -> Result<(), FirewallError> {
        transact(&self.0, &build_batch(rules)?)
    }

    /// [`apply_changes`] over this connection.
    pub fn apply_changes(
        &self,
        prev: Option<&Ruleset>,
        next: &Ruleset,
    ) -> Result<(), FirewallError> {
        match prev {
            Some(p) if p == next => Ok(()),
            Some(p) if !p.is_empty() && is_subset(p, next) => {
                let added = Ruleset {
                    networks: next
                        .networks
                        .iter()
                        .filter(|n| !p.networks.contains(n))
                        .cloned()
                        .collect(),
                    ports: next
                        .ports
                        .iter()
                        .filter(|x| !p.ports.contains(x))
                        .cloned()
                        .collect(),
                };
                transact(&self.0, &build_append_batch(p, &added)?)
            }
            _ => self.apply(next),
        }
    }
}

fn is_subset(a: &Ruleset, b: &Ruleset) -> bool {
    a.networks.iter().all(|n| b.networks.contains(n)) && a.ports.iter().all(|p| b.ports.contains(p))
}

/// Same as [`apply`], inside the network namespace `ns`. The socket is
/// created on a short-lived thread that `setns()`es into `ns`; the calling
/// thread's namespace is never changed.
pub fn apply_in(ns: BorrowedFd<'_>, rules: &Ruleset) -> Result<(), FirewallError> {
    let batch = build_batch(rules)?;
    let raw = ns.as_raw_fd();
    let sock = std::thread::scope(|s| {
        s.spawn(move || {
            // SAFETY: `raw` is a valid fd borrowed for the whole scope; setns
            // only affects this short-lived thread, which exits right after
            // creating the socket.
            if unsafe { libc::setns(raw, libc::CLONE_NEWNET) } != 0 {
                return Err(FirewallError::Netns(io::Error::last_os_error()));
            }
            open_socket()
        })
        .join()
        .unwrap_or_else(|_| {
            Err(FirewallError::Netns(io::Error::other(
                "namespace thread panicked",
            )))
        })
    })?;
    transact(&sock, &batch)
}

#[cfg(test)]
mod tests;
