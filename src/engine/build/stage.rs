//! The stages of a build: which the target needs, each built once, its
//! instructions applied in order with the cache.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::{failed, BuildEvent, BuildOptions};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::image::build::dockerfile::{Args, Dockerfile, Instruction};
use crate::image::build::expand::Lexer;
use crate::image::build::instr;
use crate::image::store::{ImageRecord, LayerInfo, Lease};
use crate::image::types::{History, ImageConfig, PlatformWanted, RootFs, RunConfig};
use crate::util::time;

/// A stage's state: its image config and layers, and the cache key of
/// the steps so far.
#[derive(Debug, Clone)]
pub(super) struct State {
    pub config: ImageConfig,
    pub layers: Vec<LayerInfo>,
    pub key: String,
    /// The ARGs in scope, with their values.
    pub args: BTreeMap<String, String>,
    pub cmd_set: bool,
}

impl State {
    pub fn run(&self) -> RunConfig {
        self.config.config.clone().unwrap_or_default()
    }

    /// What expansion sees: the ARGs, then ENV over them.
    pub fn vars(&self) -> BTreeMap<String, String> {
        let mut v = self.args.clone();
        for e in self.run().env.unwrap_or_default() {
            if let Some((k, val)) = e.split_once('=') {
                v.insert(k.to_owned(), val.to_owned());
            }
        }
        v
    }

    /// Chains `what` into the cache key.
    pub fn chain(&mut self, what: &str) {
        let mut h = Sha256::new();
        h.update(self.key.as_bytes());
        h.update(b"\n");
        h.update(what.as_bytes());
        self.key = crate::state::ids::hex(&h.finalize());
    }

    /// A history entry for a step.
    pub fn history(&mut self, created_by: String, empty_layer: bool) {
        let now = time::rfc3339_nano(time::now());
        self.config.created = Some(now.clone());
        self.config.history.push(History {
            created: Some(now),
            created_by: Some(created_by),
            empty_layer,
            ..Default::default()
        });
    }
}

/// Index of each stage's FROM.
pub(super) fn stage_starts(df: &Dockerfile) -> Vec<usize> {
    df.instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.keyword == "FROM")
        .map(|(n, _)| n)
        .collect()
}

/// A FROM's `AS name`, lower-cased as docker keeps it.
pub(super) fn stage_name(from: &Instruction) -> Option<String> {
    let Args::Text(t) = &from.args else {
        return None;
    };
    let w: Vec<&str> = t.split_whitespace().collect();
    match w.as_slice() {
        [_, kw, name] if kw.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
        _ => None,
    }
}

pub(super) struct Builder<'e> {
    pub e: &'e Engine,
    pub o: &'e BuildOptions,
    pub df: &'e Dockerfile,
    pub context: PathBuf,
    pub lx: Lexer,
    /// `--build-arg` values.
    pub build_args: BTreeMap<String, String>,
    /// ARGs before the first FROM, with their values.
    pub global_args: BTreeMap<String, String>,
    pub done: Vec<Option<State>>,
    pub lease: Lease<'e>,
    pub ev: super::Events<'e>,
    /// Step ids, shared by the builders of stages built at once.
    pub ids: &'e std::sync::atomic::AtomicUsize,
    /// The current step's id.
    pub step_id: usize,
    pub used_args: std::collections::BTreeSet<String>,
    /// The context's .dockerignore.
    pub ignore: Option<crate::image::build::ignore::Ignore>,
}

