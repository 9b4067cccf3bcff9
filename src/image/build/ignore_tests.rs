use super::*;

fn ig(patterns: &[&str]) -> Ignore {
    Ignore::from_patterns(patterns).unwrap_or_else(|e| panic!("{patterns:?}: {e}"))
}

/// patternmatcher_test.go TestMatches, the single-pattern table.
const MATCHES: &[(&str, &str, bool)] = &[
    ("**", "file", true),
    ("**", "file/", true),
    ("**/", "file", true),
    ("**/", "file/", true),
    ("**", "/", true),
    ("**/", "/", true),
    ("**", "dir/file", true),
    ("**/", "dir/file", true),
    ("**", "dir/file/", true),
    ("**/", "dir/file/", true),
    ("**/**", "dir/file", true),
    ("**/**", "dir/file/", true),
    ("dir/**", "dir/file", true),
    ("dir/**", "dir/file/", true),
    ("dir/**", "dir/dir2/file", true),
    ("dir/**", "dir/dir2/file/", true),
    ("**/dir", "dir", true),
    ("**/dir", "dir/file", true),
    ("**/dir2/*", "dir/dir2/file", true),
    ("**/dir2/*", "dir/dir2/file/", true),
    ("**/dir2/**", "dir/dir2/dir3/file", true),
    ("**/dir2/**", "dir/dir2/dir3/file/", true),
    ("**file", "file", true),
    ("**file", "dir/file", true),
    ("**/file", "dir/file", true),
    ("**file", "dir/dir/file", true),
    ("**/file", "dir/dir/file", true),
    ("**/file*", "dir/dir/file", true),
    ("**/file*", "dir/dir/file.txt", true),
    ("**/file*txt", "dir/dir/file.txt", true),
    ("**/file*.txt", "dir/dir/file.txt", true),
    ("**/file*.txt*", "dir/dir/file.txt", true),
    ("**/**/*.txt", "dir/dir/file.txt", true),
    ("**/**/*.txt2", "dir/dir/file.txt", false),
    ("**/*.txt", "file.txt", true),
    ("**/**/*.txt", "file.txt", true),
    ("a**/*.txt", "a/file.txt", true),
    ("a**/*.txt", "a/dir/file.txt", true),
    ("a**/*.txt", "a/dir/dir/file.txt", true),
    ("a/*.txt", "a/dir/file.txt", false),
    ("a/*.txt", "a/file.txt", true),
    ("a/*.txt**", "a/file.txt", true),
    ("a[b-d]e", "ae", false),
    ("a[b-d]e", "ace", true),
    ("a[b-d]e", "aae", false),
    ("a[^b-d]e", "aze", true),
    (".*", ".foo", true),
    (".*", "foo", false),
    ("abc.def", "abcdef", false),
    ("abc.def", "abc.def", true),
    ("abc.def", "abcZdef", false),
    ("abc?def", "abcZdef", true),
    ("abc?def", "abcdef", false),
    ("a\\\\", "a\\", true),
    ("**/foo/bar", "foo/bar", true),
    ("**/foo/bar", "dir/foo/bar", true),
    ("**/foo/bar", "dir/dir2/foo/bar", true),
    ("abc/**", "abc", false),
    ("abc/**", "abc/def", true),
    ("abc/**", "abc/def/ghi", true),
    ("**/.foo", ".foo", true),
    ("**/.foo", "bar.foo", false),
    ("a(b)c/def", "a(b)c/def", true),
    ("a(b)c/def", "a(b)c/xyz", false),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
    ),
    (
        "dist/*.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
    ),
    ("a\\*b", "a*b", true),
];

#[test]
fn patternmatcher_matches_table() {
    for &(pattern, text, pass) in MATCHES {
        assert_eq!(
            ig(&[pattern]).excluded(text),
            pass,
            "pattern={pattern:?} text={text:?}"
        );
    }
}

