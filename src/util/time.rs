//! Timestamps without a date crate: unix nanoseconds <-> RFC 3339 (Go's
//! RFC3339Nano layout) and Go's `time.Time.String()` in UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the epoch (negative before 1970).
pub type UnixNanos = i128;

pub fn now() -> UnixNanos {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

// Howard Hinnant's civil-from-days and days-from-civil.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    nanos: u32,
}

fn parts(t: UnixNanos) -> Parts {
    let secs = t.div_euclid(1_000_000_000) as i64;
    let nanos = t.rem_euclid(1_000_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, mo, d) = civil_from_days(days);
    Parts {
        y,
        mo,
        d,
        h: sod / 3600,
        mi: sod / 60 % 60,
        s: sod % 60,
        nanos,
    }
}

/// `2000-01-01<sep>00:00:00[.fraction]`, the fraction trimmed like Go's.
fn format_utc(t: UnixNanos, sep: char) -> String {
    let p = parts(t);
    let mut out = format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    );
    if p.nanos != 0 {
        let frac = format!("{:09}", p.nanos);
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out
}

/// Go's RFC3339Nano in UTC: `2000-01-01T00:00:00.5Z` (fraction trimmed).
pub fn rfc3339_nano(t: UnixNanos) -> String {
    format_utc(t, 'T') + "Z"
}

/// docker's RFC3339NanoFixed in UTC, as `logs -t` prints it: always nine
/// fraction digits (`2000-01-01T00:00:00.500000000Z`).
pub fn rfc3339_nano_fixed(t: UnixNanos) -> String {
    let p = parts(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s, p.nanos
    )
}

/// Go's `time.Time.String()` for a UTC time: `2000-01-01 00:00:00 +0000 UTC`.
pub fn go_string(t: UnixNanos) -> String {
    format_utc(t, ' ') + " +0000 UTC"
}

/// Parse RFC 3339 (`2000-01-01T00:00:00Z`, fractions, `+02:00` offsets).
/// `None` for anything else; never panics, whatever the bytes.
pub fn parse_rfc3339(s: &str) -> Option<UnixNanos> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    // Digits only: `str::parse` would also take a sign ("+1").
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        d.iter().all(u8::is_ascii_digit).then_some(())?;
        std::str::from_utf8(d).ok()?.parse().ok()
    };
    let (y, mo, d) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &b[start..i];
        if digits.is_empty() {
            return None;
        }
        for k in 0..9 {
            nanos = nanos * 10 + digits.get(k).map_or(0, |d| u32::from(d - b'0'));
        }
    }
    // Bytes, not `&str` slices: the offset may hold multi-byte characters.
    let offset: i64 = match &b[i..] {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() - i == 6 && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)? as i64, num(i + 4..i + 6)? as i64);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + (h * 3600 + mi * 60 + sec) as i64 - offset;
    Some(secs as i128 * 1_000_000_000 + nanos as i128)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// docker's dates for `--since`/`--until` (`GetTimestamp`): `2006-01-02`,
/// `2006-01-02T15`, `2006-01-02T15:04`, `2006-01-02T15:04:05[.fraction]`,
/// each optionally followed by a zone (`Z` or `+07:00`); without a zone
/// the time is local, as docker's CLI reads it. `None` for anything else
/// (including days a month does not have); never panics.
pub fn parse_date_arg(s: &str) -> Option<UnixNanos> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        d.iter().all(u8::is_ascii_digit).then_some(())?;
        std::str::from_utf8(d).ok()?.parse().ok()
    };
    // The zone, from the end: `Z`, `±hh:mm`, or none (local time).
    let n = b.len();
    let (end, offset) = match b.last()? {
        b'Z' | b'z' => (n - 1, Some(0)),
        _ if n >= 16 && matches!(b[n - 6], b'+' | b'-') && b[n - 3] == b':' => {
            let (oh, om) = (digits(n - 5..n - 3)?, digits(n - 2..n)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60);
            (n - 6, Some(if b[n - 6] == b'-' { -off } else { off }))
        }
        _ => (n, None),
    };
    if end < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(i64::from(y), mo) {
        return None;
    }
    // Then nothing, or T and hour [:minute [:second [.fraction]]].
    let (mut h, mut mi, mut sec, mut nanos) = (0, 0, 0, 0u32);
    if end > 10 {
        if !matches!(b[10], b'T' | b't') || end < 13 {
            return None;
        }
        h = digits(11..13)?;
        let mut i = 13;
        for field in [&mut mi, &mut sec] {
            if i < end && b[i] == b':' {
                *field = digits(i + 1..i + 3)?;
                i += 3;
            }
        }
        if i < end && b[i] == b'.' && i == 19 {
            let frac = &b[i + 1..end];
            if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
                return None;
            }
            for k in 0..9 {
                nanos = nanos * 10 + frac.get(k).map_or(0, |c| u32::from(c - b'0'));
            }
            i = end;
        }
        if i != end || h > 23 || mi > 59 || sec > 59 {
            return None;
        }
    }
    let secs = match offset {
        Some(off) => {
            days_from_civil(i64::from(y), mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + sec)
                - off
        }
        None => local_to_unix(y, mo, d, h, mi, sec)?,
    };
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// Seconds since the epoch of a local wall-clock time (mktime(3), with
/// the zone's rules for that date).
fn local_to_unix(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    // SAFETY: an all-zero tm is valid; mktime reads and normalises it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = y as i32 - 1900;
    tm.tm_mon = mo as i32 - 1;
    tm.tm_mday = d as i32;
    tm.tm_hour = h as i32;
    tm.tm_min = mi as i32;
    tm.tm_sec = s as i32;
    tm.tm_isdst = -1;
    // SAFETY: tm is a valid, exclusively borrowed struct.
    let t = unsafe { libc::mktime(&mut tm) };
    // -1 is also 1969-12-31 23:59:59 UTC: tell by the fields mktime set.
    (t != -1 || tm.tm_year == 69).then_some(t)
}

