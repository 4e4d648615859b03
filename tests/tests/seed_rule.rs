//! The container tunnelling rule, compiled by `eql_rule!` from its rule file,
//! over a typed event of our own: one positive and one negative case per
//! branch of the rule, and the cases around case sensitivity, arrays and
//! missing fields.

use eql_runtime::{Event, EventRule, eql_rule};

eql_rule! {
    /// The seed rule, from `rules/`.
    #[eql(file = "../rules/tunneling_port_forwarding_defend_for_containers.toml")]
    Tunnel;
}

#[derive(Event, Clone, Debug)]
struct ProcessEvent<'a> {
    event: EventInfo<'a>,
    process: Process<'a>,
    #[eql(rename = "container.id")]
    container_id: Option<&'a str>,
}

#[derive(Event, Clone, Debug)]
struct EventInfo<'a> {
    category: Vec<&'a str>,
    #[eql(rename = "type")]
    kind: Vec<&'a str>,
    action: &'a str,
}

#[derive(Event, Clone, Debug)]
struct Process<'a> {
    name: &'a str,
    args: Vec<&'a str>,
}

fn exec<'a>(name: &'a str, args: &[&'a str]) -> ProcessEvent<'a> {
    ProcessEvent {
        event: EventInfo {
            category: vec!["process"],
            kind: vec!["start"],
            action: "exec",
        },
        process: Process {
            name,
            args: args.to_vec(),
        },
        container_id: Some("6f1c2bd0a9e3"),
    }
}

#[track_caller]
fn check(name: &str, args: &[&str], expected: bool) {
    let event = exec(name, args);
    assert_eq!(
        Tunnel::matches(&event),
        expected,
        "process.name = {name:?}, process.args = {args:?}"
    );
}

#[test]
fn metadata_comes_from_the_rule_file() {
    let meta = Tunnel.meta();
    assert_eq!(meta.id, "9d94d61b-9476-41ff-a8d3-3d24b4bb8158");
    assert_eq!(
        meta.name,
        "Tunneling and/or Port Forwarding Detected via Defend for Containers"
    );
    assert_eq!(meta.severity, "medium");
    assert_eq!(meta.risk_score, 47);
    assert_eq!(meta.tactics, ["TA0011"]);
    assert_eq!(meta.techniques, ["T1090", "T1572"]);
    assert_eq!(
        Tunnel::PATHS,
        [
            "container.id",
            "event.action",
            "event.category",
            "event.type",
            "process.args",
            "process.name"
        ]
    );
}

#[test]
fn regex_branch() {
    check("plink", &["plink", "10.0.0.5:8080:192.168.1.10:80"], true);
    check("plink", &["plink", "x10.0.0.5:8080:192.168.1.10:80y"], true);
    check("plink", &["plink", "10.0.0.5:192.168.1.10"], false);
    check("plink", &["plink", "10.0.0.5:8080"], false);
    check(
        "plink",
        &["plink", "10.0.0.5:8080:192.168.1.10:123456"],
        true,
    );
    check("plink", &["plink", "1000.0.0.5:8080:192.168.1.10:80"], true);
    check(
        "plink",
        &["plink", "10.0.0.5:808080:192.168.1.10:80"],
        false,
    );
}

#[test]
fn gost_branch() {
    check("gost", &["gost", "-L=tcp://:8080"], true);
    check("gost", &["gost", "-c=x"], true);
    check("gost", &["gost", "-R"], true);
    check("gost", &["gost", "-V"], false);
    check("Gost", &["Gost", "-L=tcp://:8080"], false);
}

#[test]
fn ssh_flag_branch() {
    check("ssh", &["ssh", "-R", "9000:localhost:22"], true);
    check("ssh", &["ssh", "-fNL", "8080:db:5432"], true);
    check("ssh", &["ssh", "-D", "1080"], true);
    check("ssh", &["ssh", "-w", "0:0"], true);
    check("ssh", &["ssh", "-l", "user", "10.0.0.16"], false);
    check("ssh", &["ssh", "-W", "host:22"], false);
    check("SSH", &["SSH", "-L", "8080:db:5432"], false);
    check("ssh", &["ssh", "-L", "8080:db:5432", "chmod"], false);
    check("ssh", &["ssh", "-L", "8080:db:5432", "CHMOD"], true);
    check("ssh", &["ssh", "-D", "1080", "/tmp/rungencmd.sh"], false);
    check("ssh", &["ssh", "-D", "1080", "/tmp/RUNGENCMD.sh"], true);
}

#[test]
fn ssh_option_branch() {
    check("ssh", &["ssh", "-o", "ProxyCommand=nc %h %p", "host"], true);
    check("ssh", &["ssh", "-o", "proxyjump=bastion", "host"], true);
    check(
        "ssh",
        &["ssh", "-o", "EXITONFORWARDFAILURE=yes", "host"],
        true,
    );
    check(
        "ssh",
        &["ssh", "-o", "StrictHostKeyChecking=no", "host"],
        false,
    );
    check(
        "ssh",
        &["ssh", "-O", "ProxyCommand=nc %h %p", "host"],
        false,
    );
    check("ssh", &["ssh", "ProxyCommand=nc %h %p", "host"], false);
}

#[test]
fn sshuttle_branch() {
    check("sshuttle", &["sshuttle", "-r", "user@relay", "0/0"], true);
    check("sshuttle", &["sshuttle", "--listen", "0.0.0.0:0"], true);
    check("sshuttle", &["sshuttle", "-R", "user@relay"], false);
    check("sshuttle", &["sshuttle", "--version"], false);
}

#[test]
fn earthworm_branch() {
    check("ew", &["./ew", "-s", "rssocks", "-d", "203.0.113.9"], true);
    check("ew", &["./ew", "-s", "rssocks", "-e", "8888"], false);
    check("ew", &["./ew", "-s", "RSSOCKS", "-d", "203.0.113.9"], false);
}

#[test]
fn socat_branch() {
    check(
        "socat",
        &["socat", "TCP4-LISTEN:8080,fork", "TCP4:10.0.0.2:80"],
        true,
    );
    check(
        "socat",
        &["socat", "tcp4-listen:9090,fork", "tcp:db:5432"],
        true,
    );
    check(
        "socat",
        &["socat", "STDIO", "socks4a:proxy:intranet:80"],
        true,
    );
    check(
        "socat",
        &["socat", "TCP-LISTEN:8080", "TCP:10.0.0.2:80"],
        false,
    );
    check("Socat", &["Socat", "TCP4-LISTEN:8080"], false);
}

#[test]
fn chisel_branch() {
    check(
        "chisel_1.9_linux_amd64",
        &["chisel", "client", "1.2.3.4:8000"],
        true,
    );
    check("CHISEL", &["CHISEL", "server"], true);
    check("chisel", &["chisel", "Client"], false);
    check("chisel", &["chisel", "--help"], false);
    check("xchisel", &["xchisel", "client"], false);
}

#[test]
fn name_branch() {
    for name in [
        "iodine",
        "iodined",
        "dnscat",
        "hans",
        "hans-ubuntu",
        "ptunnel-ng",
        "ssf",
        "3proxy",
        "ngrok",
        "wstunnel",
        "pivotnacci",
        "frps",
        "proxychains",
    ] {
        check(name, &[name], true);
    }
    check("Ngrok", &["Ngrok"], false);
    check("ngrok2", &["ngrok2"], false);
    check("frpc", &["frpc"], false);
}

#[test]
fn event_filters_and_container_id() {
    let base = exec("ngrok", &["ngrok", "http", "8080"]);
    assert!(Tunnel::matches(&base));

    let mut event = base.clone();
    event.event.kind = vec!["change", "start"];
    assert!(Tunnel::matches(&event), "event.type array, any element");

    let mut event = base.clone();
    event.event.kind = vec!["end"];
    assert!(!Tunnel::matches(&event), "event.type end");

    let mut event = base.clone();
    event.event.kind = vec![];
    assert!(!Tunnel::matches(&event), "event.type empty array");

    let mut event = base.clone();
    event.event.action = "fork";
    assert!(!Tunnel::matches(&event), "event.action fork");

    let mut event = base.clone();
    event.event.category = vec!["network"];
    assert!(!Tunnel::matches(&event), "category network");

    let mut event = base.clone();
    event.event.category = vec!["Process"];
    assert!(
        !Tunnel::matches(&event),
        "the category test is case-sensitive"
    );

    let mut event = base.clone();
    event.container_id = None;
    assert!(!Tunnel::matches(&event), "container.id missing");

    let mut event = base.clone();
    event.container_id = Some("");
    assert!(!Tunnel::matches(&event), "container.id empty");

    let mut event = base;
    event.container_id = Some("x");
    assert!(Tunnel::matches(&event), "container.id of one character");
}

eql_rule! {
    /// `!=`, `not` and `not in` hold on a missing field.
    Negations = r#"any where process.name != "ssh" and not process.args : "-L*" and process.parent.name not in ("bash", "sh")"#;

    /// `?` marks a field the event type may lack.
    Optional = r#"any where ?process.working_directory == null and process.name == "ssh""#;
}

#[derive(Event)]
struct Sparse<'a> {
    process: SparseProcess<'a>,
}

