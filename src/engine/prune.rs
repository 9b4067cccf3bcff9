//! The filters of `container prune` and `network prune` (docker's
//! `label=`, `label!=` and `until=`).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::util::time::UnixNanos;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PruneFilter {
    /// `label=KEY[=VALUE]`.
    Label(String, Option<String>),
    /// `label!=KEY[=VALUE]`.
    NotLabel(String, Option<String>),
    /// `until=TIMESTAMP|DURATION`: made before this time.
    Until(UnixNanos),
}

impl PruneFilter {
    pub fn parse(s: &str) -> Result<PruneFilter> {
        let kv = |v: &str| match v.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (v.to_owned(), None),
        };
        if let Some(v) = s.strip_prefix("label!=") {
            let (k, v) = kv(v);
            return Ok(PruneFilter::NotLabel(k, v));
        }
        match s.split_once('=') {
            Some(("label", v)) => {
                let (k, v) = kv(v);
                Ok(PruneFilter::Label(k, v))
            }
            Some(("until", v)) => super::lifecycle::parse_time_arg(v).map(PruneFilter::Until),
            Some((k, _)) => Err(Error::InvalidArgument(format!("Invalid filter '{k}'"))),
            None => Err(Error::InvalidArgument(format!(
                "bad format of filter (expected name=value): {s}"
            ))),
        }
    }

    /// Whether an object with these labels, made at `created`, passes.
    pub fn matches(&self, labels: &BTreeMap<String, String>, created: UnixNanos) -> bool {
        let has = |k: &String, v: &Option<String>| match v {
            Some(v) => labels.get(k) == Some(v),
            None => labels.contains_key(k),
        };
        match self {
            PruneFilter::Label(k, v) => has(k, v),
            PruneFilter::NotLabel(k, v) => !has(k, v),
            PruneFilter::Until(t) => created < *t,
        }
    }
}

/// All filters pass (docker's prune takes every filter as a condition).
pub fn all_match(
    filters: &[PruneFilter],
    labels: &BTreeMap<String, String>,
    created: UnixNanos,
) -> bool {
    filters.iter().all(|f| f.matches(labels, created))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::time;

    #[test]
    fn dockers_prune_filters() {
        let labels: BTreeMap<String, String> = [("a".to_string(), "1".to_string())].into();
        let f = |s: &str| PruneFilter::parse(s).unwrap();
        assert!(f("label=a").matches(&labels, 0));
        assert!(f("label=a=1").matches(&labels, 0));
        assert!(!f("label=a=2").matches(&labels, 0));
        assert!(!f("label!=a").matches(&labels, 0));
        assert!(f("label!=b").matches(&labels, 0));
        assert!(f("until=10m").matches(&labels, 0));
        assert!(!f("until=10m").matches(&labels, time::now()));
        assert!(PruneFilter::parse("colour=red").is_err());
        assert!(PruneFilter::parse("label").is_err());
    }
}
