//! `inspect` on real containers, images and networks (as root): what users
//! set reads back where docker puts it, and what they did not set shows
//! docker's zero values. The whole key tree is compared with docker's in
//! src/engine/inspect/tests.rs.

mod common;

use common::*;
use serde_json::{json, Value};

/// These tests share the host's `skiff0` bridge and `skiff` table.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn setup() -> Option<TestEnv> {
    TestEnv::new(&SERIAL)
}

fn inspect(s: &Skiff, args: &[&str]) -> Value {
    let out = s.ok(&[&["inspect"], args].concat());
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    v[0].clone()
}

#[test]
fn flags_read_back_where_docker_puts_them() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let port = free_port().to_string();
    let publish = format!("127.0.0.1:{port}:80");
    #[rustfmt::skip]
    let flags = [
        "create", "--name", "full", "-p", &publish, "-p", "90/udp", "-e", "FOO=bar",
        "-w", "/tmp", "-u", "1000:1000", "--entrypoint", "/bin/sh", "-m", "64m",
        "--cpus", "0.5", "--pids-limit", "100", "--cap-add", "net_admin",
        "--cap-drop", "MKNOD", "--security-opt", "no-new-privileges", "-t", "-i",
        "--init", "--read-only", "--label", "x=y", "--hostname", "hh",
        "--dns", "127.0.0.53", "--dns-search", "example.test", "--add-host",
        "foo:127.0.0.2", "--device", "/dev/null:/dev/mynull:rw", "--ulimit",
        "nofile=1024:2048", "--stop-signal", "SIGUSR1", "--stop-timeout", "7",
        "--log-driver", "json-file", "--log-opt", "max-size=1m",
    ];
    s.ok(&[&flags[..], &[&e.img, "-c", "sleep 1000"]].concat());

    // The user's publish, as given: docker's `-p 127.0.0.1:8080:80` gives
    // HostIp "127.0.0.1" (skiff said null before).
    assert_eq!(
        s.ok(&[
            "inspect",
            "--format",
            "{{json .HostConfig.PortBindings}}",
            "full"
        ]),
        format!(
            r#"{{"80/tcp":[{{"HostIp":"127.0.0.1","HostPort":"{port}"}}],"90/udp":[{{"HostIp":"","HostPort":""}}]}}"#
        ) + "\n"
    );
    let c = inspect(s, &["full"]);
    let h = &c["HostConfig"];
    assert_eq!(c["State"]["Status"], "created");
    assert_eq!(c["State"]["StartedAt"], "0001-01-01T00:00:00Z");
    assert_eq!(c["NetworkSettings"]["Ports"], json!({}), "not running");
    assert_eq!(h["CapAdd"], json!(["CAP_NET_ADMIN"]));
    assert_eq!(h["CapDrop"], json!(["CAP_MKNOD"]));
    assert_eq!(h["SecurityOpt"], json!(["no-new-privileges"]));
    assert_eq!(h["Dns"], json!(["127.0.0.53"]));
    assert_eq!(h["DnsSearch"], json!(["example.test"]));
    assert_eq!(h["DnsOptions"], json!([]));
    assert_eq!(h["ExtraHosts"], json!(["foo:127.0.0.2"]));
    assert_eq!(h["Memory"], json!(64 << 20));
    assert_eq!(h["NanoCpus"], json!(500_000_000));
    assert_eq!(h["PidsLimit"], json!(100));
    assert_eq!(
        h["Ulimits"],
        json!([{"Name": "nofile", "Hard": 2048, "Soft": 1024}])
    );
    assert_eq!(
        h["Devices"],
        json!([{"PathOnHost": "/dev/null", "PathInContainer": "/dev/mynull", "CgroupPermissions": "rw"}])
    );
    assert_eq!(
        h["LogConfig"],
        json!({"Type": "json-file", "Config": {"max-size": "1m"}})
    );
    assert_eq!(h["Init"], json!(true));
    assert_eq!(h["ReadonlyRootfs"], json!(true));
    assert_eq!(h["NetworkMode"], "bridge");
    let cfg = &c["Config"];
    assert_eq!(cfg["User"], "1000:1000");
    assert_eq!(cfg["WorkingDir"], "/tmp");
    assert_eq!(cfg["Entrypoint"], json!(["/bin/sh"]));
    assert_eq!(cfg["Cmd"], json!(["-c", "sleep 1000"]));
    assert_eq!(cfg["Hostname"], "hh");
    assert_eq!(cfg["Labels"], json!({"x": "y"}));
    assert_eq!(cfg["StopSignal"], "SIGUSR1");
    assert_eq!(cfg["StopTimeout"], json!(7));
    assert_eq!(
        (cfg["Tty"].clone(), cfg["OpenStdin"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(cfg["ExposedPorts"], json!({"80/tcp": {}, "90/udp": {}}));
    assert!(
        cfg["Env"].as_array().unwrap().contains(&json!("FOO=bar")),
        "{}",
        cfg["Env"]
    );

    // Running: the host sides chosen, and the endpoint on the bridge.
    s.ok(&["start", "full"]);
    let c = inspect(s, &["full"]);
    let ports = &c["NetworkSettings"]["Ports"];
    assert_eq!(
        ports["80/tcp"],
        json!([{"HostIp": "127.0.0.1", "HostPort": port}])
    );
    let udp = ports["90/udp"][0]["HostPort"].as_str().unwrap();
    assert!(udp.parse::<u16>().is_ok_and(|p| p > 0), "{ports}");
    assert_eq!(c["State"]["Running"], json!(true));
    assert!(c["State"]["Pid"].as_i64().unwrap() > 0);
    let ns = &c["NetworkSettings"];
    let bridge = &ns["Networks"]["bridge"];
    assert_eq!(ns["IPAddress"], bridge["IPAddress"]);
    assert!(
        bridge["IPAddress"].as_str().unwrap().contains('.'),
        "{bridge}"
    );
    assert_eq!(
        bridge["DNSNames"],
        Value::Null,
        "no DNS on the default bridge"
    );
    assert_eq!(
        s.ok(&[
            "inspect",
            "-f",
            "{{.HostConfig.MemorySwap}} {{.HostConfig.KernelMemory}}",
            "full"
        ]),
        "-1 0\n",
        "swap unlimited; KernelMemory 0 to templates (the JSON omits it, as docker 28)"
    );
}

#[test]
fn defaults_are_dockers_zero_values() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&[
        "run", "-d", "--name", "plain", "-p", "80", &e.img, "sleep", "1000",
    ]);
    let c = inspect(s, &["plain"]);
    let h = &c["HostConfig"];
    for (k, want) in [
        ("MemorySwap", json!(0)),
        ("Memory", json!(0)),
        ("PidsLimit", Value::Null),
        ("CapAdd", Value::Null),
        ("SecurityOpt", Value::Null),
        ("ExtraHosts", Value::Null),
        ("Dns", json!([])),
        ("Ulimits", json!([])),
        ("Devices", json!([])),
        ("BlkioWeightDevice", json!([])),
        ("OomKillDisable", Value::Null),
        ("ConsoleSize", json!([0, 0])),
        (
            "RestartPolicy",
            json!({"Name": "no", "MaximumRetryCount": 0}),
        ),
        ("PublishAllPorts", json!(false)),
        (
            "PortBindings",
            json!({"80/tcp": [{"HostIp": "", "HostPort": ""}]}),
        ),
    ] {
        assert_eq!(h[k], want, "HostConfig.{k}");
    }
    assert!(h.get("Init").is_none(), "Init shows only with --init");
    assert!(c.get("SizeRw").is_none(), "sizes only with --size");
    s.ok(&[
        "exec",
        "plain",
        "sh",
        "-c",
        "head -c 5000 /dev/zero > /written",
    ]);
    let sized = inspect(s, &["--size", "plain"]);
    let rw = sized["SizeRw"].as_u64().unwrap();
    let all = sized["SizeRootFs"].as_u64().unwrap();
    assert!(rw >= 5000 && all > rw, "SizeRw {rw}, SizeRootFs {all}");
    let keys: Vec<&String> = sized.as_object().unwrap().keys().collect();
    let at = keys.iter().position(|k| *k == "GraphDriver").unwrap();
    assert_eq!(
        keys[at + 1..at + 3],
        ["SizeRw", "SizeRootFs"],
        "docker's place"
    );
    assert!(c["Config"].get("StopTimeout").is_none());
    assert_eq!(c["Config"]["Entrypoint"], Value::Null);
    assert_eq!(c["Config"]["Labels"], json!({}));
    assert_eq!(c["ExecIDs"], Value::Null);
    assert_eq!(
        h["MaskedPaths"].as_array().map(|a| a[0].clone()),
        Some(json!("/proc/asound"))
    );
    let p = &c["NetworkSettings"]["Ports"]["80/tcp"][0];
    assert_eq!(p["HostIp"], "0.0.0.0");
    assert!(p["HostPort"].as_str().unwrap().parse::<u16>().unwrap() > 0);

    s.ok(&[
        "run",
        "-d",
        "--name",
        "priv",
        "--privileged",
        "--network",
        "none",
        "--rm",
        &e.img,
        "sleep",
        "1000",
    ]);
    let c = inspect(s, &["priv"]);
    assert_eq!(c["HostConfig"]["AutoRemove"], json!(true));
    assert_eq!(c["HostConfig"]["Privileged"], json!(true));
    assert_eq!(c["HostConfig"]["SecurityOpt"], json!(["label=disable"]));
    assert_eq!(c["HostConfig"]["MaskedPaths"], Value::Null);
    let none = &c["NetworkSettings"]["Networks"]["none"];
    assert_eq!(none["IPAddress"], "");
    assert_eq!(none["NetworkID"].as_str().map(str::len), Some(64));
}

