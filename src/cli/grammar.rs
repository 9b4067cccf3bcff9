//! cobra's flag grammar on top of clap, applied once to the whole command
//! tree, and cobra's (docker's) texts for the errors a command line can
//! have.
//!
//! What docker's flags (spf13/pflag) do and clap does not by default:
//! - a repeated single-value flag takes its last value (`--format a
//!   --format b` is `b`);
//! - a boolean flag takes an optional `=value` in Go's spellings
//!   (`--rm=false`, `-d=1`), so the Args structs declare plain `bool`s;
//! - numbers are Go's: `invalid argument "x" for "-n, --last" flag:
//!   strconv.ParseInt: parsing "x": invalid syntax`.

use clap::builder::{PossibleValue, TypedValueParser, ValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The tree with docker's grammar on every command and flag.
/// Whether `a` parses into a `T` (clap's value parser type).
#[macro_export]
macro_rules! arg_is {
    ($a:expr, $t:ty) => {
        $a.get_value_parser().type_id()
            == clap::builder::ValueParser::from(clap::value_parser!($t)).type_id()
    };
}

pub fn docker_tree(cmd: Command) -> Command {
    cmd.args_override_self(true)
        .disable_help_subcommand(true)
        .mut_args(docker_arg)
        .mut_subcommands(docker_tree)
}

fn docker_arg(a: Arg) -> Arg {
    if matches!(a.get_action(), ArgAction::SetTrue) {
        let default = match a.get_default_values() {
            [v, ..] if v == "true" => "true",
            _ => "false",
        };
        return a
            .action(ArgAction::Set)
            .num_args(0..=1)
            .require_equals(true)
            .default_value(default)
            .default_missing_value("true")
            .value_parser(GoBool)
            .hide_default_value(true)
            .hide_possible_values(true);
    }
    // pflag: a flag that takes a value takes the next word, even `-1`.
    let a = if !a.is_positional() && a.get_action().takes_values() {
        a.allow_hyphen_values(true)
    } else {
        a
    };
    let named = |n: &str| {
        a.get_value_names()
            .is_some_and(|v| v.iter().any(|x| x == n))
    };
    if named("filter") {
        return a.value_parser(FilterOpt);
    }
    if named("bytes") {
        return a.value_parser(BytesOpt);
    }
    let parser = a.get_value_parser().type_id();
    macro_rules! go_int {
        ($($t:ty),*) => {$(
            if parser == ValueParser::from(clap::value_parser!($t)).type_id() {
                return a.value_parser(GoInt::<$t>::default());
            }
        )*};
    }
    go_int!(i64, u64, i32, u32, u16, usize);
    a
}

/// Go's `strconv.ParseBool`.
#[derive(Clone, Copy)]
struct GoBool;

impl TypedValueParser for GoBool {
    type Value = bool;
    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<bool, clap::Error> {
        let v = value.to_string_lossy();
        crate::util::units::parse_go_bool(&v).ok_or_else(|| {
            invalid(
                cmd,
                arg,
                &v,
                &format!("strconv.ParseBool: parsing {v:?}: invalid syntax"),
            )
        })
    }
    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        None
    }
}

/// docker's `opts.FilterOpt`: `--filter` values are `key=value`.
#[derive(Clone, Copy)]
struct FilterOpt;

impl TypedValueParser for FilterOpt {
    type Value = String;
    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let v = value.to_string_lossy();
        if !v.contains('=') {
            return Err(invalid(
                cmd,
                arg,
                &v,
                "bad format of filter (expected name=value)",
            ));
        }
        Ok(v.into_owned())
    }
}

/// docker's `opts.MemBytes`: a size such as `512m` (units.RAMInBytes).
#[derive(Clone, Copy)]
struct BytesOpt;

