//! The part of Go's `regexp` (RE2 syntax, Perl flags) that patternmatcher's
//! compiled .dockerignore patterns can hold, matched as `MatchString` does
//! (unanchored search; the patterns bring their own `^` and `$`).
//!
//! Supported: literals, `.` (not newline), `[...]` classes with ranges,
//! `^` negation, `[:name:]` POSIX classes and `\d\s\w` (and negations),
//! `(...)` groups, `*` `+` `?` (and their lazy forms), `^`/`$`/`\A`/`\z`
//! (text begin/end), `\b`/`\B`, `\Q...\E`, octal/hex/C escapes and escaped
//! punctuation. Everything Go rejects is an error here too; Unicode classes
//! (`\pL`, `\p{Greek}`), `|` and `(?` flags are reported as errors as well
//! (patternmatcher never emits the last two).

/// Zero-width assertions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assert {
    BeginText,
    EndText,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rep {
    Star,
    Plus,
    Quest,
}

#[derive(Debug, Clone)]
enum Node {
    Lit(char),
    Class(Vec<(u32, u32)>),
    AnyNotNl,
    Assert(Assert),
    Group(Vec<Node>),
    Repeat(Box<Node>, Rep),
}

#[derive(Debug, Clone)]
enum Inst {
    Char(char),
    Class(Vec<(u32, u32)>),
    AnyNotNl,
    Assert(Assert),
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// A compiled expression (a Thompson NFA: linear-time matching).
#[derive(Debug, Clone)]
pub(super) struct Regex {
    prog: Vec<Inst>,
}

/// Why an expression was rejected (the texts are informational: callers
/// report Go's `filepath.ErrBadPattern`).
type Res<T> = Result<T, &'static str>;

impl Regex {
    pub(super) fn new(expr: &str) -> Res<Regex> {
        let nodes = Parser {
            chars: expr.chars().collect(),
            pos: 0,
        }
        .parse()?;
        let mut prog = Vec::new();
        nodes.iter().for_each(|n| emit(n, &mut prog));
        prog.push(Inst::Match);
        Ok(Regex { prog })
    }

    /// Whether the expression matches anywhere in `text`.
    pub(super) fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let mut list = Vec::new();
        let mut visited = vec![false; self.prog.len()];
        for pos in 0..=chars.len() {
            // A fresh thread at every position: an unanchored search.
            self.add(&mut list, &mut visited, 0, pos, &chars);
            if list.iter().any(|&pc| matches!(self.prog[pc], Inst::Match)) {
                return true;
            }
            let Some(&c) = chars.get(pos) else { break };
            let mut next = Vec::new();
            let mut next_visited = vec![false; self.prog.len()];
            for &pc in &list {
                let step = match &self.prog[pc] {
                    Inst::Char(x) => *x == c,
                    Inst::Class(ranges) => in_ranges(ranges, c),
                    Inst::AnyNotNl => c != '\n',
                    _ => false,
                };
                if step {
                    self.add(&mut next, &mut next_visited, pc + 1, pos + 1, &chars);
                }
            }
            list = next;
            visited = next_visited;
        }
        false
    }