#[test]
fn user_network_aliases_dns_names_and_network_inspect() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    s.ok(&[
        "network",
        "create",
        "--subnet",
        "10.231.0.0/24",
        "--label",
        "a=b",
        "inspnet",
    ]);
    #[rustfmt::skip]
    s.ok(&["run", "-d", "--name", "usr", "--network", "inspnet", "--network-alias", "al1",
           "--ip", "10.231.0.9", &e.img, "sleep", "1000"]);
    let c = inspect(s, &["usr"]);
    let id = c["Id"].as_str().unwrap().to_owned();
    let n = &c["NetworkSettings"]["Networks"]["inspnet"];
    assert_eq!(n["Aliases"], json!(["al1"]));
    assert_eq!(
        n["DNSNames"],
        json!(["usr", "al1", &id[..12]]),
        "name, aliases, short id (the hostname is the short id)"
    );
    assert_eq!(n["IPAMConfig"], json!({"IPv4Address": "10.231.0.9"}));
    assert_eq!(n["IPAddress"], "10.231.0.9");
    assert_eq!(n["IPPrefixLen"], json!(24));
    assert_eq!(n["Gateway"], "10.231.0.1");
    assert_eq!(
        c["NetworkSettings"]["IPAddress"], "",
        "the top-level fields are the default bridge's"
    );
    assert_eq!(
        s.ok(&["inspect", "-f", "{{.HostConfig.NetworkMode}}", "usr"]),
        "inspnet\n"
    );

    let net = inspect(s, &["--type", "network", "inspnet"]);
    assert_eq!(net["EnableIPv4"], json!(true));
    assert_eq!(net["Labels"], json!({"a": "b"}));
    // docker lists a --subnet given without --gateway as it was given.
    assert_eq!(
        net["IPAM"],
        json!({"Driver": "default", "Options": {}, "Config": [{"Subnet": "10.231.0.0/24"}]})
    );
    let ep = &net["Containers"][&id];
    assert_eq!(ep["Name"], "usr");
    assert_eq!(ep["IPv4Address"], "10.231.0.9/24");
    assert_eq!(ep["MacAddress"], n["MacAddress"]);
    // A created container has an address kept for it, but docker lists
    // only running ones; the MAC asked for shows before it runs.
    let mac = "02:42:0a:e7:00:42";
    #[rustfmt::skip]
    let later = s.ok(&["create", "--name", "later", "--network", "inspnet", "--mac-address", mac, &e.img]);
    let net = inspect(s, &["--type", "network", "inspnet"]);
    let members: Vec<&String> = net["Containers"].as_object().unwrap().keys().collect();
    assert_eq!(members, [&id], "{later}");
    let c = inspect(s, &["later"]);
    assert_eq!(c["Config"]["MacAddress"], mac);
    assert_eq!(
        c["NetworkSettings"]["Networks"]["inspnet"]["MacAddress"],
        mac
    );
    assert_eq!(c["NetworkSettings"]["Networks"]["inspnet"]["IPAddress"], "");
    let none = inspect(s, &["--type", "network", "none"]);
    assert_eq!(none["IPAM"]["Options"], Value::Null);
    assert_eq!(none["IPAM"]["Config"], json!([]));
}