#[derive(Event)]
struct SparseProcess<'a> {
    name: Option<&'a str>,
    args: Option<Vec<&'a str>>,
    parent: Option<Parent<'a>>,
}

#[derive(Event)]
struct Parent<'a> {
    name: &'a str,
}

#[test]
fn negations_hold_on_missing_fields() {
    let empty = Sparse {
        process: SparseProcess {
            name: None,
            args: None,
            parent: None,
        },
    };
    assert!(Negations::matches(&empty));
    let with_values = Sparse {
        process: SparseProcess {
            name: Some("ssh"),
            args: Some(vec!["-L"]),
            parent: Some(Parent { name: "bash" }),
        },
    };
    assert!(!Negations::matches(&with_values));
    let mixed = Sparse {
        process: SparseProcess {
            name: Some("scp"),
            args: Some(vec!["-r", "-p22"]),
            parent: Some(Parent { name: "zsh" }),
        },
    };
    assert!(Negations::matches(&mixed));
    let forwarding = Sparse {
        process: SparseProcess {
            name: Some("scp"),
            args: Some(vec!["-r", "-l5"]),
            parent: Some(Parent { name: "sh" }),
        },
    };
    assert!(!Negations::matches(&forwarding));
}

#[test]
fn optional_field_absent_from_the_type_reads_as_null() {
    let event = Sparse {
        process: SparseProcess {
            name: Some("ssh"),
            args: None,
            parent: None,
        },
    };
    assert!(Optional::matches(&event));
}
