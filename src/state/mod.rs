//! The on-disk store: atomic writes, flock guards, ids and name reservation.
//! Layout and rules: ../shared/design.md "On-disk format".
pub mod atomic;
pub mod container;
pub mod ids;
pub mod lock;
pub mod names;
pub mod paths;
