fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(skiff::cli::main())
}