    /// Adds `pc` and what it reaches without consuming input at `pos`.
    fn add(
        &self,
        list: &mut Vec<usize>,
        visited: &mut [bool],
        pc: usize,
        pos: usize,
        text: &[char],
    ) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if std::mem::replace(&mut visited[pc], true) {
                continue;
            }
            match &self.prog[pc] {
                Inst::Jmp(to) => stack.push(*to),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Assert(kind) => {
                    if holds(*kind, pos, text) {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
}

fn holds(kind: Assert, pos: usize, text: &[char]) -> bool {
    let boundary =
        || is_word(pos.checked_sub(1).and_then(|p| text.get(p))) != is_word(text.get(pos));
    match kind {
        Assert::BeginText => pos == 0,
        Assert::EndText => pos == text.len(),
        Assert::WordBoundary => boundary(),
        Assert::NotWordBoundary => !boundary(),
    }
}

fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
}

fn emit(node: &Node, prog: &mut Vec<Inst>) {
    match node {
        Node::Lit(c) => prog.push(Inst::Char(*c)),
        Node::Class(r) => prog.push(Inst::Class(r.clone())),
        Node::AnyNotNl => prog.push(Inst::AnyNotNl),
        Node::Assert(a) => prog.push(Inst::Assert(*a)),
        Node::Group(nodes) => nodes.iter().for_each(|n| emit(n, prog)),
        Node::Repeat(body, Rep::Plus) => {
            let start = prog.len();
            emit(body, prog);
            prog.push(Inst::Split(start, prog.len() + 1));
        }
        Node::Repeat(body, rep) => {
            let split = prog.len();
            prog.push(Inst::Split(0, 0));
            emit(body, prog);
            if *rep == Rep::Star {
                prog.push(Inst::Jmp(split));
            }
            prog[split] = Inst::Split(split + 1, prog.len());
        }
    }
}

/// The complement of `ranges` over all code points.
fn negate(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out = Vec::new();
    let mut next = 0u32;
    for (lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = next.max(hi.saturating_add(1));
    }
    if next <= 0x10ffff {
        out.push((next, 0x10ffff));
    }
    out
}

/// `\d \s \w` and their upper-case negations.
fn perl_class(c: char) -> Vec<(u32, u32)> {
    let r = |a: char, b: char| (a as u32, b as u32);
    let ranges = match c.to_ascii_lowercase() {
        'd' => vec![r('0', '9')],
        's' => vec![r('\t', '\n'), r('\u{c}', '\r'), r(' ', ' ')],
        _ => vec![r('0', '9'), r('A', 'Z'), r('_', '_'), r('a', 'z')],
    };
    if c.is_ascii_uppercase() {
        negate(ranges)
    } else {
        ranges
    }
}

/// Go's `posixGroup` table.
fn posix_class(name: &str) -> Option<Vec<(u32, u32)>> {
    let r = |a: char, b: char| (a as u32, b as u32);
    Some(match name {
        "alnum" => vec![r('0', '9'), r('A', 'Z'), r('a', 'z')],
        "alpha" => vec![r('A', 'Z'), r('a', 'z')],
        "ascii" => vec![r('\0', '\u{7f}')],
        "blank" => vec![r('\t', '\t'), r(' ', ' ')],
        "cntrl" => vec![r('\0', '\u{1f}'), r('\u{7f}', '\u{7f}')],
        "digit" => vec![r('0', '9')],
        "graph" => vec![r('!', '~')],
        "lower" => vec![r('a', 'z')],
        "print" => vec![r(' ', '~')],
        "punct" => vec![r('!', '/'), r(':', '@'), r('[', '`'), r('{', '~')],
        "space" => vec![r('\t', '\r'), r(' ', ' ')],
        "upper" => vec![r('A', 'Z')],
        "word" => vec![r('0', '9'), r('A', 'Z'), r('a', 'z'), r('_', '_')],
        "xdigit" => vec![r('0', '9'), r('A', 'F'), r('a', 'f')],
        _ => return None,
    })
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += usize::from(c.is_some());
        c
    }

    fn parse(mut self) -> Res<Vec<Node>> {
        let mut stack: Vec<Vec<Node>> = vec![Vec::new()];
        let mut last_repeat = false;
        while let Some(c) = self.next() {
            let repeat = matches!(c, '*' | '+' | '?');
            match c {
                '(' if self.peek() == Some('?') => return Err("unsupported group flags"),
                '(' => {
                    stack.push(Vec::new());
                    last_repeat = false;
                    continue;
                }
                ')' if stack.len() < 2 => return Err("unexpected )"),
                ')' => {
                    let group = stack.pop().unwrap_or_default();
                    stack.last_mut().ok_or("internal")?.push(Node::Group(group));
                    last_repeat = false;
                    continue;
                }
                _ => {}
            }
            let top = stack.last_mut().ok_or("internal")?;
            match c {
                '|' => return Err("unsupported alternation"),
                _ if repeat && last_repeat => return Err("invalid nested repetition operator"),
                _ if repeat => {
                    let sub = top.pop().ok_or("missing argument to repetition operator")?;
                    let rep = match c {
                        '*' => Rep::Star,
                        '+' => Rep::Plus,
                        _ => Rep::Quest,
                    };
                    // A lazy form matches the same strings.
                    if self.peek() == Some('?') {
                        self.next();
                    }
                    top.push(Node::Repeat(Box::new(sub), rep));
                }
                '.' => top.push(Node::AnyNotNl),
                '^' => top.push(Node::Assert(Assert::BeginText)),
                '$' => top.push(Node::Assert(Assert::EndText)),
                '[' => {
                    let class = self.parse_class()?;
                    top.push(Node::Class(class));
                }
                '\\' => self.parse_escape_top(top)?,
                c => top.push(Node::Lit(c)),
            }
            last_repeat = repeat;
        }
        match stack.len() {
            1 => Ok(stack.pop().unwrap_or_default()),
            _ => Err("missing closing )"),
        }
    }

    /// After a `\` outside a class.
    fn parse_escape_top(&mut self, out: &mut Vec<Node>) -> Res<()> {
        let assert = match self.peek() {
            Some('A') => Some(Assert::BeginText),
            Some('z') => Some(Assert::EndText),
            Some('b') => Some(Assert::WordBoundary),
            Some('B') => Some(Assert::NotWordBoundary),
            _ => None,
        };
        if let Some(a) = assert {
            self.next();
            out.push(Node::Assert(a));
            return Ok(());
        }
        match self.peek() {
            Some('C') => Err("invalid escape sequence"),
            Some('p' | 'P') => Err("unicode classes are not supported"),
            Some('Q') => {
                self.next();
                while let Some(c) = self.next() {
                    if c == '\\' && self.peek() == Some('E') {
                        self.next();
                        break;
                    }
                    out.push(Node::Lit(c));
                }
                Ok(())
            }
            Some(c @ ('d' | 'D' | 's' | 'S' | 'w' | 'W')) => {
                self.next();
                out.push(Node::Class(perl_class(c)));
                Ok(())
            }
            _ => {
                let c = self.parse_escape()?;
                out.push(Node::Lit(c));
                Ok(())
            }
        }
    }

    /// Go's `parseEscape`: one escaped character.
    fn parse_escape(&mut self) -> Res<char> {
        let c = self
            .next()
            .ok_or("trailing backslash at end of expression")?;
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            return Ok(c);
        }
        let simple = match c {
            'a' => Some('\u{7}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            _ => None,
        };
        if let Some(s) = simple {
            return Ok(s);
        }
        match c {
            // A lone \1-\7 would be a backreference: not supported.
            '1'..='7' if !matches!(self.peek(), Some('0'..='7')) => Err("invalid escape sequence"),
            '0'..='7' => {
                let mut r = c as u32 - '0' as u32;
                for _ in 1..3 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => r = r * 8 + d,
                        None => break,
                    }
                    self.next();
                }
                char::from_u32(r).ok_or("invalid escape sequence")
            }
            'x' => self.parse_hex(),
            _ => Err("invalid escape sequence"),
        }
    }

    /// After `\x`: two hex digits or `{hex...}`.
    fn parse_hex(&mut self) -> Res<char> {
        const BAD: &str = "invalid escape sequence";
        let first = self.next().ok_or(BAD)?;
        if first != '{' {
            let hi = first.to_digit(16).ok_or(BAD)?;
            let lo = self.next().and_then(|c| c.to_digit(16)).ok_or(BAD)?;
            return char::from_u32(hi * 16 + lo).ok_or(BAD);
        }
        let mut r: u32 = 0;
        let mut digits = 0;
        loop {
            let c = self.next().ok_or(BAD)?;
            if c == '}' {
                break;
            }
            r = r * 16 + c.to_digit(16).ok_or(BAD)?;
            if r > 0x10ffff {
                return Err(BAD);
            }
            digits += 1;
        }
        if digits == 0 {
            return Err(BAD);
        }
        char::from_u32(r).ok_or(BAD)
    }

    /// Go's `parseClass`, after the `[`.
    fn parse_class(&mut self) -> Res<Vec<(u32, u32)>> {
        let negated = self.peek() == Some('^');
        if negated {
            self.next();
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            match self.peek() {
                None => return Err("missing closing ]"),
                Some(']') if !first => {
                    self.next();
                    break;
                }
                _ => {}
            }
            first = false;
            if let Some(named) = self.parse_named_class()? {
                ranges.extend(named);
                continue;
            }
            if self.peek() == Some('\\') {
                match self.peek_at(1) {
                    Some('p' | 'P') => return Err("unicode classes are not supported"),
                    Some(c @ ('d' | 'D' | 's' | 'S' | 'w' | 'W')) => {
                        self.pos += 2;
                        ranges.extend(perl_class(c));
                        continue;
                    }
                    _ => {}
                }
            }
            let lo = self.class_char()?;
            let mut hi = lo;
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']') {
                self.next();
                hi = self.class_char()?;
                if hi < lo {
                    return Err("invalid character class range");
                }
            }
            ranges.push((lo as u32, hi as u32));
        }
        Ok(if negated { negate(ranges) } else { ranges })
    }

    fn class_char(&mut self) -> Res<char> {
        match self.next() {
            None => Err("missing closing ]"),
            Some('\\') => self.parse_escape(),
            Some(c) => Ok(c),
        }
    }

    /// `[:alpha:]` or `[:^alpha:]`; None when the text is not of that form.
    fn parse_named_class(&mut self) -> Res<Option<Vec<(u32, u32)>>> {
        if self.chars.len() - self.pos <= 2
            || self.peek() != Some('[')
            || self.peek_at(1) != Some(':')
        {
            return Ok(None);
        }
        let rest = &self.chars[self.pos + 2..];
        let Some(end) = rest.windows(2).position(|w| w == [':', ']']) else {
            return Ok(None);
        };
        let name: String = rest[..end].iter().collect();
        let (negated, base) = match name.strip_prefix('^') {
            Some(b) => (true, b),
            None => (false, name.as_str()),
        };
        let ranges = posix_class(base).ok_or("invalid character class range")?;
        self.pos += 2 + end + 2;
        Ok(Some(if negated { negate(ranges) } else { ranges }))
    }
}
