//! `network create/ls/inspect/rm/prune` as a user sees them: docker's
//! columns, JSON and errors, IPAM choices, and the predefined networks.

mod common;

use common::*;

#[test]
fn predefined_networks_are_listed_and_protected() {
    // network create makes a bridge: the link checks of the tests below
    // must not see this one's come and go.
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let s = Skiff::new();
    assert_eq!(
        s.ok(&[
            "network",
            "ls",
            "--format",
            "{{.Name}} {{.Driver}} {{.Scope}}"
        ]),
        "bridge bridge local\nhost host local\nnone null local\n"
    );
    let table = s.ok(&["network", "ls"]);
    assert!(
        table.starts_with("NETWORK ID     NAME      DRIVER    SCOPE\n"),
        "{table}"
    );
    let id = s.ok(&["network", "inspect", "-f", "{{.Id}}", "bridge"]);
    assert_eq!(id.trim().len(), 64);
    assert_eq!(
        s.ok(&[
            "network",
            "inspect",
            "-f",
            "{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}",
            "bridge"
        ])
        .trim()
        .split(' ')
        .count(),
        2
    );
    for n in ["bridge", "host", "none"] {
        let err = s.fails(1, &["network", "rm", n]);
        assert!(err.contains("pre-defined network"), "{err}");
    }
    assert_eq!(s.ok(&["network", "ls", "-q"]).lines().count(), 3);
    assert_eq!(
        s.ok(&["network", "ls", "-f", "type=custom"])
            .lines()
            .count(),
        1,
        "header only"
    );
}

#[test]
fn create_inspect_filter_and_remove() {
    // network create makes a bridge: the link checks of the tests below
    // must not see this one's come and go.
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let s = Skiff::new();
    let id = s.ok(&[
        "network",
        "create",
        "--subnet",
        "10.231.0.0/24",
        "--ip-range",
        "10.231.0.128/25",
        "--gateway",
        "10.231.0.254",
        "--label",
        "team=blue",
        "--internal",
        "-o",
        "mtu=1400",
        "blue",
    ]);
    assert_eq!(id.trim().len(), 64);
    let v: serde_json::Value =
        serde_json::from_str(&s.ok(&["network", "inspect", "blue"])).unwrap();
    let n = &v[0];
    assert_eq!(n["Name"], "blue");
    assert_eq!(n["Id"], id.trim());
    assert_eq!(n["Driver"], "bridge");
    assert_eq!(n["Scope"], "local");
    assert_eq!(n["Internal"], true);
    assert_eq!(
        n["IPAM"]["Config"][0],
        serde_json::json!({"Subnet": "10.231.0.0/24", "Gateway": "10.231.0.254", "IPRange": "10.231.0.128/25"})
    );
    assert_eq!(n["Labels"]["team"], "blue");
    assert_eq!(n["Options"]["mtu"], "1400");
    assert_eq!(n["Containers"], serde_json::json!({}));
    // No subnet given: the next free docker pool.
    s.ok(&["network", "create", "auto"]);
    let sub = s.ok(&[
        "network",
        "inspect",
        "-f",
        "{{(index .IPAM.Config 0).Subnet}}",
        "auto",
    ]);
    assert!(
        sub.starts_with("172.") || sub.starts_with("192.168."),
        "{sub}"
    );
    assert_ne!(
        sub,
        s.ok(&[
            "network",
            "inspect",
            "-f",
            "{{(index .IPAM.Config 0).Subnet}}",
            "bridge"
        ]),
        "not the default network's"
    );
    assert_eq!(
        s.ok(&[
            "network",
            "ls",
            "-f",
            "label=team=blue",
            "--format",
            "{{.Name}}"
        ]),
        "blue\n"
    );
    assert_eq!(
        s.ok(&[
            "network",
            "ls",
            "-f",
            "driver=null",
            "--format",
            "{{.Name}}"
        ]),
        "none\n"
    );
    assert_eq!(
        s.ok(&[
            "network",
            "ls",
            "-f",
            "type=custom",
            "--format",
            "{{.Name}}"
        ]),
        "auto\nblue\n"
    );
    let short = &id.trim()[..12];
    assert_eq!(
        s.ok(&["network", "inspect", "-f", "{{.Name}}", short]),
        "blue\n",
        "by id prefix"
    );
    assert_eq!(s.ok(&["network", "rm", "blue", "auto"]), "blue\nauto\n");
    assert_eq!(s.ok(&["network", "ls", "-f", "type=custom", "-q"]), "");
}

