//! The root command, docker's noun/verb tree with its top-level aliases,
//! and the exhaustive dispatch to `commands::<noun>::<verb>::run`.

#[cfg(test)]
mod docs;
#[cfg(test)]
mod examples;
pub mod grammar;
pub mod help;

use clap::{Parser, Subcommand};

use crate::commands::context::{Context, GlobalOpts};
use crate::commands::output::{self, report};
use crate::commands::{container, image, inspect, network, registry, system, volume};
use crate::error::{code, Error, Result};

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
    /// Manage volumes
    #[command(subcommand)]
    Volume(VolumeVerb),
    /// Create and run a new container from an image
    Run(Box<container::run::Args>),
    /// Build an image from a Dockerfile
    Build(image::build::Args),
    /// Manage builds
    #[command(subcommand)]
    Builder(BuilderVerb),
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
    /// Copy files/folders between a container and the local filesystem
    Cp(container::cp::Args),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(container::diff::Args),
    /// Create a new image from a container's changes
    Commit(container::commit::Args),
    /// Export a container's filesystem as a tar archive
    Export(container::export::Args),
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
    /// Upload an image to a registry
    Push(image::push::Args),
    /// Log in to a registry
    Login(registry::login::Args),
    /// Log out from a registry
    Logout(registry::logout::Args),
    /// Search a registry for images
    Search(registry::search::Args),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(image::tag::Args),
    /// Remove one or more images
    Rmi(image::rm::Args),
    /// Show the history of an image
    History(image::history::Args),
    /// Save one or more images to a tar archive
    Save(image::save::Args),
    /// Import the contents from a tarball to create a filesystem image
    Import(image::import::Args),
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
    /// Copy files/folders between a container and the local filesystem
    Cp(container::cp::Args),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(container::diff::Args),
    /// Create a new image from a container's changes
    Commit(container::commit::Args),
    /// Export a container's filesystem as a tar archive
    Export(container::export::Args),
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
    /// Build an image from a Dockerfile
    Build(image::build::Args),
    /// List images
    #[command(visible_alias = "list")]
    Ls(image::ls::Args),
    /// Pull an image from a registry
    Pull(image::pull::Args),
    /// Upload an image to a registry
    Push(image::push::Args),
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
    /// Import the contents from a tarball to create a filesystem image
    Import(image::import::Args),
    /// Load an image from a tar archive or STDIN
    Load(image::load::Args),
    /// Remove unused images
    Prune(image::prune::Args),
}

