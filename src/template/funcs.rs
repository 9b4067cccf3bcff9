//! Template functions: Go's builtins (`text/template/funcs.go`) and
//! docker's function maps (`docker/cli/templates/templates.go`).

use serde_json::Value;

use super::gofmt::{fmt_v, json_encode, sprint, sprintf, sprintln, type_name};
use super::V;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Print,
    Printf,
    Println,
    Html,
    Js,
    UrlQuery,
    Call,
    Json,
    Split,
    Join,
    Title,
    Lower,
    Upper,
    Pad,
    Truncate,
}

/// The functions known to both docker's basic and header function maps
/// plus Go's builtins (the names are the same in both sets).
pub(crate) fn lookup(name: &str) -> Option<Func> {
    Some(match name {
        "and" => Func::And,
        "or" => Func::Or,
        "not" => Func::Not,
        "len" => Func::Len,
        "index" => Func::Index,
        "slice" => Func::Slice,
        "eq" => Func::Eq,
        "ne" => Func::Ne,
        "lt" => Func::Lt,
        "le" => Func::Le,
        "gt" => Func::Gt,
        "ge" => Func::Ge,
        "print" => Func::Print,
        "printf" => Func::Printf,
        "println" => Func::Println,
        "html" => Func::Html,
        "js" => Func::Js,
        "urlquery" => Func::UrlQuery,
        "call" => Func::Call,
        "json" => Func::Json,
        "split" => Func::Split,
        "join" => Func::Join,
        "title" => Func::Title,
        "lower" => Func::Lower,
        "upper" => Func::Upper,
        "pad" => Func::Pad,
        "truncate" => Func::Truncate,
        _ => return None,
    })
}

/// Go parameter types of the functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Param {
    /// `reflect.Value` (builtins that inspect their argument).
    Value,
    /// `any` / `interface{}`.
    Any,
    Str,
    Int,
    StrList,
    /// No type (evaluation of a chain's receiver).
    Untyped,
}

impl Param {
    pub fn name(self) -> &'static str {
        match self {
            Param::Value => "reflect.Value",
            Param::Any | Param::Untyped => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::StrList => "[]string",
        }
    }

    pub fn can_be_nil(self) -> bool {
        matches!(
            self,
            Param::Value | Param::Any | Param::StrList | Param::Untyped
        )
    }
}

pub(crate) struct Sig {
    pub fixed: &'static [Param],
    pub variadic: Option<Param>,
}

pub(crate) fn signature(f: Func, header: bool) -> Sig {
    use Param::*;
    let (fixed, variadic): (&'static [Param], Option<Param>) = match f {
        Func::And | Func::Or | Func::Index | Func::Slice | Func::Eq | Func::Call => {
            (&[Value], Some(Value))
        }
        Func::Not | Func::Len => (&[Value], None),
        Func::Ne | Func::Lt | Func::Le | Func::Gt | Func::Ge => (&[Value, Value], None),
        Func::Print | Func::Println | Func::Html | Func::Js | Func::UrlQuery => (&[], Some(Any)),
        Func::Printf => (&[Str], Some(Any)),
        Func::Json => {
            if header {
                (&[Str], None)
            } else {
                (&[Any], None)
            }
        }
        Func::Split => (&[Str, Str], None),
        Func::Join => {
            if header {
                (&[Str, Str], None)
            } else {
                (&[StrList, Str], None)
            }
        }
        Func::Title | Func::Lower | Func::Upper => (&[Str], None),
        Func::Pad => (&[Str, Int, Int], None),
        Func::Truncate => (&[Str, Int], None),
    };
    Sig { fixed, variadic }
}

/// Go's `indirectInterface`: a nil interface (JSON null) is no value.
pub(crate) fn indirect(v: &V) -> Option<&Value> {
    match v {
        Some(Value::Null) | None => None,
        Some(v) => Some(v),
    }
}

/// Go's `isTrue`.
pub(crate) fn truth(v: &V) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                i != 0
            } else if let Some(u) = n.as_u64() {
                u != 0
            } else {
                n.as_f64().unwrap_or(0.0) != 0.0
            }
        }
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

