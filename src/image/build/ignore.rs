//! .dockerignore matching: a port of moby/patternmatcher (`ignorefile.ReadAll`,
//! `New`, `MatchesOrParentMatches`, `Pattern.compile`) and of the directory
//! skip rule of moby/go-archive's `TarWithOptions`.
//!
//! Patterns compile as patternmatcher does: an exact string, a prefix
//! (`dir/**`), a suffix (`**/name`) or a Go regexp built from the pattern
//! (`*` → `[^/]*`, `?` → `[^/]`, `**/` → `(.*/)?`, `[...]` and `\x` passed
//! through), matched by a small RE2-compatible engine (`ignore_re.rs`).

#[path = "ignore_re.rs"]
mod re;

/// Go's `filepath.ErrBadPattern`.
const BAD_PATTERN: &str = "syntax error in pattern";

/// bufio.Scanner's limit: a longer line fails `ReadAll`.
const MAX_LINE: usize = 64 * 1024 - 1;

/// Parsed .dockerignore patterns, in file order.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    patterns: Vec<Pattern>,
    exclusions: bool,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern, without its `!`.
    cleaned: String,
    exclusion: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchType {
    Exact,
    Prefix,
    Suffix,
    Regexp,
}

#[derive(Debug, Clone)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regexp(re::Regex),
}

impl Ignore {
    /// Parses .dockerignore text (ignorefile.ReadAll: comments `#`, blank
    /// lines, trimming, `!` exclusions, leading `/` dropped, filepath.Clean),
    /// then compiles it as patternmatcher.New does.
    pub fn parse(text: &str) -> Result<Ignore, String> {
        Ignore::from_patterns(&read_all(text)?)
    }

    /// patternmatcher.New: patterns as ReadAll returns them (or as given to
    /// the API's excludes list).
    ///
    /// Unlike patternmatcher, which compiles a pattern on its first use and
    /// then fails that match, a pattern Go's regexp rejects is an error here.
    pub fn from_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<Ignore, String> {
        let mut out = Ignore::default();
        for p in patterns {
            let p = p.as_ref().trim();
            if p.is_empty() {
                continue;
            }
            let mut p = clean(p);
            let exclusion = p.starts_with('!');
            if exclusion {
                if p.len() == 1 {
                    return Err("illegal exclusion pattern: \"!\"".into());
                }
                p.remove(0);
                out.exclusions = true;
            }
            go_match(&p, ".").map_err(|()| BAD_PATTERN.to_string())?;
            let kind = compile(&p).map_err(|_| BAD_PATTERN.to_string())?;
            out.patterns.push(Pattern {
                cleaned: p,
                exclusion,
                kind,
            });
        }
        Ok(out)
    }

    /// Whether a context-relative path (slash-separated, no leading `/`) is
    /// excluded: MatchesOrParentMatches (the last pattern matching the path
    /// or one of its parent directories decides).
    pub fn excluded(&self, path: &str) -> bool {
        let parent = go_dir(path);
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for p in &self.patterns {
            // An inclusion cannot change a match, nor an exclusion a miss.
            if p.exclusion != matched {
                continue;
            }
            let mut hit = p.matches(path);
            if !hit && parent != "." {
                hit = (1..=parent_dirs.len()).any(|i| p.matches(&parent_dirs[..i].join("/")));
            }
            if hit {
                matched = !p.exclusion;
            }
        }
        matched
    }

    /// Whether an excluded directory must still be walked because a `!`
    /// pattern may re-include something below it. TarWithOptions' rule: with
    /// no `!` patterns, never; else when some `!` pattern, plus `/`, starts
    /// with `dir/` (a literal prefix test: `!*/keep` does not count).
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        if !self.exclusions {
            return false;
        }
        let dir_slash = format!("{dir}/");
        self.patterns
            .iter()
            .filter(|p| p.exclusion)
            .any(|p| format!("{}/", p.cleaned).starts_with(&dir_slash))
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

impl Pattern {
    /// patternmatcher's `Pattern.match`.
    fn matches(&self, path: &str) -> bool {
        // Byte slices, as Go's: the `**` are ASCII, what is around them
        // need not be.
        let (bytes, pat) = (path.as_bytes(), self.cleaned.as_bytes());
        match &self.kind {
            Kind::Exact => bytes == pat,
            // Strip the trailing `**`.
            Kind::Prefix => bytes.starts_with(&pat[..pat.len() - 2]),
            Kind::Suffix => {
                // Strip the leading `**`; `**/foo` also matches `foo`.
                let suffix = &pat[2..];
                bytes.ends_with(suffix) || (suffix.first() == Some(&b'/') && bytes == &suffix[1..])
            }
            Kind::Regexp(re) => re.is_match(path),
        }
    }
}

/// ignorefile.ReadAll.
fn read_all(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (n, raw) in text.split('\n').enumerate() {
        if raw.len() > MAX_LINE {
            return Err("bufio.Scanner: token too long".into());
        }
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if n == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        // Comments are recognised before trimming.
        if line.starts_with('#') {
            continue;
        }
        let mut pattern = line.trim();
        if pattern.is_empty() {
            continue;
        }
        let invert = pattern.starts_with('!');
        if invert {
            pattern = pattern[1..].trim();
        }
        let mut p = String::new();
        if !pattern.is_empty() {
            p = clean(pattern);
            if p.len() > 1 && p.starts_with('/') {
                p.remove(0);
            }
        }
        out.push(if invert { format!("!{p}") } else { p });
    }
    Ok(out)
}

/// Go's `filepath.Clean` (Unix).
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// Go's `filepath.Dir`.
fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".into(),
    }
}