#[derive(Debug, Subcommand)]
pub enum BuilderVerb {
    /// Build an image from a Dockerfile
    Build(Box<image::build::Args>),
    /// Remove build cache
    Prune(image::builder_prune::Args),
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
pub enum VolumeVerb {
    /// Create a volume
    Create(volume::create::Args),
    /// Display detailed information on one or more volumes
    Inspect(volume::inspect::Args),
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(volume::ls::Args),
    /// Remove unused local volumes
    Prune(volume::prune::Args),
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(volume::rm::Args),
}

#[derive(Debug, Subcommand)]
pub enum SystemVerb {
    /// Display system-wide information
    Info(system::info::Args),
    /// Check the store for problems (and repair them with --repair)
    Check(system::check::Args),
}

fn dispatch_container(ctx: &Context, v: ContainerVerb) -> Result<u8> {
    match v {
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
        ContainerVerb::Cp(a) => container::cp::run(ctx, a),
        ContainerVerb::Diff(a) => container::diff::run(ctx, a),
        ContainerVerb::Commit(a) => container::commit::run(ctx, a),
        ContainerVerb::Export(a) => container::export::run(ctx, a),
        ContainerVerb::Top(a) => container::top::run(ctx, a),
        ContainerVerb::Port(a) => container::port::run(ctx, a),
        ContainerVerb::Prune(a) => container::prune::run(ctx, a),
        ContainerVerb::Exec(a) => container::exec::run(ctx, a),
        ContainerVerb::Pause(a) => container::pause::run(ctx, a, true),
        ContainerVerb::Unpause(a) => container::pause::run(ctx, a, false),
    }
}

fn dispatch_volume(ctx: &Context, v: VolumeVerb) -> Result<u8> {
    match v {
        VolumeVerb::Create(a) => volume::create::run(ctx, a),
        VolumeVerb::Inspect(a) => volume::inspect::run(ctx, a),
        VolumeVerb::Ls(a) => volume::ls::run(ctx, a),
        VolumeVerb::Prune(a) => volume::prune::run(ctx, a),
        VolumeVerb::Rm(a) => volume::rm::run(ctx, a),
    }
}

fn dispatch(ctx: &Context, cmd: Command) -> Result<u8> {
    match cmd {
        Command::Container(v) => dispatch_container(ctx, v),
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
        Command::Cp(a) => container::cp::run(ctx, a),
        Command::Diff(a) => container::diff::run(ctx, a),
        Command::Commit(a) => container::commit::run(ctx, a),
        Command::Export(a) => container::export::run(ctx, a),
        Command::Import(a) => image::import::run(ctx, a),
        Command::Top(a) => container::top::run(ctx, a),
        Command::Port(a) => container::port::run(ctx, a),
        Command::Rm(a) => container::rm::run(ctx, a),
        Command::Build(a) => image::build::run(ctx, a),
        Command::Builder(v) => match v {
            BuilderVerb::Build(a) => image::build::run(ctx, *a),
            BuilderVerb::Prune(a) => image::builder_prune::run(ctx, a),
        },
        Command::Image(v) => match v {
            ImageVerb::Build(a) => image::build::run(ctx, a),
            ImageVerb::Ls(a) => image::ls::run(ctx, a),
            ImageVerb::Pull(a) => image::pull::run(ctx, a),
            ImageVerb::Push(a) => image::push::run(ctx, a),
            ImageVerb::Tag(a) => image::tag::run(ctx, a),
            ImageVerb::Rm(a) => image::rm::run(ctx, a),
            ImageVerb::Inspect(a) => image::inspect::run(ctx, a),
            ImageVerb::History(a) => image::history::run(ctx, a),
            ImageVerb::Save(a) => image::save::run(ctx, a),
            ImageVerb::Import(a) => image::import::run(ctx, a),
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
        Command::Volume(v) => dispatch_volume(ctx, v),
        Command::System(v) => match v {
            SystemVerb::Info(a) => system::info::run(ctx, a),
            SystemVerb::Check(a) => system::check::run(ctx, a),
        },
        Command::Images(a) => image::ls::run(ctx, a),
        Command::Pull(a) => image::pull::run(ctx, a),
        Command::Push(a) => image::push::run(ctx, a),
        Command::Login(a) => registry::login::run(ctx, a),
        Command::Logout(a) => registry::logout::run(ctx, a),
        Command::Search(a) => registry::search::run(ctx, a),
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

/// Top-level shortcuts and the command each stands for (docker's
/// "Aliases:" lines are built from this and the tree's aliases).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("run", "container run"),
    ("create", "container create"),
    ("start", "container start"),
    ("stop", "container stop"),
    ("restart", "container restart"),
    ("kill", "container kill"),
    ("wait", "container wait"),
    ("logs", "container logs"),
    ("attach", "container attach"),
    ("exec", "container exec"),
    ("pause", "container pause"),
    ("unpause", "container unpause"),
    ("rename", "container rename"),
    ("cp", "container cp"),
    ("diff", "container diff"),
    ("commit", "container commit"),
    ("export", "container export"),
    ("import", "image import"),
    ("top", "container top"),
    ("port", "container port"),
    ("ps", "container ls"),
    ("rm", "container rm"),
    ("build", "image build"),
    ("builder build", "image build"),
    ("images", "image ls"),
    ("pull", "image pull"),
    ("push", "image push"),
    ("tag", "image tag"),
    ("rmi", "image rm"),
    ("history", "image history"),
    ("save", "image save"),
    ("load", "image load"),
    ("info", "system info"),
];

/// docker's "Common Commands" and "Management Commands" in its root help.
const COMMON: &[&str] = &[
    "run", "exec", "ps", "build", "pull", "push", "images", "login", "logout", "search", "version",
    "info",
];
const MANAGEMENT: &[&str] = &[
    "builder",
    "container",
    "image",
    "network",
    "system",
    "volume",
];

/// The whole command tree, with docker's flag grammar.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    grammar::docker_tree(Cli::command())
}

/// The program's name in messages: the name it was invoked by (`docker`
/// through a symlink), else `skiff`.
fn program_name(argv: &[std::ffi::OsString]) -> String {
    argv.first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "skiff".to_owned())
}

/// The subcommand names argv selects (`["container", "rm"]`), found the
/// way cobra does: skip flags (and the values of flags that take one),
/// descend while a word names a subcommand.
/// Whether an unknown flag comes before the first command word.
fn flag_before_command(e: &clap::Error, argv: &[std::ffi::OsString], names: &[String]) -> bool {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let (ErrorKind::UnknownArgument, Some(first)) = (e.kind(), names.first()) else {
        return false;
    };
    let Some(ContextValue::String(bad)) = e.get(ContextKind::InvalidArg) else {
        return false;
    };
    let pos = |w: &str| argv.iter().skip(1).position(|a| a.to_string_lossy() == w);
    let bad = bad.split('=').next().unwrap_or(bad);
    let flag_at = argv
        .iter()
        .skip(1)
        .position(|a| a.to_string_lossy().split('=').next() == Some(bad));
    matches!((flag_at, pos(first)), (Some(f), Some(c)) if f < c)
}

fn locate(root: &clap::Command, argv: &[std::ffi::OsString]) -> Vec<String> {
    locate_with_next(root, argv).0
}

/// `locate`, and the first word after the subcommands (an unknown command
/// or the first argument).
fn locate_with_next(
    root: &clap::Command,
    argv: &[std::ffi::OsString],
) -> (Vec<String>, Option<String>) {
    let mut names = Vec::new();
    let mut cmd = root;
    let mut words = argv.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(w) = words.next() {
        if w == "--" {
            break;
        }
        if let Some(flag) = w.strip_prefix('-') {
            if !w.contains('=') && takes_value(root, cmd, flag) {
                words.next();
            }
            continue;
        }
        match cmd.find_subcommand(w.as_ref()) {
            Some(sub) => {
                names.push(sub.get_name().to_owned());
                cmd = sub;
            }
            None => return (names, Some(w.into_owned())),
        }
    }
    (names, None)
}

/// pflag stops parsing `run`'s flags at the image, so a `--` after it is
/// part of the command (`run IMG -- echo` runs `--`, 127). clap drops the
/// first `--` it sees; one put before the image keeps the later ones.
fn keep_dashes_after_image(root: &clap::Command, argv: &mut Vec<std::ffi::OsString>) {
    let words: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (names, _) = locate_with_next(root, argv);
    if !is_run_or_create(&names) {
        return;
    }
    let cmd = subcommand(root, &names);
    let mut seen = 0;
    let mut i = 1;
    let image = loop {
        let Some(w) = words.get(i) else { return };
        if w == "--" {
            return;
        }
        if seen < names.len() && !w.starts_with('-') {
            seen += 1;
        } else if let Some(long) = w.strip_prefix("--") {
            if !long.contains('=') && takes_value(root, cmd, &w[1..]) {
                i += 1;
            }
        } else if let Some(short) = w.strip_prefix('-').filter(|s| !s.is_empty()) {
            // A cluster `-dp 80:80`: the first flag taking a value takes
            // the rest of the word, or the next one.
            let mut chars = short.char_indices();
            if let Some((k, c)) = chars.find(|(_, c)| takes_value(root, cmd, &c.to_string())) {
                if k + c.len_utf8() == short.len() {
                    i += 1;
                }
            }
        } else {
            break i;
        }
        i += 1;
    };
    if words[image + 1..].iter().any(|w| w == "--") {
        argv.insert(image, "--".into());
    }
}

fn takes_value(root: &clap::Command, cmd: &clap::Command, flag: &str) -> bool {
    let long = flag.strip_prefix('-');
    root.get_arguments()
        .chain(cmd.get_arguments())
        .find(|a| match long {
            Some(l) => a.get_long() == Some(l),
            None => flag.len() == 1 && a.get_short() == flag.chars().next(),
        })
        .is_some_and(|a| {
            a.get_action().takes_values() && a.get_num_args().is_none_or(|r| r.min_values() > 0)
        })
}

fn subcommand<'a>(root: &'a clap::Command, names: &[String]) -> &'a clap::Command {
    names
        .iter()
        .fold(root, |c, n| c.find_subcommand(n).unwrap_or(c))
}

