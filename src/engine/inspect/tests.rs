//! skiff's inspect JSON against docker's for the same flags: the same
//! key tree (keys and JSON types, recursively). The fixtures are docker's
//! own output (`tests/fixtures/inspect/README.md` says how they were made).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::{json, Value};

use super::{container, image, network, InspectView};
use crate::engine::image::ImageSummary;
use crate::engine::network::NetworkEntry;
use crate::image::reference::Reference;
use crate::network::ports::{PortBinding, Proto};
use crate::state::container::NetRequest;
use crate::state::container::{
    Container, ContainerConfig, ContainerState, DeviceMapping, HostSettings, RestartPolicy,
    RunSettings, Status, Ulimit,
};
use crate::state::network::{Endpoint, Network};

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    super::to_value(v, InspectView::Json)
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/inspect/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Maps whose keys are data (names, ids, ports, paths), not docker's
/// field names: only their values' shape is compared.
const DATA_MAPS: &[&str] = &[
    "Labels",
    "Options",
    "Config/Config",
    "LogConfig/Config",
    "PortBindings",
    "Ports",
    "ExposedPorts",
    "Networks",
    "Containers",
    "GraphDriver/Data",
    "Volumes",
    "DriverOpts",
];

fn is_data_map(path: &str) -> bool {
    DATA_MAPS
        .iter()
        .any(|m| path == *m || path.ends_with(&format!("/{m}")))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every difference between the key trees of `docker` and `skiff` under
/// `path`, except those listed in `allowed` (paths with their reason).
fn diff(path: &str, docker: &Value, skiff: &Value, allowed: &[&str], out: &mut Vec<String>) {
    if allowed.contains(&path) {
        return;
    }
    if kind(docker) != kind(skiff) {
        out.push(format!(
            "{path}: docker has {}, skiff {}",
            kind(docker),
            kind(skiff)
        ));
        return;
    }
    match (docker, skiff) {
        (Value::Object(d), Value::Object(s)) if is_data_map(path) => {
            if let (Some(dv), Some(sv)) = (d.values().next(), s.values().next()) {
                diff(&format!("{path}/*"), dv, sv, allowed, out);
            }
        }
        (Value::Object(d), Value::Object(s)) => {
            for (k, dv) in d {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}/{k}")
                };
                match s.get(k) {
                    Some(sv) => diff(&p, dv, sv, allowed, out),
                    None if !allowed.contains(&p.as_str()) => {
                        out.push(format!("{p}: missing in skiff"))
                    }
                    None => {}
                }
            }
            let order = |a: &serde_json::Map<String, Value>, b: &serde_json::Map<String, Value>| {
                a.keys()
                    .filter(|k| b.contains_key(*k))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            if order(d, s) != order(s, d) {
                out.push(format!(
                    "{path}: key order: docker {:?}, skiff {:?}",
                    order(d, s),
                    order(s, d)
                ));
            }
            for k in s.keys().filter(|k| !d.contains_key(*k)) {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}/{k}")
                };
                if !allowed.contains(&p.as_str()) {
                    out.push(format!("{p}: not in docker's"));
                }
            }
        }
        (Value::Array(d), Value::Array(s)) => {
            if let (Some(dv), Some(sv)) = (d.first(), s.first()) {
                diff(&format!("{path}[]"), dv, sv, allowed, out);
            }
        }
        _ => {}
    }
}

fn assert_same_tree(docker: &Value, skiff: &Value, allowed: &[&str]) {
    let mut out = Vec::new();
    diff("", docker, skiff, allowed, &mut out);
    assert!(
        out.is_empty(),
        "skiff's key tree differs from docker's:\n{}\nskiff: {}",
        out.join("\n"),
        serde_json::to_string_pretty(skiff).unwrap()
    );
}

/// Differences that follow from the 20.10 daemon behind the fixtures, with
/// current docker's documented shape (see the module's doc).
const CONTAINER_ALLOWED: &[&str] = &[
    // API 1.44: a 20.10 daemon never sets it, so its fixtures say null.
    "NetworkSettings/Networks/*/DNSNames",
];

