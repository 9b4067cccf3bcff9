//! A Dockerfile as BuildKit's parser reads it (`frontend/dockerfile/parser`):
//! parser directives at the top (`# escape=`, `# syntax=` accepted and
//! ignored, `# check=`), comments, lines joined where they end in the
//! escape character (comment and empty lines inside a continuation
//! dropped), the instruction word case-insensitive, leading `--flag=value`
//! words of RUN, COPY, ADD, FROM and HEALTHCHECK, the JSON form where the
//! arguments are a JSON array of strings, and heredocs (`<<EOF`, `<<-EOF`,
//! `<<'EOF'`, `<<"EOF"`, `3<<EOF`, several per line) of RUN, COPY and ADD,
//! whose bodies are the lines that follow up to their terminators, in
//! order. Variables are not expanded here: that is the builder's
//! (`super::expand`), per instruction, as docker does it.

use std::fmt;

/// Instructions that take heredocs.
const HEREDOC_INSTRUCTIONS: &[&str] = &["RUN", "COPY", "ADD"];
/// Instructions whose leading `--name[=value]` words are flags.
const FLAG_INSTRUCTIONS: &[&str] = &["RUN", "COPY", "ADD", "FROM", "HEALTHCHECK"];
/// Every instruction docker knows.
pub const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    pub escape: char,
    pub instructions: Vec<Instruction>,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// The first line (1-based).
    pub line: usize,
    /// Upper case: `RUN`.
    pub keyword: String,
    /// Leading `--name=value` words (`--name` alone: `None`).
    pub flags: Vec<(String, Option<String>)>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    /// The logical line as written after the keyword and flags (lines
    /// joined), for history and messages.
    pub text: String,
}

/// An instruction's arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Args {
    /// The JSON (exec) form.
    Json(Vec<String>),
    /// Anything else, as written (escapes and quotes kept).
    Text(String),
}

/// A heredoc: its body is the lines between the instruction and the
/// terminator.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    pub name: String,
    pub body: String,
    /// Unquoted delimiter: the body is expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped.
    pub chomp: bool,
    /// `3<<EOF`: the file descriptor.
    pub fd: Option<u32>,
}

/// A parse error: docker's words, with the line.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dockerfile parse error on line {}: {}",
            self.line, self.message
        )
    }
}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// Parses `text`.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let (escape, mut i) = directives(&lines)?;
    let mut out = Vec::new();
    while i < lines.len() {
        let line = lines[i].trim_start();
        if line.is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i + 1;
        let (logical, next) = join_continued(&lines, i, escape);
        i = next;
        let mut ins = instruction(&logical, start, escape)?;
        if HEREDOC_INSTRUCTIONS.contains(&ins.keyword.as_str()) {
            if let Args::Text(t) = &ins.args {
                let specs = heredoc_specs(t, escape);
                i = read_heredocs(&lines, (i, start), specs, &mut ins.heredocs)?;
            }
        }
        out.push(ins);
    }
    Ok(Dockerfile {
        escape,
        instructions: out,
    })
}

/// The directives at the top; the escape character and the first line
/// after them.
fn directives(lines: &[&str]) -> Result<(char, usize), ParseError> {
    let mut escape = '\\';
    let mut seen: Vec<String> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.trim().strip_prefix('#') else {
            return Ok((escape, i));
        };
        let Some((k, v)) = rest.split_once('=') else {
            return Ok((escape, i));
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Ok((escape, i));
        }
        if seen.contains(&k) {
            return Err(err(
                i + 1,
                format!("only one {k} parser directive can be used"),
            ));
        }
        match k.as_str() {
            "escape" => {
                escape = match v {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(err(
                            i + 1,
                            format!("invalid escape token '{v}' does not match ` or \\"),
                        ))
                    }
                }
            }
            "syntax" | "check" => {}
            // Not a directive: a comment, and the directives end.
            _ => return Ok((escape, i)),
        }
        seen.push(k);
    }
    Ok((escape, lines.len()))
}

