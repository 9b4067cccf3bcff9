//! Volumes, binds and tmpfs mounts on real containers: `-v` in every
//! form, `--mount`, `--tmpfs`, `--volumes-from`, copy-up, `--read-only`,
//! the `volume` verbs and docker's JSON, and what bad input leaves (nothing).

mod common;

use std::os::unix::fs::MetadataExt;

use common::*;
use serde_json::{json, Value};

/// A registry with an image whose config declares `VOLUME /data`, with
/// content there (a file owned 1000:1000, a 0750 dir, a symlink).
fn volume_image() -> Option<(Registry, Skiff, String)> {
    if !is_root() {
        skip("real containers need root here");
        return None;
    }
    if !have("docker-registry") || !have("skopeo") {
        skip("docker-registry/skopeo not installed (make test-deps)");
        return None;
    }
    let reg = Registry::start();
    let layout = tempfile::tempdir().unwrap();
    let mut entries = busybox_layer();
    entries.push(Entry::Dir("data/", 0o750));
    entries.push(Entry::Owned(
        "data/seed.txt".into(),
        b"from the image\n".to_vec(),
        0o640,
        1000,
        1000,
    ));
    entries.push(Entry::Symlink("data/link", "/etc/passwd"));
    let cfg = json!({
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Cmd": ["sh"],
        "Volumes": {"/data": {}},
    });
    oci_layout_config(
        layout.path(),
        "latest",
        &[build_layer(&entries, Compression::Gzip)],
        cfg,
        "amd64",
    );
    let img = format!("{}/voltest:latest", reg.host());
    push(layout.path(), "latest", &img, &[]);
    let s = Skiff::new();
    s.ok(&["pull", "-q", &img]);
    Some((reg, s, img))
}

fn volumes(s: &Skiff) -> Vec<String> {
    s.ok(&["volume", "ls", "-q"])
        .lines()
        .map(str::to_owned)
        .collect()
}

fn inspect(s: &Skiff, what: &str) -> Value {
    let v: Value = serde_json::from_str(&s.ok(&["inspect", what])).unwrap();
    v[0].clone()
}

#[test]
fn image_volumes_copy_up_and_go_with_run_rm() {
    let Some((_reg, s, img)) = volume_image() else {
        return;
    };
    // The image's VOLUME is an anonymous volume, filled from the image
    // (owners, modes, the symlink as a symlink).
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        &img,
        "sh",
        "-c",
        "stat -c '%n %u:%g %a' /data /data/seed.txt; readlink /data/link; cat /data/seed.txt; grep ' /data ' /proc/mounts | cut -d' ' -f2",
    ]);
    assert_eq!(
        out,
        "/data 0:0 750\n/data/seed.txt 1000:1000 640\n/etc/passwd\nfrom the image\n/data\n"
    );
    // run --rm took it away.
    assert_eq!(volumes(&s), Vec::<String>::new());

    // A named volume: made on first use, filled once, kept.
    s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "keep:/data",
        &img,
        "sh",
        "-c",
        "echo mine > /data/mine.txt",
    ]);
    assert_eq!(volumes(&s), ["keep"]);
    let v = inspect(&s, "keep");
    let mountpoint = std::path::PathBuf::from(v["Mountpoint"].as_str().unwrap());
    let seed = std::fs::metadata(mountpoint.join("seed.txt")).unwrap();
    assert_eq!(
        (seed.uid(), seed.gid(), seed.mode() & 0o7777),
        (1000, 1000, 0o640)
    );
    assert_eq!(
        std::fs::read_to_string(mountpoint.join("mine.txt")).unwrap(),
        "mine\n"
    );
    // Not empty any more: no second copy-up (a removed seed stays removed).
    std::fs::remove_file(mountpoint.join("seed.txt")).unwrap();
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "keep:/data:ro",
        &img,
        "sh",
        "-c",
        "ls /data; touch /data/x 2>&1 || echo read-only",
    ]);
    assert_eq!(
        out,
        "link\nmine.txt\ntouch: /data/x: Read-only file system\nread-only\n"
    );
    // nocopy: an empty volume stays empty.
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "bare:/data:nocopy",
        &img,
        "ls",
        "-A",
        "/data",
    ]);
    assert_eq!(out, "");
    // A bind is never filled; a missing host dir is made, as docker does.
    let t = tempfile::tempdir().unwrap();
    let host = t.path().join("made/by/run");
    let spec = format!("{}:/data", host.display());
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        &spec,
        &img,
        "sh",
        "-c",
        "ls -A /data; echo from-container > /data/out",
    ]);
    assert_eq!(out, "");
    assert_eq!(
        std::fs::read_to_string(host.join("out")).unwrap(),
        "from-container\n"
    );
    // A relative `./` source is made absolute by the CLI, as docker's.
    let out = s
        .cmd()
        .current_dir(t.path())
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            "./made:/m",
            &img,
            "ls",
            "/m",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "by\n");
    s.ok(&["volume", "rm", "keep", "bare"]);
    assert_eq!(volumes(&s), Vec::<String>::new());
}

