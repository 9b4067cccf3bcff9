//! Dockerfile builds: the pure parts (the parser, word expansion,
//! .dockerignore).
pub mod dockerfile;
pub mod expand;
pub mod glob;
pub mod ignore;
pub mod instr;