/// patternmatcher_test.go TestMatches: several patterns.
#[test]
fn patternmatcher_multi_pattern_table() {
    let whl = "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl";
    let tests: &[(&[&str], &str, bool)] = &[
        (&["**", "!util/docker/web"], "util/docker/web/foo", false),
        (
            &["**", "!util/docker/web", "util/docker/web/foo"],
            "util/docker/web/foo",
            true,
        ),
        (
            &[
                "**",
                "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            ],
            whl,
            false,
        ),
        (&["**", "!dist/*.whl"], whl, false),
    ];
    for &(patterns, text, pass) in tests {
        assert_eq!(
            ig(patterns).excluded(text),
            pass,
            "patterns={patterns:?} text={text:?}"
        );
    }
}

/// patternmatcher_test.go's matchTests (taken from Go's filepath tests):
/// matches, and malformed patterns failing at parse time.
#[test]
fn patternmatcher_filepath_match_table() {
    let tests: &[(&str, &str, Option<bool>)] = &[
        ("abc", "abc", Some(true)),
        ("*", "abc", Some(true)),
        ("*c", "abc", Some(true)),
        ("a*", "a", Some(true)),
        ("a*", "abc", Some(true)),
        ("a*", "ab/c", Some(true)),
        ("a*/b", "abc/b", Some(true)),
        ("a*/b", "a/c/b", Some(false)),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
        ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
        ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
        ("ab[c]", "abc", Some(true)),
        ("ab[b-d]", "abc", Some(true)),
        ("ab[e-g]", "abc", Some(false)),
        ("ab[^c]", "abc", Some(false)),
        ("ab[^b-d]", "abc", Some(false)),
        ("ab[^e-g]", "abc", Some(true)),
        ("a\\*b", "a*b", Some(true)),
        ("a\\*b", "ab", Some(false)),
        ("a?b", "a☺b", Some(true)),
        ("a[^a]b", "a☺b", Some(true)),
        ("a???b", "a☺b", Some(false)),
        ("a[^a][^a][^a]b", "a☺b", Some(false)),
        ("[a-ζ]*", "α", Some(true)),
        ("*[a-ζ]", "A", Some(false)),
        ("a?b", "a/b", Some(false)),
        ("a*b", "a/b", Some(false)),
        ("[\\]a]", "]", Some(true)),
        ("[\\-]", "-", Some(true)),
        ("[x\\-]", "x", Some(true)),
        ("[x\\-]", "-", Some(true)),
        ("[x\\-]", "z", Some(false)),
        ("[\\-x]", "x", Some(true)),
        ("[\\-x]", "-", Some(true)),
        ("[\\-x]", "a", Some(false)),
        ("[]a]", "]", None),
        ("[-]", "-", None),
        ("[x-]", "x", None),
        ("[-x]", "x", None),
        ("\\", "a", None),
        ("[a-b-c]", "a", None),
        ("[", "a", None),
        ("[^", "a", None),
        ("[^bc", "a", None),
        ("a[", "a", None),
        ("a[", "ab", None),
        ("*x", "xxx", Some(true)),
    ];
    for &(pattern, text, want) in tests {
        match (Ignore::from_patterns(&[pattern]), want) {
            (Ok(i), Some(pass)) => assert_eq!(i.excluded(text), pass, "{pattern:?} {text:?}"),
            (Err(e), None) => assert_eq!(e, "syntax error in pattern"),
            (got, _) => panic!("{pattern:?} {text:?}: {got:?}"),
        }
    }
}

/// patternmatcher_test.go TestCompile (the slash flavour).
#[test]
fn patternmatcher_compile_table() {
    use MatchType::*;
    let tests: &[(&str, MatchType, &str)] = &[
        ("*", Regexp, "^[^/]*$"),
        ("file*", Regexp, "^file[^/]*$"),
        ("*file", Regexp, "^[^/]*file$"),
        ("a*/b", Regexp, "^a[^/]*/b$"),
        ("**", Suffix, ""),
        ("**/**", Regexp, "^(.*/)?.*$"),
        ("dir/**", Prefix, ""),
        ("**/dir", Suffix, ""),
        ("**/dir2/*", Regexp, "^(.*/)?dir2/[^/]*$"),
        ("**/dir2/**", Regexp, "^(.*/)?dir2/.*$"),
        ("**file", Suffix, ""),
        ("**/file*txt", Regexp, "^(.*/)?file[^/]*txt$"),
        ("**/**/*.txt", Regexp, r"^(.*/)?(.*/)?[^/]*\.txt$"),
        ("a[b-d]e", Regexp, "^a[b-d]e$"),
        (".*", Regexp, r"^\.[^/]*$"),
        ("abc.def", Exact, ""),
        ("abc?def", Regexp, "^abc[^/]def$"),
        ("**/foo/bar", Suffix, ""),
        ("a(b)c/def", Exact, ""),
        ("a.|)$(}+{bc", Exact, ""),
        (
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            Exact,
            "",
        ),
    ];
    for &(pattern, kind, src) in tests {
        let (got_kind, got_src) = compile_source(&clean(pattern));
        assert_eq!(got_kind, kind, "{pattern}");
        if kind == Regexp {
            assert_eq!(got_src, src, "{pattern}");
        }
    }
}

/// ignorefile_test.go TestReadAll (the lone `!` lines then fail New).
#[test]
fn ignorefile_read_all() {
    let content =
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
    let want = [
        "test1",
        "test2",
        "a/file/here",
        "lastfile",
        "!inverted/abs/path",
        "!",
        "!",
    ];
    assert_eq!(read_all(content).unwrap(), want);
    assert_eq!(
        Ignore::parse(content).unwrap_err(),
        "illegal exclusion pattern: \"!\""
    );
    assert!(read_all("").unwrap().is_empty());
    let more =
        "\u{feff}#bom comment\r\n  # not a comment\r\n./a/../b/\r\n/\n\t!  /x//y/.  \n\u{feff}z";
    assert_eq!(
        read_all(more).unwrap(),
        ["# not a comment", "b", "/", "!x/y", "\u{feff}z"]
    );
    assert!(read_all(&"a".repeat(65535)).is_ok());
    assert_eq!(
        read_all(&"a".repeat(65536)).unwrap_err(),
        "bufio.Scanner: token too long"
    );
}

/// patternmatcher_test.go TestCleanPatterns*, TestSingleExclamationError.
#[test]
fn patternmatcher_new_rules() {
    assert_eq!(ig(&["docs", "config", ""]).patterns.len(), 2);
    assert!(ig(&["docs", "!docs/README.md"]).exclusions);
    assert!(ig(&["docs", "  !docs/README.md"]).exclusions);
    assert!(ig(&["docs", "!docs/README.md  "]).exclusions);
    assert!(Ignore::from_patterns(&["!"]).is_err());
    assert!(!ig(&[]).excluded("any/path"));
    assert!(ig(&[]).is_empty());
    assert!(!ig(&["a"]).is_empty());
    // New cleans the whole text, `!` included.
    let i = ig(&["!foo/../bar"]);
    assert!(!i.exclusions && i.excluded("bar"));
    // Go's regexp rejects what filepath.Match accepted (moby/moby#52203).
    assert_eq!(
        Ignore::from_patterns(&["[Local-Only]/"]).unwrap_err(),
        "syntax error in pattern"
    );
}

/// The simple tests at the top of patternmatcher_test.go.
#[test]
fn patternmatcher_exclusion_order() {
    assert!(ig(&["*"]).excluded("fileutils.go"));
    assert!(ig(&["*.go"]).excluded("fileutils.go"));
    assert!(ig(&["!fileutils.go", "*.go"]).excluded("fileutils.go"));
    assert!(!ig(&["*.go", "!fileutils.go"]).excluded("fileutils.go"));
    for dir in ["docs", "docs/", "docs/*"] {
        assert!(
            !ig(&[dir, "!docs/README.md"]).excluded("docs/README.md"),
            "{dir}"
        );
        assert!(
            ig(&[dir, "!docs/README.md"]).excluded("docs/other.md"),
            "{dir}"
        );
    }
    // A parent directory match counts; the last matching pattern wins.
    let i = ig(&[
        "node_modules",
        "!node_modules/keep",
        "node_modules/keep/tmp",
    ]);
    assert!(i.excluded("node_modules/x/y"));
    assert!(!i.excluded("node_modules/keep/src/a.js"));
    assert!(i.excluded("node_modules/keep/tmp/z"));
    assert!(!i.excluded("src/node_modules"));
    assert!(ig(&["**/node_modules"]).excluded("src/node_modules/a"));
    assert!(Ignore::parse("/Dockerfile\n")
        .unwrap()
        .excluded("Dockerfile"));
    assert!(!ig(&["/Dockerfile"]).excluded("Dockerfile"));
}

#[test]
fn reinclude_below_uses_literal_prefixes() {
    let i = ig(&["docs", "!docs/keep/README.md", "!*/other"]);
    assert!(i.may_reinclude_below("docs"));
    assert!(i.may_reinclude_below("docs/keep"));
    assert!(i.may_reinclude_below("docs/keep/README.md"));
    assert!(!i.may_reinclude_below("docs/skip"));
    assert!(!i.may_reinclude_below("doc"));
    assert!(!i.may_reinclude_below("x"));
    assert!(!ig(&["docs"]).may_reinclude_below("docs"));
    assert!(ig(&["a", "!a"]).may_reinclude_below("a"));
}

/// Behaviour of patternmatcher's Go regexps beyond filepath.Match's:
/// `[!x]` is not negation, `^` in a regexp pattern is an anchor, `\d` a class.
#[test]
fn regexp_quirks_are_kept() {
    assert!(ig(&["[!a]b"]).excluded("!b"));
    assert!(!ig(&["[!a]b"]).excluded("cb"));
    assert!(ig(&["a^b"]).excluded("a^b"));
    assert!(!ig(&["a^b*"]).excluded("a^bc"));
    assert!(ig(&["f\\d"]).excluded("f1"));
    assert!(!ig(&["f\\d"]).excluded("fd"));
    assert!(ig(&["[*]"]).excluded("[^]"));
    assert!(!ig(&["[*]"]).excluded("*"));
    assert!(ig(&["\\[a]"]).excluded("[a]"));
    assert!(ig(&["*\\ *"]).excluded("a b"));
    assert_eq!(
        Ignore::from_patterns(&["f\\e"]).unwrap_err(),
        "syntax error in pattern"
    );
}

#[test]
fn go_filepath_match() {
    assert_eq!(go_match("a*b", "axxb"), Ok(true));
    assert_eq!(go_match("a*", "a/b"), Ok(false));
    assert_eq!(go_match("a*/b", "ax/b"), Ok(true));
    assert_eq!(go_match("[a-c]?", "bz"), Ok(true));
    assert_eq!(go_match("[^a-c]", "b"), Ok(false));
    assert_eq!(go_match("a\\*", "a*"), Ok(true));
    assert_eq!(go_match("x*[", "y"), Err(()));
    assert_eq!(go_match("*[", "y"), Err(()));
    assert_eq!(go_match("[l-a]", "."), Ok(false));
}

#[test]
fn go_clean_and_dir() {
    let cases = [
        ("", "."),
        (".", "."),
        ("a/./b/", "a/b"),
        ("a//b", "a/b"),
        ("a/../..", ".."),
        ("../a/..", ".."),
        ("/../a", "/a"),
        ("/", "/"),
        ("a/b/../../..", ".."),
        ("!a/..", "."),
    ];
    for (p, want) in cases {
        assert_eq!(clean(p), want, "{p:?}");
    }
    assert_eq!(go_dir("a/b/c"), "a/b");
    assert_eq!(go_dir("a"), ".");
    assert_eq!(go_dir("/a"), "/");
    assert_eq!(go_dir("a/"), "a");
}

#[test]
fn regexp_engine() {
    let m = |re: &str, s: &str| re::Regex::new(re).unwrap().is_match(s);
    assert!(m("^a[^/]*b$", "axyb"));
    assert!(!m("^a[^/]*b$", "ax/b"));
    assert!(m("^[^/]$", "\n"));
    assert!(!m("^.$", "\n"));
    assert!(m("^(.*/)?x$", "x") && m("^(.*/)?x$", "a/b/x") && !m("^(.*/)?x$", "ax"));
    assert!(m("b", "abc") && !m("^b", "abc") && m("c$", "abc"));
    assert!(m(r"^[[:alpha:]]+[[:^alpha:]]\d\D\s\S\w\W$", "ab12- x_!"));
    assert!(m(r"^\x41\x{42}\101\0?\n?$", "ABA"));
    assert!(m(r"^\Qa.b\E*$", "a.bbb") && !m(r"^\Qa.b\E$", "axb"));
    assert!(m(r"\bfoo\b", "a foo") && !m(r"\Bfoo", "foo") && m(r"\Afoo\z", "foo"));
    assert!(m("^[a-]$", "-") && m(r"^[\]\-]+$", "]-") && m("^[]a]$", "]"));
    assert!(m("^a+?b??$", "aa") && m("^(ab)+$", "abab") && !m("^(ab)+$", "aba"));
    for bad in [
        "*a",
        "a**",
        "(*)",
        "a(",
        "a)",
        "[a",
        "[b-a]",
        r"\1",
        r"\e",
        r"\pL",
        "[[:foo:]]",
        "a\\",
        r"\x4",
        r"\x{}",
        "(?i)a",
        "a|b",
        r"\C",
    ] {
        assert!(re::Regex::new(bad).is_err(), "{bad}");
    }
}
