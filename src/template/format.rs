//! docker's `--format` handling for list commands: a port of
//! `docker/cli/cli/command/formatter` `Context` (table mode, the `json`
//! keyword, `\t`/`\n` escapes, the header row and tabwriter alignment).

use std::io::Write;

use serde_json::Value;
use tabwriter::TabWriter;

use super::{MethodFn, Methods, Template, TemplateError};

const TABLE_KEY: &str = "table";
const JSON_KEY: &str = "json";
const JSON_FORMAT: &str = "{{json .}}";

/// A list formatter built from the user's `--format`.
#[derive(Debug, Clone)]
pub struct Formatter {
    tmpl: Template,
    table: bool,
    no_header: bool,
    go_type: Option<&'static str>,
}

impl Formatter {
    /// `format` is the user's --format (or the command's default). The bare
    /// word `table` means `default_table`; `json` means `{{json .}}`;
    /// other formats starting with `table` are table formats.
    pub fn new(format: &str, default_table: &str) -> Result<Formatter, TemplateError> {
        let format = if format == TABLE_KEY {
            default_table
        } else {
            format
        };
        let table = format.starts_with(TABLE_KEY);
        let body = if table {
            &format[TABLE_KEY.len()..]
        } else if format == JSON_KEY {
            JSON_FORMAT
        } else {
            format
        };
        let body = body
            .trim_matches(' ')
            .replace("\\t", "\t")
            .replace("\\n", "\n");
        Ok(Formatter {
            tmpl: Template::parse(&body)?,
            table,
            no_header: false,
            go_type: None,
        })
    }

    /// Leave out a table's header row (podman's `--noheading`).
    pub fn without_header(mut self, yes: bool) -> Formatter {
        self.no_header = yes;
        self
    }

    /// The Go type docker formats each row as (`*formatter.ContainerContext`):
    /// a field a row lacks is an error naming it, as Go's.
    pub fn rows_of(mut self, go_type: &'static str) -> Formatter {
        self.go_type = Some(go_type);
        self
    }

    pub fn is_table(&self) -> bool {
        self.table
    }

    /// Render `rows`; in table mode a header row (the template executed
    /// with the header functions against `headers`) comes first and the
    /// output is aligned like docker's tabwriter.
    pub fn render(&self, headers: &Value, rows: &[Value]) -> Result<String, TemplateError> {
        self.render_inner(headers, rows, None)
    }

    /// Like [`render`](Self::render), offering method calls on rows to
    /// `methods` (see [`Template::execute_with`]).
    pub fn render_with(
        &self,
        headers: &Value,
        rows: &[Value],
        methods: &MethodFn,
    ) -> Result<String, TemplateError> {
        self.render_inner(headers, rows, Some(methods))
    }

    fn render_inner(
        &self,
        headers: &Value,
        rows: &[Value],
        methods: Option<Methods<'_>>,
    ) -> Result<String, TemplateError> {
        let mut body = String::new();
        for row in rows {
            let s = self
                .tmpl
                .run(row, false, methods, self.go_type)
                .map_err(|(e, _)| e)?;
            body.push_str(&s);
            body.push('\n');
        }
        if !self.table {
            return Ok(body);
        }
        // docker ignores errors executing the header, keeping what was
        // written before the error.
        let header = match self.tmpl.run(headers, true, None, None) {
            Ok(s) => s,
            Err((_, partial)) => partial,
        };
        let table = tabulate(&format!("{header}\n{body}"));
        if self.no_header {
            return Ok(table
                .split_once('\n')
                .map_or(String::new(), |(_, rest)| rest.to_owned()));
        }
        Ok(table)
    }
}

/// Align like docker's `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`:
/// each column is as wide as its widest cell plus 3, and at least 10; the
/// text after a line's last tab is not part of a column.
pub(crate) fn tabulate(text: &str) -> String {
    // The tabwriter crate pads cells to max(minwidth, widest) + padding;
    // Go pads to max(minwidth, widest + padding): minwidth 7 + 3 = 10.
    let mut tw = TabWriter::new(Vec::new())
        .minwidth(7)
        .padding(3)
        .ansi(false);
    if tw.write_all(text.as_bytes()).is_err() {
        return text.to_string();
    }
    match tw.into_inner() {
        Ok(buf) => String::from_utf8_lossy(&buf).into_owned(),
        Err(_) => text.to_string(),
    }
}