/// docker's "Aliases:" for the command at `names`: its canonical path,
/// the aliases of that, and the top-level shortcuts to it.
fn aliases(prog: &str, root: &clap::Command, names: &[String]) -> Vec<String> {
    let joined = names.join(" ");
    let canonical: Vec<String> = match SHORTCUTS.iter().find(|(s, _)| *s == joined) {
        Some((_, c)) => c.split(' ').map(str::to_owned).collect(),
        None => names.to_vec(),
    };
    let leaf = subcommand(root, &canonical);
    let mut out = vec![format!("{prog} {}", canonical.join(" "))];
    if canonical.len() > 1 {
        let parent = canonical[..canonical.len() - 1].join(" ");
        out.extend(
            leaf.get_visible_aliases()
                .map(|a| format!("{prog} {parent} {a}")),
        );
    }
    let canon = canonical.join(" ");
    out.extend(
        SHORTCUTS
            .iter()
            .filter(|(_, c)| *c == canon)
            .map(|(s, _)| format!("{prog} {s}")),
    );
    out
}

/// What docker prints, and exits with, for a command line clap rejects.
fn parse_error(e: clap::Error, root: &clap::Command, argv: &[std::ffi::OsString]) -> u8 {
    use clap::error::ErrorKind;
    let prog = program_name(argv);
    let last = argv
        .last()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut names = locate(root, argv);
    if flag_before_command(&e, argv, &names) {
        // `skiff --nosuch ps`: the root's flag was wrong, as cobra says.
        names.clear();
    }
    let cmd = subcommand(root, &names);
    let path = std::iter::once(prog.as_str())
        .chain(names.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let usage = if names.is_empty() {
        format!("{prog} [OPTIONS] COMMAND [ARG...]")
    } else {
        help::usage_line(&path, cmd)
    };
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::MissingSubcommand => {
            let text = if names.is_empty() {
                help::render_root(&prog, root, COMMON, MANAGEMENT)
            } else {
                help::render(&path, cmd, &aliases(&prog, root, &names))
            };
            let _ = output::out(&text);
            0
        }
        ErrorKind::DisplayVersion => {
            let _ = e.print();
            0
        }
        ErrorKind::InvalidSubcommand => {
            let word = locate_with_next(root, argv).1.unwrap_or_default();
            let usage = if names.is_empty() {
                String::new()
            } else {
                format!("Usage:  {path}\n\n")
            };
            eprintln!("{prog}: unknown command: {path} {word}\n\n{usage}Run '{path} --help' for more information");
            1
        }
        _ if grammar::is_positional_error(&e, cmd) => {
            let a = grammar::arity(cmd);
            let given = if e.kind() == ErrorKind::MissingRequiredArgument {
                0
            } else {
                a.max.unwrap_or(0) + 1
            };
            match grammar::arity_error(&prog, &path, &usage, a, given) {
                Some(msg) => eprintln!("{msg}"),
                None => eprintln!(
                    "{}",
                    grammar::flag_error(&grammar::flag_message(&e, cmd, &last), &path, &usage)
                ),
            }
            1
        }
        _ => {
            let msg = grammar::flag_message(&e, cmd, &last);
            eprintln!("{}", grammar::flag_error(&msg, &path, &usage));
            code::ENGINE
        }
    }
}