fn network(name: &str, id_byte: char, subnet: &str, dns: bool) -> Network {
    let subnet: ipnet::Ipv4Net = subnet.parse().unwrap();
    Network {
        name: name.into(),
        id: id_byte.to_string().repeat(64),
        driver: "bridge".into(),
        created: 1,
        subnet,
        gateway: subnet.hosts().next().unwrap(),
        gateway_unset: false,
        ip_range: None,
        internal: false,
        labels: BTreeMap::new(),
        options: BTreeMap::new(),
        interface: "skiff0".into(),
        dns,
        endpoints: BTreeMap::new(),
    }
}

/// A container as `skiff run` stores it, on `net` (with its endpoint).
fn container(
    status: Status,
    run: RunSettings,
    host: HostSettings,
    net: NetRequest,
) -> (Container, Vec<Network>) {
    let id = "ab".repeat(32);
    let config = ContainerConfig {
        id: id.clone(),
        name: "c".into(),
        created: 1_700_000_000_000_000_000,
        image_name: "busybox".into(),
        image_id: format!("sha256:{}", "cd".repeat(32)),
        path: "sleep".into(),
        args: vec!["300".into()],
        config: RunSettings {
            hostname: id[..12].into(),
            env: vec!["PATH=/bin".into()],
            cmd: Some(vec!["sleep".into(), "300".into()]),
            image: "busybox".into(),
            ..run
        },
        host_config: HostSettings {
            log_driver: "json-file".into(),
            ipc_mode: "private".into(),
            shm_size: 64 << 20,
            restart_policy: RestartPolicy {
                name: "no".into(),
                maximum_retry_count: 0,
            },
            ..host
        },
        lowers: vec!["/l/1/diff".into()],
        net,
        storage_driver: Default::default(),
        mount_points: Vec::new(),
    };
    let running = matches!(status, Status::Running);
    let state = ContainerState {
        status,
        pid: if running { 4242 } else { 0 },
        started_at: running.then_some(1_700_000_000_500_000_000),
        ..ContainerState::default()
    };
    let mut nets = vec![
        network("bridge", '1', "172.18.0.0/16", false),
        network("inspnet", '2', "172.19.0.0/16", true),
    ];
    let mode = &config.host_config.network_mode;
    if let Some(n) = nets.iter_mut().find(|n| n.name == *mode) {
        let ip = n.subnet.hosts().nth(1).unwrap();
        n.endpoints.insert(
            id.clone(),
            Endpoint {
                name: "c".into(),
                ip,
                mac: "02:42:ac:12:00:02".into(),
                aliases: config.net.aliases.clone(),
            },
        );
    }
    (Container { config, state }, nets)
}

fn inspect(c: &Container, networks: Vec<Network>) -> Value {
    let ctx = container::Context {
        dir: "/r/containers/x".into(),
        run_dir: "/run/containers/x".into(),
        driver: "overlay".into(),
        networks,
        mode_id: "ee".repeat(32),
        size: None,
    };
    to_value(&container::build(c, &ctx))
}

fn plain_host(mode: &str) -> HostSettings {
    HostSettings {
        network_mode: mode.into(),
        ..HostSettings::default()
    }
}

#[test]
fn plain_running_container_has_dockers_tree() {
    let (c, nets) = container(
        Status::Running,
        RunSettings::default(),
        plain_host("bridge"),
        NetRequest::default(),
    );
    let v = inspect(&c, nets);
    assert_same_tree(&fixture("container-plain"), &v, CONTAINER_ALLOWED);
    assert_eq!(v["HostConfig"]["MemorySwap"], json!(0));
    assert_eq!(v["HostConfig"]["PidsLimit"], Value::Null);
    assert_eq!(v["HostConfig"]["PortBindings"], json!({}));
    assert_eq!(v["NetworkSettings"]["IPAddress"], "172.18.0.2");
}

#[test]
fn the_tree_comparison_sees_missing_extra_and_retyped_keys() {
    let docker = json!({"A": 1, "B": {"C": null, "D": [{"E": ""}]}, "Labels": {"x": "y"}});
    let skiff = json!({"B": {"G": 1, "D": [{"E": "", "F": 0}]}, "A": "1", "Labels": {}});
    let mut out = Vec::new();
    diff("", &docker, &skiff, &[], &mut out);
    assert_eq!(
        out,
        [
            "A: docker has number, skiff string",
            "B/C: missing in skiff",
            "B/D[]/F: not in docker's",
            "B/G: not in docker's",
            r#": key order: docker ["A", "B", "Labels"], skiff ["B", "A", "Labels"]"#,
        ]
    );
}

