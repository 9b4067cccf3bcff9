//! `skiff create` / `skiff container create`, and the flags `run` shares.

use crate::cli::context::Context;
use crate::cli::output;
use crate::engine::container::CreateOptions;
use crate::error::{Error, Result};
use crate::network::{ports, NetRequest};
use crate::runtime::cgroups::devices::Access;
use crate::state::container::{DeviceMapping, Ulimit};
use crate::util::units;

/// The flags `create` and `run` share (docker's names).
#[derive(Debug, Clone, clap::Args)]
pub struct ContainerFlags {
    /// Assign a name to the container
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Set environment variables
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Vec<std::path::PathBuf>,
    /// Working directory inside the container
    #[arg(short, long = "workdir", value_name = "DIR")]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long, value_name = "USER")]
    pub user: Option<String>,
    /// Set metadata on a container
    #[arg(short, long = "label", value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "CMD")]
    pub entrypoint: Option<String>,
    /// Container host name
    #[arg(short = 'h', long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Keep STDIN open even if not attached
    #[arg(short, long, num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long, num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub tty: bool,
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short, long, value_name = "STREAM")]
    pub attach: Vec<String>,
    /// Automatically remove the container when it exits
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub rm: bool,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub init: bool,
    /// Restart policy: no, always, unless-stopped, on-failure[:max-retries]
    #[arg(long, value_name = "POLICY")]
    pub restart: Option<String>,
    /// Connect a container to a network (none or host for now)
    #[arg(long, visible_alias = "net", value_name = "NETWORK")]
    pub network: Option<String>,
    /// Publish a container's port(s) to the host
    #[arg(short = 'p', long = "publish", value_name = "[IP:][HOST:]PORT[/PROTO]")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports
    #[arg(short = 'P', long = "publish-all", num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub publish_all: bool,
    /// Expose a port or a range of ports
    #[arg(long, value_name = "PORT[/PROTO]")]
    pub expose: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long, value_name = "ADDRESS")]
    pub ip: Option<String>,
    /// Container MAC address (e.g., 92:d0:c6:0a:29:33)
    #[arg(long = "mac-address", value_name = "MAC")]
    pub mac_address: Option<String>,
    /// Add network-scoped alias for the container
    #[arg(
        long = "network-alias",
        visible_alias = "net-alias",
        value_name = "ALIAS"
    )]
    pub network_alias: Vec<String>,
    /// Set custom DNS servers
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long = "dns-search", value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// Set DNS options
    #[arg(long = "dns-option", visible_alias = "dns-opt", value_name = "OPTION")]
    pub dns_option: Vec<String>,
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "HOST:IP")]
    pub add_host: Vec<String>,
    /// Give extended privileges to this container
    #[arg(long, num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub privileged: bool,
    /// Add a host device to the container
    #[arg(long, value_name = "HOST[:CONTAINER][:PERMS]")]
    pub device: Vec<String>,
    /// Add Linux capabilities
    #[arg(long = "cap-add", value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop", value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// Security options (no-new-privileges, seccomp=unconfined|<file>)
    #[arg(long = "security-opt", value_name = "OPT")]
    pub security_opt: Vec<String>,
    /// Ulimit options (name=soft[:hard])
    #[arg(long, value_name = "ULIMIT")]
    pub ulimit: Vec<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long = "read-only", num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true", action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub read_only: bool,
    /// Memory limit
    #[arg(short, long, value_name = "BYTES")]
    pub memory: Option<String>,
    /// Number of CPUs
    #[arg(long, value_name = "DECIMAL")]
    pub cpus: Option<String>,
    /// Tune container pids limit (-1 for unlimited)
    #[arg(long = "pids-limit", value_name = "N", allow_hyphen_values = true)]
    pub pids_limit: Option<i64>,
    /// Size of /dev/shm
    #[arg(long = "shm-size", value_name = "BYTES")]
    pub shm_size: Option<String>,
    /// PID namespace to use (host)
    #[arg(long, value_name = "MODE")]
    pub pid: Option<String>,
    /// IPC mode to use (private, shareable, host, container:<name>)
    #[arg(long, value_name = "MODE")]
    pub ipc: Option<String>,
    /// UTS namespace to use (host)
    #[arg(long, value_name = "MODE")]
    pub uts: Option<String>,
    /// Signal to stop the container
    #[arg(long = "stop-signal", value_name = "SIGNAL")]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long = "stop-timeout", value_name = "SECONDS")]
    pub stop_timeout: Option<i64>,
    /// Optional parent cgroup for the container
    #[arg(long = "cgroup-parent", value_name = "PATH")]
    pub cgroup_parent: Option<String>,
    /// Logging driver for the container
    #[arg(long = "log-driver", value_name = "DRIVER")]
    pub log_driver: Option<String>,
    /// Log driver options
    #[arg(long = "log-opt", value_name = "OPT")]
    pub log_opt: Vec<String>,
    /// Pull image before running: missing, always, never
    #[arg(long, value_name = "POLICY", default_value = "missing", value_parser = ["missing", "always", "never"])]
    pub pull: String,
    /// Set platform if the image must be pulled (os/arch[/variant])
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Image to create the container from
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Command and arguments
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

