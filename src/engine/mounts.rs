//! docker's mount syntax: `-v src:dst[:mode]`, `--mount k=v,...` and
//! `--tmpfs dst[:opts]`, parsed and checked with docker's rules and error
//! texts into one [`Spec`] each, before anything is made. What the specs
//! come to (volumes made, paths resolved) is `engine::volume`'s work.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::state::mounts::{
    BindOptions, DriverConfig, MountRequest, MountType, TmpfsOptions, VolumeOptions,
};

/// One mount, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub kind: MountType,
    /// A host path (bind), a volume name (empty: anonymous), or nothing.
    pub source: String,
    /// Absolute and cleaned.
    pub target: String,
    pub read_only: bool,
    /// `-v`'s mode words as given (docker's `Mode`).
    pub mode: String,
    pub propagation: String,
    pub no_copy: bool,
    pub non_recursive: bool,
    /// A missing bind source is made (`-v`), not refused (`--mount`).
    pub create_source: bool,
    /// A new volume's labels and driver options (`--mount volume-*`).
    pub labels: BTreeMap<String, String>,
    pub driver_options: BTreeMap<String, String>,
    /// A tmpfs's docker option words.
    pub tmpfs_options: Vec<String>,
    /// From `--tmpfs` (not `--mount type=tmpfs`).
    pub tmpfs_flag: bool,
}

impl Spec {
    fn new(kind: MountType, source: String, target: String) -> Spec {
        Spec {
            kind,
            source,
            target,
            read_only: false,
            mode: String::new(),
            propagation: String::new(),
            no_copy: false,
            non_recursive: false,
            create_source: false,
            labels: BTreeMap::new(),
            driver_options: BTreeMap::new(),
            tmpfs_options: Vec::new(),
            tmpfs_flag: false,
        }
    }
}

const PROPAGATIONS: &[&str] = &[
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];

/// docker's `ValidMountMode`: comma-separated words, at most one of each
/// family (rw/ro, z/Z, propagation, nocopy, consistency).
fn valid_mode(mode: &str) -> bool {
    if mode.is_empty() {
        return true;
    }
    let mut seen = [0u8; 5];
    for w in mode.split(',') {
        let family = match w {
            "rw" | "ro" => 0,
            "z" | "Z" => 1,
            "nocopy" => 3,
            "consistent" | "cached" | "delegated" => 4,
            p if PROPAGATIONS.contains(&p) => 2,
            _ => return false,
        };
        seen[family] += 1;
        if seen[family] > 1 {
            return false;
        }
    }
    true
}

