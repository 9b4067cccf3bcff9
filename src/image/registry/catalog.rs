//! `GET /v2/_catalog`: the repositories of a registry (`search` on a
//! private registry), page by page as its `Link` headers lead.

use ureq::http;

use super::error::Result;
use super::names::resolve_location;
use super::transport::{Req, MAX_SMALL_BODY};
use super::Client;

/// Pages are asked for this many names at a time.
const PAGE: usize = 1000;

impl Client {
    /// Every repository name, up to `max`.
    pub fn catalog(&self, max: usize) -> Result<Vec<String>> {
        let mut url = format!("{}/v2/_catalog?n={PAGE}", self.base()?);
        let mut out = Vec::new();
        loop {
            let scopes = vec!["registry:catalog:*".to_owned()];
            let mut req = Req::new(http::Method::GET, url.clone(), scopes);
            let resp = self.execute(&mut req)?;
            let mut resp = self.expect(resp, &req, &[200])?;
            let next = resp
                .headers()
                .get("link")
                .and_then(|v| v.to_str().ok())
                .and_then(|l| l.split(';').next())
                .map(|u| {
                    u.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned()
                });
            let body = resp
                .body_mut()
                .with_config()
                .limit(MAX_SMALL_BODY * 16)
                .read_to_vec()
                .map_err(|e| self.protocol(format!("reading the catalog: {e}")))?;
            #[derive(serde::Deserialize)]
            struct Page {
                #[serde(default)]
                repositories: Vec<String>,
            }
            let page: Page = serde_json::from_slice(&body)
                .map_err(|e| self.protocol(format!("parsing the catalog: {e}")))?;
            out.extend(page.repositories);
            match next {
                Some(n) if out.len() < max => {
                    url = resolve_location(&url, &n).map_err(|e| self.protocol(e))?;
                }
                _ => break,
            }
        }
        out.truncate(max);
        Ok(out)
    }
}