impl<'e> Builder<'e> {
    pub fn new(
        e: &'e Engine,
        o: &'e BuildOptions,
        df: &'e Dockerfile,
        context: PathBuf,
        ev: super::Events<'e>,
        ids: &'e std::sync::atomic::AtomicUsize,
    ) -> Result<Builder<'e>> {
        let lx = Lexer { escape: df.escape };
        let build_args = super::build_arg_values(&o.build_args);
        let mut b = Builder {
            e,
            o,
            df,
            context,
            lx,
            build_args,
            global_args: BTreeMap::new(),
            done: vec![None; stage_starts(df).len()],
            lease: e.images.lease([], [])?,
            ev,
            ids,
            step_id: 0,
            used_args: Default::default(),
            ignore: None,
        };
        b.global_args =
            b.declare_args(&df.instructions[..stage_starts(df)[0]], &BTreeMap::new())?;
        Ok(b)
    }

    /// ARG instructions `ins` (all ARGs), over `scope`: name → value
    /// (a build arg's, else the default expanded, else unset).
    fn declare_args(
        &mut self,
        ins: &[Instruction],
        scope: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>> {
        let mut out = scope.clone();
        for i in ins {
            let Args::Text(t) = &i.args else { continue };
            for w in instr::raw_words(t, self.lx.escape) {
                let (name, default) = match w.split_once('=') {
                    Some((n, d)) => (n.to_owned(), Some(d.to_owned())),
                    None => (w.clone(), None),
                };
                let value = match (self.build_args.get(&name), default) {
                    (Some(v), _) => Some(v.clone()),
                    (None, Some(d)) => Some(
                        self.lx
                            .process_word(&d, &out)
                            .map_err(|e| line_err(i, e.0))?,
                    ),
                    (None, None) => self.global_args.get(&name).cloned(),
                };
                self.used_args.insert(name.clone());
                if let Some(v) = value {
                    out.insert(name, v);
                }
            }
        }
        Ok(out)
    }

    /// The target stage (`--target`, else the last), built with what it
    /// needs; the final image's id.
    pub fn build_target(&mut self) -> Result<(String, Vec<LayerInfo>)> {
        let starts = stage_starts(self.df);
        let target = match &self.o.target {
            Some(t) => super::find_stage(self.df, &t.to_ascii_lowercase())
                .filter(|&i| i < starts.len())
                .ok_or_else(|| failed(format!("target stage \"{t}\" could not be found")))?,
            None => starts.len() - 1,
        };
        if let Some(deps) = stage_deps(self.df, target) {
            let mut leaves: Vec<usize> = deps
                .into_iter()
                .filter(|&d| stage_deps(self.df, d).is_some_and(|v| v.is_empty()))
                .collect();
            leaves.sort_unstable();
            leaves.dedup();
            if leaves.len() > 1 {
                self.prebuild(&leaves)?;
            }
        }
        let mut st = self.stage(target)?;
        for (k, v) in &self.o.labels {
            let mut run = st.run();
            run.labels
                .get_or_insert_with(BTreeMap::new)
                .insert(k.clone(), v.clone());
            st.config.config = Some(run);
        }
        for name in self.build_args.keys() {
            if !self.used_args.contains(name) && !super::PREDEFINED_ARGS.contains(&name.as_str()) {
                let w = format!("[Warning] One or more build-args [{name}] were not consumed");
                (self.ev)(BuildEvent::Warning(&w));
            }
        }
        Ok((self.store_final(&st)?, st.layers))
    }

    /// Starts a step: a new id, reported.
    fn begin(&mut self, stage: &str, n: usize, total: usize, text: &str) {
        self.step_id = self.ids.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        (self.ev)(BuildEvent::Step {
            id: self.step_id,
            stage,
            n,
            total,
            text,
        });
    }

    /// Ends the current step.
    fn end(&mut self, t0: std::time::Instant) {
        (self.ev)(BuildEvent::Done {
            id: self.step_id,
            secs: t0.elapsed().as_secs_f64(),
        });
    }

    /// Builds independent stages at once, each in a thread with a
    /// builder of its own (the step ids and events shared).
    fn prebuild(&mut self, stages: &[usize]) -> Result<()> {
        let (e, o, df, ev, ids) = (self.e, self.o, self.df, self.ev, self.ids);
        let (ctx, ignore) = (self.context.clone(), self.ignore.clone());
        type Built = (usize, State, std::collections::BTreeSet<String>);
        let results: Vec<Result<Built>> = std::thread::scope(|sc| {
            let handles: Vec<_> = stages
                .iter()
                .map(|&i| {
                    let (ctx, ignore) = (ctx.clone(), ignore.clone());
                    sc.spawn(move || -> Result<Built> {
                        let mut b = Builder::new(e, o, df, ctx, ev, ids)?;
                        b.ignore = ignore;
                        let st = b.stage(i)?;
                        Ok((i, st, b.used_args))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::Other("a build thread panicked".into())))
                })
                .collect()
        });
        for r in results {
            let (i, st, used) = r?;
            self.lease
                .hold([], st.layers.iter().map(|l| l.chain_id.clone()))?;
            self.used_args.extend(used);
            self.done[i] = Some(st);
        }
        Ok(())
    }

    /// Stage `idx`, built once.
    pub fn stage(&mut self, idx: usize) -> Result<State> {
        if let Some(s) = &self.done[idx] {
            return Ok(s.clone());
        }
        let starts = stage_starts(self.df);
        let end = starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.df.instructions.len());
        let df = self.df;
        let from = &df.instructions[starts[idx]];
        let label = stage_name(from).unwrap_or_else(|| format!("stage-{idx}"));
        let mut st = self.from(idx, from, body_len(df, idx) + 1)?;
        self.on_build_triggers(&mut st, &label)?;
        let body = &df.instructions[starts[idx] + 1..end];
        for (n, ins) in body.iter().enumerate() {
            self.begin(&label, n + 2, body.len() + 1, &shown(ins));
            let t0 = std::time::Instant::now();
            let outer = self.step_id;
            self.step(&mut st, ins)?;
            // A stage the step needed may have run meanwhile.
            self.step_id = outer;
            self.end(t0);
        }
        self.done[idx] = Some(st.clone());
        Ok(st)
    }

    /// The base's ONBUILD triggers, run as the stage's first steps (and
    /// not passed on).
    fn on_build_triggers(&mut self, st: &mut State, label: &str) -> Result<()> {
        let mut run = st.run();
        let Some(triggers) = run.on_build.take() else {
            return Ok(());
        };
        st.config.config = Some(run);
        for t in triggers {
            let df = crate::image::build::dockerfile::parse(&format!("FROM scratch\n{t}\n"))
                .map_err(|e| failed(format!("parsing the ONBUILD trigger {t:?}: {}", e.message)))?;
            let Some(ins) = df.instructions.get(1) else {
                continue;
            };
            self.begin(label, 1, 1, &format!("ONBUILD {}", shown(ins)));
            let t0 = std::time::Instant::now();
            self.step(st, ins)?;
            self.end(t0);
        }
        Ok(())
    }

    /// FROM: an image, `scratch`, or an earlier stage.
    fn from(&mut self, idx: usize, from: &Instruction, total: usize) -> Result<State> {
        for (name, _) in &from.flags {
            if name != "platform" {
                return Err(line_err(from, format!("unknown flag: {name}")));
            }
        }
        if let Some((_, Some(p))) = from.flags.iter().find(|(n, _)| n == "platform") {
            let p = self
                .lx
                .process_word(p, &self.global_args)
                .map_err(|e| line_err(from, e.0))?;
            if PlatformWanted::parse(&p)? != PlatformWanted::host() {
                return Err(line_err(
                    from,
                    format!("platform {p} is not this host's: skiff builds for the host only"),
                ));
            }
        }
        let Args::Text(t) = &from.args else {
            return Err(line_err(from, "FROM requires an image name"));
        };
        let first = t.split_whitespace().next().unwrap_or("");
        let base = self
            .lx
            .process_word(first, &self.global_args)
            .map_err(|e| line_err(from, e.0))?;
        let label = stage_name(from).unwrap_or_else(|| format!("stage-{idx}"));
        self.begin(&label, 1, total, &format!("FROM {base}"));
        let t0 = std::time::Instant::now();
        let outer = self.step_id;
        let lower = base.to_ascii_lowercase();
        let earlier = stage_starts(self.df)
            .into_iter()
            .take(idx)
            .position(|i| stage_name(&self.df.instructions[i]).as_deref() == Some(lower.as_str()));
        let mut st = match earlier {
            Some(i) => {
                let mut s = self.stage(i)?;
                s.args = BTreeMap::new();
                s.cmd_set = false;
                s
            }
            _ if base == "scratch" => scratch(),
            _ => self.image_state(&base)?,
        };
        st.chain(&format!("FROM {}", st.key));
        self.step_id = outer;
        self.end(t0);
        Ok(st)
    }

    /// An image's state (pulled when missing, or with `--pull`).
    fn image_state(&mut self, name: &str) -> Result<State> {
        let src = crate::engine::run::ImageSource {
            pull: if self.o.pull {
                crate::engine::run::PullPolicy::Always
            } else {
                crate::engine::run::PullPolicy::Missing
            },
            registry: Default::default(),
        };
        self.e.ensure_image(name, &src, &Quiet).map_err(failed)?;
        let rec = self.e.image_lookup(name)?;
        let config = self.e.image_config(&rec)?;
        self.lease
            .hold([], rec.layers.iter().map(|l| l.chain_id.clone()))?;
        Ok(State {
            config,
            layers: rec.layers,
            key: rec.id,
            args: BTreeMap::new(),
            cmd_set: false,
        })
    }

    /// One instruction.
    fn step(&mut self, st: &mut State, ins: &Instruction) -> Result<()> {
        if super::canceled() {
            return Err(super::canceled_error());
        }
        match ins.keyword.as_str() {
            "ARG" => {
                let scope = st.args.clone();
                st.args = self.declare_args(std::slice::from_ref(ins), &scope)?;
                let shown: Vec<String> = st.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                st.chain(&format!("ARG {}", shown.join(" ")));
                Ok(())
            }
            "RUN" => self.run_step(st, ins),
            "COPY" | "ADD" => self.copy_step(st, ins),
            _ => self.config_step(st, ins),
        }
    }

    fn config_step(&mut self, st: &mut State, ins: &Instruction) -> Result<()> {
        let vars = st.vars();
        let mut cfg = instr::Config {
            run: st.run(),
            author: st.config.author.clone(),
            cmd_set: st.cmd_set,
        };
        if !instr::apply(&mut cfg, ins, &self.lx, &vars).map_err(|e| line_err(ins, e))? {
            return Err(line_err(
                ins,
                format!("unknown instruction: {}", ins.keyword),
            ));
        }
        let run_json = serde_json::to_string(&cfg.run).unwrap_or_default();
        st.chain(&format!("{} {run_json} {:?}", ins.keyword, cfg.author));
        st.cmd_set = cfg.cmd_set;
        if self.cached(st)? {
            return Ok(());
        }
        st.config.config = Some(cfg.run);
        st.config.author = cfg.author;
        st.history(format!("{} {}", ins.keyword, ins.text), true);
        self.remember(st)
    }

    /// Takes the step from the cache if it is there (and `--no-cache`
    /// was not given).
    pub fn cached(&mut self, st: &mut State) -> Result<bool> {
        if self.o.no_cache {
            return Ok(false);
        }
        let Some((config, layers)) = super::cache::lookup(self.e, &st.key) else {
            return Ok(false);
        };
        self.lease
            .hold([], layers.iter().map(|l| l.chain_id.clone()))?;
        // Still there after the hold: GC keeps them now.
        if layers
            .iter()
            .any(|l| self.e.images.layer_info(&l.chain_id).is_none())
        {
            return Ok(false);
        }
        st.config = config;
        st.layers = layers;
        (self.ev)(BuildEvent::Cached { id: self.step_id });
        Ok(true)
    }

    pub fn remember(&mut self, st: &State) -> Result<()> {
        super::cache::store(self.e, &st.key, &st.config, &st.layers)
    }

    /// The final image: its config stored and its record written.
    fn store_final(&mut self, st: &State) -> Result<String> {
        let bytes = serde_json::to_vec(&st.config).map_err(|e| Error::Other(e.to_string()))?;
        let id = crate::image::store::sha256_digest(&bytes);
        self.lease.hold([id.clone()], [])?;
        self.e.images.put_blob(&id, &bytes)?;
        let _g = self.e.images.lock()?;
        if self.e.images.image(&id)?.is_none() {
            self.e.images.put_image(&ImageRecord {
                id: id.clone(),
                manifest_digest: None,
                manifest_media_type: None,
                repo_digests: Vec::new(),
                size: st.layers.iter().map(|l| l.size).sum(),
                layers: st.layers.clone(),
                stored_at: time::now(),
                last_tag_time: None,
            })?;
        }
        Ok(id)
    }
}