/// `run`/`create` (top-level or the container's).
fn is_run_or_create(verb: &[String]) -> bool {
    matches!(
        verb.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ["run" | "create"] | ["container", "run" | "create"]
    )
}

/// docker's frame around a run/create error: `docker: <error>`, then the
/// help pointer. The error itself stays one line (where docker's daemon
/// answered, docker says `docker: Error response from daemon: <error>`;
/// skiff has no daemon).
fn report_run_error(prog: &str, verb: &[String], e: &Error) {
    eprintln!(
        "{prog}: {e}\n\nRun '{prog} {} --help' for more information",
        verb.join(" ")
    );
}

/// docker's exit code for a verb's error: `run` and `create` give 125
/// (or 126/127 when the command can't be run), `exec` 126/127 likewise,
/// every other verb 1.
fn exit_code(verb: &[String], e: &Error) -> u8 {
    let path: Vec<&str> = verb.iter().map(String::as_str).collect();
    let leaf = match path[..] {
        ["container", v] | [v] => v,
        _ => "",
    };
    match (leaf, e) {
        (_, Error::Status { code, .. }) => *code,
        ("run" | "create", _) => e.exit_code(),
        ("exec", Error::Start { code, .. }) => *code,
        _ => code::FAILURE,
    }
}

/// Entry point of the CLI; returns the process exit code.
pub fn main() -> u8 {
    use clap::FromArgMatches;
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut root = command();
    keep_dashes_after_image(&root, &mut argv);
    let cli = match root
        .try_get_matches_from_mut(&argv)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => return parse_error(e, &root, &argv),
    };
    let Some(level) = crate::util::logger::parse_level(&cli.global.log_level) else {
        eprintln!("Unable to parse logging level: {}", cli.global.log_level);
        return code::FAILURE;
    };
    crate::util::logger::init_stderr(level);
    if cli.global.noout {
        output::discard_stdout();
    }
    if cli.version {
        let v = crate::engine::system::version();
        println!("skiff version {}, build {}", v.version, v.git_commit);
        return 0;
    }
    let Some(command) = cli.command else {
        let _ = output::out(&help::render_root(
            &program_name(&argv),
            &root,
            COMMON,
            MANAGEMENT,
        ));
        return 0;
    };
    let verb = locate(&root, &argv);
    let ctx = match Context::new(cli.global) {
        Ok(c) => c,
        Err(e) => {
            report(&e, false);
            return code::ENGINE;
        }
    };
    match dispatch(&ctx, command) {
        Ok(code) => code,
        Err(e) => {
            if is_run_or_create(&verb) {
                report_run_error(&program_name(&argv), &verb, &e);
            } else {
                report(&e, ctx.debug());
            }
            exit_code(&verb, &e)
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

    #[test]
    fn a_double_dash_after_the_image_is_part_of_the_command() {
        let root = super::command();
        let fix = |line: &str| {
            let mut argv: Vec<std::ffi::OsString> = line.split(' ').map(Into::into).collect();
            super::keep_dashes_after_image(&root, &mut argv);
            argv.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            fix("skiff run --rm img -- echo"),
            "skiff run --rm -- img -- echo"
        );
        assert_eq!(
            fix("skiff container run -dp 80:80 --name x img echo --"),
            "skiff container run -dp 80:80 --name x -- img echo --"
        );
        assert_eq!(
            fix("skiff --log-level debug create -e A=1 -- img -- x"),
            "skiff --log-level debug create -e A=1 -- img -- x"
        );
        assert_eq!(fix("skiff run img echo hi"), "skiff run img echo hi");
        assert_eq!(fix("skiff exec c -- ls"), "skiff exec c -- ls");
    }
}
