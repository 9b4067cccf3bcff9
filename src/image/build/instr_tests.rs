use std::collections::BTreeMap;

use super::*;
use crate::image::build::dockerfile::parse;

fn applied(lines: &[&str], vars: &[(&str, &str)]) -> Res<Config> {
    let text = format!("FROM scratch\n{}\n", lines.join("\n"));
    let df = parse(&text).map_err(|e| e.to_string())?;
    let env: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lx = Lexer::new('\\');
    let mut cfg = Config::default();
    for ins in &df.instructions[1..] {
        assert!(apply(&mut cfg, ins, &lx, &env)?, "{}", ins.keyword);
    }
    Ok(cfg)
}

#[test]
fn env_and_label_pairs_expand_with_what_came_before() {
    let c = applied(
        &[
            "ENV A=1 B=\"two words\" C=${WHO:-x}",
            "ENV LEGACY some value $WHO",
            "LABEL \"k y\"=v who=$WHO",
        ],
        &[("WHO", "me")],
    )
    .unwrap();
    assert_eq!(
        c.run.env.unwrap(),
        ["A=1", "B=two words", "C=me", "LEGACY=some value me"]
    );
    let labels = c.run.labels.unwrap();
    assert_eq!(
        (labels["k y"].as_str(), labels["who"].as_str()),
        ("v", "me")
    );
    assert!(applied(&["ENV =x"], &[]).is_err());
}

#[test]
fn paths_ports_and_commands() {
    let c = applied(
        &[
            "WORKDIR /srv",
            "WORKDIR app/../web",
            "EXPOSE 80 8000-8002/udp",
            "VOLUME [\"/a\", \"/b\"]",
            "USER $U",
            "CMD echo hi",
            "ENTRYPOINT [\"/init\"]",
            "SHELL [\"/bin/bash\", \"-c\"]",
            "STOPSIGNAL SIGTERM",
        ],
        &[("U", "1000")],
    )
    .unwrap();
    let r = c.run;
    assert_eq!(r.working_dir.as_deref(), Some("/srv/web"));
    let ports: Vec<&String> = r.exposed_ports.as_ref().unwrap().keys().collect();
    assert_eq!(ports, ["80/tcp", "8000/udp", "8001/udp", "8002/udp"]);
    assert_eq!(r.volumes.unwrap().len(), 2);
    assert_eq!(r.user.as_deref(), Some("1000"));
    // CMD set in this stage stays after an ENTRYPOINT.
    assert_eq!(r.cmd.unwrap(), ["/bin/sh", "-c", "echo hi"]);
    assert_eq!(r.entrypoint.unwrap(), ["/init"]);
    assert_eq!(r.shell.unwrap(), ["/bin/bash", "-c"]);
    assert!(applied(&["EXPOSE 70000"], &[]).is_err());
    assert!(applied(&["SHELL /bin/sh"], &[]).is_err());
}

#[test]
fn healthchecks_as_docker_stores_them() {
    let c = applied(
        &["HEALTHCHECK --interval=30s --timeout=3s --retries=4 CMD [\"curl\", \"-f\", \"x\"]"],
        &[],
    )
    .unwrap();
    let h = c.run.healthcheck.unwrap();
    assert_eq!(h["Test"], serde_json::json!(["CMD", "curl", "-f", "x"]));
    assert_eq!(h["Interval"], 30_000_000_000i64);
    assert_eq!(h["Timeout"], 3_000_000_000i64);
    assert_eq!(h["Retries"], 4);
    let c = applied(&["HEALTHCHECK NONE"], &[]).unwrap();
    assert_eq!(
        c.run.healthcheck.unwrap()["Test"],
        serde_json::json!(["NONE"])
    );
    assert!(applied(&["HEALTHCHECK --bogus=1 CMD true"], &[]).is_err());
    assert!(applied(&["ONBUILD FROM x"], &[]).is_err());
}