fn parse_ulimit(s: &str) -> Result<Ulimit> {
    let bad = || Error::InvalidArgument(format!("invalid ulimit argument: {s}"));
    let (name, vals) = s.split_once('=').ok_or_else(bad)?;
    let (soft, hard) = match vals.split_once(':') {
        Some((a, b)) => (a, b),
        None => (vals, vals),
    };
    let num = |v: &str| -> Result<i64> {
        if v == "unlimited" || v == "-1" {
            Ok(-1)
        } else {
            v.parse().map_err(|_| bad())
        }
    };
    Ok(Ulimit {
        name: name.to_owned(),
        soft: num(soft)?,
        hard: num(hard)?,
    })
}

fn read_env_file(path: &std::path::Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::InvalidArgument(format!("reading env file {}: {e}", path.display())))?;
    Ok(text
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            if l.contains('=') {
                Some(l.to_owned())
            } else {
                std::env::var(l).ok().map(|v| format!("{l}={v}"))
            }
        })
        .collect())
}

/// docker's `--device` syntax: `HOST[:CONTAINER][:PERMS]`, PERMS a subset
/// of `rwm` (default `rwm`), CONTAINER (default HOST) absolute.
fn parse_device(s: &str) -> Result<DeviceMapping> {
    let bad = |why: String| {
        Error::InvalidArgument(format!(
            "invalid argument {s:?} for \"--device\" flag: {why}"
        ))
    };
    let mode = |m: &str| Access::parse(m).is_some();
    let parts: Vec<&str> = s.split(':').collect();
    let (host, container, perms) = match parts[..] {
        ["", ..] => return Err(bad(format!("bad format for path: {s}"))),
        [h] => (h, h, "rwm"),
        [h, m] if mode(m) => (h, h, m),
        [h, c] => (h, c, "rwm"),
        [h, c, m] if mode(m) => (h, c, m),
        [_, _, m] => return Err(bad(format!("bad mode specified: {m}"))),
        _ => return Err(bad(format!("bad format for path: {s}"))),
    };
    if !container.starts_with('/') {
        return Err(bad(format!("{container} is not an absolute path")));
    }
    // path.Clean, but for "..": "//x/./y/" is "/x/y".
    let container: std::path::PathBuf = std::path::Path::new(container).components().collect();
    Ok(DeviceMapping {
        path_on_host: host.to_owned(),
        path_in_container: container.display().to_string(),
        cgroup_permissions: perms.to_owned(),
    })
}

fn parse_mac(s: &str) -> Result<String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Error::InvalidArgument(format!(
            "{s} is not a valid mac address"
        )));
    }
    Ok(s.to_ascii_lowercase())
}

