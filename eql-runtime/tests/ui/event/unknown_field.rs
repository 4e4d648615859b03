use eql_runtime::{Event, eql_rule};

eql_rule! {
    pub ParentShell = r#"process where process.parent.name == "bash""#;
}

#[derive(Event)]
struct Process<'a> {
    name: &'a str,
}

#[derive(Event)]
struct ProcessEvent<'a> {
    #[eql(rename = "event.category")]
    category: &'a str,
    process: Process<'a>,
}

fn main() {
    let event = ProcessEvent {
        category: "process",
        process: Process { name: "bash" },
    };
    let _ = ParentShell::matches(&event);
}
