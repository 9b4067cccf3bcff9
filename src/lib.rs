#![recursion_limit = "256"]
//! skiff: a daemonless, single-binary, Docker-compatible container engine.
//! The map is docs/architecture.md (../shared/design.md was the original).

pub mod cli;
pub mod commands;
pub mod engine;
pub mod error;
pub mod fsroot;
pub mod image;
pub mod monitor;
pub mod network;
pub mod runtime;
pub mod state;
pub mod template;
pub mod util;

#[cfg(test)]
mod fuzz_tests;

pub use error::{Error, Result};