/// `run -d -p 127.0.0.1:8080:80 -p 90 -e FOO=bar -w /tmp -u 1000:1000
/// --entrypoint /bin/sh -m 64m --cpus 0.5 --pids-limit 100 --cap-add
/// NET_ADMIN --cap-drop MKNOD --security-opt no-new-privileges -t -i --init
/// --read-only --label x=y --hostname hh --dns 127.0.0.53 --add-host
/// foo:127.0.0.2 --device /dev/null:/dev/mynull:rw --ulimit
/// nofile=1024:2048 --restart on-failure:3 --stop-signal SIGUSR1
/// --stop-timeout 7 --log-driver json-file --log-opt max-size=1m`
fn flags_container() -> (Container, Vec<Network>) {
    let publish = |ip: Option<Ipv4Addr>, host: u16, port: u16| PortBinding {
        host_ip: ip,
        host_port: host,
        container_port: port,
        proto: Proto::Tcp,
    };
    let net = NetRequest {
        publish: vec![
            publish(Some(Ipv4Addr::LOCALHOST), 8080, 80),
            publish(None, 0, 90),
        ],
        dns: vec!["127.0.0.53".parse().unwrap()],
        extra_hosts: vec![("foo".into(), "127.0.0.2".into())],
        ..NetRequest::default()
    };
    let run = RunSettings {
        user: "1000:1000".into(),
        tty: true,
        open_stdin: true,
        working_dir: "/tmp".into(),
        entrypoint: Some(vec!["/bin/sh".into()]),
        labels: BTreeMap::from([("x".into(), "y".into())]),
        stop_signal: Some("SIGUSR1".into()),
        stop_timeout: Some(7),
        exposed_ports: Some(BTreeMap::from([
            ("80/tcp".into(), json!({})),
            ("90/tcp".into(), json!({})),
        ])),
        ..RunSettings::default()
    };
    let host = HostSettings {
        network_mode: "bridge".into(),
        memory: 64 << 20,
        nano_cpus: 500_000_000,
        pids_limit: Some(100),
        cap_add: vec!["NET_ADMIN".into()],
        cap_drop: vec!["mknod".into()],
        security_opt: vec!["no-new-privileges".into()],
        init: true,
        readonly_rootfs: true,
        devices: vec![DeviceMapping {
            path_on_host: "/dev/null".into(),
            path_in_container: "/dev/mynull".into(),
            cgroup_permissions: "rw".into(),
        }],
        ulimits: vec![Ulimit {
            name: "nofile".into(),
            soft: 1024,
            hard: 2048,
        }],
        log_opts: BTreeMap::from([("max-size".into(), "1m".into())]),
        ..HostSettings::default()
    };
    let (mut c, nets) = container(Status::Running, run, host, net);
    c.state.ports = vec![
        publish(Some(Ipv4Addr::LOCALHOST), 8080, 80),
        publish(None, 32768, 90),
    ];
    (c, nets)
}

