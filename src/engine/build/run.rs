//! RUN: the command in a container of skiff's own runtime, on the
//! stage's layers; its changes become the step's layer (as `commit`
//! writes one), and the container goes.

use super::stage::{line_err, Builder, State};
use super::{failed, BuildEvent};
use crate::engine::attach::Output;
use crate::engine::container::CreateOptions;
use crate::engine::cp::CpOp;
use crate::error::{Error, Result};
use crate::image::build::dockerfile::{Args, Instruction};
use crate::image::build::instr;
use crate::image::store::ImageRecord;

/// The command a RUN runs: the JSON form as is; the shell form after the
/// shell, its heredocs given to the shell after it (a lone heredoc is the
/// script itself).
fn command(st: &State, ins: &Instruction) -> Vec<String> {
    let run = st.run();
    match &ins.args {
        Args::Json(v) => v.clone(),
        Args::Text(t) if ins.heredocs.is_empty() => instr::command(&run, &Args::Text(t.clone())),
        Args::Text(t) => {
            let mut sh = instr::shell(&run);
            let lone = ins.heredocs.len() == 1 && {
                let w = t.trim();
                w.starts_with("<<") && !w.contains(char::is_whitespace)
            };
            if lone && ins.heredocs[0].content().starts_with("#!") {
                // A script with its own interpreter: run as a file.
                return vec![
                    "/bin/sh".into(),
                    "-c".into(),
                    "f=$(mktemp) && printf '%s' \"$0\" > \"$f\" && chmod +x \"$f\" && \"$f\"; r=$?; rm -f \"$f\"; exit $r".into(),
                    ins.heredocs[0].content(),
                ];
            } else if lone {
                sh.push(ins.heredocs[0].content());
            } else {
                let mut script = t.clone();
                for h in &ins.heredocs {
                    script.push('\n');
                    script.push_str(&h.body);
                    script.push_str(&h.name);
                }
                sh.push(script);
            }
            sh
        }
    }
}

