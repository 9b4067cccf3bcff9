//! `commit -c` and `import -c`: the Dockerfile instructions docker
//! applies to an image's config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
//! ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR), with its words for the
//! rest.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::image::types::RunConfig;

/// Splits shell-like words: `"..."` and `'...'` quote, `\` escapes.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                have = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => cur.push(c),
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                have = true;
            }
            (_, c) => {
                cur.push(c);
                have = true;
            }
        }
    }
    if have {
        out.push(cur);
    }
    out
}

/// A JSON array of strings, or (shell form) `/bin/sh -c TEXT`.
fn command(rest: &str) -> Vec<String> {
    if rest.trim_start().starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(rest) {
            return v;
        }
    }
    vec!["/bin/sh".into(), "-c".into(), rest.to_owned()]
}

/// `K=V ...` pairs, or the legacy `K V` form.
fn pairs(instr: &str, rest: &str) -> Result<Vec<(String, String)>> {
    let w = words(rest);
    if w.is_empty() {
        return Err(parse_error(format!(
            "{instr} requires at least one argument"
        )));
    }
    if !w[0].contains('=') {
        let (k, v) = rest
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(|| parse_error(format!("{instr} must have two arguments")))?;
        return Ok(vec![(k.to_owned(), v.trim().to_owned())]);
    }
    w.into_iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => Err(parse_error(format!(
                "{instr}: key=value expected, got {kv:?}"
            ))),
        })
        .collect()
}

fn parse_error(why: String) -> Error {
    Error::InvalidArgument(format!("dockerfile parse error on line 1: {why}"))
}

/// Applies each change to `cfg`, in order.
pub fn apply(cfg: &mut RunConfig, changes: &[String]) -> Result<()> {
    for change in changes {
        let change = change.trim();
        let (instr, rest) = change
            .split_once(char::is_whitespace)
            .map(|(i, r)| (i, r.trim()))
            .unwrap_or((change, ""));
        apply_one(cfg, &instr.to_ascii_uppercase(), rest)?;
    }
    Ok(())
}

fn one_word(upper: &str, rest: &str) -> Result<String> {
    match words(rest).as_slice() {
        [v] => Ok(v.clone()),
        _ => Err(parse_error(format!(
            "{upper} requires exactly one argument"
        ))),
    }
}

fn apply_one(cfg: &mut RunConfig, upper: &str, rest: &str) -> Result<()> {
    match upper {
        "CMD" | "ENTRYPOINT" | "ONBUILD" if rest.is_empty() => {
            return Err(parse_error(format!(
                "{upper} requires at least one argument"
            )))
        }
        "CMD" => cfg.cmd = Some(command(rest)),
        "ENTRYPOINT" => {
            cfg.entrypoint = Some(command(rest));
            // docker: a new entrypoint drops the image's CMD.
            cfg.cmd = None;
        }
        "ENV" => {
            let env = cfg.env.get_or_insert_with(Vec::new);
            for (k, v) in pairs("ENV", rest)? {
                let entry = format!("{k}={v}");
                match env
                    .iter_mut()
                    .find(|e| e.split('=').next() == Some(k.as_str()))
                {
                    Some(e) => *e = entry,
                    None => env.push(entry),
                }
            }
        }
        "LABEL" => {
            let labels = cfg.labels.get_or_insert_with(BTreeMap::new);
            labels.extend(pairs("LABEL", rest)?);
        }
        "EXPOSE" => expose(cfg, rest)?,
        "VOLUME" => {
            let list = if rest.starts_with('[') {
                serde_json::from_str::<Vec<String>>(rest).unwrap_or_else(|_| words(rest))
            } else {
                words(rest)
            };
            if list.is_empty() {
                return Err(parse_error("VOLUME requires at least one argument".into()));
            }
            let vols = cfg.volumes.get_or_insert_with(BTreeMap::new);
            for v in list {
                vols.insert(v, serde_json::json!({}));
            }
        }
        "USER" => cfg.user = Some(one_word(upper, rest)?),
        "WORKDIR" => {
            let dir = one_word(upper, rest)?;
            let base = cfg.working_dir.clone().unwrap_or_else(|| "/".into());
            cfg.working_dir = Some(if dir.starts_with('/') {
                dir
            } else {
                format!("{}/{dir}", base.trim_end_matches('/'))
            });
        }
        "STOPSIGNAL" => cfg.stop_signal = Some(one_word(upper, rest)?),
        "ONBUILD" => cfg
            .on_build
            .get_or_insert_with(Vec::new)
            .push(rest.to_owned()),
        "" => return Err(Error::InvalidArgument("empty change command".into())),
        _ => {
            return Err(Error::InvalidArgument(format!(
                "{upper} is not a valid change command"
            )))
        }
    }
    Ok(())
}

