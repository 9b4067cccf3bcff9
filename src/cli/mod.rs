//! The root command, docker's noun/verb tree with its top-level aliases,
//! and the exhaustive dispatch to `commands::<noun>::<verb>::run`.

pub mod attach;
pub mod context;
pub mod output;
pub mod terminal;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Parser, Subcommand};

use crate::commands::{container, image, inspect, network, system};
use crate::error::{code, Error, Result};
use context::{Context, GlobalOpts};

/// A daemonless, Docker-compatible container engine.
#[derive(Debug, Parser)]
#[command(name = "skiff", disable_version_flag = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    /// Print version information and quit
    #[arg(short = 'v', long = "version")]
    pub version: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage containers
    #[command(subcommand)]
    Container(ContainerVerb),
    /// Manage images
    #[command(subcommand)]
    Image(ImageVerb),
    /// Manage networks
    #[command(subcommand)]
    Network(NetworkVerb),
    /// Manage skiff
    #[command(subcommand)]
    System(SystemVerb),
    /// Create and run a new container from an image
    Run(Box<container::run::Args>),
    /// Create a new container
    Create(Box<container::create::Args>),
    /// Start one or more stopped containers
    Start(container::start::Args),
    /// Stop one or more running containers
    Stop(container::stop::Args),
    /// Restart one or more containers
    Restart(container::stop::Args),
    /// Kill one or more running containers
    Kill(container::kill::Args),
    /// Block until one or more containers stop, then print their exit codes
    Wait(container::wait::Args),
    /// Fetch the logs of a container
    Logs(container::logs::Args),
    /// Attach local standard input, output, and error streams to a running container
    Attach(container::attach::Args),
    /// Execute a command in a running container
    Exec(container::exec::Args),
    /// Pause all processes within one or more containers
    Pause(container::pause::Args),
    /// Unpause all processes within one or more containers
    Unpause(container::pause::Args),
    /// Rename a container
    Rename(container::rename::Args),
    /// Display the running processes of a container
    Top(container::top::Args),
    /// List port mappings of a container
    Port(container::port::Args),
    /// List containers
    Ps(container::ps::Args),
    /// Remove one or more containers
    Rm(container::rm::Args),
    /// List images
    Images(image::ls::Args),
    /// Pull an image from a registry
    Pull(image::pull::Args),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(image::tag::Args),
    /// Remove one or more images
    Rmi(image::rm::Args),
    /// Show the history of an image
    History(image::history::Args),
    /// Save one or more images to a tar archive
    Save(image::save::Args),
    /// Load an image from a tar archive or STDIN
    Load(image::load::Args),
    /// Return low-level information on skiff objects
    Inspect(inspect::Args),
    /// Show the skiff version information
    Version(system::version::Args),
    /// Display system-wide information
    Info(system::info::Args),
}

#[derive(Debug, Subcommand)]
pub enum ContainerVerb {
    /// Create and run a new container from an image
    Run(Box<container::run::Args>),
    /// Create a new container
    Create(Box<container::create::Args>),
    /// Start one or more stopped containers
    Start(container::start::Args),
    /// Stop one or more running containers
    Stop(container::stop::Args),
    /// Restart one or more containers
    Restart(container::stop::Args),
    /// Kill one or more running containers
    Kill(container::kill::Args),
    /// Block until one or more containers stop, then print their exit codes
    Wait(container::wait::Args),
    /// Fetch the logs of a container
    Logs(container::logs::Args),
    /// Attach local standard input, output, and error streams to a running container
    Attach(container::attach::Args),
    /// List containers
    #[command(visible_aliases = ["list", "ps"])]
    Ls(container::ps::Args),
    /// Remove one or more containers
    #[command(visible_alias = "remove")]
    Rm(container::rm::Args),
    /// Display detailed information on one or more containers
    Inspect(container::inspect::Args),
    /// Rename a container
    Rename(container::rename::Args),
    /// Display the running processes of a container
    Top(container::top::Args),
    /// List port mappings of a container
    Port(container::port::Args),
    /// Remove all stopped containers
    Prune(container::prune::Args),
    /// Execute a command in a running container
    Exec(container::exec::Args),
    /// Pause all processes within one or more containers
    Pause(container::pause::Args),
    /// Unpause all processes within one or more containers
    Unpause(container::pause::Args),
}