#[test]
fn bad_input_is_refused_cleanly() {
    // network create makes a bridge: the link checks of the tests below
    // must not see this one's come and go.
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let s = Skiff::new();
    s.ok(&["network", "create", "--subnet", "10.232.0.0/16", "first"]);
    let cases: [(&[&str], &str); 8] = [
        (&["--subnet", "10.232.5.0/24", "x"], "overlaps"),
        (&["--subnet", "10.1.0.0/33", "x"], "10.1.0.0/33"),
        (&["--subnet", "bogus", "x"], "bogus"),
        (&["--gateway", "10.9.9.1", "x"], "corresponding subnet"),
        (
            &["--subnet", "10.9.0.0/24", "--gateway", "10.8.0.1", "x"],
            "10.8.0.1",
        ),
        (
            &["--subnet", "10.9.0.0/24", "--ip-range", "10.8.0.0/25", "x"],
            "10.8.0.0/25",
        ),
        (&["--driver", "weird", "x"], "weird"),
        (&["first"], "already exists"),
    ];
    for (args, want) in cases {
        let mut a = vec!["network", "create"];
        a.extend_from_slice(args);
        let err = s.fails(1, &a);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    let err = s.fails(1, &["network", "create", "-d", "macvlan", "mv"]);
    assert!(err.contains("parent"), "{err}");
    let err = s.fails(
        1,
        &[
            "network",
            "create",
            "-d",
            "macvlan",
            "-o",
            "parent=nosuchif0",
            "mv",
        ],
    );
    assert!(err.contains("nosuchif0"), "{err}");
    let err = s.fails(1, &["network", "create", "bridge"]);
    assert!(err.contains("already exists"), "{err}");
    let err = s.fails(125, &["network", "create", "-bad"]);
    assert!(
        err.contains("-bad") || err.contains("unknown shorthand"),
        "{err}"
    );
    let err = s.fails(1, &["network", "rm", "nope"]);
    assert_eq!(err, "Error: network nope not found\n");
    assert_eq!(s.ok(&["network", "rm", "-f", "nope"]), "");
    let err = s.fails(1, &["network", "inspect", "nope"]);
    assert!(err.contains("network nope not found"), "{err}");
    assert_eq!(
        s.ok(&[
            "network",
            "ls",
            "-f",
            "type=custom",
            "--format",
            "{{.Name}}"
        ]),
        "first\n",
        "nothing half-created"
    );
    let err = s.fails(1, &["network", "prune"]);
    assert!(
        err.contains("-f"),
        "never prompts without a terminal: {err}"
    );
    assert_eq!(
        s.ok(&["network", "prune", "-f"]),
        "Deleted Networks:\nfirst\n\n"
    );
}

#[test]
fn top_level_inspect_finds_networks() {
    // network create makes a bridge: the link checks of the tests below
    // must not see this one's come and go.
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let s = Skiff::new();
    s.ok(&["network", "create", "--subnet", "10.235.0.0/24", "findme"]);
    assert_eq!(
        s.ok(&["inspect", "-f", "{{.Name}} {{.Driver}}", "findme"]),
        "findme bridge\n"
    );
    assert_eq!(
        s.ok(&["inspect", "--type", "network", "-f", "{{.Name}}", "none"]),
        "none\n"
    );
    let err = s.fails(1, &["inspect", "nothing-by-this-name"]);
    assert!(
        err.contains("No such object: nothing-by-this-name"),
        "{err}"
    );
    assert_eq!(s.ok(&["network", "rm", "findme"]), "findme\n");
}

/// The tests below run real containers and bridges: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn link_exists(name: &str) -> bool {
    std::path::Path::new("/sys/class/net").join(name).exists()
}