#[test]
fn container_with_many_flags_has_dockers_tree_and_reads_them_back() {
    let (c, nets) = flags_container();
    let v = inspect(&c, nets);
    assert_same_tree(&fixture("container-flags"), &v, CONTAINER_ALLOWED);
    let h = &v["HostConfig"];
    assert_eq!(
        h["PortBindings"],
        json!({"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}],
               "90/tcp": [{"HostIp": "", "HostPort": ""}]})
    );
    assert_eq!(
        v["NetworkSettings"]["Ports"],
        json!({"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}],
               "90/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]})
    );
    assert_eq!(h["CapAdd"], json!(["CAP_NET_ADMIN"]));
    assert_eq!(h["CapDrop"], json!(["CAP_MKNOD"]));
    assert_eq!(h["Dns"], json!(["127.0.0.53"]));
    assert_eq!(h["ExtraHosts"], json!(["foo:127.0.0.2"]));
    assert_eq!(
        h["Ulimits"],
        json!([{"Name": "nofile", "Hard": 2048, "Soft": 1024}])
    );
    assert_eq!(h["Init"], json!(true));
    assert_eq!(h["MemorySwap"], json!(-1), "swap is not limited");
    assert_eq!(v["Config"]["StopTimeout"], json!(7));
    // docker's order, not alphabetical.
    let keys: Vec<&String> = v["HostConfig"].as_object().unwrap().keys().collect();
    let docker = fixture("container-flags");
    let want: Vec<&String> = docker["HostConfig"].as_object().unwrap().keys().collect();
    assert_eq!(keys, want);
}

#[test]
fn container_on_a_user_network_has_dockers_tree() {
    let net = NetRequest {
        aliases: vec!["al1".into()],
        ..NetRequest::default()
    };
    let (c, nets) = container(
        Status::Running,
        RunSettings::default(),
        plain_host("inspnet"),
        net,
    );
    let v = inspect(&c, nets);
    assert_same_tree(&fixture("container-user-network"), &v, CONTAINER_ALLOWED);
    let e = &v["NetworkSettings"]["Networks"]["inspnet"];
    // API 1.45: Aliases are the user's only; DNSNames has the rest.
    assert_eq!(e["Aliases"], json!(["al1"]));
    assert_eq!(e["DNSNames"], json!(["c", "al1", "abababababab"]));
    assert_eq!(
        v["NetworkSettings"]["IPAddress"], "",
        "not the default bridge"
    );
}

#[test]
fn container_on_none_has_dockers_tree() {
    let (c, nets) = container(
        Status::Running,
        RunSettings::default(),
        HostSettings {
            auto_remove: true,
            ..plain_host("none")
        },
        NetRequest::default(),
    );
    let v = inspect(&c, nets);
    assert_same_tree(&fixture("container-none"), &v, CONTAINER_ALLOWED);
    assert_eq!(
        v["NetworkSettings"]["Networks"]["none"]["NetworkID"],
        "ee".repeat(32)
    );
}

#[test]
fn created_and_privileged_containers_have_dockers_tree() {
    let (c, nets) = container(
        Status::Created,
        RunSettings::default(),
        plain_host("bridge"),
        NetRequest::default(),
    );
    let v = inspect(&c, nets);
    // The CLI sends false; docker clears it (null) when the kernel cannot
    // disable the OOM killer (cgroup v2, where skiff runs), at the first
    // start. skiff says null throughout.
    let created_allowed = [CONTAINER_ALLOWED, &["HostConfig/OomKillDisable"]].concat();
    assert_same_tree(&fixture("container-created"), &v, &created_allowed);
    assert_eq!(v["State"]["StartedAt"], "0001-01-01T00:00:00Z");
    assert_eq!(v["NetworkSettings"]["Ports"], json!({}));
    let (c, nets) = container(
        Status::Created,
        RunSettings::default(),
        HostSettings {
            privileged: true,
            memory: 64 << 20,
            ..plain_host("bridge")
        },
        NetRequest::default(),
    );
    let v = inspect(&c, nets);
    // docker's peer has no memory controller, so it dropped -m and its
    // swap: the values differ, the types do not.
    assert_same_tree(&fixture("container-privileged"), &v, &created_allowed);
    assert_eq!(v["HostConfig"]["SecurityOpt"], json!(["label=disable"]));
    assert_eq!(v["HostConfig"]["MaskedPaths"], Value::Null);
    assert_eq!(v["HostConfig"]["ReadonlyPaths"], Value::Null);
}

#[test]
fn image_has_dockers_tree() {
    let record = serde_json::from_value(json!({
        "id": format!("sha256:{}", "cd".repeat(32)),
        "repo_digests": [format!("localhost:5000/library/busybox@sha256:{}", "ef".repeat(32))],
        "layers": [],
        "size": 1985739,
    }))
    .unwrap();
    let config = serde_json::from_value(json!({
        "created": "2000-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", "12".repeat(32))]},
    }))
    .unwrap();
    let s = ImageSummary {
        record,
        config,
        tags: vec![Reference::parse("localhost:5000/library/busybox:latest").unwrap()],
        created: Some(946_684_800_000_000_000),
    };
    let v = to_value(&image::build(&s, &["/l/1/diff".into()], "overlay"));
    let allowed = [
        // API 1.45 and 1.44 dropped them; the fixture's 20.10 daemon sent them.
        "ContainerConfig",
        "VirtualSize",
    ];
    assert_same_tree(&fixture("image"), &v, &allowed);
    assert_eq!(v["Config"], json!({"Env": ["PATH=/bin"], "Cmd": ["sh"]}));
    assert_eq!(
        v["RepoTags"],
        json!(["localhost:5000/library/busybox:latest"])
    );
}

