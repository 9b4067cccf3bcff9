//! The on-disk store: atomic writes, flock guards, ids, name reservation,
//! and the records: containers (config and state) and networks.
//! Layout and rules: ../shared/design.md "On-disk format".
pub mod atomic;
pub mod container;
pub mod ids;
pub mod lock;
pub mod mounts;
pub mod names;
pub mod network;
pub mod paths;
pub mod volume;
