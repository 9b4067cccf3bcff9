//! `login` and `logout`: credentials checked against the registry's
//! `/v2/` first, then kept where docker's CLI keeps them
//! (`image::auth_store`).

use std::path::PathBuf;

use super::Engine;
use crate::error::{Error, Result};
use crate::image::registry::{Client, ClientOptions};

/// docker's default server.
const DOCKER_HUB: &str = "docker.io";

/// The registry a `login`/`logout` argument names: `host[:port]` (a
/// scheme and a path are dropped, as docker's ConvertToHostname does);
/// Docker Hub without one.
pub fn server_host(server: Option<&str>) -> String {
    let Some(s) = server.filter(|s| !s.is_empty()) else {
        return DOCKER_HUB.into();
    };
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let host = s.split('/').next().unwrap_or(s);
    match host {
        "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.into(),
        h => h.to_owned(),
    }
}

impl Engine {
    /// `login`: returns the config file written and the helper holding
    /// the secret, if any.
    pub fn login(
        &self,
        server: Option<&str>,
        user: &str,
        pass: &str,
        tls_verify: Option<bool>,
    ) -> Result<(PathBuf, Option<String>)> {
        let host = server_host(server);
        let connect = if host == DOCKER_HUB {
            "registry-1.docker.io".to_owned()
        } else {
            host.clone()
        };
        let client = Client::new(
            &connect,
            ClientOptions {
                tls_verify,
                creds: Some((user.to_owned(), pass.to_owned())),
                user_agent: format!("skiff/{}", env!("CARGO_PKG_VERSION")),
                cert_dir: None,
            },
        )
        .map_err(Error::Registry)?;
        client.ping().map_err(Error::Registry)?;
        crate::image::auth_store::login_store(&host, user, pass)
            .map_err(|e| Error::Other(format!("storing the credentials: {e}")))
    }

    /// `logout`: the host, and whether it had credentials.
    pub fn logout(&self, server: Option<&str>) -> Result<(String, bool)> {
        let host = server_host(server);
        let had = crate::image::auth_store::logout_remove(&host)
            .map_err(|e| Error::Other(format!("removing the credentials: {e}")))?;
        Ok((host, had))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_as_docker_names_them() {
        assert_eq!(server_host(None), "docker.io");
        assert_eq!(
            server_host(Some("https://index.docker.io/v1/")),
            "docker.io"
        );
        assert_eq!(server_host(Some("localhost:5001")), "localhost:5001");
        assert_eq!(
            server_host(Some("http://127.0.0.1:5000/v2/")),
            "127.0.0.1:5000"
        );
    }
}
