//! Expected outputs follow Go's text/template and docker/cli behaviour.

use serde_json::{json, Value};

use super::format::tabulate;
use super::gofmt::{format_float, quote, sprintf};
use super::{Formatter, Template};

fn run(tpl: &str, data: Value) -> String {
    match Template::parse(tpl) {
        Ok(t) => match t.execute(&data) {
            Ok(s) => s,
            Err(e) => panic!("execute {tpl:?}: {e}"),
        },
        Err(e) => panic!("parse {tpl:?}: {e}"),
    }
}

fn err(tpl: &str, data: Value) -> String {
    match Template::parse(tpl) {
        Err(e) => e.0,
        Ok(t) => match t.execute(&data) {
            Ok(s) => panic!("expected error for {tpl:?}, got {s:?}"),
            Err(e) => e.0,
        },
    }
}

fn parse_err(tpl: &str) -> String {
    match Template::parse(tpl) {
        Err(e) => e.0,
        Ok(_) => panic!("expected parse error for {tpl:?}"),
    }
}

fn hdr(tpl: &str, data: Value) -> String {
    Template::parse_header(tpl).unwrap().execute(&data).unwrap()
}

// ---------------------------------------------------------------------------
// Text, fields, printing

#[test]
fn plain_text() {
    assert_eq!(run("hello, world", json!(null)), "hello, world");
    assert_eq!(run("", json!({})), "");
    assert_eq!(run("a } b }} c", json!(null)), "a } b }} c");
}

#[test]
fn field_access() {
    let d = json!({"Name": "web", "Config": {"Image": "nginx", "Env": {"A": {"B": "deep"}}}});
    assert_eq!(run("{{.Name}}", d.clone()), "web");
    assert_eq!(run("{{.Config.Image}}", d.clone()), "nginx");
    assert_eq!(run("{{.Config.Env.A.B}}", d.clone()), "deep");
    assert_eq!(run("{{ .Name }}", d.clone()), "web");
}

#[test]
fn missing_key_is_no_value() {
    let d = json!({"A": {"B": 1}});
    assert_eq!(run("{{.Missing}}", d.clone()), "<no value>");
    assert_eq!(run("{{.A.Missing}}", d.clone()), "<no value>");
    assert_eq!(run("{{.Missing.Deeper.Still}}", d), "<no value>");
}

#[test]
fn null_prints_nil() {
    let d = json!({"H": null});
    assert_eq!(run("{{.H}}", d.clone()), "<nil>");
    assert_eq!(run("{{.}}", json!(null)), "<nil>");
    assert_eq!(run("{{.H.Status}}", d), "<no value>");
}

#[test]
fn print_scalars() {
    assert_eq!(run("{{.}}", json!("str")), "str");
    assert_eq!(run("{{.}}", json!(42)), "42");
    assert_eq!(run("{{.}}", json!(-7)), "-7");
    assert_eq!(run("{{.}}", json!(true)), "true");
    assert_eq!(run("{{.}}", json!(false)), "false");
    assert_eq!(run("{{.}}", json!(u64::MAX)), "18446744073709551615");
    assert_eq!(run("{{.}}", json!(i64::MIN)), "-9223372036854775808");
}

#[test]
fn print_floats_like_go() {
    assert_eq!(run("{{.}}", json!(1.5)), "1.5");
    assert_eq!(run("{{.}}", json!(0.5)), "0.5");
    assert_eq!(run("{{.}}", json!(3.0)), "3");
    assert_eq!(run("{{.}}", json!(1000000.0)), "1e+06");
    assert_eq!(run("{{.}}", json!(123456.0)), "123456");
    assert_eq!(run("{{.}}", json!(1234567.0)), "1.234567e+06");
    assert_eq!(run("{{.}}", json!(0.0001)), "0.0001");
    assert_eq!(run("{{.}}", json!(0.000012)), "1.2e-05");
    assert_eq!(run("{{.}}", json!(1e21)), "1e+21");
    assert_eq!(run("{{.}}", json!(-2.25)), "-2.25");
    assert_eq!(run("{{.}}", json!(0.1)), "0.1");
    assert_eq!(run("{{.}}", json!(1e100)), "1e+100");
    assert_eq!(run("{{.}}", json!(0.0)), "0");
}

#[test]
fn print_composites() {
    assert_eq!(run("{{.}}", json!(["a", "b", "c"])), "[a b c]");
    assert_eq!(run("{{.}}", json!([])), "[]");
    assert_eq!(run("{{.}}", json!({})), "map[]");
    assert_eq!(run("{{.}}", json!({"b": 1, "a": "x"})), "map[a:x b:1]");
    assert_eq!(
        run("{{.}}", json!({"a": {"b": [1, null, "x"]}, "c": true})),
        "map[a:map[b:[1 <nil> x]] c:true]"
    );
    assert_eq!(run("{{.}}", json!([[1, 2], [3.5]])), "[[1 2] [3.5]]");
    assert_eq!(
        run(
            "{{.Labels}}",
            json!({"Labels": {"z": "1", "com.x": "y", "A": "2"}})
        ),
        "map[A:2 com.x:y z:1]"
    );
}

#[test]
fn dollar_and_dot() {
    let d = json!({"Name": "n", "Items": [1, 2]});
    assert_eq!(run("{{$.Name}}", d.clone()), "n");
    assert_eq!(
        run("{{range .Items}}{{$.Name}}{{.}}{{end}}", d.clone()),
        "n1n2"
    );
    assert_eq!(run("{{$}}", json!("top")), "top");
}

// ---------------------------------------------------------------------------
// Trimming and comments

#[test]
fn trim_markers() {
    assert_eq!(run("{{23 -}} < {{- 45}}", json!(null)), "23<45");
    assert_eq!(run("a  {{- 1 -}}  b", json!(null)), "a1b");
    assert_eq!(run("a \t\r\n{{- .}}", json!("x")), "ax");
    assert_eq!(run("{{. -}}\n\n  b", json!("x")), "xb");
    assert_eq!(run("x {{- 3 }} y", json!(null)), "x3 y");
    assert_eq!(run("{{-3}}", json!(null)), "-3");
    assert_eq!(run("{{- 3 -}}", json!(null)), "3");
    assert_eq!(
        run("{{range .}}\n  {{- .}}\n{{- end}}", json!([1, 2])),
        "12"
    );
    // "-" must be followed by a space to be a trim marker.
    assert_eq!(run("a {{-1}} b", json!(null)), "a -1 b");
}

#[test]
fn trim_with_newlines_in_action() {
    assert_eq!(run("a {{- \n .\n -}} b", json!("x")), "axb");
}

#[test]
fn comments() {
    assert_eq!(run("a{{/* a comment */}}b", json!(null)), "ab");
    assert_eq!(run("a {{- /* c */ -}} \n b", json!(null)), "ab");
    assert_eq!(run("{{/* multi\nline */}}x", json!(null)), "x");
    assert_eq!(parse_err("{{/* unclosed"), "template: :1: unclosed comment");
    assert_eq!(
        parse_err("{{/* x */ }}"),
        "template: :1: comment ends before closing delimiter"
    );
}

// ---------------------------------------------------------------------------
// Pipelines, variables, parentheses

