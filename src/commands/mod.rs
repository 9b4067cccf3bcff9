//! One file per CLI verb: `Args` (clap derive; doc comments are the --help
//! text) and `run(&Context, Args) -> Result<exit code>`. Commands parse,
//! make one engine call, and print; they never make syscalls themselves.

pub mod container;
pub mod image;
pub mod inspect;
pub mod system;