fn expose(cfg: &mut RunConfig, rest: &str) -> Result<()> {
    let w = words(rest);
    if w.is_empty() {
        return Err(parse_error("EXPOSE requires at least one argument".into()));
    }
    let ports = cfg.exposed_ports.get_or_insert_with(BTreeMap::new);
    for p in w {
        let (port, proto) = p.split_once('/').unwrap_or((&p, "tcp"));
        if port.parse::<u16>().is_err() || !matches!(proto, "tcp" | "udp" | "sctp") {
            return Err(Error::InvalidArgument(format!(
                "invalid containerPort: {port}"
            )));
        }
        ports.insert(format!("{port}/{proto}"), serde_json::json!({}));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(changes: &[&str]) -> Result<RunConfig> {
        let mut c = RunConfig {
            env: Some(vec!["PATH=/bin".into(), "A=1".into()]),
            cmd: Some(vec!["sh".into()]),
            ..Default::default()
        };
        let v: Vec<String> = changes.iter().map(|s| s.to_string()).collect();
        apply(&mut c, &v).map(|()| c)
    }

    #[test]
    fn every_change_docker_allows() {
        let c = applied(&[
            "CMD [\"nginx\", \"-g\", \"daemon off;\"]",
            "ENV A=2 B=\"two words\"",
            "ENV LEGACY some value",
            "EXPOSE 80 53/udp",
            "LABEL tier=front \"x y\"=z",
            "USER 1000:1000",
            "WORKDIR /srv",
            "WORKDIR app",
            "VOLUME [\"/data\", \"/logs\"]",
            "VOLUME /cache",
            "STOPSIGNAL SIGQUIT",
            "ONBUILD RUN echo hi",
        ])
        .unwrap();
        assert_eq!(c.cmd.unwrap(), ["nginx", "-g", "daemon off;"]);
        assert_eq!(
            c.env.unwrap(),
            ["PATH=/bin", "A=2", "B=two words", "LEGACY=some value"]
        );
        assert_eq!(
            c.exposed_ports.unwrap().keys().collect::<Vec<_>>(),
            ["53/udp", "80/tcp"]
        );
        assert_eq!(c.labels.unwrap()["x y"], "z");
        assert_eq!(c.user.as_deref(), Some("1000:1000"));
        assert_eq!(c.working_dir.as_deref(), Some("/srv/app"));
        assert_eq!(c.volumes.unwrap().len(), 3);
        assert_eq!(c.stop_signal.as_deref(), Some("SIGQUIT"));
        assert_eq!(c.on_build.unwrap(), ["RUN echo hi"]);
        let c = applied(&["ENTRYPOINT /app --flag"]).unwrap();
        assert_eq!(c.entrypoint.unwrap(), ["/bin/sh", "-c", "/app --flag"]);
        assert_eq!(c.cmd, None);
    }

    #[test]
    fn dockers_refusals() {
        let e = |c: &str| applied(&[c]).unwrap_err().to_string();
        assert_eq!(e("ADD . /"), "ADD is not a valid change command");
        assert_eq!(e("RUN true"), "RUN is not a valid change command");
        assert_eq!(e("FROM x"), "FROM is not a valid change command");
        assert_eq!(
            e("ENV"),
            "dockerfile parse error on line 1: ENV requires at least one argument"
        );
        assert_eq!(
            e("CMD"),
            "dockerfile parse error on line 1: CMD requires at least one argument"
        );
        assert_eq!(
            e("USER a b"),
            "dockerfile parse error on line 1: USER requires exactly one argument"
        );
        assert_eq!(e("EXPOSE http"), "invalid containerPort: http");
    }
}