#[test]
fn mount_tmpfs_read_only_and_dockers_json() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("f"), "host file\n").unwrap();
    let bind = format!("type=bind,src={},dst=/b,readonly", t.path().display());
    let id = s.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--read-only",
        "--name",
        "mnt",
        "-v",
        "named:/n:z",
        "-v",
        &format!("{}:/h:ro,rslave", t.path().display()),
        "-v",
        "/anon",
        "--mount",
        &bind,
        "--mount",
        "type=tmpfs,dst=/t2,tmpfs-size=2m,tmpfs-mode=1770",
        "--mount",
        "type=volume,dst=/tv,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=3m",
        "--tmpfs",
        "/run/t:size=1m",
        &img,
        "sleep",
        "300",
    ]);
    let id = id.trim();
    let out = s.ok(&[
        "exec",
        id,
        "sh",
        "-c",
        "for d in /n /anon /run/t /t2 /tv; do echo x > $d/w && echo $d writable; done; \
         touch /b/w /h/w /root/w 2>/dev/null || echo others read-only; cat /b/f; \
         grep -E ' /(t2|tv|run/t) ' /proc/mounts | cut -d' ' -f2,3,4 | sort",
    ]);
    assert_eq!(
        out,
        "/n writable\n/anon writable\n/run/t writable\n/t2 writable\n/tv writable\nothers read-only\nhost file\n\
         /run/t tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k\n\
         /t2 tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k,mode=1770\n\
         /tv tmpfs rw,relatime,size=3072k\n"
    );
    let c = inspect(&s, id);
    let anon = c["Mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Destination"] == "/anon")
        .unwrap()["Name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(anon.len(), 64);
    let named = inspect(&s, "named");
    let vol_src = |name: &str| format!("{}/volumes/{name}/_data", s.root().display());
    assert_eq!(named["Mountpoint"], vol_src("named"));
    let tv = c["Mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Destination"] == "/tv")
        .unwrap()["Name"]
        .as_str()
        .unwrap()
        .to_owned();
    // docker's Mounts: by destination, tmpfs only from --mount.
    assert_eq!(
        c["Mounts"],
        json!([
            {"Type": "volume", "Name": anon, "Source": vol_src(&anon), "Destination": "/anon", "Driver": "local", "Mode": "", "RW": true, "Propagation": ""},
            {"Type": "bind", "Source": t.path(), "Destination": "/b", "Mode": "", "RW": false, "Propagation": "rprivate"},
            {"Type": "bind", "Source": t.path(), "Destination": "/h", "Mode": "ro,rslave", "RW": false, "Propagation": "rslave"},
            {"Type": "volume", "Name": "named", "Source": vol_src("named"), "Destination": "/n", "Driver": "local", "Mode": "z", "RW": true, "Propagation": ""},
            {"Type": "tmpfs", "Source": "", "Destination": "/t2", "Mode": "", "RW": true, "Propagation": ""},
            {"Type": "volume", "Name": tv, "Source": vol_src(&tv), "Destination": "/tv", "Driver": "local", "Mode": "", "RW": true, "Propagation": ""},
        ])
    );
    let h = &c["HostConfig"];
    assert_eq!(
        h["Binds"],
        json!(["named:/n:z", format!("{}:/h:ro,rslave", t.path().display())])
    );
    assert_eq!(h["Tmpfs"], json!({"/run/t": "size=1m"}));
    assert_eq!(
        h["Mounts"],
        json!([
            {"Type": "bind", "Source": t.path(), "Target": "/b", "ReadOnly": true},
            {"Type": "tmpfs", "Target": "/t2", "TmpfsOptions": {"SizeBytes": 2097152, "Mode": 1016}},
            {"Type": "volume", "Target": "/tv", "VolumeOptions": {"DriverConfig": {"Options": {"device": "tmpfs", "o": "size=3m", "type": "tmpfs"}}}},
        ])
    );
    assert_eq!(c["Config"]["Volumes"], json!({"/anon": {}}));
    assert_eq!(
        inspect(&s, &tv)["Options"],
        json!({"device": "tmpfs", "o": "size=3m", "type": "tmpfs"})
    );
    // rm -v: the anonymous volumes go, the named one stays.
    s.ok(&["rm", "-f", "-v", id]);
    assert_eq!(volumes(&s), ["named"]);
    // Without -v they stay.
    s.ok(&["create", "--name", "keeps", "-v", "/anon", &img]);
    assert_eq!(volumes(&s).len(), 2);
    s.ok(&["rm", "keeps"]);
    assert_eq!(volumes(&s).len(), 2);
}

