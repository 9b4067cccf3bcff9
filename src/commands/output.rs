//! Writing results: docker's --format handling, tables, inspect JSON.

use std::io::Write;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::template::{Formatter, Template};

static DISCARD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--noout` (podman): what commands print to stdout goes nowhere.
pub fn discard_stdout() {
    DISCARD.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Print to stdout; a closed pipe (`skiff images | head -1`) is not an error.
pub fn out(s: &str) -> Result<()> {
    if DISCARD.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    let mut o = std::io::stdout().lock();
    match o.write_all(s.as_bytes()).and_then(|_| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Error::Other(format!("writing to stdout: {e}"))),
    }
}

pub fn outln(s: &str) -> Result<()> {
    let mut line = String::with_capacity(s.len() + 1);
    line.push_str(s);
    line.push('\n');
    out(&line)
}

fn template_error(e: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("template parsing error: {e}"))
}

/// Render rows for a list verb: `format` is the user's --format (None =
/// the default table), `headers` maps field names to column titles.
pub fn render_list(
    format: Option<&str>,
    default_table: &str,
    headers: &Value,
    rows: &[Value],
) -> Result<String> {
    render_list_with(format, default_table, headers, rows, false)
}

/// `render_list`, without the table's header row if `no_header`.
pub fn render_list_with(
    format: Option<&str>,
    default_table: &str,
    headers: &Value,
    rows: &[Value],
    no_header: bool,
) -> Result<String> {
    let f = Formatter::new(format.unwrap_or(default_table), default_table)
        .map_err(template_error)?
        .without_header(no_header);
    f.render(headers, rows)
        .map_err(|e| Error::InvalidArgument(e.to_string()))
}

/// docker inspect's JSON: an array, 4-space indent, newline at the end.
pub fn inspect_json(values: &[Value]) -> Result<String> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(values, &mut ser).map_err(|e| Error::Other(e.to_string()))?;
    buf.push(b'\n');
    String::from_utf8(buf).map_err(|e| Error::Other(e.to_string()))
}

/// `inspect -f`: each object through the template, one line each.
pub fn inspect_format(format: &str, values: &[Value]) -> Result<String> {
    inspect_format_named("", format, values)
}

/// `inspect_format` for a template docker names (`version`'s is
/// "version"). As docker's CLI: a template that does not parse exits 64
/// (`template parsing error: ...`); at execution, Go's field names of
/// docker's types are the JSON keys, except `ID` (tagged `json:"Id"`),
/// and a key missing from a struct is an error (docker's fallback to the
/// raw JSON with `missingkey=error`).
pub fn inspect_format_named(name: &str, format: &str, values: &[Value]) -> Result<String> {
    let format = if format == "json" {
        "{{json .}}"
    } else {
        format
    };
    let t = Template::parse(format).map_err(|e| Error::Status {
        code: 64,
        message: format!("template parsing error: {e}").replacen(
            "template: :",
            &format!("template: {name}:"),
            1,
        ),
    })?;
    let go_names = |field: &str, recv: &Value, _: &[Value]| match (field, recv) {
        ("ID", Value::Object(o)) => o.get("Id").cloned().map(Ok),
        _ => None,
    };
    let mut s = String::new();
    for v in values {
        let text = t
            .execute_strict(v, &go_names)
            .map_err(|e| Error::Raw(format!("template parsing error: {e}")))?;
        s.push_str(&text);
        s.push('\n');
    }
    Ok(s)
}

/// Print an error the way design.md says: one line, `Error: ...`.
pub fn report(e: &Error, debug: bool) {
    match e {
        Error::Raw(m) | Error::Status { message: m, .. } => eprintln!("{m}"),
        _ => eprintln!("Error: {e}"),
    }
    if debug {
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            eprintln!("  caused by: {s}");
            src = s.source();
        }
    }
}
