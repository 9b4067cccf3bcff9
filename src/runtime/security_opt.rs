//! `--security-opt`, parsed in one place: `create` checks it (so a bad
//! value is refused before anything is made), and the spec, the seccomp
//! filter and `exec` read their parts from the result.

use super::seccomp::{self, Profile};

/// What a container's `--security-opt` values ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityOpts {
    /// `no-new-privileges[=true|false]`.
    pub no_new_privileges: bool,
    /// `seccomp=unconfined|builtin|<file>|<json>`; `None`: docker's default
    /// profile (none at all for a privileged container).
    pub seccomp: Option<Profile>,
}

impl SecurityOpts {
    /// docker's rules and messages: `key=value` (or `key:value`), the
    /// later value of a key winning; `apparmor=` and `label=` are accepted
    /// and have no effect, as on a docker host without AppArmor or SELinux.
    pub fn parse(opts: &[String]) -> Result<SecurityOpts, String> {
        let mut out = SecurityOpts::default();
        for opt in opts {
            if opt == "no-new-privileges" {
                out.no_new_privileges = true;
                continue;
            }
            let Some((key, value)) = opt.split_once('=').or_else(|| opt.split_once(':')) else {
                return Err(format!("Invalid --security-opt: {opt:?}"));
            };
            match key {
                "no-new-privileges" => {
                    out.no_new_privileges = crate::util::units::parse_go_bool(value)
                        .ok_or_else(|| format!("invalid --security-opt 2: {opt:?}"))?;
                }
                "seccomp" => {
                    out.seccomp = seccomp::parse_security_opt(opt)
                        .map_err(|e| format!("--security-opt {opt}: {e}"))?;
                }
                "apparmor" | "label" => {}
                "systempaths" => {
                    return Err(format!(
                        "--security-opt {opt}: unmasking /proc and /sys paths is not supported yet"
                    ))
                }
                _ => return Err(format!("invalid --security-opt 1: {opt:?}")),
            }
        }
        Ok(out)
    }

    /// The seccomp profile the container runs with.
    pub fn seccomp_profile(&self, privileged: bool) -> Profile {
        match (&self.seccomp, privileged) {
            (Some(p), _) => p.clone(),
            (None, true) => Profile::Unconfined,
            (None, false) => Profile::Default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(opts: &[&str]) -> Result<SecurityOpts, String> {
        SecurityOpts::parse(&opts.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn dockers_forms_and_messages() {
        assert!(parse(&["no-new-privileges"]).unwrap().no_new_privileges);
        assert!(
            parse(&["no-new-privileges:true"])
                .unwrap()
                .no_new_privileges
        );
        // The copies this replaces disagreed: exec took this as true.
        assert!(
            !parse(&["no-new-privileges=false"])
                .unwrap()
                .no_new_privileges
        );
        assert!(
            !parse(&["no-new-privileges", "no-new-privileges=0"])
                .unwrap()
                .no_new_privileges
        );
        assert_eq!(
            parse(&["no-new-privileges=maybe"]).unwrap_err(),
            "invalid --security-opt 2: \"no-new-privileges=maybe\""
        );
        assert_eq!(
            parse(&["foo"]).unwrap_err(),
            "Invalid --security-opt: \"foo\""
        );
        assert_eq!(
            parse(&["foo=bar"]).unwrap_err(),
            "invalid --security-opt 1: \"foo=bar\""
        );
        assert!(parse(&["apparmor=unconfined", "label=disable"]).is_ok());
        let s = parse(&["seccomp=unconfined"]).unwrap();
        assert_eq!(s.seccomp_profile(false), Profile::Unconfined);
        assert_eq!(parse(&[]).unwrap().seccomp_profile(false), Profile::Default);
        assert_eq!(
            parse(&[]).unwrap().seccomp_profile(true),
            Profile::Unconfined
        );
        assert!(parse(&["seccomp="]).is_err());
        assert!(parse(&["systempaths=unconfined"]).is_err());
    }
}
