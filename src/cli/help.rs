//! `--help` in docker's layout (docker/cli's cobra usage template and
//! pflag's FlagUsagesWrapped), rendered from the clap command tree.

use clap::{Arg, ArgAction, Command};

/// Terminal width docker assumes without a terminal, minus one (pflag).
const COLUMNS: usize = 79;

/// The `Usage:` line of a command: `skiff rm [OPTIONS] CONTAINER [CONTAINER...]`.
pub fn usage_line(path: &str, cmd: &Command) -> String {
    if let Some(u) = cmd.get_overridden_usage() {
        return format!("{path} {u}");
    }
    if cmd.has_subcommands() {
        return format!("{path} COMMAND");
    }
    let mut s = path.to_owned();
    if visible_flags(cmd).next().is_some() {
        s.push_str(" [OPTIONS]");
    }
    for (i, a) in cmd
        .get_positionals()
        .filter(|a| !a.is_hide_set())
        .enumerate()
    {
        let name = a
            .get_value_names()
            .and_then(|v| v.first())
            .map(|n| n.to_string())
            .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
        let many = matches!(a.get_action(), ArgAction::Append)
            || a.get_num_args().is_some_and(|r| r.max_values() > 1);
        s.push(' ');
        // A first positional list that is optional only because of a
        // flag (`rm --all`) is shown as docker shows it: required.
        s.push_str(&match (a.is_required_set() || (many && i == 0), many) {
            (true, false) => name,
            (false, false) => format!("[{name}]"),
            (true, true) => format!("{name} [{name}...]"),
            (false, true) => format!("[{name}...]"),
        });
    }
    s
}

fn visible_flags(cmd: &Command) -> impl Iterator<Item = &Arg> {
    cmd.get_arguments().filter(|a| {
        !a.is_positional()
            && !a.is_hide_set()
            && !a.is_global_set()
            && !matches!(
                a.get_action(),
                ArgAction::Help | ArgAction::HelpLong | ArgAction::HelpShort
            )
    })
}

/// A docker boolean flag (see grammar::docker_arg): no value name shown.
fn is_bool(a: &Arg) -> bool {
    a.get_num_args().is_some_and(|r| r.min_values() == 0)
        && a.get_default_values()
            .iter()
            .any(|v| v == "false" || v == "true")
}

/// pflag's type name shown after the flag: docker's lower-case names are
/// taken from `value_name` when it is lower case, else from the type.
fn type_name(a: &Arg) -> &'static str {
    if let Some(n) = a.get_value_names().and_then(|v| v.first()) {
        let n = n.as_str();
        if n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Box::leak(n.to_owned().into_boxed_str());
        }
    }
    if matches!(a.get_action(), ArgAction::Append) {
        return "list";
    }
    if crate::arg_is!(a, i64) || crate::arg_is!(a, i32) {
        "int"
    } else if crate::arg_is!(a, u16) {
        "uint16"
    } else if crate::arg_is!(a, u64) || crate::arg_is!(a, u32) {
        "uint"
    } else {
        "string"
    }
}

/// pflag's FlagUsagesWrapped.
pub fn flag_usages(cmd: &Command, cols: usize) -> String {
    let mut flags: Vec<&Arg> = visible_flags(cmd).collect();
    flags.sort_by_key(|a| a.get_long().unwrap_or(a.get_id().as_str()).to_owned());
    let mut lines = Vec::new();
    let mut maxlen = 0;
    for a in flags {
        let mut left = match (a.get_short(), a.get_long()) {
            (Some(s), Some(l)) => format!("  -{s}, --{l}"),
            (_, Some(l)) => format!("      --{l}"),
            (Some(s), None) => format!("  -{s}"),
            (None, None) => continue,
        };
        let bool_flag = is_bool(a);
        if !bool_flag {
            left.push(' ');
            left.push_str(type_name(a));
        }
        maxlen = maxlen.max(left.len() + 1);
        let mut usage = a.get_help().map(|h| h.to_string()).unwrap_or_default();
        if let Some(d) = shown_default(a, bool_flag) {
            usage.push_str(&format!(" (default {d})"));
        }
        lines.push((left, usage));
    }
    let mut out = String::new();
    for (left, usage) in lines {
        let spacing = " ".repeat(maxlen - left.len());
        out.push_str(&format!(
            "{left} {spacing} {}\n",
            wrap(maxlen + 2, cols, &usage)
        ));
    }
    out
}

fn shown_default(a: &Arg, bool_flag: bool) -> Option<String> {
    if a.is_hide_default_value_set() && !bool_flag {
        return None;
    }
    let d = a
        .get_default_values()
        .first()?
        .to_string_lossy()
        .into_owned();
    if d.is_empty() || d == "false" || d == "0" || d == "[]" {
        return None;
    }
    if bool_flag {
        return Some(d);
    }
    Some(if type_name(a) == "string" {
        format!("{d:?}")
    } else {
        d
    })
}

