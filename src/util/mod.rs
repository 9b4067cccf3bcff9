//! Small pure helpers shared by the engine and the commands.
pub mod glob;
pub mod signal;
pub mod time;
pub mod units;