impl Builder<'_> {
    pub(super) fn run_step(&mut self, st: &mut State, ins: &Instruction) -> Result<()> {
        let mut network = self.o.network.clone();
        for (name, value) in &ins.flags {
            match (name.as_str(), value.as_deref()) {
                ("network", Some(n @ ("none" | "host" | "default"))) => {
                    network = (n != "default").then(|| n.to_owned()).or(network)
                }
                ("mount", Some(_)) => {}
                _ => {
                    return Err(line_err(
                        ins,
                        format!("--{name}: not supported by skiff's builder yet"),
                    ))
                }
            }
        }
        let cmd = command(st, ins);
        // The ARGs in scope are the command's environment (ENV wins).
        let run = st.run();
        let env_keys: Vec<String> = run
            .env
            .iter()
            .flatten()
            .filter_map(|e| e.split_once('=').map(|(k, _)| k.to_owned()))
            .collect();
        // docker's predefined proxy args need no ARG (and stay out of the
        // cache key and history).
        let proxies: Vec<String> = self
            .build_args
            .iter()
            .filter(|(k, _)| {
                super::PREDEFINED_ARGS.contains(&k.as_str()) && !st.args.contains_key(*k)
            })
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let arg_env: Vec<String> = st
            .args
            .iter()
            .filter(|(k, _)| !env_keys.contains(k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let shown = cmd.join(" ");
        let mounts = self.run_mounts(st, ins)?;
        st.chain(&format!(
            "RUN {} {arg_env:?} {network:?} {} {}",
            mounts.key,
            serde_json::to_string(&cmd).unwrap_or_default(),
            serde_json::to_string(&run).unwrap_or_default()
        ));
        if self.cached(st)? {
            return Ok(());
        }
        let env: Vec<String> = arg_env.iter().chain(&proxies).cloned().collect();
        let layer = self.run_container(st, cmd, (env, network), mounts.mounts.clone())?;
        drop(mounts);
        let (path, diff_id, size) = layer.file();
        st.history(format!("RUN {shown} # buildkit"), false);
        st.config.rootfs.diff_ids.push(diff_id.to_owned());
        self.add_layer(st, (path, diff_id, size))?;
        self.remember(st)
    }

    /// Runs `cmd` in a container on the stage's layers; its changes as a
    /// layer file.
    fn run_container(
        &mut self,
        st: &State,
        cmd: Vec<String>,
        (env, network): (Vec<String>, Option<String>),
        mounts: Vec<crate::state::mounts::MountRequest>,
    ) -> Result<LayerFile> {
        let image = ImageRecord {
            id: st.key.clone(),
            manifest_digest: None,
            manifest_media_type: None,
            repo_digests: Vec::new(),
            layers: st.layers.clone(),
            size: 0,
            stored_at: 0,
            last_tag_time: None,
        };
        let o = CreateOptions {
            image: "(build)".into(),
            command: cmd.clone(),
            entrypoint: Some(String::new()),
            env,
            network: Some(network.unwrap_or_else(|| {
                if self.e.opts.rootless {
                    "pasta"
                } else {
                    "bridge"
                }
                .to_owned()
            })),
            attach: vec!["stdout".into(), "stderr".into()],
            labels: vec![format!("{BUILD_LABEL}={}", owner_tag())],
            mounts,
            ..Default::default()
        };
        let c = self.e.create_from_image(&o, &image, &st.run())?;
        let id = c.id().to_owned();
        let r = self.run_and_take_layer(&id, &cmd);
        if let Err(e) = self.e.remove_container(&id, true) {
            log::warn!("build: removing container {id}: {e}");
        }
        r
    }

    fn run_and_take_layer(&mut self, id: &str, cmd: &[String]) -> Result<LayerFile> {
        let mut a = self.e.start_attached(id)?;
        let mut code = None;
        let (ev, id_now) = (self.ev, self.step_id);
        loop {
            let got = a.receive(|o| {
                match o {
                    Output::Stdout(b) | Output::Stderr(b) => ev(BuildEvent::Output {
                        id: id_now,
                        bytes: &b,
                    }),
                    Output::Exit(c) => code = Some(c),
                }
                Ok(())
            });
            if super::canceled() {
                let _ = self.e.kill_container(id, "KILL");
                return Err(super::canceled_error());
            }
            match got {
                Ok(more) if !more || code.is_some() => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Other(format!("build: reading the output: {e}"))),
            }
        }
        let code = match code {
            Some(c) => c,
            None => self.e.wait_container(id)?,
        };
        if code != 0 {
            let shown = serde_json::to_string(&cmd.join(" ")).unwrap_or_default();
            return Err(failed(format!(
                "process {shown} did not complete successfully: exit code: {code}"
            )));
        }
        let dir = crate::image::archive::tmp_dir(&self.e.images)?;
        let c = self.e.container_lookup(id)?;
        let mut layer = None;
        let mut sink = |r: std::process::ChildStdout| {
            layer = Some(crate::image::newlayer::tar_layer(dir.path(), r)?);
            Ok(())
        };
        self.e.container_fs_op(&c, CpOp::Layer, Some(&mut sink))?;
        let (path, diff_id, size) =
            layer.ok_or_else(|| Error::Other("the step's layer was not written".into()))?;
        Ok(LayerFile {
            _dir: dir,
            path,
            diff_id,
            size,
        })
    }

    /// Stores a layer file over the stage's layers (its diff id already
    /// in the config).
    pub(super) fn add_layer(
        &mut self,
        st: &mut State,
        layer: (&std::path::Path, &str, u64),
    ) -> Result<()> {
        let bytes = serde_json::to_vec(&st.config).map_err(|e| Error::Other(e.to_string()))?;
        let unpack = self.e.unpack_options()?;
        let rec = crate::image::newlayer::import_local(
            &self.e.images,
            &bytes,
            &st.layers,
            layer,
            &unpack,
            &mut self.lease,
        )?;
        st.layers = rec.layers;
        Ok(())
    }
}

/// The label of a RUN's container: the building process (pid and start
/// time), so that the next build removes what a killed one left.
pub(super) const BUILD_LABEL: &str = "io.skiff.build.owner";

fn owner_tag() -> String {
    let pid = std::process::id() as i32;
    let start = crate::monitor::proc_start_time(pid).unwrap_or(0);
    format!("{pid}:{start}")
}

/// Whether the build that made a container with this owner tag is gone.
fn owner_gone(tag: &str) -> bool {
    let Some((pid, start)) = tag.split_once(':') else {
        return true;
    };
    match (pid.parse::<i32>(), start.parse::<u64>()) {
        (Ok(pid), Ok(start)) => crate::monitor::proc_start_time(pid) != Some(start),
        _ => true,
    }
}

impl crate::engine::Engine {
    /// Removes the RUN containers of builds that were killed; how many.
    pub(crate) fn remove_orphan_build_containers(&self) -> usize {
        let Ok(all) = self.containers.all() else {
            return 0;
        };
        let mut n = 0;
        for c in all {
            let Some(tag) = c.config.config.labels.get(BUILD_LABEL) else {
                continue;
            };
            if owner_gone(tag) && self.remove_container(c.id(), true).is_ok() {
                n += 1;
            }
        }
        n
    }
}

/// A layer tar in a temporary directory (removed with it).
pub(super) struct LayerFile {
    pub _dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
    pub diff_id: String,
    pub size: u64,
}

impl LayerFile {
    pub fn file(&self) -> (&std::path::Path, &str, u64) {
        (&self.path, &self.diff_id, self.size)
    }
}
