//! The flags `run` and `create` share, in docker's families (process,
//! network, resources, security), each turned into the engine's options
//! by its own function, so a bad value is refused before anything is made.
//! Help texts are docker's; value names are docker's type names.

use crate::engine::container::CreateOptions;
use crate::error::{Error, Result};
use crate::network::ports;
use crate::runtime::cgroups::devices::Access;
use crate::state::container::NetRequest;
use crate::state::container::{DeviceMapping, Ulimit};
use crate::util::units;

/// The flags `create` and `run` share.
#[derive(Debug, Clone, clap::Args)]
pub struct ContainerFlags {
    #[command(flatten)]
    pub process: ProcessFlags,
    #[command(flatten)]
    pub net: NetworkFlags,
    #[command(flatten)]
    pub resources: ResourceFlags,
    #[command(flatten)]
    pub security: SecurityFlags,
    #[command(flatten)]
    pub storage: StorageFlags,
    /// Pull image before running ("always", "missing", "never")
    #[arg(long, value_name = "string", default_value = "missing", value_parser = ["missing", "always", "never"])]
    pub pull: String,
    /// Set platform if server is multi-platform capable
    #[arg(long, value_name = "string")]
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

/// The process, its stdio and its life: name, env, user, tty, restart, logs.
#[derive(Debug, Clone, clap::Args)]
pub struct ProcessFlags {
    /// Assign a name to the container
    #[arg(long, value_name = "string")]
    pub name: Option<String>,
    /// Remove a container of the same name first (podman)
    #[arg(long, requires = "name")]
    pub replace: bool,
    /// Set environment variables
    #[arg(short, long = "env", value_name = "list")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file", value_name = "list")]
    pub env_file: Vec<std::path::PathBuf>,
    /// Working directory inside the container
    #[arg(short, long = "workdir", value_name = "string")]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long, value_name = "string")]
    pub user: Option<String>,
    /// Set meta data on a container
    #[arg(short, long = "label", value_name = "list")]
    pub label: Vec<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "string")]
    pub entrypoint: Option<String>,
    /// Container host name
    #[arg(short = 'h', long, value_name = "string")]
    pub hostname: Option<String>,
    /// Keep STDIN open even if not attached
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short, long, value_name = "list")]
    pub attach: Vec<String>,
    /// Automatically remove the container and its associated anonymous volumes when it exits
    #[arg(long)]
    pub rm: bool,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Restart policy to apply when a container exits
    #[arg(long, value_name = "string")]
    pub restart: Option<String>,
    /// Signal to stop the container
    #[arg(long = "stop-signal", value_name = "string")]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long = "stop-timeout", value_name = "int")]
    pub stop_timeout: Option<i64>,
    /// Logging driver for the container
    #[arg(long = "log-driver", value_name = "string")]
    pub log_driver: Option<String>,
    /// Log driver options
    #[arg(long = "log-opt", value_name = "list")]
    pub log_opt: Vec<String>,
}

/// Networks, ports, addresses, DNS and hosts entries.
#[derive(Debug, Clone, clap::Args)]
pub struct NetworkFlags {
    /// Connect a container to a network
    #[arg(long, visible_alias = "net", value_name = "network")]
    pub network: Option<String>,
    /// Publish a container's port(s) to the host
    #[arg(short = 'p', long = "publish", value_name = "list")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports
    #[arg(short = 'P', long = "publish-all")]
    pub publish_all: bool,
    /// Expose a port or a range of ports
    #[arg(long, value_name = "list")]
    pub expose: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long, value_name = "string")]
    pub ip: Option<String>,
    /// Container MAC address (e.g., 92:d0:c6:0a:29:33)
    #[arg(long = "mac-address", value_name = "string")]
    pub mac_address: Option<String>,
    /// Add network-scoped alias for the container
    #[arg(
        long = "network-alias",
        visible_alias = "net-alias",
        value_name = "list"
    )]
    pub network_alias: Vec<String>,
    /// Set custom DNS servers
    #[arg(long, value_name = "list")]
    pub dns: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long = "dns-search", value_name = "list")]
    pub dns_search: Vec<String>,
    /// Set DNS options
    #[arg(long = "dns-option", visible_alias = "dns-opt", value_name = "list")]
    pub dns_option: Vec<String>,
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "list")]
    pub add_host: Vec<String>,
    /// Add link to another container
    #[arg(long, value_name = "list")]
    pub link: Vec<String>,
}

/// Limits: memory, CPUs, pids, /dev/shm, ulimits, the cgroup's parent.
#[derive(Debug, Clone, clap::Args)]
pub struct ResourceFlags {
    /// Memory limit
    #[arg(short, long, value_name = "bytes")]
    pub memory: Option<String>,
    /// Number of CPUs
    #[arg(long, value_name = "decimal")]
    pub cpus: Option<String>,
    /// Tune container pids limit (set -1 for unlimited)
    #[arg(long = "pids-limit", value_name = "int", allow_hyphen_values = true)]
    pub pids_limit: Option<i64>,
    /// Size of /dev/shm
    #[arg(long = "shm-size", value_name = "bytes")]
    pub shm_size: Option<String>,
    /// Ulimit options
    #[arg(long, value_name = "ulimit")]
    pub ulimit: Vec<String>,
    /// Optional parent cgroup for the container
    #[arg(long = "cgroup-parent", value_name = "string")]
    pub cgroup_parent: Option<String>,
    /// Kernel memory limit (deprecated and ignored, as in docker)
    #[arg(long = "kernel-memory", value_name = "bytes")]
    pub kernel_memory: Option<String>,
}

