//! Sizes and durations printed the way docker's go-units does.

/// Go's `%.*g` for non-negative finite values.
pub fn format_g(x: f64, prec: usize) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let prec = prec.max(1);
    // Round to `prec` significant digits via scientific formatting.
    let sci = format!("{:.*e}", prec - 1, x);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= prec as i32 {
        let mant = trim_zeros(mant);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, x)).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// go-units HumanSizeWithPrecision(size, 3): decimal units, "4.26MB".
pub fn human_size(size: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut s = size as f64;
    let mut i = 0;
    while s >= 1000.0 && i < UNITS.len() - 1 {
        s /= 1000.0;
        i += 1;
    }
    format!("{}{}", format_g(s, 3), UNITS[i])
}

/// go-units HumanDuration.
pub fn human_duration(secs: f64) -> String {
    let seconds = secs as i64;
    if seconds < 1 {
        return "Less than a second".into();
    }
    if seconds == 1 {
        return "1 second".into();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = (secs / 60.0) as i64;
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = (secs / 3600.0).round() as i64;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", (secs / 3600.0) as i64 / 24 / 365)
}

/// Go's `strconv.ParseBool` (docker's boolean flags and options).
pub fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Parse docker-style sizes: "10", "10b", "10k", "1.5m", "2g" (binary units,
/// like RAMInBytes). `None` for malformed values and sizes past `i64::MAX`.
pub fn parse_ram(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mul: u64 = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        "p" => 1 << 50,
        _ => return None,
    };
    // Whole bytes, within what the kernel's (signed) limits can hold
    // (`i64::MAX as f64` is 2^63, one past it).
    let bytes = (n * mul as f64).trunc();
    (bytes.is_finite() && bytes < i64::MAX as f64).then_some(bytes as u64)
}

/// go-units BytesSize: binary units, 4 significant digits ("23.47GiB").
pub fn bytes_size(size: u64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    let mut s = size as f64;
    let mut i = 0;
    while s >= 1024.0 && i < UNITS.len() - 1 {
        s /= 1024.0;
        i += 1;
    }
    format!("{}{}", format_g(s, 4), UNITS[i])
}

/// docker's stringutils.Ellipsis: cut to `max` chars, the last one '…'.
pub fn ellipsis(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max {
        return s.to_owned();
    }
    if max < 3 {
        return chars[..max].iter().collect();
    }
    let mut out: String = chars[..max - 1].iter().collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_go_units() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(4261550), "4.26MB");
        assert_eq!(human_size(1_240_000), "1.24MB");
        assert_eq!(human_size(129_000), "129kB");
        assert_eq!(human_size(12_345_678), "12.3MB");
        assert_eq!(human_size(999_999), "1e+03kB");
        assert_eq!(human_size(104_857_600), "105MB");
    }

    #[test]
    fn durations_match_go_units() {
        assert_eq!(human_duration(0.2), "Less than a second");
        assert_eq!(human_duration(1.0), "1 second");
        assert_eq!(human_duration(59.0), "59 seconds");
        assert_eq!(human_duration(60.0), "About a minute");
        assert_eq!(human_duration(3599.0), "59 minutes");
        assert_eq!(human_duration(3600.0), "About an hour");
        assert_eq!(human_duration(47.0 * 3600.0), "47 hours");
        assert_eq!(human_duration(3.0 * 86400.0), "3 days");
        assert_eq!(human_duration(20.0 * 86400.0), "2 weeks");
        assert_eq!(human_duration(100.0 * 86400.0), "3 months");
        assert_eq!(human_duration(3.0 * 365.0 * 86400.0), "3 years");
    }

    #[test]
    fn ram_sizes() {
        assert_eq!(parse_ram("10"), Some(10));
        assert_eq!(parse_ram("1k"), Some(1024));
        assert_eq!(parse_ram("1.5m"), Some(1572864));
        assert_eq!(parse_ram("2GB"), Some(2 << 30));
        assert_eq!(parse_ram("x"), None);
        // Past i64::MAX (the kernel's limit type): was a silent wrap to a
        // negative `-m`.
        assert_eq!(parse_ram("8192p"), None);
        assert_eq!(parse_ram("99999999999999999999999"), None);
        assert_eq!(parse_ram("8191p"), Some(8191 << 50));
    }
}
