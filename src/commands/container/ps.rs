//! `skiff ps` / `skiff container ls`.

use serde_json::{json, Value};

use crate::commands::context::Context;
use crate::commands::output;
use crate::engine::container::ContainerFilter;
use crate::error::{Error, Result};
use crate::state::container::{Container, Status};
use crate::util::{time, units};

const DEFAULT: &str =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
const DEFAULT_SIZE: &str = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also show containers made by other tools (podman; skiff has none)
    #[arg(long, hide = true)]
    pub external: bool,
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    pub all: bool,
    /// Filter output based on conditions provided
    #[arg(short, long, value_name = "filter")]
    pub filter: Vec<String>,
    #[arg(long, value_name = "string", help = crate::commands::flags::TABLE_FORMAT_HELP)]
    pub format: Option<String>,
    /// Show n last created containers (includes all states)
    #[arg(short = 'n', long, allow_hyphen_values = true, default_value_t = -1)]
    pub last: i64,
    /// Show the latest created container (includes all states)
    #[arg(short, long)]
    pub latest: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only display container IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Sort by command, created, id, image, names, runningfor, size or status, ascending (podman)
    #[arg(long, value_name = "string", value_parser = ["command", "created", "id", "image", "names", "runningfor", "size", "status"])]
    pub sort: Option<String>,
    /// Do not print the table's header (podman)
    #[arg(long)]
    pub noheading: bool,
    /// Display total file sizes
    #[arg(short, long)]
    pub size: bool,
}

/// Go's strconv.Quote for the strings commands hold.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// docker's STATUS column.
pub fn status_text(c: &Container) -> String {
    let st = &c.state;
    let ago = |t: Option<time::UnixNanos>| {
        let secs = t.map_or(0.0, |t| (time::now() - t) as f64 / 1e9);
        units::human_duration(secs.max(0.0))
    };
    match st.status {
        Status::Created => "Created".into(),
        Status::Running => format!("Up {}", ago(st.started_at)),
        Status::Paused => format!("Up {} (Paused)", ago(st.started_at)),
        Status::Restarting => format!("Restarting ({}) {} ago", st.exit_code, ago(st.finished_at)),
        Status::Removing => "Removal In Progress".into(),
        Status::Exited => format!("Exited ({}) {} ago", st.exit_code, ago(st.finished_at)),
        Status::Dead => "Dead".into(),
    }
}

pub fn headers() -> Value {
    json!({
        "Command": "COMMAND", "CreatedAt": "CREATED AT", "ID": "CONTAINER ID", "Image": "IMAGE",
        "Labels": "LABELS", "LocalVolumes": "LOCAL VOLUMES", "Mounts": "MOUNTS", "Names": "NAMES",
        "Networks": "NETWORKS", "Ports": "PORTS", "RunningFor": "CREATED", "Size": "SIZE",
        "State": "STATE", "Status": "STATUS"
    })
}

/// One container's fields for templates; `size` is (rw, virtual) when
/// asked for (`-s`, or a format using `.Size`).
pub fn row(c: &Container, no_trunc: bool, size: Option<(u64, u64)>) -> Value {
    let cfg = &c.config;
    // As docker's daemon lists it: an argument with a space is quoted.
    let mut command = cfg.path.clone();
    for a in &cfg.args {
        command.push(' ');
        if a.contains(' ') {
            command.push_str(&format!("'{a}'"));
        } else {
            command.push_str(a);
        }
    }
    let command = if no_trunc {
        command
    } else {
        units::ellipsis(&command, 20)
    };
    let labels: Vec<String> = cfg
        .config
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    json!({
        "Command": go_quote(&command),
        "CreatedAt": time::go_string(cfg.created - cfg.created.rem_euclid(1_000_000_000)),
        "ID": if no_trunc { cfg.id.clone() } else { cfg.id[..12].to_owned() },
        "Image": cfg.image_name,
        "Labels": labels.join(","),
        "LocalVolumes": "0",
        "Mounts": "",
        "Names": cfg.name,
        "Networks": cfg.host_config.network_mode,
        "Ports": if c.state.is_running() {
            crate::network::ports::ps_column(&c.state.ports)
        } else {
            String::new()
        },
        "RunningFor": time::since(cfg.created),
        "Size": size.map_or_else(|| "0B".to_owned(), |(rw, virt)| {
            if virt > 0 {
                format!("{} (virtual {})", units::human_size(rw), units::human_size(virt))
            } else {
                units::human_size(rw)
            }
        }),
        "State": c.state.status.as_str(),
        "Status": status_text(c),
    })
}