/// Volumes, binds and tmpfs mounts.
#[derive(Debug, Clone, clap::Args)]
pub struct StorageFlags {
    /// Bind mount a volume
    #[arg(short = 'v', long = "volume", value_name = "list")]
    pub volume: Vec<String>,
    /// Attach a filesystem mount to the container
    #[arg(long, value_name = "mount")]
    pub mount: Vec<String>,
    /// Mount a tmpfs directory
    #[arg(long, value_name = "list")]
    pub tmpfs: Vec<String>,
    /// Mount volumes from the specified container(s)
    #[arg(long = "volumes-from", value_name = "list")]
    pub volumes_from: Vec<String>,
    /// Storage driver options for the container
    #[arg(long = "storage-opt", value_name = "list")]
    pub storage_opt: Vec<String>,
}

impl StorageFlags {
    /// docker's CLI part: `--mount` parsed, a `./` source of `-v` made
    /// absolute; the daemon's checks are the engine's.
    fn apply(&self, o: &mut CreateOptions) -> Result<()> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
        o.binds = self
            .volume
            .iter()
            .map(|v| match v.split_once(':') {
                Some((src, rest)) if src.starts_with('.') => {
                    format!("{}:{rest}", crate::engine::mounts::absolute(&cwd, src))
                }
                _ => v.clone(),
            })
            .collect();
        o.mounts = self
            .mount
            .iter()
            .map(|m| crate::engine::mounts::parse_mount_flag(m, &cwd))
            .collect::<Result<_>>()?;
        o.tmpfs = self.tmpfs.clone();
        o.volumes_from = self.volumes_from.clone();
        crate::engine::quota::parse_storage_opts(&self.storage_opt)?;
        o.storage_opt = self.storage_opt.clone();
        Ok(())
    }
}

/// Privileges and isolation: capabilities, devices, seccomp, namespaces.
#[derive(Debug, Clone, clap::Args)]
pub struct SecurityFlags {
    /// Give extended privileges to this container
    #[arg(long)]
    pub privileged: bool,
    /// Add a host device to the container
    #[arg(long, value_name = "list")]
    pub device: Vec<String>,
    /// Add a rule to the cgroup allowed devices list
    #[arg(long = "device-cgroup-rule", value_name = "list", value_parser = check_device_cgroup_rule)]
    pub device_cgroup_rule: Vec<String>,
    /// Add Linux capabilities
    #[arg(long = "cap-add", value_name = "list")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop", value_name = "list")]
    pub cap_drop: Vec<String>,
    /// Security Options
    #[arg(long = "security-opt", value_name = "list")]
    pub security_opt: Vec<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long = "read-only")]
    pub read_only: bool,
    /// PID namespace to use
    #[arg(long, value_name = "string")]
    pub pid: Option<String>,
    /// IPC mode to use
    #[arg(long, value_name = "string")]
    pub ipc: Option<String>,
    /// UTS namespace to use
    #[arg(long, value_name = "string")]
    pub uts: Option<String>,
    /// User namespace to use (host; keep-id: rootless, your own uid inside, as podman)
    #[arg(long, value_name = "string")]
    pub userns: Option<String>,
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
    let text = std::fs::read_to_string(path).map_err(|e| {
        let why = crate::runtime::error::go_text(&e);
        Error::InvalidArgument(format!("open {}: {why}", path.display()))
    })?;
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

/// A size flag (`-m 512m`): docker's units.RAMInBytes.
fn parse_bytes(flag: &str, v: &Option<String>) -> Result<Option<i64>> {
    v.as_ref()
        .map(|s| {
            units::parse_ram(s).map(|n| n as i64).ok_or_else(|| {
                Error::InvalidArgument(format!("invalid argument {s:?} for \"{flag}\" flag"))
            })
        })
        .transpose()
}

/// `--cpus 1.5` as nano-CPUs.
fn parse_cpus(cpus: &Option<String>) -> Result<Option<i64>> {
    let Some(c) = cpus else { return Ok(None) };
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
    Ok(Some((v * 1e9) as i64))
}

impl ProcessFlags {
    /// `-e` and `--env-file`, with docker's pass-through of `-e NAME`.
    fn environment(&self) -> Result<Vec<String>> {
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
        Ok(env)
    }

    fn check_attach(&self) -> Result<()> {
        for a in &self.attach {
            if !matches!(
                a.to_ascii_lowercase().as_str(),
                "stdin" | "stdout" | "stderr"
            ) {
                return Err(Error::InvalidArgument(format!("invalid argument {a:?} for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR")));
            }
        }
        Ok(())
    }

