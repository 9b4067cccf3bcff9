//! `skiff create` / `skiff container create`.

pub use crate::commands::container::options::ContainerFlags;
use crate::commands::context::Context;
use crate::commands::output;
use crate::error::Result;

#[derive(Debug, clap::Args)]
#[command(
    disable_help_flag = true,
    override_usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]"
)]
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
    fn pulling(&self, r: &crate::image::reference::Reference) {
        crate::commands::image::pull::StderrLines.pulling(r);
    }

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

/// Before a new container: podman's `--replace` removes the one holding
/// the name; docker's warnings are printed.
pub fn prepare(ctx: &Context, flags: &ContainerFlags) -> Result<()> {
    if let (true, Some(name)) = (flags.process.replace, &flags.process.name) {
        match ctx.engine()?.remove_container(name, true) {
            Ok(_) | Err(crate::Error::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for w in flags.warnings() {
        eprintln!("WARNING: {w}");
    }
    Ok(())
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    let opts = args.flags.to_options()?;
    prepare(ctx, &args.flags)?;
    ensure_image(ctx, &args.flags)?;
    let c = ctx.engine()?.create_container(&opts)?;
    output::outln(c.id())?;
    Ok(0)
}
