//! The instructions that change only an image's config (ENV, LABEL,
//! EXPOSE, VOLUME, USER, WORKDIR, CMD, ENTRYPOINT, SHELL, STOPSIGNAL,
//! HEALTHCHECK, MAINTAINER, ONBUILD), applied as BuildKit's dispatcher
//! does: variables expanded in exactly ENV, LABEL, EXPOSE, VOLUME, USER,
//! WORKDIR, STOPSIGNAL (and ARG, the builder's), never in CMD,
//! ENTRYPOINT, SHELL, HEALTHCHECK or ONBUILD.

use std::collections::BTreeMap;

use serde_json::json;

use super::dockerfile::{Args, Instruction};
use super::expand::{Lexer, Lookup};
use crate::image::types::RunConfig;

/// What applying an instruction can fail with (the builder adds the line).
pub type Res<T> = std::result::Result<T, String>;

/// The stage's state the config instructions read and change.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub run: RunConfig,
    /// `MAINTAINER`.
    pub author: Option<String>,
    /// CMD was set in this stage (an ENTRYPOINT then keeps it).
    pub cmd_set: bool,
}

/// The shell of a shell-form command: SHELL's, else `/bin/sh -c`.
pub fn shell(run: &RunConfig) -> Vec<String> {
    run.shell
        .clone()
        .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()])
}

/// A command in either form: the JSON form as is, the shell form after
/// the shell.
pub fn command(run: &RunConfig, args: &Args) -> Vec<String> {
    match args {
        Args::Json(v) => v.clone(),
        Args::Text(t) => {
            let mut v = shell(run);
            v.push(t.clone());
            v
        }
    }
}

/// `K=V ...` (or the legacy `K V`) of ENV and LABEL, values expanded.
pub fn pairs(
    lx: &Lexer,
    keyword: &str,
    text: &str,
    env: &dyn Lookup,
) -> Res<Vec<(String, String)>> {
    let words = raw_words(text, lx.escape);
    let Some(first) = words.first() else {
        return Err(format!("{keyword} requires at least one argument"));
    };
    if !first.contains('=') {
        // Legacy: the first word is the name, the rest of the text its value.
        let rest = text.trim_start()[first.len()..].trim();
        if rest.is_empty() {
            return Err(format!("{keyword} names can not be blank"));
        }
        let key = lx.process_word(first, env).map_err(|e| e.0)?;
        let value = lx.process_word(rest, env).map_err(|e| e.0)?;
        return Ok(vec![(key, value)]);
    }
    let mut out = Vec::new();
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
            ));
        };
        let key = lx.process_word(k, env).map_err(|e| e.0)?;
        if key.is_empty() {
            return Err(format!("{keyword} names can not be blank"));
        }
        out.push((key, lx.process_word(v, env).map_err(|e| e.0)?));
    }
    Ok(out)
}