#[test]
fn networks_have_dockers_tree() {
    let mut user = network("inspnet", '2', "172.19.0.0/16", true);
    user.labels.insert("a".into(), "b".into());
    user.endpoints.insert(
        "ab".repeat(32),
        Endpoint {
            name: "c".into(),
            ip: "172.19.0.2".parse().unwrap(),
            mac: "02:42:ac:13:00:02".into(),
            aliases: vec![],
        },
    );
    let v = to_value(&network::build(&NetworkEntry::Stored(user), |_| true));
    assert_same_tree(&fixture("network-user"), &v, &["EnableIPv4"]);
    assert_eq!(v["EnableIPv4"], json!(true), "docker 28 says true");
    assert_eq!(
        v["Containers"]["ab".repeat(32)]["IPv4Address"],
        "172.19.0.2/16"
    );
    let mut bridge = network("bridge", '1', "172.18.0.0/16", false);
    bridge.endpoints = BTreeMap::from([(
        "ab".repeat(32),
        Endpoint {
            name: "c".into(),
            ip: "172.18.0.2".parse().unwrap(),
            mac: "02:42:ac:12:00:02".into(),
            aliases: vec![],
        },
    )]);
    bridge.options = BTreeMap::from([("com.docker.network.bridge.name".into(), "skiff0".into())]);
    let v = to_value(&network::build(&NetworkEntry::Stored(bridge), |_| true));
    assert_same_tree(&fixture("network-bridge"), &v, &["EnableIPv4"]);
    let none = NetworkEntry::Mode {
        name: "none",
        driver: "null",
    };
    let v = to_value(&network::build(&none, |_| true));
    assert_same_tree(&fixture("network-none"), &v, &[]);
}

#[test]
fn templates_see_omitted_fields_as_their_zero_values() {
    let (c, nets) = container(
        Status::Running,
        RunSettings::default(),
        plain_host("bridge"),
        NetRequest::default(),
    );
    let ctx = container::Context {
        dir: "/r".into(),
        run_dir: "/run".into(),
        driver: "overlay".into(),
        networks: nets,
        mode_id: String::new(),
        size: None,
    };
    let json = super::to_value(&container::build(&c, &ctx), InspectView::Json);
    let tmpl = super::to_value(&container::build(&c, &ctx), InspectView::Template);
    for (k, zero) in [
        ("StopSignal", json!("")),
        ("StopTimeout", Value::Null),
        ("ExposedPorts", json!({})),
        ("MacAddress", json!("")),
    ] {
        assert!(json["Config"].get(k).is_none(), "JSON omits Config.{k}");
        assert_eq!(tmpl["Config"][k], zero, "template sees Config.{k}");
    }
    assert!(json["HostConfig"].get("Init").is_none());
    assert!(json["HostConfig"].get("KernelMemory").is_none());
    assert_eq!(tmpl["HostConfig"]["KernelMemory"], json!(0));
    assert_eq!(tmpl["HostConfig"]["Init"], Value::Null);
    assert_eq!(tmpl["SizeRw"], Value::Null);
    // Nothing is left set for the next serialization.
    let again = super::to_value(&container::build(&c, &ctx), InspectView::Json);
    assert_eq!(again, json);
    assert_eq!(InspectView::for_format(None), InspectView::Json);
    assert_eq!(
        InspectView::for_format(Some(" {{json .}} ")),
        InspectView::Json
    );
    assert_eq!(
        InspectView::for_format(Some("{{.Config.User}}")),
        InspectView::Template
    );
}

#[test]
fn top_level_fields_copy_the_default_bridge_whatever_the_mode() {
    let (c, mut nets) = container(
        Status::Running,
        RunSettings::default(),
        plain_host("inspnet"),
        NetRequest::default(),
    );
    let connected = Endpoint {
        name: "c".into(),
        ip: "172.18.0.7".parse().unwrap(),
        mac: "02:42:ac:12:00:07".into(),
        aliases: vec![],
    };
    nets[0].endpoints.insert(c.id().to_owned(), connected);
    let v = inspect(&c, nets);
    let ns = &v["NetworkSettings"];
    assert_eq!(ns["IPAddress"], "172.18.0.7");
    assert_eq!(ns["MacAddress"], "02:42:ac:12:00:07");
    assert_eq!(ns["Networks"]["inspnet"]["IPAddress"], "172.19.0.2");
    assert_eq!(ns["Networks"]["bridge"]["IPAMConfig"], Value::Null);
}
