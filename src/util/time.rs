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
pub fn parse_rfc3339(s: &str) -> Option<UnixNanos> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
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
        let digits = &s[start..i];
        if digits.is_empty() {
            return None;
        }
        let mut frac = digits.chars().take(9).collect::<String>();
        while frac.len() < 9 {
            frac.push('0');
        }
        nanos = frac.parse().ok()?;
    }
    let offset: i64 = match &s[i..] {
        "Z" | "z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let oh: i64 = tz[1..3].parse().ok()?;
            let om: i64 = tz[4..6].parse().ok()?;
            let off = oh * 3600 + om * 60;
            if tz.starts_with('-') {
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
}