#[derive(Debug, Subcommand)]
pub enum ImageVerb {
    /// List images
    #[command(visible_alias = "list")]
    Ls(image::ls::Args),
    /// Pull an image from a registry
    Pull(image::pull::Args),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(image::tag::Args),
    /// Remove one or more images
    #[command(visible_alias = "remove")]
    Rm(image::rm::Args),
    /// Display detailed information on one or more images
    Inspect(image::inspect::Args),
    /// Show the history of an image
    History(image::history::Args),
    /// Save one or more images to a tar archive
    Save(image::save::Args),
    /// Load an image from a tar archive or STDIN
    Load(image::load::Args),
    /// Remove unused images
    Prune(image::prune::Args),
}

#[derive(Debug, Subcommand)]
pub enum NetworkVerb {
    /// Connect a container to a network
    Connect(network::connect::Args),
    /// Disconnect a container from a network
    Disconnect(network::disconnect::Args),
    /// Create a network
    Create(network::create::Args),
    /// Display detailed information on one or more networks
    Inspect(network::inspect::Args),
    /// List networks
    #[command(visible_alias = "list")]
    Ls(network::ls::Args),
    /// Remove all unused networks
    Prune(network::prune::Args),
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm(network::rm::Args),
}

#[derive(Debug, Subcommand)]
pub enum SystemVerb {
    /// Display system-wide information
    Info(system::info::Args),
    /// Check the store for problems (and repair them with --repair)
    Check(system::check::Args),
}

fn dispatch(ctx: &Context, cmd: Command) -> Result<u8> {
    match cmd {
        Command::Container(v) => match v {
            ContainerVerb::Run(a) => container::run::run(ctx, *a),
            ContainerVerb::Create(a) => container::create::run(ctx, *a),
            ContainerVerb::Start(a) => container::start::run(ctx, a),
            ContainerVerb::Stop(a) => container::stop::run(ctx, a),
            ContainerVerb::Restart(a) => container::restart::run(ctx, a),
            ContainerVerb::Kill(a) => container::kill::run(ctx, a),
            ContainerVerb::Wait(a) => container::wait::run(ctx, a),
            ContainerVerb::Logs(a) => container::logs::run(ctx, a),
            ContainerVerb::Attach(a) => container::attach::run(ctx, a),
            ContainerVerb::Ls(a) => container::ps::run(ctx, a),
            ContainerVerb::Rm(a) => container::rm::run(ctx, a),
            ContainerVerb::Inspect(a) => container::inspect::run(ctx, a),
            ContainerVerb::Rename(a) => container::rename::run(ctx, a),
            ContainerVerb::Top(a) => container::top::run(ctx, a),
            ContainerVerb::Port(a) => container::port::run(ctx, a),
            ContainerVerb::Prune(a) => container::prune::run(ctx, a),
            ContainerVerb::Exec(a) => container::exec::run(ctx, a),
            ContainerVerb::Pause(a) => container::pause::run(ctx, a, true),
            ContainerVerb::Unpause(a) => container::pause::run(ctx, a, false),
        },
        Command::Run(a) => container::run::run(ctx, *a),
        Command::Create(a) => container::create::run(ctx, *a),
        Command::Start(a) => container::start::run(ctx, a),
        Command::Stop(a) => container::stop::run(ctx, a),
        Command::Restart(a) => container::restart::run(ctx, a),
        Command::Kill(a) => container::kill::run(ctx, a),
        Command::Wait(a) => container::wait::run(ctx, a),
        Command::Logs(a) => container::logs::run(ctx, a),
        Command::Attach(a) => container::attach::run(ctx, a),
        Command::Ps(a) => container::ps::run(ctx, a),
        Command::Exec(a) => container::exec::run(ctx, a),
        Command::Pause(a) => container::pause::run(ctx, a, true),
        Command::Unpause(a) => container::pause::run(ctx, a, false),
        Command::Rename(a) => container::rename::run(ctx, a),
        Command::Top(a) => container::top::run(ctx, a),
        Command::Port(a) => container::port::run(ctx, a),
        Command::Rm(a) => container::rm::run(ctx, a),
        Command::Image(v) => match v {
            ImageVerb::Ls(a) => image::ls::run(ctx, a),
            ImageVerb::Pull(a) => image::pull::run(ctx, a),
            ImageVerb::Tag(a) => image::tag::run(ctx, a),
            ImageVerb::Rm(a) => image::rm::run(ctx, a),
            ImageVerb::Inspect(a) => image::inspect::run(ctx, a),
            ImageVerb::History(a) => image::history::run(ctx, a),
            ImageVerb::Save(a) => image::save::run(ctx, a),
            ImageVerb::Load(a) => image::load::run(ctx, a),
            ImageVerb::Prune(a) => image::prune::run(ctx, a),
        },
        Command::Network(v) => match v {
            NetworkVerb::Connect(a) => network::connect::run(ctx, a),
            NetworkVerb::Disconnect(a) => network::disconnect::run(ctx, a),
            NetworkVerb::Create(a) => network::create::run(ctx, a),
            NetworkVerb::Inspect(a) => network::inspect::run(ctx, a),
            NetworkVerb::Ls(a) => network::ls::run(ctx, a),
            NetworkVerb::Prune(a) => network::prune::run(ctx, a),
            NetworkVerb::Rm(a) => network::rm::run(ctx, a),
        },
        Command::System(v) => match v {
            SystemVerb::Info(a) => system::info::run(ctx, a),
            SystemVerb::Check(a) => system::check::run(ctx, a),
        },
        Command::Images(a) => image::ls::run(ctx, a),
        Command::Pull(a) => image::pull::run(ctx, a),
        Command::Tag(a) => image::tag::run(ctx, a),
        Command::Rmi(a) => image::rm::run(ctx, a),
        Command::History(a) => image::history::run(ctx, a),
        Command::Save(a) => image::save::run(ctx, a),
        Command::Load(a) => image::load::run(ctx, a),
        Command::Inspect(a) => inspect::run(ctx, a),
        Command::Version(a) => system::version::run(ctx, a),
        Command::Info(a) => system::info::run(ctx, a),
    }
}

