//! `login` and `logout`: docker's credentials in `config.json`
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, mode
//! 0600), or in the credential helper it names (`credHelpers` for the
//! host, else `credsStore`), as docker's CLI keeps them.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Map, Value};

use super::auth::{env_path, helper_server_url, key_matches, read_for_edit, write_config, Env};

/// docker's config file.
pub fn docker_config_path() -> PathBuf {
    docker_config_path_from(&|k| std::env::var_os(k))
}

fn docker_config_path_from(env: Env) -> PathBuf {
    match (env_path(env, "DOCKER_CONFIG"), env_path(env, "HOME")) {
        (Some(dir), _) => dir.join("config.json"),
        (None, Some(home)) => home.join(".docker/config.json"),
        (None, None) => PathBuf::from(".docker/config.json"),
    }
}

/// Where credentials for `host` go: a helper's name, if one is set.
fn helper_for(root: &Map<String, Value>, host: &str) -> Option<String> {
    root.get("credHelpers")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().find(|(k, _)| key_matches(k, host)))
        .and_then(|(_, v)| v.as_str())
        .or_else(|| root.get("credsStore").and_then(Value::as_str))
        .filter(|s| !s.is_empty() && !s.contains('/'))
        .map(str::to_owned)
}

/// Runs `docker-credential-HELPER ACTION` with `input` on stdin.
fn run_helper(helper: &str, action: &str, input: &[u8]) -> io::Result<()> {
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("{program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let out = child.wait_with_output()?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(if out.stdout.is_empty() {
        &out.stderr
    } else {
        &out.stdout
    })
    .trim()
    .to_owned();
    Err(io::Error::other(format!("{program} {action}: {text}")))
}

/// Stores `user`/`pass` for `host`; returns the file (and the helper, if
/// one holds the secret).
pub fn login_store(host: &str, user: &str, pass: &str) -> io::Result<(PathBuf, Option<String>)> {
    let path = docker_config_path();
    let root = read_for_edit(&path)?.unwrap_or_default();
    match helper_for(&root, host) {
        Some(helper) => {
            let input = serde_json::json!({
                "ServerURL": helper_server_url(host),
                "Username": user,
                "Secret": pass,
            });
            run_helper(&helper, "store", input.to_string().as_bytes())?;
            // docker notes the host with an empty entry.
            let mut root = root;
            let auths = root
                .entry("auths")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(a) = auths {
                a.retain(|k, _| !key_matches(k, host));
                a.insert(host.to_owned(), Value::Object(Map::new()));
            }
            write_config(&path, &root)?;
            Ok((path, Some(helper)))
        }
        None => super::auth::store(host, user, pass, Some(&path)).map(|p| (p, None)),
    }
}

/// Forgets the credentials for `host`; whether there were any.
pub fn logout_remove(host: &str) -> io::Result<bool> {
    let path = docker_config_path();
    let Some(root) = read_for_edit(&path)? else {
        return Ok(false);
    };
    let mut had = false;
    if let Some(helper) = helper_for(&root, host) {
        had |= run_helper(&helper, "erase", helper_server_url(host).as_bytes()).is_ok();
    }
    had |= super::auth::remove(host, Some(&path))?;
    Ok(had)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockers_config_file() {
        let env = |k: &str| match k {
            "HOME" => Some("/home/u".into()),
            _ => None,
        };
        assert_eq!(
            docker_config_path_from(&env),
            PathBuf::from("/home/u/.docker/config.json")
        );
        let env = |k: &str| match k {
            "HOME" => Some("/home/u".into()),
            "DOCKER_CONFIG" => Some("/etc/dk".into()),
            _ => None,
        };
        assert_eq!(
            docker_config_path_from(&env),
            PathBuf::from("/etc/dk/config.json")
        );
    }

    #[test]
    fn helper_choice() {
        let root: Map<String, Value> = serde_json::from_str(
            r#"{"credsStore":"pass","credHelpers":{"special.example":"special"}}"#,
        )
        .unwrap();
        assert_eq!(
            helper_for(&root, "special.example").as_deref(),
            Some("special")
        );
        assert_eq!(helper_for(&root, "other").as_deref(), Some("pass"));
        assert_eq!(helper_for(&Map::new(), "x"), None);
    }
}