#[test]
fn image_config_shows_only_what_the_image_sets() {
    let Some(e) = setup() else { return };
    let s = &e.s;
    let i: Value = serde_json::from_str(&s.ok(&["image", "inspect", &e.img])).unwrap();
    let i = &i[0];
    assert_eq!(i["Config"]["Cmd"], json!(["sh"]));
    for gone in ["User", "Hostname", "Entrypoint", "Image", "AttachStdin"] {
        assert!(
            i["Config"].get(gone).is_none(),
            "Config.{gone}: {}",
            i["Config"]
        );
    }
    for gone in ["ContainerConfig", "Container", "VirtualSize"] {
        assert!(i.get(gone).is_none(), "{gone}");
    }
    assert_eq!(i["RepoTags"], json!([e.img]));
    assert_eq!(i["RootFS"]["Type"], "layers");
    // docker runs templates on its typed structs: an omitted field is
    // still there, empty.
    assert_eq!(
        s.ok(&[
            "image",
            "inspect",
            "-f",
            "{{.Config.User}}|{{.Config.Entrypoint}}|{{.Config.WorkingDir}}",
            &e.img
        ]),
        "|[]|\n"
    );
    assert!(i["Size"].as_u64().unwrap() > 0);
    assert!(i["Id"].as_str().unwrap().starts_with("sha256:"));
}
