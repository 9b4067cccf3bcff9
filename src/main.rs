fn main() -> std::process::ExitCode {
    // The per-container monitor is this binary re-executed (see
    // engine::launch::monitor_main): no user argument in its argv.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == skiff::engine::MONITOR_ARG)
    {
        skiff::engine::monitor_main();
    }
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == skiff::engine::userns::RM_ARG)
    {
        skiff::engine::userns::rm_main();
    }
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == skiff::engine::rootless_netns::NETNS_ARG)
    {
        skiff::engine::rootless_netns::main();
    }
    std::process::ExitCode::from(skiff::cli::main())
}
