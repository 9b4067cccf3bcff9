//! Dockerfile word expansion: a port of BuildKit's shell lexer
//! (moby/buildkit `frontend/dockerfile/shell/lex.go`, `ProcessWord` and
//! `ProcessWords`), with its quoting, escapes, `$V`/`${V}` forms, the
//! `-`/`+`/`?` modifiers (with and without `:`), the `#`/`##`/`%`/`%%`
//! trims and the `/`/`//` replacements, and its error texts.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::BuildHasher;

/// How a name resolves: `Some(value)` when set (possibly empty), `None`
/// when unset.
pub trait Lookup {
    fn get(&self, name: &str) -> Option<String>;
}

impl Lookup for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        BTreeMap::get(self, name).cloned()
    }
}

impl<S: BuildHasher> Lookup for HashMap<String, String, S> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name).cloned()
    }
}

/// `KEY=VALUE` pairs in order; the last one of a name wins (as buildkit's
/// `EnvsFromSlice`).
impl Lookup for [(String, String)] {
    fn get(&self, name: &str) -> Option<String> {
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

impl Lookup for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<String> {
        Lookup::get(self.as_slice(), name)
    }
}

impl<F: Fn(&str) -> Option<String>> Lookup for F {
    fn get(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// An expansion failure, displayed with buildkit's text, e.g.
/// `failed to process "${a:x}": unsupported modifier (:x) in substitution`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError(pub String);

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExpandError {}

/// The lexer; `escape` is `\` by default, `` ` `` with the escape directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    pub escape: char,
}

impl Default for Lexer {
    fn default() -> Lexer {
        Lexer { escape: '\\' }
    }
}

impl Lexer {
    pub fn new(escape: char) -> Lexer {
        Lexer { escape }
    }

    /// One word: quotes removed, escapes processed, variables expanded (ENV,
    /// LABEL, WORKDIR, USER, etc. values). Whitespace is kept.
    pub fn process_word(&self, word: &str, env: &dyn Lookup) -> Result<String, ExpandError> {
        self.run(word, env).map(|(result, _)| result)
    }

    /// Split into words on unquoted whitespace while expanding (EXPOSE,
    /// VOLUME string form, COPY/ADD args, ...). As in buildkit, the value of
    /// an unquoted variable is split too (`$V` with `a b` gives two words),
    /// a quoted one is not, and an empty `""` makes no word.
    pub fn process_words(&self, words: &str, env: &dyn Lookup) -> Result<Vec<String>, ExpandError> {
        self.run(words, env).map(|(_, words)| words)
    }

    /// Which variable names a word refers to, in first-use order: every name
    /// the expansion looks up (buildkit's matched plus unmatched names). On a
    /// syntax error, the names seen before it.
    pub fn referenced_names(&self, word: &str) -> Vec<String> {
        let rec = Recorder::default();
        let _ = self.run(word, &rec);
        rec.names.into_inner()
    }

    fn run(&self, word: &str, env: &dyn Lookup) -> Result<(String, Vec<String>), ExpandError> {
        let mut chars: Vec<char> = word.chars().collect();
        // text/scanner skips a leading byte order mark.
        if chars.first() == Some(&'\u{feff}') {
            chars.remove(0);
        }
        let mut sh = Shell {
            chars,
            pos: 0,
            escape: self.escape,
            raw_escapes: false,
            env,
        };
        sh.process_stop_on(None, false)
            .map_err(|e| ExpandError(format!("failed to process {}: {e}", go_quote(word))))
    }
}

/// A lookup that records names and says every one is set (non-empty, so
/// `${V:?}` does not stop the scan).
#[derive(Default)]
struct Recorder {
    names: RefCell<Vec<String>>,
}

impl Lookup for Recorder {
    fn get(&self, name: &str) -> Option<String> {
        let mut names = self.names.borrow_mut();
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        Some("x".to_string())
    }
}

type Res<T> = Result<T, String>;

const MISSING_BRACE: &str = "syntax error: missing '}'";

struct Shell<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    raw_escapes: bool,
    env: &'a dyn Lookup,
}

/// lex.go's `wordsStruct`: words built up while scanning.
#[derive(Default)]
struct Words {
    buf: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() && self.in_word {
            if !self.buf.is_empty() {
                self.words.push(std::mem::take(&mut self.buf));
                self.in_word = false;
            }
        } else if !ch.is_whitespace() {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.buf.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        s.chars().for_each(|c| self.add_char(c));
    }