/// Turn a clap error into docker's wording: `unknown flag: --foo`.
fn clap_message(e: &clap::Error) -> String {
    let ctx_str = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let arg = ctx_str(ContextKind::InvalidArg).unwrap_or_default();
            let arg = arg.split('=').next().unwrap_or(&arg).to_owned();
            if arg.starts_with("--") || !arg.starts_with('-') {
                format!("unknown flag: {arg}")
            } else {
                let c = arg.trim_start_matches('-').chars().next().unwrap_or('?');
                format!("unknown shorthand flag: '{c}' in {arg}")
            }
        }
        ErrorKind::InvalidSubcommand => {
            let sub = ctx_str(ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("unknown command \"{sub}\" for \"skiff\"")
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            first.trim_start_matches("error: ").to_owned()
        }
    }
}

/// Print an error the way design.md says: one line, `Error: ...`.
pub fn report(e: &Error, debug: bool) {
    eprintln!("Error: {e}");
    if debug {
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            eprintln!("  caused by: {s}");
            src = s.source();
        }
    }
}

/// Entry point of the CLI; returns the process exit code.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                return 0;
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                return code::ENGINE;
            }
            _ => {
                eprintln!("Error: {}", clap_message(&e));
                return code::ENGINE;
            }
        },
    };
    if cli.version {
        let v = crate::engine::system::version();
        println!("skiff version {}, build {}", v.version, v.git_commit);
        return 0;
    }
    let Some(command) = cli.command else {
        use clap::CommandFactory;
        let _ = Cli::command().print_help();
        return 0;
    };
    let ctx = match Context::new(cli.global) {
        Ok(c) => c,
        Err(e) => {
            report(&e, false);
            return e.exit_code();
        }
    };
    match dispatch(&ctx, command) {
        Ok(code) => code,
        Err(e) => {
            report(&e, ctx.debug());
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_tree_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
