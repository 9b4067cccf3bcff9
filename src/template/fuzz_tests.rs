//! Property tests for `--format` templates: whatever the template text
//! and the JSON it runs against, parsing and execution return Ok or an
//! error, never panic. Random strings rarely get past the lexer, so most
//! cases are soups of template tokens. See `crate::fuzz_tests` for how
//! `make test` and `make fuzz` run them.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::format::{tabulate, Formatter};
use super::gofmt::{format_float, quote, sprintf};
use super::lex::lex;
use super::Template;

const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    "{{/* c */}}",
    " ",
    "\n",
    "\t",
    ".",
    ".A",
    ".B",
    ".A.B",
    ".0",
    "$",
    "$x",
    "$y",
    "$x :=",
    "$y =",
    ":=",
    "=",
    ",",
    "|",
    "(",
    ")",
    "if",
    "else",
    "else if",
    "else with",
    "with",
    "range",
    "end",
    "break",
    "continue",
    "define \"t\"",
    "template \"t\"",
    "template \"t\" .",
    "block \"b\" .",
    "and",
    "or",
    "not",
    "len",
    "index",
    "slice",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "print",
    "printf",
    "println",
    "html",
    "js",
    "urlquery",
    "call",
    "json",
    "split",
    "join",
    "title",
    "lower",
    "upper",
    "pad",
    "truncate",
    "nil",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "1.5",
    "-0",
    "0x1F",
    "0b101",
    "0o17",
    "017",
    "1e3",
    "1_000",
    "'a'",
    "'\\n'",
    "'\\x41'",
    "'\\u00e9'",
    "'é'",
    "\"\"",
    "\"a,b\"",
    "\",\"",
    "\"%v\"",
    "\"%d\"",
    "\"%s\"",
    "\"%q\"",
    "\"%x\"",
    "\"%5.2f\"",
    "\"%[2]d\"",
    "\"%[0]d\"",
    "\"%!\"",
    "\"%*d\"",
    "\"%-08.3e\"",
    "\"%U\"",
    "\"%#v\"",
    "\"%c\"",
    "\"%[9]*.[1]*d\"",
    "\"%\"",
    "`raw`",
    "\"\\u00e9\"",
    "\"\\xff\"",
    "é",
    "€",
    "\u{1F600}",
    "\u{0}",
    "\\",
    "\"",
    "'",
    "`",
    "-",
    "+",
    "*",
    "/",
    "#",
    "{",
    "}",
];

/// Tokens that make `range` or `printf` widths run for ages.
const BIG: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "1e308",
    "1e400",
    "0x7fffffffffffffff",
    "\"%1000000d\"",
];

fn soup() -> impl Strategy<Value = String> {
    let tok = prop_oneof![
        20 => proptest::sample::select(TOKENS).prop_map(str::to_owned),
        1 => proptest::sample::select(BIG).prop_map(str::to_owned),
        2 => ".{0,3}",
    ];
    proptest::collection::vec(tok, 0..24).prop_map(|v| v.concat())
}

/// Small JSON documents with the keys the token soup names.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-100i64..100).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MIN)),
        ".{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(("(A|B|0|x|.{0,3})", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A range over a huge integer runs "forever" (as it would in Go): leave
/// those combinations out.
fn runs_long(src: &str, data: &Value) -> bool {
    fn big(v: &Value) -> bool {
        match v {
            Value::Number(n) => n.as_i64().is_none_or(|i| i.unsigned_abs() > 1000),
            Value::Array(a) => a.iter().any(big),
            Value::Object(m) => m.values().any(big),
            _ => false,
        }
    }
    src.contains("range") && (BIG.iter().any(|b| src.contains(b)) || big(data))
}

fn run(src: &str, data: &Value) {
    if runs_long(src, data) {
        return;
    }
    let _ = lex(src);
    if let Ok(t) = Template::parse(src) {
        let _ = t.execute(data);
        let _ = t.execute_with(data, &|name, _, args| {
            (name == "M").then(|| args.first().cloned().ok_or_else(|| "no arg".to_owned()))
        });
    }
    if let Ok(t) = Template::parse_header(src) {
        let _ = t.execute(data);
    }
}

proptest! {
    #[test]
    fn templates_never_panic_on_any_string(src in any::<String>(), data in json()) {
        run(&src, &data);
    }

    #[test]
    fn templates_never_panic_on_token_soup(src in soup(), data in json()) {
        run(&src, &data);
    }

    #[test]
    fn templates_never_panic_in_actions(
        body in soup(), data in json(), rows in proptest::collection::vec(json(), 0..3)
    ) {
        // Mostly well-formed: one action around the soup, maybe a table.
        let src = format!("{{{{{body}}}}}");
        run(&src, &data);
        if runs_long(&src, &data) || rows.iter().any(|r| runs_long(&src, r)) {
            return Ok(());
        }
        if let Ok(f) = Formatter::new(&format!("table {src}\\t{{{{.A}}}}"), "") {
            let _ = f.render(&data, &rows);
        }
    }

    #[test]
    fn printf_never_panics(
        fmt in "([^%]{0,2}%[-+# 0]{0,3}(\\[[0-9]{1,2}\\])?([0-9*]{0,3})?(\\.([0-9*]{0,3}))?(\\[[0-9]{1,2}\\])?[a-zA-Z%!]?){0,4}",
        args in proptest::collection::vec(json(), 0..4),
    ) {
        let _ = sprintf(&fmt, &args);
    }

    #[test]
    fn go_formatting_never_panics(f in any::<f64>(), c in "[eEfFgGxXbv]", prec in -2i32..30, s in any::<String>()) {
        let _ = format_float(f, c.chars().next().unwrap(), prec);
        let _ = quote(&s);
        let _ = tabulate(&s);
    }
}