impl ContainerFlags {
    /// The network flags, checked.
    fn net_request(&self) -> Result<NetRequest> {
        let mut publish = Vec::new();
        for p in &self.publish {
            publish.extend(ports::parse_publish(p)?);
        }
        let mut expose = Vec::new();
        for e in &self.expose {
            expose.extend(ports::parse_expose(e)?);
        }
        let ip = self
            .ip
            .as_deref()
            .map(|ip| {
                ip.parse()
                    .map_err(|_| Error::InvalidArgument(format!("invalid IPv4 address: {ip}")))
            })
            .transpose()?;
        let dns = self
            .dns
            .iter()
            .map(|d| {
                d.parse()
                    .map_err(|_| Error::InvalidArgument(format!("{d} is not an ip address")))
            })
            .collect::<Result<_>>()?;
        Ok(NetRequest {
            publish,
            publish_all: self.publish_all,
            expose,
            ip,
            mac: self.mac_address.as_deref().map(parse_mac).transpose()?,
            aliases: self.network_alias.clone(),
            dns,
            dns_search: self.dns_search.clone(),
            dns_options: self.dns_option.clone(),
            extra_hosts: self
                .add_host
                .iter()
                .map(|h| crate::network::parse_add_host(h))
                .collect::<Result<_>>()?,
        })
    }

    /// Turn the flags into the engine's options (validating values here,
    /// so a bad flag is refused before anything is created).
    pub fn to_options(&self) -> Result<CreateOptions> {
        let mut env = Vec::new();
        for f in &self.env_file {
            env.extend(read_env_file(f)?);
        }
        for e in &self.env {
            if e.contains('=') {
                env.push(e.clone());
            } else if let Ok(v) = std::env::var(e) {
                env.push(format!("{e}={v}"));
            }
        }
        let memory = match &self.memory {
            Some(m) => Some(units::parse_ram(m).ok_or_else(|| {
                Error::InvalidArgument(format!("invalid argument {m:?} for \"-m, --memory\" flag"))
            })? as i64),
            None => None,
        };
        let nano_cpus = match &self.cpus {
            Some(c) => {
                let v: f64 = c.parse().map_err(|_| {
                    Error::InvalidArgument(format!("invalid argument {c:?} for \"--cpus\" flag"))
                })?;
                if v < 0.0 {
                    return Err(Error::InvalidArgument(format!(
                        "invalid argument {c:?} for \"--cpus\" flag: must be positive"
                    )));
                }
                // NaN, inf and 1e300 would saturate to a meaningless quota.
                if !(0.0..=1e9).contains(&v) {
                    return Err(Error::InvalidArgument(format!(
                        "invalid argument {c:?} for \"--cpus\" flag: out of range"
                    )));
                }
                Some((v * 1e9) as i64)
            }
            None => None,
        };
        let shm_size = match &self.shm_size {
            Some(s) => Some(units::parse_ram(s).ok_or_else(|| {
                Error::InvalidArgument(format!("invalid argument {s:?} for \"--shm-size\" flag"))
            })? as i64),
            None => None,
        };
        for a in &self.attach {
            if !matches!(
                a.to_ascii_lowercase().as_str(),
                "stdin" | "stdout" | "stderr"
            ) {
                return Err(Error::InvalidArgument(format!("invalid argument {a:?} for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR")));
            }
        }
        let net = self.net_request()?;
        Ok(CreateOptions {
            net,
            image: self.image.clone(),
            command: self.command.clone(),
            name: self.name.clone(),
            entrypoint: self.entrypoint.clone(),
            env,
            workdir: self.workdir.clone(),
            user: self.user.clone(),
            labels: self.label.clone(),
            hostname: self.hostname.clone(),
            tty: self.tty,
            interactive: self.interactive,
            attach: self.attach.clone(),
            auto_remove: self.rm,
            init: self.init,
            restart: self.restart.clone(),
            network: self.network.clone(),
            privileged: self.privileged,
            cap_add: self.cap_add.clone(),
            cap_drop: self.cap_drop.clone(),
            security_opt: self.security_opt.clone(),
            read_only: self.read_only,
            memory,
            nano_cpus,
            pids_limit: self.pids_limit,
            shm_size,
            ulimits: self
                .ulimit
                .iter()
                .map(|u| parse_ulimit(u))
                .collect::<Result<_>>()?,
            pid_mode: self.pid.clone(),
            ipc_mode: self.ipc.clone(),
            uts_mode: self.uts.clone(),
            stop_signal: self.stop_signal.clone(),
            stop_timeout: self.stop_timeout,
            cgroup_parent: self.cgroup_parent.clone(),
            log_driver: self.log_driver.clone(),
            log_opts: self.log_opt.clone(),
            devices: self
                .device
                .iter()
                .map(|d| parse_device(d))
                .collect::<Result<_>>()?,
        })
    }
}