fn addrs_of(link: &str) -> String {
    let out = std::process::Command::new("ip")
        .args(["-o", "-4", "addr", "show", "dev", link])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ip addr show eth0` in a container run on `network`.
fn eth0_of_a_run(e: &TestEnv, network: &str) -> String {
    let ip = ["ip", "-o", "-4", "addr", "show", "eth0"];
    e.s.ok(&[&["run", "--rm", "--network", network, &e.img][..], &ip].concat())
}

/// A user network's bridge is `br-<first 12 of its id>`, as docker names
/// it: made by `network create` with the gateway address, there while the
/// network is, gone with `network rm`.
#[test]
fn a_user_bridge_is_br_and_its_id_while_the_network_exists() {
    let Some(e) = TestEnv::new(&SERIAL) else {
        return;
    };
    let s = &e.s;
    let id = s.ok(&["network", "create", "--subnet", "10.236.0.0/24", "brnet"]);
    let br = format!("br-{}", &id.trim()[..12]);
    assert!(link_exists(&br), "{br} after network create");
    assert!(
        addrs_of(&br).contains("inet 10.236.0.1/24"),
        "{}",
        addrs_of(&br)
    );
    let out = eth0_of_a_run(&e, "brnet");
    assert!(out.contains("inet 10.236.0.2/24"), "{out}");
    assert!(link_exists(&br), "{br} outlives its containers");
    assert_eq!(s.ok(&["network", "rm", "brnet"]), "brnet\n");
    assert!(!link_exists(&br), "{br} after network rm");
    // A network recorded by an older skiff, with its bridge `sk-<12>`,
    // goes on working on that bridge (made again after a reboot) and goes
    // with network rm.
    let id = s.ok(&["network", "create", "--subnet", "10.236.0.0/24", "old"]);
    let (br, sk) = (
        format!("br-{}", &id.trim()[..12]),
        format!("sk-{}", &id.trim()[..12]),
    );
    let path = s.root().join("networks/old.json");
    let mut n: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    n["interface"] = sk.clone().into();
    std::fs::write(&path, serde_json::to_vec(&n).unwrap()).unwrap();
    std::process::Command::new("ip")
        .args(["link", "del", &br])
        .status()
        .unwrap();
    let out = eth0_of_a_run(&e, "old");
    assert!(out.contains("inet 10.236.0.2/24"), "{out}");
    assert!(link_exists(&sk) && !link_exists(&br));
    assert_eq!(s.ok(&["network", "rm", "old"]), "old\n");
    assert!(!link_exists(&sk), "{sk} after network rm");
}

/// A created container `name` on two new bridge networks (the first at
/// create, the second by connect); their bridges' names.
fn on_two_networks(
    e: &TestEnv,
    name: &str,
    (n1, sub1): (&str, &str),
    (n2, sub2): (&str, &str),
) -> (String, String) {
    let s = &e.s;
    let a = s.ok(&["network", "create", "--subnet", sub1, n1]);
    let b = s.ok(&["network", "create", "--subnet", sub2, n2]);
    s.ok(&[
        "create",
        "--name",
        name,
        "--network",
        n1,
        &e.img,
        "sleep",
        "60",
    ]);
    s.ok(&["network", "connect", n2, name]);
    (
        format!("br-{}", &a.trim()[..12]),
        format!("br-{}", &b.trim()[..12]),
    )
}

/// A start whose second attachment fails midway (the kernel refuses a
/// multicast MAC once that attachment's bridge and veth exist) rolls back
/// everything: both bridges it had to make (as after a reboot), the
/// veths, the rules; and nothing is left on the host.
#[test]
fn a_setup_failing_midway_rolls_back_every_attachment() {
    let Some(e) = TestEnv::new(&SERIAL) else {
        return;
    };
    let s = &e.s;
    let (bra, brb) = on_two_networks(&e, "rb", ("rba", "10.237.0.0/24"), ("rbb", "10.238.0.0/24"));
    // Its address on rbb gets a MAC no interface may have: stored state
    // that validation takes as given, and only the kernel refuses.
    let path = s.root().join("networks/rbb.json");
    let mut n: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for ep in n["endpoints"].as_object_mut().unwrap().values_mut() {
        ep["mac"] = "01:00:5e:00:00:01".into();
    }
    std::fs::write(&path, serde_json::to_vec(&n).unwrap()).unwrap();
    // As after a reboot: the start makes both bridges again.
    for br in [&bra, &brb] {
        std::process::Command::new("ip")
            .args(["link", "del", br])
            .status()
            .unwrap();
    }
    let links_before = skiff_links();
    let err = s.fails(1, &["start", "rb"]);
    assert!(err.contains("network rbb"), "{err}");
    assert!(
        !link_exists(&bra),
        "rba's bridge, made by this start, is rolled back"
    );
    assert!(
        !link_exists(&brb),
        "rbb's bridge, made by this start, is rolled back"
    );
    assert_eq!(skiff_links(), links_before, "no veth left");
    assert!(!skiff_table(), "no nftables rule left");
    let routes = std::process::Command::new("ip")
        .args(["-4", "route"])
        .output()
        .unwrap();
    let routes = String::from_utf8_lossy(&routes.stdout);
    assert!(
        !routes.contains("10.237.") && !routes.contains("10.238."),
        "{routes}"
    );
    // Without the bad attachment it starts, on a bridge made again.
    s.ok(&["network", "disconnect", "rbb", "rb"]);
    s.ok(&["start", "rb"]);
    assert!(
        addrs_of(&bra).contains("inet 10.237.0.1/24"),
        "{}",
        addrs_of(&bra)
    );
    s.ok(&["rm", "-f", "rb"]);
    assert_eq!(s.ok(&["network", "rm", "rba", "rbb"]), "rba\nrbb\n");
    assert!(!link_exists(&bra) && !link_exists(&brb));
}

/// `--link db:d` on the default bridge, as the peer docker 20.10 shows
/// it: a hosts line (alias, short id, name) and the legacy variables for
/// the linked container's exposed ports and environment; refused when the
/// linked container is missing or stopped, or with `--network host`. On a
/// user network the alias is only a name, for the linking container.
#[test]
fn links_give_hosts_and_variables_on_the_default_bridge_and_a_name_elsewhere() {
    let Some(e) = TestEnv::new(&SERIAL) else {
        return;
    };
    let s = &e.s;
    let run_db = [
        "run", "-d", "--name", "db", "-e", "FOO=bar", "--expose", "5432",
    ];
    s.ok(&[&run_db[..], &["--expose", "53/udp", &e.img, "sleep", "60"]].concat());
    let id = s.ok(&["inspect", "-f", "{{.Id}}", "db"]);
    let ip = s.ok(&["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "db"]);
    let (short, ip) = (&id.trim()[..12], ip.trim());
    let script = "env | sort; cat /etc/hosts";
    let out = s.ok(&[
        "run", "--rm", "--name", "cc", "--link", "db:d", &e.img, "sh", "-c", script,
    ]);
    for want in [
        "D_NAME=/cc/d".to_string(),
        format!("D_PORT=udp://{ip}:53"),
        format!("D_PORT_53_UDP=udp://{ip}:53"),
        format!("D_PORT_5432_TCP_ADDR={ip}"),
        "D_PORT_5432_TCP_PORT=5432".into(),
        "D_PORT_5432_TCP_PROTO=tcp".into(),
        "D_ENV_FOO=bar".into(),
        format!("{ip}\td {short} db"),
    ] {
        assert!(out.lines().any(|l| l == want), "{want:?} in:\n{out}");
    }
    assert!(
        !out.contains("D_ENV_PATH="),
        "docker leaves PATH out:\n{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[lines.len() - 2],
        format!("{ip}\td {short} db"),
        "then its own line:\n{out}"
    );
    // The container's own variable wins over a link's.
    let own = s.ok(&[
        "run",
        "--rm",
        "--link",
        "db:d",
        "-e",
        "D_NAME=mine",
        &e.img,
        "sh",
        "-c",
        "env | grep ^D_NAME=",
    ]);
    assert_eq!(own, "D_NAME=mine\n");
    let err = s.fails(125, &["create", "--link", "nope:x", &e.img, "true"]);
    assert!(err.contains("could not get container for nope"), "{err}");
    let err = s.fails(
        125,
        &[
            "create",
            "--network",
            "host",
            "--link",
            "db",
            &e.img,
            "true",
        ],
    );
    assert!(
        err.contains("host type networking can't be used with links"),
        "{err}"
    );
    s.ok(&["create", "--name", "late", "--link", "db:d", &e.img, "true"]);
    s.ok(&["kill", "db"]);
    let (code, _, err) = s.run(&["start", "late"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("Cannot link to a non running container: /db AS /late/d"),
        "{err}"
    );
    // A user network: no variables, no hosts line; the alias resolves.
    s.ok(&["network", "create", "--subnet", "10.239.0.0/24", "lnet"]);
    s.ok(&[
        "run",
        "-d",
        "--name",
        "ldb",
        "--network",
        "lnet",
        "-e",
        "X=1",
        &e.img,
        "sleep",
        "60",
    ]);
    let script = "env | grep -c ^DD_; grep -cw dd /etc/hosts; nslookup dd | grep Address | grep -v 127.0.0.11";
    let (_, out, _) = s.run(&[
        "run",
        "--rm",
        "--network",
        "lnet",
        "--link",
        "ldb:dd",
        &e.img,
        "sh",
        "-c",
        script,
    ]);
    assert!(out.starts_with("0\n0\n"), "{out}");
    assert!(out.contains("10.239.0.2"), "dd is ldb:\n{out}");
    let (_, out, _) = s.run(&["run", "--rm", "--network", "lnet", &e.img, "nslookup", "dd"]);
    assert!(
        !out.contains("10.239.0.2"),
        "the alias is the linking container's only:\n{out}"
    );
    s.ok(&["rm", "-f", "db", "late", "ldb"]);
    s.ok(&["network", "rm", "lnet"]);
}

/// Every attachment is validated before any is set up: when the second
/// network's bridge name is taken by an interface that is no bridge, the
/// start fails naming it, and the first network's bridge (gone, as after
/// a reboot) was not made either.
#[test]
fn an_invalid_attachment_fails_the_start_before_any_change() {
    let Some(e) = TestEnv::new(&SERIAL) else {
        return;
    };
    let s = &e.s;
    let (bra, brb) = on_two_networks(&e, "vl", ("vla", "10.240.0.0/24"), ("vlb", "10.241.0.0/24"));
    let ip = |args: &[&str]| {
        let st = std::process::Command::new("ip")
            .args(args)
            .status()
            .unwrap();
        assert!(st.success(), "ip {args:?}");
    };
    ip(&["link", "del", &bra]);
    ip(&["link", "del", &brb]);
    ip(&[
        "link", "add", &brb, "type", "veth", "peer", "name", "vl-peer0",
    ]);
    let links_before = skiff_links();
    let err = s.fails(1, &["start", "vl"]);
    assert!(
        err.contains(&format!("network vlb: {brb} exists and is not a bridge")),
        "{err}"
    );
    assert!(!link_exists(&bra), "nothing was set up");
    assert_eq!(skiff_links(), links_before);
    assert!(!skiff_table());
    ip(&["link", "del", &brb]);
    s.ok(&["rm", "-f", "vl"]);
    assert_eq!(s.ok(&["network", "rm", "vla", "vlb"]), "vla\nvlb\n");
}