/// The stages stage `idx` refers to (FROM, `--from` of COPY and ADD,
/// `from` of a RUN mount); `None` when a reference has a variable in it
/// (known only while building).
pub(super) fn stage_deps(df: &Dockerfile, idx: usize) -> Option<Vec<usize>> {
    let starts = stage_starts(df);
    let end = starts
        .get(idx + 1)
        .copied()
        .unwrap_or(df.instructions.len());
    let mut refs: Vec<String> = Vec::new();
    for ins in &df.instructions[starts[idx]..end] {
        match (ins.keyword.as_str(), &ins.args) {
            ("FROM", Args::Text(t)) => refs.push(t.split_whitespace().next()?.to_owned()),
            ("COPY" | "ADD", _) => refs.extend(
                ins.flags
                    .iter()
                    .filter(|(k, _)| k == "from")
                    .filter_map(|(_, v)| v.clone()),
            ),
            ("RUN", _) => refs.extend(
                ins.flags
                    .iter()
                    .filter(|(k, _)| k == "mount")
                    .filter_map(|(_, v)| v.as_deref())
                    .flat_map(|m| m.split(','))
                    .filter_map(|f| f.strip_prefix("from="))
                    .map(str::to_owned),
            ),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (n, r) in refs.iter().enumerate() {
        if r.contains('$') {
            return None;
        }
        let lower = r.to_ascii_lowercase();
        let named = starts
            .iter()
            .take(idx)
            .position(|&i| stage_name(&df.instructions[i]).as_deref() == Some(lower.as_str()));
        // A number names a stage only after --from, not in FROM.
        let numbered = (n > 0 || df.instructions[starts[idx]].keyword != "FROM")
            .then(|| r.parse::<usize>().ok().filter(|&i| i < idx))
            .flatten();
        out.extend(named.or(numbered));
    }
    Some(out)
}

/// An instruction as BuildKit shows it: keyword, flags, arguments.
pub(super) fn shown(ins: &Instruction) -> String {
    let mut s = ins.keyword.clone();
    for (k, v) in &ins.flags {
        match v {
            Some(v) => s.push_str(&format!(" --{k}={v}")),
            None => s.push_str(&format!(" --{k}")),
        }
    }
    s.push(' ');
    s.push_str(&ins.text);
    s
}

/// The number of instructions of stage `idx` after its FROM.
fn body_len(df: &Dockerfile, idx: usize) -> usize {
    let starts = stage_starts(df);
    let end = starts
        .get(idx + 1)
        .copied()
        .unwrap_or(df.instructions.len());
    end - starts[idx] - 1
}

/// An empty image.
fn scratch() -> State {
    let p = PlatformWanted::host();
    State {
        config: ImageConfig {
            architecture: p.architecture,
            os: p.os,
            config: Some(RunConfig {
                env: Some(vec![
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
                ]),
                ..Default::default()
            }),
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: Vec::new(),
            },
            ..Default::default()
        },
        layers: Vec::new(),
        key: "scratch".into(),
        args: BTreeMap::new(),
        cmd_set: false,
    }
}

/// An error of instruction `ins`, naming its line.
pub(super) fn line_err(ins: &Instruction, why: impl std::fmt::Display) -> Error {
    failed(format!(
        "dockerfile parse error on line {}: {} {}: {why}",
        ins.line, ins.keyword, ins.text
    ))
}

/// Pull notices a build does not show.
struct Quiet;
impl crate::image::pull::PullProgress for Quiet {}
impl crate::engine::run::PullNotices for Quiet {}
