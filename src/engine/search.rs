//! `search` on a private registry: its `_catalog`, filtered by the term
//! (as podman searches a v2 registry). Such a registry has no stars,
//! descriptions or official images.

use super::Engine;
use crate::error::{Error, Result};
use crate::image::registry::{Client, ClientOptions};

/// One result, in docker's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    pub name: String,
    pub description: String,
    pub stars: u64,
    pub official: bool,
}

/// `--filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFilter {
    IsOfficial(bool),
    Stars(u64),
}

impl SearchFilter {
    pub fn parse(s: &str) -> Result<SearchFilter> {
        let bad = || Error::InvalidArgument(format!("invalid filter '{s}'"));
        let (k, v) = s.split_once('=').ok_or_else(bad)?;
        match k {
            "is-official" => crate::util::units::parse_go_bool(v)
                .map(SearchFilter::IsOfficial)
                .ok_or_else(bad),
            "stars" => v.parse().map(SearchFilter::Stars).map_err(|_| bad()),
            "is-automated" => Err(Error::InvalidArgument(
                "the is-automated filter is deprecated (docker 28 dropped it)".into(),
            )),
            _ => Err(Error::InvalidArgument(format!("invalid filter '{k}'"))),
        }
    }

    fn keeps(&self, r: &SearchResult) -> bool {
        match self {
            SearchFilter::IsOfficial(o) => r.official == *o,
            SearchFilter::Stars(n) => r.stars >= *n,
        }
    }
}

/// `REGISTRY/TERM` → (registry, term); a term without a registry host
/// (something with a `.` or `:`, or `localhost`) names none.
pub fn split_term(term: &str) -> Option<(&str, &str)> {
    let (host, rest) = term.split_once('/')?;
    (host.contains(['.', ':']) || host == "localhost").then_some((host, rest))
}

impl Engine {
    /// `search TERM`: up to `limit` repositories whose name holds it.
    pub fn search(
        &self,
        term: &str,
        limit: usize,
        filters: &[SearchFilter],
        tls_verify: Option<bool>,
    ) -> Result<Vec<SearchResult>> {
        if !(1..=100).contains(&limit) {
            return Err(Error::InvalidArgument(format!(
                "Limit {limit} is outside the range of [1, 100]"
            )));
        }
        let Some((host, query)) = split_term(term) else {
            return Err(Error::InvalidArgument(format!(
                "search {term:?}: name the registry to search (REGISTRY/TERM, e.g. localhost:5000/{term}); skiff searches registries through their catalog, and has no Docker Hub index search"
            )));
        };
        let client = Client::new(
            host,
            ClientOptions {
                tls_verify,
                creds: None,
                user_agent: format!("skiff/{}", env!("CARGO_PKG_VERSION")),
                cert_dir: None,
            },
        )
        .map_err(Error::Registry)?;
        let query = query.to_ascii_lowercase();
        let names = client.catalog(100_000).map_err(Error::Registry)?;
        Ok(names
            .into_iter()
            .filter(|n| n.to_ascii_lowercase().contains(&query))
            .map(|n| SearchResult {
                name: format!("{host}/{n}"),
                description: String::new(),
                stars: 0,
                official: false,
            })
            .filter(|r| filters.iter().all(|f| f.keeps(r)))
            .take(limit)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_and_filters() {
        assert_eq!(
            split_term("localhost:5000/busy"),
            Some(("localhost:5000", "busy"))
        );
        assert_eq!(split_term("reg.example/x/y"), Some(("reg.example", "x/y")));
        assert_eq!(split_term("busybox"), None);
        assert_eq!(split_term("library/busybox"), None);
        assert_eq!(
            SearchFilter::parse("stars=3").unwrap(),
            SearchFilter::Stars(3)
        );
        assert_eq!(
            SearchFilter::parse("is-official=true").unwrap(),
            SearchFilter::IsOfficial(true)
        );
        assert!(SearchFilter::parse("bogus=1").is_err());
        assert!(SearchFilter::parse("stars=many").is_err());
    }
}
