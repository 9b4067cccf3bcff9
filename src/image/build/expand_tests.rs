use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn word(w: &str, e: &[(&str, &str)]) -> Result<String, ExpandError> {
    Lexer::default().process_word(w, &env(e))
}

fn err(w: &str, e: &[(&str, &str)]) -> String {
    word(w, e).expect_err(w).0
}

/// buildkit's envVarTest, run as TestShellParser4EnvVars does (Unix rows).
#[test]
fn buildkit_env_var_table() {
    let envs = env(&[
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]);
    let lx = Lexer::default();
    let mut rows = 0;
    for (n, line) in ENV_VAR_TEST.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.trim().split('|').collect();
        assert_eq!(parts.len(), 3, "line {n}");
        let (platform, source, expected) = (parts[0].trim(), parts[1].trim(), parts[2].trim());
        if platform == "W" {
            continue;
        }
        rows += 1;
        let got = lx.process_word(source, &envs);
        if expected == "error" {
            assert!(got.is_err(), "line {}: {source:?} gave {got:?}", n + 1);
        } else {
            assert_eq!(got.as_deref(), Ok(expected), "line {}: {source:?}", n + 1);
        }
    }
    assert!(rows > 200);
}

/// buildkit's wordsTest, run as TestShellParser4Words does (normal mode).
#[test]
fn buildkit_words_table() {
    let lx = Lexer::default();
    let mut envs: Vec<(String, String)> = Vec::new();
    for (n, line) in WORDS_TEST.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("ENV ") {
            let (k, v) = rest.trim_start_matches(' ').split_once('=').unwrap();
            envs.push((k.to_string(), v.to_string()));
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 2, "line {n}");
        let test = parts[0].trim();
        let expected: Vec<&str> = parts[1].trim_start_matches(' ').split(',').collect();
        let got = lx
            .process_words(test, &envs)
            .unwrap_or_else(|_| vec!["error".into()]);
        assert_eq!(got, expected, "line {}: {test:?}", n + 1);
    }
}

#[test]
fn mandatory_vars() {
    let no_empty = "${VAR:?message here$ARG}";
    let no_unset = "${VAR?message here$ARG}";
    let set = [("VAR", "plain"), ("ARG", "x")];
    let empty = [("VAR", ""), ("ARG", "x")];
    let unset = [("ARG", "x")];
    assert_eq!(word(no_empty, &set).unwrap(), "plain");
    assert!(err(no_empty, &empty).contains("message herex"));
    assert!(err(no_empty, &unset).contains("message herex"));
    assert_eq!(word(no_unset, &set).unwrap(), "plain");
    assert_eq!(word(no_unset, &empty).unwrap(), "");
    assert!(err(no_unset, &unset).contains("message herex"));
    assert_eq!(
        err("${VAR?}", &[]),
        "failed to process \"${VAR?}\": VAR: is not allowed to be unset"
    );
    assert_eq!(
        err("${VAR:?}", &[("VAR", "")]),
        "failed to process \"${VAR:?}\": VAR: is not allowed to be empty"
    );
    assert_eq!(
        err("${VAR:?boom}", &[]),
        "failed to process \"${VAR:?boom}\": VAR: boom"
    );
}

/// A lookup that records names, for buildkit's matched/unmatched sets.
struct Rec<'a>(&'a BTreeMap<String, String>, RefCell<Vec<(String, bool)>>);

impl Lookup for Rec<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let v = self.0.get(name).cloned();
        self.1.borrow_mut().push((name.to_string(), v.is_some()));
        v
    }
}

fn check(
    input: &str,
    e: &[(&str, &str)],
    expected: Option<&str>,
    matched: &[&str],
    unmatched: &[&str],
) {
    let map = env(e);
    let rec = Rec(&map, RefCell::new(Vec::new()));
    let got = Lexer::default().process_word(input, &rec);
    let Some(expected) = expected else {
        assert!(got.is_err(), "{input:?} gave {got:?}");
        return;
    };
    assert_eq!(got.as_deref(), Ok(expected), "{input:?}");
    let seen = rec.1.into_inner();
    let mut m: Vec<&str> = seen
        .iter()
        .filter(|(_, s)| *s)
        .map(|(n, _)| n.as_str())
        .collect();
    let mut u: Vec<&str> = seen
        .iter()
        .filter(|(_, s)| !*s)
        .map(|(n, _)| n.as_str())
        .collect();
    for v in [&mut m, &mut u] {
        v.sort();
        v.dedup();
    }
    let (mut em, mut eu) = (matched.to_vec(), unmatched.to_vec());
    em.sort();
    eu.sort();
    assert_eq!((m, u), (em, eu), "{input:?}");
}

