// Generated code raises no warning, even with every lint group denied.
#![deny(warnings, unused, nonstandard_style, rust_2018_idioms, future_incompatible)]
#![deny(missing_debug_implementations, unreachable_pub)]

use eql_runtime::{Event, eql_rule};

eql_rule! {
    /// A rule.
    pub Ssh = r#"process where process.name == "ssh" and process.args : "-L*""#;
}

#[derive(Debug, Event)]
struct Process<'a> {
    name: &'a str,
    args: Vec<&'a str>,
}

#[derive(Debug, Event)]
struct ProcessEvent<'a> {
    #[eql(rename = "event.category")]
    category: &'a str,
    process: Process<'a>,
}

fn main() {
    let event = ProcessEvent {
        category: "process",
        process: Process {
            name: "ssh",
            args: vec!["ssh", "-L8080:db:5432"],
        },
    };
    assert!(Ssh::matches(&event));
}
