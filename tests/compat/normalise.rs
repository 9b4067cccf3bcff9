//! The normalisation both sides' output goes through before it is
//! compared (documented in tests/compat/README.md): what differs between
//! two correct engines (ids, times, sizes, addresses, the registry's
//! address, the program's name, the daemon prefix) becomes a placeholder.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Per-side facts the normaliser needs.
pub struct Side<'a> {
    /// The registry's host:port as this side's commands name it.
    pub registry: &'a str,
}

/// Ids are numbered in order of first appearance across the case's
/// outputs, so the same id twice still reads as the same placeholder.
#[derive(Default)]
pub struct Ids {
    seen: HashMap<String, usize>,
}

impl Ids {
    fn number(&mut self, short: &str) -> usize {
        let n = self.seen.len() + 1;
        *self.seen.entry(short.to_string()).or_insert(n)
    }
}

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap()
}

static HEX: LazyLock<Regex> = LazyLock::new(|| re(r"\b([0-9a-f]{64}|[0-9a-f]{12})\b"));
static RFC3339: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?( ?(Z|[+-]\d\d:?\d\d))?( [A-Z]{3,4})?")
});
static AGO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(Less than a second|About an? (minute|hour)|an? (second|minute|hour|day|week|month|year)|\d+ (second|minute|hour|day|week|month|year)s?)\b",
    )
});
static SIZE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b\d+(\.\d+)? ?(B|kB|KB|MB|GB|KiB|MiB|GiB)\b"));
static MAC: LazyLock<Regex> = LazyLock::new(|| re(r"\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"));
static DAEMON_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^Error response from daemon: "));
/// What docker's shim and runc wrap around an exec error (skiff has
/// neither: it reports the exec error itself).
static RUNTIME_WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)(?:failed to create shim task: )?OCI runtime (?:create|exec) failed: (?:runc create failed: |exec failed: )?unable to start container process: (.*): unknown$",
    )
});
/// A stray line docker's 28 CLI prints after some daemon errors.
static EXIT_STATUS: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^exit status \d+\n"));
static SPACES: LazyLock<Regex> = LazyLock::new(|| re(r" {2,}"));
static PROGRAM: LazyLock<Regex> = LazyLock::new(|| re(r"\bskiff\b"));

/// `text` with every placeholder substituted.
pub fn normalise(text: &str, side: &Side, ids: &mut Ids) -> String {
    let t = text.replace(side.registry, "<REGISTRY>");
    let t = DAEMON_LINE.replace_all(&t, "Error: ");
    let t = t.replace("Error response from daemon: ", "");
    let t = PROGRAM.replace_all(&t, "docker");
    let t = RUNTIME_WRAPPER.replace_all(&t, "$1");
    let t = EXIT_STATUS.replace_all(&t, "");
    let t = HEX.replace_all(&t, |c: &Captures| {
        let h = &c[1];
        let n = ids.number(&h[..12]);
        if h.len() == 64 {
            format!("<ID{n}>")
        } else {
            format!("<id{n}>")
        }
    });
    let t = RFC3339.replace_all(&t, "<TIME>");
    let t = AGO.replace_all(&t, "<AGO>");
    let t = SIZE.replace_all(&t, "<SIZE>");
    let t = MAC.replace_all(&t, "<MAC>");
    let t = IPV4.replace_all(&t, |c: &Captures| match &c[0] {
        "0.0.0.0" | "127.0.0.1" => c[0].to_string(),
        _ => "<IP>".to_string(),
    });
    let mut out = String::with_capacity(t.len());
    for line in t.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        out.push_str(&SPACES.replace_all(body.trim_end(), "  "));
        out.push_str(nl);
    }
    out
}

#[test]
fn normalise_placeholders() {
    let side = Side {
        registry: "127.0.0.1:4567",
    };
    let mut ids = Ids::default();
    let id = "0123456789abcdef".repeat(4);
    let text = format!(
        "Error response from daemon: No such container: {id}\n{}   127.0.0.1:4567/library/busybox   2 seconds ago   Up About a minute   1.99MB  \nskiff: 10.88.0.2 02:42:ac:11:00:02 2024-01-01T00:00:00.123Z\n{}",
        &id[..12],
        "fedcba987654"
    );
    assert_eq!(
        normalise(&text, &side, &mut ids),
        "Error: No such container: <ID1>\n<id1>  <REGISTRY>/library/busybox  <AGO> ago  Up <AGO>  <SIZE>\ndocker: <IP> <MAC> <TIME>\n<id2>"
    );
}