    fn apply(&self, o: &mut CreateOptions) -> Result<()> {
        self.check_attach()?;
        o.env = self.environment()?;
        o.name = self.name.clone();
        o.entrypoint = self.entrypoint.clone();
        o.workdir = self.workdir.clone();
        o.user = self.user.clone();
        o.labels = self.label.clone();
        o.hostname = self.hostname.clone();
        o.tty = self.tty;
        o.interactive = self.interactive;
        o.attach = self.attach.clone();
        o.auto_remove = self.rm;
        o.init = self.init;
        o.restart = self.restart.clone();
        o.stop_signal = self.stop_signal.clone();
        o.stop_timeout = self.stop_timeout;
        o.log_driver = self.log_driver.clone();
        o.log_opts = self.log_opt.clone();
        Ok(())
    }
}

impl NetworkFlags {
    /// The network flags, checked.
    fn request(&self) -> Result<NetRequest> {
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
            links: self
                .link
                .iter()
                .map(|l| crate::network::links::parse_link(l))
                .collect::<Result<_>>()?,
        })
    }

    fn apply(&self, o: &mut CreateOptions) -> Result<()> {
        o.net = self.request()?;
        o.network = self.network.clone();
        Ok(())
    }
}

impl ResourceFlags {
    fn apply(&self, o: &mut CreateOptions) -> Result<()> {
        o.memory = parse_bytes("-m, --memory", &self.memory)?;
        o.nano_cpus = parse_cpus(&self.cpus)?;
        o.pids_limit = self.pids_limit;
        o.shm_size = parse_bytes("--shm-size", &self.shm_size)?;
        o.ulimits = self
            .ulimit
            .iter()
            .map(|u| parse_ulimit(u))
            .collect::<Result<_>>()?;
        o.cgroup_parent = self.cgroup_parent.clone();
        parse_bytes("--kernel-memory", &self.kernel_memory)?;
        Ok(())
    }
}

impl SecurityFlags {
    fn apply(&self, o: &mut CreateOptions) -> Result<()> {
        o.privileged = self.privileged;
        o.cap_add = self.cap_add.clone();
        o.cap_drop = self.cap_drop.clone();
        crate::runtime::security_opt::SecurityOpts::parse(&self.security_opt)
            .map_err(Error::InvalidArgument)?;
        o.security_opt = self.security_opt.clone();
        o.read_only = self.read_only;
        o.pid_mode = self.pid.clone();
        o.ipc_mode = self.ipc.clone();
        o.uts_mode = self.uts.clone();
        o.userns = self.userns.clone();
        o.devices = self
            .device
            .iter()
            .map(|d| parse_device(d))
            .collect::<Result<_>>()?;
        o.device_cgroup_rules = self.device_cgroup_rule.clone();
        Ok(())
    }
}

/// docker's `ValidateDeviceCgroupRule`: `TYPE MAJOR:MINOR ACCESS`, with
/// `*` for any major or minor.
fn check_device_cgroup_rule(s: &str) -> std::result::Result<String, String> {
    let num = |n: &str| n == "*" || (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let ok = match s.split(' ').collect::<Vec<_>>()[..] {
        [kind, mm, access] => {
            matches!(kind, "a" | "b" | "c")
                && mm.split_once(':').is_some_and(|(a, b)| num(a) && num(b))
                && (1..=3).contains(&access.len())
                && access.bytes().all(|b| matches!(b, b'r' | b'w' | b'm'))
        }
        _ => false,
    };
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("invalid device cgroup format '{s}'"))
    }
}

impl ContainerFlags {
    /// What docker's daemon warns about at create (its CLI prints each as
    /// `WARNING: ...` on stderr).
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut w = Vec::new();
        if self.resources.kernel_memory.is_some() {
            w.push("Specifying a kernel memory limit is deprecated and will be removed in a future release.");
        }
        let host = self.net.network.as_deref() == Some("host");
        if host && (!self.net.publish.is_empty() || self.net.publish_all) {
            w.push("Published ports are discarded when using host network mode");
        }
        w
    }

    /// Turn the flags into the engine's options (validating values here,
    /// so a bad flag is refused before anything is created).
    pub fn to_options(&self) -> Result<CreateOptions> {
        let mut o = CreateOptions {
            image: self.image.clone(),
            command: self.command.clone(),
            ..Default::default()
        };
        self.process.apply(&mut o)?;
        self.resources.apply(&mut o)?;
        self.net.apply(&mut o)?;
        self.security.apply(&mut o)?;
        self.storage.apply(&mut o)?;
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_cgroup_rule_syntax_is_dockers() {
        for ok in ["c 1:3 rwm", "b 7:* rmw", "a *:* r", "c 42:1 m"] {
            assert_eq!(check_device_cgroup_rule(ok).as_deref(), Ok(ok));
        }
        for bad in [
            "b 7:2",
            "a 7 rmw",
            "x 7:* rmw",
            "b 7:* rmX",
            "a a:* rw",
            "c 1:3  rwm",
            "c 1:3 rwmr",
        ] {
            assert_eq!(
                check_device_cgroup_rule(bad),
                Err(format!("invalid device cgroup format '{bad}'"))
            );
        }
    }

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
