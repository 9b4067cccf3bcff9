//! Emulation of the parts of Go's `fmt`, `strconv` and `encoding/json`
//! that template output depends on, for values of Go's "decoded JSON"
//! types: nil, bool, int, uint64, float64, string, []interface{} and
//! map[string]interface{} (JSON `null` stands for a nil interface).

use serde_json::{Map, Value};

// ---------------------------------------------------------------------------
// Types

/// Go type name of a value, as `reflect.Type.String()` would print it.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "interface {}",
        Value::Bool(_) => "bool",
        Value::Number(n) => {
            if n.is_i64() {
                "int"
            } else if n.is_u64() {
                "uint64"
            } else {
                "float64"
            }
        }
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Object keys in Go's map printing order (sorted).
pub(crate) fn sorted_keys(m: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    keys
}

// ---------------------------------------------------------------------------
// strconv

/// `unicode.IsPrint` approximation: graphic characters plus ASCII space.
pub(crate) fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if c.is_control() {
        return false;
    }
    !matches!(u,
        0xA0 | 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x1680 | 0x180E
        | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F | 0x3000
        | 0xD800..=0xF8FF | 0xFEFF | 0xFFF0..=0xFFFB | 0xFFFE | 0xFFFF
        | 0xE0000..=0xE0FFF | 0xF0000..=0x10FFFF)
}

fn push_escaped_rune(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if (c as u32) < 0x80 && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// `strconv.Quote`.
pub(crate) fn quote(s: &str) -> String {
    quote_with(s, '"', false)
}

fn quote_with(s: &str, q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        push_escaped_rune(&mut out, c, q, ascii_only);
    }
    out.push(q);
    out
}

/// `strconv.QuoteRune` / `QuoteRuneToASCII`.
fn quote_rune(c: char, ascii_only: bool) -> String {
    quote_with(c.encode_utf8(&mut [0; 4]), '\'', ascii_only)
}

/// `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| {
        if c == '`' || c == '\u{FEFF}' {
            return false;
        }
        if (c as u32) < 0x80 {
            return c == '\t' || (' '..='~').contains(&c);
        }
        true
    })
}

