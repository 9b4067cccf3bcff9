//! The corpus: cases read from tests/compat/cases/*.txt, and the outputs
//! recorded from the real docker (tests/compat/expected/<case>.json, by
//! scripts/compat-record.sh). The format is in tests/compat/README.md.

use std::path::{Path, PathBuf};

use serde_json::Value;

#[derive(Debug, Default, Clone)]
pub struct Case {
    pub name: String,
    pub file: String,
    pub setup: Vec<String>,
    pub cmds: Vec<String>,
    pub teardown: Vec<String>,
    /// `differs: <reason>`: skiff deliberately differs from docker here;
    /// its own output is expected/<case>.skiff.json.
    pub differs: Option<String>,
}

/// What one compared command printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub cmd: String,
    pub exit: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat")
}

/// Every case of every corpus file, in file then case order.
pub fn load() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir().join("cases"))
        .expect("tests/compat/cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let file = f.file_name().unwrap().to_string_lossy().into_owned();
        cases.extend(parse(&text, &file));
    }
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two cases have the same name");
    cases
}

/// One corpus file: `=== name` starts a case; `setup:`, `cmd:`,
/// `teardown:` and `differs:` lines fill it; `#` lines are comments.
pub fn parse(text: &str, file: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("=== ") {
            cases.push(Case {
                name: name.trim().to_string(),
                file: file.to_string(),
                ..Case::default()
            });
            continue;
        }
        let case = cases
            .last_mut()
            .unwrap_or_else(|| panic!("{file}:{}: a line before the first '=== name'", i + 1));
        let (key, val) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{file}:{}: expected 'key: value'", i + 1));
        let val = val.trim().to_string();
        match key {
            "setup" => case.setup.push(val),
            "cmd" => case.cmds.push(val),
            "teardown" => case.teardown.push(val),
            "differs" => case.differs = Some(val),
            _ => panic!("{file}:{}: unknown key {key:?}", i + 1),
        }
    }
    for c in &cases {
        assert!(!c.cmds.is_empty(), "{file}: case {} has no cmd", c.name);
    }
    cases
}

/// The recorded outcomes of a case (docker's, or skiff's own where the
/// case differs deliberately); `None` when never recorded.
pub fn expected(case: &Case) -> Option<Vec<Outcome>> {
    let suffix = if case.differs.is_some() {
        "skiff.json"
    } else {
        "json"
    };
    let path = dir().join(format!("expected/{}.{suffix}", case.name));
    let text = std::fs::read_to_string(path).ok()?;
    let v: Value = serde_json::from_str(&text).expect("an expected file is JSON");
    Some(
        v.as_array()?
            .iter()
            .map(|o| Outcome {
                cmd: o["cmd"].as_str().unwrap_or_default().to_string(),
                exit: o["exit"].as_i64().unwrap_or(-1) as i32,
                stdout: o["stdout"].as_str().unwrap_or_default().to_string(),
                stderr: o["stderr"].as_str().unwrap_or_default().to_string(),
            })
            .collect(),
    )
}

/// Writes skiff's outcomes as a differing case's expectation
/// (`COMPAT_ACCEPT=1`, for cases marked `differs:` only).
/// `registry` (this run's) is written as `as_registry` (the recorded
/// docker side's), so the file does not depend on the run's port.
pub fn accept(case: &Case, got: &[Outcome], registry: &str, as_registry: &str) {
    let fix = |s: &str| s.replace(registry, as_registry);
    let v: Vec<Value> = got
        .iter()
        .map(|o| {
            serde_json::json!({"cmd": o.cmd, "exit": o.exit, "stdout": fix(&o.stdout), "stderr": fix(&o.stderr)})
        })
        .collect();
    let path = dir().join(format!("expected/{}.skiff.json", case.name));
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
}

/// tests/compat/known-failures.txt: `name  reason` lines.
pub fn known_failures() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir().join("known-failures.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((n, r)) => (n.to_string(), r.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Drops the named cases from known-failures.txt, comments and the other
/// lines kept (`COMPAT_UPDATE_KNOWN=1`, after a fix made them pass).
pub fn drop_known(fixed: &[&str]) {
    let path = dir().join("known-failures.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let name = l.split_whitespace().next().unwrap_or("");
            let name = name.trim_start_matches('?');
            l.starts_with('#') || !fixed.contains(&name)
        })
        .collect();
    std::fs::write(path, kept.join("\n") + "\n").unwrap();
}

#[test]
fn corpus_parse() {
    let cases = parse(
        "# c\n=== a\nsetup: docker create x\ncmd: docker ps -q\n\ncmd: docker ps\nteardown: docker rm -f x\n=== b\ndiffers: why\ncmd: docker version\n",
        "f.txt",
    );
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].setup, ["docker create x"]);
    assert_eq!(cases[0].cmds, ["docker ps -q", "docker ps"]);
    assert_eq!(cases[0].teardown, ["docker rm -f x"]);
    assert_eq!(cases[1].differs.as_deref(), Some("why"));
}
