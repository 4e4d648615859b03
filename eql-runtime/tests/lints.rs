//! Generated code raises no lint, even with clippy's groups denied:
//! `cargo clippy --all-targets` checks this file (the UI case
//! `tests/ui/pass/deny_lints.rs` checks rustc's lints alone).

#![deny(warnings, clippy::all, clippy::pedantic, clippy::nursery)]

use eql_runtime::{Event, eql_pack, eql_rule};

eql_rule! {
    /// Every kind of test the compiler emits.
    pub Everything = r#"process where process.name : ("ssh", "sc*", "*x*", "?y") and
        process.args like~ "-L*" and process.name regex "s.h" and
        process.pid > 1 and process.pid in (2, 3) and
        cidrMatch(source.ip, "10.0.0.0/8") and length(process.name) == 3 and
        startsWith~(process.name, "S") and ?process.missing == null and
        process.pid + 1 < 10 and not process.interactive | head 5"#;
}

eql_pack! {
    /// The shipped rules.
    #[eql(dir = "../rules", sequences = ShippedSequences)]
    pub Shipped;
}

#[derive(Debug, Event)]
struct Process<'a> {
    name: &'a str,
    args: Vec<&'a str>,
    pid: u32,
    interactive: bool,
}

#[derive(Debug, Event)]
struct Source {
    ip: std::net::IpAddr,
}

#[derive(Debug, Event)]
struct ProcessEvent<'a> {
    #[eql(rename = "event.category")]
    category: &'a str,
    process: Process<'a>,
    source: Source,
}

#[test]
fn generated_code_is_lint_free() {
    let event = ProcessEvent {
        category: "process",
        process: Process {
            name: "ssh",
            args: vec!["ssh", "-L8080:db:5432"],
            pid: 2,
            interactive: false,
        },
        source: Source {
            ip: std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 2, 3)),
        },
    };
    assert!(Everything::matches(&event));
    let mut record = eql_runtime::json::Record::<Shipped>::new();
    let line = br#"{"event":{"category":"process","type":"start","action":"exec"},
        "process":{"name":"ngrok"},"container":{"id":"c"}}"#;
    let view = record.decode(line).expect("a valid event");
    let mut matched = 0;
    Shipped::for_each_match(&view, |_| matched += 1);
    assert_eq!(matched, 1);
    // The same record feeds the sequence rules: ngrok in a container, then
    // its connection out.
    let mut sequences = ShippedSequences::<u32>::new();
    let mut completed = Vec::new();
    let lines: [&[u8]; 2] = [
        br#"{"@timestamp":"2026-01-01T00:00:00Z","event":{"category":"process","type":"start",
            "action":"exec"},"process":{"name":"ngrok","entity_id":"e"},"container":{"id":"c"}}"#,
        br#"{"@timestamp":"2026-01-01T00:00:09Z","event":{"category":"network",
            "action":"connection_attempted"},"process":{"name":"ngrok","entity_id":"e"},
            "container":{"id":"c"},"destination":{"ip":"192.0.2.1"}}"#,
    ];
    for (number, line) in (1..).zip(lines) {
        let view = record.decode(line).expect("a valid event");
        let pushed = sequences.push(&view, number, |rule, found| {
            completed.push((
                rule.id,
                found
                    .events()
                    .map(Option::<&u32>::copied)
                    .collect::<Vec<_>>(),
            ));
        });
        assert_eq!(pushed, Ok(()));
    }
    sequences.finish(|_, _| panic!("nothing waits for the end"));
    assert_eq!(
        completed,
        [(
            "0c6f3f7e-2b1d-4c55-9a0e-6c1f4d2e8b31",
            vec![Some(1), Some(2)]
        )]
    );
}