#[test]
fn bind_propagation_reaches_the_mount() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let line = |mode: &str| {
        let spec = format!("{}:/p{mode}", t.path().display());
        s.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            &spec,
            &img,
            "sh",
            "-c",
            "grep ' /p ' /proc/self/mountinfo",
        ])
    };
    assert!(
        line(":rshared").contains(" shared:"),
        "{}",
        line(":rshared")
    );
    let private = line("");
    assert!(
        !private.contains(" shared:") && !private.contains(" master:"),
        "{private}"
    );
}

#[test]
fn volume_verbs_output_and_errors_are_dockers() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    assert_eq!(s.ok(&["volume", "create", "foo"]), "foo\n");
    // An existing name is no error: the same volume.
    assert_eq!(s.ok(&["volume", "create", "foo"]), "foo\n");
    assert_eq!(
        s.ok(&[
            "volume",
            "create",
            "--label",
            "keep=1",
            "-o",
            "type=tmpfs",
            "-o",
            "device=tmpfs",
            "-o",
            "o=size=10m",
            "tv"
        ]),
        "tv\n"
    );
    let anon = s.ok(&["volume", "create"]).trim().to_owned();
    assert_eq!(anon.len(), 64);
    let v: Value = serde_json::from_str(&s.ok(&["volume", "inspect", "foo", "tv"])).unwrap();
    let keys: Vec<&String> = v[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "CreatedAt",
            "Driver",
            "Labels",
            "Mountpoint",
            "Name",
            "Options",
            "Scope"
        ]
    );
    assert_eq!(v[0]["Labels"], Value::Null);
    assert_eq!(v[0]["Options"], Value::Null);
    assert_eq!(v[0]["Scope"], "local");
    assert!(v[0]["CreatedAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v[1]["Labels"], json!({"keep": "1"}));
    assert_eq!(
        v[1]["Options"],
        json!({"device": "tmpfs", "o": "size=10m", "type": "tmpfs"})
    );
    let mut all = vec![anon.clone(), "foo".to_string(), "tv".to_string()];
    all.sort();
    assert_eq!(volumes(&s), all);
    let table = s.ok(&["volume", "ls"]);
    assert!(table.starts_with("DRIVER    VOLUME NAME\n"), "{table}");
    assert!(table.contains("local     foo\n"), "{table}");
    assert_eq!(
        s.ok(&[
            "volume",
            "ls",
            "--filter",
            "label=keep=1",
            "--format",
            "{{.Name}} {{.Driver}} {{.Labels}} {{.Scope}}"
        ]),
        "tv local keep=1 local\n"
    );
    assert_eq!(
        s.ok(&["volume", "ls", "-q", "--filter", "name=fo"]),
        "foo\n"
    );
    // In use (even stopped): docker's error, exit 1; dangling tells.
    let cid = s.ok(&["create", "-v", "foo:/foo", &img]).trim().to_owned();
    let err = s.fails(1, &["volume", "rm", "foo"]);
    assert_eq!(
        err,
        format!("Error: remove foo: volume is in use - [{cid}]\n")
    );
    assert!(!s
        .ok(&["volume", "ls", "-q", "--filter", "dangling=true"])
        .contains("foo"));
    assert_eq!(
        s.ok(&["volume", "ls", "-q", "--filter", "dangling=false"]),
        "foo\n"
    );
    assert_eq!(
        s.fails(1, &["volume", "inspect", "nope"]),
        "Error: get nope: no such volume\n"
    );
    assert_eq!(
        s.fails(1, &["volume", "rm", "nope"]),
        "Error: get nope: no such volume\n"
    );
    assert_eq!(s.ok(&["volume", "rm", "-f", "nope"]), "nope\n");
    assert!(s
        .fails(1, &["volume", "ls", "--filter", "bogus=1"])
        .contains("Invalid filter 'bogus'"));
    // docker's creation errors.
    assert!(s
        .fails(1, &["volume", "create", "x!"])
        .contains("\"x!\" includes invalid characters for a local volume name"));
    assert!(s
        .fails(1, &["volume", "create", "-o", "foo=bar", "bad"])
        .contains("invalid option: \"foo\""));
    assert!(s
        .fails(1, &["volume", "create", "-d", "nodrv", "z"])
        .contains("plugin \"nodrv\" not found"));
    assert!(!volumes(&s).contains(&"bad".to_string()));
    // `inspect` finds volumes too.
    assert_eq!(s.ok(&["inspect", "-f", "{{.Name}}", "tv"]), "tv\n");
    // prune: anonymous unused ones; -a every unused one; never a used one;
    // never without -f when there is no terminal.
    assert!(s.fails(1, &["volume", "prune"]).contains("pass -f"));
    assert_eq!(
        s.ok(&["volume", "prune", "-f"]),
        "Total reclaimed space: 0B\n"
    );
    // `volume create` with no name is not anonymous (docker labels only
    // a container's); a container's -v /x is.
    s.ok(&["create", "--name", "anonuser", "-v", "/x", &img]);
    s.ok(&["rm", "anonuser"]);
    let out = s.ok(&["volume", "prune", "-f"]);
    assert!(
        out.starts_with("Deleted Volumes:\n") && out.ends_with("\n\nTotal reclaimed space: 0B\n"),
        "{out}"
    );
    assert_eq!(volumes(&s).len(), 3);
    let out = s.ok(&["volume", "prune", "-a", "-f", "--filter", "label=keep=1"]);
    assert_eq!(out, "Deleted Volumes:\ntv\n\nTotal reclaimed space: 0B\n");
    let out = s.ok(&["volume", "prune", "-a", "-f"]);
    assert_eq!(
        out,
        format!("Deleted Volumes:\n{anon}\n\nTotal reclaimed space: 0B\n")
    );
    s.ok(&["rm", &cid]);
    s.ok(&["volume", "rm", "foo"]);
    assert_eq!(volumes(&s), Vec::<String>::new());
}

#[test]
fn volumes_from_shares_and_rm_v_counts_users() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    s.ok(&[
        "create",
        "--name",
        "src",
        "-v",
        "/anon1",
        "-v",
        "named2:/n",
        &img,
    ]);
    s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--volumes-from",
        "src",
        &img,
        "sh",
        "-c",
        "echo shared > /anon1/f",
    ]);
    s.ok(&["create", "--name", "dst", "--volumes-from", "src:ro", &img]);
    let d = inspect(&s, "dst");
    assert_eq!(d["HostConfig"]["VolumesFrom"], json!(["src:ro"]));
    let m = d["Mounts"].as_array().unwrap();
    assert_eq!(m.len(), 2);
    assert!(m.iter().all(|m| m["RW"] == false && m["Type"] == "volume"));
    let out = s.ok(&["start", "-a", "dst"]);
    assert_eq!(out, "");
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--volumes-from",
        "dst",
        &img,
        "cat",
        "/anon1/f",
    ]);
    assert_eq!(out, "shared\n");
    // src's anonymous volume is still dst's: rm -v src keeps it.
    s.ok(&["rm", "-v", "src"]);
    assert_eq!(volumes(&s).len(), 2);
    s.ok(&["rm", "-v", "dst"]);
    assert_eq!(volumes(&s), ["named2"]);
    assert!(
        run_error(&s.fails(125, &["create", "--volumes-from", "nosuch", &img]))
            .contains("No such container: nosuch")
    );
}

