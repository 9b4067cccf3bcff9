fn main() -> std::process::ExitCode {
    // The per-container monitor is this binary re-executed (see
    // engine::launch::monitor_main): no user argument in its argv. So are
    // the helpers that work in a user or mount namespace of their own.
    use skiff::engine::{storage, userns};
    let helpers: [(&str, fn() -> !); 8] = [
        (skiff::engine::MONITOR_ARG, skiff::engine::monitor_main),
        (userns::RM_ARG, userns::rm_main),
        (userns::UNPACK_ARG, userns::unpack_main),
        (userns::VFS_ARG, userns::vfs_main),
        (storage::PROBE_ARG, storage::probe_main),
        (
            skiff::engine::rootless_netns::NETNS_ARG,
            skiff::engine::rootless_netns::main,
        ),
        (skiff::network::portfwd::ARG, skiff::network::portfwd::main),
        (skiff::engine::cp::ARG, skiff::engine::cp::main),
    ];
    if let Some(arg) = std::env::args_os().nth(1) {
        if let Some((_, f)) = helpers.iter().find(|(name, _)| arg == *name) {
            f();
        }
    }
    std::process::ExitCode::from(skiff::cli::main())
}
