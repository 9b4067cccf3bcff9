//! Small pure helpers shared by the engine and the commands.
pub mod glob;
pub mod logger;
pub mod program;
pub mod signal;
pub mod time;
pub mod tree;
pub mod units;

/// Reports a unit test that cannot run here (no root, a missing tool):
/// a skip, or under `SKIFF_TEST_STRICT=1` (CI) a failure.
#[cfg(test)]
pub fn test_skip(why: &str) {
    if std::env::var("SKIFF_TEST_STRICT").is_ok_and(|v| v == "1") {
        panic!("SKIFF_TEST_STRICT=1 and a prerequisite is missing: {why}");
    }
    eprintln!("skipping: {why}");
}
