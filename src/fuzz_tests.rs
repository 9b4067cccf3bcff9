//! Property tests for the parsers fed by user input (`--since`, `-m`,
//! `-p`, image references, detach keys, attach frames): whatever the
//! input, each returns Ok or Err and never panics, and formatting then
//! parsing gives back the value. The template's live in
//! `template/fuzz_tests.rs`.
//!
//! Every test's path contains `fuzz_`: `make test` runs them with
//! proptest's default case count (256 each, a few seconds in all);
//! `make fuzz` runs them alone, optimised, with `PROPTEST_CASES` raised.
//! A panic found here gets fixed in the parser and its exact input kept
//! as a unit test next to the parser.

use proptest::prelude::*;

use crate::commands::relay::parse_detach_keys;
use crate::engine::lifecycle::parse_time_arg;
use crate::image::reference::Reference;
use crate::monitor::attach::{Frame, FrameReader};
use crate::network::ports::{
    parse_expose, parse_publish, port_lines, ps_column, PortBinding, Proto,
};
use crate::util::{glob, signal, time, units};

/// Strings near a timestamp: right shape, any characters in the tail.
fn timestampish() -> impl Strategy<Value = String> {
    "[0-9+-]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?(Z|z|[+-][0-9]{2}:[0-9]{2}|[+-].{0,2}:?.{0,2}|.{0,7})"
}

/// Characters that break byte-indexed parsers: multi-byte ones, signs,
/// separators.
const EDIT_CHARS: &[char] = &[
    'é',
    '€',
    '\u{1F600}',
    '\u{0}',
    '0',
    '9',
    ':',
    '+',
    '-',
    '.',
    '/',
    '@',
    'T',
    'Z',
    ' ',
];

/// `base` with up to four characters inserted, replaced or removed, or
/// two replaced by one.
fn mutated(base: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    let edit = (
        any::<proptest::sample::Index>(),
        0u8..4,
        proptest::sample::select(EDIT_CHARS),
    );
    (base, proptest::collection::vec(edit, 0..4)).prop_map(|(s, edits)| {
        let mut chars: Vec<char> = s.chars().collect();
        for (at, op, c) in edits {
            let i = at.index(chars.len() + 1);
            match op {
                0 => chars.insert(i, c),
                1 if i < chars.len() => chars[i] = c,
                2 if i < chars.len() => {
                    chars.remove(i);
                }
                // Two characters for one: 'é' keeps the byte length.
                3 if i + 1 < chars.len() => {
                    chars.splice(i..i + 2, [c]);
                }
                _ => {}
            }
        }
        chars.into_iter().collect()
    })
}

/// Valid RFC 3339 times, some with an offset, then mutated.
fn timestamp_edits() -> impl Strategy<Value = String> {
    let valid = (rfc3339_range(), any::<bool>(), -1439i32..1440).prop_map(|(t, fixed, off)| {
        let s = if fixed {
            time::rfc3339_nano_fixed(t)
        } else {
            time::rfc3339_nano(t)
        };
        if off % 3 == 0 {
            s
        } else {
            let sign = if off < 0 { '-' } else { '+' };
            let off = off.unsigned_abs();
            format!("{}{sign}{:02}:{:02}", &s[..s.len() - 1], off / 60, off % 60)
        }
    });
    mutated(valid)
}

/// Go durations and things near them.
fn durationish() -> impl Strategy<Value = String> {
    "[+-]?([0-9]{0,25}(\\.[0-9]{0,25})?(ns|us|µs|μs|ms|s|m|h|x|)){1,4}"
}

/// 0001-01-01 to 9999-12-31, the years RFC 3339 can write.
fn rfc3339_range() -> impl Strategy<Value = i128> {
    -62_135_596_800_000_000_000i128..253_402_300_800_000_000_000i128
}