const NANOS_PER: [(&str, u64); 6] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

/// Go's `time.ParseDuration`: `300ms`, `-1.5h`, `2h45m`, `1m30s`, `0`;
/// units ns, us (µs, μs), ms, s, m, h. Nanoseconds, within Go's int64
/// range; an error (naming the value) for anything else.
pub fn parse_go_duration(s: &str) -> Result<i64, String> {
    let bad = |why: &str| format!("invalid duration {s:?}{why}");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad(""));
    }
    let digits_end = |t: &str| t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    // The magnitude, in u128 so that -1<<63 fits before the sign.
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let (int, r) = rest.split_at(digits_end(rest));
        let (frac, r) = match r.strip_prefix('.') {
            Some(r) => r.split_at(digits_end(r)),
            None => ("", r),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(bad(""));
        }
        let (unit, r) = r.split_at(
            r.find(|c: char| c == '.' || c.is_ascii_digit())
                .unwrap_or(r.len()),
        );
        let unit = match unit {
            "µs" | "μs" => "us",
            u => u,
        };
        let scale = match NANOS_PER.iter().find(|(n, _)| *n == unit) {
            Some((_, n)) => u128::from(*n),
            None if unit.is_empty() => return Err(bad(": missing unit")),
            None => return Err(bad(&format!(": unknown unit {unit:?}"))),
        };
        let overflow = || bad(": out of range");
        let mut v: u128 = 0;
        for d in int.bytes() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u128::from(d - b'0')))
                .filter(|&v| v <= 1 << 63)
                .ok_or_else(overflow)?;
        }
        v = v.checked_mul(scale).ok_or_else(overflow)?;
        // The fraction: digits past 19 cannot change a nanosecond count.
        let (mut f, mut div) = (0u128, 1u128);
        for d in frac.bytes().take(19) {
            f = f * 10 + u128::from(d - b'0');
            div *= 10;
        }
        v += f * scale / div;
        total = total
            .checked_add(v)
            .filter(|&t| t <= 1 << 63)
            .ok_or_else(overflow)?;
        rest = r;
    }
    match (neg, i64::try_from(total)) {
        (false, Ok(t)) => Ok(t),
        (true, Ok(t)) => Ok(-t),
        (true, Err(_)) => Ok(i64::MIN),
        (false, Err(_)) => Err(bad(": out of range")),
    }
}

/// Go's `time.Duration.String()`: `1h0m0s`, `1m30s`, `1.5s`, `300ms`, `0s`.
pub fn format_go_duration(d: i64) -> String {
    // `v` as `int[.frac]` with `prec` fraction digits, trailing zeros cut.
    fn frac(v: u64, prec: u32) -> String {
        let p = 10u64.pow(prec);
        let f = format!("{:0w$}", v % p, w = prec as usize);
        let f = f.trim_end_matches('0');
        if f.is_empty() {
            (v / p).to_string()
        } else {
            format!("{}.{f}", v / p)
        }
    }
    let sign = if d < 0 { "-" } else { "" };
    let u = d.unsigned_abs();
    let body = match u {
        0 => return "0s".into(),
        1..=999 => format!("{u}ns"),
        1_000..=999_999 => format!("{}µs", frac(u, 3)),
        1_000_000..=999_999_999 => format!("{}ms", frac(u, 6)),
        _ => {
            let secs = u / 1_000_000_000;
            let s = frac(secs % 60 * 1_000_000_000 + u % 1_000_000_000, 9) + "s";
            match secs / 60 {
                0 => s,
                m if m < 60 => format!("{m}m{s}"),
                m => format!("{}h{}m{s}", m / 60, m % 60),
            }
        }
    };
    format!("{sign}{body}")
}