/// TestProcessWithMatches: the modifiers with and without `:`.
#[test]
fn with_matches_modifiers() {
    let fb = [("FOO", "xxx"), ("BAR", "")];
    check("x", &[("DUMMY", "dummy")], Some("x"), &[], &[]);
    check(
        "x ${UNUSED}",
        &[("DUMMY", "dummy")],
        Some("x "),
        &[],
        &["UNUSED"],
    );
    check("x ${FOO}", &[("FOO", "y")], Some("x y"), &["FOO"], &[]);
    check(
        "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
        &fb,
        Some("xxx  ccc"),
        &["FOO", "BAR"],
        &["BAZ"],
    );
    check(
        "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
        &fb,
        Some("xxx bbb ccc"),
        &["FOO", "BAR"],
        &["BAZ"],
    );
    check("${FOO:-}", &fb, Some("xxx"), &["FOO"], &[]);
    check("${FOO:-}", &[], Some(""), &[], &["FOO"]);
    check(
        "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
        &fb,
        Some("aaa bbb "),
        &["FOO", "BAR"],
        &["BAZ"],
    );
    check(
        "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
        &fb,
        Some("aaa  "),
        &["FOO", "BAR"],
        &["BAZ"],
    );
    check("${FOO?aaa}", &fb, Some("xxx"), &["FOO"], &[]);
    check("${BAR?bbb}", &fb, Some(""), &["BAR"], &[]);
    check("${BAZ?ccc}", &fb, None, &[], &[]);
    check("${FOO:?aaa}", &fb, Some("xxx"), &["FOO"], &[]);
    check("${BAR:?bbb}", &fb, None, &[], &[]);
    check("${BAZ:?ccc}", &fb, None, &[], &[]);
    check("${BAZ:?}", &fb, None, &[], &[]);
    check("${FOO=aaa}", &fb, None, &[], &[]);
    check("${FOO=:aaa}", &fb, None, &[], &[]);
    check("${FOO=}", &[], None, &[], &[]);
}

/// TestProcessWithMatches: the `#`, `##`, `%`, `%%` trims.
#[test]
fn with_matches_trims() {
    let xy = [("FOO", "xxyy")];
    check(
        r"${FOO#()[]{\}^$.\*\?|\\}",
        &[("FOO", r"()[]{}^$.*?|\x")],
        Some("x"),
        &["FOO"],
        &[],
    );
    check(
        r"${FOO%%\**}",
        &[("FOO", "xx**")],
        Some("xx"),
        &["FOO"],
        &[],
    );
    check("${FOO#*x*y}", &xy, Some("y"), &["FOO"], &[]);
    check("${FOO#*}", &xy, Some("xxyy"), &["FOO"], &[]);
    check(
        "${FOO#$BAR}",
        &[("FOO", "xxyy"), ("BAR", "x")],
        Some("xyy"),
        &["FOO", "BAR"],
        &[],
    );
    check(
        "${FOO#$BAR}",
        &[("FOO", "xxyy"), ("BAR", "")],
        Some("xxyy"),
        &["FOO", "BAR"],
        &[],
    );
    check("${FOO#}", &xy, Some("xxyy"), &["FOO"], &[]);
    check("${FOO##*x}", &xy, Some("yy"), &["FOO"], &[]);
    check("${FOO##}", &xy, Some("xxyy"), &["FOO"], &[]);
    check(r"${FOO#?\?}", &[("FOO", "???y")], Some("?y"), &["FOO"], &[]);
    check(
        "${ABC:-.}${FOO%x}${ABC:-.}",
        &xy,
        Some(".xxyy."),
        &["FOO"],
        &["ABC"],
    );
    check(
        r"${FOO%%\**\*}",
        &[("FOO", "a***yy*")],
        Some("a"),
        &["FOO"],
        &[],
    );
    check("${FOO%}", &xy, Some("xxyy"), &["FOO"], &[]);
    check(
        "${FOO%%$BAR}",
        &[("FOO", "xxyy"), ("BAR", "")],
        Some("xxyy"),
        &["FOO", "BAR"],
        &[],
    );
    for bad in ["${FOO:#}", "${FOO:##}", "${FOO:%}", "${FOO:%%}"] {
        check(bad, &[], None, &[], &[]);
    }
    // Shortest and longest from either end.
    let p = [("P", "a/b/c.tar.gz")];
    assert_eq!(word("${P#*/}", &p).unwrap(), "b/c.tar.gz");
    assert_eq!(word("${P##*/}", &p).unwrap(), "c.tar.gz");
    assert_eq!(word("${P%.*}", &p).unwrap(), "a/b/c.tar");
    assert_eq!(word("${P%%.*}", &p).unwrap(), "a/b/c");
    assert_eq!(word("${P%/*}", &p).unwrap(), "a/b");
    assert_eq!(word("${P#nomatch}", &p).unwrap(), "a/b/c.tar.gz");
}

