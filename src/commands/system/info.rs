//! `skiff info` / `skiff system info`.

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::{Error, Result};
use crate::util::units;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(short, long, value_name = "string", help = crate::commands::flags::TEMPLATE_FORMAT_HELP)]
    pub format: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let i = ctx.engine()?.info()?;
    if let Some(f) = &args.format {
        let v = serde_json::to_value(&i).map_err(|e| Error::Other(e.to_string()))?;
        return output::out(&output::inspect_format(f, &[v])?).map(|_| 0);
    }
    let mut s = String::new();
    s.push_str(&format!(
        "Client:\n Version:    {}\n Context:    default\n Debug Mode: {}\n\n",
        i.server_version,
        ctx.debug()
    ));
    s.push_str("Server:\n");
    s.push_str(&format!(
        " Containers: {}\n  Running: {}\n  Paused: {}\n  Stopped: {}\n Images: {}\n Server Version: {}\n",
        i.containers, i.containers_running, i.containers_paused, i.containers_stopped, i.images, i.server_version
    ));
    s.push_str(&format!(" Storage Driver: {}\n", i.driver));
    for [k, v] in &i.driver_status {
        s.push_str(&format!("  {k}: {v}\n"));
    }
    s.push_str(&format!(
        " Logging Driver: {}\n Cgroup Driver: {}\n Cgroup Version: {}\n Kernel Version: {}\n Operating System: {}\n OSType: {}\n Architecture: {}\n CPUs: {}\n Total Memory: {}\n Name: {}\n ID: {}\n Docker Root Dir: {}\n Run Root: {}\n Rootless: {}\n Registry: {}\n Insecure Registries:\n",
        i.logging_driver, i.cgroup_driver, i.cgroup_version, i.kernel_version, i.operating_system, i.os_type,
        i.architecture, i.ncpu, units::bytes_size(i.mem_total), i.name, i.id, i.docker_root_dir, i.run_root,
        i.rootless, i.index_server_address
    ));
    for r in &i.insecure_registries {
        s.push_str(&format!("  {r}\n"));
    }
    s.push_str(" Rootless Helpers:\n");
    for h in &i.rootless_helpers {
        if h.path.is_empty() {
            s.push_str(&format!(
                "  {}: not found (Debian package {})\n",
                h.name, h.package
            ));
        } else {
            s.push_str(&format!("  {}: {}\n", h.name, h.path));
        }
    }
    output::out(&s)?;
    Ok(0)
}