    fn add_raw_string(&mut self, s: &str) {
        self.buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.buf.is_empty() {
            self.words.push(self.buf);
        }
        self.words
    }
}

/// Go's `string(rune)` of a scanned char, where EOF (-1) prints U+FFFD.
fn rune_str(ch: Option<char>) -> String {
    ch.unwrap_or('\u{fffd}').to_string()
}

fn unsupported(chs: &str) -> String {
    format!("unsupported modifier ({chs}) in substitution")
}

impl Shell<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }

    fn get_env(&self, name: &str) -> Option<String> {
        self.env.get(name)
    }

    /// `processStopOn`: the text up to `stop` (consumed), or to the end when
    /// `stop` is None, with `raw` escapes (kept, for patterns) in force.
    fn process_stop_on(&mut self, stop: Option<char>, raw: bool) -> Res<(String, Vec<String>)> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw);
        let out = self.stop_on(stop);
        self.raw_escapes = saved;
        out
    }

    fn stop_on(&mut self, stop: Option<char>) -> Res<(String, Vec<String>)> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                return Ok((result, words.finish()));
            }
            let special = match ch {
                '$' => Some(self.process_dollar()?),
                '<' => Some(self.process_possible_heredoc()),
                '\'' => Some(self.process_single_quote()?),
                '"' => Some(self.process_double_quote()?),
                _ => None,
            };
            if let Some(tmp) = special {
                result.push_str(&tmp);
                if ch == '$' {
                    words.add_string(&tmp);
                } else {
                    words.add_raw_string(&tmp);
                }
                continue;
            }
            self.next();
            if ch != self.escape {
                words.add_char(ch);
                result.push(ch);
                continue;
            }
            if self.raw_escapes {
                words.add_raw_char(ch);
                result.push(ch);
            }
            // The escape char escapes anything; at the end it is dropped.
            let Some(escaped) = self.next() else { break };
            words.add_raw_char(escaped);
            result.push(escaped);
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, words.finish()))
    }

    /// Everything up to the next `'` is literal; `'` cannot be escaped.
    fn process_single_quote(&mut self) -> Res<String> {
        self.next();
        let mut result = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    )
                }
                Some('\'') => return Ok(result),
                Some(c) => result.push(c),
            }
        }
    }

    /// `$` expands; the escape char escapes only `"`, `$` and itself, and is
    /// kept literally before anything else.
    fn process_double_quote(&mut self) -> Res<String> {
        self.next();
        let mut result = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    )
                }
                Some('"') => {
                    self.next();
                    return Ok(result);
                }
                Some('$') => result.push_str(&self.process_dollar()?),
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    /// `<<` plus the blanks after it stay glued to the heredoc word.
    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.next();
        let mut out = String::from("<<");
        while let Some(c) = self.peek().filter(|c| matches!(c, '\t' | '\r' | ' ')) {
            out.push(c);
            self.next();
        }
        out
    }

    fn process_dollar(&mut self) -> Res<String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(self.get_env(&name).unwrap_or_default());
        }
        self.next();
        match self.peek() {
            None => return Err(MISSING_BRACE.into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.process_name();
        match self.next() {
            Some('}') => Ok(self.get_env(&name).unwrap_or_default()),
            Some(':') => {
                let ch = self.next();
                self.process_modifier(&name, ch, true)
            }
            Some(c @ ('+' | '-' | '?' | '#' | '%')) => self.process_modifier(&name, Some(c), false),
            Some('/') => self.process_replace(&name),
            other => Err(unsupported(&rune_str(other))),
        }
    }

    /// `${name<op>word}` (`${name:<op>word}` with `null_is_unset`).
    fn process_modifier(
        &mut self,
        name: &str,
        ch: Option<char>,
        null_is_unset: bool,
    ) -> Res<String> {
        let chs = if null_is_unset {
            format!(":{}", rune_str(ch))
        } else {
            rune_str(ch)
        };
        let raw = matches!(ch, Some('#' | '%'));
        if null_is_unset && raw {
            return Err(unsupported(&chs));
        }
        let word = match self.process_stop_on(Some('}'), raw) {
            Ok((word, _)) => word,
            Err(_) if self.peek().is_none() => return Err(MISSING_BRACE.into()),
            Err(e) => return Err(e),
        };
        let value = self.get_env(name);
        let set = value.is_some();
        let value = value.unwrap_or_default();
        let unset = !set || (null_is_unset && value.is_empty());
        match ch {
            Some('-') => Ok(if unset { word } else { value }),
            Some('+') => Ok(if unset { String::new() } else { word }),
            Some('?') if unset => {
                let message = match word.as_str() {
                    "" if !set => "is not allowed to be unset",
                    "" => "is not allowed to be empty",
                    w => w,
                };
                Err(format!("{name}: {message}"))
            }
            Some('?') => Ok(value),
            Some(c @ ('%' | '#')) => {
                // %/# remove the shortest match, %%/## the longest.
                let (greedy, pattern) = match word.strip_prefix(c) {
                    Some(rest) => (true, rest),
                    None => (false, word.as_str()),
                };
                if c == '%' {
                    trim_suffix(pattern, &value, greedy)
                } else {
                    trim_prefix(pattern, &value, greedy)
                }
            }
            _ => Err(unsupported(&chs)),
        }
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`.
    fn process_replace(&mut self, name: &str) -> Res<String> {
        let all = self.peek() == Some('/');
        if all {
            self.next();
        }
        let pattern = match self.process_stop_on(Some('/'), true) {
            Ok((p, _)) => p,
            Err(_) if self.peek().is_none() => {
                return Err("syntax error: missing '/' in ${}".into())
            }
            Err(e) => return Err(e),
        };
        let replacement = match self.process_stop_on(Some('}'), true) {
            Ok((r, _)) => r,
            Err(_) if self.peek().is_none() => return Err(MISSING_BRACE.into()),
            Err(e) => return Err(e),
        };
        let value = self.get_env(name).unwrap_or_default();
        let toks = compile_pattern(&pattern)
            .map_err(|e| format!("invalid pattern ({pattern}) in substitution: {e}"))?;
        let text: Vec<char> = value.chars().collect();
        if all {
            return Ok(replace_all(&toks, &text, &replacement));
        }
        let mut memo = HashSet::new();
        Ok(match find(&toks, true, &text, 0, &mut memo) {
            Some((a, b)) => {
                let mut out: String = text[..a].iter().collect();
                out.push_str(&replacement);
                out.extend(&text[b..]);
                out
            }
            None => value,
        })
    }

    /// A name: a run of digits (`$1`), one special parameter char, or
    /// letters, digits and `_`.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                while let Some(c) = self.peek().filter(|c| c.is_numeric()) {
                    name.push(c);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphanumeric() && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }
}

/// A compiled shell pattern (`convertShellPatternToRegex`): buildkit builds
/// a regexp where `*` is `.*` (or `.*?`) and `?` is `.`; Go's `.` does not
/// match a newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Any,
    Star,
}

fn compile_pattern(pattern: &str) -> Res<Vec<Tok>> {
    let mut chars: Vec<char> = pattern.chars().collect();
    if chars.first() == Some(&'\u{feff}') {
        chars.remove(0);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let tok = chars[i];
        i += 1;
        match tok {
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::Any),
            '\\' => {
                // `\}` and `\/` only protect the ${} syntax: not part of it.
                if matches!(chars.get(i), Some('}' | '/')) {
                    continue;
                }
                let next = chars.get(i).copied();
                i += 1;
                match next {
                    Some(c @ ('*' | '?' | '\\')) => out.push(Tok::Lit(c)),
                    other => return Err(format!("invalid escape '\\{}'", rune_str(other))),
                }
            }
            c => out.push(Tok::Lit(c)),
        }
    }
    Ok(out)
}

/// Where a match of `toks` starting at `pos` ends, with a backtracking
/// (leftmost-first, as Go's regexp) preference: greedy stars try longest
/// first, lazy ones shortest. `memo` holds known-failing states.
fn match_at(
    toks: &[Tok],
    greedy: bool,
    text: &[char],
    ti: usize,
    pos: usize,
    memo: &mut HashSet<(usize, usize)>,
) -> Option<usize> {
    if ti == toks.len() {
        return Some(pos);
    }
    if memo.contains(&(ti, pos)) {
        return None;
    }
    let found = match toks[ti] {
        Tok::Lit(c) if text.get(pos) == Some(&c) => {
            match_at(toks, greedy, text, ti + 1, pos + 1, memo)
        }
        Tok::Any if text.get(pos).is_some_and(|c| *c != '\n') => {
            match_at(toks, greedy, text, ti + 1, pos + 1, memo)
        }
        Tok::Star => {
            let limit = text[pos..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(text.len(), |n| pos + n);
            if greedy {
                (pos..=limit)
                    .rev()
                    .find_map(|e| match_at(toks, greedy, text, ti + 1, e, memo))
            } else {
                (pos..=limit).find_map(|e| match_at(toks, greedy, text, ti + 1, e, memo))
            }
        }
        _ => None,
    };
    if found.is_none() {
        memo.insert((ti, pos));
    }
    found
}

/// The leftmost match at or after `from`: (start, end).
fn find(
    toks: &[Tok],
    greedy: bool,
    text: &[char],
    from: usize,
    memo: &mut HashSet<(usize, usize)>,
) -> Option<(usize, usize)> {
    (from..=text.len())
        .find_map(|start| match_at(toks, greedy, text, 0, start, memo).map(|end| (start, end)))
}

/// `trimPrefix`: drop the (anchored) match from the front of `value`.
fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Res<String> {
    let toks = compile_pattern(pattern)
        .map_err(|e| format!("invalid pattern ({pattern}) in substitution: {e}"))?;
    let text: Vec<char> = value.chars().collect();
    match match_at(&toks, greedy, &text, 0, 0, &mut HashSet::new()) {
        Some(end) => Ok(text[end..].iter().collect()),
        None => Ok(value.to_string()),
    }
}

/// `trimSuffix`: a prefix trim of the reversed value with the reversed
/// pattern (escapes kept in front of what they escape).
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Res<String> {
    let reversed: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

fn reverse_pattern(pattern: &str) -> String {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = p.clone();
    let mut i = 0;
    while i < p.len() {
        let out_idx = p.len() - 1 - i;
        if p[i] == '\\' && i != p.len() - 1 {
            out[out_idx - 1] = '\\';
            out[out_idx] = p[i + 1];
            i += 2;
        } else {
            out[out_idx] = p[i];
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// Go's `Regexp.ReplaceAllString`, including its empty-match rules and
/// `$`-template expansion of the replacement.
fn replace_all(toks: &[Tok], text: &[char], repl: &str) -> String {
    let mut out = String::new();
    let (mut last_end, mut search) = (0, 0);
    let mut memo = HashSet::new();
    while search <= text.len() {
        let Some((a, b)) = find(toks, true, text, search, &mut memo) else {
            break;
        };
        out.extend(&text[last_end..a]);
        // No replacement for an empty match right after a previous match.
        if b > last_end || a == 0 {
            out.push_str(&expand_template(repl, &text[a..b]));
        }
        last_end = b;
        let width = usize::from(search < text.len());
        if search + width > b {
            search += width;
        } else if search + 1 > b {
            search += 1;
        } else {
            search = b;
        }
    }
    out.extend(&text[last_end..]);
    out
}

/// Go's `Regexp.Expand` for a pattern with no groups but the whole match:
/// `$$` is `$`, `$0`/`${0}` the match, other names empty, a malformed `$`
/// literal.
fn expand_template(template: &str, matched: &[char]) -> String {
    let mut out = String::new();
    let mut t = template;
    while let Some(i) = t.find('$') {
        out.push_str(&t[..i]);
        t = &t[i + 1..];
        if let Some(rest) = t.strip_prefix('$') {
            out.push('$');
            t = rest;
            continue;
        }
        match template_name(t) {
            None => out.push('$'),
            Some((name, rest)) => {
                if name == "0" {
                    out.extend(matched);
                }
                t = rest;
            }
        }
    }
    out.push_str(t);
    out
}

/// regexp's `extract`: a `name` or `{name}` after `$`, and the rest.
fn template_name(s: &str) -> Option<(&str, &str)> {
    let (brace, body) = match s.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let end = body
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    if end == 0 {
        return None;
    }
    let name = &body[..end];
    if !brace {
        return Some((name, &body[end..]));
    }
    body[end..].strip_prefix('}').map(|rest| (name, rest))
}

/// Go's `%q` (`strconv.Quote`).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c == ' ' || !(c.is_control() || c.is_whitespace()) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[path = "expand_tests.rs"]
mod tests;