/// Cleans an absolute container path (`/a/./b/` → `/a/b`); `None` when
/// it is not absolute.
pub fn clean_target(p: &str) -> Option<String> {
    if !p.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in Path::new(p).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// `p` made absolute from `cwd` and cleaned (Go's `filepath.Abs`).
pub fn absolute(cwd: &Path, p: &str) -> String {
    let joined = cwd.join(p);
    clean_target(&joined.to_string_lossy()).unwrap_or_else(|| joined.to_string_lossy().into_owned())
}

fn not_absolute(p: &str) -> String {
    format!("invalid mount path: '{p}' mount path must be absolute")
}

/// `-v`: docker's `ParseMountRaw` (Linux). A source that starts with `/`
/// (or `.`, made absolute from `cwd`, as docker's CLI does) is a bind;
/// anything else names a volume; no source at all is an anonymous volume.
pub fn parse_volume_flag(raw: &str, cwd: &Path) -> Result<Spec> {
    let invalid = || Error::InvalidArgument(format!("invalid volume specification: '{raw}'"));
    let arr: Vec<&str> = raw.split(':').collect();
    let (source, target, mode) = match arr.as_slice() {
        [t] if !t.is_empty() => ("", *t, ""),
        // A destination and a mode is no volume (`/foo:rw`).
        [_, m] if valid_mode(m) => return Err(invalid()),
        [s, t] => (*s, *t, ""),
        [s, t, m] => (*s, *t, *m),
        _ => return Err(invalid()),
    };
    if !valid_mode(mode) {
        return Err(Error::InvalidArgument(format!("invalid mode: {mode}")));
    }
    let words: Vec<&str> = mode.split(',').filter(|w| !w.is_empty()).collect();
    let source = if source.starts_with('.') {
        absolute(cwd, source)
    } else {
        source.to_owned()
    };
    let kind = if source.starts_with('/') {
        MountType::Bind
    } else {
        MountType::Volume
    };
    let wrap = |why: String| {
        Error::InvalidArgument(format!(
            "invalid volume specification: '{raw}': invalid mount config for type \"{}\": {why}",
            kind.as_str()
        ))
    };
    let Some(target) = clean_target(target) else {
        return Err(wrap(not_absolute(target)));
    };
    let mut spec = Spec::new(kind, source, target);
    spec.mode = mode.to_owned();
    spec.read_only = words.contains(&"ro");
    spec.no_copy = words.contains(&"nocopy");
    spec.create_source = true;
    if let Some(p) = words.iter().find(|w| PROPAGATIONS.contains(w)) {
        if kind == MountType::Volume {
            return Err(wrap("field BindOptions must not be specified".into()));
        }
        spec.propagation = (*p).to_owned();
    }
    if spec.no_copy && kind == MountType::Bind {
        return Err(wrap("field VolumeOptions must not be specified".into()));
    }
    if kind == MountType::Bind && spec.target == "/" {
        return Err(wrap(
            "invalid specification: destination can't be '/'".into(),
        ));
    }
    Ok(spec)
}

fn parse_bool(key: &str, v: &str) -> std::result::Result<bool, String> {
    crate::util::units::parse_go_bool(v).ok_or_else(|| format!("invalid value for {key}: {v}"))
}

fn set_map(map: &mut BTreeMap<String, String>, kv: &str) {
    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
    map.insert(k.to_owned(), v.to_owned());
}

/// `--mount`: docker's CLI parser (`opts.MountOpt`), into docker's
/// `mount.Mount`; its errors read `invalid argument "..." for "--mount"
/// flag: ...`.
pub fn parse_mount_flag(value: &str, cwd: &Path) -> Result<MountRequest> {
    parse_mount_fields(value, cwd).map_err(|why| {
        Error::InvalidArgument(format!(
            "invalid argument \"{value}\" for \"--mount\" flag: {why}"
        ))
    })
}

/// A `bind-*`, `volume-*` or `tmpfs-*` key with a value, into its
/// options; `false` for any other key.
fn option_field(
    key: &str,
    val: &str,
    bind: &mut Option<BindOptions>,
    vol: &mut Option<VolumeOptions>,
    tmpfs: &mut Option<TmpfsOptions>,
) -> std::result::Result<bool, String> {
    let invalid = || format!("invalid value for {key}: {val}");
    match key {
        "bind-propagation" => {
            bind.get_or_insert_with(Default::default).propagation = val.to_owned()
        }
        "bind-nonrecursive" => {
            bind.get_or_insert_with(Default::default).non_recursive = parse_bool(key, val)?
        }
        "volume-nocopy" => vol.get_or_insert_with(Default::default).no_copy = parse_bool(key, val)?,
        "volume-label" => set_map(&mut vol.get_or_insert_with(Default::default).labels, val),
        "volume-driver" => {
            let v = vol.get_or_insert_with(Default::default);
            v.driver_config.get_or_insert_with(Default::default).name = val.to_owned();
        }
        "volume-opt" => {
            let v = vol.get_or_insert_with(Default::default);
            let d = v.driver_config.get_or_insert_with(Default::default);
            set_map(&mut d.options, val);
        }
        "tmpfs-size" => {
            let n = crate::util::units::parse_ram(val).ok_or_else(invalid)?;
            tmpfs.get_or_insert_with(Default::default).size_bytes = n as i64;
        }
        "tmpfs-mode" => {
            let n = u32::from_str_radix(val, 8).map_err(|_| invalid())?;
            tmpfs.get_or_insert_with(Default::default).mode = n;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn parse_mount_fields(value: &str, cwd: &Path) -> std::result::Result<MountRequest, String> {
    let mut m = MountRequest::default();
    let mut bind: Option<BindOptions> = None;
    let mut vol: Option<VolumeOptions> = None;
    let mut tmpfs: Option<TmpfsOptions> = None;
    for field in value.split(',') {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
            None => (field.to_ascii_lowercase(), None),
        };
        let Some(val) = val else {
            match key.as_str() {
                "readonly" | "ro" => m.read_only = true,
                "volume-nocopy" => vol.get_or_insert_with(Default::default).no_copy = true,
                "bind-nonrecursive" => {
                    bind.get_or_insert_with(Default::default).non_recursive = true
                }
                _ => return Err(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        match key.as_str() {
            "type" => m.kind = val.to_owned(),
            "source" | "src" => m.source = val.to_owned(),
            "target" | "dst" | "destination" => m.target = val.to_owned(),
            "readonly" | "ro" => m.read_only = parse_bool(&key, val)?,
            "consistency" => {}
            _ if option_field(&key, val, &mut bind, &mut vol, &mut tmpfs)? => {}
            _ => return Err(format!("unexpected key '{key}' in '{field}'")),
        }
    }
    if m.kind.is_empty() {
        m.kind = "volume".into();
    }
    if m.target.is_empty() {
        return Err("target is required".into());
    }
    for (set, kind, what) in [
        (vol.is_some(), "volume", "volume-*"),
        (bind.is_some(), "bind", "bind-*"),
        (tmpfs.is_some(), "tmpfs", "tmpfs-*"),
    ] {
        if set && m.kind != kind {
            return Err(format!(
                "cannot mix '{what}' options with mount type '{}'",
                m.kind
            ));
        }
    }
    if m.kind == "bind" && !m.source.is_empty() && !m.source.starts_with('/') {
        m.source = absolute(cwd, &m.source);
    }
    m.bind_options = bind;
    m.volume_options = vol;
    m.tmpfs_options = tmpfs;
    Ok(m)
}

/// docker's daemon-side check of a `--mount` (`validateMountConfig`).
pub fn spec_of_request(m: &MountRequest) -> Result<Spec> {
    let bad = |why: &str| {
        Error::InvalidArgument(format!(
            "invalid mount config for type \"{}\": {why}",
            m.kind
        ))
    };
    let kind = match m.kind.as_str() {
        "bind" => MountType::Bind,
        "volume" => MountType::Volume,
        "tmpfs" => MountType::Tmpfs,
        _ => return Err(bad("mount type unknown")),
    };
    let Some(target) = clean_target(&m.target) else {
        return Err(bad(&not_absolute(&m.target)));
    };
    let mut spec = Spec::new(kind, m.source.clone(), target);
    spec.read_only = m.read_only;
    match kind {
        MountType::Bind => {
            if m.source.is_empty() {
                return Err(bad("field Source must not be empty"));
            }
            let b = m.bind_options.clone().unwrap_or_default();
            if !b.propagation.is_empty() && !PROPAGATIONS.contains(&b.propagation.as_str()) {
                return Err(bad(&format!("invalid propagation mode: {}", b.propagation)));
            }
            spec.propagation = b.propagation;
            spec.non_recursive = b.non_recursive;
        }
        MountType::Volume => {
            let v = m.volume_options.clone().unwrap_or_default();
            spec.no_copy = v.no_copy;
            spec.labels = v.labels;
            if let Some(DriverConfig { name, options }) = v.driver_config {
                if !name.is_empty() && name != "local" {
                    return Err(Error::InvalidArgument(format!(
                        "error looking up volume plugin {name}: plugin \"{name}\" not found"
                    )));
                }
                spec.driver_options = options;
            }
        }
        MountType::Tmpfs => {
            if !m.source.is_empty() {
                return Err(bad("field Source must not be specified"));
            }
            let t = m.tmpfs_options.clone().unwrap_or_default();
            if t.size_bytes < 0 {
                return Err(bad("invalid tmpfs size"));
            }
            if t.size_bytes > 0 {
                spec.tmpfs_options.push(format!("size={}", t.size_bytes));
            }
            if t.mode != 0 {
                spec.tmpfs_options.push(format!("mode={:o}", t.mode));
            }
            if m.read_only {
                spec.tmpfs_options.push("ro".into());
            }
        }
    }
    Ok(spec)
}

/// The tmpfs words docker accepts (`mount.ParseTmpfsOptions`).
fn valid_tmpfs_word(w: &str) -> bool {
    const FLAGS: &[&str] = &[
        "ro",
        "rw",
        "exec",
        "noexec",
        "suid",
        "nosuid",
        "dev",
        "nodev",
        "sync",
        "async",
        "dirsync",
        "atime",
        "noatime",
        "diratime",
        "nodiratime",
        "relatime",
        "norelatime",
        "strictatime",
        "nostrictatime",
        "mand",
        "nomand",
        "remount",
        "defaults",
    ];
    const KEYS: &[&str] = &[
        "size",
        "mode",
        "uid",
        "gid",
        "nr_inodes",
        "nr_blocks",
        "mpol",
    ];
    match w.split_once('=') {
        Some((k, v)) => KEYS.contains(&k) && !v.is_empty(),
        None => FLAGS.contains(&w),
    }
}

/// `--tmpfs dst[:opts]`.
pub fn parse_tmpfs_flag(value: &str) -> Result<Spec> {
    let (dst, opts) = value.split_once(':').unwrap_or((value, ""));
    let Some(target) = clean_target(dst) else {
        return Err(Error::InvalidArgument(not_absolute(dst)));
    };
    let words: Vec<String> = opts
        .split(',')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = words.iter().find(|w| !valid_tmpfs_word(w)) {
        return Err(Error::InvalidArgument(format!(
            "invalid tmpfs option [\"{bad}\"]"
        )));
    }
    let mut spec = Spec::new(MountType::Tmpfs, String::new(), target);
    spec.mode = opts.to_owned();
    spec.read_only = words.iter().any(|w| w == "ro");
    spec.tmpfs_options = words;
    spec.tmpfs_flag = true;
    Ok(spec)
}

/// `--volumes-from ctr[:ro|rw]`: the container and the mode override.
pub fn parse_volumes_from(value: &str) -> Result<(String, Option<bool>)> {
    match value.rsplit_once(':') {
        Some((c, "ro")) => Ok((c.to_owned(), Some(false))),
        Some((c, "rw")) => Ok((c.to_owned(), Some(true))),
        Some((_, m)) => Err(Error::InvalidArgument(format!("invalid mode: {m}"))),
        None => Ok((value.to_owned(), None)),
    }
}

/// The local driver's options (`volume create -o`, `volume-opt=`):
/// `type=tmpfs` (with `o=` tmpfs words) or `type=none` with `o=bind` and
/// an absolute `device` (a host directory).
pub fn check_driver_options(opts: &BTreeMap<String, String>) -> Result<()> {
    if let Some(k) = opts
        .keys()
        .find(|k| !matches!(k.as_str(), "type" | "device" | "o"))
    {
        return Err(Error::InvalidArgument(format!("invalid option: {k:?}")));
    }
    let o = opts.get("o").map(String::as_str).unwrap_or_default();
    match opts.get("type").map(String::as_str) {
        None if opts.is_empty() => Ok(()),
        Some("tmpfs") => match o.split(',').find(|w| !w.is_empty() && !valid_tmpfs_word(w)) {
            Some(w) => Err(Error::InvalidArgument(format!(
                "invalid option: o={o}: {w:?} is no tmpfs option"
            ))),
            None => Ok(()),
        },
        Some("none") => {
            let device = opts.get("device").map(String::as_str).unwrap_or_default();
            if !o.split(',').any(|w| w == "bind" || w == "rbind") {
                return Err(Error::InvalidArgument(
                    "invalid option: type=none needs o=bind (a bind of device=PATH)".into(),
                ));
            }
            if !device.starts_with('/') || !PathBuf::from(device).is_dir() {
                return Err(Error::InvalidArgument(format!(
                    "invalid option: device={device:?} is no absolute path of a directory"
                )));
            }
            Ok(())
        }
        Some(t) => Err(Error::InvalidArgument(format!(
            "invalid option: type={t}: skiff's local driver mounts type=tmpfs and type=none (o=bind) only"
        ))),
        None => Err(Error::InvalidArgument(
            "invalid option: device and o need a type (tmpfs or none)".into(),
        )),
    }
}

#[cfg(test)]
#[path = "mounts_tests.rs"]
mod tests;