impl TypedValueParser for BytesOpt {
    type Value = String;
    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let v = value.to_string_lossy();
        if crate::util::units::parse_ram(&v).is_none() {
            return Err(invalid(cmd, arg, &v, &format!("invalid size: '{v}'")));
        }
        Ok(v.into_owned())
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` (and ParseUint) for integer flags.
struct GoInt<T>(std::marker::PhantomData<T>);

impl<T> Default for GoInt<T> {
    fn default() -> Self {
        GoInt(std::marker::PhantomData)
    }
}

impl<T> Clone for GoInt<T> {
    fn clone(&self) -> Self {
        GoInt::default()
    }
}

impl<T> TypedValueParser for GoInt<T>
where
    T: TryFrom<i128> + Clone + Send + Sync + 'static,
{
    type Value = T;
    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let v = value.to_string_lossy();
        let signed = std::any::type_name::<T>().starts_with('i');
        let func = if signed { "ParseInt" } else { "ParseUint" };
        let fail = |why: &str| {
            invalid(
                cmd,
                arg,
                &v,
                &format!("strconv.{func}: parsing {v:?}: {why}"),
            )
        };
        let n = parse_go_int(&v, signed).ok_or_else(|| fail("invalid syntax"))?;
        T::try_from(n).map_err(|_| fail("value out of range"))
    }
}

/// A Go integer literal with base prefix (0x, 0o, 0b, 0) and underscores.
pub fn parse_go_int(s: &str, signed: bool) -> Option<i128> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') if signed => (true, &s[1..]),
        Some(b'+') if signed => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(b) = lower.strip_prefix("0x") {
        (16, b.to_owned())
    } else if let Some(b) = lower.strip_prefix("0o") {
        (8, b.to_owned())
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b.to_owned())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_owned())
    } else {
        (10, lower.clone())
    };
    if body.is_empty()
        || body.starts_with(['_', '-', '+'])
        || body.starts_with('_')
        || body.ends_with('_')
        || body.contains("__")
    {
        return None;
    }
    let n = i128::from_str_radix(&body.replace('_', ""), radix).ok()?;
    if n > u64::MAX as i128 {
        return None;
    }
    Some(if neg { -n } else { n })
}

/// A value error whose message is already docker's whole line.
fn invalid(cmd: &Command, arg: Option<&Arg>, value: &str, why: &str) -> clap::Error {
    let mut e = clap::Error::new(ErrorKind::ValueValidation).with_cmd(cmd);
    let names = arg.map(flag_names).unwrap_or_default();
    e.insert(
        ContextKind::Custom,
        ContextValue::String(format!(
            "invalid argument {value:?} for {names:?} flag: {why}"
        )),
    );
    e
}

/// pflag's name of a flag in messages: `-n, --last` or `--format`.
pub fn flag_names(a: &Arg) -> String {
    match (a.get_short(), a.get_long()) {
        (Some(s), Some(l)) => format!("-{s}, --{l}"),
        (None, Some(l)) => format!("--{l}"),
        (Some(s), None) => format!("-{s}"),
        (None, None) => a.get_id().to_string(),
    }
}

/// How many positional arguments a command takes: cobra's Args checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arity {
    pub min: usize,
    pub max: Option<usize>,
}

pub fn arity(cmd: &Command) -> Arity {
    let mut min = 0;
    let mut max = Some(0);
    for a in cmd.get_positionals() {
        let range = a.get_num_args().unwrap_or_else(|| 1.into());
        let many = matches!(a.get_action(), ArgAction::Append) || range.max_values() > 1;
        // A first positional list that a flag makes optional (`rm --all`)
        // counts as required, as docker's has no such flag.
        if a.is_required_set() || (many_first(a, min, max)) {
            min += range.min_values().max(1);
        }
        max = match (max, many) {
            (_, true) | (None, _) => None,
            (Some(m), false) => Some(m + 1),
        };
    }
    Arity { min, max }
}

fn many_first(a: &Arg, min: usize, max: Option<usize>) -> bool {
    let many = matches!(a.get_action(), ArgAction::Append)
        || a.get_num_args().is_some_and(|r| r.max_values() > 1);
    many && min == 0 && max == Some(0)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "argument"
    } else {
        "arguments"
    }
}

/// docker's text for a wrong number of arguments (cli/required.go), with
/// its own quirk kept: the "at least" forms say "See", the others "Run".
pub fn arity_error(prog: &str, path: &str, usage: &str, a: Arity, given: usize) -> Option<String> {
    let (what, verb) = match (a.min, a.max) {
        (_, Some(0)) if given > 0 => ("accepts no arguments".to_owned(), "Run"),
        (min, Some(max)) if min == max && given != min => {
            (format!("requires {min} {}", plural(min)), "Run")
        }
        (min, None) if given < min => (format!("requires at least {min} {}", plural(min)), "See"),
        (0, Some(max)) if given > max => (format!("requires at most {max} {}", plural(max)), "Run"),
        (min, Some(max)) if given < min || given > max => (
            format!("requires at least {min} and at most {max} {}", plural(max)),
            "Run",
        ),
        _ => return None,
    };
    Some(format!(
        "{prog}: '{path}' {what}\n\nUsage:  {usage}\n\n{verb} '{path} --help' for more information"
    ))
}

/// cobra's flag error: the message, the usage line, the help pointer.
pub fn flag_error(msg: &str, path: &str, usage: &str) -> String {
    format!("{msg}\n\nUsage:  {usage}\n\nRun '{path} --help' for more information")
}

/// Turn a clap error into pflag's first line; `last` is the command
/// line's last word (a flag missing its value is always the last word).
pub fn flag_message(e: &clap::Error, cmd: &Command, last: &str) -> String {
    let ctx_str = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    if let Some(custom) = ctx_str(ContextKind::Custom) {
        return custom;
    }
    let invalid_arg = ctx_str(ContextKind::InvalidArg).unwrap_or_default();
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let arg = invalid_arg
                .split('=')
                .next()
                .unwrap_or(&invalid_arg)
                .to_owned();
            if arg.starts_with("--") {
                format!("unknown flag: {arg}")
            } else {
                let c = arg.trim_start_matches('-').chars().next().unwrap_or('?');
                format!("unknown shorthand flag: '{c}' in {arg}")
            }
        }
        ErrorKind::InvalidValue | ErrorKind::NoEquals
            if ctx_str(ContextKind::InvalidValue).is_none_or(|v| v.is_empty()) =>
        {
            let used = invalid_arg
                .split([' ', '='])
                .next()
                .unwrap_or("")
                .to_owned();
            // clap names the long form even when the short one was used.
            let short = find_flag(cmd, &used).and_then(|a| a.get_short());
            match short {
                Some(c)
                    if !used.starts_with("--")
                        || (!last.starts_with("--") && last.ends_with(c)) =>
                {
                    let word = if last.starts_with('-') && !last.starts_with("--") {
                        last
                    } else {
                        &used
                    };
                    format!("flag needs an argument: '{c}' in {word}")
                }
                _ => format!("flag needs an argument: {used}"),
            }
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = ctx_str(ContextKind::InvalidValue).unwrap_or_default();
            let used = invalid_arg
                .split([' ', '='])
                .next()
                .unwrap_or("")
                .to_owned();
            let names = find_flag(cmd, &used).map(flag_names).unwrap_or(used);
            let why = e
                .source()
                .map(|s| s.to_string())
                .unwrap_or_else(|| first_line(e));
            format!("invalid argument {value:?} for {names:?} flag: {why}")
        }
        ErrorKind::MissingRequiredArgument => {
            let names: Vec<String> = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(v)) => v.clone(),
                _ => vec![invalid_arg],
            };
            let names: Vec<String> = names
                .iter()
                .map(|n| {
                    let flag = n.split([' ', '=']).next().unwrap_or(n);
                    format!("{:?}", flag.trim_start_matches('-'))
                })
                .collect();
            format!("required flag(s) {} not set", names.join(", "))
        }
        _ => first_line(e),
    }
}

fn first_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments");
    first.trim_start_matches("error: ").to_owned()
}

/// The flag a user typed (`--last`, `-n`), in `cmd` or its parents' globals.
fn find_flag<'a>(cmd: &'a Command, used: &str) -> Option<&'a Arg> {
    let long = used.strip_prefix("--");
    let short = used.strip_prefix('-').and_then(|s| s.chars().next());
    cmd.get_arguments().find(|a| match long {
        Some(l) => a.get_long() == Some(l) || a.get_all_aliases().is_some_and(|v| v.contains(&l)),
        None => short.is_some() && a.get_short() == short,
    })
}

/// Whether the error is about positional arguments (cobra checks those
/// itself, after flags, with its own texts).
pub fn is_positional_error(e: &clap::Error, cmd: &Command) -> bool {
    match e.kind() {
        ErrorKind::MissingRequiredArgument => {
            let names: Vec<String> = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(v)) => v.clone(),
                Some(ContextValue::String(s)) => vec![s.clone()],
                _ => vec![],
            };
            names.iter().any(|n| !n.starts_with('-'))
        }
        ErrorKind::UnknownArgument => match e.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(s)) => !s.starts_with('-'),
            _ => false,
        },
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            cmd.get_positionals().next().is_some()
        }
        _ => false,
    }
}

/// The value parser a docker boolean flag uses (for flags built by hand).
pub fn go_bool() -> ValueParser {
    ValueParser::new(GoBool)
}

use std::error::Error as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_ints() {
        assert_eq!(parse_go_int("10", true), Some(10));
        assert_eq!(parse_go_int("-1", true), Some(-1));
        assert_eq!(parse_go_int("-1", false), None);
        assert_eq!(parse_go_int("0x10", true), Some(16));
        assert_eq!(parse_go_int("010", true), Some(8));
        assert_eq!(parse_go_int("1_000", true), Some(1000));
        assert_eq!(parse_go_int("abc", true), None);
        assert_eq!(parse_go_int("", true), None);
    }

    #[test]
    fn docker_arity_texts() {
        let one_or_more = Arity { min: 1, max: None };
        assert_eq!(
            arity_error("docker", "docker rm", "docker rm [OPTIONS] CONTAINER [CONTAINER...]", one_or_more, 0).unwrap(),
            "docker: 'docker rm' requires at least 1 argument\n\nUsage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'docker rm --help' for more information"
        );
        assert!(arity_error("d", "d rm", "u", one_or_more, 3).is_none());
        let none = Arity {
            min: 0,
            max: Some(0),
        };
        assert!(arity_error("d", "d ps", "u", none, 1)
            .unwrap()
            .contains("'d ps' accepts no arguments"));
        let two = Arity {
            min: 2,
            max: Some(2),
        };
        assert!(arity_error("d", "d tag", "u", two, 3)
            .unwrap()
            .contains("requires 2 arguments\n"));
        let port = Arity {
            min: 1,
            max: Some(2),
        };
        assert!(arity_error("d", "d port", "u", port, 0)
            .unwrap()
            .contains("requires at least 1 and at most 2 arguments"));
        let opt = Arity {
            min: 0,
            max: Some(1),
        };
        assert!(arity_error("d", "d images", "u", opt, 2)
            .unwrap()
            .contains("requires at most 1 argument\n"));
    }
}