/// patternmatcher's `Pattern.compile`: the match type and, for a regexp,
/// its source.
fn compile_source(pattern: &str) -> (MatchType, String) {
    let mut chars: Vec<char> = pattern.chars().collect();
    // text/scanner skips a leading byte order mark.
    if chars.first() == Some(&'\u{feff}') {
        chars.remove(0);
    }
    let mut re = String::from("^");
    let mut kind = MatchType::Exact;
    let mut pos = 0;
    let mut i = 0;
    while pos < chars.len() {
        let ch = chars[pos];
        pos += 1;
        match ch {
            '*' if chars.get(pos) == Some(&'*') => {
                pos += 1;
                // `**/` is `**`.
                if chars.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos < chars.len() {
                    re.push_str("(.*/)?");
                    kind = MatchType::Regexp;
                } else if kind == MatchType::Exact {
                    kind = MatchType::Prefix;
                } else {
                    re.push_str(".*");
                    kind = MatchType::Regexp;
                }
                if i == 0 {
                    kind = MatchType::Suffix;
                }
            }
            '*' | '?' => {
                re.push_str(if ch == '*' { "[^/]*" } else { "[^/]" });
                kind = MatchType::Regexp;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => {
                re.push('\\');
                // A trailing `\` stays as it is.
                if let Some(&next) = chars.get(pos) {
                    re.push(next);
                    pos += 1;
                    kind = MatchType::Regexp;
                }
            }
            '[' | ']' => {
                re.push(ch);
                kind = MatchType::Regexp;
            }
            c => re.push(c),
        }
        i += 1;
    }
    re.push('$');
    (kind, re)
}

fn compile(pattern: &str) -> Result<Kind, &'static str> {
    Ok(match compile_source(pattern) {
        (MatchType::Exact, _) => Kind::Exact,
        (MatchType::Prefix, _) => Kind::Prefix,
        (MatchType::Suffix, _) => Kind::Suffix,
        (MatchType::Regexp, src) => Kind::Regexp(re::Regex::new(&src)?),
    })
}

/// Go's `filepath.Match` (Unix): whether `name` matches the shell pattern,
/// or `Err` when the pattern is malformed (patternmatcher only uses it for
/// that).
fn go_match(pattern: &str, name: &str) -> Result<bool, ()> {
    let (pv, nv): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pat, mut name) = (pv.as_slice(), nv.as_slice());
    'outer: while !pat.is_empty() {
        let (star, chunk, rest) = scan_chunk(pat);
        pat = rest;
        if star && chunk.is_empty() {
            // A trailing `*` matches the rest unless it has a `/`.
            return Ok(!name.contains(&'/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        // The last chunk must use up the name.
        if ok && (t.is_empty() || !pat.is_empty()) {
            name = t;
            continue;
        }
        if star {
            // Skip i+1 chars (never a `/`) and try again.
            let mut i = 0;
            while i < name.len() && name[i] != '/' {
                let (t, ok) = match_chunk(chunk, &name[i + 1..])?;
                if ok && (t.is_empty() || !pat.is_empty()) {
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        // Before failing, check that the rest of the pattern is well formed.
        while !pat.is_empty() {
            let (_, chunk, rest) = scan_chunk(pat);
            pat = rest;
            match_chunk(chunk, &[])?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// `scanChunk`: leading stars, then the text up to the next star outside
/// a class.
fn scan_chunk(pattern: &[char]) -> (bool, &[char], &[char]) {
    let stars = pattern.iter().take_while(|c| **c == '*').count();
    let p = &pattern[stars..];
    let mut in_range = false;
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' if i + 1 < p.len() => i += 1,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (stars > 0, &p[..i], &p[i..])
}

/// `matchChunk`: the rest of `s` after matching `chunk` at its start (and
/// whether it matched); the whole chunk is checked for syntax either way.
fn match_chunk<'a>(mut chunk: &[char], mut s: &'a [char]) -> Result<(&'a [char], bool), ()> {
    let mut failed = false;
    while let Some(&c) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let mut r = '\0';
                if !failed {
                    r = s[0];
                    s = &s[1..];
                }
                let (rest, hit) = match_class(&chunk[1..], r)?;
                chunk = rest;
                failed |= !hit;
            }
            '?' => {
                if !failed {
                    failed = s[0] == '/';
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if c == '\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(());
                    }
                }
                if !failed {
                    failed = chunk[0] != s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { (&[][..], false) } else { (s, true) })
}

/// A `[...]` class after its `[`: the rest of the chunk and whether `r`
/// is in it.
fn match_class(mut chunk: &[char], r: char) -> Result<(&[char], bool), ()> {
    let negated = chunk.first() == Some(&'^');
    if negated {
        chunk = &chunk[1..];
    }
    let mut hit = false;
    let mut nrange = 0;
    loop {
        if chunk.first() == Some(&']') && nrange > 0 {
            return Ok((&chunk[1..], hit != negated));
        }
        let (lo, rest) = get_esc(chunk)?;
        chunk = rest;
        let mut hi = lo;
        if chunk[0] == '-' {
            let (h, rest) = get_esc(&chunk[1..])?;
            hi = h;
            chunk = rest;
        }
        hit |= lo <= r && r <= hi;
        nrange += 1;
    }
}

/// `getEsc`: one possibly escaped class char, never the last of the chunk.
fn get_esc(chunk: &[char]) -> Result<(char, &[char]), ()> {
    let mut chunk = match chunk.first() {
        None | Some('-' | ']') => return Err(()),
        Some(_) => chunk,
    };
    if chunk[0] == '\\' {
        chunk = &chunk[1..];
    }
    match chunk {
        [r, rest @ ..] if !rest.is_empty() => Ok((*r, rest)),
        _ => Err(()),
    }
}

#[cfg(test)]
#[path = "ignore_tests.rs"]
mod tests;