/// Words split on unquoted whitespace, quotes and escapes kept (docker's
/// `parseWords`, before expansion).
pub fn raw_words(text: &str, escape: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                continue;
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (q, c) if c == escape && q != Some('\'') => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Sets `key` in an env list (`K=V`), replacing an earlier value.
pub fn set_env(env: &mut Vec<String>, key: &str, value: &str) {
    let entry = format!("{key}={value}");
    match env
        .iter_mut()
        .find(|e| e.split_once('=').map(|(k, _)| k) == Some(key))
    {
        Some(e) => *e = entry,
        None => env.push(entry),
    }
}

/// Applies config instruction `ins` with `env` (the stage's ENV and
/// ARGs) for expansion. `Ok(false)`: not a config instruction.
pub fn apply(cfg: &mut Config, ins: &Instruction, lx: &Lexer, env: &dyn Lookup) -> Res<bool> {
    let text = match &ins.args {
        Args::Text(t) => t.as_str(),
        Args::Json(_) => "",
    };
    let word = |t: &str| lx.process_word(t, env).map_err(|e| e.0);
    let run = &mut cfg.run;
    match ins.keyword.as_str() {
        "ENV" => {
            let list = pairs(lx, "ENV", text, env)?;
            let e = run.env.get_or_insert_with(Vec::new);
            for (k, v) in list {
                set_env(e, &k, &v);
            }
        }
        "LABEL" => {
            let list = pairs(lx, "LABEL", text, env)?;
            run.labels.get_or_insert_with(BTreeMap::new).extend(list);
        }
        "EXPOSE" => expose(run, &lx.process_words(text, env).map_err(|e| e.0)?)?,
        "VOLUME" => {
            let list = match &ins.args {
                Args::Json(v) => v.iter().map(|w| word(w)).collect::<Res<Vec<_>>>()?,
                Args::Text(_) => lx.process_words(text, env).map_err(|e| e.0)?,
            };
            let vols = run.volumes.get_or_insert_with(BTreeMap::new);
            for v in list {
                if v.trim().is_empty() {
                    return Err("VOLUME specified can not be an empty string".into());
                }
                vols.insert(v, json!({}));
            }
        }
        "USER" => run.user = Some(word(text)?),
        "WORKDIR" => run.working_dir = Some(workdir(run.working_dir.as_deref(), &word(text)?)),
        "STOPSIGNAL" => run.stop_signal = Some(word(text)?),
        "MAINTAINER" => cfg.author = Some(text.to_owned()),
        "ONBUILD" => {
            let upper = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            if matches!(upper.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
                return Err(format!("{upper} isn't allowed as an ONBUILD trigger"));
            }
            run.on_build
                .get_or_insert_with(Vec::new)
                .push(text.to_owned());
        }
        _ => return apply_command(cfg, ins),
    }
    Ok(true)
}

/// CMD, ENTRYPOINT, SHELL and HEALTHCHECK: never expanded.
fn apply_command(cfg: &mut Config, ins: &Instruction) -> Res<bool> {
    let run = &mut cfg.run;
    match ins.keyword.as_str() {
        "CMD" => {
            run.cmd = Some(command(run, &ins.args));
            cfg.cmd_set = true;
        }
        "ENTRYPOINT" => {
            run.entrypoint = Some(command(run, &ins.args));
            if !cfg.cmd_set {
                run.cmd = None;
            }
        }
        "SHELL" => match &ins.args {
            Args::Json(v) if !v.is_empty() => run.shell = Some(v.clone()),
            _ => return Err("SHELL requires the arguments to be in JSON form".into()),
        },
        "HEALTHCHECK" => run.healthcheck = Some(healthcheck(ins)?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// WORKDIR `dir` over the current one, cleaned.
pub fn workdir(current: Option<&str>, dir: &str) -> String {
    let joined = if dir.starts_with('/') {
        dir.to_owned()
    } else {
        format!("{}/{dir}", current.unwrap_or("/"))
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn expose(run: &mut RunConfig, words: &[String]) -> Res<()> {
    let ports = run.exposed_ports.get_or_insert_with(BTreeMap::new);
    for w in words {
        let (range, proto) = w.split_once('/').unwrap_or((w, "tcp"));
        let proto = proto.to_ascii_lowercase();
        let (lo, hi) = range.split_once('-').unwrap_or((range, range));
        let bad = || format!("invalid containerPort: {range}");
        let lo: u16 = lo.parse().map_err(|_| bad())?;
        let hi: u16 = hi.parse().map_err(|_| bad())?;
        if hi < lo || !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
            return Err(bad());
        }
        for p in lo..=hi {
            ports.insert(format!("{p}/{proto}"), json!({}));
        }
    }
    Ok(())
}

/// HEALTHCHECK [flags] CMD ... | NONE, as docker stores it.
fn healthcheck(ins: &Instruction) -> Res<serde_json::Value> {
    let (first, rest) = match &ins.args {
        Args::Text(t) => {
            let t = t.trim();
            t.split_once(char::is_whitespace)
                .map(|(a, b)| (a.to_ascii_uppercase(), b.trim().to_owned()))
                .unwrap_or((t.to_ascii_uppercase(), String::new()))
        }
        Args::Json(_) => return Err("HEALTHCHECK requires CMD or NONE".into()),
    };
    if first == "NONE" {
        if !rest.is_empty() || !ins.flags.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".into());
        }
        return Ok(json!({"Test": ["NONE"]}));
    }
    if first != "CMD" || rest.is_empty() {
        return Err(format!("Unknown type \"{first}\" in HEALTHCHECK (try CMD)"));
    }
    let test = match super::dockerfile::json_array(&rest) {
        Some(v) => std::iter::once("CMD".to_owned())
            .chain(v)
            .collect::<Vec<_>>(),
        None => vec!["CMD-SHELL".to_owned(), rest],
    };
    let mut hc = json!({ "Test": test });
    for (name, value) in &ins.flags {
        let v = value.as_deref().unwrap_or("");
        let key = match name.as_str() {
            "interval" => "Interval",
            "timeout" => "Timeout",
            "start-period" => "StartPeriod",
            "start-interval" => "StartInterval",
            "retries" => {
                let n: i64 = v.parse().map_err(|_| format!("invalid retries {v:?}"))?;
                hc["Retries"] = json!(n);
                continue;
            }
            _ => return Err(format!("Unknown flag: {name}")),
        };
        let d = crate::util::time::parse_go_duration(v)
            .map_err(|_| format!("time: invalid duration {v:?}"))?;
        hc[key] = json!(d);
    }
    Ok(hc)
}

#[cfg(test)]
#[path = "instr_tests.rs"]
mod tests;