/// pflag's wrap: the first line is indented by the caller.
fn wrap(indent: usize, cols: usize, s: &str) -> String {
    let mut i = indent;
    let mut width = cols.saturating_sub(i);
    let mut r = String::new();
    if width < 24 {
        i = 16;
        width = cols.saturating_sub(i);
        r.push('\n');
        r.push_str(&" ".repeat(i));
    }
    let pad = format!("\n{}", " ".repeat(i));
    if width < 24 {
        return s.replace('\n', &r);
    }
    let slop = 5;
    let width = width - slop;
    let (first, mut rest) = wrap_n(width, slop, s);
    r.push_str(&first.replace('\n', &pad));
    while !rest.is_empty() {
        let (t, more) = wrap_n(width, slop, rest);
        r.push_str(&pad);
        r.push_str(&t.replace('\n', &pad));
        rest = more;
    }
    r
}

fn wrap_n(i: usize, slop: usize, s: &str) -> (&str, &str) {
    if i + slop > s.len() {
        return (s, "");
    }
    let head = &s[..floor_char(s, i)];
    let Some(w) = head.rfind([' ', '\t', '\n']).filter(|&w| w > 0) else {
        return (s, "");
    };
    if let Some(nl) = head.rfind('\n').filter(|&n| n > 0 && n < w) {
        return (&s[..nl], &s[nl + 1..]);
    }
    (&s[..w], &s[w + 1..])
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn about(cmd: &Command) -> String {
    cmd.get_long_about()
        .or(cmd.get_about())
        .map(|s| s.to_string())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// cobra's command list: names padded to 11 (or the longest), then the summary.
fn command_list<'a>(cmds: impl Iterator<Item = &'a Command>) -> String {
    let cmds: Vec<&Command> = cmds.filter(|c| !c.is_hide_set()).collect();
    let pad = cmds
        .iter()
        .map(|c| c.get_name().len())
        .max()
        .unwrap_or(0)
        .max(11);
    cmds.iter()
        .map(|c| format!("  {:<pad$} {}\n", c.get_name(), about(c)))
        .collect()
}

/// The help of `cmd`, invoked as `path`, with `aliases` (the other paths
/// that run the same command, docker's "Aliases:").
pub fn render(path: &str, cmd: &Command, aliases: &[String]) -> String {
    let mut s = format!("Usage:  {}\n\n{}\n", usage_line(path, cmd), about(cmd));
    if aliases.len() > 1 {
        s.push_str(&format!("\nAliases:\n  {}\n", aliases.join(", ")));
    }
    if let Some(ex) = cmd.get_after_help() {
        s.push_str(&format!("\nExamples:\n{}\n", ex.to_string().trim_end()));
    }
    if cmd.has_subcommands() {
        let mut subs: Vec<&Command> = cmd.get_subcommands().collect();
        subs.sort_by_key(|c| c.get_name().to_owned());
        s.push_str(&format!("\nCommands:\n{}", command_list(subs.into_iter())));
        s.push_str(&format!(
            "\nRun '{path} COMMAND --help' for more information on a command.\n"
        ));
        return s;
    }
    let flags = flag_usages(cmd, COLUMNS);
    if !flags.is_empty() {
        s.push_str(&format!("\nOptions:\n{flags}"));
    }
    s
}

/// The root's help: docker's command groups, then the global options.
pub fn render_root(prog: &str, root: &Command, common: &[&str], management: &[&str]) -> String {
    let mut s = format!("Usage:  {prog} [OPTIONS] COMMAND\n\n{}\n", about(root));
    let find = |names: &[&str]| -> Vec<&Command> {
        names
            .iter()
            .filter_map(|n| root.find_subcommand(n))
            .collect()
    };
    s.push_str(&format!(
        "\nCommon Commands:\n{}",
        command_list(find(common).into_iter())
    ));
    s.push_str(&format!(
        "\nManagement Commands:\n{}",
        command_list(find(management).into_iter())
    ));
    let mut rest: Vec<&Command> = root
        .get_subcommands()
        .filter(|c| !common.contains(&c.get_name()) && !management.contains(&c.get_name()))
        .collect();
    rest.sort_by_key(|c| c.get_name().to_owned());
    s.push_str(&format!("\nCommands:\n{}", command_list(rest.into_iter())));
    let globals = root.clone().mut_args(|a| a.global(false));
    s.push_str(&format!(
        "\nGlobal Options:\n{}",
        flag_usages(&globals, COLUMNS)
    ));
    s.push_str(&format!(
        "\nRun '{prog} COMMAND --help' for more information on a command.\n"
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pflag_wrapping() {
        // docker run's --add-host line at its column 39.
        assert_eq!(
            wrap(39, 79, "Add a custom host-to-IP mapping (host:ip)"),
            format!(
                "Add a custom host-to-IP mapping\n{}(host:ip)",
                " ".repeat(39)
            )
        );
        assert_eq!(wrap(24, 79, "short"), "short");
    }
}
