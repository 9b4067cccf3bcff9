//! `skiff volume ...`.

pub mod create;
pub mod inspect;
pub mod ls;
pub mod prune;
pub mod rm;