#[test]
fn bad_mounts_are_refused_with_dockers_words_and_leave_nothing() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    for (args, want) in [
        (vec!["-v", "foo:rel"], "invalid volume specification: 'foo:rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute"),
        (vec!["-v", "foo:/a:xyz"], "invalid mode: xyz"),
        (vec!["-v", "a:b:c:d"], "invalid volume specification: 'a:b:c:d'"),
        (vec!["-v", "foo:/a", "-v", "bar:/a"], "Duplicate mount point: /a"),
        (vec!["--mount", "type=bind,src=/nonexistent-skiff,dst=/x"], "invalid mount config for type \"bind\": bind source path does not exist: /nonexistent-skiff"),
        (vec!["--mount", "type=bogus,dst=/x"], "invalid mount config for type \"bogus\": mount type unknown"),
        (vec!["--mount", "type=tmpfs,src=foo,dst=/x"], "invalid mount config for type \"tmpfs\": field Source must not be specified"),
        (vec!["--tmpfs", "rel"], "invalid mount path: 'rel' mount path must be absolute"),
        (vec!["-v", "x!:/a"], "create x!: \"x!\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"),
        (vec!["-v", "/anon", "-v", "/tmp:/a:nocopy"], "invalid volume specification: '/tmp:/a:nocopy': invalid mount config for type \"bind\": field VolumeOptions must not be specified"),
    ] {
        let mut a = vec!["run", "--rm"];
        a.extend(args.iter().copied());
        a.push(&img);
        a.push("true");
        assert_eq!(run_error(&s.fails(125, &a)), want, "{args:?}");
    }
    // The CLI's own parse errors (docker prints them with the usage).
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
    ] {
        let err = s.fails(125, &["run", "--rm", "--mount", value, &img, "true"]);
        assert!(
            err.contains(&format!(
                "invalid argument \"{value}\" for \"--mount\" flag: {why}"
            )),
            "{err}"
        );
    }
    // Nothing made: no container, no volume (not even the anonymous one
    // of a run refused after it was made).
    assert_eq!(s.ok(&["ps", "-aq"]), "");
    assert_eq!(volumes(&s), Vec::<String>::new());
    // A name taken: the anonymous volume made for the create goes again.
    s.ok(&["create", "--name", "taken", &img]);
    s.fails(125, &["create", "--name", "taken", "-v", "/anon", &img]);
    assert_eq!(volumes(&s), Vec::<String>::new());
}