/// The logical line starting at `i` (continuations joined, comment and
/// empty lines inside dropped); the index after it.
fn join_continued(lines: &[&str], mut i: usize, escape: char) -> (String, usize) {
    let mut out = String::new();
    loop {
        let l = lines[i];
        i += 1;
        let trimmed = l.trim_end();
        match trimmed.strip_suffix(escape) {
            Some(head) => {
                out.push_str(head);
                // Comments and empty lines within continue it.
                while i < lines.len() {
                    let t = lines[i].trim_start();
                    if t.starts_with('#') || t.trim().is_empty() {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if i >= lines.len() {
                    return (out, i);
                }
            }
            None => {
                out.push_str(l);
                return (out, i);
            }
        }
    }
}

/// Splits the logical line into keyword, flags and arguments.
fn instruction(logical: &str, line: usize, escape: char) -> Result<Instruction, ParseError> {
    let trimmed = logical.trim();
    let (word, rest) = trimmed
        .split_once(char::is_whitespace)
        .map(|(w, r)| (w, r.trim_start()))
        .unwrap_or((trimmed, ""));
    let keyword = word.to_ascii_uppercase();
    if !INSTRUCTIONS.contains(&keyword.as_str()) {
        return Err(err(line, format!("unknown instruction: {word}")));
    }
    let mut rest = rest;
    let mut flags = Vec::new();
    if FLAG_INSTRUCTIONS.contains(&keyword.as_str()) {
        while let Some(f) = rest.strip_prefix("--") {
            let (flag, after) = split_word(f, escape);
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (flag.clone(), None),
            };
            if name.is_empty() {
                break;
            }
            flags.push((name, value));
            rest = after.trim_start();
        }
    }
    let args = match json_array(rest) {
        Some(v) if keyword != "ONBUILD" => Args::Json(v),
        _ => Args::Text(rest.trim_end().to_owned()),
    };
    let empty = match &args {
        Args::Json(v) => {
            v.is_empty() && !matches!(keyword.as_str(), "CMD" | "ENTRYPOINT" | "SHELL")
        }
        Args::Text(t) => t.is_empty(),
    };
    if empty {
        return Err(err(
            line,
            format!("{keyword} requires at least one argument"),
        ));
    }
    Ok(Instruction {
        line,
        keyword,
        flags,
        args,
        heredocs: Vec::new(),
        text: rest.trim_end().to_owned(),
    })
}

/// One whitespace-delimited word (quotes keep spaces, the escape character
/// escapes one), unquoted; and the rest.
fn split_word(s: &str, escape: char) -> (String, &str) {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => return (out, &s[i..]),
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (q, c) if c == escape && q != Some('\'') => {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            }
            (_, c) => out.push(c),
        }
    }
    (out, "")
}

/// The JSON form: an array of strings, else `None` (docker then takes the
/// text as the shell form).
pub fn json_array(s: &str) -> Option<Vec<String>> {
    let t = s.trim();
    if !t.starts_with('[') || !t.ends_with(']') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

/// The heredocs a line names (BuildKit's `^(\d*)<<(-?)([^<]*)$` on each
/// shell word), in order: (name, expand, chomp, fd).
fn heredoc_specs(text: &str, escape: char) -> Vec<(String, bool, bool, Option<u32>)> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let raw_end = raw_word_end(rest, escape);
        let raw = &rest[..raw_end];
        rest = rest[raw_end..].trim_start();
        let digits = raw.bytes().take_while(u8::is_ascii_digit).count();
        let Some(after) = raw[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, name_raw) = match after.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, after),
        };
        if name_raw.is_empty() || name_raw.contains('<') {
            continue;
        }
        let quoted = name_raw.contains(['"', '\'']);
        let (name, _) = split_word(name_raw, escape);
        if name.is_empty() {
            continue;
        }
        let fd = (digits > 0).then(|| raw[..digits].parse().ok()).flatten();
        out.push((name, !quoted, chomp, fd));
    }
    out
}

/// Where the raw shell word at the start of `s` ends.
fn raw_word_end(s: &str, escape: char) -> usize {
    let mut quote: Option<char> = None;
    let mut skip = false;
    for (i, c) in s.char_indices() {
        if skip {
            skip = false;
            continue;
        }
        match (quote, c) {
            (None, c) if c.is_whitespace() => return i,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (q, c) if c == escape && q != Some('\'') => skip = true,
            _ => {}
        }
    }
    s.len()
}

/// Reads the bodies of `specs` from line index `i` on (errors name the
/// instruction's `line`); the index after the last terminator.
fn read_heredocs(
    lines: &[&str],
    (mut i, line): (usize, usize),
    specs: Vec<(String, bool, bool, Option<u32>)>,
    out: &mut Vec<Heredoc>,
) -> Result<usize, ParseError> {
    for (name, expand, chomp, fd) in specs {
        let mut body = String::new();
        loop {
            let Some(l) = lines.get(i) else {
                return Err(err(line, format!("unterminated heredoc {name}")));
            };
            i += 1;
            let candidate = if chomp { l.trim_start_matches('\t') } else { l };
            if candidate == name {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push(Heredoc {
            name,
            body,
            expand,
            chomp,
            fd,
        });
    }
    Ok(i)
}

impl Heredoc {
    /// The body as the command gets it: leading tabs stripped for `<<-`.
    pub fn content(&self) -> String {
        if !self.chomp {
            return self.body.clone();
        }
        self.body
            .split_inclusive('\n')
            .map(|l| l.trim_start_matches('\t'))
            .collect()
    }
}

#[cfg(test)]
#[path = "dockerfile_tests.rs"]
mod tests;