/// TestProcessWithMatches: `/` and `//` replacements.
#[test]
fn with_matches_replace() {
    check(
        "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
        &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", r"\*/")],
        Some("/foo.*/*.txt - /foo..*.txt"),
        &["FOO", "NEEDLE"],
        &[],
    );
    check(
        "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
        &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
        Some("/tmp/bar.txt - /bar.txt"),
        &["FOO", "NEEDLE"],
        &[],
    );
    let r = [
        ("FOO", "/a/foo/b/c.txt"),
        ("NEEDLE", "/?/"),
        ("REPLACEMENT", "/"),
    ];
    let names = ["FOO", "NEEDLE", "REPLACEMENT"];
    check(
        "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
        &r,
        Some("/foo/b/c.txt - /foo/c.txt"),
        &names,
        &[],
    );
    let h = [
        ("FOO", "http://google.de"),
        ("NEEDLE", "http://"),
        ("REPLACEMENT", "https://"),
    ];
    check(
        "${FOO/$NEEDLE/$REPLACEMENT}",
        &h,
        Some("https://google.de"),
        &names,
        &[],
    );
    check(
        r"${FOO//\//\/}",
        &[("FOO", "/tmp/foo.txt")],
        Some(r"\/tmp\/foo.txt"),
        &["FOO"],
        &[],
    );
    check(
        "${FOO/$BAR/ww}",
        &[("FOO", "xxyy"), ("BAR", "")],
        Some("wwxxyy"),
        &["FOO", "BAR"],
        &[],
    );
    check("${FOO//ww}", &[("FOO", "xxyy")], None, &[], &[]);
    check("${FOO//}", &[("FOO", "xxyy")], None, &[], &[]);
    check("${FOO///}", &[("FOO", "xxyy")], Some("xxyy"), &["FOO"], &[]);
    check("${FOO///}", &[], Some(""), &[], &["FOO"]);
}

/// Go's ReplaceAllString: empty matches and `$` templates.
#[test]
fn replace_all_go_rules() {
    let f = [("F", "abc"), ("E", "")];
    assert_eq!(word("${F//$E/-}", &f).unwrap(), "-a-b-c-");
    assert_eq!(word("${F//*/-}", &f).unwrap(), "-");
    assert_eq!(word("${F//b*/-}", &f).unwrap(), "a-");
    // The replacement is a Go regexp template (a `$` in it comes from a
    // variable: `$0` in the Dockerfile text is expanded first).
    let t = |d: &'static str| [("F", "abc"), ("D", d)];
    assert_eq!(word("${F//?/$D}", &t("[$0]")).unwrap(), "[a][b][c]");
    assert_eq!(word("${F//?/$D}", &t("[${0}]")).unwrap(), "[a][b][c]");
    assert_eq!(word("${F//b/$D}", &t("$1x")).unwrap(), "ac");
    assert_eq!(word("${F//b/$D}", &t("$$")).unwrap(), "a$c");
    assert_eq!(word("${F//b/$D}", &t("${0")).unwrap(), "a${0c");
    assert_eq!(word("${F//b/$D}", &t("$ $")).unwrap(), "a$ $c");
    assert_eq!(word("${F//?/$0}", &f).unwrap(), "");
    // The single replacement takes the text literally.
    assert_eq!(word("${F/b/$D}", &t("$$")).unwrap(), "a$$c");
    // `?` and `*` do not cross a newline (Go's `.`).
    let nl = [("F", "a\nb")];
    assert_eq!(word("${F#*}", &nl).unwrap(), "a\nb");
    assert_eq!(word("${F##*}", &nl).unwrap(), "\nb");
    assert_eq!(word("${F//?/x}", &nl).unwrap(), "x\nx");
}