proptest! {
    #[test]
    fn time_parsers_never_panic(s in any::<String>()) {
        let _ = time::parse_rfc3339(&s);
        let _ = time::parse_date_arg(&s);
        let _ = time::parse_go_duration(&s);
        let _ = parse_time_arg(&s);
    }

    #[test]
    fn time_parsers_never_panic_near_valid(s in timestampish(), d in durationish()) {
        let _ = time::parse_rfc3339(&s);
        let _ = time::parse_date_arg(&s);
        let _ = parse_time_arg(&s);
        let _ = time::parse_go_duration(&d);
        let _ = parse_time_arg(&d);
    }

    #[test]
    fn time_parsers_never_panic_on_edited_timestamps(s in timestamp_edits()) {
        let _ = time::parse_rfc3339(&s);
        let _ = time::parse_date_arg(&s);
        let _ = parse_time_arg(&s);
    }

    #[test]
    fn rfc3339_round_trips(t in rfc3339_range()) {
        prop_assert_eq!(time::parse_rfc3339(&time::rfc3339_nano(t)), Some(t));
        prop_assert_eq!(time::parse_rfc3339(&time::rfc3339_nano_fixed(t)), Some(t));
        prop_assert_eq!(time::parse_date_arg(&time::rfc3339_nano(t)), Some(t));
        prop_assert_eq!(parse_time_arg(&time::rfc3339_nano(t)).unwrap(), t);
    }

    #[test]
    fn go_duration_round_trips(d in any::<i64>()) {
        let s = time::format_go_duration(d);
        prop_assert_eq!(time::parse_go_duration(&s), Ok(d), "{}", s);
    }

    #[test]
    fn unix_seconds_parse_exactly(secs in 0i64..1 << 40, nanos in 0u32..1_000_000_000) {
        let t = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        prop_assert_eq!(parse_time_arg(&format!("{secs}.{nanos:09}")).unwrap(), t);
    }

    #[test]
    fn sizes_never_panic(s in any::<String>(), t in "[0-9.]{0,30}[kKmMgGtTpPiIbB]{0,3}") {
        let _ = units::parse_ram(&s);
        if let Some(n) = units::parse_ram(&t) {
            prop_assert!(n <= i64::MAX as u64, "{}", t);
        }
    }

    #[test]
    fn sizes_round_trip(n in 0u64..1 << 13, unit in 0usize..6, suffix in "(|b|ib|B|iB)") {
        let letter = ["", "k", "m", "g", "t", "p"][unit];
        let s = format!("{n}{letter}{}", if letter.is_empty() { "" } else { &suffix });
        prop_assert_eq!(units::parse_ram(&s), Some(n << (10 * unit)));
    }

    #[test]
    fn size_and_duration_printers_never_panic(n in any::<u64>(), f in any::<f64>()) {
        let _ = units::human_size(n);
        let _ = units::bytes_size(n);
        let _ = units::human_duration(f);
        let _ = units::format_g(f.abs(), (n % 20) as usize);
    }

    #[test]
    fn references_never_panic(s in any::<String>(), t in "[a-zA-Z0-9./:_@-]{0,80}") {
        let _ = Reference::parse(&s);
        let _ = Reference::parse_tagged(&t);
    }

    #[test]
    fn references_round_trip(
        s in "(([a-z0-9-]{1,10}\\.)?[a-z0-9]{1,10}(:[0-9]{1,5})?/)?[a-z0-9]{1,8}([._-][a-z0-9]{1,8}){0,2}(/[a-z0-9]{1,8}){0,2}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,20})?(@sha256:[0-9a-f]{64})?"
    ) {
        if let Ok(r) = Reference::parse(&s) {
            prop_assert_eq!(Reference::parse(&r.to_string()).unwrap(), r.clone());
            prop_assert_eq!(Reference::parse(&r.familiar()).unwrap(), r);
        }
    }

    #[test]
    fn ports_never_panic(s in any::<String>(), t in "([0-9.]{0,16}:)?[0-9-]{0,12}(:[0-9-]{0,12})?(/(tcp|udp|x))?") {
        for spec in [&s, &t] {
            let _ = parse_expose(spec);
            if let Ok(v) = parse_publish(spec) {
                let _ = ps_column(&v);
                let _ = port_lines(&v);
            }
        }
    }

    #[test]
    fn port_printers_never_panic(
        raw in proptest::collection::vec((any::<Option<[u8; 4]>>(), any::<u16>(), any::<u16>(), any::<bool>()), 0..8),
        edge in proptest::collection::vec((65530u16.., 65530u16..), 0..6),
    ) {
        let mut v: Vec<PortBinding> = raw
            .into_iter()
            .map(|(ip, h, c, udp)| PortBinding {
                host_ip: ip.map(Into::into),
                host_port: h,
                container_port: c,
                proto: if udp { Proto::Udp } else { Proto::Tcp },
            })
            .collect();
        v.extend(edge.into_iter().map(|(h, c)| PortBinding {
            host_ip: None,
            host_port: h,
            container_port: c,
            proto: Proto::Tcp,
        }));
        let _ = ps_column(&v);
        let _ = port_lines(&v);
    }

    #[test]
    fn publish_round_trips(c in 1u16.., h in 0u16.., udp in any::<bool>()) {
        let proto = if udp { "udp" } else { "tcp" };
        let spec = format!("127.0.0.1:{}:{c}/{proto}", if h == 0 { String::new() } else { h.to_string() });
        let v = parse_publish(&spec).unwrap();
        prop_assert_eq!(v.len(), 1);
        prop_assert_eq!(port_lines(&v), vec![format!("{c}/{proto} -> 127.0.0.1:{h}")]);
    }

    #[test]
    fn detach_keys_never_panic(s in any::<String>(), t in "((ctrl-)?.{0,2},?){0,4}") {
        let _ = parse_detach_keys(&s);
        let _ = parse_detach_keys(&t);
    }

    #[test]
    fn frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = Frame::decode(&bytes);
        let mut r = FrameReader::default();
        if r.fill(&mut &bytes[..]).is_ok() {
            while let Ok(Some(_)) = r.next_frame() {}
        }
    }

    #[test]
    fn frames_round_trip(kind in 0u8..6, payload in proptest::collection::vec(any::<u8>(), 0..64), n in any::<i32>()) {
        let f = match kind {
            0 => Frame::Stdin(payload),
            1 => Frame::Stdout(payload),
            2 => Frame::Stderr(payload),
            3 => Frame::StdinClose,
            4 => Frame::Resize { rows: n as u16, cols: (n >> 16) as u16 },
            _ => Frame::Exit(n),
        };
        let bytes = f.encode();
        prop_assert_eq!(Frame::decode(&bytes).unwrap(), Some((f, bytes.len())));
        // Any prefix is "not yet", never an error.
        prop_assert_eq!(Frame::decode(&bytes[..bytes.len() - 1]).unwrap(), None);
    }

    #[test]
    fn other_flag_parsers_never_panic(s in any::<String>(), sig in "(SIG)?(RTMIN|RTMAX|KILL|[0-9]{1,3})([+-]{1,2}[0-9]{0,12})?") {
        let _ = signal::parse(&s);
        let _ = signal::parse(&sig);
        if let Some(n) = signal::parse(&sig) {
            prop_assert!((1..=64).contains(&n), "{} -> {}", sig, n);
        }
        let _ = crate::engine::image::ImageFilter::parse(&s);
        let _ = crate::engine::container::ContainerFilter::parse(&s);
        let _ = crate::engine::network::NetworkFilter::parse(&s);
        let _ = crate::network::parse_add_host(&s);
        let _ = crate::image::types::PlatformWanted::parse(&s);
        let _ = crate::commands::image::pull::parse_creds(&s);
        let _ = crate::image::registry::parse_www_authenticate(&s);
        let _ = crate::monitor::logs::parse_line(&s);
    }

    #[test]
    fn globs_never_panic(p in "[a-z*?\\\\\\[\\]^/-]{0,12}", n in "[a-z/\\[\\]-]{0,12}", s in any::<String>()) {
        let _ = glob::path_match(&p, &n);
        let _ = glob::path_match(&s, &n);
        let _ = glob::path_match(&p, &s);
    }
}