#[test]
fn pipelines() {
    assert_eq!(
        run(r#"{{"abc" | printf "%s-%s" "x"}}"#, json!(null)),
        "x-abc"
    );
    assert_eq!(run("{{.Name | upper}}", json!({"Name": "web"})), "WEB");
    assert_eq!(run("{{. | len}}", json!([1, 2, 3])), "3");
    assert_eq!(
        run(
            r#"{{.Name | printf "%s" | upper | printf "<%s>"}}"#,
            json!({"Name": "a"})
        ),
        "<A>"
    );
}

#[test]
fn parenthesized() {
    assert_eq!(run(r#"{{printf "%d" (len .)}}"#, json!([1, 2])), "2");
    assert_eq!(run(r#"{{(index . "a").B}}"#, json!({"a": {"B": "y"}})), "y");
    assert_eq!(run("{{(.A).B}}", json!({"A": {"B": 5}})), "5");
    assert_eq!(
        run(
            r#"{{(index .Nets "bridge").IP}}"#,
            json!({"Nets": {"bridge": {"IP": "172.17.0.2"}}})
        ),
        "172.17.0.2"
    );
    assert_eq!(
        run(r#"{{upper (printf "%s-%s" "a" (lower "B"))}}"#, json!(null)),
        "A-B"
    );
}

#[test]
fn variables() {
    assert_eq!(run(r#"{{$x := "a"}}{{$x}}"#, json!(null)), "a");
    assert_eq!(run("{{$x := 1}}{{$x = 2}}{{$x}}", json!(null)), "2");
    assert_eq!(run("{{$x := .A}}{{$x.B}}", json!({"A": {"B": "c"}})), "c");
    assert_eq!(
        run("{{with $x := .A}}{{$x.B}}{{end}}", json!({"A": {"B": "c"}})),
        "c"
    );
    assert_eq!(
        run(
            "{{$n := 0}}{{range .}}{{$n = .}}{{end}}{{$n}}",
            json!([1, 2, 3])
        ),
        "3"
    );
    // Declarations print nothing.
    assert_eq!(run("{{$x := 5}}", json!(null)), "");
}

#[test]
fn variable_scope_errors() {
    assert_eq!(
        parse_err("{{$y}}"),
        r#"template: :1: undefined variable "$y""#
    );
    assert_eq!(
        parse_err("{{if true}}{{$x := 1}}{{end}}{{$x}}"),
        r#"template: :1: undefined variable "$x""#
    );
    assert_eq!(
        err("{{$x = 1}}", json!(null)),
        r#"template: :1:7: executing "" at <1>: undefined variable: $x"#
    );
}

// ---------------------------------------------------------------------------
// Control structures

#[test]
fn if_else() {
    let t = "{{if .A}}yes{{else}}no{{end}}";
    assert_eq!(run(t, json!({"A": true})), "yes");
    assert_eq!(run(t, json!({"A": false})), "no");
    let t = "{{if .A}}a{{else if .B}}b{{else}}c{{end}}";
    assert_eq!(run(t, json!({"A": 1, "B": 1})), "a");
    assert_eq!(run(t, json!({"A": 0, "B": 1})), "b");
    assert_eq!(run(t, json!({})), "c");
    assert_eq!(run("{{if .A}}x{{end}}", json!({})), "");
}

#[test]
fn truthiness() {
    let t = "{{if .}}T{{else}}F{{end}}";
    for v in [
        json!(0),
        json!(0.0),
        json!(""),
        json!([]),
        json!({}),
        json!(null),
        json!(false),
    ] {
        assert_eq!(run(t, v.clone()), "F", "{v}");
    }
    for v in [
        json!(1),
        json!(-1),
        json!(0.5),
        json!("x"),
        json!([0]),
        json!({"a": 0}),
        json!(true),
    ] {
        assert_eq!(run(t, v.clone()), "T", "{v}");
    }
    assert_eq!(run("{{if .Missing}}T{{else}}F{{end}}", json!({})), "F");
}

#[test]
fn with_else() {
    let d = json!({"A": {"B": "b"}, "E": ""});
    assert_eq!(run("{{with .A}}{{.B}}{{end}}", d.clone()), "b");
    assert_eq!(
        run("{{with .Missing}}x{{else}}empty{{end}}", d.clone()),
        "empty"
    );
    assert_eq!(run("{{with .E}}x{{else}}empty{{end}}", d.clone()), "empty");
    assert_eq!(
        run(
            "{{with .E}}e{{else with .A}}{{.B}}{{else}}none{{end}}",
            d.clone()
        ),
        "b"
    );
    assert_eq!(
        run("{{with .E}}e{{else with .Missing}}m{{else}}none{{end}}", d),
        "none"
    );
}

#[test]
fn range_arrays() {
    assert_eq!(run("{{range .}}{{.}},{{end}}", json!([1, 2, 3])), "1,2,3,");
    assert_eq!(
        run(
            "{{range $i, $e := .}}{{$i}}={{$e}} {{end}}",
            json!(["a", "b"])
        ),
        "0=a 1=b "
    );
    assert_eq!(
        run("{{range $e := .}}[{{$e}}]{{end}}", json!(["a", "b"])),
        "[a][b]"
    );
    assert_eq!(
        run(
            "{{range .}}{{.Name}} {{end}}",
            json!([{"Name": "x"}, {"Name": "y"}])
        ),
        "x y "
    );
}

#[test]
fn range_objects_sorted() {
    assert_eq!(
        run(
            "{{range $k, $v := .}}{{$k}}:{{$v}};{{end}}",
            json!({"b": 2, "a": 1, "c": 3})
        ),
        "a:1;b:2;c:3;"
    );
    assert_eq!(
        run("{{range .}}{{.}}{{end}}", json!({"b": 2, "a": 1})),
        "12"
    );
}

#[test]
fn range_else_and_empty() {
    let t = "{{range .}}x{{else}}empty{{end}}";
    assert_eq!(run(t, json!([])), "empty");
    assert_eq!(run(t, json!({})), "empty");
    assert_eq!(run(t, json!(null)), "empty");
    assert_eq!(run("{{range .M}}x{{else}}empty{{end}}", json!({})), "empty");
    assert_eq!(run(t, json!([1])), "x");
}

#[test]
fn range_break_continue() {
    assert_eq!(
        run(
            "{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}",
            json!([1, 2, 3, 4])
        ),
        "12"
    );
    assert_eq!(
        run(
            "{{range .}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}",
            json!([1, 2, 3])
        ),
        "13"
    );
    assert_eq!(
        run(
            "{{range .}}{{range .}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}};{{end}}",
            json!([[1, 2, 3], [4, 2]])
        ),
        "1;4;"
    );
    assert_eq!(
        parse_err("{{break}}"),
        "template: :1: {{break}} outside {{range}}"
    );
    assert_eq!(
        parse_err("{{continue}}"),
        "template: :1: {{continue}} outside {{range}}"
    );
}

#[test]
fn range_over_int() {
    assert_eq!(run("{{range 3}}{{.}}{{end}}", json!(null)), "012");
    assert_eq!(run("{{range $i := .}}{{$i}}{{end}}", json!(2)), "01");
    assert_eq!(run("{{range 0}}x{{else}}none{{end}}", json!(null)), "none");
    assert_eq!(
        err("{{range $i, $e := 3}}{{end}}", json!(null)),
        r#"template: :1:18: executing "" at <3>: can't use 3 to iterate over more than one variable"#
    );
}

#[test]
fn range_errors() {
    assert_eq!(
        err(r#"{{range "abc"}}{{end}}"#, json!(null)),
        r#"template: :1:8: executing "" at <"abc">: range can't iterate over abc"#
    );
    assert_eq!(
        err("{{range .}}{{end}}", json!(1.5)),
        r#"template: :1:8: executing "" at <.>: range can't iterate over 1.5"#
    );
}

#[test]
fn range_variable_scope_per_iteration() {
    assert_eq!(
        run("{{range .}}{{$x := .}}{{$x}}{{end}}", json!(["a", "b"])),
        "ab"
    );
}

#[test]
fn define_and_template() {
    assert_eq!(
        run(
            r#"{{define "T"}}hi {{.}}{{end}}{{template "T" "x"}}"#,
            json!(null)
        ),
        "hi x"
    );
    assert_eq!(
        run(
            r#"{{define "T"}}[{{.Name}}]{{end}}{{range .}}{{template "T" .}}{{end}}"#,
            json!([{"Name": "a"}, {"Name": "b"}])
        ),
        "[a][b]"
    );
    // Without a pipeline, dot is no value.
    assert_eq!(
        run(r#"{{define "T"}}{{.}}{{end}}{{template "T"}}"#, json!(1)),
        "<no value>"
    );
    // $ inside the template is the template's dot.
    assert_eq!(
        run(
            r#"{{define "T"}}{{$}}{{end}}{{template "T" .A}}"#,
            json!({"A": "inner"})
        ),
        "inner"
    );
    // A definition may follow its use.
    assert_eq!(
        run(
            r#"{{template "T" .}}{{define "T"}}<{{.}}>{{end}}"#,
            json!(7)
        ),
        "<7>"
    );
}

#[test]
fn block() {
    assert_eq!(
        run(r#"{{block "B" .}}default {{.}}{{end}}"#, json!("x")),
        "default x"
    );
    assert_eq!(
        run(
            r#"a{{block "B" .Name}}[{{.}}]{{end}}b"#,
            json!({"Name": "n"})
        ),
        "a[n]b"
    );
}

#[test]
fn template_errors() {
    assert_eq!(
        err(r#"{{template "T" .}}"#, json!(null)),
        r#"template: :1:11: executing "" at <{{template "T" .}}>: template "T" not defined"#
    );
    assert_eq!(
        parse_err(r#"{{define "a"}}x{{end}}{{define "a"}}y{{end}}"#),
        r#"template: :1: template: multiple definition of template "a""#
    );
    // Redefining with an empty body is allowed.
    assert_eq!(
        run(
            r#"{{define "a"}}x{{end}}{{define "a"}} {{end}}{{template "a"}}"#,
            json!(null)
        ),
        "x"
    );
    assert_eq!(
        err(
            r#"{{define "T"}}{{.A.B}}{{end}}{{template "T" .}}"#,
            json!({"A": 1})
        ),
        r#"template: :1:18: executing "T" at <.A.B>: can't evaluate field B in type int"#
    );
}

#[test]
fn template_recursion_limit() {
    let e = err(
        r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#,
        json!(1),
    );
    assert!(e.contains("exceeded maximum template depth"), "{e}");
    // Bounded recursion works.
    assert_eq!(
        run(
            r#"{{define "r"}}{{.N}}{{with .C}}{{template "r" .}}{{end}}{{end}}{{template "r" .}}"#,
            json!({"N": 1, "C": {"N": 2, "C": {"N": 3}}})
        ),
        "123"
    );
}

// ---------------------------------------------------------------------------
// Literals

#[test]
fn literals() {
    assert_eq!(run(r#"{{"a\tb\n\"q\"\\"}}"#, json!(null)), "a\tb\n\"q\"\\");
    assert_eq!(run("{{`raw\\n`}}", json!(null)), "raw\\n");
    assert_eq!(run("{{'a'}}", json!(null)), "97");
    assert_eq!(run(r"{{'\n'}}", json!(null)), "10");
    assert_eq!(run("{{1.5}}", json!(null)), "1.5");
    assert_eq!(run("{{0x10}}", json!(null)), "16");
    assert_eq!(run("{{0o17}} {{017}} {{0b101}}", json!(null)), "15 15 5");
    assert_eq!(run("{{1e3}}", json!(null)), "1000");
    assert_eq!(run("{{1_000}}", json!(null)), "1000");
    assert_eq!(run("{{-5}} {{+5}}", json!(null)), "-5 5");
    assert_eq!(run("{{true}} {{false}}", json!(null)), "true false");
    assert_eq!(run(r#"{{"\u00e9\x41\101"}}"#, json!(null)), "éAA");
    assert_eq!(run(r#"{{"\U0001F600"}}"#, json!(null)), "\u{1F600}");
}

#[test]
fn literal_errors() {
    assert_eq!(
        err("{{nil}}", json!(null)),
        r#"template: :1:2: executing "" at <nil>: nil is not a command"#
    );
    assert_eq!(
        parse_err("{{3x}}"),
        r#"template: :1: bad number syntax: "3x""#
    );
    assert_eq!(
        parse_err(r#"{{"abc}}"#),
        "template: :1: unterminated quoted string"
    );
    assert_eq!(
        parse_err("{{`abc}}"),
        "template: :1: unterminated raw quoted string"
    );
    assert_eq!(
        parse_err("{{'ab'}}"),
        "template: :1: malformed character constant: 'ab'"
    );
    assert_eq!(parse_err(r#"{{"\q"}}"#), "template: :1: invalid syntax");
    assert_eq!(
        parse_err("{{99999999999999999999}}"),
        r#"template: :1: integer overflow: "99999999999999999999""#
    );
    assert_eq!(
        err("{{18446744073709551615}}", json!(null)),
        r#"template: :1:2: executing "" at <18446744073709551615>: 18446744073709551615 overflows int"#
    );
}

// ---------------------------------------------------------------------------
// Builtins

#[test]
fn builtin_and_or_not() {
    assert_eq!(run("{{and 1 0 2}}", json!(null)), "0");
    assert_eq!(run("{{and 1 2}}", json!(null)), "2");
    assert_eq!(run(r#"{{or 0 "" "x" "y"}}"#, json!(null)), "x");
    assert_eq!(run(r#"{{or 0 ""}}"#, json!(null)), "");
    assert_eq!(run(r#"{{or .Missing "default"}}"#, json!({})), "default");
    assert_eq!(run("{{and .Missing .X}}", json!({})), "<no value>");
    assert_eq!(
        run("{{not 0}} {{not 1}} {{not .Missing}}", json!({})),
        "true false true"
    );
    // Short-circuit: the second argument would fail if evaluated.
    assert_eq!(run("{{or true (len 3)}}", json!(null)), "true");
    assert_eq!(run("{{and false (len 3)}}", json!(null)), "false");
    assert_eq!(run("{{0 | or 1}}", json!(null)), "1");
    assert_eq!(run("{{1 | and 0}}", json!(null)), "0");
    assert_eq!(
        err("{{and}}", json!(null)),
        r#"template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0"#
    );
}

#[test]
fn builtin_len() {
    assert_eq!(run("{{len .}}", json!([1, 2])), "2");
    assert_eq!(run("{{len .}}", json!("héllo")), "6");
    assert_eq!(run("{{len .}}", json!({"a": 1})), "1");
    assert_eq!(run("{{len .N}}", json!({"N": null})), "0");
    assert_eq!(
        err("{{len .Missing}}", json!({})),
        r#"template: :1:2: executing "" at <len .Missing>: error calling len: reflect: call of reflect.Value.Type on zero Value"#
    );
    assert_eq!(
        err("{{len 3}}", json!(null)),
        r#"template: :1:2: executing "" at <len 3>: error calling len: len of type int"#
    );
}

#[test]
fn builtin_index() {
    assert_eq!(run("{{index . 1}}", json!(["a", "b"])), "b");
    assert_eq!(run(r#"{{index . "a" "b"}}"#, json!({"a": {"b": "c"}})), "c");
    assert_eq!(run("{{index . 0 1}}", json!([[1, 2], [3, 4]])), "2");
    assert_eq!(run(r#"{{index . "x" 1}}"#, json!({"x": ["p", "q"]})), "q");
    assert_eq!(run("{{index . 1}}", json!("abc")), "98");
    assert_eq!(
        run(
            r#"{{index .Labels "com.example"}}"#,
            json!({"Labels": {"com.example": "v"}})
        ),
        "v"
    );
    // map[string]string zero value for a missing key.
    assert_eq!(
        run(r#"[{{index .Labels "x"}}]"#, json!({"Labels": {"y": "z"}})),
        "[]"
    );
    assert_eq!(
        run(r#"[{{index .Labels "x"}}]"#, json!({"Labels": {}})),
        "[]"
    );
    assert_eq!(
        run(r#"[{{index .Labels "x"}}]"#, json!({"Labels": null})),
        "[]"
    );
    // map of structs: nil; map[string]interface{}: no value.
    assert_eq!(
        run(r#"{{index .Nets "x"}}"#, json!({"Nets": {"a": {"IP": ""}}})),
        "<nil>"
    );
    assert_eq!(run(r#"{{index . "x"}}"#, json!({"a": 1})), "<no value>");
}

#[test]
fn builtin_index_errors() {
    assert_eq!(
        err("{{index . 5}}", json!([1])),
        r#"template: :1:2: executing "" at <index . 5>: error calling index: index out of range: 5"#
    );
    assert_eq!(
        err("{{index . 1}}", json!([1])),
        r#"template: :1:2: executing "" at <index . 1>: error calling index: reflect: slice index out of range"#
    );
    assert_eq!(
        err(r#"{{index . "a"}}"#, json!([1])),
        r#"template: :1:2: executing "" at <index . "a">: error calling index: cannot index slice/array with type string"#
    );
    assert_eq!(
        err("{{index . 1}}", json!({"a": 1})),
        r#"template: :1:2: executing "" at <index . 1>: error calling index: value has type int; should be string"#
    );
    assert_eq!(
        err("{{index .Missing 1}}", json!({})),
        r#"template: :1:2: executing "" at <index .Missing 1>: error calling index: index of untyped nil"#
    );
    assert_eq!(
        err("{{index . 1}}", json!(true)),
        r#"template: :1:2: executing "" at <index . 1>: error calling index: can't index item of type bool"#
    );
}

#[test]
fn builtin_slice() {
    assert_eq!(run(r#"{{slice "abcdef" 1 3}}"#, json!(null)), "bc");
    assert_eq!(run(r#"{{slice "abcdef" 2}}"#, json!(null)), "cdef");
    assert_eq!(run("{{slice . 1}}", json!([1, 2, 3])), "[2 3]");
    assert_eq!(run("{{slice . 1 2}}", json!([1, 2, 3])), "[2]");
    assert_eq!(run("{{slice .}}", json!([1, 2, 3])), "[1 2 3]");
    assert_eq!(run("{{slice . 0 1 2}}", json!([1, 2, 3])), "[1]");
    assert_eq!(
        err("{{slice . 2 1}}", json!([1, 2, 3])),
        r#"template: :1:2: executing "" at <slice . 2 1>: error calling slice: invalid slice index: 2 > 1"#
    );
    assert_eq!(
        err(r#"{{slice "abc" 0 1 2}}"#, json!(null)),
        r#"template: :1:2: executing "" at <slice "abc" 0 1 2>: error calling slice: cannot 3-index slice a string"#
    );
}

#[test]
fn builtin_comparisons() {
    assert_eq!(run("{{eq 1 1}} {{eq 1 2}}", json!(null)), "true false");
    assert_eq!(run(r#"{{eq "a" "b" "a"}}"#, json!(null)), "true");
    assert_eq!(run(r#"{{eq .S "x"}}"#, json!({"S": "x"})), "true");
    assert_eq!(run(r#"{{eq .Missing "x"}}"#, json!({})), "false");
    assert_eq!(run("{{eq .Missing nil}}", json!({})), "true");
    assert_eq!(run("{{eq .N 0}}", json!({"N": 0})), "true");
    assert_eq!(run("{{eq .F 1.5}}", json!({"F": 1.5})), "true");
    assert_eq!(run("{{eq true true}}", json!(null)), "true");
    assert_eq!(run("{{ne 1 2}}", json!(null)), "true");
    assert_eq!(run("{{lt 1 2}} {{lt 2 1}}", json!(null)), "true false");
    assert_eq!(
        run("{{le 2 2}} {{gt 3 2}} {{ge 2 3}}", json!(null)),
        "true true false"
    );
    assert_eq!(
        run(r#"{{gt "b" "a"}} {{lt "B" "a"}}"#, json!(null)),
        "true true"
    );
    assert_eq!(run("{{ge 1.5 2.5}}", json!(null)), "false");
    assert_eq!(run("{{lt -1 .}}", json!(u64::MAX)), "true");
}

#[test]
fn builtin_comparison_errors() {
    assert_eq!(
        err(r#"{{eq 1 "a"}}"#, json!(null)),
        r#"template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison: int and string"#
    );
    assert_eq!(
        err("{{lt 1 1.5}}", json!(null)),
        r#"template: :1:2: executing "" at <lt 1 1.5>: error calling lt: incompatible types for comparison: int and float64"#
    );
    assert_eq!(
        err("{{lt true false}}", json!(null)),
        r#"template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison"#
    );
    assert_eq!(
        err("{{eq 1}}", json!(null)),
        r#"template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison"#
    );
    assert_eq!(
        err("{{lt .Missing 1}}", json!({})),
        r#"template: :1:2: executing "" at <lt .Missing 1>: error calling lt: invalid type for comparison"#
    );
}

#[test]
fn builtin_print() {
    assert_eq!(run("{{print 1 2}}", json!(null)), "1 2");
    assert_eq!(run(r#"{{print "a" "b"}}"#, json!(null)), "ab");
    assert_eq!(run(r#"{{print "a" 1 2 "b"}}"#, json!(null)), "a1 2b");
    assert_eq!(run(r#"{{println "a" 1}}"#, json!(null)), "a 1\n");
    assert_eq!(run("{{print .Missing}}", json!({})), "<nil>");
    assert_eq!(run("{{print nil}}", json!(null)), "<nil>");
    assert_eq!(run("{{print .}}", json!({"a": [1]})), "map[a:[1]]");
    assert_eq!(run("{{print}}", json!(null)), "");
}

#[test]
fn printf_integers() {
    let p = |f: &str, v: Value| run(&format!("{{{{printf {} .}}}}", quote(f)), v);
    assert_eq!(p("%d", json!(5)), "5");
    assert_eq!(p("%5d|", json!(5)), "    5|");
    assert_eq!(p("%-5d|", json!(5)), "5    |");
    assert_eq!(p("%05d", json!(-5)), "-0005");
    assert_eq!(p("%+d", json!(5)), "+5");
    assert_eq!(p("% d", json!(5)), " 5");
    assert_eq!(p("%x", json!(255)), "ff");
    assert_eq!(p("%X", json!(255)), "FF");
    assert_eq!(p("%#x", json!(255)), "0xff");
    assert_eq!(p("%x", json!(-255)), "-ff");
    assert_eq!(p("%o", json!(255)), "377");
    assert_eq!(p("%#o", json!(8)), "010");
    assert_eq!(p("%O", json!(8)), "0o10");
    assert_eq!(p("%b", json!(5)), "101");
    assert_eq!(p("%c", json!(65)), "A");
    assert_eq!(p("%q", json!(65)), "'A'");
    assert_eq!(p("%U", json!(65)), "U+0041");
    assert_eq!(p("%#U", json!(0x1F600)), "U+1F600 '\u{1F600}'");
    assert_eq!(p("%.3d", json!(7)), "007");
    assert_eq!(p("%v", json!(12)), "12");
    assert_eq!(p("%+v", json!(12)), "12");
    assert_eq!(p("%d", json!(u64::MAX)), "18446744073709551615");
}

#[test]
fn printf_strings() {
    let p = |f: &str, v: Value| run(&format!("{{{{printf {} .}}}}", quote(f)), v);
    assert_eq!(p("%s", json!("abc")), "abc");
    assert_eq!(p("%10s|", json!("abc")), "       abc|");
    assert_eq!(p("%-10s|", json!("abc")), "abc       |");
    assert_eq!(p("%.2s", json!("abc")), "ab");
    assert_eq!(p("%5.1s|", json!("héllo")), "    h|");
    assert_eq!(p("%q", json!("a\"b\n")), r#""a\"b\n""#);
    assert_eq!(p("%#q", json!("ab")), "`ab`");
    assert_eq!(p("%+q", json!("é")), r#""\u00e9""#);
    assert_eq!(p("%x", json!("hi")), "6869");
    assert_eq!(p("% x", json!("hi")), "68 69");
    assert_eq!(p("%#x", json!("hi")), "0x6869");
    assert_eq!(p("%X", json!("hi")), "6869");
    assert_eq!(p("%v", json!("s")), "s");
    assert_eq!(p("%#v", json!("s")), r#""s""#);
    assert_eq!(p("%5v|", json!("ab")), "   ab|");
    assert_eq!(p("%-4s|", json!("日本")), "日本  |");
}

#[test]
fn printf_floats() {
    let p = |f: &str, v: Value| run(&format!("{{{{printf {} .}}}}", quote(f)), v);
    assert_eq!(p("%f", json!(1.23456)), "1.234560");
    assert_eq!(p("%.2f", json!(1.23456)), "1.23");
    assert_eq!(p("%8.3f|", json!(1.23456)), "   1.235|");
    assert_eq!(p("%-8.2f|", json!(1.23456)), "1.23    |");
    assert_eq!(p("%08.3f", json!(-1.23456)), "-001.235");
    assert_eq!(p("%+.1f", json!(3.0)), "+3.0");
    assert_eq!(p("%.0f", json!(2.5)), "2");
    assert_eq!(p("%.1f", json!(0.05)), "0.1");
    assert_eq!(p("%e", json!(1234.5678)), "1.234568e+03");
    assert_eq!(p("%E", json!(1234.5678)), "1.234568E+03");
    assert_eq!(p("%.2e", json!(0.000123)), "1.23e-04");
    assert_eq!(p("%g", json!(1234.5678)), "1234.5678");
    assert_eq!(p("%g", json!(0.00001234)), "1.234e-05");
    assert_eq!(p("%.3g", json!(1234.5678)), "1.23e+03");
    assert_eq!(p("%.3g", json!(1.0)), "1");
    assert_eq!(p("%g", json!(1e6)), "1e+06");
    assert_eq!(p("%G", json!(1e-7)), "1E-07");
    assert_eq!(p("%v", json!(100000.0)), "100000");
    assert_eq!(p("%6.2f%%", json!(12.5)), " 12.50%");
    assert_eq!(p("%f", json!(1e20)), "100000000000000000000.000000");
}

#[test]
fn printf_composites_and_types() {
    let p = |f: &str, v: Value| run(&format!("{{{{printf {} .}}}}", quote(f)), v);
    assert_eq!(p("%v", json!({"a": 1})), "map[a:1]");
    assert_eq!(p("%v", json!([1, "a"])), "[1 a]");
    assert_eq!(p("%d", json!([1, 2])), "[1 2]");
    assert_eq!(p("%s", json!(["a", 1])), "[a %!s(int=1)]");
    assert_eq!(p("%q", json!(["a", "b"])), r#"["a" "b"]"#);
    assert_eq!(p("%#v", json!([1, "a"])), r#"[]interface {}{1, "a"}"#);
    assert_eq!(
        p("%#v", json!({"a": 1})),
        r#"map[string]interface {}{"a":1}"#
    );
    assert_eq!(p("%3d", json!([1, 2])), "[  1   2]");
    assert_eq!(p("%T", json!("s")), "string");
    assert_eq!(p("%T", json!(1)), "int");
    assert_eq!(p("%T", json!(1.5)), "float64");
    assert_eq!(p("%T", json!(true)), "bool");
    assert_eq!(p("%T", json!([])), "[]interface {}");
    assert_eq!(p("%T", json!({})), "map[string]interface {}");
    assert_eq!(p("%T", json!(null)), "<nil>");
    assert_eq!(p("%t", json!(true)), "true");
    assert_eq!(p("%5t|", json!(false)), "false|");
    assert_eq!(p("%v", json!(null)), "<nil>");
}

#[test]
fn printf_bad_verbs_and_args() {
    assert_eq!(
        run(r#"{{printf "%d" "abc"}}"#, json!(null)),
        "%!d(string=abc)"
    );
    assert_eq!(run(r#"{{printf "%s" 5}}"#, json!(null)), "%!s(int=5)");
    assert_eq!(
        run(r#"{{printf "%d" 1.5}}"#, json!(null)),
        "%!d(float64=1.5)"
    );
    assert_eq!(run(r#"{{printf "%s" nil}}"#, json!(null)), "%!s(<nil>)");
    assert_eq!(run(r#"{{printf "%t" 1}}"#, json!(null)), "%!t(int=1)");
    assert_eq!(run(r#"{{printf "%z" 1}}"#, json!(null)), "%!z(int=1)");
    assert_eq!(run(r#"{{printf "%d"}}"#, json!(null)), "%!d(MISSING)");
    assert_eq!(run(r#"{{printf "a" 1}}"#, json!(null)), "a%!(EXTRA int=1)");
    assert_eq!(
        run(r#"{{printf "%d %d" 1 2 "x" nil}}"#, json!(null)),
        "1 2%!(EXTRA string=x, <nil>)"
    );
    assert_eq!(run(r#"{{printf "100%%"}}"#, json!(null)), "100%");
    assert_eq!(run(r#"{{printf "%"}}"#, json!(null)), "%!(NOVERB)");
    assert_eq!(
        run(r#"{{printf "%5d" "ab"}}"#, json!(null)),
        "%!d(string=   ab)"
    );
    assert_eq!(run(r#"{{printf "%s" .Missing}}"#, json!({})), "%!s(<nil>)");
}

#[test]
fn printf_arg_indexes_and_star() {
    assert_eq!(run(r#"{{printf "%[2]d %[1]d" 1 2}}"#, json!(null)), "2 1");
    assert_eq!(
        run(r#"{{printf "%[3]d" 1 2}}"#, json!(null)),
        "%!d(BADINDEX)"
    );
    assert_eq!(run(r#"{{printf "%*d|" 5 1}}"#, json!(null)), "    1|");
    assert_eq!(run(r#"{{printf "%-*d|" 3 1}}"#, json!(null)), "1  |");
    assert_eq!(run(r#"{{printf "%.*f" 2 3.14159}}"#, json!(null)), "3.14");
}

#[test]
fn builtin_html_js_urlquery() {
    assert_eq!(
        run(r#"{{html "<a href='x'>&\"</a>"}}"#, json!(null)),
        "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"
    );
    assert_eq!(run("{{html .Missing}}", json!({})), "&lt;no value&gt;");
    assert_eq!(run(r#"{{html "a" 1}}"#, json!(null)), "a1");
    assert_eq!(
        run(r#"{{js "a'b\"c<d>&=\\"}}"#, json!(null)),
        r#"a\'b\"c\u003Cd\u003E\u0026\u003D\\"#
    );
    assert_eq!(run(r#"{{js "é\n"}}"#, json!(null)), "é\\u000A");
    assert_eq!(
        run(r#"{{urlquery "a b&c=d/é"}}"#, json!(null)),
        "a+b%26c%3Dd%2F%C3%A9"
    );
    assert_eq!(run(r#"{{"x y" | urlquery}}"#, json!(null)), "x+y");
}

#[test]
fn builtin_call() {
    assert_eq!(
        err("{{call .}}", json!("x")),
        r#"template: :1:2: executing "" at <call .>: error calling call: non-function . of type string"#
    );
    assert_eq!(
        err("{{call .F}}", json!({})),
        r#"template: :1:2: executing "" at <call .F>: error calling call: call of nil"#
    );
}

// ---------------------------------------------------------------------------
// docker functions

#[test]
fn docker_json() {
    let d = json!({"b": 1, "a": [1, 2, {"c": null}], "s": "<&>\"\n\t\u{1}\u{2028}", "f": 1.5, "t": true});
    assert_eq!(
        run("{{json .}}", d),
        r#"{"b":1,"a":[1,2,{"c":null}],"s":"<&>\"\n\t\u0001\u2028","f":1.5,"t":true}"#
    );
    assert_eq!(run("{{json .Missing}}", json!({})), "null");
    assert_eq!(run("{{json .N}}", json!({"N": null})), "null");
    assert_eq!(run(r#"{{json "a"}}"#, json!(null)), r#""a""#);
    assert_eq!(run("{{json .}}", json!([])), "[]");
    assert_eq!(run("{{json .}}", json!({})), "{}");
    assert_eq!(run("{{json 1}}", json!(null)), "1");
    assert_eq!(
        run("{{json .}}", json!("\u{8}\u{c}\u{7f}")),
        "\"\\b\\f\u{7f}\""
    );
}

#[test]
fn docker_json_floats() {
    assert_eq!(run("{{json .}}", json!(1000000.0)), "1000000");
    assert_eq!(run("{{json .}}", json!(1e21)), "1e+21");
    assert_eq!(run("{{json .}}", json!(1e20)), "100000000000000000000");
    assert_eq!(run("{{json .}}", json!(1e-7)), "1e-7");
    assert_eq!(run("{{json .}}", json!(0.000001)), "0.000001");
    assert_eq!(run("{{json .}}", json!(-2.5e-10)), "-2.5e-10");
    assert_eq!(run("{{json .}}", json!(0.1)), "0.1");
    assert_eq!(run("{{json .}}", json!(3.0)), "3");
}

#[test]
fn docker_json_key_order_preserved() {
    let d: Value =
        serde_json::from_str(r#"{"Z":1,"A":{"y":2,"b":3},"M":[{"k2":1,"k1":2}]}"#).unwrap();
    assert_eq!(
        run("{{json .}}", d.clone()),
        r#"{"Z":1,"A":{"y":2,"b":3},"M":[{"k2":1,"k1":2}]}"#
    );
    assert_eq!(run("{{json .A}}", d), r#"{"y":2,"b":3}"#);
}

#[test]
fn docker_split_join() {
    assert_eq!(run(r#"{{split "a,b,c" ","}}"#, json!(null)), "[a b c]");
    assert_eq!(run(r#"{{index (split "a:b" ":") 1}}"#, json!(null)), "b");
    assert_eq!(run(r#"{{len (split "" ",")}}"#, json!(null)), "1");
    assert_eq!(run(r#"{{split "abc" ""}}"#, json!(null)), "[a b c]");
    assert_eq!(run(r#"{{split "a,b," ","}}"#, json!(null)), "[a b ]");
    assert_eq!(
        run(r#"{{json (split "a b" " ")}}"#, json!(null)),
        r#"["a","b"]"#
    );
    assert_eq!(
        run(r#"{{join .Args " "}}"#, json!({"Args": ["a", "b"]})),
        "a b"
    );
    assert_eq!(run(r#"{{join (split "a,b" ",") "-"}}"#, json!(null)), "a-b");
    assert_eq!(run(r#"[{{join .Cmd " "}}]"#, json!({"Cmd": null})), "[]");
    assert_eq!(run(r#"[{{join .Cmd " "}}]"#, json!({})), "[]");
    assert_eq!(run(r#"{{join . ","}}"#, json!([1, "x", true])), "1,x,true");
}

#[test]
fn docker_case_functions() {
    assert_eq!(
        run(r#"{{title "hello world-foo_bar"}}"#, json!(null)),
        "Hello World-Foo_bar"
    );
    assert_eq!(run(r#"{{title "élan vital"}}"#, json!(null)), "Élan Vital");
    assert_eq!(run(r#"{{upper "abc"}}"#, json!(null)), "ABC");
    assert_eq!(run(r#"{{lower "ÀBC"}}"#, json!(null)), "àbc");
    assert_eq!(run(r#"{{upper "straße"}}"#, json!(null)), "STRAßE");
    assert_eq!(run("{{.Name | lower}}", json!({"Name": "MiXeD"})), "mixed");
}

#[test]
fn docker_pad_truncate() {
    assert_eq!(run(r#"{{pad "abc" 2 3}}|"#, json!(null)), "  abc   |");
    assert_eq!(run(r#"{{pad "" 2 3}}|"#, json!(null)), "|");
    assert_eq!(run(r#"{{truncate "abcdef" 3}}"#, json!(null)), "abc");
    assert_eq!(run(r#"{{truncate "ab" 3}}"#, json!(null)), "ab");
    assert_eq!(run(r#"{{truncate "abc" 3}}"#, json!(null)), "abc");
    assert_eq!(
        run(
            r#"{{truncate .ID 12}}"#,
            json!({"ID": "beae173ccac6aabbccdd"})
        ),
        "beae173ccac6"
    );
    assert_eq!(
        err(r#"{{truncate "abc" -1}}"#, json!(null)),
        r#"template: :1:2: executing "" at <truncate "abc" -1>: error calling truncate: runtime error: slice bounds out of range [:-1]"#
    );
    assert_eq!(
        err(r#"{{pad "a" -1 0}}"#, json!(null)),
        r#"template: :1:2: executing "" at <pad "a" -1 0>: error calling pad: strings: negative Repeat count"#
    );
}

#[test]
fn docker_function_type_errors() {
    assert_eq!(
        err("{{upper .Missing}}", json!({})),
        r#"template: :1:8: executing "" at <.Missing>: invalid value; expected string"#
    );
    assert_eq!(
        err("{{upper 5}}", json!(null)),
        r#"template: :1:8: executing "" at <5>: expected string; found 5"#
    );
    assert_eq!(
        err("{{upper .N}}", json!({"N": 5})),
        r#"template: :1:8: executing "" at <.N>: wrong type for value; expected string; got int"#
    );
    assert_eq!(
        err(r#"{{truncate "abc" "x"}}"#, json!(null)),
        r#"template: :1:17: executing "" at <"x">: expected integer; found "x""#
    );
    assert_eq!(
        err("{{upper}}", json!(null)),
        r#"template: :1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 0"#
    );
    assert_eq!(
        err(r#"{{"a" | upper "b"}}"#, json!(null)),
        r#"template: :1:8: executing "" at <upper>: wrong number of args for upper: want 1 got 2"#
    );
    assert_eq!(
        err(r#"{{join "a" ","}}"#, json!(null)),
        r#"template: :1:7: executing "" at <"a">: can't handle "a" for arg of type []string"#
    );
}

#[test]
fn header_functions_are_identity() {
    let h = json!({"Name": "NAME", "ID": "CONTAINER ID", "Labels": "LABELS"});
    assert_eq!(hdr("{{upper .Name}}", h.clone()), "NAME");
    assert_eq!(hdr("{{lower .Name}}", h.clone()), "NAME");
    assert_eq!(hdr("{{title .Name}}", h.clone()), "NAME");
    assert_eq!(hdr("{{json .Labels}}", h.clone()), "LABELS");
    assert_eq!(hdr(r#"{{split .Labels ","}}"#, h.clone()), "LABELS");
    assert_eq!(hdr(r#"{{join .Labels ","}}"#, h.clone()), "LABELS");
    assert_eq!(hdr("{{truncate .ID 3}}", h.clone()), "CONTAINER ID");
    // pad keeps its real behaviour.
    assert_eq!(hdr("[{{pad .Name 1 2}}]", h), "[ NAME  ]");
}

// ---------------------------------------------------------------------------
// Methods (execute_with)

fn methods(name: &str, recv: &Value, args: &[Value]) -> Option<Result<Value, String>> {
    match name {
        "Label" => {
            let key = args.first()?.as_str()?.to_string();
            Some(Ok(recv
                .get("Labels")
                .and_then(|l| l.get(&key))
                .cloned()
                .unwrap_or(Value::String(String::new()))))
        }
        "Upper" => Some(Ok(Value::String(
            recv.get("Name")?.as_str()?.to_uppercase(),
        ))),
        "Fail" => Some(Err("boom".into())),
        _ => None,
    }
}

fn run_m(tpl: &str, data: Value) -> Result<String, String> {
    Template::parse(tpl)
        .unwrap()
        .execute_with(&data, &methods)
        .map_err(|e| e.0)
}

#[test]
fn methods_with_args() {
    let d = json!({"Name": "web", "Labels": {"a": "1", "b": "2"}});
    assert_eq!(run_m(r#"{{.Label "a"}}"#, d.clone()).unwrap(), "1");
    assert_eq!(run_m(r#"[{{.Label "zz"}}]"#, d.clone()).unwrap(), "[]");
    assert_eq!(run_m(r#"{{"b" | .Label}}"#, d.clone()).unwrap(), "2");
    assert_eq!(
        run_m(r#"{{$k := "a"}}{{.Label $k}}"#, d.clone()).unwrap(),
        "1"
    );
    assert_eq!(
        run_m(
            r#"{{.Sub.Label "x"}}"#,
            json!({"Sub": {"Labels": {"x": "y"}}})
        )
        .unwrap(),
        "y"
    );
    assert_eq!(
        run_m(r#"{{upper (.Label "a")}}"#, json!({"Labels": {"a": "v"}})).unwrap(),
        "V"
    );
}

#[test]
fn methods_without_args_and_fallback() {
    let d = json!({"Name": "web"});
    assert_eq!(run_m("{{.Upper}}", d.clone()).unwrap(), "WEB");
    // Keys win over methods when there are no arguments.
    assert_eq!(run_m("{{.Name}}", d.clone()).unwrap(), "web");
    assert_eq!(run_m("{{.Other}}", d.clone()).unwrap(), "<no value>");
    assert_eq!(
        run_m(r#"{{.Name "x"}}"#, d.clone()).unwrap_err(),
        r#"template: :1:2: executing "" at <.Name>: Name is not a method but has arguments"#
    );
    assert_eq!(
        run_m("{{.Fail}}", d).unwrap_err(),
        r#"template: :1:2: executing "" at <.Fail>: error calling Fail: boom"#
    );
}

#[test]
fn field_with_args_without_methods() {
    assert_eq!(
        err(r#"{{.Label "a"}}"#, json!({})),
        r#"template: :1:2: executing "" at <.Label>: Label is not a method but has arguments"#
    );
}

// ---------------------------------------------------------------------------
// Errors

#[test]
fn parse_errors() {
    assert_eq!(parse_err("{{.Foo"), "template: :1: unclosed action");
    assert_eq!(
        parse_err("{{foo}}"),
        r#"template: :1: function "foo" not defined"#
    );
    assert_eq!(parse_err("{{end}}"), "template: :1: unexpected {{end}}");
    assert_eq!(parse_err("{{else}}"), "template: :1: unexpected {{else}}");
    assert_eq!(parse_err("{{if .A}}"), "template: :1: unexpected EOF");
    assert_eq!(
        parse_err("{{if}}{{end}}"),
        "template: :1: missing value for if"
    );
    assert_eq!(
        parse_err("{{range}}{{end}}"),
        "template: :1: missing value for range"
    );
    assert_eq!(parse_err("{{}}"), "template: :1: missing value for command");
    assert_eq!(
        parse_err("{{.A | 3}}"),
        "template: :1: non executable command in pipeline stage 2"
    );
    assert_eq!(parse_err("{{)}}"), "template: :1: unexpected right paren");
    assert_eq!(parse_err("{{(1}}"), "template: :1: unclosed left paren");
    assert_eq!(
        parse_err("{{.A.}}"),
        "template: :1: unexpected <.> in operand"
    );
    assert_eq!(
        parse_err("{{.Foo}"),
        "template: :1: bad character U+007D '}'"
    );
    assert_eq!(
        parse_err("{{#}}"),
        r##"template: :1: unexpected "#" in command"##
    );
    assert_eq!(
        parse_err("{{\u{1}}}"),
        "template: :1: unrecognized character in action: U+0001"
    );
    assert_eq!(parse_err("{{:x}}"), "template: :1: expected :=");
    assert_eq!(
        parse_err(r#"{{"x".Y}}"#),
        r#"template: :1: unexpected . after term "\"x\"""#
    );
    assert_eq!(
        parse_err("{{if .A}}{{else}}{{else}}{{end}}"),
        "template: :1: expected end; found {{else}}"
    );
    assert_eq!(
        parse_err("{{end 1}}"),
        r#"template: :1: unexpected "1" in end"#
    );
    assert_eq!(
        parse_err(r#"{{template .}}"#),
        "template: :1: unexpected <.> in template clause"
    );
    assert_eq!(
        parse_err("{{range $a, $b, $c := .}}{{end}}"),
        "template: :1: too many declarations in range"
    );
    assert_eq!(
        parse_err("{{with $a, $b := .}}{{end}}"),
        "template: :1: too many declarations in with"
    );
    assert_eq!(
        parse_err(r#"{{"a" "b" | "c"}}"#),
        "template: :1: non executable command in pipeline stage 2"
    );
    assert_eq!(
        parse_err("{{$x := 1 2 := 3}}"),
        r#"template: :1: unexpected ":=" in operand"#
    );
}

#[test]
fn parse_error_lines() {
    assert_eq!(
        parse_err("line1\nline2 {{foo}}"),
        r#"template: :2: function "foo" not defined"#
    );
    assert_eq!(
        parse_err("a\n{{.A\n\n"),
        "template: :4: unclosed action started at :2"
    );
    assert_eq!(
        parse_err("a\n\n{{if .A}}\nx"),
        "template: :4: unexpected EOF"
    );
}

#[test]
fn exec_errors() {
    assert_eq!(
        err("{{.Foo.Bar}}", json!({"Foo": "str"})),
        r#"template: :1:6: executing "" at <.Foo.Bar>: can't evaluate field Bar in type string"#
    );
    assert_eq!(
        err("{{.Foo}}", json!("s")),
        r#"template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type string"#
    );
    assert_eq!(
        err("{{.Foo}}", json!([1])),
        r#"template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type []interface {}"#
    );
    assert_eq!(
        err("{{1 2}}", json!(null)),
        r#"template: :1:2: executing "" at <1>: can't give argument to non-function 1"#
    );
    assert_eq!(
        err("{{$x := 1}}{{$x 2}}", json!(null)),
        r#"template: :1:13: executing "" at <$x>: can't give argument to non-function $x"#
    );
    assert_eq!(
        err("x\n  {{.A.B}}", json!({"A": true})),
        r#"template: :2:6: executing "" at <.A.B>: can't evaluate field B in type bool"#
    );
    assert_eq!(
        err(r#"{{(index . "a").B}}"#, json!({"a": 1})),
        r#"template: :1:11: executing "" at <"a">: can't evaluate field B in type int"#
    );
    assert_eq!(
        err("{{$.X.Y}}", json!({"X": 1})),
        r#"template: :1:3: executing "" at <$.X.Y>: can't evaluate field Y in type int"#
    );
}

#[test]
fn error_display() {
    let e = Template::parse("{{foo}}").err().unwrap();
    assert_eq!(e.to_string(), r#"template: :1: function "foo" not defined"#);
    let boxed: Box<dyn std::error::Error> = Box::new(e.clone());
    assert_eq!(boxed.to_string(), e.0);
}

#[test]
fn partial_output_is_not_returned() {
    let t = Template::parse("abc{{.A.B}}").unwrap();
    assert!(t.execute(&json!({"A": 1})).is_err());
    assert_eq!(t.execute(&json!({"A": {"B": 2}})).unwrap(), "abc2");
}

#[test]
fn reuse_parsed_template() {
    let t = Template::parse("{{.ID}}:{{.Name}}").unwrap();
    assert_eq!(t.execute(&json!({"ID": 1, "Name": "a"})).unwrap(), "1:a");
    assert_eq!(t.execute(&json!({"ID": 2, "Name": "b"})).unwrap(), "2:b");
}

// ---------------------------------------------------------------------------
// Float formatting helper

#[test]
fn strconv_format_float() {
    assert_eq!(format_float(0.0, 'e', -1), "0e+00");
    assert_eq!(format_float(-0.0, 'g', -1), "-0");
    assert_eq!(format_float(1.0, 'e', 2), "1.00e+00");
    assert_eq!(format_float(123.456, 'e', -1), "1.23456e+02");
    assert_eq!(format_float(123.456, 'f', -1), "123.456");
    assert_eq!(format_float(1e-10, 'f', -1), "0.0000000001");
    assert_eq!(format_float(1e100, 'e', 3), "1.000e+100");
    assert_eq!(format_float(f64::NAN, 'g', -1), "NaN");
    assert_eq!(format_float(f64::INFINITY, 'g', -1), "+Inf");
    assert_eq!(format_float(0.1 + 0.2, 'g', -1), "0.30000000000000004");
    assert_eq!(format_float(100.0, 'g', 2), "1e+02");
}

// ---------------------------------------------------------------------------
// Formatter (docker formatter.Context)

fn image_headers() -> Value {
    json!({"Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED", "Size": "SIZE"})
}

const IMAGES_TABLE: &str = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

fn busybox() -> Value {
    json!({"Repository": "busybox", "Tag": "latest", "ID": "beae173ccac6", "CreatedSince": "2 years ago", "Size": "1.24MB"})
}

#[test]
fn table_matches_docker_images() {
    let f = Formatter::new("table", IMAGES_TABLE).unwrap();
    assert!(f.is_table());
    let out = f.render(&image_headers(), &[busybox()]).unwrap();
    assert_eq!(
        out,
        "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n\
         busybox      latest    beae173ccac6   2 years ago   1.24MB\n"
    );
}

#[test]
fn table_multiple_rows() {
    let f = Formatter::new(IMAGES_TABLE, IMAGES_TABLE).unwrap();
    let rows = [
        busybox(),
        json!({"Repository": "docker.io/library/nginx", "Tag": "1.25-alpine", "ID": "0123456789ab", "CreatedSince": "3 weeks ago", "Size": "43.3MB"}),
    ];
    assert_eq!(
        f.render(&image_headers(), &rows).unwrap(),
        "REPOSITORY                TAG           IMAGE ID       CREATED       SIZE\n\
         busybox                   latest        beae173ccac6   2 years ago   1.24MB\n\
         docker.io/library/nginx   1.25-alpine   0123456789ab   3 weeks ago   43.3MB\n"
    );
}

#[test]
fn table_no_rows_prints_header() {
    let f = Formatter::new("table", IMAGES_TABLE).unwrap();
    assert_eq!(
        f.render(&image_headers(), &[]).unwrap(),
        "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n"
    );
}

#[test]
fn table_escaped_tabs_and_custom_columns() {
    // The user types a literal backslash-t.
    let f = Formatter::new("table {{.ID}}\\t{{.Status}}", "").unwrap();
    let headers = json!({"ID": "CONTAINER ID", "Status": "STATUS"});
    let rows = [
        json!({"ID": "abc", "Status": "Up 2 minutes"}),
        json!({"ID": "d", "Status": ""}),
    ];
    assert_eq!(
        f.render(&headers, &rows).unwrap(),
        "CONTAINER ID   STATUS\nabc            Up 2 minutes\nd              \n"
    );
}

#[test]
fn table_empty_cells_and_min_width() {
    let f = Formatter::new("table {{.A}}\t{{.B}}\t{{.C}}", "").unwrap();
    let headers = json!({"A": "A", "B": "B", "C": "C"});
    let rows = [json!({"A": "", "B": "x", "C": "1"})];
    assert_eq!(
        f.render(&headers, &rows).unwrap(),
        "A         B         C\n          x         1\n"
    );
}

#[test]
fn table_header_uses_header_functions() {
    let f = Formatter::new(
        "table {{upper .Repository}}\t{{json .Tag}}\t{{truncate .ID 3}}",
        "",
    )
    .unwrap();
    let out = f.render(&image_headers(), &[busybox()]).unwrap();
    assert_eq!(
        out,
        "REPOSITORY   TAG        IMAGE ID\nBUSYBOX      \"latest\"   bea\n"
    );
}

#[test]
fn table_header_missing_key() {
    let f = Formatter::new("table {{.Repository}}\t{{.Digest}}", "").unwrap();
    let out = f.render(&image_headers(), &[busybox()]).unwrap();
    assert_eq!(out, "REPOSITORY   <no value>\nbusybox      <no value>\n");
}

#[test]
fn table_header_error_is_ignored() {
    let f = Formatter::new(r#"table {{.ID}}\t{{.Label "a"}}"#, "").unwrap();
    let headers = json!({"ID": "CONTAINER ID"});
    let rows = [json!({"ID": "abc", "Labels": {"a": "va"}})];
    let out = f.render_with(&headers, &rows, &methods).unwrap();
    assert_eq!(out, "CONTAINER ID   \nabc            va\n");
}

#[test]
fn table_wide_characters() {
    let f = Formatter::new("table {{.A}}\t{{.B}}", "").unwrap();
    let headers = json!({"A": "NAME", "B": "X"});
    let rows = [
        json!({"A": "日本語の名前", "B": "1"}),
        json!({"A": "ü", "B": "2"}),
    ];
    assert_eq!(
        f.render(&headers, &rows).unwrap(),
        "NAME           X\n日本語の名前   1\nü              2\n"
    );
}

#[test]
fn table_prefix_variants() {
    // Anything starting with "table" is a table format.
    let f = Formatter::new("tablefoo {{.A}}", "").unwrap();
    assert!(f.is_table());
    assert_eq!(
        f.render(&json!({"A": "A"}), &[json!({"A": 1})]).unwrap(),
        "foo A\nfoo 1\n"
    );
    // Spaces around the format are trimmed.
    let f = Formatter::new("table   {{.A}}  ", "").unwrap();
    assert_eq!(
        f.render(&json!({"A": "A"}), &[json!({"A": 1})]).unwrap(),
        "A\n1\n"
    );
}

#[test]
fn non_table_format() {
    let f = Formatter::new("{{.Repository}}:{{.Tag}}", IMAGES_TABLE).unwrap();
    assert!(!f.is_table());
    let rows = [busybox(), json!({"Repository": "nginx", "Tag": "1"})];
    assert_eq!(
        f.render(&image_headers(), &rows).unwrap(),
        "busybox:latest\nnginx:1\n"
    );
    assert_eq!(f.render(&image_headers(), &[]).unwrap(), "");
    // \t and \n escapes, no alignment.
    let f = Formatter::new("{{.Tag}}\\t{{.Size}}\\n", "").unwrap();
    assert_eq!(
        f.render(&image_headers(), &[busybox()]).unwrap(),
        "latest\t1.24MB\n\n"
    );
    // Surrounding spaces are trimmed for non-table formats too.
    let f = Formatter::new("  {{.Tag}} ", "").unwrap();
    assert_eq!(
        f.render(&image_headers(), &[busybox()]).unwrap(),
        "latest\n"
    );
}

#[test]
fn json_format() {
    let f = Formatter::new("json", IMAGES_TABLE).unwrap();
    assert!(!f.is_table());
    assert_eq!(
        f.render(&image_headers(), &[busybox()]).unwrap(),
        "{\"Repository\":\"busybox\",\"Tag\":\"latest\",\"ID\":\"beae173ccac6\",\"CreatedSince\":\"2 years ago\",\"Size\":\"1.24MB\"}\n"
    );
    // Only the exact word is special.
    let f = Formatter::new("{{json .Tag}}", "").unwrap();
    assert_eq!(
        f.render(&image_headers(), &[busybox()]).unwrap(),
        "\"latest\"\n"
    );
}

#[test]
fn formatter_errors() {
    assert_eq!(
        Formatter::new("{{.Foo", "").err().unwrap().0,
        "template: :1: unclosed action"
    );
    assert_eq!(
        Formatter::new("table {{nope .X}}", "").err().unwrap().0,
        r#"template: :1: function "nope" not defined"#
    );
    let f = Formatter::new("{{.A.B}}", "").unwrap();
    assert_eq!(
        f.render(&json!({}), &[json!({"A": 1})]).unwrap_err().0,
        r#"template: :1:4: executing "" at <.A.B>: can't evaluate field B in type int"#
    );
}

#[test]
fn formatter_render_with_methods() {
    let f = Formatter::new(r#"table {{.Name}}\t{{.Label "com.x"}}"#, "").unwrap();
    let headers = json!({"Name": "NAME"});
    let rows = [
        json!({"Name": "a", "Labels": {"com.x": "1"}}),
        json!({"Name": "bb", "Labels": {}}),
    ];
    let out = f.render_with(&headers, &rows, &methods).unwrap();
    assert_eq!(out, "NAME      \na         1\nbb        \n");
    let f = Formatter::new(r#"{{.Name}}={{.Label "com.x"}}"#, "").unwrap();
    assert_eq!(
        f.render_with(&headers, &rows, &methods).unwrap(),
        "a=1\nbb=\n"
    );
}

#[test]
fn tabulate_go_semantics() {
    // Text after the last tab is not part of a column.
    assert_eq!(
        tabulate("a\tb\naaaaaaaaaaaaaaa\tc\n"),
        "a                 b\naaaaaaaaaaaaaaa   c\n"
    );
    // A line without tabs ends the column block.
    assert_eq!(
        tabulate("a\tb\nno tabs here\nlonger cell\tc\n"),
        "a         b\nno tabs here\nlonger cell   c\n"
    );
    // Column blocks: b and c are in distinct columns.
    assert_eq!(
        tabulate("aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n"),
        "aaaa      bbb       d\naa        b         dd\na         \naa        cccc      eee\n"
    );
}

#[test]
fn nesting_limits() {
    let parens = |n: usize| format!("{{{{{}1{}}}}}", "(".repeat(n), ")".repeat(n));
    assert_eq!(run(&parens(100), json!(null)), "1");
    assert_eq!(
        parse_err(&parens(101)),
        "template: :1: max expression depth exceeded"
    );
    let ifs = |n: usize| format!("{}x{}", "{{if 1}}".repeat(n), "{{end}}".repeat(n));
    assert_eq!(run(&ifs(100), json!(null)), "x");
    assert_eq!(
        parse_err(&ifs(101)),
        "template: :1: max nesting depth exceeded"
    );
    let e = err(
        r#"{{define "r"}}{{if 1}}{{with .}}{{range 1}}{{template "r" 1}}{{end}}{{end}}{{end}}{{end}}{{template "r" 1}}"#,
        json!(null),
    );
    assert!(e.ends_with("exceeded maximum template depth (100)"), "{e}");
}

// ---------------------------------------------------------------------------
// Realistic docker templates

fn inspect_data() -> Value {
    json!({
        "Id": "4c01db0b339c",
        "Name": "/web",
        "State": {"Status": "running", "Running": true, "Pid": 4242, "ExitCode": 0, "Health": null},
        "Config": {
            "Cmd": ["nginx", "-g", "daemon off;"],
            "Env": ["PATH=/usr/bin", "A=b"],
            "Labels": {"com.docker.compose.project": "shop", "maintainer": "me"},
            "ExposedPorts": {"80/tcp": {}}
        },
        "HostConfig": {"RestartPolicy": {"Name": "always", "MaximumRetryCount": 0}, "Memory": 0},
        "Mounts": [
            {"Type": "bind", "Source": "/srv/www", "Destination": "/usr/share/nginx/html"},
            {"Type": "volume", "Source": "/var/lib/docker/volumes/x", "Destination": "/data"}
        ],
        "NetworkSettings": {
            "IPAddress": "172.17.0.2",
            "Networks": {"bridge": {"IPAddress": "172.17.0.2", "Gateway": "172.17.0.1"}}
        },
        "SizeRw": 1234
    })
}

#[test]
fn docker_inspect_templates() {
    let d = inspect_data();
    assert_eq!(run("{{.State.Status}}", d.clone()), "running");
    assert_eq!(run("{{.State.Pid}}", d.clone()), "4242");
    assert_eq!(run("{{.State.Health}}", d.clone()), "<nil>");
    assert_eq!(run("{{.Config.Cmd}}", d.clone()), "[nginx -g daemon off;]");
    assert_eq!(
        run(r#"{{join .Config.Cmd " "}}"#, d.clone()),
        "nginx -g daemon off;"
    );
    assert_eq!(
        run("{{json .Config.Cmd}}", d.clone()),
        r#"["nginx","-g","daemon off;"]"#
    );
    assert_eq!(
        run(
            r#"{{index .Config.Labels "com.docker.compose.project"}}"#,
            d.clone()
        ),
        "shop"
    );
    assert_eq!(
        run(
            r#"{{with index .Config.Labels "nope"}}{{.}}{{else}}none{{end}}"#,
            d.clone()
        ),
        "none"
    );
    assert_eq!(
        run(
            "{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}",
            d.clone()
        ),
        "/srv/www:/usr/share/nginx/html /var/lib/docker/volumes/x:/data "
    );
    assert_eq!(
        run(
            "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}\n{{end}}",
            d.clone()
        ),
        "com.docker.compose.project=shop\nmaintainer=me\n"
    );
    assert_eq!(
        run(
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            d.clone()
        ),
        "172.17.0.2"
    );
    assert_eq!(
        run(
            "{{range $net, $conf := .NetworkSettings.Networks}}{{$net}} {{$conf.Gateway}}{{end}}",
            d.clone()
        ),
        "bridge 172.17.0.1"
    );
    assert_eq!(
        run("{{if .State.Running}}up{{else}}down{{end}}", d.clone()),
        "up"
    );
    assert_eq!(
        run("{{.HostConfig.RestartPolicy.Name}}", d.clone()),
        "always"
    );
    assert_eq!(
        run(
            "{{range $p, $conf := .Config.ExposedPorts}}{{$p}} {{end}}",
            d.clone()
        ),
        "80/tcp "
    );
    assert_eq!(
        run("{{.Config.ExposedPorts}}", d.clone()),
        "map[80/tcp:map[]]"
    );
    assert_eq!(
        run(
            r#"{{range .Config.Env}}{{if eq (index (split . "=") 0) "A"}}{{.}}{{end}}{{end}}"#,
            d.clone()
        ),
        "A=b"
    );
    assert_eq!(
        run(
            r#"{{range $i, $m := .Mounts}}{{if $i}}, {{end}}{{$m.Type}}{{end}}"#,
            d.clone()
        ),
        "bind, volume"
    );
    assert_eq!(
        run(r#"{{printf "%s (%d)" .Name .State.Pid}}"#, d.clone()),
        "/web (4242)"
    );
    assert_eq!(run(r#"{{slice .Id 0 4}}"#, d.clone()), "4c01");
    assert_eq!(
        run(r#"{{len .Mounts}} {{len .Config.Labels}}"#, d.clone()),
        "2 2"
    );
    assert_eq!(
        run(r#"{{.SizeRw}} {{gt .SizeRw 1000}}"#, d.clone()),
        "1234 true"
    );
    assert_eq!(
        run(r#"{{json .HostConfig}}"#, d),
        r#"{"RestartPolicy":{"Name":"always","MaximumRetryCount":0},"Memory":0}"#
    );
}

#[test]
fn docker_ps_formats() {
    let headers = json!({"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "Status": "STATUS", "Names": "NAMES", "Ports": "PORTS"});
    let rows = [
        json!({"ID": "4c01db0b339c", "Image": "nginx:latest", "Command": "\"/docker-entrypoint.…\"", "Status": "Up 5 minutes", "Names": "web", "Ports": "0.0.0.0:8080->80/tcp"}),
        json!({"ID": "d2a5c1e0f7b3", "Image": "redis", "Command": "\"docker-entrypoint.s…\"", "Status": "Exited (0) 2 hours ago", "Names": "cache", "Ports": ""}),
    ];
    let f = Formatter::new("table {{.ID}}\t{{.Image}}\t{{.Status}}\t{{.Names}}", "").unwrap();
    assert_eq!(
        f.render(&headers, &rows).unwrap(),
        "CONTAINER ID   IMAGE          STATUS                   NAMES\n\
         4c01db0b339c   nginx:latest   Up 5 minutes             web\n\
         d2a5c1e0f7b3   redis          Exited (0) 2 hours ago   cache\n"
    );
    let f = Formatter::new("table {{.Names}}\t{{.Ports}}", "").unwrap();
    assert_eq!(
        f.render(&headers, &rows).unwrap(),
        "NAMES     PORTS\nweb       0.0.0.0:8080->80/tcp\ncache     \n"
    );
    let f = Formatter::new("{{.Names}}\t{{.Status}}", "").unwrap();
    assert_eq!(
        f.render(&headers, &rows).unwrap(),
        "web\tUp 5 minutes\ncache\tExited (0) 2 hours ago\n"
    );
    let f = Formatter::new("table {{.Command}}\t{{.Names}}", "").unwrap();
    assert_eq!(
        f.render(&headers, &rows).unwrap(),
        "COMMAND                  NAMES\n\"/docker-entrypoint.…\"   web\n\"docker-entrypoint.s…\"   cache\n"
    );
}

#[test]
fn quoting_in_printf_q() {
    assert_eq!(
        run(r#"{{printf "%q" "\x01\u00a0\t"}}"#, json!(null)),
        r#""\x01\u00a0\t""#
    );
    assert_eq!(run(r#"{{printf "%q" "日本"}}"#, json!(null)), r#""日本""#);
    assert_eq!(run(r#"{{printf "%x" "é"}}"#, json!(null)), "c3a9");
    assert_eq!(run(r#"{{printf "%q" 10}}"#, json!(null)), r"'\n'");
}

#[test]
fn long_token_in_error() {
    assert_eq!(
        parse_err(r#"{{end "abcdefghijklmnop"}}"#),
        r#"template: :1: unexpected "\"abcdefghi"... in end"#
    );
}

#[test]
fn adjacent_actions_and_text() {
    assert_eq!(run("{{.A}}{{.B}}-{{.A}}", json!({"A": 1, "B": 2})), "12-1");
    assert_eq!(run("{{\"{{\"}}}}", json!(null)), "{{}}");
    assert_eq!(
        run("{{len (index . \"items\")}}", json!({"items": [1, 2, 3]})),
        "3"
    );
    assert_eq!(
        run(r#"{{index . "a" | printf "%v!"}}"#, json!({"a": [1]})),
        "[1]!"
    );
}

#[test]
fn field_names_unicode_and_underscore() {
    assert_eq!(run("{{.Ünï_1}}", json!({"Ünï_1": "ok"})), "ok");
    assert_eq!(run("{{.a_b.c2}}", json!({"a_b": {"c2": 3}})), "3");
    assert_eq!(
        parse_err("{{.a-b}}"),
        "template: :1: bad character U+002D '-'"
    );
}

#[test]
fn execute_with_none_methods_behaves_like_execute() {
    let t = Template::parse(r#"{{.A}}|{{index . "B"}}"#).unwrap();
    let d = json!({"A": 1, "B": "x"});
    let none = |_: &str, _: &Value, _: &[Value]| None;
    assert_eq!(t.execute_with(&d, &none).unwrap(), t.execute(&d).unwrap());
}

#[test]
fn parse_header_template_execute() {
    let t = Template::parse_header("{{upper .A}}\t{{truncate .B 1}}").unwrap();
    assert_eq!(
        t.execute(&json!({"A": "Hdr", "B": "Long"})).unwrap(),
        "Hdr\tLong"
    );
    let t = Template::parse("{{upper .A}}").unwrap();
    assert_eq!(t.execute(&json!({"A": "Hdr"})).unwrap(), "HDR");
}

// ---------------------------------------------------------------------------
// Cases ported from Go's text/template/parse/parse_test.go (parseTests and
// errorTests). Tree strings print text nodes with %q, as Go's tests do.

fn tree_string(list: &super::parse::List) -> String {
    use super::parse::Node;
    let mut s = String::new();
    for n in &list.nodes {
        match n {
            Node::Text(t) => s.push_str(&quote(t)),
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                let kw = match n {
                    Node::If(_) => "if",
                    Node::Range(_) => "range",
                    _ => "with",
                };
                s.push_str(&format!("{{{{{kw} {}}}}}", b.pipe));
                s.push_str(&tree_string(&b.list));
                if let Some(e) = &b.else_list {
                    s.push_str("{{else}}");
                    s.push_str(&tree_string(e));
                }
                s.push_str("{{end}}");
            }
            other => s.push_str(&other.to_string()),
        }
    }
    s
}

#[test]
fn go_parse_tests() {
    let cases: &[(&str, bool, &str)] = &[
        ("", true, ""),
        ("{{/*\n\n\n*/}}", true, ""),
        (" \t\n", true, "\" \\t\\n\""),
        ("some text", true, "\"some text\""),
        ("{{}}", false, "{{}}"),
        ("{{.X}}", true, "{{.X}}"),
        ("{{printf}}", true, "{{printf}}"),
        ("{{$}}", true, "{{$}}"),
        ("{{with $x := 3}}{{$x 23}}{{end}}", true, "{{with $x := 3}}{{$x 23}}{{end}}"),
        ("{{$.I}}", true, "{{$.I}}"),
        ("{{printf `%d` 23}}", true, "{{printf `%d` 23}}"),
        ("{{.X|.Y}}", true, "{{.X | .Y}}"),
        ("{{$x := .X|.Y}}", true, "{{$x := .X | .Y}}"),
        ("{{.X (.Y .Z) (.A | .B .C) (.E)}}", true, "{{.X (.Y .Z) (.A | .B .C) (.E)}}"),
        ("{{(.Y .Z).Field}}", true, "{{(.Y .Z).Field}}"),
        ("{{if .X}}hello{{end}}", true, "{{if .X}}\"hello\"{{end}}"),
        ("{{if .X}}true{{else}}false{{end}}", true, "{{if .X}}\"true\"{{else}}\"false\"{{end}}"),
        ("{{if .X}}true{{else if .Y}}false{{end}}", true, "{{if .X}}\"true\"{{else}}{{if .Y}}\"false\"{{end}}{{end}}"),
        ("+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+", true, "\"+\"{{if .X}}\"X\"{{else}}{{if .Y}}\"Y\"{{else}}{{if .Z}}\"Z\"{{end}}{{end}}{{end}}\"+\""),
        ("{{range .X}}hello{{end}}", true, "{{range .X}}\"hello\"{{end}}"),
        ("{{range .X.Y.Z}}hello{{end}}", true, "{{range .X.Y.Z}}\"hello\"{{end}}"),
        ("{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}", true, "{{range .X}}\"hello\"{{range .Y}}\"goodbye\"{{end}}{{end}}"),
        ("{{range .X}}true{{else}}false{{end}}", true, "{{range .X}}\"true\"{{else}}\"false\"{{end}}"),
        ("{{range .X|.M}}true{{else}}false{{end}}", true, "{{range .X | .M}}\"true\"{{else}}\"false\"{{end}}"),
        ("{{range .SI}}{{.}}{{end}}", true, "{{range .SI}}{{.}}{{end}}"),
        ("{{range $x := .SI}}{{.}}{{end}}", true, "{{range $x := .SI}}{{.}}{{end}}"),
        ("{{range $x, $y := .SI}}{{.}}{{end}}", true, "{{range $x, $y := .SI}}{{.}}{{end}}"),
        ("{{range .SI}}{{.}}{{break}}{{end}}", true, "{{range .SI}}{{.}}{{break}}{{end}}"),
        ("{{range .SI}}{{.}}{{continue}}{{end}}", true, "{{range .SI}}{{.}}{{continue}}{{end}}"),
        ("{{range .SI 1 -3.2i true false 'a' nil}}{{end}}", true, "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}"),
        ("{{template `x`}}", true, "{{template \"x\"}}"),
        ("{{template `x` .Y}}", true, "{{template \"x\" .Y}}"),
        ("{{with .X}}hello{{end}}", true, "{{with .X}}\"hello\"{{end}}"),
        ("{{with .X}}hello{{else}}goodbye{{end}}", true, "{{with .X}}\"hello\"{{else}}\"goodbye\"{{end}}"),
        ("{{with .X}}hello{{else with .Y}}goodbye{{end}}", true, "{{with .X}}\"hello\"{{else}}{{with .Y}}\"goodbye\"{{end}}{{end}}"),
        ("{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}", true, "{{with .X}}\"X\"{{else}}{{with .Y}}\"Y\"{{else}}{{with .Z}}\"Z\"{{end}}{{end}}{{end}}"),
        ("x \r\n\t{{- 3}}", true, "\"x\"{{3}}"),
        ("{{3 -}}\n\n\ty", true, "{{3}}\"y\""),
        ("x \r\n\t{{- 3 -}}\n\n\ty", true, "\"x\"{{3}}\"y\""),
        ("x\n{{-  3   -}}\ny", true, "\"x\"{{3}}\"y\""),
        ("x \r\n\t{{- /* hi */}}", true, "\"x\""),
        ("{{/* hi */ -}}\n\n\ty", true, "\"y\""),
        ("x \r\n\t{{- /* */ -}}\n\n\ty", true, "\"x\"\"y\""),
        ("{{block \"foo\" .}}hello{{end}}", true, "{{template \"foo\" .}}"),
        ("{{ $x \n := \n 1 \n }}", true, "{{$x := 1}}"),
        ("{{\n}}", false, "{{\n}}"),
        ("{{\n\"x\"\n|\nprintf\n}}", true, "{{\"x\" | printf}}"),
        ("{{/*\nhello\n*/}}", true, ""),
        ("{{-\n/*\nhello\n*/\n-}}", true, ""),
        ("{{range .SI}}{{.}}{{ continue }}{{end}}", true, "{{range .SI}}{{.}}{{continue}}{{end}}"),
        ("{{range .SI}}{{.}}{{ break }}{{end}}", true, "{{range .SI}}{{.}}{{break}}{{end}}"),
        ("hello{{range", false, ""),
        ("{{end}}", false, ""),
        ("{{else}}", false, ""),
        ("{{if .X}}hello{{end}}{{else}}", false, ""),
        ("{{if .X}}1{{else}}2{{else}}3{{end}}", false, ""),
        ("hello{{range .x}}", false, ""),
        ("hello{{range .x}}{{else}}", false, ""),
        ("hello{{undefined}}", false, ""),
        ("{{$x}}", false, ""),
        ("{{with $x := 4}}{{end}}{{$x}}", false, ""),
        ("{{template $v}}", false, ""),
        ("{{with $x.Y := 4}}{{end}}", false, ""),
        ("{{template .X}}", false, ""),
        ("{{template $v}}", false, ""),
        ("{{printf 3, 4}}", false, ""),
        ("{{with $v, $u := 3}}{{end}}", false, ""),
        ("{{range $u, $v, $w := 3}}{{end}}", false, ""),
        ("{{printf (printf .).}}", false, ""),
        ("{{printf 3`x`}}", false, ""),
        ("{{printf `x`.}}", false, ""),
        ("{{if .X}}a{{else if .Y}}b{{end}}{{end}}", false, ""),
        ("{{range .}}{{end}} {{break}}", false, ""),
        ("{{range .}}{{end}} {{continue}}", false, ""),
        ("{{range .}}{{else}}{{break}}{{end}}", false, ""),
        ("{{range .}}{{else}}{{continue}}{{end}}", false, ""),
        ("{{$x := 0}}{{$x}}", true, "{{$x := 0}}{{$x}}"),
        ("{{$x += 1}}{{$x}}", false, ""),
        ("{{$x ! 2}}{{$x}}", false, ""),
        ("{{$x % 3}}{{$x}}", false, ""),
        ("{{range $x := $y := 3}}{{end}}", false, ""),
        ("{{$x:=.}}{{$x!2}}", false, ""),
        ("{{$x:=.}}{{$x+2}}", false, ""),
        ("{{$x:=.}}{{$x +2}}", true, "{{$x := .}}{{$x +2}}"),
        ("{{range $x := 0}}{{$x}}{{end}}", true, "{{range $x := 0}}{{$x}}{{end}}"),
        ("{{range $x = 0}}{{$x}}{{end}}", true, "{{range $x = 0}}{{$x}}{{end}}"),
        ("{{1.E}}", false, ""),
        ("{{0.1.E}}", false, ""),
        ("{{true.E}}", false, ""),
        ("{{'a'.any}}", false, ""),
        ("{{\"hello\".guys}}", false, ""),
        ("{{..E}}", false, ""),
        ("{{nil.E}}", false, ""),
        ("{{12|.}}", false, ""),
        ("{{.|12|printf}}", false, ""),
        ("{{.|printf|\"error\"}}", false, ""),
        ("{{12|printf|'e'}}", false, ""),
        ("{{.|true}}", false, ""),
        ("{{'c'|nil}}", false, ""),
        ("{{printf \"%d\" ( ) }}", false, ""),
        ("{{block \"foo\"}}hello{{end}}", false, ""),
    ];
    let mut failures = Vec::new();
    for (input, ok, want) in cases {
        match super::parse::parse(input, &|name| super::funcs::lookup(name).is_some()) {
            Ok(trees) => {
                if !ok {
                    failures.push(format!("{input:?}: expected error"));
                    continue;
                }
                let got = tree_string(&trees[""]);
                if got != *want {
                    failures.push(format!("{input:?}: got {got:?}, want {want:?}"));
                }
            }
            Err(e) => {
                if *ok {
                    failures.push(format!("{input:?}: unexpected error {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn go_parse_error_tests() {
    let cases: &[(&str, &str)] = &[
        ("line1\n{{", ":2: unclosed action"),
        ("line1\n{{define `x`}}line2\n{{", ":3: unclosed action"),
        (
            "line1\n{{\"x\"\n\"y\"\n",
            ":4: unclosed action started at :2",
        ),
        ("{{\n\n\n\n\n", ":6: unclosed action started at :1"),
        ("line1\n{{\nx\n}}", ":3: function \"x\" not defined"),
        ("{{foo}}", "function \"foo\" not defined"),
        ("{{/*}}", ":1: unclosed comment"),
        ("{{/*\nhello\n}}", ":1: unclosed comment"),
        ("{{.X (1 2 3}}", "unclosed left paren"),
        ("{{.X 1 2 3 ) }}", "unexpected right paren"),
        ("{{(.X 1 2 3", "unclosed action"),
        ("{{`x`3}}", "in operand"),
        ("{{a#}}", "'#'"),
        ("{{'a}}", "unterminated character constant"),
        ("{{\"a}}", "unterminated quoted string"),
        ("{{`a}}", "unterminated raw quoted string"),
        ("{{0xi}}", "number syntax"),
        (
            "{{define `a`}}a{{end}}{{define `a`}}b{{end}}",
            "multiple definition of template",
        ),
        ("{{range .X}}", "unexpected EOF"),
        (
            "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}",
            "unexpected \":=\"",
        ),
        ("{{$a,$b,$c := 23}}", "too many declarations"),
        ("{{$a}}", "undefined variable"),
        ("{{true.any}}", "unexpected . after term"),
        ("{{12|false}}", "non executable command in pipeline"),
        ("{{ ( ) }}", "missing value for parenthesized pipeline"),
        ("{{ $v := `\n` }} {{", ":2: unclosed action"),
        ("{{range $k}}{{end}}", "undefined variable"),
        ("{{range $k, $v}}{{end}}", "undefined variable"),
        ("{{range $k,}}{{end}}", "missing value for range"),
        ("{{range $k, $v := }}{{end}}", "missing value for range"),
        (
            "{{range $k, .}}{{end}}",
            "range can only initialize variables",
        ),
        (
            "{{range $k, 123 := .}}{{end}}",
            "range can only initialize variables",
        ),
    ];
    let mut failures = Vec::new();
    for (input, want) in cases {
        match Template::parse(input) {
            Ok(_) => failures.push(format!("{input:?}: expected error containing {want:?}")),
            Err(e) => {
                if !e.0.contains(want) {
                    failures.push(format!(
                        "{input:?}: error {:?} does not contain {want:?}",
                        e.0
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// Cases ported from Go's text/template exec_test.go (execTests whose data
// is a plain value and that use only builtin functions).
#[test]
fn go_exec_tests() {
    let cases: &[(&str, &str, &str, bool)] = &[
        ("", "", "null", true),
        ("some text", "some text", "null", true),
        ("{{nil}}", "", "null", false),
        ("{{nil}}", "", "0", false),
        ("<{{.}}>", "<13>", "13", true),
        ("<{{.}}>", "<15.1>", "15.1", true),
        ("<{{.}}>", "<true>", "true", true),
        ("<{{.}}>", "<hello>", "\"hello\"", true),
        ("{{$}}", "123", "123", true),
        ("{{.foo}}", "<no value>", "null", true),
        ("{{(.).foo}}", "<no value>", "null", true),
        ("{{1 2}}", "", "null", false),
        ("{{(1) 2}}", "", "null", false),
        ("{{(1)}}", "1", "null", true),
        (
            "{{html \"<script>alert(\\\"XSS\\\");</script>\"}}",
            "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;",
            "null",
            true,
        ),
        (
            "{{printf \"<script>alert(\\\"XSS\\\");</script>\" | html}}",
            "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;",
            "null",
            true,
        ),
        (
            "{{\"http://www.example.org/\"|urlquery}}",
            "http%3A%2F%2Fwww.example.org%2F",
            "null",
            true,
        ),
        ("{{not true}} {{not false}}", "false true", "null", true),
        (
            "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}",
            "false 0 0 1",
            "null",
            true,
        ),
        (
            "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}",
            "0 1 true 1",
            "null",
            true,
        ),
        ("{{1 | and 1}}", "1", "null", true),
        ("{{0 | and 1}}", "0", "null", true),
        ("{{1 | or 0}}", "1", "null", true),
        ("{{0 | or 0}}", "0", "null", true),
        ("{{and 1 .Unknown}}", "<no value>", "null", true),
        ("{{or 0 .Unknown}}", "<no value>", "null", true),
        (
            "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}",
            "FALSE",
            "null",
            true,
        ),
        (
            "{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}",
            "FALSE",
            "null",
            true,
        ),
    ];
    let mut failures = Vec::new();
    for (input, want, data, ok) in cases {
        let data: Value = serde_json::from_str(data).unwrap();
        let r = Template::parse(input).and_then(|t| t.execute(&data));
        match (r, ok) {
            (Ok(got), true) if got != *want => {
                failures.push(format!("{input:?}: got {got:?}, want {want:?}"))
            }
            (Ok(got), false) => failures.push(format!("{input:?}: expected error, got {got:?}")),
            (Err(e), true) => failures.push(format!("{input:?}: unexpected error {e}")),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// Go's TestComparison, with JSON data standing in for the struct.
#[test]
fn go_comparison_tests() {
    let cases: &[(&str, &str, bool)] = &[
        ("eq true true", "true", true),
        ("eq true false", "false", true),
        ("eq 1.5 1.5", "true", true),
        ("eq 1.5 2.5", "false", true),
        ("eq 1 1", "true", true),
        ("eq 1 2", "false", true),
        ("eq `xy` `xy`", "true", true),
        ("eq `xy` `xyz`", "false", true),
        ("eq .Uthree .Uthree", "true", true),
        ("eq .Uthree .Ufour", "false", true),
        ("eq 3 4 5 6 3", "true", true),
        ("eq 3 4 5 6 7", "false", true),
        ("ne true true", "false", true),
        ("ne true false", "true", true),
        ("ne 1.5 1.5", "false", true),
        ("ne 1.5 2.5", "true", true),
        ("ne 1 1", "false", true),
        ("ne 1 2", "true", true),
        ("ne `xy` `xy`", "false", true),
        ("ne `xy` `xyz`", "true", true),
        ("lt 1.5 1.5", "false", true),
        ("lt 1.5 2.5", "true", true),
        ("lt 1 1", "false", true),
        ("lt 1 2", "true", true),
        ("lt `xy` `xy`", "false", true),
        ("lt `xy` `xyz`", "true", true),
        ("le 1.5 1.5", "true", true),
        ("le 1.5 2.5", "true", true),
        ("le 2.5 1.5", "false", true),
        ("le 1 1", "true", true),
        ("le 1 2", "true", true),
        ("le 2 1", "false", true),
        ("le `xy` `xy`", "true", true),
        ("le `xy` `xyz`", "true", true),
        ("le `xyz` `xy`", "false", true),
        ("gt 1.5 1.5", "false", true),
        ("gt 1.5 2.5", "false", true),
        ("gt 1 1", "false", true),
        ("gt 2 1", "true", true),
        ("gt 1 2", "false", true),
        ("gt `xy` `xy`", "false", true),
        ("gt `xy` `xyz`", "false", true),
        ("ge 1.5 1.5", "true", true),
        ("ge 1.5 2.5", "false", true),
        ("ge 2.5 1.5", "true", true),
        ("ge 1 1", "true", true),
        ("ge 1 2", "false", true),
        ("ge 2 1", "true", true),
        ("ge `xy` `xy`", "true", true),
        ("ge `xy` `xyz`", "false", true),
        ("ge `xyz` `xy`", "true", true),
        ("eq .Uthree .Three", "true", true),
        ("lt .Ufour .Three", "false", true),
        ("gt .Ufour .Three", "true", true),
        ("eq .NegOne .Uthree", "false", true),
        ("lt .NegOne .Uthree", "true", true),
        ("ge .Uthree .NegOne", "true", true),
        ("eq (index `x` 0) 'x'", "true", true),
        ("eq (index `x` 0) 'y'", "false", true),
        ("eq .Map .Map", "true", true),
        ("eq .Map nil", "true", true),
        ("eq nil .Map", "true", true),
        ("eq .Map .NonNilMap", "false", true),
        ("eq .NilIface 0", "false", true),
        ("eq `xy` 1", "", false),
        ("eq 2 2.0", "", false),
        ("lt true true", "", false),
        ("eq .NonNilMap .NonNilMap", "", false),
        ("eq .NonNilMap .List", "", false),
    ];
    let data = json!({"Uthree": 3, "Ufour": 4, "NegOne": -1, "Three": 3, "Map": null, "NonNilMap": {}, "List": [1]});
    let mut failures = Vec::new();
    for (expr, want, ok) in cases {
        let text = format!("{{{{if {expr}}}}}true{{{{else}}}}false{{{{end}}}}");
        let r = Template::parse(&text).unwrap().execute(&data);
        match (r, ok) {
            (Ok(got), true) if got != *want => {
                failures.push(format!("{expr}: got {got}, want {want}"))
            }
            (Ok(_), false) => failures.push(format!("{expr}: did not error")),
            (Err(e), true) => failures.push(format!("{expr}: errored: {e}")),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// Go's TestExecError: an error in a nested template names that template.
#[test]
fn go_nested_exec_error() {
    let text = "line 1\nline 2\nline 3\n{{template \"one\" .}}\n{{define \"one\"}}{{template \"two\" .}}{{end}}\n{{define \"two\"}}{{template \"three\" .}}{{end}}\n{{define \"three\"}}{{index \"hi\" $}}{{end}}";
    assert_eq!(
        err(text, json!(5)),
        r#"template: :7:20: executing "three" at <index "hi" $>: error calling index: index out of range: 5"#
    );
}

#[test]
fn html_of_nil_kinds() {
    // A typed nil (JSON null) prints <nil>; no value prints <no value>.
    assert_eq!(run("{{html .N}}", json!({"N": null})), "&lt;nil&gt;");
    assert_eq!(run("{{html .Missing}}", json!({})), "&lt;no value&gt;");
    assert_eq!(
        run("{{print .N .Missing}}", json!({"N": null})),
        "<nil> <nil>"
    );
    assert_eq!(
        run("{{html nil}} {{print nil}} {{json nil}}", json!(null)),
        "&lt;no value&gt; <nil> null"
    );
}

// ---------------------------------------------------------------------------
// Inputs the fuzz tests (fuzz_tests.rs) found panicking, kept as they were.

#[test]
fn printf_star_width_past_go_limit_is_badwidth() {
    // Was "capacity overflow": the width i64::MIN padded to usize::MAX.
    assert_eq!(
        sprintf("%*0", &[json!(i64::MIN), json!(false)]),
        "%!(BADWIDTH)%!0(bool=false)"
    );
    assert_eq!(
        sprintf("%*d", &[json!(2_000_000), json!(5)]),
        "%!(BADWIDTH)5"
    );
    assert_eq!(
        sprintf("%.*d", &[json!(u64::MAX), json!(5)]),
        "%!(BADPREC)5"
    );
    assert_eq!(sprintf("%*d|", &[json!(-3), json!(5)]), "5  |");
}

#[test]
fn escaped_multibyte_character_is_a_syntax_error() {
    // Was a panic slicing inside 'é' (unquote_char).
    assert_eq!(parse_err("{{\"\\é\"}}"), parse_err("{{\"\\q\"}}"));
    assert_eq!(parse_err("{{'\\é'}}"), parse_err("{{'\\q'}}"));
    assert!(parse_err("{{\"\\é\"}}").starts_with("template: :1:"));
}
