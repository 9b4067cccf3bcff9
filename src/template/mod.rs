//! Go `text/template` for `--format`, evaluated over `serde_json::Value`,
//! plus docker's template functions and list formatting (table mode).
//!
//! The language follows Go's `text/template` (lexer, parser and executor
//! are ports of the Go sources): actions, trim markers, comments,
//! pipelines, variables, `if`/`else if`/`with`/`else with`/`range` (with
//! `break`/`continue`, `{{else}}`, ranging over arrays, objects in sorted
//! key order and integers), `define`/`template`/`block`, all literals and
//! Go's builtins (`and or not len index slice eq ne lt le gt ge print
//! printf println html js urlquery call`). docker's functions are `json
//! split join title lower upper pad truncate` (`docker/cli/templates`).
//!
//! Data model: a JSON value stands for the Go value docker would format.
//! Objects are maps (fields are keys; a missing key is `<no value>`),
//! arrays are slices, integers print as integers and floats like Go's
//! `%v`. Choices where JSON cannot tell what Go type docker had:
//! * `null` prints `<nil>` (a nil pointer); a field of `null` is no value
//!   (`<no value>`), as for a nil map.
//! * `len` of `null` is 0 and `range` over it runs the `{{else}}` branch
//!   (a nil slice or map).
//! * `index` of an object with a missing key gives "" when every value of
//!   the object is a string (docker's `map[string]string`, e.g. Labels; an
//!   empty object or `null` counts as such), `<nil>` when every value is an
//!   object, and no value otherwise (`map[string]interface{}`).
//! * JSON integers have Go type `int`, other numbers `float64`.
//!
//! Not implemented: complex number constants, `%x`/`%b` of floats, the `#`
//! flag for floats, custom delimiters. To stay within a thread's stack,
//! `{{template}}` calls nest at most 100 deep (Go: 100000), parentheses
//! 100 deep (Go: 10000) and if/range/with blocks 100 deep (Go: no limit).

mod exec;
mod format;
mod funcs;
mod gofmt;
mod lex;
mod parse;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

pub use format::Formatter;

/// A value during execution: `None` is "no value" (Go's invalid value),
/// `Some(Value::Null)` is nil.
pub(crate) type V = Option<Value>;

/// Callback offered field accesses that are not plain map lookups:
/// `methods(name, receiver, args)`, see [`Template::execute_with`].
pub type MethodFn = dyn Fn(&str, &Value, &[Value]) -> Option<Result<Value, String>>;

pub(crate) type Methods<'m> = &'m MethodFn;

/// A template parse or execution error; the message is formatted like
/// Go's (`template: :1: function "foo" not defined`,
/// `template: :1:2: executing "" at <.Foo>: ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

/// A parsed template (the main template, named "", plus any templates it
/// defines).
#[derive(Debug, Clone)]
pub struct Template {
    text: String,
    trees: HashMap<String, parse::List>,
    header: bool,
}

impl Template {
    /// Parse with docker's function set available.
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        Self::parse_with(src, false)
    }

    /// Parse with docker's header function set: json, split, join, title,
    /// lower, upper and truncate return their first argument unchanged.
    pub fn parse_header(src: &str) -> Result<Template, TemplateError> {
        Self::parse_with(src, true)
    }

    fn parse_with(src: &str, header: bool) -> Result<Template, TemplateError> {
        let trees = parse::parse(src, &|name| funcs::lookup(name).is_some())?;
        Ok(Template {
            text: src.to_string(),
            trees,
            header,
        })
    }

    /// Execute against `data`.
    pub fn execute(&self, data: &Value) -> Result<String, TemplateError> {
        self.run(data, self.header, None, None).map_err(|(e, _)| e)
    }

    /// Like [`execute`](Self::execute), but a field access with arguments,
    /// e.g. `{{.Label "com.example"}}`, or of a field that is not a key of
    /// the map, is first offered to `methods(name, receiver, args)`;
    /// `None` means "not a method" (then normal field lookup applies), an
    /// `Err` fails execution with `error calling NAME: MESSAGE`.
    pub fn execute_with(&self, data: &Value, methods: &MethodFn) -> Result<String, TemplateError> {
        self.run(data, self.header, Some(methods), None)
            .map_err(|(e, _)| e)
    }

    /// `docker inspect`'s semantics: [`execute_with`](Self::execute_with),
    /// and a key missing from an object that stands for a Go struct is an
    /// error (`map has no entry for key "Foo"`), as docker's fallback to
    /// the raw JSON with `missingkey=error` gives; a missing key of a map
    /// (Labels) is still no value.
    pub fn execute_strict(
        &self,
        data: &Value,
        methods: &MethodFn,
    ) -> Result<String, TemplateError> {
        let mut ex = exec::Exec::new(self, self.header, Some(methods));
        ex.strict_keys = true;
        ex.run(data).map(|()| ex.out)
    }

    /// Execute; on error also return the output written before it.
    pub(crate) fn run(
        &self,
        data: &Value,
        header: bool,
        methods: Option<Methods<'_>>,
        root_type: Option<&str>,
    ) -> Result<String, (TemplateError, String)> {
        let mut ex = exec::Exec::new(self, header, methods);
        ex.root_type = root_type;
        match ex.run(data) {
            Ok(()) => Ok(ex.out),
            Err(e) => Err((e, ex.out)),
        }
    }
}