fn str_arg(v: &V) -> &str {
    match v {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

fn int_arg(v: &V) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

fn string(s: impl Into<String>) -> V {
    Some(Value::String(s.into()))
}

/// Call `f` with already evaluated and type-checked arguments. `callee`
/// is the text of `call`'s first argument, for its error message.
pub(crate) fn apply(f: Func, header: bool, args: &[V], callee: &str) -> Result<V, String> {
    match f {
        // and/or are evaluated lazily by the executor.
        Func::And | Func::Or => Ok(args.last().cloned().flatten()),
        Func::Not => Ok(Some(Value::Bool(!truth(&args[0])))),
        Func::Len => length(&args[0]).map(|n| Some(Value::from(n as i64))),
        Func::Index => index(args),
        Func::Slice => slice(args),
        Func::Eq => eq(&args[0], &args[1..]).map(|b| Some(Value::Bool(b))),
        Func::Ne => eq(&args[0], &args[1..]).map(|b| Some(Value::Bool(!b))),
        Func::Lt => lt(&args[0], &args[1]).map(|b| Some(Value::Bool(b))),
        Func::Le => le(&args[0], &args[1]).map(|b| Some(Value::Bool(b))),
        Func::Gt => le(&args[0], &args[1]).map(|b| Some(Value::Bool(!b))),
        Func::Ge => lt(&args[0], &args[1]).map(|b| Some(Value::Bool(!b))),
        Func::Print => Ok(string(sprint(&any_args(args)))),
        Func::Println => Ok(string(sprintln(&any_args(args)))),
        Func::Printf => Ok(string(sprintf(str_arg(&args[0]), &any_args(&args[1..])))),
        Func::Html => Ok(string(html_escape(&eval_args(args)))),
        Func::Js => Ok(string(js_escape(&eval_args(args)))),
        Func::UrlQuery => Ok(string(query_escape(&eval_args(args)))),
        Func::Call => match indirect(&args[0]) {
            None => Err("call of nil".into()),
            Some(v) => Err(format!("non-function {callee} of type {}", type_name(v))),
        },
        // docker's functions print their argument in a table's header row.
        _ if header && f != Func::Pad => Ok(args[0].clone()),
        _ => apply_docker(f, args),
    }
}

/// docker's template functions (templates.basicFunctions).
fn apply_docker(f: Func, args: &[V]) -> Result<V, String> {
    match f {
        Func::Json => {
            let mut s = String::new();
            json_encode(&mut s, args[0].as_ref().unwrap_or(&Value::Null));
            Ok(string(s))
        }
        Func::Split => {
            let (s, sep) = (str_arg(&args[0]), str_arg(&args[1]));
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep).map(|p| Value::String(p.to_string())).collect()
            };
            Ok(Some(Value::Array(parts)))
        }
        Func::Join => {
            let sep = str_arg(&args[1]);
            let parts: Vec<String> = match &args[0] {
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|e| match e {
                        Value::String(s) => s.clone(),
                        other => fmt_v(other),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Ok(string(parts.join(sep)))
        }
        Func::Title => Ok(string(title(str_arg(&args[0])))),
        Func::Lower => Ok(string(
            str_arg(&args[0])
                .chars()
                .map(lower_char)
                .collect::<String>(),
        )),
        Func::Upper => Ok(string(
            str_arg(&args[0])
                .chars()
                .map(upper_char)
                .collect::<String>(),
        )),
        Func::Pad => {
            let s = str_arg(&args[0]);
            if s.is_empty() {
                return Ok(string(""));
            }
            let (prefix, suffix) = (int_arg(&args[1]), int_arg(&args[2]));
            if prefix < 0 || suffix < 0 {
                return Err("strings: negative Repeat count".into());
            }
            Ok(string(format!(
                "{}{}{}",
                " ".repeat(prefix as usize),
                s,
                " ".repeat(suffix as usize)
            )))
        }
        Func::Truncate => {
            let s = str_arg(&args[0]);
            let n = int_arg(&args[1]);
            if n < 0 {
                return Err(format!("runtime error: slice bounds out of range [:{n}]"));
            }
            let n = n as usize;
            if s.len() < n {
                return Ok(string(s));
            }
            let mut end = n;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            Ok(string(&s[..end]))
        }
        _ => unreachable!("{f:?} is one of Go's builtins"),
    }
}

/// Arguments of `any` type: a missing value is passed as nil.
fn any_args(args: &[V]) -> Vec<Value> {
    args.iter()
        .map(|a| a.clone().unwrap_or(Value::Null))
        .collect()
}

/// Go's `evalArgs` for html/js/urlquery.
fn eval_args(args: &[V]) -> String {
    if let [Some(Value::String(s))] = args {
        return s.clone();
    }
    let vals: Vec<Value> = args
        .iter()
        .map(|a| match a {
            None => Value::String("<no value>".into()),
            Some(v) => v.clone(),
        })
        .collect();
    sprint(&vals)
}

fn length(v: &V) -> Result<usize, String> {
    match v {
        None => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        // JSON null stands for a nil slice or map here: length 0.
        Some(Value::Null) => Ok(0),
        Some(Value::String(s)) => Ok(s.len()),
        Some(Value::Array(a)) => Ok(a.len()),
        Some(Value::Object(o)) => Ok(o.len()),
        Some(other) => Err(format!("len of type {}", type_name(other))),
    }
}

fn index_arg(idx: Option<&Value>, cap: usize) -> Result<usize, String> {
    match idx {
        None => Err("cannot index slice/array with nil".into()),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
            let x = n.as_i64().unwrap_or_else(|| n.as_u64().unwrap_or(0) as i64);
            if x < 0 || x as u64 > cap as u64 {
                return Err(format!("index out of range: {x}"));
            }
            Ok(x as usize)
        }
        Some(other) => Err(format!(
            "cannot index slice/array with type {}",
            type_name(other)
        )),
    }
}

/// Zero value for a missing key of an object, guessing the Go map type
/// docker would have: map[string]string (e.g. Labels) gives "", a map of
/// structs gives nil, anything else (map[string]interface{}) no value.
fn map_zero(m: &serde_json::Map<String, Value>) -> V {
    if m.values().all(Value::is_string) {
        string("")
    } else if m.values().all(Value::is_object) {
        Some(Value::Null)
    } else {
        None
    }
}

fn index(args: &[V]) -> Result<V, String> {
    let mut item: V = match &args[0] {
        None => return Err("index of untyped nil".into()),
        Some(v) => Some(v.clone()),
    };
    for idx in &args[1..] {
        let idx = indirect(idx);
        let cur = match item {
            None => return Err("index of nil pointer".into()),
            Some(v) => v,
        };
        item = match cur {
            // A null collection acts like a nil map[string]string or nil slice.
            Value::Null => match idx {
                Some(Value::String(_)) => string(""),
                _ => {
                    index_arg(idx, 0)?;
                    return Err("reflect: slice index out of range".into());
                }
            },
            Value::Array(mut a) => {
                let x = index_arg(idx, a.len())?;
                if x == a.len() {
                    return Err("reflect: slice index out of range".into());
                }
                Some(a.swap_remove(x))
            }
            Value::String(s) => {
                let x = index_arg(idx, s.len())?;
                if x == s.len() {
                    return Err("reflect: string index out of range".into());
                }
                Some(Value::from(s.as_bytes()[x]))
            }
            Value::Object(m) => match idx {
                None => return Err("value is nil; should be of type string".into()),
                Some(Value::String(k)) => match m.get(k) {
                    Some(v) => Some(v.clone()),
                    None => map_zero(&m),
                },
                Some(other) => {
                    return Err(format!(
                        "value has type {}; should be string",
                        type_name(other)
                    ))
                }
            },
            other => return Err(format!("can't index item of type {}", type_name(&other))),
        };
    }
    Ok(item)
}

fn slice(args: &[V]) -> Result<V, String> {
    let item = match indirect(&args[0]) {
        None => return Err("slice of untyped nil".into()),
        Some(v) => v,
    };
    let idxs = &args[1..];
    if idxs.len() > 3 {
        return Err(format!("too many slice indexes: {}", idxs.len()));
    }
    let cap = match item {
        Value::String(s) => {
            if idxs.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::Array(a) => a.len(),
        other => return Err(format!("can't slice item of type {}", type_name(other))),
    };
    let mut idx = [0, cap, 0];
    for (i, x) in idxs.iter().enumerate() {
        idx[i] = index_arg(indirect(x), cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if idxs.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(Some(match item {
        Value::String(s) => {
            Value::String(String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned())
        }
        Value::Array(a) => Value::Array(a[idx[0]..idx[1]].to_vec()),
        _ => Value::Null,
    }))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    Str,
}

fn basic_kind(v: Option<&Value>) -> Kind {
    match v {
        Some(Value::Bool(_)) => Kind::Bool,
        Some(Value::Number(n)) => {
            if n.is_i64() {
                Kind::Int
            } else if n.is_u64() {
                Kind::Uint
            } else {
                Kind::Float
            }
        }
        Some(Value::String(_)) => Kind::Str,
        _ => Kind::Invalid,
    }
}

fn as_i(v: Option<&Value>) -> i64 {
    v.and_then(Value::as_i64).unwrap_or(0)
}

fn as_u(v: Option<&Value>) -> u64 {
    v.and_then(Value::as_u64).unwrap_or(0)
}

fn as_f(v: Option<&Value>) -> f64 {
    v.and_then(Value::as_f64).unwrap_or(0.0)
}

fn as_s(v: Option<&Value>) -> &str {
    v.and_then(Value::as_str).unwrap_or("")
}

fn tn(v: Option<&Value>) -> &'static str {
    v.map(type_name).unwrap_or("<nil>")
}

fn same_container_kind(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_))
    )
}