#[test]
fn pattern_compile_and_reverse() {
    assert_eq!(compile_pattern("*").unwrap(), vec![Tok::Star]);
    assert_eq!(compile_pattern("?").unwrap(), vec![Tok::Any]);
    assert_eq!(compile_pattern(r"\*").unwrap(), vec![Tok::Lit('*')]);
    assert_eq!(
        compile_pattern(r"a\}\/").unwrap(),
        vec![Tok::Lit('a'), Tok::Lit('}'), Tok::Lit('/')]
    );
    for bad in ["\\", "\\x", "\\\\\\"] {
        assert!(compile_pattern(bad).is_err(), "{bad}");
    }
    assert_eq!(compile_pattern(r"\x").unwrap_err(), r"invalid escape '\x'");
    assert_eq!(
        compile_pattern("\\").unwrap_err(),
        "invalid escape '\\\u{fffd}'"
    );
    let cases = [
        (r"a\*c", r"c\*a"),
        (r"\\\ab", r"b\a\\"),
        (r"ab\", r"\ba"),
        (r"👽\🚀🖖", r"🖖\🚀👽"),
        (r"\\b", r"b\\"),
    ];
    for (p, want) in cases {
        assert_eq!(reverse_pattern(p), want, "{p}");
    }
    assert_eq!(
        err(r"${F#a\x}", &[("F", "a")]),
        r#"failed to process "${F#a\\x}": invalid pattern (a\x) in substitution: invalid escape '\x'"#
    );
    // `%` reports the reversed pattern, as buildkit does.
    assert_eq!(
        err("${F%$P}", &[("F", "a"), ("P", r"ab\")]),
        r#"failed to process "${F%$P}": invalid pattern (\ba) in substitution: invalid escape '\b'"#
    );
}

/// TestProcessWithMatchesPlatform.
#[test]
fn platform_release_name() {
    let release =
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
    let base = [("VERSION", "v1.2.3"), ("TARGETOS", "linux")];
    let v7 = [
        base[0],
        base[1],
        ("TARGETARCH", "arm"),
        ("TARGETVARIANT", "v7"),
    ];
    assert_eq!(
        word(release, &v7).unwrap(),
        "something-v1.2.3.linux-arm-v7.tar.gz"
    );
    let empty = [
        base[0],
        base[1],
        ("TARGETARCH", "arm64"),
        ("TARGETVARIANT", ""),
    ];
    assert_eq!(
        word(release, &empty).unwrap(),
        "something-v1.2.3.linux-arm64.tar.gz"
    );
    let unset = [base[0], base[1], ("TARGETARCH", "arm64")];
    assert_eq!(
        word(release, &unset).unwrap(),
        "something-v1.2.3.linux-arm64.tar.gz"
    );
}

#[test]
fn error_messages() {
    let cases = [
        ("${a", "unsupported modifier (\u{fffd}) in substitution"),
        ("${", "syntax error: missing '}'"),
        ("${}", "syntax error: bad substitution"),
        ("${:-x}", "syntax error: bad substitution"),
        ("${{a}", "syntax error: bad substitution"),
        ("${a:-b", "syntax error: missing '}'"),
        ("${a:", "syntax error: missing '}'"),
        ("${a:x}", "unsupported modifier (:x) in substitution"),
        ("${a:=x}", "unsupported modifier (:=) in substitution"),
        ("${a=x}", "unsupported modifier (=) in substitution"),
        ("${a.}", "unsupported modifier (.) in substitution"),
        ("${a:#x}", "unsupported modifier (:#) in substitution"),
        ("${a/b", "syntax error: missing '/' in ${}"),
        ("${a/b/c", "syntax error: missing '}'"),
        (
            "'abc",
            "unexpected end of statement while looking for matching single-quote",
        ),
        (
            "\"abc",
            "unexpected end of statement while looking for matching double-quote",
        ),
        ("${a:-'b}", "syntax error: missing '}'"),
    ];
    for (input, msg) in cases {
        assert_eq!(
            err(input, &[]),
            format!("failed to process {}: {msg}", go_quote(input)),
            "{input}"
        );
    }
    let e = word("${a", &[]).unwrap_err();
    assert_eq!(e.to_string(), e.0);
}

#[test]
fn quoting_and_escapes() {
    let e = [("V", "val"), ("S", "a b")];
    assert_eq!(
        word(r#""a \"b\" \$V \\ \x""#, &e).unwrap(),
        r#"a "b" $V \ \x"#
    );
    assert_eq!(word(r#"'$V "x" \n'"#, &e).unwrap(), r#"$V "x" \n"#);
    assert_eq!(word(r"\$V\ \a", &e).unwrap(), "$V a");
    assert_eq!(word(r"$V\", &e).unwrap(), "val");
    assert_eq!(word("a $ b$", &e).unwrap(), "a $ b$");
    assert_eq!(word("${V}x$V-$S", &e).unwrap(), "valxval-a b");
    assert_eq!(word("<<EOF $V", &e).unwrap(), "<<EOF val");
    assert_eq!(word("\u{feff}$V", &e).unwrap(), "val");
    // The backtick escape: `\` is then an ordinary char.
    let bt = Lexer::new('`');
    let m = env(&e);
    assert_eq!(bt.process_word(r"C:\path\`$V", &m).unwrap(), r"C:\path\$V");
    assert_eq!(bt.process_word(r#""a`"b\c""#, &m).unwrap(), r#"a"b\c"#);
    assert_eq!(bt.process_word("`", &m).unwrap(), "");
}

#[test]
fn words_split_after_expansion() {
    let lx = Lexer::default();
    let e = env(&[("S", "a b"), ("E", "")]);
    assert_eq!(
        lx.process_words("x $S y", &e).unwrap(),
        ["x", "a", "b", "y"]
    );
    assert_eq!(
        lx.process_words("x \"$S\" y", &e).unwrap(),
        ["x", "a b", "y"]
    );
    assert_eq!(lx.process_words("x '' \"\" $E y", &e).unwrap(), ["x", "y"]);
    assert_eq!(
        lx.process_words("  80/tcp\t443  ", &e).unwrap(),
        ["80/tcp", "443"]
    );
    assert_eq!(lx.process_words("a${S:-x}b", &e).unwrap(), ["aa", "bb"]);
    assert_eq!(
        lx.process_words("80${E:-/udp} 9", &e).unwrap(),
        ["80/udp", "9"]
    );
    assert_eq!(lx.process_words("<<  EOF x", &e).unwrap(), ["<<  EOF", "x"]);
    assert_eq!(lx.process_words("a\\ b", &e).unwrap(), ["a b"]);
    assert!(lx.process_words("a 'b", &e).is_err());
    assert!(lx.process_words("", &e).unwrap().is_empty());
}

#[test]
fn referenced_names_lists_lookups() {
    let lx = Lexer::default();
    assert_eq!(lx.referenced_names("plain 'text' $"), Vec::<String>::new());
    assert_eq!(
        lx.referenced_names("$A ${B} \"$C\" '$D' \\$E $A"),
        ["A", "B", "C"]
    );
    assert_eq!(
        lx.referenced_names("${A:-$B}${C:+${D}}${E:?}${F#$G}${H//$I/$J}"),
        ["B", "A", "D", "C", "E", "G", "F", "I", "J", "H"]
    );
    assert_eq!(lx.referenced_names("$1 ${@} $A ${B"), ["1", "@", "A"]);
    assert_eq!(lx.referenced_names("$A ${:x} $B"), ["A"]);
}

#[test]
fn lookup_impls() {
    let lx = Lexer::default();
    let pairs = vec![
        ("A".to_string(), "1".to_string()),
        ("A".to_string(), "2".to_string()),
    ];
    assert_eq!(lx.process_word("$A", &pairs).unwrap(), "2");
    let mut h = HashMap::new();
    h.insert("A".to_string(), "h".to_string());
    assert_eq!(lx.process_word("$A$B", &h).unwrap(), "h");
    let f = |n: &str| (n == "A").then(|| "f".to_string());
    assert_eq!(lx.process_word("$A-${B-u}", &f).unwrap(), "f-u");
}

#[test]
fn go_quote_matches_strconv() {
    assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(go_quote("\n\t\u{1}\u{7f}é한"), "\"\\n\\t\\x01\\x7fé한\"");
    assert_eq!(go_quote("\u{a0}\u{2028}"), "\"\\u00a0\\u2028\"");
}

/// moby/buildkit frontend/dockerfile/shell/envVarTest, verbatim.
const ENV_VAR_TEST: &str = include_str!("expand_env_var_test.txt");

/// moby/buildkit frontend/dockerfile/shell/wordsTest, verbatim.
const WORDS_TEST: &str = include_str!("expand_words_test.txt");