/// "2 hours ago", docker's CreatedSince.
pub fn since(t: UnixNanos) -> String {
    let secs = (now() - t) as f64 / 1e9;
    format!("{} ago", super::units::human_duration(secs.max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "2000-01-01T00:00:00Z",
            "2023-05-18T22:34:17.43195718Z",
            "1970-01-01T00:00:00.000000001Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(rfc3339_nano(parse_rfc3339(s).unwrap()), s);
        }
    }

    #[test]
    fn offsets_and_go_string() {
        let t = parse_rfc3339("2000-01-01T02:00:00+02:00").unwrap();
        assert_eq!(rfc3339_nano(t), "2000-01-01T00:00:00Z");
        assert_eq!(go_string(t), "2000-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            parse_rfc3339("0001-01-01T00:00:00Z")
                .map(rfc3339_nano)
                .unwrap(),
            "0001-01-01T00:00:00Z"
        );
        assert!(parse_rfc3339("yesterday").is_none());
        assert!(parse_rfc3339("2000-13-01T00:00:00Z").is_none());
    }

    #[test]
    fn fixed_nanos_keep_nine_digits() {
        assert_eq!(
            rfc3339_nano_fixed(946_684_800_500_000_000),
            "2000-01-01T00:00:00.500000000Z"
        );
        assert_eq!(
            rfc3339_nano_fixed(946_684_800_000_000_000),
            "2000-01-01T00:00:00.000000000Z"
        );
    }

    // Inputs the fuzz tests found panicking (src/fuzz_tests.rs), as they were.
    #[test]
    fn offset_with_multibyte_characters_is_rejected() {
        // Was a panic slicing the offset inside 'é' (`logs --since`).
        for s in [
            "2000-01-01T00:00:00+0é00",
            "2000-01-01T00:00:00+00é0",
            "2000-01-01T00:00:00.5+é:00",
            "2000-01-01T00:00:00é",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
        assert_eq!(
            parse_rfc3339("2000-01-01T00:00:00+1:000"),
            None,
            "a sign is no digit"
        );
        assert_eq!(parse_rfc3339("+000-01-01T00:00:00Z"), None);
        assert_eq!(
            parse_rfc3339("2000-01-01T00:00:00-01:30").map(rfc3339_nano),
            Some("2000-01-01T01:30:00Z".into())
        );
    }

    #[test]
    fn go_durations() {
        for (s, n) in [
            ("0", 0),
            ("1m30s", 90_000_000_000),
            ("-1.5h", -5_400_000_000_000),
            ("300ms", 300_000_000),
            ("1µs", 1_000),
            ("1us2ns", 1_002),
            (".5s", 500_000_000),
            ("5.s", 5_000_000_000),
            ("9223372036854775807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("2562047h47m16.854775807s", i64::MAX),
        ] {
            assert_eq!(parse_go_duration(s), Ok(n), "{s}");
        }
        for s in [
            "",
            "-",
            "1",
            "1x",
            ".s",
            "1.2.3s",
            "9223372036854775808ns",
            "2562048h",
            "1e3s",
        ] {
            let e = parse_go_duration(s).unwrap_err();
            assert!(e.contains(&format!("{s:?}")), "{s}: {e}");
        }
        assert_eq!(format_go_duration(90_000_000_000), "1m30s");
        assert_eq!(format_go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(format_go_duration(-1_500), "-1.5µs");
        assert_eq!(format_go_duration(0), "0s");
        assert_eq!(format_go_duration(i64::MIN), "-2562047h47m16.854775808s");
    }

    #[test]
    fn docker_date_forms() {
        let utc = |s| parse_date_arg(s).map(rfc3339_nano);
        assert_eq!(utc("2006-01-02Z").as_deref(), Some("2006-01-02T00:00:00Z"));
        assert_eq!(
            utc("2006-01-02T15Z").as_deref(),
            Some("2006-01-02T15:00:00Z")
        );
        assert_eq!(
            utc("2006-01-02T15:04+01:00").as_deref(),
            Some("2006-01-02T14:04:00Z")
        );
        assert_eq!(
            utc("2006-01-02T15:04:05.5Z").as_deref(),
            Some("2006-01-02T15:04:05.5Z")
        );
        assert_eq!(
            utc("2006-01-02T15:04:05-07:00").as_deref(),
            Some("2006-01-02T22:04:05Z")
        );
        // Without a zone: local time, which is UTC plus the zone's offset.
        for s in [
            "2006-01-02",
            "2006-01-02T15",
            "2006-01-02T15:04",
            "2006-01-02T15:04:05.123",
        ] {
            assert!(parse_date_arg(s).is_some(), "{s}");
        }
        for s in [
            "",
            "2006",
            "2006-01-02T",
            "2006-01-02T1",
            "2006-01-02T15:",
            "2006-01-02T15:04:05.",
            "2006-01-02T15.5",
            "2006-02-29Z",
            "2006-04-31",
            "2006-01-02 15:04",
            "2006-01-02T24:00Z",
            "2006-01-02T15:04:05+0é00",
            "2006-01-02Zé",
            "é006-01-02",
        ] {
            assert_eq!(parse_date_arg(s), None, "{s}");
        }
        assert!(parse_date_arg("2004-02-29Z").is_some());
    }
}
