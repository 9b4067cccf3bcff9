use super::*;

fn v(raw: &str) -> Result<Spec> {
    parse_volume_flag(raw, Path::new("/work"))
}

fn err(r: Result<impl std::fmt::Debug>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn volume_flag_forms() {
    let anon = v("/data").unwrap();
    assert_eq!((anon.kind, anon.source.as_str()), (MountType::Volume, ""));
    assert_eq!(anon.target, "/data");
    let named = v("cache:/var/cache/:ro").unwrap();
    assert_eq!(named.kind, MountType::Volume);
    assert_eq!(
        (named.source.as_str(), named.target.as_str()),
        ("cache", "/var/cache")
    );
    assert!(named.read_only);
    assert_eq!(named.mode, "ro");
    let bind = v("/srv:/srv:rw,Z,rslave").unwrap();
    assert_eq!(bind.kind, MountType::Bind);
    assert_eq!(bind.propagation, "rslave");
    assert!(!bind.read_only && bind.create_source);
    let rel = v("./site:/site").unwrap();
    assert_eq!(
        (rel.kind, rel.source.as_str()),
        (MountType::Bind, "/work/site")
    );
    assert!(v("data:/d:nocopy").unwrap().no_copy);
}

#[test]
fn volume_flag_errors_are_dockers() {
    assert_eq!(
        err(v("foo:rel")),
        "invalid volume specification: 'foo:rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute"
    );
    assert_eq!(err(v("foo:/a:xyz")), "invalid mode: xyz");
    assert_eq!(err(v("foo:/a:ro,rw")), "invalid mode: ro,rw");
    assert_eq!(err(v("a:b:c:d")), "invalid volume specification: 'a:b:c:d'");
    assert_eq!(err(v("/foo:rw")), "invalid volume specification: '/foo:rw'");
    assert_eq!(
        err(v("/tmp:/a:nocopy")),
        "invalid volume specification: '/tmp:/a:nocopy': invalid mount config for type \"bind\": field VolumeOptions must not be specified"
    );
    assert_eq!(
        err(v("foo:/a:rshared")),
        "invalid volume specification: 'foo:/a:rshared': invalid mount config for type \"volume\": field BindOptions must not be specified"
    );
    assert!(v("").is_err());
}

fn m(s: &str) -> Result<MountRequest> {
    parse_mount_flag(s, Path::new("/work"))
}

#[test]
fn mount_flag_parses_dockers_keys() {
    let r = m("type=bind,src=/tmp,dst=/bt,bind-propagation=rslave,ro").unwrap();
    assert_eq!((r.kind.as_str(), r.source.as_str()), ("bind", "/tmp"));
    assert!(r.read_only);
    assert_eq!(r.bind_options.as_ref().unwrap().propagation, "rslave");
    let r = m("destination=/d,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-nocopy,volume-label=a=b").unwrap();
    assert_eq!(r.kind, "volume");
    let vo = r.volume_options.unwrap();
    assert!(vo.no_copy);
    assert_eq!(vo.labels["a"], "b");
    assert_eq!(vo.driver_config.unwrap().options["type"], "tmpfs");
    let r = m("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770").unwrap();
    let t = r.tmpfs_options.clone().unwrap();
    assert_eq!((t.size_bytes, t.mode), (1 << 20, 0o1770));
    let s = spec_of_request(&r).unwrap();
    assert_eq!(s.tmpfs_options, vec!["size=1048576", "mode=1770"]);
    // docker's JSON for HostConfig.Mounts.
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":1016}}"#
    );
    let rel = m("type=bind,src=site,dst=/s").unwrap();
    assert_eq!(rel.source, "/work/site");
}

#[test]
fn mount_flag_errors_are_dockers() {
    let flag = |v: &str, why: &str| format!("invalid argument \"{v}\" for \"--mount\" flag: {why}");
    for (value, why) in [
        ("bogus", "invalid field 'bogus' must be a key=value pair"),
        (
            "type=volume,foo=bar,dst=/x",
            "unexpected key 'foo' in 'foo=bar'",
        ),
        ("type=volume,src=foo", "target is required"),
        (
            "type=bind,src=/tmp,dst=/a,volume-nocopy",
            "cannot mix 'volume-*' options with mount type 'bind'",
        ),
        (
            "type=volume,src=foo,dst=/a,bind-propagation=shared",
            "cannot mix 'bind-*' options with mount type 'volume'",
        ),
        (
            "type=volume,src=foo,dst=/a,readonly=maybe",
            "invalid value for readonly: maybe",
        ),
        (
            "type=tmpfs,dst=/a,tmpfs-size=lots",
            "invalid value for tmpfs-size: lots",
        ),
    ] {
        assert_eq!(err(m(value)), flag(value, why));
    }
    let daemon = |v: &str| err(spec_of_request(&m(v).unwrap()));
    assert_eq!(
        daemon("type=bogus,dst=/x"),
        "invalid mount config for type \"bogus\": mount type unknown"
    );
    assert_eq!(
        daemon("type=bind,dst=/x"),
        "invalid mount config for type \"bind\": field Source must not be empty"
    );
    assert_eq!(
        daemon("type=tmpfs,src=foo,dst=/x"),
        "invalid mount config for type \"tmpfs\": field Source must not be specified"
    );
    assert_eq!(
        daemon("type=volume,dst=rel"),
        "invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute"
    );
    assert_eq!(
        daemon("type=volume,dst=/a,volume-driver=nfs"),
        "error looking up volume plugin nfs: plugin \"nfs\" not found"
    );
}

#[test]
fn tmpfs_flag() {
    let t = parse_tmpfs_flag("/run/x/:size=2m,mode=1777,noexec").unwrap();
    assert_eq!(t.target, "/run/x");
    assert_eq!(t.tmpfs_options, vec!["size=2m", "mode=1777", "noexec"]);
    assert_eq!(
        err(parse_tmpfs_flag("rel")),
        "invalid mount path: 'rel' mount path must be absolute"
    );
    assert_eq!(
        err(parse_tmpfs_flag("/t:bogus")),
        "invalid tmpfs option [\"bogus\"]"
    );
}

#[test]
fn volumes_from_modes() {
    assert_eq!(parse_volumes_from("a").unwrap(), ("a".into(), None));
    assert_eq!(
        parse_volumes_from("a:ro").unwrap(),
        ("a".into(), Some(false))
    );
    assert_eq!(
        parse_volumes_from("a:rw").unwrap(),
        ("a".into(), Some(true))
    );
    assert_eq!(err(parse_volumes_from("a:zz")), "invalid mode: zz");
}

#[test]
fn driver_options() {
    let o = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert!(check_driver_options(&o(&[])).is_ok());
    assert!(check_driver_options(&o(&[
        ("type", "tmpfs"),
        ("device", "tmpfs"),
        ("o", "size=1m")
    ]))
    .is_ok());
    assert!(
        check_driver_options(&o(&[("type", "none"), ("o", "bind"), ("device", "/tmp")])).is_ok()
    );
    assert_eq!(
        err(check_driver_options(&o(&[("foo", "bar")]))),
        "invalid option: \"foo\""
    );
    assert!(
        check_driver_options(&o(&[("type", "none"), ("o", "bind"), ("device", "rel")])).is_err()
    );
    assert!(check_driver_options(&o(&[("type", "nfs")])).is_err());
}

#[test]
fn targets_are_cleaned() {
    assert_eq!(clean_target("/a/./b/../c/").unwrap(), "/a/c");
    assert_eq!(clean_target("/").unwrap(), "/");
    assert_eq!(clean_target("a"), None);
}