#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[command(flatten)]
    pub flags: ContainerFlags,
    /// Print help (-h is --hostname, as in docker)
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

/// Where the image comes from: `--pull` and `--platform`.
pub fn image_source(flags: &ContainerFlags) -> Result<crate::engine::run::ImageSource> {
    Ok(crate::engine::run::ImageSource {
        pull: crate::engine::run::PullPolicy::parse(&flags.pull)?,
        registry: crate::engine::image::RegistryOptions {
            platform: flags.platform.clone(),
            ..Default::default()
        },
    })
}

/// docker's lines about the pull of `create` and `run`, on stderr.
pub struct PullLines;

impl crate::engine::run::PullProgress for PullLines {
    fn layer(&self, short_id: &str, event: crate::engine::run::LayerEvent) {
        crate::commands::image::pull::StderrLines.layer(short_id, event);
    }
}

impl crate::engine::run::PullNotices for PullLines {
    fn missing(&self, shown: &str) {
        eprintln!("Unable to find image '{shown}' locally");
    }

    fn pulled(&self, report: &crate::engine::run::PullReport) {
        eprintln!("Digest: {}", report.manifest_digest);
        eprintln!(
            "Status: Downloaded newer image for {}",
            report.reference.familiar()
        );
    }
}

/// Pull the image when the policy says so, telling the user on stderr as
/// docker does ("Unable to find image ... locally").
pub fn ensure_image(ctx: &Context, flags: &ContainerFlags) -> Result<()> {
    ctx.engine()?
        .ensure_image(&flags.image, &image_source(flags)?, &PullLines)
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let opts = args.flags.to_options()?;
    ensure_image(ctx, &args.flags)?;
    let c = ctx.engine()?.create_container(&opts)?;
    output::outln(c.id())?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_flag_syntax_is_dockers() {
        let d = |s: &str| {
            let m = parse_device(s).unwrap();
            (m.path_on_host, m.path_in_container, m.cgroup_permissions)
        };
        let own = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(d("/dev/sda"), own("/dev/sda", "/dev/sda", "rwm"));
        assert_eq!(d("/dev/sda:r"), own("/dev/sda", "/dev/sda", "r"));
        assert_eq!(d("/dev/sda:/dev/xvda"), own("/dev/sda", "/dev/xvda", "rwm"));
        assert_eq!(
            d("/dev/full:/dev/myfull:rw"),
            own("/dev/full", "/dev/myfull", "rw")
        );
        assert_eq!(d("/dev/x:/a//b/./c/:m"), own("/dev/x", "/a/b/c", "m"));
        let e = |s: &str| parse_device(s).unwrap_err().to_string();
        assert_eq!(
            e("/dev/x:/y:rwx"),
            "invalid argument \"/dev/x:/y:rwx\" for \"--device\" flag: bad mode specified: rwx"
        );
        assert!(e("/dev/x:rel").ends_with(": rel is not an absolute path"));
        assert!(e("dev/x").ends_with(": dev/x is not an absolute path"));
        assert!(e(":/x").ends_with(": bad format for path: :/x"));
        assert!(e("/a:/b:r:w").ends_with(": bad format for path: /a:/b:r:w"));
        assert!(e("/dev/x:/y:rr").contains("bad mode specified: rr"));
    }
}