/// The `.Label "key"` method of ps's and network ls's rows: the value of
/// one label, read from the row's comma-joined `Labels`.
pub fn label_method(
    name: &str,
    recv: &Value,
    a: &[Value],
) -> Option<std::result::Result<Value, String>> {
    if name != "Label" {
        return None;
    }
    let key = a.first()?.as_str()?;
    let labels = recv.get("Labels")?.as_str()?;
    let v = labels.split(',').find_map(|kv| {
        kv.split_once('=')
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.to_owned())
    });
    Some(Ok(Value::String(v.unwrap_or_default())))
}

/// podman's `ps --sort`: ascending by the key (runningfor: longest first).
fn sort_containers(list: &mut [Container], key: &str) {
    match key {
        "command" => list.sort_by(|a, b| a.config.config.cmd.cmp(&b.config.config.cmd)),
        "id" => list.sort_by(|a, b| a.id().cmp(b.id())),
        "image" => list.sort_by(|a, b| a.config.config.image.cmp(&b.config.config.image)),
        "names" => list.sort_by(|a, b| a.name().cmp(b.name())),
        "status" => list.sort_by(|a, b| a.state.status.as_str().cmp(b.state.status.as_str())),
        // created, runningfor, size: oldest first
        _ => list.sort_by_key(|c| c.config.created),
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let filters = args
        .filter
        .iter()
        .map(|f| ContainerFilter::parse(f))
        .collect::<Result<Vec<_>>>()?;
    let limit = if args.latest {
        Some(1)
    } else {
        Some(args.last).filter(|n| *n > 0).map(|n| n as usize)
    };
    let mut list = ctx
        .engine()?
        .list_containers(args.all || limit.is_some(), &filters)?;
    if let Some(n) = limit {
        list.truncate(n);
    }
    if let Some(key) = &args.sort {
        sort_containers(&mut list, key);
    }
    if args.quiet {
        let s: String = list.iter().map(|c| if args.no_trunc { c.id().to_owned() } else { c.id()[..12].to_owned() } + "\n").collect();
        return output::out(&s).map(|_| 0);
    }
    // docker computes sizes when the template uses .Size ({{json .}} does).
    let want_size = args.size
        || args
            .format
            .as_deref()
            .is_some_and(|f| f.contains(".Size") || f.contains("json ."));
    let engine = ctx.engine()?;
    let rows: Vec<Value> = list
        .iter()
        .map(|c| {
            row(
                c,
                args.no_trunc,
                want_size.then(|| engine.container_size(c)),
            )
        })
        .collect();
    let default = if args.size { DEFAULT_SIZE } else { DEFAULT };
    let f = crate::template::Formatter::new(args.format.as_deref().unwrap_or(default), default)
        // docker's ps words it so; images, history and network ls say
        // "template parsing error".
        .map_err(|e| Error::Raw(format!("failed to parse template: {e}")))?
        .without_header(args.noheading)
        .rows_of("*formatter.ContainerContext");
    let text = f
        .render_with(&headers(), &rows, &label_method)
        .map_err(|e| Error::Raw(format!("failed to execute template: {e}")))?;
    output::out(&text)?;
    Ok(0)
}