fn eq(arg1: &V, rest: &[V]) -> Result<bool, String> {
    let a1 = indirect(arg1);
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a1);
    for arg in rest {
        let a = indirect(arg);
        let k2 = basic_kind(a);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => as_i(a1) >= 0 && as_i(a1) as u64 == as_u(a),
                (Kind::Uint, Kind::Int) => as_i(a) >= 0 && as_u(a1) == as_i(a) as u64,
                _ => {
                    if a1.is_some() && a.is_some() {
                        return Err(format!(
                            "incompatible types for comparison: {} and {}",
                            tn(a1),
                            tn(a)
                        ));
                    }
                    false
                }
            }
        } else {
            match k1 {
                Kind::Bool => a1.and_then(Value::as_bool) == a.and_then(Value::as_bool),
                Kind::Float => as_f(a1) == as_f(a),
                Kind::Int => as_i(a1) == as_i(a),
                Kind::Uint => as_u(a1) == as_u(a),
                Kind::Str => as_s(a1) == as_s(a),
                Kind::Invalid => match (a1, a) {
                    (Some(x), Some(y)) => {
                        if !same_container_kind(x, y) {
                            return Err(format!(
                                "non-comparable types {}: {}, {}: {}",
                                fmt_v(x),
                                type_name(x),
                                type_name(y),
                                fmt_v(y)
                            ));
                        }
                        return Err(format!(
                            "non-comparable type {}: {}",
                            fmt_v(y),
                            type_name(y)
                        ));
                    }
                    (x, y) => x.is_none() == y.is_none(),
                },
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(arg1: &V, arg2: &V) -> Result<bool, String> {
    const BAD: &str = "invalid type for comparison";
    let a1 = indirect(arg1);
    let k1 = basic_kind(a1);
    if k1 == Kind::Invalid {
        return Err(BAD.into());
    }
    let a2 = indirect(arg2);
    let k2 = basic_kind(a2);
    if k2 == Kind::Invalid {
        return Err(BAD.into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(as_i(a1) < 0 || (as_i(a1) as u64) < as_u(a2)),
            (Kind::Uint, Kind::Int) => Ok(as_i(a2) >= 0 && as_u(a1) < as_i(a2) as u64),
            _ => Err(format!(
                "incompatible types for comparison: {} and {}",
                tn(a1),
                tn(a2)
            )),
        };
    }
    match k1 {
        Kind::Bool | Kind::Invalid => Err(BAD.into()),
        Kind::Float => Ok(as_f(a1) < as_f(a2)),
        Kind::Int => Ok(as_i(a1) < as_i(a2)),
        Kind::Uint => Ok(as_u(a1) < as_u(a2)),
        Kind::Str => Ok(as_s(a1) < as_s(a2)),
    }
}

fn le(arg1: &V, arg2: &V) -> Result<bool, String> {
    let less = lt(arg1, arg2)?;
    if less {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

/// Go's `template.HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if (c as u32) < 0x80 => out.push(c),
            c if super::gofmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's (deprecated) `strings.Title`.
fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|r| {
            let out = if is_separator(prev) { title_char(r) } else { r };
            prev = r;
            out
        })
        .collect()
}

fn is_separator(r: char) -> bool {
    if (r as u32) <= 0x7f {
        return !(r.is_ascii_alphanumeric() || r == '_');
    }
    if r.is_alphabetic() || r.is_numeric() {
        return false;
    }
    r.is_whitespace()
}

fn title_char(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        c => upper_char(c),
    }
}

/// `unicode.ToUpper`: one rune in, one rune out.
fn upper_char(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `unicode.ToLower`: one rune in, one rune out.
fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}