/// A container plants symlinks in a volume; another container's mounts
/// and a copy-up through it never reach outside its root.
#[test]
fn symlinks_planted_in_a_volume_stay_inside_the_container() {
    let Some((_reg, s, img)) = with_busybox() else {
        return;
    };
    let escape = format!("/tmp/skiff-escape-{}", std::process::id());
    let _ = std::fs::remove_dir_all(&escape);
    s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "trap:/v",
        &img,
        "sh",
        "-c",
        &format!("ln -s / /v/up; ln -s {escape} /v/abs"),
    ]);
    let t = tempfile::tempdir().unwrap();
    let bind = format!("{}:/v/up{escape}/sub", t.path().display());
    let bind2 = format!("{}:/v/abs/sub2", t.path().display());
    let out = s.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "trap:/v",
        "-v",
        &bind,
        "-v",
        &bind2,
        &img,
        "sh",
        "-c",
        &format!("test -d {escape}/sub && echo inside"),
    ]);
    assert_eq!(out, "inside\n");
    assert!(
        !std::path::Path::new(&escape).exists(),
        "a mountpoint was made on the host through a planted symlink"
    );
    // The volume's own symlinks are still only symlinks.
    let data = format!("{}/volumes/trap/_data", s.root().display());
    assert_eq!(
        std::fs::read_link(format!("{data}/up")).unwrap(),
        std::path::Path::new("/")
    );
}