/// Go's `%#U`: `U+0041 'A'` (or just `U+0001` when not printable).
pub(crate) fn sharp_u(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// Decimal digits of |v| (no leading zeros) and the decimal point position.
/// `sig`: None = shortest representation that round-trips, Some(n) = n
/// significant digits, correctly rounded. Trailing zeros are removed.
fn decimal_digits(abs: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    if abs == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        None => format!("{abs:e}"),
        Some(n) => format!("{:.*e}", n.saturating_sub(1), abs),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits == [b'0'] {
        return (Vec::new(), 0);
    }
    (digits, exp + 1)
}

fn fmt_e(out: &mut String, d: &[u8], dp: i32, prec: i32, fmt: char) {
    out.push(if d.is_empty() { '0' } else { d[0] as char });
    if prec > 0 {
        out.push('.');
        let mut i = 1usize;
        let m = d.len().min(prec as usize + 1);
        if i < m {
            out.extend(d[i..m].iter().map(|&b| b as char));
            i = m;
        }
        while i <= prec as usize {
            out.push('0');
            i += 1;
        }
    }
    out.push(fmt);
    let mut exp = dp - 1;
    if d.is_empty() {
        exp = 0;
    }
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

fn fmt_f(out: &mut String, d: &[u8], dp: i32, prec: i32) {
    if dp > 0 {
        let m = d.len().min(dp as usize);
        out.extend(d[..m].iter().map(|&b| b as char));
        for _ in m..dp as usize {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = dp + i - 1;
            let ch = if j >= 0 && (j as usize) < d.len() {
                d[j as usize] as char
            } else {
                '0'
            };
            out.push(ch);
        }
    }
}

/// `strconv.FormatFloat(v, fmt, prec, 64)` for fmt in e, E, f, g, G.
pub(crate) fn format_float(v: f64, fmt: char, prec: i32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    let abs = v.abs();
    let shortest = prec < 0;
    if fmt == 'f' && !shortest {
        out.push_str(&format!("{:.*}", prec as usize, abs));
        return out;
    }
    let (d, dp) = if shortest {
        decimal_digits(abs, None)
    } else {
        match fmt {
            'e' | 'E' => decimal_digits(abs, Some(prec as usize + 1)),
            _ => decimal_digits(abs, Some(prec.max(1) as usize)),
        }
    };
    let nd = d.len() as i32;
    let mut prec = prec;
    if shortest {
        prec = match fmt {
            'e' | 'E' => nd - 1,
            'f' => (nd - dp).max(0),
            _ => nd,
        };
    }
    match fmt {
        'e' | 'E' => fmt_e(&mut out, &d, dp, prec, fmt),
        'f' => fmt_f(&mut out, &d, dp, prec),
        _ => {
            let mut eprec = prec;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            let efmt = if fmt == 'G' { 'E' } else { 'e' };
            if exp < -4 || exp >= eprec {
                if prec > nd {
                    prec = nd;
                }
                fmt_e(&mut out, &d, dp, prec - 1, efmt);
            } else {
                if prec > dp {
                    prec = nd;
                }
                fmt_f(&mut out, &d, dp, (prec - dp).max(0));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// fmt

#[derive(Clone, Copy, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

struct Printer {
    buf: String,
}

const NIL_ANGLE: &str = "<nil>";

impl Printer {
    fn write_padding(&mut self, n: usize, f: &Flags) {
        let c = if f.zero && !f.minus { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    fn pad(&mut self, s: &str, f: &Flags) {
        let n = s.chars().count();
        match f.wid {
            Some(w) if w > n => {
                if f.minus {
                    self.buf.push_str(s);
                    self.write_padding(w - n, f);
                } else {
                    self.write_padding(w - n, f);
                    self.buf.push_str(s);
                }
            }
            _ => self.buf.push_str(s),
        }
    }

    fn bad_verb(&mut self, verb: char, v: Option<&Value>, f: &Flags) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        match v {
            Some(v) if !v.is_null() => {
                self.buf.push_str(type_name(v));
                self.buf.push('=');
                self.print_value(v, 'v', f);
            }
            _ => self.buf.push_str(NIL_ANGLE),
        }
        self.buf.push(')');
    }

    fn print_arg(&mut self, v: &Value, verb: char, f: &Flags) {
        if v.is_null() {
            match verb {
                'T' | 'v' => self.pad(NIL_ANGLE, f),
                _ => self.bad_verb(verb, None, f),
            }
            return;
        }
        if verb == 'T' {
            self.fmt_s(type_name(v), f);
            return;
        }
        self.print_value(v, verb, f);
    }

    fn print_value(&mut self, v: &Value, verb: char, f: &Flags) {
        match v {
            Value::Null => {
                if f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else {
                    self.pad(NIL_ANGLE, f);
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }, f),
                _ => self.bad_verb(verb, Some(v), f),
            },
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    self.fmt_int(i as u64, true, verb, f, v);
                } else if let Some(u) = n.as_u64() {
                    self.fmt_int(u, false, verb, f, v);
                } else {
                    self.fmt_float(n.as_f64().unwrap_or(0.0), verb, f, v);
                }
            }
            Value::String(s) => self.fmt_string(s, verb, f, v),
            Value::Array(a) => {
                if f.sharp_v {
                    self.buf.push_str("[]interface {}{");
                    for (i, e) in a.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.print_value(e, verb, f);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, e) in a.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.print_value(e, verb, f);
                    }
                    self.buf.push(']');
                }
            }
            Value::Object(m) => {
                if f.sharp_v {
                    self.buf.push_str("map[string]interface {}{");
                } else {
                    self.buf.push_str("map[");
                }
                for (i, k) in sorted_keys(m).into_iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if f.sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(k, verb, f, &Value::String(k.clone()));
                    self.buf.push(':');
                    self.print_value(&m[k], verb, f);
                }
                self.buf.push(if f.sharp_v { '}' } else { ']' });
            }
        }
    }

    fn fmt_s(&mut self, s: &str, f: &Flags) {
        let s = truncate_runes(s, f.prec);
        self.pad(s, f);
    }

    fn fmt_string(&mut self, s: &str, verb: char, f: &Flags, v: &Value) {
        match verb {
            'v' => {
                if f.sharp_v {
                    self.fmt_q(s, f)
                } else {
                    self.fmt_s(s, f)
                }
            }
            's' => self.fmt_s(s, f),
            'x' => self.fmt_sx(s.as_bytes(), false, f),
            'X' => self.fmt_sx(s.as_bytes(), true, f),
            'q' => self.fmt_q(s, f),
            _ => self.bad_verb(verb, Some(v), f),
        }
    }

    fn fmt_q(&mut self, s: &str, f: &Flags) {
        let s = truncate_runes(s, f.prec);
        let q = if f.sharp && can_backquote(s) {
            format!("`{s}`")
        } else {
            quote_with(s, '"', f.plus)
        };
        self.pad(&q, f);
    }

    fn fmt_sx(&mut self, b: &[u8], upper: bool, f: &Flags) {
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let x = if upper { 'X' } else { 'x' };
        let mut length = b.len();
        if let Some(p) = f.prec {
            length = length.min(p);
        }
        let mut width = 2 * length;
        if width > 0 {
            if f.space {
                if f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = f.wid {
                self.write_padding(w, f);
            }
            return;
        }
        if let Some(w) = f.wid {
            if w > width && !f.minus {
                self.write_padding(w - width, f);
            }
        }
        if f.sharp {
            self.buf.push('0');
            self.buf.push(x);
        }
        for (i, &c) in b[..length].iter().enumerate() {
            if f.space && i > 0 {
                self.buf.push(' ');
                if f.sharp {
                    self.buf.push('0');
                    self.buf.push(x);
                }
            }
            self.buf.push(digits[(c >> 4) as usize] as char);
            self.buf.push(digits[(c & 0xf) as usize] as char);
        }
        if let Some(w) = f.wid {
            if w > width && f.minus {
                self.write_padding(w - width, f);
            }
        }
    }

    fn fmt_int(&mut self, u: u64, signed: bool, verb: char, f: &Flags, v: &Value) {
        match verb {
            'v' => {
                if f.sharp_v && !signed {
                    let mut g = *f;
                    g.sharp = true;
                    self.fmt_integer(u, 16, signed, 'v', false, &g);
                } else {
                    self.fmt_integer(u, 10, signed, verb, false, f);
                }
            }
            'd' => self.fmt_integer(u, 10, signed, verb, false, f),
            'b' => self.fmt_integer(u, 2, signed, verb, false, f),
            'o' | 'O' => self.fmt_integer(u, 8, signed, verb, false, f),
            'x' => self.fmt_integer(u, 16, signed, verb, false, f),
            'X' => self.fmt_integer(u, 16, signed, verb, true, f),
            'c' => {
                let c = rune_of(u, signed);
                self.pad(c.encode_utf8(&mut [0; 4]), f);
            }
            'q' => {
                let c = rune_of(u, signed);
                let q = quote_rune(c, f.plus);
                self.pad(&q, f);
            }
            'U' => {
                let mut s = format!("{u:X}");
                let min = f.prec.unwrap_or(4).max(4);
                while s.len() < min {
                    s.insert(0, '0');
                }
                let mut s = format!("U+{s}");
                if f.sharp {
                    if let Some(c) = char::from_u32(u as u32).filter(|_| u <= 0x10FFFF) {
                        if is_print(c) {
                            s.push_str(&format!(" '{c}'"));
                        }
                    }
                }
                let mut g = *f;
                g.zero = false;
                self.pad(&s, &g);
            }
            _ => self.bad_verb(verb, Some(v), f),
        }
    }

    fn fmt_integer(&mut self, u: u64, base: u64, signed: bool, verb: char, upper: bool, f: &Flags) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut prec = 0usize;
        if let Some(p) = f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let mut g = *f;
                g.zero = false;
                if let Some(w) = f.wid {
                    self.write_padding(w, &g);
                }
                return;
            }
        } else if f.zero && !f.minus && f.wid.is_some() {
            prec = f.wid.unwrap_or(0);
            if negative || f.plus || f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let digits: &[u8] = if upper {
            b"0123456789ABCDEFX"
        } else {
            b"0123456789abcdefx"
        };
        let mut rev: Vec<u8> = Vec::new();
        loop {
            rev.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if f.sharp {
            match base {
                2 => {
                    rev.push(b'b');
                    rev.push(b'0');
                }
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(digits[16]);
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.push(b'o');
            rev.push(b'0');
        }
        if negative {
            rev.push(b'-');
        } else if f.plus {
            rev.push(b'+');
        } else if f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let s = String::from_utf8(rev).unwrap_or_default();
        let mut g = *f;
        g.zero = false;
        self.pad(&s, &g);
    }

    fn fmt_float(&mut self, x: f64, verb: char, f: &Flags, v: &Value) {
        let (verb, default_prec) = match verb {
            'v' => ('g', -1),
            'g' | 'G' => (verb, -1),
            'f' | 'F' => ('f', 6),
            'e' | 'E' => (verb, 6),
            _ => {
                self.bad_verb(verb, Some(v), f);
                return;
            }
        };
        let prec = f.prec.map(|p| p as i32).unwrap_or(default_prec);
        let mut num = format_float(x, verb, prec);
        if !num.starts_with('-') && !num.starts_with('+') {
            num.insert(0, '+');
        }
        if f.space && num.starts_with('+') && !f.plus {
            num.replace_range(0..1, " ");
        }
        let second = num[1..].chars().next();
        if matches!(second, Some('I') | Some('N')) {
            let mut g = *f;
            g.zero = false;
            if second == Some('N') && !f.space && !f.plus {
                num.remove(0);
            }
            self.pad(&num, &g);
            return;
        }
        if f.plus || !num.starts_with('+') {
            if let Some(w) = f.wid {
                if f.zero && !f.minus && w > num.len() {
                    self.buf.push_str(&num[..1]);
                    self.write_padding(w - num.len(), f);
                    self.buf.push_str(&num[1..]);
                    return;
                }
            }
            self.pad(&num, f);
            return;
        }
        self.pad(&num[1..], f);
    }
}

fn rune_of(u: u64, signed: bool) -> char {
    if signed && (u as i64) < 0 {
        return '\u{FFFD}';
    }
    u32::try_from(u)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

fn truncate_runes(s: &str, prec: Option<usize>) -> &str {
    if let Some(p) = prec {
        if let Some((i, _)) = s.char_indices().nth(p) {
            return &s[..i];
        }
    }
    s
}

/// `fmt.Sprint(v)` / `%v` of one value (JSON null is a nil interface).
pub(crate) fn fmt_v(v: &Value) -> String {
    let mut p = Printer { buf: String::new() };
    p.print_arg(v, 'v', &Flags::default());
    p.buf
}

/// `fmt.Sprint(args...)`.
pub(crate) fn sprint(args: &[Value]) -> String {
    let mut p = Printer { buf: String::new() };
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = a.is_string();
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v', &Flags::default());
        prev_string = is_string;
    }
    p.buf
}

/// `fmt.Sprintln(args...)`.
pub(crate) fn sprintln(args: &[Value]) -> String {
    let mut p = Printer { buf: String::new() };
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v', &Flags::default());
    }
    p.buf.push('\n');
    p.buf
}

fn parse_num(b: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n > 1_000_000 {
            return (None, b.len());
        }
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    if i == start {
        (None, i)
    } else {
        (Some(n), i)
    }
}

/// Parse `[n]` at position i. Returns (new argnum, new i, found, ok).
fn arg_number(b: &[u8], i: usize, argnum: usize, nargs: usize) -> (usize, usize, bool, bool) {
    if i >= b.len() || b[i] != b'[' {
        return (argnum, i, false, true);
    }
    let mut j = i + 1;
    while j < b.len() && b[j] != b']' {
        j += 1;
    }
    if j >= b.len() {
        return (argnum, i + 1, false, false);
    }
    let digits = &b[i + 1..j];
    let ok_digits = !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
    if !ok_digits {
        return (argnum, j + 1, true, false);
    }
    let n: usize = std::str::from_utf8(digits)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if n >= 1 && n <= nargs {
        (n - 1, j + 1, true, true)
    } else {
        (argnum, j + 1, true, false)
    }
}

/// Go's `intFromArg`: an int argument for `*`, none when it is not one
/// or is past Go's `tooLarge` (±1e6), so that the verb says BADWIDTH or
/// BADPREC instead of padding to a huge width.
fn int_arg(v: Option<&Value>) -> Option<i64> {
    match v {
        Some(Value::Number(n)) => n.as_i64().filter(|w| w.unsigned_abs() <= 1_000_000),
        _ => None,
    }
}

/// `fmt.Sprintf(format, args...)`.
pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer { buf: String::new() };
    let b = format.as_bytes();
    let end = b.len();
    let mut argnum = 0usize;
    let mut reordered = false;
    let mut i = 0usize;
    while i < end {
        let lasti = i;
        while i < end && b[i] != b'%' {
            i += 1;
        }
        if i > lasti {
            p.buf.push_str(&format[lasti..i]);
        }
        if i >= end {
            break;
        }
        i += 1;
        let mut f = Flags::default();
        while i < end {
            match b[i] {
                b'#' => f.sharp = true,
                b'0' => f.zero = !f.minus,
                b'+' => f.plus = true,
                b'-' => {
                    f.minus = true;
                    f.zero = false;
                }
                b' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        let mut good_argnum = true;
        reordered |= b.get(i) == Some(&b'[');
        let (a, ni, found, ok) = arg_number(b, i, argnum, args.len());
        argnum = a;
        i = ni;
        reordered |= found;
        good_argnum &= ok;
        let mut after_index = found;
        // Width.
        if i < end && b[i] == b'*' {
            i += 1;
            match int_arg(args.get(argnum)) {
                Some(w) => {
                    if w < 0 {
                        f.minus = true;
                        f.zero = false;
                    }
                    f.wid = Some(w.unsigned_abs() as usize);
                }
                None => p.buf.push_str("%!(BADWIDTH)"),
            }
            argnum += 1;
            after_index = false;
        } else {
            let (w, ni) = parse_num(b, i);
            f.wid = w;
            i = ni;
            if after_index && f.wid.is_some() {
                good_argnum = false;
            }
        }
        // Precision.
        if i < end && b[i] == b'.' {
            i += 1;
            if after_index {
                good_argnum = false;
            }
            reordered |= b.get(i) == Some(&b'[');
            let (a, ni, found, ok) = arg_number(b, i, argnum, args.len());
            argnum = a;
            i = ni;
            reordered |= found;
            good_argnum &= ok;
            after_index = found;
            if i < end && b[i] == b'*' {
                i += 1;
                match int_arg(args.get(argnum)) {
                    Some(pr) if pr >= 0 => f.prec = Some(pr as usize),
                    Some(_) => f.prec = None,
                    None => p.buf.push_str("%!(BADPREC)"),
                }
                argnum += 1;
                after_index = false;
            } else {
                let (pr, ni) = parse_num(b, i);
                f.prec = Some(pr.unwrap_or(0));
                i = ni;
            }
        }
        if !after_index {
            reordered |= b.get(i) == Some(&b'[');
            let (a, ni, found, ok) = arg_number(b, i, argnum, args.len());
            argnum = a;
            i = ni;
            reordered |= found;
            good_argnum &= ok;
        }
        if i >= end {
            p.buf.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('%');
        i += verb.len_utf8();
        if verb == '%' {
            p.buf.push('%');
        } else if !good_argnum {
            p.buf.push_str(&format!("%!{verb}(BADINDEX)"));
        } else if argnum >= args.len() {
            p.buf.push_str(&format!("%!{verb}(MISSING)"));
        } else {
            if verb == 'v' {
                f.sharp_v = f.sharp;
                f.sharp = false;
                f.plus = false;
            }
            p.print_arg(&args[argnum], verb, &f);
            argnum += 1;
        }
    }
    if !reordered && argnum < args.len() {
        p.buf.push_str("%!(EXTRA ");
        for (k, a) in args[argnum..].iter().enumerate() {
            if k > 0 {
                p.buf.push_str(", ");
            }
            if a.is_null() {
                p.buf.push_str(NIL_ANGLE);
            } else {
                p.buf.push_str(type_name(a));
                p.buf.push('=');
                p.print_arg(a, 'v', &Flags::default());
            }
        }
        p.buf.push(')');
    }
    p.buf
}

// ---------------------------------------------------------------------------
// encoding/json

/// Go's `encoding/json` float64 encoding.
pub(crate) fn json_float(f: f64) -> String {
    let abs = f.abs();
    let fmt = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        'e'
    } else {
        'f'
    };
    let mut s = format_float(f, fmt, -1);
    if fmt == 'e' {
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    s
}

fn json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// JSON-encode like Go's `json.Encoder` with `SetEscapeHTML(false)`
/// (without the trailing newline). Object keys keep their order.
pub(crate) fn json_encode(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                out.push_str(&n.to_string());
            } else {
                out.push_str(&json_float(n.as_f64().unwrap_or(0.0)));
            }
        }
        Value::String(s) => json_string(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_encode(out, e);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, k);
                out.push(':');
                json_encode(out, e);
            }
            out.push('}');
        }
    }
}
