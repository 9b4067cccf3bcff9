//! Signal names and numbers as docker accepts them: KILL, SIGKILL, 9.

const NAMES: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("IOT", libc::SIGIOT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("POLL", libc::SIGPOLL),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// Parse `KILL`, `SIGKILL`, `kill`, `9`, `RTMIN+3`.
pub fn parse(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    // The offset: digits only (no second sign), small enough not to
    // overflow; the range check below bounds it.
    let offset = |rest: &str, sign: char| -> Option<i32> {
        if rest.is_empty() {
            return Some(0);
        }
        let digits = rest.strip_prefix(sign)?;
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    if let Some(rest) = name.strip_prefix("RTMIN") {
        let n = libc::SIGRTMIN() + offset(rest, '+')?;
        return (n <= libc::SIGRTMAX()).then_some(n);
    }
    if let Some(rest) = name.strip_prefix("RTMAX") {
        let n = libc::SIGRTMAX() - offset(rest, '-')?;
        return (n >= libc::SIGRTMIN()).then_some(n);
    }
    NAMES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_numbers() {
        assert_eq!(super::parse("KILL"), Some(9));
        assert_eq!(super::parse("sigterm"), Some(15));
        assert_eq!(super::parse("9"), Some(9));
        assert_eq!(super::parse("SIGRTMIN+1"), Some(libc::SIGRTMIN() + 1));
        assert_eq!(super::parse("NOPE"), None);
        assert_eq!(super::parse("0"), None);
        assert_eq!(super::parse("RTMAX-2"), Some(libc::SIGRTMAX() - 2));
    }

    #[test]
    fn realtime_offsets_do_not_overflow() {
        // Were "attempt to add/subtract with overflow" (fuzz_tests), and a
        // wrapped, negative signal in release builds.
        assert_eq!(super::parse("RTMIN+2147483647"), None);
        assert_eq!(super::parse("RTMAX--2147483648"), None);
        // A second sign made RTMIN+-5 signal 29 (SIGIO).
        assert_eq!(super::parse("RTMIN+-5"), None);
        assert_eq!(super::parse("RTMAX-+1"), None);
        // And RTMAX--1 signal 65, past the last one.
        assert_eq!(super::parse("RTMAX--1"), None);
    }
}
